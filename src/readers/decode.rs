//! Base64 candidates and tolerant decoding.
//!
//! Registry credentials are base64 in every format, often nested. Decoding
//! tolerates what people do to base64 when they copy it: missing padding,
//! line wraps (`base64` without `-w0`), the URL-safe alphabet, and a trailing
//! newline inside the decoded text (`echo` without `-n`).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const TOLERANT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, TOLERANT);
const URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, TOLERANT);

/// Shortest base64 run worth decoding, not counting `=` padding: 14
/// characters encode 10 bytes (`ci:FAKE123`), shorter than any registry
/// credential we have seen (registries ask for 8+ character passwords).
pub const MIN_RUN: usize = 14;

/// Byte classes for base64 scanning.
const STD_ONLY: u8 = 1; // + /
const URL_ONLY: u8 = 2; // - _
const COMMON: u8 = 4; // A-Z a-z 0-9

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_alphanumeric() {
            COMMON
        } else if c == b'+' || c == b'/' {
            STD_ONLY
        } else if c == b'-' || c == b'_' {
            URL_ONLY
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Whether `b` can be part of a base64 run (either alphabet).
#[inline]
pub fn is_b64_byte(b: u8) -> bool {
    CLASS[b as usize] != 0
}

/// A maximal run of base64 characters in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Start of the run (first base64 character).
    pub start: usize,
    /// End of the run including any `=` padding.
    pub end: usize,
    /// Further segments joined because the run was line-wrapped, as
    /// `(start, end)` pairs; empty for a single-line run.
    pub continued: Vec<(usize, usize)>,
    /// Uses the URL-safe alphabet (`-`, `_`).
    pub url: bool,
}

impl Run {
    /// End of the last segment.
    pub fn last_end(&self) -> usize {
        self.continued.last().map(|c| c.1).unwrap_or(self.end)
    }

    /// The run's characters with line wraps removed.
    pub fn text<'a>(&self, hay: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        if self.continued.is_empty() {
            return std::borrow::Cow::Borrowed(&hay[self.start..self.end]);
        }
        let mut v = hay[self.start..self.end].to_vec();
        for &(s, e) in &self.continued {
            v.extend_from_slice(&hay[s..e]);
        }
        std::borrow::Cow::Owned(v)
    }
}

/// Wrapped base64 lines are at least this long (`base64` wraps at 76,
/// PEM at 64).
const WRAP_MIN: usize = 60;

/// Finds the base64 runs of at least [`MIN_RUN`] characters in `hay`, in
/// order, joining line-wrapped continuations. Runs that mix the two
/// alphabets are not base64 and are skipped.
///
/// One linear pass that mostly *skips*: any run of `MIN_RUN` or more
/// characters starting in `[i, i + MIN_RUN)` covers byte `i + MIN_RUN - 1`,
/// so when that byte is not base64 the whole window is skipped (the
/// Boyer-Moore idea applied to a character class). Prose and code, whose
/// words are short, are read at a fraction of a touch per byte.
pub fn runs(hay: &[u8]) -> Vec<Run> {
    let mut out = Vec::new();
    runs_between(hay, 0, hay.len(), &mut out);
    out
}

