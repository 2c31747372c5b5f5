//! Placeholders, references and implausible pairs (docs/placeholders.md).
//!
//! A linter that cries wolf gets uninstalled: everything here errs on the
//! side of "not a credential" for values that documentation, templates and
//! CI variables use in place of a real secret.

pub use crate::readers::decode::printable;

/// Pairs that documentation and tutorials use. Compared case-insensitively.
const DOC_PAIRS: &[(&str, &str)] = &[
    ("username", "password"),
    ("user", "pass"),
    ("user", "password"),
    ("foo", "bar"),
    ("admin", "admin"),
    ("test", "test"),
    ("tiger", "pass1234"),
    ("my_username", "my_password"),
    ("joejoe", "hello"),
    ("someone", "sillyness"),
    ("kevinbacon", "pa55word"),
    ("dockerhub_user", "dockerhub_password"),
    ("admin", "harbor12345"),
    ("admin", "password"),
    ("root", "root"),
];

/// Usernames whose every password in the docs is a placeholder.
const DOC_USERS: &[&str] = &["janedoe", "hannibal"];

/// Whole-value placeholders, compared case-insensitively.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "changeme",
    "change_me",
    "change-me",
    "replace_me",
    "replaceme",
    "replace-me",
    "redacted",
    "example",
    "null",
    "none",
    "undefined",
    "todo",
    "tbd",
    "dummy",
    "placeholder",
    "mypassword",
    "my_password",
    "yourpassword",
    "your_password",
    "dckr_pat_124509ugsdjga93",
    // Documentation favourites seen beside login commands.
    "hunter2",
    "testpassword",
    "testpass",
    "mypass",
    "mysecret",
    "mytoken",
    "passw0rd",
    "p@ssw0rd",
    "password123",
    "s3cr3t",
    "supersecret",
    "secretpassword",
];

/// Substrings that mark a template, a reference or a masked value.
const PLACEHOLDER_PARTS: &[&str] = &[
    "${",
    "$(",
    "{{",
    "}}",
    "{%",
    "<%",
    "***",
    "…",
    "...",
    "xxxx",
    "redacted",
    "changeme",
    "change_me",
    "replace_me",
    "replaceme",
    "your_",
    "your-",
    "yourpass",
    "placeholder",
    "<password",
    "<token",
    "<user",
    "<your",
];

/// Prefixes of password hashes: these are not plaintext credentials.
const HASH_PREFIXES: &[&str] = &[
    "$apr1$", "$2y$", "$2a$", "$2b$", "$1$", "$5$", "$6$", "$argon2", "{sha}", "{ssha}", "{md5}",
    "{crypt}",
];

/// True when `value` stands in for a secret rather than being one: a
/// template, a variable reference, a masked or documentation value.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    if HASH_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if has_format_directive(v) {
        return true;
    }
    // $VAR, %VAR%, <value>, [value]
    let b = v.as_bytes();
    if b[0] == b'$' && b.len() > 1 && (b[1].is_ascii_alphabetic() || b[1] == b'_') {
        return true;
    }
    if b.len() > 2 && b[0] == b'%' && b[b.len() - 1] == b'%' {
        return true;
    }
    if (b[0] == b'<' && b[b.len() - 1] == b'>') || (b[0] == b'[' && b[b.len() - 1] == b']') {
        return true;
    }
    // A value made of one repeated character (xxxxxxxx, 00000000, ********).
    if b.len() >= 3 && b.iter().all(|&c| c == b[0]) {
        return true;
    }
    // ALL_CAPS_WITH_UNDERSCORES that mention what they stand for.
    if is_shouting_name(v) {
        return true;
    }
    false
}

