//! Every occurrence of every literal of a set, in one SIMD pass (x86_64
//! with AVX2).
//!
//! The filter is Teddy's (the algorithm of aho-corasick's packed searcher
//! and of Hyperscan): each literal is put in one of 16 buckets, and for
//! each of its first four bytes, tables indexed by the byte's low and high
//! nibble say which buckets accept it. Thirty-two positions at a time,
//! sixteen table lookups (`vpshufb`) and ANDs leave, for each position, the
//! buckets whose literals may start there; only those are compared.
//!
//! aho-corasick's searcher stops at each match and starts again after it,
//! which suits a search for the first match. The scan wants every
//! occurrence of 85 literals in text where keywords are dense (one every
//! few hundred bytes in registry code), so this pass verifies every
//! candidate of a block and goes on, and reports overlapping occurrences
//! as they are (no leftmost-first bookkeeping).
//!
//! Which literals share a bucket decides how many candidates are false:
//! literals are placed greedily where they widen the accepted byte sets
//! least, weighted by how common each byte is in source code and prose.

/// Fingerprint length: the first `M` bytes of each literal.
const M: usize = 4;
const BUCKETS: usize = 16;

/// How common each ASCII byte is, per 10,000 bytes of this project's own
/// Rust sources and Markdown (tab, newline, space and printable ASCII;
/// every other byte counts 1). Only used to place literals in buckets.
const FREQ: [u16; 128] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 263, 0, 0, 0, 0, 0, //
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
    2426, 27, 102, 10, 3, 2, 39, 27, 157, 157, 11, 7, 130, 69, 145, 95, //
    30, 19, 13, 6, 12, 4, 10, 3, 9, 2, 139, 63, 17, 57, 30, 3, //
    1, 24, 8, 20, 10, 22, 14, 7, 9, 12, 4, 12, 10, 9, 14, 19, //
    13, 1, 24, 37, 21, 6, 8, 7, 3, 4, 2, 24, 21, 24, 1, 87, //
    86, 347, 83, 199, 198, 686, 128, 100, 143, 352, 11, 63, 225, 125, 358, 331, //
    148, 14, 380, 411, 503, 167, 41, 66, 39, 72, 11, 52, 42, 52, 1, 0, //
];

fn freq(b: usize) -> u16 {
    FREQ.get(b).copied().unwrap_or(1).max(1)
}

/// The nibble sets a bucket accepts at each fingerprint position.
#[derive(Clone, Copy, Default)]
struct Sets {
    lo: [u16; M],
    hi: [u16; M],
}

impl Sets {
    fn with(mut self, lit: &[u8]) -> Sets {
        for (k, &b) in lit[..M].iter().enumerate() {
            self.lo[k] |= 1 << (b & 15);
            self.hi[k] |= 1 << (b >> 4);
        }
        self
    }

    /// How likely a position of typical text passes this bucket's filter
    /// (bytes taken as independent; unnormalised, for comparisons only).
    fn weight(&self) -> f64 {
        let mut p = 1.0;
        for k in 0..M {
            let mut s = 0u32;
            let mut hs = self.hi[k];
            while hs != 0 {
                let h = hs.trailing_zeros() as usize;
                hs &= hs - 1;
                let mut ls = self.lo[k];
                while ls != 0 {
                    let l = ls.trailing_zeros() as usize;
                    ls &= ls - 1;
                    s += u32::from(freq(h * 16 + l));
                }
            }
            p *= f64::from(s) / 10_000.0;
        }
        p
    }
}

/// A compiled literal set.
pub(super) struct Finder {
    lits: Vec<Vec<u8>>,
    /// The first `M` bytes of each literal, little-endian.
    prefix: Vec<u32>,
    buckets: [Vec<u16>; BUCKETS],
    /// For fingerprint byte `k`, the buckets accepting each low nibble
    /// (`lo[k][v]`) and each high nibble (`hi[k][v]`).
    lo: [[u16; 16]; M],
    hi: [[u16; 16]; M],
    /// Whether the CPU runs the AVX2 pass (checked once).
    avx2: bool,
}

