//! CS010: registry logins on a command line, in any file type.
//!
//! - `docker|podman|buildah|nerdctl|finch|skopeo login`, `helm registry
//!   login`, `oras login` (and other `oras` commands), `crane auth login`,
//!   `regctl registry login`, `az acr login` with `-p X`, `-pX`, `-p=X`,
//!   `--password X`, `--password=X` (oras also `--identity-token`);
//! - `echo X | docker login --password-stdin`, `printf`, and `<<< X`;
//! - `kubectl|oc create secret docker-registry --docker-password=X`;
//! - `skopeo --creds|--src-creds|--dest-creds u:p`, `crictl --creds u:p`,
//!   `ctr -u|--user u:p`.
//!
//! A value that is a reference (`$VAR`, `$(cmd)`, `%VAR%`, ...), a
//! placeholder, or fed to `--password-stdin` from a variable or file is
//! not reported.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{Candidate, Check, Form};
use crate::forms::placeholder::literal_command_credential;
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::args::{has, image_host, opt, parse, program, subcommand};
use crate::readers::shell::{self, Token};

pub(crate) const FORM: Form = Form {
    slug: "login-command",
    rule: Rule::LoginCommand,
    title: "registry login command",
    gate: TRIGGERS,
    check: Check::AtGate(scan),
    hint: None,
    doc: "A literal password or token on a login command, in any file (shell, Makefile, Dockerfile `RUN`, CI `run:`/`script:`, Markdown, PowerShell), across `\\` and `` ` `` continuations and inside quoted strings: `docker`/`podman`/`buildah`/`nerdctl`/`finch`/`skopeo login`, `helm registry login`, `oras login` (and `oras push`/`pull -p`, `--identity-token`), `crane auth login`, `regctl registry login`, `az acr login` with `-p X`, `-pX`, `-p=X`, `--password X`, `--password=X`; `echo X \\| … --password-stdin`, `printf`, `<<< X`; `kubectl`/`oc create secret docker-registry --docker-password=X`; `skopeo --creds`/`--src-creds`/`--dest-creds u:p`; `crictl --creds u:p`; `ctr -u`/`--user u:p`; `podman`/`buildah --creds u:p` on every subcommand; `helm --set`/`--set-string` under a registry-credential key (`imageCredentials.password=`); `--password` on any command whose arguments name a registry (`argocd repo add`, `flux create secret oci`, `apptainer remote login`, `az containerapp registry set`); the `k` alias of kubectl. Commands are read behind prompts and comment markers (`$ `, `# `, `> `, `PS> `, `C:\\> `, `// `, `REM `), after an unclosed backtick or quote, and in argv arrays (`[\"podman\", \"pull\", \"--creds\", …]`).",
};

/// Words one of which is in every logical line this form reads: every
/// command names `login`, a `--*creds` option (skopeo, crictl),
/// `docker-registry` (kubectl/oc), the `ctr` program followed by its
/// arguments (with its space), or `oras` (whose push/pull take `-p`). They
/// are matched case-sensitively: the tools' subcommands and options are.
const TRIGGERS: &[&str] = &[
    "login",
    "creds",
    "docker-registry",
    "ctr ",
    "oras",
    "-password",
    "--set",
];

/// Physical lines followed back through continuations.
const MAX_BACK: usize = 64;
/// Bytes looked back from a keyword for its line start. A longer line
/// (minified code) is read in windows around each keyword instead.
const LOOK_BACK: usize = 4 * 1024;
/// Bytes tokenized for one logical line at most. Real commands are far
/// shorter; this bounds time and memory on pathological files.
const MAX_LOGICAL: usize = 64 * 1024;
/// Depth of commands quoted inside a word (`run: "docker login ..."`).
const MAX_NEST: usize = 2;