/// A printf-style template: `%s`, `%s:%s`, `user-%d`, `%(password)s`.
///
/// A directive counts only where a template puts one: not glued to letters
/// or digits on either side. Generated passwords contain `%` often
/// (`Zq8v%dLm2Kp4`, `ab%qXy`); a `%` followed by a letter inside such a
/// random string is part of the secret, not a placeholder.
fn has_format_directive(v: &str) -> bool {
    let b = v.as_bytes();
    let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        if b.get(j) == Some(&b'(') {
            // %(name)s
            let close = b[j..].iter().position(|&c| c == b')');
            if let Some(c) = close {
                if matches!(b.get(j + c + 1), Some(b's' | b'd' | b'r')) && !word(j + c + 2) {
                    return true;
                }
            }
            i += 1;
            continue;
        }
        while matches!(b.get(j), Some(b'-' | b'+' | b'#' | b'0'..=b'9' | b'.')) {
            j += 1;
        }
        if matches!(b.get(j), Some(b's' | b'v' | b'd' | b'q' | b'x'))
            && (start == 0 || !word(start - 1))
            && !word(j + 1)
        {
            return true;
        }
        i += 1;
    }
    false
}

/// `REGISTRY_PASSWORD`, `YOUR_TOKEN`: an upper-case identifier naming a
/// secret, as used in templates.
fn is_shouting_name(v: &str) -> bool {
    let looks = v
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c == b'_' || c.is_ascii_digit())
        && v.contains('_');
    if !looks {
        return false;
    }
    const WORDS: &[&str] = &[
        "PASS", "TOKEN", "SECRET", "USER", "KEY", "AUTH", "CRED", "REGISTRY", "DOCKER",
    ];
    WORDS.iter().any(|w| v.contains(w))
}

/// Whether a decoded `user:password` pair is a plausible credential.
///
/// Rejects placeholders, documentation pairs, URLs, times, `host:port`,
/// IPv6 addresses, Windows paths, JSON and prose.
pub fn plausible_pair(user: &str, password: &str) -> bool {
    pair_check(user, password, false)
}

/// [`plausible_pair`] for a docker config's `auth` or `username` and
/// `password` fields, where the place says the value is a credential:
/// whitespace inside a username or password (`correct horse battery
/// staple 42`) is allowed; blank values, templates and placeholders are
/// still rejected.
pub fn plausible_config_pair(user: &str, password: &str) -> bool {
    pair_check(user, password, true)
}

fn pair_check(user: &str, password: &str, spaces_ok: bool) -> bool {
    // A recognised token is a secret whatever its position: beside an
    // empty password (`ghp_...:`), or equal to the username.
    // Only a true placeholder (`ghp_xxxx...`) is exempt.
    let real_token = |s: &str| crate::model::kind::is_recognised_token(s) && !is_placeholder(s);
    if real_token(user) || real_token(password) {
        return printable(user) && printable(password);
    }
    if user.trim().is_empty() || password.trim().is_empty() {
        return false;
    }
    let json_key = user.starts_with("_json_key");
    let spaced = |s: &str| {
        if spaces_ok {
            s.trim() != s
        } else {
            s.chars().any(char::is_whitespace)
        }
    };
    if !printable(user) || spaced(user) {
        return false;
    }
    if !json_key && (!printable(password) || spaced(password)) {
        return false;
    }
    let (lu, lp) = (user.to_ascii_lowercase(), password.to_ascii_lowercase());
    if DOC_PAIRS.iter().any(|(u, p)| *u == lu && *p == lp) || DOC_USERS.contains(&lu.as_str()) {
        return false;
    }
    if lu == lp {
        return false;
    }
    // URL schemes (`https://...`, `urn:...`, `mailto:...`) and data URIs.
    if password.starts_with("//")
        || matches!(
            lu.as_str(),
            "http" | "https" | "ftp" | "urn" | "mailto" | "data" | "file" | "ssh" | "git" | "tcp"
        )
    {
        return false;
    }
    // Times and host:port.
    if password
        .bytes()
        .all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
    {
        return false;
    }
    // IPv6 and other all-hex colon groups.
    if user.bytes().all(|c| c.is_ascii_hexdigit())
        && password.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
        && password.contains(':')
    {
        return false;
    }
    // C:\path
    if user.len() == 1 && (password.starts_with('\\') || password.starts_with('/')) {
        return false;
    }
    // JSON or code fragments.
    if user.starts_with(['{', '[', '"', '\'', '(', '<']) {
        return false;
    }
    if !json_key && (is_placeholder(password) || is_placeholder(user) && !user.starts_with('$')) {
        return false;
    }
    if json_key && is_placeholder(password) && !password.contains("private_key") {
        return false;
    }
    true
}