/// Like [`runs`], for the runs that start in `[from, until)`; `from` must
/// be 0 or follow a non-base64 byte (a line start, say). Runs may extend
/// past `until`.
pub fn runs_between(hay: &[u8], from: usize, until: usize, out: &mut Vec<Run>) {
    let n = hay.len();
    let until = until.min(n);
    // Invariant: `i == 0` or `hay[i - 1]` is not a base64 character, so no
    // run starts before `i` and continues past it.
    let mut i = from;
    while i + MIN_RUN <= n && i < until {
        // Whole 64-byte blocks without a long enough run are skipped with
        // SIMD masks; the probe below handles the rest.
        let (next, window) = simd::next_window(hay, i, until);
        if let Some(w) = window {
            if w >= until {
                return;
            }
            i = next;
            let mut start = w;
            while start > i && CLASS[hay[start - 1] as usize] != 0 {
                start -= 1;
            }
            i = process_from(hay, start, out);
            continue;
        }
        i = next;
        if i + MIN_RUN > n || i >= until {
            break;
        }
        let probe = i + MIN_RUN - 1;
        if CLASS[hay[probe] as usize] == 0 {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && CLASS[hay[start - 1] as usize] != 0 {
            start -= 1;
        }
        if start >= until {
            break;
        }
        i = process_from(hay, start, out);
    }
}

/// The qualifying run that starts exactly at `p` (which must follow a
/// non-base64 byte), if any.
pub fn run_at(hay: &[u8], p: usize) -> Option<Run> {
    if p >= hay.len() || CLASS[hay[p] as usize] == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(1);
    process_from(hay, p, &mut out);
    out.pop()
}

/// Scans the run starting at `start` (preceded by a non-base64 byte or the
/// window start), records it in `out` if it qualifies, and returns where
/// scanning resumes (keeping the invariant of [`runs`]).
fn process_from(hay: &[u8], start: usize, out: &mut Vec<Run>) -> usize {
    let n = hay.len();
    let (start, end, class) = scan_run(hay, start);
    let body = end - start - padding_len(hay, start, end);
    let mut i = end;
    if i < n && CLASS[hay[i] as usize] == 0 {
        i += 1;
    }
    if body < MIN_RUN || class == STD_ONLY | URL_ONLY {
        return i;
    }
    let mut run = Run {
        start,
        end,
        continued: Vec::new(),
        url: class == URL_ONLY,
    };
    // Join wrapped lines: this segment ends the line, is long, and has no
    // padding; the next line (after indentation) continues the run.
    let mut seg_end = end;
    let mut seg_len = end - start;
    let mut all = class;
    while seg_len >= WRAP_MIN && hay[seg_end - 1] != b'=' {
        let mut j = seg_end;
        if j < n && hay[j] == b'\r' {
            j += 1;
        }
        if j >= n || hay[j] != b'\n' {
            break;
        }
        j += 1;
        while j < n && (hay[j] == b' ' || hay[j] == b'\t') {
            j += 1;
        }
        if j >= n || CLASS[hay[j] as usize] == 0 {
            break;
        }
        let (s2, e2, c2) = scan_run(hay, j);
        // A line of dashes is a YAML document separator (`---`) or a
        // Markdown rule, not the next line of a wrapped value.
        if hay[s2..e2].iter().all(|&c| c == b'-') {
            break;
        }
        if (all | c2) == STD_ONLY | URL_ONLY || !line_is_only_run(hay, e2) {
            break;
        }
        all |= c2;
        run.continued.push((s2, e2));
        seg_end = e2;
        seg_len = e2 - s2;
        i = e2;
    }
    run.url = all == URL_ONLY;
    out.push(run);
    i
}

fn padding_len(hay: &[u8], start: usize, end: usize) -> usize {
    hay[start..end]
        .iter()
        .rev()
        .take_while(|&&c| c == b'=')
        .count()
}

/// After a run ending at `end`, nothing but the line end follows.
fn line_is_only_run(hay: &[u8], end: usize) -> bool {
    matches!(hay.get(end), None | Some(b'\n') | Some(b'\r'))
}

/// Scans one run from `i`: returns its end (after up to two `=`) and the
/// union of the alphabet classes seen.
fn scan_run(hay: &[u8], i: usize) -> (usize, usize, u8) {
    let (mut j, mut class) = simd::skip_run_blocks(hay, i);
    while j < hay.len() {
        let c = CLASS[hay[j] as usize];
        if c == 0 {
            break;
        }
        class |= c;
        j += 1;
    }
    let mut pad = 0;
    while j < hay.len() && hay[j] == b'=' && pad < 2 {
        j += 1;
        pad += 1;
    }
    (i, j, class & (STD_ONLY | URL_ONLY))
}

/// Block-wise run scanning: 16 bytes classified per step. Long base64
/// values (lock-file hashes, Secret data, bundles) are most of the bytes a
/// scan walks through character by character otherwise.
///
/// The classifier has two implementations with one contract
/// ([`simd::classify16`]): SSE2 on x86_64 (part of the x86_64 baseline, so
/// no runtime detection is needed), and a portable one everywhere else
/// (aarch64, and x86_64 built with the `portable` feature, which is how CI
/// tests it). The portable one is SWAR: eight bytes per `u64`, compares by
/// carry-free additions, and a multiply that gathers one bit per byte.
/// The window search is shared; the run scanner has a portable twin that
/// tests whole words without building bit masks (`bench/portable.py`
/// compares the two builds).
mod simd {
    /// Classifies `hay[at..at + 16]`: the bit masks of (base64 bytes,
    /// `+`/`/`, `-`/`_`), bit `k` for byte `at + k`. Panics when the block
    /// is out of bounds (callers check first; the check is then elided).
    #[inline]
    pub(super) fn classify16(hay: &[u8], at: usize) -> (u32, u32, u32) {
        let block: &[u8; 16] = hay[at..at + 16].try_into().expect("a 16-byte block");
        block16(block)
    }

    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    #[inline]
    fn block16(block: &[u8; 16]) -> (u32, u32, u32) {
        // SAFETY: `block` is exactly 16 readable bytes, which is what the
        // unaligned load in `sse2` reads; SSE2 is part of the x86_64
        // baseline, so no feature detection is needed.
        unsafe { sse2(block) }
    }

    /// SSE2 classifier: range and equality compares on the 16 bytes, then
    /// one movemask per class.
    ///
    /// # Safety
    /// `block` must point at 16 readable bytes (its type guarantees it) and
    /// the CPU must support SSE2 (every x86_64 CPU does).
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    #[inline]
    unsafe fn sse2(block: &[u8; 16]) -> (u32, u32, u32) {
        use std::arch::x86_64::*;
        let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
        let range = |lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                _mm_cmpgt_epi8(_mm_set1_epi8(hi as i8 + 1), v),
            )
        };
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let alnum = _mm_or_si128(
            _mm_or_si128(range(b'A', b'Z'), range(b'a', b'z')),
            range(b'0', b'9'),
        );
        let std = _mm_or_si128(eq(b'+'), eq(b'/'));
        let url = _mm_or_si128(eq(b'-'), eq(b'_'));
        let all = _mm_or_si128(alnum, _mm_or_si128(std, url));
        (
            _mm_movemask_epi8(all) as u32,
            _mm_movemask_epi8(std) as u32,
            _mm_movemask_epi8(url) as u32,
        )
    }

    /// Portable classifier: SWAR ("SIMD within a register"), eight bytes
    /// per `u64`, in safe code on every target. Byte order is fixed by
    /// `from_le_bytes`, so byte `k` of the block is always bits `8k..8k+8`.
    #[cfg(not(all(target_arch = "x86_64", not(feature = "portable"))))]
    #[inline]
    fn block16(block: &[u8; 16]) -> (u32, u32, u32) {
        let (lo, hi) = block.split_at(8);
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let (a0, s0, u0) = swar::classify8(word(lo));
        let (a1, s1, u1) = swar::classify8(word(hi));
        (
            swar::bits(a0) | swar::bits(a1) << 8,
            swar::bits(s0) | swar::bits(s1) << 8,
            swar::bits(u0) | swar::bits(u1) << 8,
        )
    }

    /// Byte-wise compares on eight bytes held in a `u64`. Each result has
    /// the high bit of byte `k` set when byte `k` is in the class, and no
    /// other bit set. The inputs to the additions are kept below 0x80 per
    /// byte, so no carry crosses from one byte into the next.
    #[cfg_attr(
        all(target_arch = "x86_64", not(feature = "portable")),
        allow(dead_code)
    )]
    pub(super) mod swar {
        const fn splat(b: u8) -> u64 {
            u64::from_ne_bytes([b; 8])
        }
        pub(in super::super) const HIGH: u64 = splat(0x80);
        const LOW7: u64 = splat(0x7f);

        /// Bytes of `x7` (each below 0x80) in `lo..=hi` (`1 <= lo <= hi <= 0x7f`).
        #[inline(always)]
        fn in_range(x7: u64, lo: u8, hi: u8) -> u64 {
            // Byte + (0x80 - lo) reaches 0x80 iff byte >= lo; byte +
            // (0x7f - hi) reaches 0x80 iff byte > hi. Both sums stay <= 0xff.
            let at_least_lo = x7 + splat(0x80 - lo);
            let above_hi = x7 + splat(0x7f - hi);
            at_least_lo & !above_hi & HIGH
        }

        /// Bytes of `x7` (each below 0x80) equal to `c` (below 0x80).
        #[inline(always)]
        fn equal(x7: u64, c: u8) -> u64 {
            // A byte of `x7 ^ c` is zero iff adding 0x7f leaves it below 0x80.
            !((x7 ^ splat(c)) + LOW7) & HIGH
        }

        /// (base64 bytes, `+`/`/`, `-`/`_`) of the eight bytes of `x`.
        #[inline(always)]
        pub(in super::super) fn classify8(x: u64) -> (u64, u64, u64) {
            // Bytes from 0x80 up are in no class.
            let ascii = !x & HIGH;
            let x7 = x & LOW7;
            // Setting bit 0x20 folds A-Z onto a-z and nothing else onto it.
            let letter = in_range(x7 | splat(0x20), b'a', b'z');
            let digit = in_range(x7, b'0', b'9');
            // `+` (0x2b) and `/` (0x2f) differ in bit 0x04 alone.
            let std = equal(x7 | splat(0x04), b'/') & ascii;
            let url = (equal(x7, b'-') | equal(x7, b'_')) & ascii;
            ((letter | digit) & ascii | std | url, std, url)
        }

        /// One bit per byte: the high bit of byte `k` becomes bit `k`. The
        /// multiplier's byte `7 - k` moves byte `k`'s bit to bit `56 + k`;
        /// the other partial products land on distinct lower bits, so no
        /// carry reaches the top byte.
        #[inline(always)]
        pub(in super::super) fn bits(m: u64) -> u32 {
            ((m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
        }
    }

    /// From `i`, skips whole 16-byte blocks of base64 bytes. Returns the
    /// position reached (the first non-base64 byte, or the last partial
    /// block's start) and the classes seen up to it.
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    pub(super) fn skip_run_blocks(hay: &[u8], i: usize) -> (usize, u8) {
        let mut j = i;
        let mut class = 0u8;
        while j + 16 <= hay.len() {
            let (m, std, url) = classify16(hay, j);
            let keep = if m == 0xFFFF {
                0xFFFF
            } else {
                (1u32 << m.trailing_ones()) - 1
            };
            if std & keep != 0 {
                class |= super::STD_ONLY;
            }
            if url & keep != 0 {
                class |= super::URL_ONLY;
            }
            if m != 0xFFFF {
                return (j + m.trailing_ones() as usize, class | super::COMMON);
            }
            j += 16;
        }
        (j, class)
    }

    /// From `i`, skips whole 8-byte words of base64 bytes. Returns the
    /// position reached (the first non-base64 byte, or the last partial
    /// word's start) and the classes seen up to it. The portable twin of
    /// the 16-byte loop: a full word needs no bit mask at all (its class
    /// flags are tested in place), so the SWAR multiply runs once per run.
    #[cfg(not(all(target_arch = "x86_64", not(feature = "portable"))))]
    pub(super) fn skip_run_blocks(hay: &[u8], i: usize) -> (usize, u8) {
        let mut j = i;
        let mut class = 0u8;
        let word = |at: usize| {
            let bytes = &hay[at..at + 8];
            u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
        };
        // Two words per step while both are all base64: long values (the
        // bulk of a base64-heavy file) take this path.
        while j + 16 <= hay.len() {
            let (a0, s0, u0) = swar::classify8(word(j));
            let (a1, s1, u1) = swar::classify8(word(j + 8));
            if a0 & a1 != swar::HIGH {
                break;
            }
            if s0 | s1 != 0 {
                class |= super::STD_ONLY;
            }
            if u0 | u1 != 0 {
                class |= super::URL_ONLY;
            }
            j += 16;
        }
        while let Some(bytes) = hay.get(j..j + 8) {
            let word = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
            let (all, std, url) = swar::classify8(word);
            // The flags of the bytes before the first non-base64 one.
            let keep = if all == swar::HIGH {
                all
            } else {
                let n = swar::bits(all).trailing_ones();
                swar::HIGH & ((1u64 << (8 * n)) - 1)
            };
            if std & keep != 0 {
                class |= super::STD_ONLY;
            }
            if url & keep != 0 {
                class |= super::URL_ONLY;
            }
            if all != swar::HIGH {
                let n = swar::bits(all).trailing_ones() as usize;
                return (j + n, class | super::COMMON);
            }
            j += 8;
        }
        (j, class)
    }

    /// Mask of base64 bytes in `hay[at..at + 64]`.
    #[inline]
    fn mask64(hay: &[u8], at: usize) -> u64 {
        assert!(at + 64 <= hay.len());
        let mut m = 0u64;
        for k in 0..4 {
            let (all, _, _) = classify16(hay, at + 16 * k);
            m |= (all as u64) << (16 * k);
        }
        m
    }

    /// From `i`, skips 64-byte blocks in which no window of
    /// [`super::MIN_RUN`] base64 bytes starts. Returns the position reached
    /// and, if found, the first window start (`>= i`).
    pub(super) fn next_window(hay: &[u8], i: usize, until: usize) -> (usize, Option<usize>) {
        const _: () = assert!(super::MIN_RUN == 14);
        let mut c = i;
        if c + 128 > hay.len() {
            return (c, None);
        }
        let mut cur = mask64(hay, c);
        while c + 128 <= hay.len() && c < until {
            let next = mask64(hay, c + 64);
            let m = (cur as u128) | ((next as u128) << 64);
            // Bit k set iff bits k..k+13 are all set: 1+1, 2+2, 4+4, 8+6.
            let m2 = m & (m >> 1);
            let m4 = m2 & (m2 >> 2);
            let m8 = m4 & (m4 >> 4);
            let m14 = m8 & (m8 >> 6);
            let starts = m14 as u64;
            if starts != 0 {
                return (c, Some(c + starts.trailing_zeros() as usize));
            }
            c += 64;
            cur = next;
        }
        (c, None)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The classifier in use agrees with the byte-class table on every
        /// byte value in every lane.
        #[test]
        fn classify16_matches_the_table() {
            for b in 0..=255u8 {
                for lane in 0..16 {
                    let mut block = [b'!'; 16];
                    block[lane] = b;
                    let (all, std, url) = classify16(&block, 0);
                    let c = super::super::CLASS[b as usize];
                    assert_eq!(all, u32::from(c != 0) << lane, "byte {b} lane {lane}");
                    assert_eq!(std, u32::from(c & super::super::STD_ONLY != 0) << lane);
                    assert_eq!(url, u32::from(c & super::super::URL_ONLY != 0) << lane);
                }
            }
        }

        /// The portable SWAR classifier agrees with the byte-class table
        /// on every byte value in every lane, whichever classifier the
        /// build uses, and with neighbours of every value (a carry from
        /// one byte into the next would show here).
        #[test]
        fn swar_matches_the_table() {
            for b in 0..=255u8 {
                for other in [0u8, b'!', b'A', b'z', b'9', b'+', b'_', 0x7f, 0x80, 0xff] {
                    for lane in 0..8 {
                        let mut bytes = [other; 8];
                        bytes[lane] = b;
                        let (all, std, url) = swar::classify8(u64::from_le_bytes(bytes));
                        let (all, std, url) = (swar::bits(all), swar::bits(std), swar::bits(url));
                        for (k, &x) in bytes.iter().enumerate() {
                            let c = super::super::CLASS[x as usize];
                            let at = |m: u32| m >> k & 1 == 1;
                            assert_eq!(at(all), c != 0, "byte {x} lane {k} of {bytes:?}");
                            assert_eq!(at(std), c & super::super::STD_ONLY != 0, "{bytes:?}");
                            assert_eq!(at(url), c & super::super::URL_ONLY != 0, "{bytes:?}");
                        }
                    }
                }
            }
        }
    }
}

/// Decodes base64 in either alphabet, padded or not, ignoring embedded
/// whitespace (line wraps). Returns `None` when it is not base64.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8>;
    let mut data = input;
    if data
        .iter()
        .any(|b| matches!(b, b'\n' | b'\r' | b' ' | b'\t'))
    {
        compact = data
            .iter()
            .copied()
            .filter(|b| !matches!(b, b'\n' | b'\r' | b' ' | b'\t'))
            .collect();
        data = &compact;
    }
    if data.is_empty() {
        return None;
    }
    let url = data.iter().any(|&b| b == b'-' || b == b'_');
    let engine = if url { &URL } else { &STD };
    engine.decode(data).ok()
}

