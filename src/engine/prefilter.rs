//! A file-level prefilter: what the literals tell about how much of the
//! scan a text needs. Most files in a repository cannot hold a credential,
//! and skipping work on them is what lets credscan run near the speed of
//! reading. The literals defined here are searched by the engine's one
//! literal pass (`engine::hits`), which also makes the [`Plan`].
//!
//! Every form the scanner reports needs one of:
//! - a keyword in clear ([`words`], in three cases): a structured docker
//!   config has a quoted `auth`/`auths` key (escaped or not); a bare
//!   `user:password` is only reported under a key holding a keyword
//!   (`REGISTRY_AUTH=`, `imageCredentials.auth:`) or after `Basic`; a
//!   Kubernetes pull secret has `.dockerconfigjson`/`.dockercfg`;
//! - or, for a docker config that is itself base64 with no keyword in
//!   clear, `"auth` encoded. A fixed substring has exactly one encoding for
//!   each of the three byte alignments (keeping only the characters that do
//!   not depend on neighbouring bytes), and those have three encodings each
//!   in the next layer, and so on. The config is covered encoded up to
//!   [`ENCODED_LAYERS`] times: with its own `auth` value that is four base64
//!   layers. (Inside base64 only the lower-case `"auth` that every tool
//!   writes is covered.)
//!
//! So: an encoded fragment means a *full* scan (every base64 run that may be
//! text is decoded); keywords only mean an *anchored* scan (JSON is parsed,
//! and only values of credential keys are decoded); neither means *skip*.
//! The property tests in `tests/properties.rs` check that the prefiltered
//! scan finds exactly what the full scan finds.

use std::sync::OnceLock;

use super::hits::Hits;
use crate::forms::{Check, FORMS};

/// How many times a docker config JSON may be base64-encoded, with no
/// keyword in clear beside it, and still pass the prefilter.
pub const ENCODED_LAYERS: usize = 3;

