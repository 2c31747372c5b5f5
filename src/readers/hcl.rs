//! Named HCL blocks and their string attributes, with byte spans.
//!
//! Reads `name { key = "value" ... }` for Nomad `auth` and Terraform
//! `registry_auth`. Only quoted strings are values: an unquoted attribute
//! is an expression (`var.password`, `data.x.y`) and so a reference.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

/// Longest block body read.
const MAX_BODY: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    pub value: String,
    /// Span of the string's raw contents (inside the quotes).
    pub span: Range<usize>,
}

#[derive(Debug)]
pub struct Block {
    pub name: String,
    pub attrs: Vec<Attr>,
}

impl Block {
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

fn opener() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?-u:\b)(auth|registry_auth)[ \t\r\n]*\{").expect("static regex"))
}

fn attribute() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*""#).expect("static regex")
    })
}

/// Every `auth { }` and `registry_auth { }` block in `text`.
pub(crate) fn blocks(text: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut done = 0;
    for c in opener().captures_iter(text) {
        let m = c.get(0).expect("whole match");
        if m.start() < done {
            continue;
        }
        let name = String::from_utf8_lossy(&c[1]).into_owned();
        let body_start = m.end();
        let body_end = close_brace(text, body_start);
        done = body_end;
        let body = &text[body_start..body_end];
        let mut attrs = Vec::new();
        for a in attribute().captures_iter(body) {
            let q = body_start + a.get(0).expect("whole match").end();
            let Some((value, end)) = string_at(text, q, body_end) else {
                continue;
            };
            attrs.push(Attr {
                name: String::from_utf8_lossy(&a[1]).into_owned(),
                value,
                span: q..end,
            });
        }
        out.push(Block { name, attrs });
    }
    out
}

/// The end of a block body starting at `from` (the offset of its `}`),
/// skipping strings; bounded by [`MAX_BODY`].
fn close_brace(text: &[u8], from: usize) -> usize {
    let limit = text.len().min(from + MAX_BODY);
    let mut depth = 0usize;
    let mut i = from;
    while i < limit {
        match text[i] {
            b'"' => {
                i += 1;
                while i < limit && text[i] != b'"' && text[i] != b'\n' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' if depth == 0 => return i,
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    limit
}

/// The HCL string whose contents start at `q` (after the opening quote):
/// its unescaped value and the offset of the closing quote.
fn string_at(text: &[u8], q: usize, end: usize) -> Option<(String, usize)> {
    let mut out = Vec::new();
    let mut i = q;
    while i < end {
        match text[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i)),
            b'\n' => return None,
            b'\\' if i + 1 < end => {
                out.push(match text[i + 1] {
                    b'n' => b'\n',
                    b't' => b'\t',
                    c => c,
                });
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_string_attributes() {
        let text = "task \"x\" {\n  config {\n    image = \"r.example.test/app\"\n    auth {\n      username = \"ci\"\n      password = \"FAKE\\\"1\"\n      server_address = var.addr\n    }\n  }\n}\nprovider \"docker\" {\n  registry_auth {\n    address = \"r.example.test\"\n    password = data.x.y\n  }\n}\nauto_auth {\n  password = \"no\"\n}\n";
        let b = blocks(text.as_bytes());
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].name, "auth");
        let pw = b[0].get("password").unwrap();
        assert_eq!(pw.value, "FAKE\"1");
        assert_eq!(&text[pw.span.clone()], "FAKE\\\"1");
        assert!(b[0].get("server_address").is_none());
        assert_eq!(b[1].name, "registry_auth");
        assert_eq!(b[1].get("address").unwrap().value, "r.example.test");
        assert!(b[1].get("password").is_none());
    }

    #[test]
    fn unterminated_block_is_bounded() {
        let text = format!("auth {{\n  password = \"FAKE\"\n{}", "x".repeat(100_000));
        let b = blocks(text.as_bytes());
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].get("password").unwrap().value, "FAKE");
    }
}
