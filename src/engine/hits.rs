//! The one literal pass over a file.
//!
//! Every form names the literals without which it cannot report anything
//! in a file ([`Form::gate`]). One SIMD
//! (Teddy) search over all of them at once finds every occurrence of every
//! literal: the layered engine takes its keyword offsets from it
//! ([`Hits::plan`]), the gate of each text form is whether one of its
//! literals occurred, and forms that read around their literals
//! ([`Check::AtGate`]) get the positions
//! instead of searching the file again. A second search, for the base64
//! encodings of `"auth` (`prefilter::encoded_literals`), stops at the first
//! one: those are rare, and one of them anywhere means a full scan.
//!
//! A search reports matches that do not overlap, but a literal may start
//! inside another one's match (`auth` in `x-registry-auth`, `docker` right
//! after `cred` in `credocker`). Both cases are worked out once, from the
//! literals themselves: for each literal, which literals lie inside it
//! (recorded with it) and which may start inside it and run past its end
//! (compared in place). So every occurrence is found, once, in one pass.

use std::sync::OnceLock;

use aho_corasick::packed;

mod finder;

use super::prefilter::{self, Keys, Plan};
#[cfg(doc)]
use crate::forms::Form;
use crate::forms::{Check, FORMS};

/// Bytes per keyword below which a text is dense: all its base64 runs are
/// found ([`Plan::Anchored`]) rather than the value of each keyword's key
/// visited ([`Plan::Keys`]).
const DENSE: usize = 64;

/// The literals of the pass and what is known about each.
struct Table {
    /// Longest first, so that among literals starting at one offset the
    /// longest is the match (the others are its prefixes).
    lits: Vec<Vec<u8>>,
    /// The literals, then the encodings of `"auth`, in one SIMD pass
    /// (x86_64 with AVX2); elsewhere the two packed searchers below.
    fast: finder::Finder,
    words: packed::Searcher,
    encoded: packed::Searcher,
    /// For each literal, the `(offset, literal)` of every other literal
    /// lying wholly inside it.
    inner: Vec<Vec<(usize, usize)>>,
    /// For each literal, the `(offset, literal)` of literals that start
    /// inside it and end past it (its end is their beginning).
    straddle: Vec<Vec<(usize, usize)>>,
    /// Literals that are keywords of the layered engine.
    layered: Vec<bool>,
    /// Literals that are `auth` in one of its three cases.
    auth: Vec<bool>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut lits: Vec<Vec<u8>> = prefilter::word_literals();
        let text_forms = FORMS.iter().filter(|f| !matches!(f.check, Check::Layered));
        for w in text_forms.flat_map(|f| f.gate.iter()) {
            if !lits.iter().any(|l| l == w.as_bytes()) {
                lits.push(w.as_bytes().to_vec());
            }
        }
        lits.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        let words_set = prefilter::word_literals();
        let layered: Vec<bool> = lits.iter().map(|l| words_set.contains(l)).collect();
        let auth: Vec<bool> = lits
            .iter()
            .map(|l| l.eq_ignore_ascii_case(b"auth"))
            .collect();
        let mut inner = vec![Vec::new(); lits.len()];
        let mut straddle = vec![Vec::new(); lits.len()];
        for (i, l) in lits.iter().enumerate() {
            for (j, k) in lits.iter().enumerate() {
                for o in 0..l.len() {
                    if i == j && o == 0 {
                        continue;
                    }
                    let rest = &l[o..];
                    if rest.len() >= k.len() {
                        if rest.starts_with(k) {
                            inner[i].push((o, j));
                        }
                    } else if o > 0 && k.starts_with(rest) {
                        straddle[i].push((o, j));
                    }
                }
            }
        }
        // The packed searcher (Teddy, or Rabin-Karp on CPUs without SIMD)
        // reports exact matches: no automaton runs behind it.
        let build = |pats: &[Vec<u8>]| {
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(pats)
                .build()
                .expect("few literals")
        };
        let mut both = lits.clone();
        both.extend(prefilter::encoded_literals());
        Table {
            fast: finder::Finder::new(&both),
            words: build(&lits),
            encoded: build(&prefilter::encoded_literals()),
            lits,
            inner,
            straddle,
            layered,
            auth,
        }
    })
}

/// Every occurrence of every literal in one text, and whether an encoded
/// `"auth` is there.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// `offset << 8 | literal`, sorted.
    at: Vec<u64>,
    /// Bit `i` set: literal `i` occurs.
    seen: u128,
    /// Occurrences of the layered engine's keywords.
    layered: usize,
    encoded: bool,
}

impl Hits {
    /// Searches `text`.
    pub fn find(text: &[u8]) -> Hits {
        Hits::find_with(text, table().fast.is_fast())
    }

