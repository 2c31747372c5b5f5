//! UTF-16 text: Windows PowerShell (`Out-File`, `>` in 5.1) and several
//! editors write UTF-16LE with a byte-order mark. Such a file is text, not
//! binary: it is decoded to UTF-8 and scanned, and findings are located in
//! the decoded text (lines and columns count decoded characters; byte
//! offsets are offsets in the decoded UTF-8). A file too large to be read
//! whole is decoded as it is read ([`Encoding::decoder`]) and its decoded
//! text scanned window by window.

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

/// The UTF-16 encoding a file's first bytes show: its byte order and the
/// length of its BOM.
#[derive(Debug, Clone, Copy)]
pub struct Encoding {
    order: Order,
    bom: usize,
}

/// The encoding of `head` (the start of a file) if it is UTF-16 text.
pub fn encoding(head: &[u8]) -> Option<Encoding> {
    detect(head).map(|(order, bom)| Encoding { order, bom })
}

impl Encoding {
    /// A reader of `inner` (the whole file, from its first byte) that
    /// yields the text as UTF-8, decoded as it is read: for files too
    /// large to decode whole. The result equals [`decode`]'s (unpaired
    /// surrogates become U+FFFD, an odd last byte is dropped).
    pub fn decoder<R: std::io::Read>(self, inner: R) -> Decoder<R> {
        Decoder {
            inner,
            order: self.order,
            skip: self.bom,
            odd: None,
            high: None,
            out: Vec::new(),
            at: 0,
            eof: false,
            raw: 0,
        }
    }
}

/// Bytes of UTF-16 read per refill of a [`Decoder`].
const CHUNK: usize = 64 * 1024;

/// See [`Encoding::decoder`].
pub struct Decoder<R> {
    inner: R,
    order: Order,
    /// BOM bytes still to drop.
    skip: usize,
    /// The first byte of a code unit split across reads.
    odd: Option<u8>,
    /// A high surrogate whose low half is in the next read.
    high: Option<u16>,
    /// Decoded UTF-8, handed out from `at`.
    out: Vec<u8>,
    at: usize,
    eof: bool,
    raw: u64,
}

impl<R: std::io::Read> Decoder<R> {
    /// Bytes read from the UTF-16 input so far.
    pub fn raw_bytes(&self) -> u64 {
        self.raw
    }

    fn refill(&mut self) -> std::io::Result<()> {
        use std::io::Read as _;
        self.out.clear();
        self.at = 0;
        let mut raw: Vec<u8> = Vec::with_capacity(CHUNK + 1);
        raw.extend(self.odd.take());
        let n = (&mut self.inner).take(CHUNK as u64).read_to_end(&mut raw)?;
        self.raw += n as u64;
        self.eof = n < CHUNK;
        let skip = self.skip.min(raw.len());
        self.skip -= skip;
        let pairs = raw[skip..].chunks_exact(2);
        if !self.eof {
            self.odd = pairs.remainder().first().copied();
        }
        let order = self.order;
        let mut units: Vec<u16> = self.high.take().into_iter().collect();
        units.extend(pairs.map(|p| match order {
            Order::Le => u16::from_le_bytes([p[0], p[1]]),
            Order::Be => u16::from_be_bytes([p[0], p[1]]),
        }));
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            self.high = units.pop();
        }
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        Ok(())
    }
}

impl<R: std::io::Read> std::io::Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
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
    fn the_streaming_decoder_equals_the_whole_decoding() {
        use std::io::Read as _;
        // Surrogate pairs and odd bytes land on every chunk boundary.
        let mut s = String::new();
        while s.len() < 3 * CHUNK {
            s.push_str("registry é 😀 ");
        }
        for bytes in [le(&s, true), le(&s, false)] {
            for cut in [0, 1, 2, 3] {
                let mut b = bytes.clone();
                b.truncate(b.len() - cut);
                let whole = decode(&b).unwrap();
                let mut streamed = String::new();
                let mut d = encoding(&b).unwrap().decoder(&b[..]);
                d.read_to_string(&mut streamed).unwrap();
                assert_eq!(streamed, whole, "cut {cut}");
                assert_eq!(d.raw_bytes(), b.len() as u64);
            }
        }
        // An unpaired high surrogate at a chunk edge and at the end.
        let mut b = vec![0xFF, 0xFE];
        b.resize(CHUNK - 2, b'a');
        for (i, x) in b.iter_mut().enumerate().skip(2) {
            if i % 2 == 1 {
                *x = 0;
            }
        }
        b.extend_from_slice(&[0x00, 0xD8, b'b', 0, 0x3D, 0xD8]);
        let mut streamed = String::new();
        encoding(&b)
            .unwrap()
            .decoder(&b[..])
            .read_to_string(&mut streamed)
            .unwrap();
        assert_eq!(streamed, decode(&b).unwrap());
        assert!(streamed.ends_with("\u{FFFD}b\u{FFFD}"));
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
