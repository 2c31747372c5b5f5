//! Escaping untrusted text for terminals and CI logs: the one place that
//! decides how scanned content (paths, registry keys, usernames, snippet
//! lines, decoded values) is made safe to print.
//!
//! A scanned file controls these strings. Printed raw, an ESC sequence can
//! clear the screen, retitle the window or plant an OSC 8 link; a CR or LF
//! starts a new log line, and in a GitHub Actions log a line starting with
//! `::` is a workflow command (`::error`, `::add-mask::`,
//! `::stop-commands::`). So every control character (C0, DEL, C1) and the
//! invisible formatting characters that reorder or hide text (bidi
//! overrides and isolates, zero-width characters, line and paragraph
//! separators, BOM) are written as visible escapes, the way `git` quotes
//! odd paths:
//!
//! - [`text`] for free text (snippet lines, values, messages): the C escapes
//!   `\a \b \t \n \v \f \r` and octal `\ooo` for the UTF-8 bytes of any
//!   other such character. A tab is kept in snippet lines only
//!   ([`text_keep_tabs`]): it moves the cursor forward and forges nothing.
//! - [`quote`] / [`quote_bytes`] for names (paths, registry keys,
//!   usernames): unchanged when plain; otherwise wrapped in double quotes
//!   with `\"`, `\\` and the escapes above, and invalid UTF-8 bytes in
//!   octal, exactly as `git ls-files` shows a name. A quoted name is
//!   unambiguous: a real backslash is `\\`.
//!
//! Reporters call these on every untrusted string; the JSON formats rely
//! on JSON's own string escaping instead.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or log raw.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{b}' => out.push_str("\\v"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        _ => {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                push_octal(out, b);
            }
        }
    }
}

fn push_octal(out: &mut String, b: u8) {
    out.push('\\');
    out.push(char::from(b'0' + (b >> 6)));
    out.push(char::from(b'0' + ((b >> 3) & 7)));
    out.push(char::from(b'0' + (b & 7)));
}

/// Byte offsets of each `:` at the start of `s` or after a space or tab.
/// Wrapped or indented, such a word can start a log line, and the Actions
/// runner trims leading whitespace before looking for a `::` workflow
/// command; a reporter may also append `:LINE` to a name (a file named `:`
/// makes `::5`). Such a colon is escaped (`\072`).
fn command_colons(s: &str) -> Vec<usize> {
    let b = s.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b':' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')))
        .collect()
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let colons = command_colons(s);
    if colons.is_empty() && !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        if is_unsafe(c) && !keep(c) {
            push_escaped(&mut out, c);
        } else if colons.contains(&i) {
            push_octal(&mut out, b':');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Free text with every unsafe character escaped; everything else
/// (backslashes included) is kept as is.
pub fn text(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// [`text`] that keeps tabs (for source lines, where tabs are indentation).
pub fn text_keep_tabs(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\t')
}

/// A name quoted as git quotes paths: unchanged when it holds no unsafe
/// character, `"` or `\`; otherwise in double quotes with escapes.
pub fn quote(s: &str) -> Cow<'_, str> {
    if command_colons(s).is_empty() && !s.chars().any(|c| is_unsafe(c) || c == '"' || c == '\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    out.push('"');
    push_quoted(&mut out, s);
    out.push('"');
    Cow::Owned(out)
}

/// [`quote`] for a name that may not be UTF-8 (a Unix file name): invalid
/// bytes are written in octal, so the name shown is the real file's.
pub fn quote_bytes(b: &[u8]) -> String {
    let Ok(s) = std::str::from_utf8(b) else {
        let mut q = String::with_capacity(b.len() + 8);
        q.push('"');
        for chunk in b.utf8_chunks() {
            push_quoted(&mut q, chunk.valid());
            for &byte in chunk.invalid() {
                push_octal(&mut q, byte);
            }
        }
        q.push('"');
        return q;
    };
    quote(s).into_owned()
}

fn push_quoted(out: &mut String, s: &str) {
    let colons = command_colons(s);
    for (i, c) in s.char_indices() {
        match c {
            ':' if colons.contains(&i) => push_octal(out, b':'),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_unsafe(c) => push_escaped(out, c),
            c => out.push(c),
        }
    }
}

/// The bytes of a path (the OS's own, not a lossy string).
#[cfg(unix)]
pub fn path_bytes(p: &std::path::Path) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(p.as_os_str().as_bytes())
}

/// The bytes of a path (the OS's own, not a lossy string).
#[cfg(not(unix))]
pub fn path_bytes(p: &std::path::Path) -> Cow<'_, [u8]> {
    match p.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_every_control_and_invisible_character() {
        assert_eq!(text("registry.example.test"), "registry.example.test");
        assert_eq!(text("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(text("\u{1b}]0;pwned\u{7}"), "\\033]0;pwned\\a");
        assert_eq!(text("x\u{7f}y\u{9b}z"), "x\\177y\\302\\233z");
        assert_eq!(text("a\u{202e}b"), "a\\342\\200\\256b");
        assert_eq!(text("\u{2028}"), "\\342\\200\\250");
        assert_eq!(text("café \\n"), "café \\n");
        assert_eq!(text_keep_tabs("\tx\u{1b}"), "\tx\\033");
        for c in (0u32..0x250).filter_map(char::from_u32) {
            let out = text(&c.to_string()).into_owned();
            assert!(!out.chars().any(|c| c.is_control()), "{c:?} -> {out:?}");
        }
    }

    #[test]
    fn a_word_starting_with_two_colons_is_escaped() {
        assert_eq!(text("::error::x"), "\\072:error::x");
        assert_eq!(text("see ::add-mask::y"), "see \\072:add-mask::y");
        assert_eq!(text("std::io::Read a::b"), "std::io::Read a::b");
        assert_eq!(quote("::x"), "\"\\072:x\"");
    }

    #[test]
    fn forged_workflow_commands_stay_on_the_line() {
        let key = "registry.example.test\n::error file=x::forged\r\n  ::add-mask::x";
        let out = text(key);
        assert!(!out.contains('\n') && !out.contains('\r'), "{out}");
        assert!(!out.lines().any(|l| l.trim_start().starts_with("::")));
    }

    #[test]
    fn names_are_quoted_like_git() {
        assert_eq!(quote("k8s/secret.yaml"), "k8s/secret.yaml");
        assert_eq!(quote("café.txt"), "café.txt");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        assert_eq!(quote_bytes(b"dir/caf\xe9.txt"), "\"dir/caf\\351.txt\"");
        assert_eq!(quote_bytes(b"plain/name"), "plain/name");
        assert_eq!(quote_bytes(b"x\xff\\\n"), "\"x\\377\\\\\\n\"");
        // The same as git's own quoting of that name.
        assert_eq!(quote_bytes("é\u{1}".as_bytes()), "\"é\\001\"");
    }
}