    /// Searches `text` with the SIMD pass (`fast`) or with aho-corasick's
    /// searchers, which report matches that do not overlap (the table's
    /// `inner` and `straddle` lists give the others).
    fn find_with(text: &[u8], fast: bool) -> Hits {
        let t = table();
        let mut at: Vec<u64> = Vec::new();
        let encoded;
        if fast {
            let words = t.lits.len();
            let mut enc = false;
            t.fast.find_all(text, &mut |pos, lit| {
                if lit < words {
                    at.push(((pos as u64) << 8) | lit as u64);
                } else {
                    enc = true;
                }
            });
            encoded = enc;
        } else {
            let mut push = |pos: usize, lit: usize| at.push(((pos as u64) << 8) | lit as u64);
            for m in t.words.find_iter(text) {
                let (p, i) = (m.start(), m.pattern().as_usize());
                push(p, i);
                for &(o, j) in &t.inner[i] {
                    push(p + o, j);
                }
                for &(o, j) in &t.straddle[i] {
                    if text[p + o..].starts_with(&t.lits[j]) {
                        push(p + o, j);
                    }
                }
            }
            encoded = t.encoded.find(text).is_some();
        }
        at.sort_unstable();
        at.dedup();
        let mut seen = 0u128;
        let mut layered = 0;
        for &h in &at {
            let i = (h & 0xff) as usize;
            seen |= 1 << i;
            layered += usize::from(t.layered[i]);
        }
        Hits {
            encoded,
            at,
            seen,
            layered,
        }
    }

    /// Whether the literal `word` occurs (`false` for a word that is not a
    /// literal of the pass).
    pub fn seen(&self, word: &str) -> bool {
        self.any(Hits::mask(&[word]))
    }

    /// The bit set of `words` among the literals of the pass (a word that
    /// is not one of them has no bit), for [`Hits::any`]: computed once,
    /// where a gate is tested on every file.
    pub fn mask(words: &[&str]) -> u128 {
        words
            .iter()
            .filter_map(|w| id(w))
            .fold(0, |m, i| m | (1 << i))
    }

    /// Whether one of the literals in `mask` ([`Hits::mask`]) occurs.
    pub fn any(&self, mask: u128) -> bool {
        self.seen & mask != 0
    }