/// Reads every logical line holding a trigger word (`at`: the offsets of
/// the triggers). Each byte is tokenized at most about twice: a keyword
/// inside a line already read is skipped, and lines are read in bounded
/// windows.
fn scan(text: &[u8], at: &[(usize, &'static str)], out: &mut Vec<Candidate>) {
    let mut done = 0usize;
    // Go on from the end of each line read, rather than visiting every
    // keyword inside it.
    let mut from = 0usize;
    for &(m_start, word) in at {
        if m_start < from {
            continue;
        }
        let m_end = m_start + word.len();
        // A trigger inside a longer word (`ctrlKey`, `credscan`) starts no
        // command: skip it without reading its line.
        from = m_end;
        // (`ctr ` carries its space, so that every gate literal is four
        // bytes long and the SIMD search keeps its fast path.)
        let word_end = if word.ends_with(' ') {
            m_end - 1
        } else {
            m_end
        };
        if !is_word(text, m_start, word_end) {
            continue;
        }
        let start = logical_start(text, m_start).max(done);
        let limit = start.saturating_add(MAX_LOGICAL).max(m_end);
        let end = logical_end(text, m_end, limit);
        done = end.max(m_end);
        from = done;
        // Tokenize only lines that name one of the programs, as a word.
        let line = &text[start..end];
        // `--password` and `--set` are read on any program (a registry
        // signal decides); the other triggers need a known program.
        let any_program = matches!(word, "-password" | "--set");
        if carries_secret(line)
            && (any_program
                || programs()
                    .find_iter(line)
                    .any(|p| is_word(line, p.start(), p.end())))
        {
            let start = after_comment_marker(text, start, end);
            let (tokens, _) = shell::tokenize(text, None, start, end);
            commands(&tokens, out, 0);
        }
        if done >= text.len() {
            break;
        }
    }
}

/// Whether a logical line can give a command's secret: every option that
/// carries one has `-p` (`-p`, `--password`, `--password-stdin`,
/// `--pass`, `--docker-password`), `-u` (`ctr -u`/`--user`), `creds`,
/// `token` (`--identity-token`) or `--set` in it. Lines without (a Go
/// `func login(` beside a `docker` import) are not tokenized.
fn carries_secret(line: &[u8]) -> bool {
    memchr::memchr_iter(b'-', line).any(|i| matches!(line.get(i + 1), Some(b'p' | b'u')))
        || memchr::memmem::find(line, b"creds").is_some()
        || memchr::memmem::find(line, b"token").is_some()
        || memchr::memmem::find(line, b"--set").is_some()
}

/// Past a comment marker that starts the line (`#`, `##`): commands that
/// scripts keep commented out, and the root prompt `# ` of docs pages,
/// still hold the password. (`//`, `REM`, `::`, `$`, `>`, `PS>`, `C:\>`
/// are read as words before the program and need nothing.)
fn after_comment_marker(text: &[u8], start: usize, end: usize) -> usize {
    let mut i = start;
    while i < end && matches!(text[i], b' ' | b'\t') {
        i += 1;
    }
    if i < end && text[i] == b'#' && text.get(i + 1) != Some(&b'!') {
        while i < end && text[i] == b'#' {
            i += 1;
        }
        return i;
    }
    start
}

/// Whether `text[start..end]` stands alone: no letter, digit or `_`
/// touches it on either side.
fn is_word(text: &[u8], start: usize, end: usize) -> bool {
    let inner = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let before = start > 0 && inner(text[start - 1]);
    let after = text.get(end).is_some_and(|&c| inner(c));
    !before && !after
}

/// Substrings of the programs this module reads (`acr` for `az acr`;
/// `docker` also covers `docker-registry` for kubectl and oc).
const PROGRAMS: &[&str] = &[
    "docker", "podman", "buildah", "nerdctl", "finch", "skopeo", "oras", "helm", "crane", "regctl",
    "acr", "ctr", "crictl",
];

fn programs() -> &'static AhoCorasick {
    static P: OnceLock<AhoCorasick> = OnceLock::new();
    P.get_or_init(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(PROGRAMS)
            .expect("static patterns")
    })
}

/// The end of the logical line holding `pos`: the first line end not
/// continued, bounded by `limit`.
fn logical_end(text: &[u8], pos: usize, limit: usize) -> usize {
    let limit = limit.min(text.len());
    let mut i = pos.min(limit);
    while let Some(nl) = memchr::memchr(b'\n', &text[i..limit]) {
        let nl = i + nl;
        if !shell::continues(&text[i..nl]) {
            return nl;
        }
        i = nl + 1;
    }
    limit
}

