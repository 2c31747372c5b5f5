//! Plaintext detectors: credentials that are not base64 config
//! JSON but typed into a command, a CI file, a runtime config, infrastructure
//! code or an Engine API header.
//!
//! [`scan`] runs on a file's bytes after the layered engine (`engine.rs`).
//! Each detector is gated on a cheap literal check: one Aho-Corasick pass
//! over the file tells which of the gate spellings occur, and a detector
//! runs only if one of its own is among them. The pass is case-sensitive
//! and leftmost-first, which lets Aho-Corasick use its SIMD prefilter (about
//! 12 times faster than a case-insensitive or overlapping search, measured
//! on 115 MB of crate sources). That costs nothing here: the words the
//! detectors read (command names and subcommands, YAML/TOML/HCL keys) are
//! case-sensitive where they are used; only HTTP header names are not, and
//! their usual spellings are gated. Patterns are compiled once per process.
//!
//! Values that are references (`$VAR`, `${{ ... }}`, `{{ ... }}`, `%VAR%`,
//! `from_secret`, ...) or placeholders are never findings; see
//! `placeholder::literal_credential`.

mod ci;
mod commands;
mod header;
mod iac;
pub mod placeholder;
mod runtime;

use crate::readers::{hcl, yaml};

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::forms::placeholder::{is_placeholder, is_reference, literal_credential};
use crate::model::finding::{Context, RawFinding, Secret, SecretKind};
use crate::model::rule::Rule;

/// Lower-case literals of which at least one occurs, compared
/// case-insensitively, in any file where a detector of this module can
/// report a finding. A file containing none of them can be skipped by this
/// module without losing a finding.
///
/// Each detector runs only when one of its gate spellings occurs
/// (case-sensitively), and every gate spelling contains one of these
/// keywords (a test checks it):
///
/// | Detector | Gate spellings | Why a finding needs one |
/// |---|---|---|
/// | login commands (CS010) | `login`, `creds`, `docker-registry`, `ctr ` (with its space), `oras` | every command form names `login`, a `--*creds` option (skopeo, crictl), `docker-registry` (kubectl/oc), the `ctr` program followed by its arguments, or `oras` (whose push/pull take `-p`) |
/// | YAML forms: CI (CS011), k3s (CS013), Ansible (CS014) | `password`, `configs` | the CI and Ansible forms report only a `password:` key; k3s values sit under `configs:` |
/// | containerd TOML (CS013) | `configs`, `auths` | its tables are `...registry.configs."h".auth` or `...registry.auths."h"` |
/// | HCL: Nomad `auth` (CS013), Terraform `registry_auth` (CS014) | `password` | only a `password = "..."` attribute is reported |
/// | Engine API headers (CS012) | `x-registry-auth`, `x-registry-config` in lower, `X-Registry-Auth` and `X-REGISTRY-AUTH` case | the header name precedes the value |
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

/// Reads one file and adds raw findings.
type Detect = fn(&[u8], &mut Vec<RawFinding>);

/// The detectors: gate spellings (case-sensitive), and the function
/// reading a file.
const DETECTORS: &[(&[&str], Detect)] = &[
    (commands::TRIGGERS, commands::scan),
    (&["password", "configs"], yaml_forms),
    (runtime::TOML_TRIGGERS, |t, o| {
        plain(t, o, runtime::containerd)
    }),
    (&["password"], hcl_forms),
    (header::TRIGGERS, |t, o| plain(t, o, header::scan)),
];

/// Every gate spelling, once, in a fixed order (bit positions).
fn spellings() -> &'static [&'static str] {
    static S: OnceLock<Vec<&'static str>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v: Vec<&'static str> = Vec::new();
        for (gate, _) in DETECTORS {
            for w in *gate {
                if !v.contains(w) {
                    v.push(w);
                }
            }
        }
        v
    })
}

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
    // The gate words also occur in prose and logs (`method=password`); only
    // a file where one is a key (`password:`, `"configs":`) is parsed.
    if !has_key(text, b"password", b':') && !has_key(text, b"configs", b':') {
        return;
    }
    let doc = yaml::Doc::parse(text);
    let mut found = Vec::new();
    ci::scan(&doc, &mut found);
    runtime::k3s(&doc, &mut found);
    iac::ansible(&doc, &mut found);
    push_literals(found, out);
}