    /// The offsets of `words` (literals of the pass), sorted; at one offset
    /// in the order of `words`.
    pub fn positions(&self, words: &[&'static str]) -> Vec<(usize, &'static str)> {
        let ids: Vec<Option<usize>> = words.iter().map(|w| id(w)).collect();
        let mut mask = 0u128;
        for i in ids.iter().flatten() {
            mask |= 1 << i;
        }
        if self.seen & mask == 0 {
            return Vec::new();
        }
        let mut out: Vec<(usize, usize)> = Vec::new();
        for &h in &self.at {
            let i = (h & 0xff) as usize;
            if mask & (1 << i) != 0 {
                let k = ids.iter().position(|&x| x == Some(i)).unwrap_or(0);
                out.push(((h >> 8) as usize, k));
            }
        }
        // At one offset, in the order of `words` (the sort is stable).
        out.sort_by_key(|&(p, k)| (p, k));
        out.into_iter().map(|(p, k)| (p, words[k])).collect()
    }

    /// What the layered engine needs to do with the text (see [`Plan`]).
    pub fn plan(&self, text: &[u8]) -> Plan {
        if self.encoded {
            return Plan::Full;
        }
        if self.layered == 0 {
            return Plan::Skip;
        }
        // Visiting keywords costs per keyword (about 15 ns each); past one
        // per 64 bytes, finding all runs (a SIMD pass, about 0.25 ns a
        // byte) is cheaper.
        if self.layered > text.len() / DENSE + 16 {
            return Plan::Anchored;
        }
        let t = table();
        let mut keys = Keys::default();
        for &h in &self.at {
            let i = (h & 0xff) as usize;
            if !t.layered[i] {
                continue;
            }
            let at = (h >> 8) as usize;
            if t.auth[i] && at > 0 && text[at - 1] == b'"' {
                keys.quoted_auth.push(at);
            }
            keys.hits.push(at);
        }
        Plan::Keys(keys)
    }
}

/// The index of `word` among the literals.
fn id(word: &str) -> Option<usize> {
    table().lits.iter().position(|l| l == word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence of each literal, found one literal at a time.
    fn slow(text: &[u8]) -> Vec<u64> {
        let t = table();
        let mut out = Vec::new();
        for (i, l) in t.lits.iter().enumerate() {
            for p in memchr::memmem::find_iter(text, l) {
                out.push(((p as u64) << 8) | i as u64);
            }
        }
        // Self-overlapping occurrences (none of the literals has one, but
        // the slow search must not depend on that).
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn the_table_fits_the_bit_sets() {
        assert!(table().lits.len() <= 64, "{}", table().lits.len());
    }

    #[test]
    fn overlapping_literals_are_all_found() {
        for text in [
            &b"x-registry-auths, x-registry-configs, passwordocker-registry"[..],
            b"credocker dockeregistry basicredocker",
            b"-password --set--setlogin loginlogin AUTHAUTH",
            b"\"auths\": {\"auth\": 1} X-Registry-Auth X-REGISTRY-CONFIG",
        ] {
            assert_eq!(
                Hits::find(text).at,
                slow(text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        let h = Hits::find(b"x-registry-auths, passwordocker-registry");
        for w in ["x-registry-auth", "auths", "password", "docker-registry"] {
            assert!(h.seen(w), "{w}");
        }
    }

    #[test]
    fn positions_follow_the_order_of_the_words() {
        let text = b"auths login auth";
        let h = Hits::find(text);
        assert_eq!(
            h.positions(&["auth", "auths"]),
            vec![(0, "auth"), (0, "auths"), (12, "auth")]
        );
        assert_eq!(h.positions(&["login"]), vec![(6, "login")]);
        assert!(h.positions(&["oras"]).is_empty());
    }

    /// The plan worked out one literal at a time.
    fn slow_plan(text: &[u8]) -> Plan {
        let find = |lits: Vec<Vec<u8>>| -> Vec<usize> {
            let mut at: Vec<usize> = lits
                .iter()
                .flat_map(|l| memchr::memmem::find_iter(text, l))
                .collect();
            at.sort_unstable();
            at.dedup();
            at
        };
        if !find(prefilter::encoded_literals()).is_empty() {
            return Plan::Full;
        }
        let hits = find(prefilter::word_literals());
        if hits.is_empty() {
            return Plan::Skip;
        }
        if hits.len() > text.len() / DENSE + 16 {
            return Plan::Anchored;
        }
        let quoted_auth = find(vec![
            b"\"auth".to_vec(),
            b"\"Auth".to_vec(),
            b"\"AUTH".to_vec(),
        ])
        .into_iter()
        .map(|q| q + 1)
        .collect();
        Plan::Keys(Keys { hits, quoted_auth })
    }

    #[test]
    fn plans_match_a_search_per_literal() {
        let config = r#"{"auths":{"r.example.test":{"auth":"x"}}}"#;
        let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, config);
        let dense = "registry docker auth ".repeat(40);
        for text in [
            "nothing here",
            config,
            &encoded,
            "REGISTRY_AUTH=abc docker login \"Auth\": AUTH",
            "password: only a text form word",
            "x-registry-auths credocker",
            &dense,
        ] {
            let text = text.as_bytes();
            assert_eq!(
                Hits::find(text).plan(text),
                slow_plan(text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn every_occurrence_is_found(parts in proptest::collection::vec(0usize..80, 0..40)) {
            let t = table();
            let filler: [&[u8]; 8] = [b" ", b"\n", b"\"", b"-", b"x", b"d", b"s", b"="];
            let mut text = Vec::new();
            for p in parts {
                if p < t.lits.len() {
                    text.extend_from_slice(&t.lits[p]);
                } else {
                    text.extend_from_slice(filler[p % filler.len()]);
                }
            }
            proptest::prop_assert_eq!(Hits::find(&text).at, slow(&text));
        }

        /// The SIMD pass and aho-corasick's searchers (the path of CPUs
        /// without AVX2) find the same, the encoded `"auth` included.
        #[test]
        fn both_searches_agree(parts in proptest::collection::vec(0usize..100, 0..120)) {
            let t = table();
            let encoded = prefilter::encoded_literals();
            let filler: [&[u8]; 8] = [b" ", b"\n", b"\"", b"-", b"x", b"d", b"s", b"="];
            let mut text = Vec::new();
            for p in parts {
                if p < t.lits.len() {
                    text.extend_from_slice(&t.lits[p]);
                } else if p < 90 && p - t.lits.len() < encoded.len() && p % 7 == 0 {
                    text.extend_from_slice(&encoded[p - t.lits.len()]);
                } else {
                    text.extend_from_slice(filler[p % filler.len()]);
                }
            }
            let slow_path = Hits::find_with(&text, false);
            let fast_path = Hits::find_with(&text, t.fast.is_fast());
            proptest::prop_assert_eq!(&fast_path.at, &slow_path.at);
            proptest::prop_assert_eq!(fast_path.encoded, slow_path.encoded);
        }
    }
}