/// The start of the logical line holding `pos`, following continuations
/// back; for a very long line, a word start shortly before `pos`.
fn logical_start(text: &[u8], pos: usize) -> usize {
    let line_start = |end: usize| {
        let lo = end.saturating_sub(LOOK_BACK);
        match memchr::memrchr(b'\n', &text[lo..end]) {
            Some(i) => Some(lo + i + 1),
            None if lo == 0 => Some(0),
            None => None,
        }
    };
    let Some(mut ls) = line_start(pos) else {
        // A long line: start at a word boundary within the look-back.
        let lo = pos - LOOK_BACK;
        return text[lo..pos]
            .iter()
            .position(|c| matches!(c, b' ' | b'\t' | b';'))
            .map_or(pos, |i| lo + i + 1);
    };
    for _ in 0..MAX_BACK {
        if ls == 0 {
            break;
        }
        let prev_end = ls - 1;
        let Some(prev_start) = line_start(prev_end) else {
            break;
        };
        if !shell::continues(&text[prev_start..prev_end]) {
            break;
        }
        ls = prev_start;
    }
    ls
}

/// Reads every command in a token stream.
fn commands(tokens: &[Token], out: &mut Vec<Candidate>, depth: usize) {
    // Split into pipeline segments, remembering whether each is piped into.
    let mut segments: Vec<(&[Token], bool)> = Vec::new();
    let mut s = 0;
    let mut piped = false;
    for (i, t) in tokens.iter().enumerate() {
        if t.op && matches!(t.value.as_str(), "|" | "||" | "&&" | ";" | "&" | "(" | ")") {
            segments.push((&tokens[s..i], piped));
            piped = t.value == "|";
            s = i + 1;
        }
    }
    segments.push((&tokens[s..], piped));
    for (k, &(seg, piped)) in segments.iter().enumerate() {
        let prev = (k > 0 && piped).then(|| segments[k - 1].0);
        command(seg, prev, out);
        // An argv array in code: `["podman", "pull", "--creds", "u:p"]`,
        // `exec.Command("skopeo", "copy", ...)`.
        if let Some(argv) = argv_words(seg) {
            command(&argv, None, out);
        }
    }
    // Commands quoted inside one word: `run: "docker login -p X"`.
    if depth < MAX_NEST {
        for part in tokens.iter().flat_map(Token::quoted_parts) {
            let v = &part.value;
            if v.contains(' ') && TRIGGERS.iter().any(|w| v.contains(w)) {
                let (inner, _) =
                    shell::tokenize(part.value.as_bytes(), Some(&part.offsets), 0, usize::MAX);
                commands(&inner, out, depth + 1);
            }
        }
    }
}

/// Reads the first command of a known shape in one pipeline segment. A
/// handler returns whether the shape matched; it has then read the rest of
/// the segment, so the scan stops there (keeping the work linear).
fn command(seg: &[Token], prev: Option<&[Token]>, out: &mut Vec<Candidate>) {
    for (p, t) in seg.iter().enumerate() {
        if t.op {
            continue;
        }
        let name = program(&t.value);
        let matched = match name {
            "docker" | "nerdctl" | "finch" => login(seg, p, &["login"], name, prev, out),
            // `--creds` on every subcommand that takes it (pull, push, run,
            // build/bud, from, ...).
            // (`podman login` takes `--creds` too.)
            "podman" | "buildah" => {
                let logged_in = login(seg, p, &["login"], name, prev, out);
                pair_options(seg, p, name, out) || logged_in
            }
            "skopeo" => {
                login(seg, p, &["login"], name, prev, out) || pair_options(seg, p, name, out)
            }
            "oras" => login(seg, p, &["login"], name, prev, out) || oras_other(seg, p, out),
            "helm" => {
                login(seg, p, &["registry", "login"], name, prev, out) || helm_set(seg, p, out)
            }
            "crane" => login(seg, p, &["auth", "login"], name, prev, out),
            "regctl" => login(seg, p, &["registry", "login"], name, prev, out),
            "az" => login(seg, p, &["acr", "login"], name, prev, out),
            // `k`: the usual alias of kubectl.
            "kubectl" | "oc" | "k" => docker_registry_secret(seg, p, name, out),
            "ctr" | "crictl" => pair_options(seg, p, name, out),
            _ => false,
        };
        if matched {
            return;
        }
    }
    registry_password_option(seg, out);
}