/// Cheap test before decoding a whole run: decodes its first 16
/// characters (12 bytes) and checks they could start printable UTF-8 text.
/// Random base64 (hashes, keys, identifiers) fails this almost always, so
/// long runs of it are never decoded in full.
pub fn could_be_text(hay: &[u8], run: &Run) -> bool {
    let head = &hay[run.start..run.end];
    if head.len() < 16 {
        return true; // short: the full decoder is just as cheap
    }
    let engine = if run.url { &URL } else { &STD };
    let mut buf = [0u8; 12];
    let Ok(len) = engine.decode_slice(&head[..16], &mut buf) else {
        return false;
    };
    let buf = &buf[..len];
    let valid = match std::str::from_utf8(buf) {
        Ok(s) => s,
        // A multi-byte character cut at the end is fine.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    printable(valid)
}

/// Printable text: no control characters except tab, CR and LF.
pub fn printable(s: &str) -> bool {
    s.chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t')
}

/// Decodes base64 and accepts the result only if it is printable UTF-8
/// text: what a credential or a config file decodes to. A single trailing
/// newline (from `echo` without `-n`) is dropped.
pub fn decode_text(input: &[u8]) -> Option<String> {
    let bytes = decode(input)?;
    let mut s = String::from_utf8(bytes).ok()?;
    if !printable(&s) {
        return None;
    }
    while s.ends_with('\n') || s.ends_with('\r') {
        s.pop();
    }
    if s.trim().is_empty() {
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    #[test]
    fn decodes_padded_unpadded_urlsafe_and_wrapped() {
        let enc = STANDARD.encode("ci-bot:FAKEpass-1234");
        assert_eq!(decode_text(enc.as_bytes()).unwrap(), "ci-bot:FAKEpass-1234");
        let unpadded = enc.trim_end_matches('=');
        assert_eq!(
            decode_text(unpadded.as_bytes()).unwrap(),
            "ci-bot:FAKEpass-1234"
        );
        let url = URL_SAFE_NO_PAD.encode("ci-bot:FAKE??>>pass~~");
        assert!(url.contains('-') || url.contains('_'));
        assert_eq!(
            decode_text(url.as_bytes()).unwrap(),
            "ci-bot:FAKE??>>pass~~"
        );
        let wrapped = format!("{}\n  {}", &enc[..10], &enc[10..]);
        assert_eq!(
            decode_text(wrapped.as_bytes()).unwrap(),
            "ci-bot:FAKEpass-1234"
        );
        let echoed = STANDARD.encode("ci-bot:FAKEpass-1234\n");
        assert_eq!(
            decode_text(echoed.as_bytes()).unwrap(),
            "ci-bot:FAKEpass-1234"
        );
    }

    #[test]
    fn rejects_binary_and_invalid() {
        assert!(decode_text(b"erfi7sYi89234xJUqaqxgmzcnQ2rRFWM5aJX0EC=").is_none());
        assert!(decode_text(b"c3R...zE2").is_none());
        assert!(decode_text(b"").is_none());
    }

    #[test]
    fn finds_runs_and_joins_wrapped_lines() {
        let line1 = "A".repeat(76);
        let text = format!("key: |\n  {line1}\n  QUJDREVGRw==\nnext: short\n");
        let r = runs(text.as_bytes());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].continued.len(), 1);
        assert_eq!(r[0].text(text.as_bytes()).len(), 76 + 12);
    }

    #[test]
    fn skips_short_and_mixed_runs() {
        assert!(runs(b"abc def").is_empty());
        assert!(runs(b"aaaaaaaa+bbbbbbbb_cccccccc").is_empty());
        let r = runs(b"x = \"Y2ktYm90OkZBS0VwYXNzLTEyMzQ=\"");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].start, 5);
        assert_eq!(r[0].end, 33);
    }

    /// The straightforward definition the skipping finder must match.
    fn naive_runs(hay: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < hay.len() {
            if !is_b64_byte(hay[i]) {
                i += 1;
                continue;
            }
            let (s, e, class) = scan_run(hay, i);
            if e - s - padding_len(hay, s, e) >= MIN_RUN && class != STD_ONLY | URL_ONLY {
                out.push((s, e));
            }
            i = e.max(i + 1);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn skipping_finder_matches_naive(parts in proptest::collection::vec(
            proptest::prop_oneof![
                "[A-Za-z0-9]{0,30}", "[A-Za-z0-9+/]{10,40}={0,3}", "[A-Za-z0-9_-]{10,40}",
                "[ .,:\"{}=]{1,3}",
            ], 0..40)) {
            let text = parts.concat();
            let fast: Vec<(usize, usize)> = runs(text.as_bytes())
                .into_iter()
                .filter(|r| r.continued.is_empty())
                .map(|r| (r.start, r.end))
                .collect();
            let slow = naive_runs(text.as_bytes());
            proptest::prop_assert_eq!(fast, slow);
        }

        #[test]
        fn block_scanner_matches_scalar(text in "[A-Za-z0-9+/_=-]{0,70}[ \\x80-\\xff\".]?[A-Za-z0-9+/_-]{0,40}", at in 0usize..8) {
            let hay = text.as_bytes();
            let at = at.min(hay.len());
            let mut j = at;
            let mut class = 0u8;
            while j < hay.len() && CLASS[hay[j] as usize] != 0 {
                class |= CLASS[hay[j] as usize];
                j += 1;
            }
            let mut pad = 0;
            while j < hay.len() && hay[j] == b'=' && pad < 2 {
                j += 1;
                pad += 1;
            }
            proptest::prop_assert_eq!(scan_run(hay, at), (at, j, class & (STD_ONLY | URL_ONLY)));
        }

        #[test]
        fn quick_check_accepts_every_text(text in "[ -~]{12,80}") {
            let enc = base64::engine::general_purpose::STANDARD.encode(&text);
            let r = runs(enc.as_bytes());
            proptest::prop_assert_eq!(r.len(), 1);
            proptest::prop_assert!(could_be_text(enc.as_bytes(), &r[0]));
        }
    }
}
