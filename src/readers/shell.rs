//! A shell-like tokenizer for one logical command line.
//!
//! Good enough to read login commands wherever they are written: shell
//! scripts, Makefiles, Dockerfile `RUN`, CI `run:` steps and Markdown. It
//! follows `\` (and PowerShell `` ` ``) line continuations, single and double
//! quotes and backslash escapes, and keeps for every byte of a token's value
//! the file offset it came from, so a finding can point at the password
//! itself. Quotes never span lines: prose apostrophes must not swallow a
//! file.

/// One word or operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The word with quotes and escapes removed.
    pub value: String,
    /// File offset of each byte of `value`, plus one for the end.
    pub offsets: Vec<usize>,
    /// An operator: `|`, `||`, `&&`, `;`, `&`, `(`, `)`, `<`, `>`, `<<<`.
    pub op: bool,
    /// Ranges of `value` that were quoted.
    pub quoted: Vec<std::ops::Range<usize>>,
}

impl Token {
    /// File span of `value[a..b]`.
    pub(crate) fn span(&self, a: usize, b: usize) -> std::ops::Range<usize> {
        if a >= b {
            return self.offsets[a]..self.offsets[a];
        }
        self.offsets[a]..self.offsets[b - 1] + 1
    }

    pub(crate) fn full_span(&self) -> std::ops::Range<usize> {
        self.span(0, self.value.len())
    }

    /// The part of `value` after the first `:`, as a sub-token (for
    /// `user:password` values).
    pub(crate) fn split_pair(&self) -> Option<(String, Token)> {
        let i = self.value.find(':')?;
        Some((
            self.value.get(..i)?.to_string(),
            Token {
                value: self.value.get(i + 1..)?.to_string(),
                offsets: self.offsets.get(i + 1..)?.to_vec(),
                op: false,
                quoted: Vec::new(),
            },
        ))
    }

    /// `value[from..]` as a sub-token (for `--password=X`).
    pub(crate) fn tail(&self, from: usize) -> Token {
        // Off a character boundary (never for the ASCII options that
        // call this), the tail is empty rather than a panic.
        let from = if self.value.is_char_boundary(from) {
            from
        } else {
            self.value.len()
        };
        Token {
            value: self.value.get(from..).unwrap_or_default().to_string(),
            offsets: self.offsets.get(from..).unwrap_or_default().to_vec(),
            op: false,
            quoted: Vec::new(),
        }
    }

    /// The quoted parts of this word as sub-tokens, for commands quoted
    /// inside a word (`run: "docker login ..."`, `{"cmd": "..."}`).
    pub(crate) fn quoted_parts(&self) -> impl Iterator<Item = Token> + '_ {
        self.quoted.iter().filter_map(|r| {
            Some(Token {
                value: self.value.get(r.clone())?.to_string(),
                offsets: self.offsets.get(r.start..=r.end)?.to_vec(),
                op: false,
                quoted: Vec::new(),
            })
        })
    }
}

/// A word being built: raw bytes and their file offsets.
#[derive(Default)]
struct Word {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
    quoted: Vec<std::ops::Range<usize>>,
}

impl Word {
    fn finish(mut self, end: usize) -> Token {
        self.offsets.push(end);
        // Keep one byte per offset: invalid UTF-8 bytes become `?`.
        let value = String::from_utf8(self.bytes).unwrap_or_else(|e| {
            e.into_bytes()
                .into_iter()
                .map(|b| if b.is_ascii() { b as char } else { '?' })
                .collect()
        });
        Token {
            value,
            offsets: self.offsets,
            op: false,
            quoted: self.quoted,
        }
    }
}

/// Programs whose inline-code spans (`` `docker login ...` ``) are Markdown,
/// not command substitution.
const CODE_PROGRAMS: &[&str] = &[
    "docker", "podman", "buildah", "nerdctl", "helm", "oras", "crane", "kubectl", "oc", "skopeo",
    "ctr", "crictl", "echo", "printf", "sudo", "az", "regctl", "finch",
];

/// Whether a line continues on the next one: it ends with `\` (shell) or a
/// backtick (PowerShell), ignoring a trailing `\r`.
pub(crate) fn continues(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // A Markdown code fence (```` ``` ````, ```` ```sh ````) is no PowerShell
    // continuation.
    if line.trim_ascii_start().starts_with(b"``") {
        return false;
    }
    matches!(line.last(), Some(b'\\' | b'`'))
}