/// Words whose presence (in any of three cases) lets a file through; a key
/// holding one of them (lower-cased) makes a base64 pair a credential: the
/// gate words of the layered forms (`forms::FORMS`), `auth` first.
pub fn words() -> &'static [&'static str] {
    static W: OnceLock<Vec<&'static str>> = OnceLock::new();
    W.get_or_init(|| {
        let mut v: Vec<&'static str> = Vec::new();
        let layered = FORMS.iter().filter(|f| matches!(f.check, Check::Layered));
        for w in layered.flat_map(|f| f.gate.iter()) {
            if !v.contains(w) {
                v.push(w);
            }
        }
        v
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64 characters of `pattern` encoded after `align` bytes of
/// unknown content that depend only on `pattern` itself.
pub fn encoded_fragment(pattern: &[u8], align: usize) -> Vec<u8> {
    let start_bit = align * 8;
    let end_bit = (align + pattern.len()) * 8;
    let bit = |i: usize| -> u8 {
        if i < start_bit {
            0
        } else {
            let b = pattern[(i - start_bit) / 8];
            (b >> (7 - (i - start_bit) % 8)) & 1
        }
    };
    let mut out = Vec::new();
    let mut k = 0;
    while 6 * k + 6 <= end_bit {
        if 6 * k >= start_bit {
            let mut v = 0u8;
            for i in 0..6 {
                v = (v << 1) | bit(6 * k + i);
            }
            out.push(ALPHABET[v as usize]);
        }
        k += 1;
    }
    out
}

/// All literals: plain words in three cases, then the encodings of `"auth`.
pub fn literals() -> Vec<Vec<u8>> {
    let mut pats = word_literals();
    pats.extend(encoded_literals());
    pats
}

/// The keywords, each in lower case, capitalised and upper case.
pub fn word_literals() -> Vec<Vec<u8>> {
    let mut pats: Vec<Vec<u8>> = Vec::new();
    for w in words() {
        let lower = w.to_ascii_lowercase();
        let mut cap = lower.clone().into_bytes();
        cap[0] = cap[0].to_ascii_uppercase();
        for v in [
            lower.clone().into_bytes(),
            cap,
            lower.to_ascii_uppercase().into_bytes(),
        ] {
            if !pats.contains(&v) {
                pats.push(v);
            }
        }
    }
    pats
}

/// The fragments of `"auth` encoded 1 to [`ENCODED_LAYERS`] times.
pub fn encoded_literals() -> Vec<Vec<u8>> {
    let mut pats: Vec<Vec<u8>> = Vec::new();
    let mut layer: Vec<Vec<u8>> = vec![b"\"auth".to_vec()];
    for _ in 0..ENCODED_LAYERS {
        let mut next = Vec::new();
        for p in &layer {
            for align in 0..3 {
                let e = encoded_fragment(p, align);
                // URL-safe twin, when the fragment uses `+` or `/`.
                let url: Vec<u8> = e
                    .iter()
                    .map(|&c| match c {
                        b'+' => b'-',
                        b'/' => b'_',
                        c => c,
                    })
                    .collect();
                if url != e {
                    next.push(url);
                }
                next.push(e);
            }
        }
        pats.extend(next.iter().cloned());
        layer = next;
    }
    pats
}

/// Keyword offsets found by the prefilter, so the scan need not search
/// again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keys {
    /// Every keyword, in order.
    pub hits: Vec<usize>,
    /// Offsets of `auth` (any of its three cases) right after a `"`: where
    /// a JSON `auth`/`auths` key may start.
    pub quoted_auth: Vec<usize>,
}

/// What the full scan needs to do with a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing in it can be a credential.
    Skip,
    /// Keywords in clear but no encoded `"auth`, at these offsets (sorted):
    /// structured JSON is parsed, and only the values of the keys holding
    /// the keywords are decoded.
    Keys(Keys),
    /// As `Keys`, for text dense with keywords ("author", "registry" in
    /// every line): rather than visiting every keyword, all base64 runs are
    /// found and those under a credential key decoded.
    Anchored,
    /// An encoded `"auth` may be present: decode every base64 run.
    Full,
}

/// Decides how to scan `text`: the plan of the engine's one literal pass
/// ([`Hits::plan`]), which finds the keywords and the encoded fragments.
pub fn plan(text: &[u8]) -> Plan {
    Hits::find(text).plan(text)
}

/// Whether `text` may hold a credential; `false` means the full scan would
/// find nothing.
pub fn may_contain(text: &[u8]) -> bool {
    plan(text) != Plan::Skip
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    #[test]
    fn fragments_match_real_encodings() {
        for prefix in ["", "x", "xy"] {
            let enc = STANDARD.encode(format!("{prefix}\"auth\":1"));
            let frag = encoded_fragment(b"\"auth", prefix.len());
            assert!(
                enc.contains(std::str::from_utf8(&frag).unwrap()),
                "{enc} lacks {frag:?}"
            );
        }
        assert_eq!(encoded_fragment(b"\"auth", 0), b"ImF1dG");
    }

    #[test]
    fn literal_count_fits_a_simd_searcher() {
        // aho-corasick's Teddy handles up to 64 literals.
        assert!(literals().len() <= 64, "{}", literals().len());
    }

    #[test]
    fn keywords_and_encodings_pass() {
        assert!(may_contain(b"REGISTRY_AUTH=abc"));
        assert!(may_contain(b"imagePullSecrets: [x] # docker"));
        let cfg = r#"{"auths":{"ghcr.io":{"auth":"b2N0bzpGQUtF"}}}"#;
        let mut v = cfg.to_string();
        for _ in 0..ENCODED_LAYERS {
            v = STANDARD.encode(&v);
            assert!(may_contain(v.as_bytes()));
        }
        assert!(!may_contain(b"fn main() { println!(\"hello\"); }"));
    }
}
