//! UTF-16 text: Windows PowerShell (`Out-File`, `>` in 5.1) and several
//! editors write UTF-16LE with a byte-order mark. Such a file is text, not
//! binary: it is decoded to UTF-8 and scanned, and findings are located in
//! the decoded text (lines and columns count decoded characters; byte
//! offsets are offsets in the decoded UTF-8).

/// Pairs inspected to recognise BOM-less UTF-16 by its NUL pattern.
const PROBE_PAIRS: usize = 4 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Le,
    Be,
}

/// The byte order of UTF-16 text in `bytes`, and where its text starts
/// (after a BOM): a BOM, or, without one, the pattern ASCII text leaves in
/// UTF-16, a NUL in every high byte and none in the low bytes of most
/// code units.
fn detect(bytes: &[u8]) -> Option<(Order, usize)> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some((Order::Le, 2)),
        [0xFE, 0xFF, ..] => return Some((Order::Be, 2)),
        _ => {}
    }
    let pairs = (bytes.len() / 2).min(PROBE_PAIRS);
    if pairs < 2 {
        return None;
    }
    let (mut le, mut be) = (0usize, 0usize);
    for p in bytes[..pairs * 2].chunks_exact(2) {
        match (p[0], p[1]) {
            (0, 0) => return None,
            (a, 0) if a != 0 => le += 1,
            (0, b) if b != 0 => be += 1,
            _ => {}
        }
    }
    // Non-ASCII characters have a non-zero high byte; mostly-ASCII text
    // (configs, scripts) still shows the pattern in nearly every unit.
    if le * 10 >= pairs * 7 {
        Some((Order::Le, 0))
    } else if be * 10 >= pairs * 7 {
        Some((Order::Be, 0))
    } else {
        None
    }
}

/// The UTF-8 text of `bytes` if they are UTF-16 text; `None` otherwise
/// (including UTF-16 that decodes to text holding NUL characters, which is
/// binary data in disguise). Unpaired surrogates become U+FFFD.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let (order, start) = detect(bytes)?;
    let units = bytes[start..].chunks_exact(2).map(|p| match order {
        Order::Le => u16::from_le_bytes([p[0], p[1]]),
        Order::Be => u16::from_be_bytes([p[0], p[1]]),
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if text.contains('\0') {
        return None;
    }
    Some(text)
}

/// Whether the start of a file looks like UTF-16 text (for a large file
/// scanned window by window, where it is not decoded).
pub fn looks_like(head: &[u8]) -> bool {
    detect(head).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn decodes_le_with_and_without_bom_and_be() {
        let s = "docker login -u ci -p Zq8vLm2Kp4Rt7Wx\r\n# é ü\r\n";
        assert_eq!(decode(&le(s, true)).as_deref(), Some(s));
        assert_eq!(decode(&le(s, false)).as_deref(), Some(s));
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&be).as_deref(), Some(s));
    }

    #[test]
    fn binary_is_not_utf16() {
        assert_eq!(decode(b"plain ascii text"), None);
        assert_eq!(decode(&[0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0, 1, 2]), None);
        assert_eq!(decode(&[0x89, b'P', b'N', b'G', 0, 0, 0, 13]), None);
        // Half NULs, half not: not enough of the pattern.
        assert_eq!(decode(&[1, 0, 2, 3, 4, 5, 6, 0, 7, 8]), None);
        // A BOM followed by NUL characters.
        assert_eq!(decode(&[0xFF, 0xFE, 0, 0, b'a', 0]), None);
        // Odd trailing byte is ignored, lone surrogates are replaced.
        assert_eq!(
            decode(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0, 9]).as_deref(),
            Some("\u{FFFD}a")
        );
    }
}
