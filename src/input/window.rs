//! Scanning large inputs in overlapping windows, so memory stays bounded
//! whatever the file size (a 200 MB single-line bundle costs the same
//! memory as a 10 MB one).
//!
//! Window `k` owns the file bytes `[k * OWN, (k + 1) * OWN)` and is scanned
//! with `LOOKBEHIND` bytes of context before (keys, the `{` of a legacy
//! entry) and `LOOKAHEAD` bytes after, so a value that starts in the owned
//! range and is shorter than `LOOKAHEAD` is seen whole. A finding belongs
//! to the window that owns its first byte, so none is reported twice.

use std::io::{self, Read};

use super::{is_binary, locate_counting, Base, Settings, Sink};
use crate::engine as scan;

/// Bytes each window owns.
pub const OWN: usize = 8 << 20;
/// Context kept before the owned range.
pub const LOOKBEHIND: usize = 64 << 10;
/// Context read after the owned range: the longest value seen whole.
pub const LOOKAHEAD: usize = 1 << 20;

/// Inputs up to this size are read whole; larger ones go through windows.
pub const WHOLE_LIMIT: usize = OWN + LOOKAHEAD;

/// Scans `reader` window by window. Returns the number of bytes scanned
/// (all read, or 0 for a binary input, skipped).
pub fn scan_windows(
    display: &str,
    reader: &mut dyn Read,
    settings: &Settings,
    sink: &Sink,
) -> io::Result<u64> {
    let total = windows(display, reader, settings, sink, true)?;
    sink.bytes_scanned
        .fetch_add(total, std::sync::atomic::Ordering::Relaxed);
    Ok(total)
}

/// [`scan_windows`] without counting the bytes it returns (0 for a binary
/// file, skipped); `utf16`: whether UTF-16 text may still be recognised
/// (not in text already decoded from it).
fn windows(
    display: &str,
    reader: &mut dyn Read,
    settings: &Settings,
    sink: &Sink,
    utf16: bool,
) -> io::Result<u64> {
    let mut buf: Vec<u8> = Vec::new();
    // File offset of buf[0], and the line/column base there.
    let mut base = Base::default();
    let mut own_start = 0usize; // file offset of the owned range
    let mut eof = false;
    let mut total = 0u64;
    let mut first = true;
    loop {
        // Fill up to own_start + OWN + LOOKAHEAD.
        let want = own_start + OWN + LOOKAHEAD - base.byte;
        if !eof && buf.len() < want {
            let asked = (want - buf.len()) as u64;
            let n = (&mut *reader).take(asked).read_to_end(&mut buf)? as u64;
            total += n;
            eof = n < asked;
        }
        if first {
            first = false;
            if is_binary(&buf) {
                if let Some(encoding) = super::utf16::encoding(&buf).filter(|_| utf16) {
                    // UTF-16 text: decoded as it is read, and the decoded
                    // text scanned window by window (positions are in the
                    // decoded text, as for a file decoded whole).
                    let head = io::Cursor::new(std::mem::take(&mut buf));
                    let mut decoder = encoding.decoder(head.chain(reader));
                    let scanned = windows(display, &mut decoder, settings, sink, false)?;
                    // (0: NUL characters in the text, binary after all.)
                    return Ok(if scanned == 0 { 0 } else { decoder.raw_bytes() });
                }
                sink.skip_silently();
                return Ok(0);
            }
            sink.files_scanned
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let own = (own_start - base.byte)..(own_start + OWN - base.byte).min(buf.len());
        let raw: Vec<_> = scan::scan(&buf)
            .into_iter()
            .filter(|f| own.contains(&f.span.start))
            .collect();
        if !raw.is_empty() {
            let mut inline = 0;
            let found = locate_counting(display, &buf, base, raw, settings, &mut inline);
            sink.suppressed_inline(inline);
            sink.add_findings(found);
        }
        if eof && own_start + OWN >= base.byte + buf.len() {
            break;
        }
        // Slide: keep LOOKBEHIND bytes before the next owned range.
        own_start += OWN;
        let keep_from = own_start - LOOKBEHIND - base.byte;
        advance_base(&mut base, &buf[..keep_from]);
        buf.drain(..keep_from);
    }
    Ok(total)
}

/// Moves `base` past `dropped` (the bytes removed from the window's front).
fn advance_base(base: &mut Base, dropped: &[u8]) {
    base.byte += dropped.len();
    let newlines = memchr::memchr_iter(b'\n', dropped).count();
    if newlines == 0 {
        base.column += crate::model::span::char_count(dropped);
    } else {
        base.lines += newlines;
        let last = memchr::memrchr(b'\n', dropped).unwrap_or(0);
        base.column = crate::model::span::char_count(&dropped[last + 1..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{locate, Settings, Sink};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    fn settings() -> Settings {
        Settings {
            max_file_size: u64::MAX,
            reveal: false,
            snippets: true,
        }
    }

    /// Findings through windows equal findings on the whole text, even for
    /// values that straddle window boundaries.
    #[test]
    fn windows_find_what_whole_scans_find() {
        let auth = STANDARD.encode("ci-bot:FAKEpass-window-0042");
        let entry = format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{auth}\"}}}}}}");
        let mut text = Vec::new();
        let mut i = 0u32;
        // ~20 MB of lines, with configs placed around the 8 MiB boundaries.
        while text.len() < 20 << 20 {
            let near = [OWN, 2 * OWN]
                .iter()
                .any(|b| text.len() + 200 > *b && text.len() < b + 200);
            if near || i.is_multiple_of(20000) {
                text.extend_from_slice(entry.as_bytes());
                text.push(b'\n');
            } else {
                text.extend_from_slice(b"some ordinary line of text, nothing to see here ");
                text.extend_from_slice(if i.is_multiple_of(3) { b"\n" } else { b" " });
            }
            i += 1;
        }
        let whole = locate("f", &text, scan::scan(&text), &settings());
        let sink = Sink::default();
        let read = scan_windows("f", &mut &text[..], &settings(), &sink).unwrap();
        assert_eq!(read as usize, text.len());
        let (mut windowed, _) = sink.into_parts();
        windowed.sort_by_key(|f| f.byte_start);
        assert!(whole.len() > 10);
        assert_eq!(windowed.len(), whole.len());
        for (a, b) in whole.iter().zip(&windowed) {
            assert_eq!(
                (a.byte_start, a.line, a.column, a.end_line, a.end_column),
                (b.byte_start, b.line, b.column, b.end_line, b.end_column)
            );
        }
    }

    /// Binary inputs, and UTF-16 whose text holds NUL characters, are
    /// skipped: no bytes scanned, no file counted.
    #[test]
    fn binary_inputs_count_no_bytes() {
        use std::sync::atomic::Ordering::Relaxed;
        let mut elf = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        elf.resize(WHOLE_LIMIT + 4096, 0x41);
        let mut utf16_nul = vec![0xFF, 0xFE];
        for _ in 0..(WHOLE_LIMIT / 4) {
            utf16_nul.extend_from_slice(&[b'a', 0, 0, 0]);
        }
        for bytes in [elf, utf16_nul] {
            let sink = Sink::default();
            let n = scan_windows("f", &mut &bytes[..], &settings(), &sink).unwrap();
            assert_eq!(n, 0);
            assert_eq!(sink.bytes_scanned.load(Relaxed), 0);
            assert_eq!(sink.files_scanned.load(Relaxed), 0);
        }
    }
}
