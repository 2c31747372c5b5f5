//! Runs the forms that read text directly (every [`Check`] but
//! `Layered`) on one file, after the layered engine.
//!
//! Each form is gated on its literals ([`Form::gate`]): one Aho-Corasick
//! pass over the file tells which of the gate literals of all forms occur,
//! and a form runs only if one of its own is among them. The pass is
//! case-sensitive and leftmost-first, which lets Aho-Corasick use its SIMD
//! prefilter (a case-insensitive or overlapping search is many times
//! slower). That costs nothing here: the words the forms read (command
//! names and subcommands, YAML/TOML/HCL keys) are case-sensitive where
//! they are used; only HTTP header names are not, and their usual
//! spellings are gated. The automaton is built once per process from
//! [`FORMS`].
//!
//! A YAML file is parsed, and HCL blocks are read, once per file, and only
//! when a gate literal of a form needing them is a key there.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::forms::{Candidate, Check, Form, FORMS};
use crate::model::finding::{RawFinding, Secret};
use crate::model::rule::Rule;
use crate::readers::{hcl, yaml};

/// Every gate literal of the forms run here, once, in a fixed order (bit
/// positions).
fn spellings() -> &'static [&'static str] {
    static S: OnceLock<Vec<&'static str>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v: Vec<&'static str> = Vec::new();
        for form in text_forms() {
            for w in form.gate {
                if !v.contains(w) {
                    v.push(w);
                }
            }
        }
        v
    })
}

/// The forms run here, in registry order.
fn text_forms() -> impl Iterator<Item = &'static Form> {
    FORMS
        .iter()
        .copied()
        .filter(|f| !matches!(f.check, Check::Layered))
}

/// The forms run here with the bit set of their gate literals, computed
/// once per process.
fn gated_forms() -> &'static [(&'static Form, u64)] {
    static G: OnceLock<Vec<(&'static Form, u64)>> = OnceLock::new();
    G.get_or_init(|| {
        text_forms()
            .map(|f| (f, f.gate.iter().fold(0, |acc, w| acc | bit(w))))
            .collect()
    })
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

/// Which gate literals occur in `text`, as a bit set by index in
/// [`spellings`]. The search restarts one byte after each match's start,
/// so a literal starting inside another match is still seen (no literal
/// is a prefix of another, which a test checks).
fn present(text: &[u8]) -> u64 {
    let all = (1u64 << spellings().len()) - 1;
    let mut seen = 0u64;
    let mut pos = 0;
    // Each match restarts the search; past a few dozen (a log full of
    // "login"), assume every literal is there and let the forms' own
    // checks decide.
    let mut budget = 1024;
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
        .expect("a gate literal");
    1 << i
}

/// Whether one of the form's gate literals occurs as a key: followed,
/// after closing quotes and blanks, by `sep` (`:` in YAML, `=` in HCL).
/// The gate words also occur in prose and logs (`method=password`).
fn keyed(text: &[u8], form: &Form, sep: u8) -> bool {
    form.gate.iter().any(|w| has_key(text, w.as_bytes(), sep))
}

/// Whether `word` occurs as a key: followed, after closing quotes and
/// blanks, by `sep`.
fn has_key(text: &[u8], word: &[u8], sep: u8) -> bool {
    memchr::memmem::find_iter(text, word).any(|i| {
        text[i + word.len()..]
            .iter()
            .take(16)
            .find(|c| !matches!(c, b'"' | b'\'' | b' ' | b'\t'))
            == Some(&sep)
    })
}

/// Runs the gated forms on one file and adds their findings to `out`. A
/// finding of the layered engine at the same span with the same secret is
/// replaced: the form reading the text knows it better.
pub fn scan(text: &[u8], out: &mut Vec<RawFinding>) {
    let seen = present(text);
    if seen == 0 {
        return;
    }
    let mut doc: Option<yaml::Doc> = None;
    let mut blocks: Option<Vec<hcl::Block>> = None;
    let mut found: Vec<RawFinding> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for &(form, bits) in gated_forms() {
        if seen & bits == 0 {
            continue;
        }
        match form.check {
            Check::Text(check) => check(text, &mut candidates),
            Check::Yaml(check) => {
                if keyed(text, form, b':') {
                    check(
                        doc.get_or_insert_with(|| yaml::Doc::parse(text)),
                        &mut candidates,
                    );
                }
            }
            Check::Hcl(check) => {
                if keyed(text, form, b'=') {
                    let blocks = blocks.get_or_insert_with(|| hcl::blocks(text));
                    if !blocks.is_empty() {
                        check(blocks, &mut candidates);
                    }
                }
            }
            Check::Layered => {}
        }
        push_literals(form, candidates.drain(..), &mut found);
    }
    if found.is_empty() {
        return;
    }
    // The general form (`structured`) yields to any other finding on the
    // same value or of the same secret: a kubectl-style entry is reported
    // once, at its `auth`, and a form that knows the shape names it.
    let general = |f: &RawFinding| f.rule == Rule::RegistryCredential;
    let specific: Vec<(std::ops::Range<usize>, Secret)> = found
        .iter()
        .chain(out.iter())
        .filter(|f| !general(f))
        .map(|f| (f.span.clone(), f.secret.clone()))
        .collect();
    found.retain(|f| {
        !general(f)
            || !specific.iter().any(|(s, secret)| {
                (s.start < f.span.end && f.span.start < s.end) || *secret == f.secret
            })
    });
    // Among general findings, the first on a value is kept.
    let mut kept: Vec<std::ops::Range<usize>> = Vec::new();
    found.retain(|f| {
        if !general(f) {
            return true;
        }
        if kept
            .iter()
            .any(|s| s.start < f.span.end && f.span.start < s.end)
        {
            return false;
        }
        kept.push(f.span.clone());
        true
    });
    out.retain(|e| {
        !found
            .iter()
            .any(|f| f.span == e.span && f.secret == e.secret)
    });
    out.extend(found);
}

/// Keeps the literal credentials among `candidates`.
fn push_literals(
    form: &Form,
    candidates: impl Iterator<Item = Candidate>,
    out: &mut Vec<RawFinding>,
) {
    for c in candidates {
        if !c.is_literal() {
            continue;
        }
        out.push(RawFinding {
            rule: c.rule,
            span: c.span,
            registry: c.registry,
            username: c.username,
            secret: Secret::new(c.secret),
            kind: c.kind,
            context: c.context,
            chain: vec![c.chain],
            hint: form.hint,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_few_and_none_is_a_prefix_of_another() {
        assert!(spellings().len() < 64);
        for a in spellings() {
            for b in spellings() {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn overlapping_literals_are_all_seen() {
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
        // used, so upper-case words gate nothing (environment names such
        // as `REGISTRY_PASSWORD` are gated in upper case).
        assert_eq!(present(b"DOCKER LOGIN CREDS"), 0);
        assert_ne!(present(b"REGISTRY_PASSWORD=x"), 0);
    }
}
