//! Runs the forms that read text directly (every [`Check`] but
//! `Layered`) on one file, after the layered engine.
//!
//! Each form is gated on its literals ([`Form::gate`]): the engine's one
//! literal pass ([`Hits`]) tells which occur, and a form runs only if one
//! of its own is among them. The pass is case-sensitive, which lets it use
//! a SIMD search (a case-insensitive one is many times slower). That costs
//! nothing here: the words the forms read (command names and subcommands,
//! YAML/TOML/HCL keys) are case-sensitive where they are used; only HTTP
//! header names are not, and their usual spellings are gated.
//!
//! A YAML file is parsed, and HCL blocks are read, once per file, and only
//! when a gate literal of a form needing them is a key there.

use std::sync::OnceLock;

use crate::forms::{Candidate, Check, Form, FORMS};
use crate::model::finding::{RawFinding, Secret};
use crate::model::rule::Rule;
use crate::readers::{hcl, yaml};

use super::hits::Hits;

/// The forms run here, in registry order.
fn text_forms() -> impl Iterator<Item = &'static Form> {
    FORMS
        .iter()
        .copied()
        .filter(|f| !matches!(f.check, Check::Layered))
}

/// The forms run here, each with the bit set of its gate literals among
/// the literal pass's ([`Hits::mask`]), computed once per process.
fn gated_forms() -> &'static [(&'static Form, u128)] {
    static G: OnceLock<Vec<(&'static Form, u128)>> = OnceLock::new();
    G.get_or_init(|| text_forms().map(|f| (f, Hits::mask(f.gate))).collect())
}

/// Whether one of the form's gate literals occurs as a key: followed,
/// after closing quotes and blanks, by `sep` (`:` in YAML, `=` in HCL).
/// The gate words also occur in prose and logs (`method=password`).
/// (YAML keys are told by [`yaml_key_at`], from [`yaml_key_positions`].)
fn keyed_in(text: &[u8], hits: &Hits, form: &Form, sep: u8) -> bool {
    hits.positions(form.gate)
        .iter()
        .any(|&(at, w)| is_key_at(text, at + w.len(), sep))
}

/// The keys among `keys` ([`yaml_key_positions`]) the YAML forms may read,
/// ascending: they read the nodes keyed there and their ancestors and
/// children, which [`yaml::Doc::parse_around`] reads. A key is left out
/// when every form gated on its word tests its parent, and its parent is
/// known to fail them all.
fn yaml_keys(text: &[u8], keys: &[(usize, &'static str)]) -> Vec<usize> {
    let mut at = keys.to_vec();
    let mut budget = yaml::PARENT_BUDGET;
    at.retain(|&(at, w)| {
        let mut parent = None;
        yaml_forms()
            .filter(|(gate, _)| gate.contains(&w))
            .any(|(_, test)| match test {
                None => true,
                Some(test) => {
                    match parent
                        .get_or_insert_with(|| yaml::parent_of_key_at(text, at, w, &mut budget))
                    {
                        yaml::Parent::Unknown => true,
                        yaml::Parent::Keyless => false,
                        yaml::Parent::Key(k) => test(k),
                    }
                }
            })
    });
    at.into_iter().map(|(at, _)| at).collect()
}

/// A form's test of the key of a node's parent.
type ParentTest = fn(&str) -> bool;

/// Each YAML form's gate and parent test.
fn yaml_forms() -> impl Iterator<Item = (&'static [&'static str], Option<ParentTest>)> {
    text_forms().filter_map(|f| match f.check {
        Check::Yaml(_, test) => Some((f.gate, test)),
        _ => None,
    })
}

/// Every occurrence of a YAML form's gate word as a key, ascending.
fn yaml_key_positions(text: &[u8], hits: &Hits) -> Vec<(usize, &'static str)> {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let mut w: Vec<&'static str> = yaml_forms().flat_map(|(g, _)| g.iter().copied()).collect();
        w.sort_unstable();
        w.dedup();
        w
    });
    let mut at: Vec<(usize, &'static str)> = hits
        .positions(words)
        .into_iter()
        .filter(|&(at, w)| yaml_key_at(text, at, at + w.len()))
        .collect();
    at.sort_unstable();
    at
}

/// Whether the word at `at..end` can be a whole YAML key as
/// [`yaml::Doc`] reads one. The YAML forms read nodes whose key *is* a
/// gate word (`password`, `configs`), so a file where each of them follows
/// other text (`db_password:`, Go's `x.password = `, prose) or is not
/// followed by a key's colon (Go's `password := x`) is not parsed:
/// - before it on its line (when the line starts within
///   [`yaml::LINE_REACH`] bytes; past that it is let through), only
///   blanks, list dashes and quotes (a key is
///   trimmed of whitespace and quotes; bytes past ASCII are let through,
///   as `str::trim` also drops Unicode spaces), or a `{` (a flow mapping,
///   where a key runs to the first `:`);
/// - after it, closing quotes and blanks (Unicode ones too), then `:`; a plain key's `:` is
///   followed by a blank or the line end (`password:x` is not a key).
fn yaml_key_at(text: &[u8], at: usize, end: usize) -> bool {
    let Some(gap) = text[end..]
        .iter()
        .take(16)
        .position(|&c| !(matches!(c, b'"' | b'\'' | b' ' | b'\t' | 0x0b | 0x0c) || c >= 0x80))
    else {
        return false;
    };
    let colon = end + gap;
    if text[colon] != b':' {
        return false;
    }
    // A key far into a long line (minified text) is let through: looking
    // back to the line's start from each of thousands of words would take
    // time quadratic in the line.
    let Some(line) = yaml::line_start_near(text, at, yaml::LINE_REACH) else {
        return true;
    };
    let before = &text[line..at];
    let flow = memchr::memchr(b'{', before).is_some();
    let starts = before.iter().all(|&c| {
        matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c | b'-' | b'"' | b'\'') || c >= 0x80
    });
    if !(flow || starts) {
        return false;
    }
    let quoted = text[end..colon].iter().any(|&c| c == b'"' || c == b'\'');
    flow || quoted
        || matches!(
            text.get(colon + 1),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
}

/// Whether the word ending at `end` is a key: followed, after closing
/// quotes and blanks, by `sep`.
fn is_key_at(text: &[u8], end: usize, sep: u8) -> bool {
    text[end..]
        .iter()
        .take(16)
        .find(|c| !matches!(c, b'"' | b'\'' | b' ' | b'\t'))
        == Some(&sep)
}

/// Runs the gated forms on one file and adds their findings to `out`. A
/// finding of the layered engine at the same span with the same secret is
/// replaced: the form reading the text knows it better.
pub fn scan(text: &[u8], hits: &Hits, out: &mut Vec<RawFinding>) {
    let mut doc: Option<yaml::Doc> = None;
    let mut blocks: Option<Vec<hcl::Block>> = None;
    let mut found: Vec<RawFinding> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    // Forms sharing a gate (`password`) share the key test.
    let mut keyed_memo: Vec<(&[&str], u8, bool)> = Vec::new();
    // Every YAML form's gate words as keys, found once for all of them.
    let mut yaml_at: Option<Vec<(usize, &'static str)>> = None;
    let mut keyed = |form: &Form, sep: u8| {
        if let Some(&(_, _, k)) = keyed_memo
            .iter()
            .find(|(g, s, _)| *s == sep && *g == form.gate)
        {
            return k;
        }
        let k = keyed_in(text, hits, form, sep);
        keyed_memo.push((form.gate, sep, k));
        k
    };
    for &(form, gate) in gated_forms() {
        if !hits.any(gate) {
            continue;
        }
        match form.check {
            Check::Text(check) => check(text, &mut candidates),
            Check::AtGate(check) => check(text, &hits.positions(form.gate), &mut candidates),
            Check::Yaml(check, _) => {
                let keys = yaml_at.get_or_insert_with(|| yaml_key_positions(text, hits));
                if keys.iter().any(|(_, w)| form.gate.contains(w)) {
                    check(
                        doc.get_or_insert_with(|| {
                            yaml::Doc::parse_around(text, &yaml_keys(text, keys))
                        }),
                        &mut candidates,
                    );
                }
            }
            Check::Hcl(check) => {
                if keyed(form, b'=') {
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
    fn gate_literals_are_few_and_none_is_a_prefix_of_another() {
        let mut all: Vec<&str> = text_forms().flat_map(|f| f.gate.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        assert!(all.len() < 64);
        for a in &all {
            for b in &all {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn keys_are_told_from_words() {
        let key = |text: &[u8], word: &[u8], sep| {
            memchr::memmem::find_iter(text, word).any(|i| is_key_at(text, i + word.len(), sep))
        };
        assert!(key(b"  password: x", b"password", b':'));
        assert!(key(b"{\"password\" : \"x\"}", b"password", b':'));
        assert!(key(b"password   = \"x\"", b"password", b'='));
        assert!(!key(b"login method=password ok", b"password", b':'));
        assert!(!key(b"the password is set", b"password", b'='));
    }

    #[test]
    fn yaml_keys_start_their_line_or_sit_in_a_flow_mapping_and_end_at_a_colon() {
        let at = |text: &str| {
            let i = text.find("password").unwrap();
            yaml_key_at(text.as_bytes(), i, i + "password".len())
        };
        assert!(at("password: x"));
        assert!(at("a: 1\n  - \"password\": x"));
        assert!(at("- - 'password': x"));
        assert!(at("auth: {username: u, password: p}"));
        assert!(at("\u{a0}password: x"));
        assert!(!at("db_password: x"));
        assert!(!at("\tcfg.password: x"));
        assert!(!at("see the password: below"));
        assert!(!at("\tpassword := x"));
        assert!(!at("  password:x"));
        assert!(at("  \"password\":\"x\""));
        assert!(at("{password:x}"));
        assert!(at("password:\r\n  x: y"));
        // Every node the YAML reader makes with the key `password` starts
        // where the gate lets it through.
        for text in [
            "x:\n  password: a\n",
            "- password: a\n",
            "k: {password: a}\n",
            "\"password\" : a\n",
            "\u{2003}password: a\n",
            "k: |\n  auth:\n    password: a\n",
        ] {
            let doc = crate::readers::yaml::Doc::parse(text.as_bytes());
            assert!(
                doc.nodes
                    .iter()
                    .any(|n| n.key.as_deref() == Some("password")),
                "{text}"
            );
            assert!(at(text), "{text}");
        }
    }

    proptest::proptest! {
        /// The YAML gate never hides a node the YAML forms read: whenever
        /// the reader makes a node keyed `password` or `configs`, one of
        /// that word's occurrences passes [`yaml_key_at`].
        #[test]
        fn yaml_gate_lets_every_keyed_node_through(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "password", "configs", ":", ": ", " ", "\t", "\"", "'", "- ", "-", "{", "}",
                ", ", "\n", "\r\n", "x", "a: ", "#", "|", "\u{a0}", "=", "---\n", "  ",
            ]),
            0..40,
        )) {
            let text = parts.concat();
            let doc = crate::readers::yaml::Doc::parse(text.as_bytes());
            for word in ["password", "configs"] {
                if doc.nodes.iter().any(|n| n.key.as_deref() == Some(word)) {
                    let passes = memchr::memmem::find_iter(text.as_bytes(), word)
                        .any(|i| yaml_key_at(text.as_bytes(), i, i + word.len()));
                    proptest::prop_assert!(passes, "{:?}", text);
                }
            }
        }
    }

    /// What the YAML forms can read of a document: each node keyed by a
    /// YAML gate word, every node above it with all their children, and
    /// everything below a `configs` node, each with its path of keys and
    /// its value, in document order.
    fn yaml_view(doc: &yaml::Doc<'_>) -> Vec<String> {
        let words = ["password", "configs"];
        let up = |mut i: usize| {
            let mut chain = vec![i];
            while let Some(p) = doc.parent(i) {
                chain.push(p);
                i = p;
            }
            chain
        };
        let mut keep = vec![false; doc.nodes.len()];
        for i in 0..doc.nodes.len() {
            let chain = up(i);
            if words.contains(&doc.key(i).unwrap_or("")) {
                for &a in &chain {
                    keep[a] = true;
                }
            }
            if chain[1..].iter().any(|&a| doc.key(a) == Some("configs")) {
                keep[i] = true;
            }
        }
        for i in 0..doc.nodes.len() {
            if doc
                .parent(i)
                .is_some_and(|p| keep[p] && doc.key(p).is_some())
            {
                keep[i] = true;
            }
        }
        (0..doc.nodes.len())
            .filter(|&i| keep[i])
            .map(|i| {
                let path: Vec<&str> = up(i)
                    .iter()
                    .rev()
                    .map(|&a| doc.key(a).unwrap_or("-"))
                    .collect();
                let v = doc.nodes[i]
                    .value
                    .as_ref()
                    .map(|v| (v.value.to_string(), v.span.clone()));
                format!("{} = {:?}", path.join("."), v)
            })
            .collect()
    }

    proptest::proptest! {
        /// Parsing only around the keys the YAML forms read gives them the
        /// same nodes, parents, children and values as parsing everything.
        #[test]
        fn yaml_parts_around_keys_read_like_the_whole_text(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "password", "configs", "auth", "docker", "image", ":", ": ", " ", "  ", "\t",
                "\"", "- ", "{", "}", ", ", "\n", "\n", "\n", "\r\n", "x", "a: ", "#", "|",
                "---\n", "k:\n", "\n  ", "\n    ", "\n- ",
            ]),
            0..60,
        )) {
            let text = parts.concat();
            let text = text.as_bytes();
            let hits = Hits::find(text);
            let whole = yaml::Doc::parse(text);
            let keys: Vec<usize> = yaml_key_positions(text, &hits).into_iter().map(|(at, _)| at).collect();
            let around = yaml::Doc::parse_around(text, &keys);
            proptest::prop_assert_eq!(yaml_view(&whole), yaml_view(&around), "{:?}", String::from_utf8_lossy(text));
        }

        /// The YAML forms find the same candidates when the text is read
        /// only around the keys whose parents may pass their tests.
        #[test]
        fn yaml_forms_read_the_same_around_the_keys_they_need(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "password: pw1\n", "  password: pw2\n", "    password: \"pw3\"\n", "- password: pw4\n",
                "auth:\n", "  auth:\n", "    auth:\n", "docker:\n", "  docker:\n", "- image: r.example.test/a\n",
                "  - image: r.example.test/b\n", "with:\n", "  with:\n", "- uses: docker/login-action@v3\n",
                "  - uses: docker/login-action@v3\n", "credentials:\n", "  credentials:\n", "container:\n",
                "services:\n", "  svc:\n", "image:\n", "  name: r.example.test/c\n", "settings:\n",
                "  image: plugins/docker\n", "usernamePassword:\n", "- usernamePassword:\n",
                "docker_login:\n", "  community.docker.docker_login:\n", "configs:\n", "  r.example.test:\n",
                "    auth:\n", "      password: pw5\n", "      username: u\n", "  username: u2\n", "---\n",
                "# c\n", "\n", "x: y\n", "  ", "- ", "properties:\n", "  auth: {password: pw6}\n",
                "auth_config:\n", "\tpassword: pw7\n",
            ]),
            0..30,
        )) {
            let text = parts.concat();
            let text = text.as_bytes();
            let hits = Hits::find(text);
            let whole = yaml::Doc::parse(text);
            let around = yaml::Doc::parse_around(text, &yaml_keys(text, &yaml_key_positions(text, &hits)));
            for f in text_forms() {
                if let Check::Yaml(check, _) = f.check {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    check(&whole, &mut a);
                    check(&around, &mut b);
                    proptest::prop_assert_eq!(format!("{a:?}"), format!("{b:?}"), "{} on {:?}", f.slug, String::from_utf8_lossy(text));
                }
            }
        }
    }

    #[test]
    fn files_without_keywords_are_skipped() {
        let gated = |text: &[u8]| {
            let h = Hits::find(text);
            text_forms().any(|f| f.gate.iter().any(|w| h.seen(w)))
        };
        assert!(!gated(b"nothing to see here"));
        assert!(gated(b"docker login"));
        assert!(gated(b"X-Registry-Auth: x"));
        // Command names and YAML keys are case-sensitive where they are
        // used, so upper-case words gate nothing (environment names such
        // as `REGISTRY_PASSWORD` are gated in upper case).
        assert!(!gated(b"DOCKER LOGIN CREDS"));
        assert!(gated(b"REGISTRY_PASSWORD=x"));
    }
}
