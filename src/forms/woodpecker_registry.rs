//! Woodpecker CI registry credentials added from the command line (CS011):
//! `woodpecker-cli repo registry add|update` (and the older
//! `woodpecker-cli registry add|update`) with `--password X` or
//! `--password=X`, in a script, a Makefile or a README.
//!
//! Woodpecker stores these credentials on its server and uses them to pull
//! step images; the command is how they get there, and a script that runs
//! it with a literal password leaks it. `--hostname` names the registry,
//! `--username` the user.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::args::{opt, parse, program, subcommand};
use crate::readers::shell::{self, Token};

pub(crate) const FORM: Form = Form {
    slug: "woodpecker-registry",
    rule: Rule::CiCredential,
    title: "Woodpecker CI registry added with woodpecker-cli",
    // The command names its program.
    gate: &["woodpecker-cli"],
    check: Check::Text(scan),
    hint: Some(
        "Woodpecker keeps registry credentials on its server: enter them once in the \
         repository's Registries settings rather than in a script.",
    ),
    doc: "A literal `--password` on `woodpecker-cli repo registry add` / `update` (or the older `woodpecker-cli registry add`), with `--hostname` and `--username` beside it.",
};

/// Bytes of one logical line read at most.
const MAX_LINE: usize = 64 * 1024;

/// The subcommand paths that set a registry credential.
const SUBCOMMANDS: &[&[&str]] = &[
    &["repo", "registry", "add"],
    &["repo", "registry", "update"],
    &["registry", "add"],
    &["registry", "update"],
];

fn scan(text: &[u8], out: &mut Vec<Candidate>) {
    let finder = memchr::memmem::Finder::new(FORM.gate[0]);
    let mut from = 0;
    while let Some(i) = finder.find(&text[from..]) {
        let at = from + i;
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |n| n + 1);
        let end = logical_end(text, at, (at + MAX_LINE).min(text.len()));
        let (tokens, _) = shell::tokenize(text, None, start, end);
        commands(&tokens, out);
        from = end.max(at + 1);
        if from >= text.len() {
            break;
        }
    }
}

/// The end of the line holding `pos`, following `\` continuations.
fn logical_end(text: &[u8], pos: usize, limit: usize) -> usize {
    let mut i = pos;
    while let Some(nl) = memchr::memchr(b'\n', &text[i..limit]) {
        let nl = i + nl;
        if !shell::continues(&text[i..nl]) {
            return nl;
        }
        i = nl + 1;
    }
    limit
}

fn commands(tokens: &[Token], out: &mut Vec<Candidate>) {
    for (p, t) in tokens.iter().enumerate() {
        if t.op || program(&t.value) != "woodpecker-cli" {
            continue;
        }
        let Some(args) = SUBCOMMANDS.iter().find_map(|s| subcommand(tokens, p, s)) else {
            continue;
        };
        let stop = tokens[args..]
            .iter()
            .position(|t| t.op)
            .map_or(tokens.len(), |k| args + k);
        let words = &tokens[args..stop];
        let (opts, _) = parse(words);
        let Some(password) = opt(&opts, &["--password"]) else {
            continue;
        };
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
            context: Context::Ci,
            span: password.full_span(),
            secret: password.value.clone(),
            username: opt(&opts, &["--username"]).map(|u| u.value.clone()),
            registry: hostname(words),
            kind: SecretKind::Password,
            chain: "woodpecker-cli registry --password".to_string(),
        });
    }
}

/// The value of `--hostname X` or `--hostname=X`.
fn hostname(words: &[Token]) -> Option<String> {
    words.iter().enumerate().find_map(|(i, t)| {
        if t.value == "--hostname" {
            words.get(i + 1).map(|v| v.value.clone())
        } else {
            t.value.strip_prefix("--hostname=").map(str::to_string)
        }
    })
}