/// The words of an argv array: each word's quoted parts, when the
/// segment is a list of quoted strings separated by commas.
fn argv_words(seg: &[Token]) -> Option<Vec<Token>> {
    let listed = |t: &Token| {
        !t.op
            && !t.quoted.is_empty()
            && t.value.len() > t.quoted.iter().map(|r| r.len()).sum::<usize>()
            && t.value.ends_with([',', ']', ')'])
    };
    if seg.iter().filter(|t| listed(t)).count() < 2 {
        return None;
    }
    let words: Vec<Token> = seg
        .iter()
        .filter(|t| !t.op)
        .flat_map(|t| t.quoted_parts().collect::<Vec<_>>())
        .collect();
    (words.len() >= 2).then_some(words)
}

/// Options that carry a registry password on tools whose commands are
/// not read one by one (`argocd repo add`, `flux create secret oci`,
/// `apptainer remote login`, `az containerapp registry set`, `trivy`).
const PASSWORD_OPTIONS: &[&str] = &[
    "--password",
    "--registry-password",
    "--docker-password",
    "--docker-registry-server-password",
];
const USER_OPTIONS: &[&str] = &[
    "--username",
    "-u",
    "--user",
    "--registry-username",
    "--docker-username",
    "--docker-registry-server-user",
];

/// Any command with a literal `--password` and a registry signal in its
/// words: a registry-like host (`registry.*`, `*.azurecr.io`, `ghcr.io`)
/// or an `oci://`/`docker://` URL, as an argument or an option value.
fn registry_password_option(seg: &[Token], out: &mut Vec<Candidate>) {
    let (opts, pos) = parse(seg);
    let Some(secret) = opt(&opts, PASSWORD_OPTIONS) else {
        return;
    };
    let registry = pos
        .iter()
        .map(|t| t.value.as_str())
        .chain(
            opts.iter()
                .filter_map(|o| o.value.as_ref())
                .map(|t| t.value.as_str()),
        )
        .find(|v| crate::forms::structured::registry_like(v))
        .map(crate::forms::structured::host_of);
    let Some(registry) = registry else {
        return;
    };
    let program = seg
        .iter()
        .find(|t| !t.op && !t.value.starts_with('-'))
        .map_or("", |t| program(&t.value));
    emit(
        Emit {
            registry: Some(registry),
            username: opt(&opts, USER_OPTIONS).map(|t| t.value.clone()),
            secret,
            kind: SecretKind::Password,
            chain: format!("command: {program} --password (registry argument)"),
        },
        out,
    );
}