impl Finder {
    /// Compiles `lits` (each at least four bytes long; at most 65,536).
    pub(super) fn new(lits: &[Vec<u8>]) -> Finder {
        assert!(lits.iter().all(|l| l.len() >= M), "literals of 4+ bytes");
        assert!(lits.len() <= usize::from(u16::MAX) + 1);
        let mut sets = [Sets::default(); BUCKETS];
        let mut members: [Vec<u16>; BUCKETS] = Default::default();
        let cost = |s: &Sets, m: &[u16]| if m.is_empty() { 0.0 } else { s.weight() };
        // Longest first, each where it adds least; then single moves while
        // one lowers the total.
        let mut order: Vec<usize> = (0..lits.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(lits[i].len()), i));
        for &i in &order {
            let best = (0..BUCKETS)
                .map(|b| {
                    (
                        sets[b].with(&lits[i]).weight() - cost(&sets[b], &members[b]),
                        b,
                    )
                })
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .map_or(0, |(_, b)| b);
            sets[best] = sets[best].with(&lits[i]);
            members[best].push(i as u16);
        }
        let rebuild = |m: &[u16]| {
            m.iter()
                .fold(Sets::default(), |s, &j| s.with(&lits[usize::from(j)]))
        };
        for _ in 0..3 {
            let mut moved = false;
            for (i, lit) in lits.iter().enumerate() {
                let id = i as u16;
                let Some(from) = (0..BUCKETS).find(|&b| members[b].contains(&id)) else {
                    continue;
                };
                let rest: Vec<u16> = members[from].iter().copied().filter(|&j| j != id).collect();
                let rest_sets = rebuild(&rest);
                let saved = sets[from].weight() - cost(&rest_sets, &rest);
                let mut best = (saved, from);
                for b in (0..BUCKETS).filter(|&b| b != from) {
                    let added = sets[b].with(lit).weight() - cost(&sets[b], &members[b]);
                    if added < best.0 * (1.0 - 1e-9) {
                        best = (added, b);
                    }
                }
                if best.1 != from {
                    members[from] = rest;
                    sets[from] = rest_sets;
                    sets[best.1] = sets[best.1].with(lit);
                    members[best.1].push(id);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        let mut lo = [[0u16; 16]; M];
        let mut hi = [[0u16; 16]; M];
        for (b, m) in members.iter().enumerate() {
            for &j in m {
                for (k, &c) in lits[usize::from(j)][..M].iter().enumerate() {
                    lo[k][usize::from(c & 15)] |= 1 << b;
                    hi[k][usize::from(c >> 4)] |= 1 << b;
                }
            }
        }
        Finder {
            prefix: lits
                .iter()
                .map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]))
                .collect(),
            lits: lits.to_vec(),
            buckets: members,
            lo,
            hi,
            avx2: avx2_available(),
        }
    }

    /// Whether the SIMD pass runs on this CPU (otherwise the caller uses
    /// another searcher).
    pub(super) fn is_fast(&self) -> bool {
        self.avx2
    }

    /// Calls `hit(offset, literal)` for every occurrence of every literal
    /// in `text`, overlapping ones included: offsets ascend, and at one
    /// offset the literals come in no particular order.
    pub(super) fn find_all(&self, text: &[u8], hit: &mut impl FnMut(usize, usize)) {
        #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
        if self.avx2 {
            // SAFETY: AVX2 was detected on this CPU when the finder was
            // built; `avx2` reads `text` only within its bounds.
            let done = unsafe { self.avx2_pass(text, hit) };
            return self.scalar(text, done, hit);
        }
        self.scalar(text, 0, hit)
    }

    /// The buckets that may hold a literal starting at `pos` (which has
    /// `M` bytes after it).
    #[inline]
    fn candidates(&self, text: &[u8], pos: usize) -> u16 {
        let mut bits = u16::MAX;
        for (k, &c) in text[pos..pos + M].iter().enumerate() {
            bits &= self.lo[k][usize::from(c & 15)] & self.hi[k][usize::from(c >> 4)];
        }
        bits
    }

    /// Compares the literals of the buckets in `bits` at `pos`.
    #[inline]
    fn verify(&self, text: &[u8], pos: usize, mut bits: u16, hit: &mut impl FnMut(usize, usize)) {
        let Some(head) = text.get(pos..pos + M) else {
            return;
        };
        let w = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            for &id in &self.buckets[b] {
                let i = usize::from(id);
                if self.prefix[i] == w && text[pos..].starts_with(&self.lits[i]) {
                    hit(pos, i);
                }
            }
        }
    }

    /// The same filter a position at a time: the end of a text, and CPUs
    /// without AVX2 (where callers use aho-corasick's searcher instead).
    fn scalar(&self, text: &[u8], from: usize, hit: &mut impl FnMut(usize, usize)) {
        let Some(last) = text.len().checked_sub(M) else {
            return;
        };
        for pos in from..=last {
            let bits = self.candidates(text, pos);
            if bits != 0 {
                self.verify(text, pos, bits, hit);
            }
        }
    }

    /// Thirty-two positions per step while all their fingerprint bytes are
    /// in `text`; returns the first position not looked at.
    ///
    /// # Safety
    /// The CPU must support AVX2. Every load reads 32 bytes at
    /// `i + k` for `k < M`, and the loop runs only while
    /// `i + 32 + M - 1 <= text.len()`, so all reads are within `text`.
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    #[target_feature(enable = "avx2")]
    unsafe fn avx2_pass(&self, text: &[u8], hit: &mut impl FnMut(usize, usize)) -> usize {
        use std::arch::x86_64::*;
        // A 16-entry table for `vpshufb`, repeated in both 128-bit lanes
        // (the instruction looks up within each lane).
        let table = |t: &[u16; 16], high_byte: bool| {
            let mut bytes = [0u8; 32];
            for (v, &set) in t.iter().enumerate() {
                let b = if high_byte {
                    (set >> 8) as u8
                } else {
                    set as u8
                };
                bytes[v] = b;
                bytes[v + 16] = b;
            }
            // SAFETY: `bytes` is 32 readable bytes; the load is unaligned.
            unsafe { _mm256_loadu_si256(bytes.as_ptr().cast()) }
        };
        let lo_a: [__m256i; M] = std::array::from_fn(|k| table(&self.lo[k], false));
        let hi_a: [__m256i; M] = std::array::from_fn(|k| table(&self.hi[k], false));
        let lo_b: [__m256i; M] = std::array::from_fn(|k| table(&self.lo[k], true));
        let hi_b: [__m256i; M] = std::array::from_fn(|k| table(&self.hi[k], true));
        let nibble = _mm256_set1_epi8(0x0f);
        let zero = _mm256_setzero_si256();
        let p = text.as_ptr();
        let mut a_bytes = [0u8; 32];
        let mut b_bytes = [0u8; 32];
        let mut i = 0usize;
        while i + 32 + M - 1 <= text.len() {
            let mut a = _mm256_set1_epi8(-1);
            let mut b = a;
            for k in 0..M {
                // SAFETY: `i + k + 32 <= text.len()` by the loop condition.
                let c = unsafe { _mm256_loadu_si256(p.add(i + k).cast()) };
                let lo = _mm256_and_si256(c, nibble);
                let hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), nibble);
                a = _mm256_and_si256(
                    a,
                    _mm256_and_si256(
                        _mm256_shuffle_epi8(lo_a[k], lo),
                        _mm256_shuffle_epi8(hi_a[k], hi),
                    ),
                );
                b = _mm256_and_si256(
                    b,
                    _mm256_and_si256(
                        _mm256_shuffle_epi8(lo_b[k], lo),
                        _mm256_shuffle_epi8(hi_b[k], hi),
                    ),
                );
            }
            let empty = _mm256_cmpeq_epi8(_mm256_or_si256(a, b), zero);
            let mut found = !(_mm256_movemask_epi8(empty) as u32);
            if found != 0 {
                // SAFETY: both arrays are 32 writable bytes.
                unsafe {
                    _mm256_storeu_si256(a_bytes.as_mut_ptr().cast(), a);
                    _mm256_storeu_si256(b_bytes.as_mut_ptr().cast(), b);
                }
                while found != 0 {
                    let j = found.trailing_zeros() as usize;
                    found &= found - 1;
                    let bits = u16::from(a_bytes[j]) | u16::from(b_bytes[j]) << 8;
                    self.verify(text, i + j, bits, hit);
                }
            }
            i += 32;
        }
        i
    }
}

