//! A small JSON parser that keeps byte spans.
//!
//! Findings must point at the exact value in the file, which serde_json
//! cannot tell us. This parser reads one JSON value from a byte offset,
//! tolerates trailing commas (hand-edited configs have them), caps nesting
//! depth, and records for every string the span of its raw contents.

use std::ops::Range;

/// Deepest nesting accepted; deeper input is not a docker config.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Object(Vec<(Str, Value)>, Range<usize>),
    Array(Vec<Value>, Range<usize>),
    String(Str),
    /// Numbers, booleans, null: only their span is kept.
    Scalar(Range<usize>),
}

/// A JSON string: its unescaped value and the span of its raw contents
/// (between the quotes).
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub value: String,
    pub span: Range<usize>,
    /// Whether the raw contents held escapes (so the value is not a plain
    /// slice of the input).
    pub escaped: bool,
}

impl Value {
    pub fn span(&self) -> Range<usize> {
        match self {
            Value::Object(_, r) | Value::Array(_, r) | Value::Scalar(r) => r.clone(),
            Value::String(s) => s.span.start.saturating_sub(1)..s.span.end + 1,
        }
    }

    /// Case-insensitive member lookup (Go's encoding/json matches keys this
    /// way, so `"Auth"` works in Docker).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members, _) => members
                .iter()
                .find(|(k, _)| k.value.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&Str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses one JSON value starting at `start` (leading whitespace allowed).
/// Returns the value and the offset just after it.
pub fn parse_at(input: &[u8], start: usize) -> Option<(Value, usize)> {
    let mut p = Parser { input, pos: start };
    p.ws();
    let v = p.value(0)?;
    Some((v, p.pos))
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            _ => self.scalar(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        let start = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        loop {
            self.ws();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(Value::Object(members, start..self.pos));
                }
                b'"' => {}
                _ => return None,
            }
            let key = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {}
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek()? == b']' {
                self.pos += 1;
                return Some(Value::Array(items, start..self.pos));
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {}
                _ => return None,
            }
        }
    }

    fn scalar(&mut self) -> Option<Value> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.') {
                self.pos += 1;
            } else {
                break;
            }
        }
        (self.pos > start).then_some(Value::Scalar(start..self.pos))
    }

    fn string(&mut self) -> Option<Str> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        let rest = &self.input[start..];
        let end_rel = memchr::memchr3(b'"', b'\\', b'\n', rest)?;
        if rest[end_rel] == b'\n' {
            return None;
        }
        if rest[end_rel] == b'"' {
            let raw = &rest[..end_rel];
            self.pos = start + end_rel + 1;
            return Some(Str {
                value: String::from_utf8_lossy(raw).into_owned(),
                span: start..start + end_rel,
                escaped: false,
            });
        }
        let (value, end) = unescape_until_quote(self.input, start)?;
        self.pos = end + 1;
        Some(Str {
            value,
            span: start..end,
            escaped: true,
        })
    }
}

/// Unescapes JSON string contents from `start` up to the closing quote.
/// Returns the value and the offset of the closing quote.
fn unescape_until_quote(input: &[u8], start: usize) -> Option<(String, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    while i < input.len() {
        match input[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i)),
            b'\n' => return None,
            b'\\' => {
                let (bytes, used) = unescape_one(input, i)?;
                out.extend_from_slice(&bytes);
                i += used;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

/// Decodes the escape sequence at `input[i]` (a backslash). Returns the
/// bytes it stands for and how many input bytes it used.
pub fn unescape_one(input: &[u8], i: usize) -> Option<(Vec<u8>, usize)> {
    let c = *input.get(i + 1)?;
    let simple = match c {
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        b'/' => Some(b'/'),
        b'b' => Some(8),
        b'f' => Some(12),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        _ => None,
    };
    if let Some(b) = simple {
        return Some((vec![b], 2));
    }
    if c != b'u' {
        // Not a JSON escape: keep it as written.
        return Some((vec![b'\\', c], 2));
    }
    let hex = |at: usize| -> Option<u32> {
        let h = input.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let hi = hex(i + 2)?;
    let (cp, used) = if (0xD800..0xDC00).contains(&hi)
        && input.get(i + 6) == Some(&b'\\')
        && input.get(i + 7) == Some(&b'u')
    {
        let lo = hex(i + 8)?;
        (
            0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
            12,
        )
    } else {
        (hi, 6)
    };
    let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    Some((ch.encode_utf8(&mut buf).as_bytes().to_vec(), used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_spans() {
        let text = br#"x = {"auths": {"ghcr.io": {"auth": "QUJD"}, },}"#;
        let (v, end) = parse_at(text, 4).unwrap();
        assert_eq!(end, text.len());
        let auth = v
            .get("AUTHS")
            .unwrap()
            .get("ghcr.io")
            .unwrap()
            .get("auth")
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(auth.value, "QUJD");
        assert_eq!(&text[auth.span.clone()], b"QUJD");
    }

    #[test]
    fn unescapes_strings() {
        let text = br#"["a\"b\\c\u00e9\ud83d\ude00\/"]"#;
        let (v, _) = parse_at(text, 0).unwrap();
        match v {
            Value::Array(items, _) => {
                assert_eq!(items[0].as_str().unwrap().value, "a\"b\\c\u{e9}\u{1F600}/")
            }
            _ => panic!("not an array"),
        }
    }

    #[test]
    fn rejects_deep_and_broken_input() {
        let deep = "[".repeat(100_000);
        assert!(parse_at(deep.as_bytes(), 0).is_none());
        assert!(parse_at(b"{\"a\": }", 0).is_none());
        assert!(parse_at(b"{\"a\": \"unterminated", 0).is_none());
    }
}
