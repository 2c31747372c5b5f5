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

/// Shortest base64 run worth decoding: `a:bc` is 8 characters, but no real
/// registry credential is shorter than 16.
pub const MIN_RUN: usize = 16;

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
}

impl Run {
    /// End of the last segment.
    pub fn last_end(&self) -> usize {
        self.continued.last().map(|c| c.1).unwrap_or(self.end)
    }

    /// The run's characters with line wraps removed.
    pub fn text(&self, hay: &[u8]) -> Vec<u8> {
        let mut v = hay[self.start..self.end].to_vec();
        for &(s, e) in &self.continued {
            v.extend_from_slice(&hay[s..e]);
        }
        v
    }
}

/// Wrapped base64 lines are at least this long (`base64` wraps at 76,
/// PEM at 64).
const WRAP_MIN: usize = 60;

/// Finds the base64 runs of at least [`MIN_RUN`] characters in `hay`, in
/// order, joining line-wrapped continuations. Runs that mix the two
/// alphabets are not base64 and are skipped. One linear pass.
pub fn runs(hay: &[u8]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = hay.len();
    while i < n {
        if CLASS[hay[i] as usize] == 0 {
            i += 1;
            continue;
        }
        let (start, end, class) = scan_run(hay, i);
        i = end.max(i + 1);
        if end - start < MIN_RUN || class == STD_ONLY | URL_ONLY {
            continue;
        }
        // A run glued to a word character on the left is part of something
        // else (an identifier joined by `.`, say); keep it anyway: the
        // decoder decides.
        let mut run = Run {
            start,
            end,
            continued: Vec::new(),
        };
        // Join wrapped lines: this segment ends the line, is long, and has no
        // padding; the next line (after indentation) continues the run.
        let mut seg_end = end;
        let mut seg_len = end - start;
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
            if (class | c2) == STD_ONLY | URL_ONLY || !line_is_only_run(hay, e2) {
                break;
            }
            run.continued.push((s2, e2));
            seg_end = e2;
            seg_len = e2 - s2;
            i = e2;
        }
        out.push(run);
    }
    out
}

/// After a run ending at `end`, nothing but the line end follows.
fn line_is_only_run(hay: &[u8], end: usize) -> bool {
    matches!(hay.get(end), None | Some(b'\n') | Some(b'\r'))
}

/// Scans one run from `i`: returns its end (after up to two `=`) and the
/// union of the alphabet classes seen.
fn scan_run(hay: &[u8], i: usize) -> (usize, usize, u8) {
    let mut j = i;
    let mut class = 0u8;
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

/// Decodes base64 and accepts the result only if it is printable UTF-8
/// text: what a credential or a config file decodes to. A single trailing
/// newline (from `echo` without `-n`) is dropped.
pub fn decode_text(input: &[u8]) -> Option<String> {
    let bytes = decode(input)?;
    let mut s = String::from_utf8(bytes).ok()?;
    if !crate::placeholder::printable(&s) {
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
}