/// True when `value` refers to a secret kept elsewhere instead of being
/// one: a shell or CI expansion anywhere in it (`$VAR`, `${VAR}`, `$(cmd)`,
/// `` `cmd` ``, Makefile `$$VAR`, PowerShell `$env:X`), a template
/// (`{{ ... }}`, `${{ ... }}`, Concourse `((var))`), a Windows `%VAR%`,
/// Drone `from_secret`, or an Ansible `!vault` tag.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let b = v.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'$' => {
                if let Some(&n) = b.get(i + 1) {
                    if n.is_ascii_alphanumeric() || matches!(n, b'{' | b'(' | b'_' | b'$') {
                        return true;
                    }
                }
            }
            b'`' => return true,
            b'%' => {
                // %NAME%
                let rest = &b[i + 1..];
                let n = rest
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                let named = rest
                    .first()
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
                if named && rest.get(n) == Some(&b'%') {
                    return true;
                }
            }
            _ => {}
        }
    }
    let lower = v.to_ascii_lowercase();
    lower.contains("{{")
        || (lower.contains("((") && lower.contains("))"))
        || lower.contains("from_secret")
        || lower.starts_with("!vault")
}

/// Whether a plaintext value found beside a login flag or a `password:`
/// key is a plausible secret on its own: not a reference or placeholder,
/// printable, without whitespace, at least 6 characters, and not a number,
/// time or URL.
pub fn plausible_secret(value: &str) -> bool {
    let v = value;
    v.chars().count() >= 6
        && printable(v)
        && !v.chars().any(char::is_whitespace)
        && !is_reference(v)
        && !is_placeholder(v)
        && !v.starts_with("//")
        && !v.contains("://")
        && !v
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
}

/// [`literal_credential`] for a value read from a command line, where a
/// space inside can only come from quotes (`-p "correct horse battery
/// staple 42"`): the spaces are part of the password. Leading or trailing
/// space, line breaks, and phrases that describe a secret instead of being
/// one (`"your password here"`) are still rejected.
pub fn literal_command_credential(user: Option<&str>, secret: &str) -> bool {
    if !secret.contains(' ') {
        return literal_credential(user, secret);
    }
    let describes = secret
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| {
            matches!(
                w,
                "password"
                    | "passwd"
                    | "pass"
                    | "secret"
                    | "token"
                    | "your"
                    | "here"
                    | "my"
                    | "the"
                    | "example"
                    | "changeme"
            )
        });
    secret.trim() == secret
        && !secret.contains(['\n', '\r', '\t'])
        && !describes
        && literal_credential(user, &secret.replace(' ', ""))
}

