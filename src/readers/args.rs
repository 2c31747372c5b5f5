//! Command-line arguments of the registry tools: the program name of a
//! word, subcommands after global options, options with their values
//! (`-p X`, `-pX`, `-p=X`, `--password X`, `--password=X`, `<<< X`), and the
//! registry host of an image argument.

use super::shell::Token;

/// Words after a program searched for its subcommand (global options).
const MAX_GLOBAL_OPTS: usize = 16;

/// The program name of a word: its basename without `.exe`.
pub(crate) fn program(word: &str) -> &str {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    base.strip_suffix(".exe").unwrap_or(base)
}

/// Options of the login-like commands that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "-u",
    "--username",
    "--user",
    "-p",
    "--password",
    "--pass",
    "--authfile",
    "--cert-dir",
    "--cert-file",
    "--key-file",
    "--ca-file",
    "--registry-config",
    "--config",
    "-n",
    "--name",
    "--compat-auth-file",
    "--identity-token",
    "--creds",
    "--src-creds",
    "--dest-creds",
    "--docker-password",
    "--docker-username",
    "--docker-server",
    "--docker-email",
    "--registry-password",
    "--registry-username",
    "--docker-registry-server-password",
    "--docker-registry-server-user",
    "--server",
    "--url",
    "--namespace",
    "--context",
    "--subscription",
    "--resource-group",
    "-H",
    "--host",
    "--address",
    "-a",
];

/// One parsed option: its name and value token.
pub(crate) struct Opt {
    pub name: String,
    pub value: Option<Token>,
}

/// Options and positionals of the words after a subcommand.
pub(crate) fn parse(args: &[Token]) -> (Vec<Opt>, Vec<&Token>) {
    let mut opts = Vec::new();
    let mut pos = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let t = &args[i];
        i += 1;
        if t.op {
            // Redirections: skip their target; `<<<` is kept as an option.
            if t.value == "<<<" {
                opts.push(Opt {
                    name: "<<<".into(),
                    value: args.get(i).filter(|t| !t.op).cloned(),
                });
            }
            i += 1;
            continue;
        }
        let v = t.value.as_str();
        if !v.starts_with('-') || v == "-" {
            pos.push(t);
            continue;
        }
        if let Some(eq) = v.find('=') {
            opts.push(Opt {
                name: v.get(..eq).unwrap_or(v).to_string(),
                value: Some(t.tail(eq + 1)),
            });
        } else if VALUE_OPTIONS.contains(&v) {
            let value = args.get(i).filter(|t| !t.op).cloned();
            if value.is_some() {
                i += 1;
            }
            opts.push(Opt {
                name: v.to_string(),
                value,
            });
        } else if (v.starts_with("-p") || v.starts_with("-u")) && !v.starts_with("--") {
            // Glued short option: `-pSECRET`.
            opts.push(Opt {
                name: v.get(..2).unwrap_or(v).to_string(),
                value: Some(t.tail(2)),
            });
        } else {
            opts.push(Opt {
                name: v.to_string(),
                value: None,
            });
        }
    }
    (opts, pos)
}

pub(crate) fn opt<'a>(opts: &'a [Opt], names: &[&str]) -> Option<&'a Token> {
    opts.iter()
        .rev()
        .find(|o| names.contains(&o.name.as_str()))
        .and_then(|o| o.value.as_ref())
}

pub(crate) fn has(opts: &[Opt], name: &str) -> bool {
    opts.iter().any(|o| o.name == name)
}

/// After the program at `p`, the index just past the subcommand words
/// `sub`, skipping global options (and their values) in between.
pub(crate) fn subcommand(seg: &[Token], p: usize, sub: &[&str]) -> Option<usize> {
    let mut i = p + 1;
    let mut want = 0;
    let mut value_next = false;
    let end = seg.len().min(p + 1 + sub.len() + MAX_GLOBAL_OPTS);
    while i < end && want < sub.len() {
        let t = &seg[i];
        if t.op {
            return None;
        }
        let v = t.value.as_str();
        if v == sub[want] {
            want += 1;
            value_next = false;
        } else if v.starts_with('-') {
            value_next = !v.contains('=');
        } else if value_next {
            value_next = false;
        } else {
            return None;
        }
        i += 1;
    }
    (want == sub.len()).then_some(i)
}

/// For an image reference or transport (`docker://host/app:1`,
/// `host:5000/app`), `Some(registry)`; `Some(None)` for an image without a
/// registry host; `None` for a word that is not an image.
pub(crate) fn image_host(word: &str) -> Option<Option<String>> {
    let w = word
        .strip_prefix("docker://")
        .or_else(|| word.strip_prefix("oci://"))
        .unwrap_or(word);
    if w.starts_with('-') || w.contains(char::is_whitespace) || !w.contains('/') {
        return None;
    }
    let first = w.split('/').next().unwrap_or("");
    if first.contains('.') || first.contains(':') || first == "localhost" {
        Some(Some(first.to_string()))
    } else if word.starts_with("docker://") {
        Some(Some("docker.io".to_string()))
    } else {
        Some(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::shell::tokenize;

    fn toks(s: &str) -> Vec<Token> {
        tokenize(s.as_bytes(), None, 0, usize::MAX).0
    }

    #[test]
    fn options_in_every_spelling() {
        let t = toks("-u ci -pFAKE1 --password=FAKE2 --password FAKE3 -p=FAKE4 --tls-verify=false host --password-stdin");
        let (opts, pos) = parse(&t);
        let values: Vec<(&str, Option<&str>)> = opts
            .iter()
            .map(|o| (o.name.as_str(), o.value.as_ref().map(|v| v.value.as_str())))
            .collect();
        assert_eq!(
            values,
            [
                ("-u", Some("ci")),
                ("-p", Some("FAKE1")),
                ("--password", Some("FAKE2")),
                ("--password", Some("FAKE3")),
                ("-p", Some("FAKE4")),
                ("--tls-verify", Some("false")),
                ("--password-stdin", None),
            ]
        );
        assert_eq!(pos.len(), 1);
        assert_eq!(pos[0].value, "host");
        assert_eq!(opt(&opts, &["-p", "--password"]).unwrap().value, "FAKE4");
        assert!(has(&opts, "--password-stdin"));
    }

    #[test]
    fn subcommands_after_global_options() {
        let t = toks("docker --config /tmp/c --debug login -u x");
        assert_eq!(subcommand(&t, 0, &["login"]), Some(5));
        let t = toks("docker run login");
        assert_eq!(subcommand(&t, 0, &["login"]), None);
        let t = toks("helm registry login r");
        assert_eq!(subcommand(&t, 0, &["registry", "login"]), Some(3));
        let t = toks("docker LOGIN");
        assert_eq!(subcommand(&t, 0, &["login"]), None);
    }

    #[test]
    fn programs_and_image_hosts() {
        assert_eq!(program("/usr/bin/docker"), "docker");
        assert_eq!(program("C:\\bin\\docker.exe"), "docker");
        assert_eq!(
            image_host("docker://r.example.test/app:1"),
            Some(Some("r.example.test".into()))
        );
        assert_eq!(
            image_host("localhost:5000/app"),
            Some(Some("localhost:5000".into()))
        );
        assert_eq!(
            image_host("docker://library/alpine"),
            Some(Some("docker.io".into()))
        );
        assert_eq!(image_host("acme/app:1"), Some(None));
        assert_eq!(image_host("push"), None);
    }
}