/// Tokenizes the logical line starting at `start` in `src`, stopping at
/// `limit` at the latest. `base` maps `src` offsets to file offsets
/// (`None`: they are file offsets). Returns the tokens and the offset where
/// tokenizing stopped.
pub(crate) fn tokenize(
    src: &[u8],
    base: Option<&[usize]>,
    start: usize,
    limit: usize,
) -> (Vec<Token>, usize) {
    let src = &src[..limit.min(src.len())];
    let at = |i: usize| base.map_or(i, |b| b[i.min(b.len() - 1)]);
    let mut out: Vec<Token> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut code_end: Option<usize> = None;
    let n = src.len();
    let mut i = start;
    fn push(cur: &mut Option<Word>, c: u8, off: usize) {
        let w = cur.get_or_insert_with(Word::default);
        w.bytes.push(c);
        w.offsets.push(off);
    }
    fn push_range(
        cur: &mut Option<Word>,
        src: &[u8],
        r: std::ops::Range<usize>,
        at: &dyn Fn(usize) -> usize,
    ) {
        for (j, &b) in src[r.clone()].iter().enumerate() {
            push(cur, b, at(r.start + j));
        }
    }
    fn end_word(cur: &mut Option<Word>, out: &mut Vec<Token>, end: usize) {
        if let Some(w) = cur.take() {
            out.push(w.finish(end));
        }
    }
    let line_break = |i: usize| -> Option<usize> {
        // `\` or backtick then `\r?\n`: returns the offset after the break.
        let mut j = i + 1;
        if src.get(j) == Some(&b'\r') {
            j += 1;
        }
        (src.get(j) == Some(&b'\n')).then_some(j + 1)
    };
    while i < n {
        let c = src[i];
        if Some(i) == code_end {
            code_end = None;
            end_word(&mut cur, &mut out, at(i));
            i += 1;
            continue;
        }
        match c {
            b'\n' => break,
            b'\r' if src.get(i + 1) == Some(&b'\n') => break,
            b' ' | b'\t' | b'\r' => {
                end_word(&mut cur, &mut out, at(i));
                i += 1;
            }
            b'\\' => {
                if let Some(next) = line_break(i) {
                    end_word(&mut cur, &mut out, at(i));
                    i = next;
                } else if base.is_some() && matches!(src.get(i + 1), Some(b'n' | b'r' | b't')) {
                    // Inside a string literal (a command quoted in JSON,
                    // YAML, a Dockerfile), `\n` is a line break, not the
                    // letter n: it ends the word.
                    end_word(&mut cur, &mut out, at(i));
                    i += 2;
                } else if i + 1 < n && src[i + 1] != b'\n' {
                    push(&mut cur, src[i + 1], at(i + 1));
                    i += 2;
                } else {
                    i += 1;
                }
            }
            b'`' => {
                if let Some(next) = line_break(i) {
                    end_word(&mut cur, &mut out, at(i));
                    i = next;
                    continue;
                }
                let close = src[i + 1..]
                    .iter()
                    .position(|&b| b == b'`' || b == b'\n')
                    .map(|p| i + 1 + p)
                    .filter(|&p| src[p] == b'`');
                let inner = close.map(|p| &src[i + 1..p]).unwrap_or(&[]);
                if close.is_some() && is_code_span(inner) {
                    // Markdown inline code: the backticks separate words.
                    end_word(&mut cur, &mut out, at(i));
                    code_end = close;
                    i += 1;
                } else if close.is_none() && cur.is_none() {
                    // An unclosed backtick opening a word (a Go raw
                    // string, a JS template spanning lines): the string
                    // starts, and a command may follow.
                    i += 1;
                } else {
                    // Command substitution: kept verbatim, so the word is
                    // recognised as a reference.
                    let end = close.map_or(i + 1, |p| p + 1);
                    push_range(&mut cur, src, i..end, &at);
                    i = end;
                }
            }
            b'\'' | b'"' => {
                let q = c;
                let Some(close) = find_close(src, i + 1, q) else {
                    // Unbalanced: an apostrophe in prose is literal; a
                    // quote opening a word opens a string that goes on
                    // past the line (a command inside it is read).
                    if cur.is_some() {
                        push(&mut cur, c, at(i));
                    }
                    i += 1;
                    continue;
                };
                let qstart = cur.get_or_insert_with(Word::default).bytes.len();
                let mut j = i + 1;
                while j < close {
                    if q == b'"' && src[j] == b'\\' && j + 1 < close {
                        if let Some(next) = line_break(j) {
                            j = next;
                            continue;
                        }
                        if matches!(src[j + 1], b'"' | b'\\' | b'$' | b'`') {
                            push(&mut cur, src[j + 1], at(j + 1));
                            j += 2;
                            continue;
                        }
                    }
                    push(&mut cur, src[j], at(j));
                    j += 1;
                }
                if let Some(w) = cur.as_mut() {
                    let qend = w.bytes.len();
                    if qend > qstart {
                        w.quoted.push(qstart..qend);
                    }
                }
                i = close + 1;
            }
            b'$' if matches!(src.get(i + 1), Some(b'(' | b'{')) => {
                // `$(cmd)`, `${VAR}`, `${{ expr }}`: one word, kept verbatim
                // so it reads as a reference.
                let end = matching(src, i + 1).map_or(i + 2, |p| p + 1);
                push_range(&mut cur, src, i..end, &at);
                i = end;
            }
            b'#' if cur.is_none() => {
                // A comment runs to the end of the physical line.
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
            }
            b'|' | b'&' | b';' | b'(' | b')' | b'<' | b'>' => {
                end_word(&mut cur, &mut out, at(i));
                let mut j = i + 1;
                let text: &[u8] = match (c, src.get(i + 1), src.get(i + 2)) {
                    (b'<', Some(b'<'), Some(b'<')) => {
                        j = i + 3;
                        b"<<<"
                    }
                    (b'|', Some(b'|'), _) | (b'&', Some(b'&'), _) => {
                        j = i + 2;
                        &src[i..i + 2]
                    }
                    _ => &src[i..i + 1],
                };
                out.push(Token {
                    value: String::from_utf8_lossy(text).into_owned(),
                    offsets: (i..=j).map(at).collect(),
                    op: true,
                    quoted: Vec::new(),
                });
                i = j;
            }
            _ => {
                push(&mut cur, c, at(i));
                i += 1;
            }
        }
    }
    end_word(&mut cur, &mut out, at(i.min(n)));
    (out, i)
}