/// `helm install|upgrade|template ... --set[-string] k.password=X`, where
/// the key path names a registry credential (`imageCredentials`,
/// `imagePullSecret`, `registry`, `docker`). Always reads the whole
/// segment.
fn helm_set(seg: &[Token], p: usize, out: &mut Vec<Candidate>) -> bool {
    let mut sets: Vec<Token> = Vec::new();
    let mut i = p + 1;
    while i < seg.len() {
        let t = &seg[i];
        let v = t.value.as_str();
        if v == "--set" || v == "--set-string" {
            if let Some(next) = seg.get(i + 1).filter(|n| !n.op) {
                sets.push(next.clone());
                i += 1;
            }
        } else if let Some(rest) = v.strip_prefix("--set=").or(v.strip_prefix("--set-string=")) {
            sets.push(t.tail(v.len() - rest.len()));
        }
        i += 1;
    }
    // Each `--set` holds `k=v[,k=v]`.
    let mut assigns: Vec<(String, Token)> = Vec::new();
    for s in &sets {
        let mut from = 0;
        for part in s.value.split(',') {
            if let Some(eq) = part.find('=') {
                let value = s.tail(from + eq + 1);
                let value = Token {
                    value: value
                        .value
                        .get(..part.len() - eq - 1)
                        .unwrap_or_default()
                        .to_string(),
                    offsets: value
                        .offsets
                        .get(..part.len() - eq)
                        .unwrap_or_default()
                        .to_vec(),
                    op: false,
                    quoted: Vec::new(),
                };
                assigns.push((part.get(..eq).unwrap_or_default().to_string(), value));
            }
            from += part.len() + 1;
        }
    }
    for (key, value) in &assigns {
        let lower = key.to_ascii_lowercase();
        let Some((prefix, last)) = lower.rsplit_once('.') else {
            continue;
        };
        if !matches!(last, "password" | "token" | "pass" | "accesstoken") {
            continue;
        }
        let registry_path = ["imagecredentials", "imagepullsecret", "registry", "docker"]
            .iter()
            .any(|w| prefix.contains(w));
        if !registry_path {
            continue;
        }
        let sibling = |names: &[&str]| {
            assigns
                .iter()
                .find(|(k, _)| {
                    k.to_ascii_lowercase()
                        .rsplit_once('.')
                        .is_some_and(|(p, l)| p == prefix && names.contains(&l))
                })
                .map(|(_, v)| v.value.clone())
        };
        emit(
            Emit {
                registry: sibling(&["registry", "server", "host"]),
                username: sibling(&["username", "user"]),
                secret: value,
                kind: SecretKind::Password,
                chain: format!("command: helm --set {key}"),
            },
            out,
        );
    }
    !sets.is_empty()
}

struct Emit<'a> {
    registry: Option<String>,
    username: Option<String>,
    secret: &'a Token,
    kind: SecretKind,
    chain: String,
}

fn emit(e: Emit<'_>, out: &mut Vec<Candidate>) {
    if !literal_command_credential(e.username.as_deref(), &e.secret.value) {
        return;
    }
    out.push(Candidate {
        quoted: false,
        rule: FORM.rule,
        span: e.secret.full_span(),
        registry: e.registry,
        username: e.username,
        secret: e.secret.value.clone(),
        kind: e.kind,
        context: Context::Command,
        chain: e.chain,
    });
}

/// `<prog> <sub...> [server] -u U -p P | --password-stdin`. Returns whether
/// the subcommand matched.
fn login(
    seg: &[Token],
    p: usize,
    sub: &[&str],
    name: &str,
    prev: Option<&[Token]>,
    out: &mut Vec<Candidate>,
) -> bool {
    let Some(args_at) = subcommand(seg, p, sub) else {
        return false;
    };
    let (opts, pos) = parse(&seg[args_at..]);
    let cmd = format!("{name} {}", sub.join(" "));
    let mut registry = pos.first().map(|t| t.value.clone());
    if name == "az" {
        registry = opt(&opts, &["-n", "--name"]).map(|t| {
            if t.value.contains('.') {
                t.value.clone()
            } else {
                format!("{}.azurecr.io", t.value)
            }
        });
    }
    let username = opt(&opts, &["-u", "--username", "--user"]).map(|t| t.value.clone());
    if let Some(tok) = opt(&opts, &["--identity-token"]) {
        emit(
            Emit {
                registry: registry.clone(),
                username: username.clone(),
                secret: tok,
                kind: SecretKind::IdentityToken,
                chain: format!("command: {cmd} --identity-token"),
            },
            out,
        );
    }
    let password = opt(&opts, &["-p", "--password", "--pass"]);
    let stdin_value;
    let (secret, how) = match password {
        Some(t) => (t, "--password"),
        None if has(&opts, "--password-stdin") => {
            stdin_value = match opt(&opts, &["<<<"]) {
                Some(t) => Some((t.clone(), "<<< value")),
                None => prev.and_then(echoed),
            };
            match &stdin_value {
                Some((t, how)) => (t, *how),
                None => return true,
            }
        }
        None => return true,
    };
    let chain = match how {
        "--password" => format!("command: {cmd} --password"),
        "<<< value" => format!("command: {cmd} --password-stdin <<< value"),
        feeder => format!("command: {feeder} value | {cmd} --password-stdin"),
    };
    emit(
        Emit {
            registry,
            username,
            secret,
            kind: SecretKind::Password,
            chain,
        },
        out,
    );
    true
}