/// Whether `(user, secret)` written in plain text is a credential worth
/// reporting. A username that is itself a reference does not disqualify a
/// literal secret; a placeholder or documentation username does.
pub fn literal_credential(user: Option<&str>, secret: &str) -> bool {
    if !plausible_secret(secret) {
        return false;
    }
    match user.map(str::trim) {
        None | Some("") => true,
        Some(u) if is_reference(u) => true,
        Some(u) => plausible_pair(u, secret),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "${REGISTRY_PASSWORD}",
            "$CI_JOB_TOKEN",
            "$(cat token)",
            "{{ .Values.password }}",
            "<your-pword>",
            "YOUR_TOKEN",
            "xxxxxxxxxxx",
            "***",
            "REDACTED",
            "changeme",
            "%s",
            "%s:%s",
            "%(password)s",
            "user-%d",
            "%-10s",
            "%REG_PASS%",
            "$apr1$abc$def",
            "$2y$05$abcdefghijklmnopqrstuv",
            "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
            "glpat-XXXXXXXXXXX-XXXXXXXX",
            "REGISTRY_PASSWORD",
            "hunter2",
            "testpassword",
            "",
        ] {
            assert!(is_placeholder(p), "{p} should be a placeholder");
        }
    }

    #[test]
    fn invented_secrets_are_not_placeholders() {
        for p in [
            "FAKEpass-1234-credscan",
            "dckr_pat_FAKE0credscan0test0token000",
            "Zq7-credscan-Fake",
            "ghp_FAKEcredscan000000000000000000000000",
            // Generated passwords with a `%` before a letter.
            "Zq8v%dLm2Kp4Rt7Wx",
            "ab%qXy7Lm2Kp4Rt",
            "Kp4%sRt7Wx",
            "%dLm2Kp4Rt7Wx",
        ] {
            assert!(!is_placeholder(p), "{p} is not a placeholder");
        }
    }

    #[test]
    fn references_are_recognised() {
        for r in [
            "$VAR",
            "${VAR}",
            "$(cat /run/secrets/pw)",
            "`cat pw`",
            "${{ secrets.REGISTRY_TOKEN }}",
            "{{ .Values.password }}",
            "{{ vault_registry_password }}",
            "%REG_PASS%",
            "pre-$SUFFIX",
            "$$REG_PASS",
            "$env:REG_PASS",
            "((registry-password))",
            "from_secret: x",
            "!vault |",
        ] {
            assert!(is_reference(r), "{r} should be a reference");
        }
        for l in [
            "FAKEpass-1234",
            "robot$",
            "50%off",
            "a$",
            "FAKE%pass",
            "FAKE%0%0",
        ] {
            assert!(!is_reference(l), "{l} is a literal");
        }
    }

    #[test]
    fn quoted_command_passwords_may_hold_spaces() {
        assert!(literal_command_credential(
            Some("deployer"),
            "correct horse battery staple 42"
        ));
        assert!(!literal_command_credential(
            Some("deployer"),
            "your password here"
        ));
        assert!(!literal_command_credential(Some("deployer"), " Zq8vLm2Kp4"));
        assert!(!literal_command_credential(Some("deployer"), "${REG} pass"));
    }

    #[test]
    fn literal_credentials() {
        assert!(literal_credential(Some("ci-bot"), "FAKEpass-1234"));
        assert!(literal_credential(Some("$REG_USER"), "FAKEpass-1234"));
        assert!(literal_credential(Some("%REG_USER%"), "FAKEpass-1234"));
        assert!(literal_credential(
            None,
            "dckr_pat_FAKE0credscan0test0token000"
        ));
        assert!(literal_credential(
            Some("$oauthtoken"),
            "nvapi-FAKEcredscan0000"
        ));
        for (u, p) in [
            (Some("ci-bot"), "$REG_PASS"),
            (Some("ci-bot"), "<your-pword>"),
            (Some("ci-bot"), "YOUR_TOKEN"),
            (Some("ci-bot"), "abc"),
            (Some("ci-bot"), "123456789"),
            (Some("<user>"), "FAKEpass-1234"),
            (Some("user"), "pass"),
            (None, "${{ secrets.X }}"),
            (None, "two words"),
        ] {
            assert!(
                !literal_credential(u, p),
                "{u:?} {p} is not a literal credential"
            );
        }
    }

    #[test]
    fn plausible_pairs() {
        assert!(plausible_pair("ci-bot", "FAKEpass-1234"));
        assert!(plausible_pair("acme+ci_puller", "FAKE0CREDSCAN0QUAY"));
        assert!(plausible_pair("$oauthtoken", "nvapi-FAKEcredscan"));
        assert!(plausible_pair(
            "_json_key",
            "{\n \"type\": \"service_account\",\n \"private_key\": \"FAKE\"\n}"
        ));
    }

    #[test]
    fn implausible_pairs() {
        for (u, p) in [
            ("username", "password"),
            ("user", "pass"),
            ("foo", "bar"),
            ("admin", "admin"),
            ("janedoe", "xxxxxxxxxxx"),
            ("tiger", "pass1234"),
            ("https", "//example.test/path"),
            ("12", "30:45"),
            ("registry.example.test", "5000"),
            ("fe80", ":1"),
            ("C", "\\Windows"),
            ("user", ""),
            ("", "pw"),
            ("Really", "really long auth keys"),
            ("ci-bot", "${CI_REGISTRY_PASSWORD}"),
            ("{\"a\"", "1}"),
        ] {
            assert!(!plausible_pair(u, p), "{u}:{p} should be rejected");
        }
    }
}
