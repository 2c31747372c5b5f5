//! Plaintext detectors (issue 3): credentials that are not base64 config
//! JSON but typed into a command, a CI file, a runtime config, infrastructure
//! code or an Engine API header.
//!
//! [`scan`] runs on a file's bytes after the layered engine (`scan.rs`).
//! Each detector is gated on a case-insensitive literal check: one
//! Aho-Corasick pass over the file tells which of [`KEYWORDS`] occur, and a
//! detector runs only if one of its own triggers is among them. Patterns
//! are compiled once per process.
//!
//! Values that are references (`$VAR`, `${{ ... }}`, `{{ ... }}`, `%VAR%`,
//! `from_secret`, ...) or placeholders are never findings; see
//! `placeholder::literal_credential`.

mod ci;
mod commands;
mod hcl;
mod header;
mod iac;
mod runtime;
mod shell;
mod yaml;

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::finding::{Context, RawFinding, Secret, SecretKind};
use crate::placeholder::{is_placeholder, is_reference, literal_credential};
use crate::rule::Rule;

/// Lower-case literals of which at least one occurs (case-insensitively)
/// in any file where a detector of this module can report a finding.
///
/// This is exactly the union of the detectors' triggers, and each detector
/// runs only when one of its triggers is present, so a file containing none
/// of these words can be skipped by this module without losing a finding:
///
/// | Detector | Triggers | Why it is complete |
/// |---|---|---|
/// | login commands (CS010) | `login`, `creds`, `docker-registry`, `ctr`, `oras` | every command form names `login`, a `--*creds` option (skopeo, crictl), `docker-registry` (kubectl/oc), the `ctr` program, or `oras` (whose push/pull take `-p`) |
/// | YAML forms: CI (CS011), k3s (CS013), Ansible (CS014) | `password`, `configs` | the CI and Ansible forms report only a `password:` key; k3s values sit under `configs:` |
/// | containerd TOML (CS013) | `configs`, `auths` | its tables are `...registry.configs."h".auth` or `...registry.auths."h"` |
/// | HCL: Nomad `auth` (CS013), Terraform `registry_auth` (CS014) | `password` | only a `password = "..."` attribute is reported |
/// | Engine API headers (CS012) | `x-registry-auth`, `x-registry-config` | the header name precedes the value |
pub const KEYWORDS: &[&str] = &[
    "login",
    "creds",
    "docker-registry",
    "ctr",
    "oras",
    "password",
    "configs",
    "auths",
    "x-registry-auth",
    "x-registry-config",
];

/// The detectors: triggers, and the function reading a file.
type Detect = fn(&[u8], &mut Vec<RawFinding>);
const DETECTORS: &[(&[&str], Detect)] = &[
    (commands::TRIGGERS, commands::scan),
    (&["password", "configs"], yaml_forms),
    (runtime::TOML_TRIGGERS, |t, o| {
        plain(t, o, runtime::containerd)
    }),
    (&["password"], hcl_forms),
    (header::TRIGGERS, |t, o| plain(t, o, header::scan)),
];

/// A plaintext credential before the literal check.
pub(crate) struct Plain {
    pub rule: Rule,
    pub context: Context,
    /// The password itself (or the encoded value holding it).
    pub span: Range<usize>,
    pub secret: String,
    pub username: Option<String>,
    pub registry: Option<String>,
    pub kind: SecretKind,
    pub chain: String,
}

/// Keeps the literal credentials among `found`.
fn push_literals(found: Vec<Plain>, out: &mut Vec<RawFinding>) {
    for p in found {
        if !literal_credential(p.username.as_deref(), &p.secret) {
            continue;
        }
        out.push(RawFinding {
            rule: p.rule,
            span: p.span,
            registry: p.registry,
            username: p.username,
            secret: Secret::new(p.secret),
            kind: p.kind,
            context: p.context,
            chain: vec![p.chain],
        });
    }
}

fn plain(text: &[u8], out: &mut Vec<RawFinding>, detect: fn(&[u8], &mut Vec<Plain>)) {
    let mut found = Vec::new();
    detect(text, &mut found);
    push_literals(found, out);
}

/// CI files, k3s `registries.yaml` and Ansible tasks share one YAML parse.
fn yaml_forms(text: &[u8], out: &mut Vec<RawFinding>) {
    let doc = yaml::Doc::parse(text);
    let mut found = Vec::new();
    ci::scan(&doc, &mut found);
    runtime::k3s(&doc, &mut found);
    iac::ansible(&doc, &mut found);
    push_literals(found, out);
}

/// Nomad `auth { }` and Terraform `registry_auth { }` blocks.
fn hcl_forms(text: &[u8], out: &mut Vec<RawFinding>) {
    let blocks = hcl::blocks(text);
    if blocks.is_empty() {
        return;
    }
    let mut found = Vec::new();
    runtime::nomad(&blocks, &mut found);
    iac::terraform(&blocks, &mut found);
    push_literals(found, out);
}

/// A reference or a placeholder: not a value to read.
fn is_reference_or_placeholder(v: &str) -> bool {
    is_reference(v) || is_placeholder(v)
}

fn keyword_finder() -> &'static AhoCorasick {
    static F: OnceLock<AhoCorasick> = OnceLock::new();
    F.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(KEYWORDS)
            .expect("static patterns")
    })
}

/// Which of [`KEYWORDS`] occur in `text`, as a bit set by index.
fn present(text: &[u8]) -> u64 {
    let all = (1u64 << KEYWORDS.len()) - 1;
    let mut seen = 0u64;
    for m in keyword_finder().find_overlapping_iter(text) {
        seen |= 1 << m.pattern().as_usize();
        if seen == all {
            break;
        }
    }
    seen
}

fn bit(word: &str) -> u64 {
    let i = KEYWORDS
        .iter()
        .position(|k| *k == word)
        .expect("every trigger is a keyword");
    1 << i
}

/// Runs the plaintext detectors on one file and adds their findings to
/// `out`. A finding of the engine at the same span with the same secret is
/// replaced: the plaintext detector knows the form better.
pub fn scan(text: &[u8], out: &mut Vec<RawFinding>) {
    let seen = present(text);
    if seen == 0 {
        return;
    }
    let mut found = Vec::new();
    for (triggers, detect) in DETECTORS {
        if triggers.iter().any(|t| seen & bit(t) != 0) {
            detect(text, &mut found);
        }
    }
    if found.is_empty() {
        return;
    }
    out.retain(|e| {
        !found
            .iter()
            .any(|f| f.span == e.span && f.secret == e.secret)
    });
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_the_union_of_triggers() {
        let mut union: Vec<&str> = DETECTORS
            .iter()
            .flat_map(|(t, _)| t.iter().copied())
            .collect();
        union.sort_unstable();
        union.dedup();
        let mut keywords = KEYWORDS.to_vec();
        keywords.sort_unstable();
        assert_eq!(union, keywords);
        for k in KEYWORDS {
            assert_eq!(*k, k.to_ascii_lowercase());
        }
        assert!(KEYWORDS.len() < 64);
    }

    #[test]
    fn files_without_keywords_are_skipped() {
        assert_eq!(present(b"nothing to see here"), 0);
        assert_ne!(present(b"DOCKER LOGIN"), 0);
    }
}