#[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
fn avx2_available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(all(target_arch = "x86_64", not(feature = "portable"))))]
fn avx2_available() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits() -> Vec<Vec<u8>> {
        [
            "auth",
            "Auth",
            "auths",
            "docker",
            "docker-registry",
            "ImF1dG",
            "x-registry-auth",
            "ctr ",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect()
    }

    fn all(f: &Finder, text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        f.find_all(text, &mut |p, i| out.push((p, i)));
        out.sort_unstable();
        out
    }

    fn slow(lits: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = lits
            .iter()
            .enumerate()
            .flat_map(|(i, l)| memchr::memmem::find_iter(text, l).map(move |p| (p, i)))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_bucket_holds_its_literals_once() {
        let f = Finder::new(&lits());
        let mut seen: Vec<u16> = f.buckets.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..lits().len() as u16).collect::<Vec<_>>());
    }

    #[test]
    fn overlapping_and_edge_occurrences_are_found() {
        let f = Finder::new(&lits());
        // Long enough for the SIMD loop, with literals across its 32-byte
        // steps, at the very end, and overlapping.
        let mut text = b"docker-registry x-registry-auths ".repeat(5);
        text.extend_from_slice(b"eyJImF1dGhz ctr auth");
        assert_eq!(all(&f, &text), slow(&lits(), &text));
        for cut in 0..text.len() {
            assert_eq!(all(&f, &text[cut..]), slow(&lits(), &text[cut..]), "{cut}");
        }
        assert!(all(&f, b"").is_empty());
        assert!(all(&f, b"aut").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn matches_a_search_per_literal(parts in proptest::collection::vec(0usize..14, 0..200)) {
            let lits = lits();
            let filler: [&[u8]; 6] = [b" ", b"\n", b"a", b"-", b"x", b"\xff"];
            let mut text = Vec::new();
            for p in parts {
                match lits.get(p) {
                    Some(l) => text.extend_from_slice(l),
                    None => text.extend_from_slice(filler[p % filler.len()]),
                }
            }
            let f = Finder::new(&lits);
            proptest::prop_assert_eq!(all(&f, &text), slow(&lits, &text));
        }
    }
}