/// Nomad `auth { }` and Terraform `registry_auth { }` blocks.
fn hcl_forms(text: &[u8], out: &mut Vec<RawFinding>) {
    if !has_key(text, b"password", b'=') {
        return;
    }
    let blocks = hcl::blocks(text);
    if blocks.is_empty() {
        return;
    }
    let mut found = Vec::new();
    runtime::nomad(&blocks, &mut found);
    iac::terraform(&blocks, &mut found);
    push_literals(found, out);
}

/// Whether `word` occurs as a key: followed, after closing quotes and
/// blanks, by `sep` (`:` in YAML, `=` in HCL).
fn has_key(text: &[u8], word: &[u8], sep: u8) -> bool {
    memchr::memmem::find_iter(text, word).any(|i| {
        text[i + word.len()..]
            .iter()
            .take(16)
            .find(|c| !matches!(c, b'"' | b'\'' | b' ' | b'\t'))
            == Some(&sep)
    })
}

/// A reference or a placeholder: not a value to read.
fn is_reference_or_placeholder(v: &str) -> bool {
    is_reference(v) || is_placeholder(v)
}

fn gate_finder() -> &'static AhoCorasick {
    static F: OnceLock<AhoCorasick> = OnceLock::new();
    F.get_or_init(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(spellings())
            .expect("static patterns")
    })
}

/// Which gate spellings occur in `text`, as a bit set by index in
/// [`spellings`]. The search restarts one byte after each match's start,
/// so a spelling starting inside another match is still seen (no spelling
/// is a prefix of another, which a test checks).
fn present(text: &[u8]) -> u64 {
    let all = (1u64 << spellings().len()) - 1;
    let mut seen = 0u64;
    let mut pos = 0;
    // Each match restarts the search; past a few dozen (a log full of
    // "login"), assume every spelling is there and let the detectors'
    // own checks decide.
    let mut budget = 32;
    while let Some(m) = gate_finder().find(aho_corasick::Input::new(text).span(pos..text.len())) {
        seen |= 1 << m.pattern().as_usize();
        budget -= 1;
        if seen == all || budget == 0 {
            return if budget == 0 { all } else { seen };
        }
        pos = m.start() + 1;
    }
    seen
}

fn bit(word: &str) -> u64 {
    let i = spellings()
        .iter()
        .position(|k| *k == word)
        .expect("a gate spelling");
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
    fn every_gate_spelling_contains_a_keyword() {
        for w in spellings() {
            let lower = w.to_ascii_lowercase();
            assert!(
                KEYWORDS.iter().any(|k| lower.contains(k)),
                "gate spelling {w} has no keyword"
            );
        }
        for k in KEYWORDS {
            assert_eq!(*k, k.to_ascii_lowercase());
            assert!(
                spellings().iter().any(|w| w.contains(k)),
                "keyword {k} gates nothing"
            );
        }
        assert!(spellings().len() < 64);
    }

    #[test]
    fn overlapping_spellings_are_all_seen() {
        let seen = present(b"x-registry-auths, x-registry-configs, passwordocker-registry");
        for w in [
            "x-registry-auth",
            "auths",
            "x-registry-config",
            "configs",
            "password",
            "docker-registry",
        ] {
            assert_ne!(seen & bit(w), 0, "{w}");
        }
        for a in spellings() {
            for b in spellings() {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn keys_are_told_from_words() {
        assert!(has_key(b"  password: x", b"password", b':'));
        assert!(has_key(b"{\"password\" : \"x\"}", b"password", b':'));
        assert!(has_key(b"password   = \"x\"", b"password", b'='));
        assert!(!has_key(b"login method=password ok", b"password", b':'));
        assert!(!has_key(b"the password is set", b"password", b'='));
    }

    #[test]
    fn files_without_keywords_are_skipped() {
        assert_eq!(present(b"nothing to see here"), 0);
        assert_ne!(present(b"docker login"), 0);
        assert_ne!(present(b"X-Registry-Auth: x"), 0);
        // Command names and YAML keys are case-sensitive where they are
        // used, so upper-case words gate nothing.
        assert_eq!(present(b"DOCKER LOGIN PASSWORD"), 0);
    }
}