/// The closing quote for a quote opened before `from`, on the same logical
/// line.
fn find_close(src: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut j = from;
    while j < src.len() {
        match src[j] {
            b'\n' => {
                // A continuation inside double quotes goes on.
                let mut k = j;
                if k > 0 && src[k - 1] == b'\r' {
                    k -= 1;
                }
                if q == b'"' && k > 0 && src[k - 1] == b'\\' {
                    j += 1;
                    continue;
                }
                return None;
            }
            b'\\' if q == b'"' => j += 2,
            c if c == q => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// The bracket closing the one at `open`, on the same line.
fn matching(src: &[u8], open: usize) -> Option<usize> {
    let (o, c) = match src[open] {
        b'(' => (b'(', b')'),
        _ => (b'{', b'}'),
    };
    let mut depth = 0usize;
    for (j, &b) in src.iter().enumerate().skip(open) {
        if b == b'\n' {
            return None;
        }
        if b == o {
            depth += 1;
        } else if b == c {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

fn is_code_span(inner: &[u8]) -> bool {
    let s = String::from_utf8_lossy(inner);
    let s = s.trim_start().trim_start_matches("$ ");
    let first = s.split_whitespace().next().unwrap_or("");
    s.contains(' ') && CODE_PROGRAMS.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(s.as_bytes(), None, 0, usize::MAX)
            .0
            .into_iter()
            .map(|t| t.value)
            .collect()
    }

    #[test]
    fn quotes_escapes_and_operators() {
        assert_eq!(
            words(r#"echo "a b" 'c\d' e\ f|docker login -p="x\"y" && z"#),
            ["echo", "a b", "c\\d", "e f", "|", "docker", "login", "-p=x\"y", "&&", "z"]
        );
        assert_eq!(words("a <<< b # comment -p x"), ["a", "<<<", "b"]);
    }

    #[test]
    fn continuations_and_offsets() {
        let text = "docker login \\\n  -u ci \\\r\n  -p FAKE1234\nnext line";
        let (toks, end) = tokenize(text.as_bytes(), None, 0, usize::MAX);
        let v: Vec<&str> = toks.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(v, ["docker", "login", "-u", "ci", "-p", "FAKE1234"]);
        assert_eq!(&text[toks[5].full_span()], "FAKE1234");
        assert_eq!(&text[end..end + 1], "\n");
        let ps = "docker login `\n  -p FAKE1234";
        assert_eq!(words(ps), ["docker", "login", "-p", "FAKE1234"]);
    }

    #[test]
    fn backticks_markdown_vs_substitution() {
        let md = "Run `docker login -u ci -p FAKE1234` first";
        let (toks, _) = tokenize(md.as_bytes(), None, 0, usize::MAX);
        let p = toks.iter().find(|t| t.value == "FAKE1234").unwrap();
        assert_eq!(&md[p.full_span()], "FAKE1234");
        assert_eq!(words("-p `cat pw`"), ["-p", "`cat pw`"]);
        assert_eq!(
            words("-p $(cat pw) ${{ secrets.X }} | x"),
            ["-p", "$(cat pw)", "${{ secrets.X }}", "|", "x"]
        );
    }

    #[test]
    fn limit_stops_tokenizing() {
        let (toks, end) = tokenize(b"docker login -p FAKE1234", None, 0, 12);
        assert_eq!(end, 12);
        assert_eq!(toks.len(), 2);
    }

    #[test]
    fn quotes_do_not_span_lines() {
        assert_eq!(words("it's fine\nnext"), ["it's", "fine"]);
    }

    #[test]
    fn mapped_offsets() {
        let inner = b"docker login -p X9";
        let base: Vec<usize> = (100..100 + inner.len() + 1).collect();
        let (toks, _) = tokenize(inner, Some(&base), 0, usize::MAX);
        assert_eq!(toks[3].full_span(), 116..118);
    }
}