/// The literal an `echo X` / `printf X` / `printf '%s' X` segment writes,
/// and the program. `cat file` and other programs feed a file or command:
/// not a literal.
fn echoed(seg: &[Token]) -> Option<(Token, &'static str)> {
    let i = seg
        .iter()
        .position(|t| !t.op && matches!(program(&t.value), "echo" | "printf"))?;
    let is_printf = program(&seg[i].value) == "printf";
    let mut args: Vec<&Token> = seg[i + 1..]
        .iter()
        .take_while(|t| !t.op)
        .filter(|t| !(t.value.starts_with('-') && t.value.len() <= 3))
        .collect();
    if is_printf && args.len() == 2 && args[0].value.starts_with('%') {
        args.remove(0);
    }
    match args.as_slice() {
        [one] if !(is_printf && one.value.contains('%')) => {
            // printf's `\n` escapes are not part of the secret.
            let v = &one.value;
            let trimmed = v.trim_end_matches("\\n");
            let token = Token {
                value: trimmed.to_string(),
                offsets: one.offsets[..trimmed.len()]
                    .iter()
                    .copied()
                    .chain(std::iter::once(one.offsets[trimmed.len()]))
                    .collect(),
                op: false,
                quoted: Vec::new(),
            };
            Some((token, if is_printf { "printf" } else { "echo" }))
        }
        _ => None,
    }
}

/// `kubectl create secret docker-registry NAME --docker-password=X`.
fn docker_registry_secret(seg: &[Token], p: usize, name: &str, out: &mut Vec<Candidate>) -> bool {
    let Some(args_at) = subcommand(seg, p, &["create", "secret", "docker-registry"]) else {
        return false;
    };
    let (opts, _) = parse(&seg[args_at..]);
    let Some(secret) = opt(&opts, &["--docker-password"]) else {
        return true;
    };
    emit(
        Emit {
            registry: opt(&opts, &["--docker-server"]).map(|t| t.value.clone()),
            username: opt(&opts, &["--docker-username"]).map(|t| t.value.clone()),
            secret,
            kind: SecretKind::Password,
            chain: format!("command: {name} create secret docker-registry --docker-password"),
        },
        out,
    );
    true
}

/// `user:password` options: skopeo `--creds|--src-creds|--dest-creds`,
/// crictl `--creds`, ctr `-u|--user`. Always reads the whole segment.
fn pair_options(seg: &[Token], p: usize, name: &str, out: &mut Vec<Candidate>) -> bool {
    let (opts, pos) = parse(&seg[p + 1..]);
    let names: &[&str] = match name {
        "ctr" => &["-u", "--user"],
        "crictl" => &["--creds"],
        _ => &["--creds", "--src-creds", "--dest-creds"],
    };
    let images: Vec<Option<String>> = pos.iter().filter_map(|t| image_host(&t.value)).collect();
    for o in opts.iter().filter(|o| names.contains(&o.name.as_str())) {
        let Some((user, secret)) = o.value.as_ref().and_then(Token::split_pair) else {
            continue;
        };
        let registry = match o.name.as_str() {
            "--dest-creds" => images.get(1).or(images.first()),
            _ => images.first(),
        }
        .cloned()
        .flatten();
        emit(
            Emit {
                registry,
                username: Some(user),
                secret: &secret,
                kind: SecretKind::Password,
                chain: format!("command: {name} {} user:password", o.name),
            },
            out,
        );
    }
    true
}

/// `oras push|pull|... -p X` (not `login`, handled above). Always reads
/// the whole segment.
fn oras_other(seg: &[Token], p: usize, out: &mut Vec<Candidate>) -> bool {
    let (opts, pos) = parse(&seg[p + 1..]);
    let Some(secret) = opt(&opts, &["-p", "--password"]) else {
        return true;
    };
    let registry = pos
        .iter()
        .filter_map(|t| image_host(&t.value))
        .next()
        .flatten();
    emit(
        Emit {
            registry,
            username: opt(&opts, &["-u", "--username"]).map(|t| t.value.clone()),
            secret,
            kind: SecretKind::Password,
            chain: "command: oras --password".to_string(),
        },
        out,
    );
    true
}

#[cfg(test)]
mod tests;
