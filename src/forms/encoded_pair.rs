//! CS004: a literal `user:password` pair fed to a base64 encoder, or a
//! base64 token fed to a decoder that decodes to one, in a file about
//! registry auth.
//!
//! Encoders: shell `echo -n 'u:p' | base64`, `printf '%s' 'u:p' | base64`,
//! `base64 <<< 'u:p'`; HCL `base64encode("u:p")`; JavaScript `btoa('u:p')`
//! and `Buffer.from('u:p')` (with `base64` on the line); Python
//! `b64encode(b"u:p")`; Go `EncodeToString([]byte("u:p"))`. Decoders, as
//! docs pages tell readers to check a token: `echo T | base64 -d`
//! (`--decode`, `-D`), `base64 -d <<< T`, `openssl base64 -d`.
//!
//! The file must name a registry somewhere (a registry hint, as for the
//! `structured` form): a pair fed to an encoder is an HTTP Basic
//! credential, and only a registry's is in scope. Interpolated pairs
//! (`"$U:$P"`, `"${var.u}:${var.p}"`, `fmt.Sprintf("%s:%s", u, p)`) are
//! references or templates, never literals.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::args::program;
use crate::readers::shell::{self, Token};

pub(crate) const FORM: Form = Form {
    slug: "encoded-pair",
    rule: Rule::BasicAuthPair,
    title: "user:password fed to a base64 encoder or decoder",
    gate: &[
        "base64",
        "btoa(",
        "b64encode(",
        "EncodeToString(",
        "Buffer.from(",
    ],
    check: Check::AtGate(scan),
    hint: None,
    doc: "A literal `user:password` given to a base64 encoder in a file that names a registry: shell `echo -n 'u:p' \\| base64`, `printf '%s' 'u:p' \\| base64`, `base64 <<< 'u:p'`; HCL `base64encode(\"u:p\")`; JavaScript `btoa('u:p')`, `Buffer.from('u:p')`; Python `b64encode(b\"u:p\")`; Go `EncodeToString([]byte(\"u:p\"))`. Also a token given to a decoder that decodes to such a pair (`echo T \\| base64 -d`, `base64 -d <<< T`, `openssl base64 -d`), as docs pages tell readers to check a token. Interpolated pairs are never findings.",
};

/// Calls whose first argument is encoded.
const CALLS: &[&str] = &[
    "base64encode(",
    "btoa(",
    "b64encode(",
    "EncodeToString(",
    "Buffer.from(",
];

/// Bytes of one logical line read at most.
const MAX_LINE: usize = 16 * 1024;

/// The encoder call starting at a gate literal at `at`, if one does
/// (`base64` begins `base64encode(`).
fn call_at(text: &[u8], at: usize, word: &str) -> Option<&'static str> {
    CALLS
        .iter()
        .copied()
        .find(|c| c.starts_with(word) && text[at..].starts_with(c.as_bytes()))
}

pub(crate) fn scan(text: &[u8], gate: &[(usize, &'static str)], out: &mut Vec<Candidate>) {
    let mut found = Vec::new();
    // The calls as a leftmost-first search would report them: none
    // inside another.
    let mut last_end = 0;
    for &(at, word) in gate {
        let Some(call) = call_at(text, at, word) else {
            continue;
        };
        if at < last_end {
            continue;
        }
        last_end = at + call.len();
        {
            // Bounded: a minified line holds thousands of calls.
            let line = super::structured::line_within(text, at, MAX_LINE);
            if call == "Buffer.from("
                && memchr::memmem::find(&text[line.clone()], b"base64").is_none()
            {
                continue;
            }
            if let Some((value, start)) = call_literal(text, at + call.len(), line.end) {
                encoded(text, value, start, call.trim_end_matches('('), &mut found);
            }
        }
    }
    // Shell pipes and here-strings around a `base64` command word.
    let mut done = 0;
    for at in gate
        .iter()
        .filter(|&&(_, w)| w == "base64")
        .map(|&(at, _)| at)
    {
        if at < done || !command_word(text, at) {
            continue;
        }
        let line = super::structured::line_around(text, at);
        done = line.end;
        let l = &text[line.clone()];
        if l.len() > MAX_LINE
            || (memchr::memchr(b'|', l).is_none() && memchr::memmem::find(l, b"<<<").is_none())
        {
            continue;
        }
        // Inside `$( ... )` or backticks, the command starts after them
        // (the tokenizer keeps a substitution as one word).
        let before = &text[line.start..at];
        let start = line.start
            + memchr::memmem::rfind(before, b"$(")
                .map(|i| i + 2)
                .max(memchr::memrchr(b'`', before).map(|i| i + 1))
                .unwrap_or(0);
        let (tokens, _) = shell::tokenize(text, None, start, line.end);
        shell_line(text, &tokens, &mut found);
    }
    // Only in a file that names a registry (searched last: most files
    // have no candidate).
    if !found.is_empty() && super::structured::names_a_registry(text) {
        out.append(&mut found);
    }
}

/// `base64` at `at` is a command word: not part of an identifier or a
/// dotted name (`base64.b64encode`, `base64encode`, `encoding/base64`).
fn command_word(text: &[u8], at: usize) -> bool {
    let before = at.checked_sub(1).map(|i| text[i]);
    let after = text.get(at + 6).copied();
    let inner = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/');
    !before.is_some_and(inner)
        && !after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'('))
}

/// The literal first argument of a call whose `(` ends at `open`:
/// `("v")`, `([]byte("v"))`, `(b"v")`, `('v'.encode())`. Returns the
/// value and its offset in the file.
fn call_literal(text: &[u8], open: usize, end: usize) -> Option<(&str, usize)> {
    let mut i = open;
    let skip_ws = |i: &mut usize| {
        while *i < end && matches!(text[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if text[i..end].starts_with(b"[]byte(") {
        i += 7;
    }
    if i < end && matches!(text[i], b'b' | b'u') && matches!(text.get(i + 1), Some(b'"' | b'\'')) {
        i += 1;
    }
    let q = *text.get(i).filter(|_| i < end)?;
    if !matches!(q, b'"' | b'\'') {
        return None;
    }
    let close = i + 1 + memchr::memchr(q, &text[i + 1..end])?;
    let after = text.get(close + 1).copied();
    if !matches!(after, Some(b')' | b'.' | b',')) {
        return None;
    }
    let v = std::str::from_utf8(&text[i + 1..close]).ok()?;
    Some((v, i + 1))
}

/// A literal `user:password` given to an encoder: the password is the
/// finding.
fn encoded(_text: &[u8], value: &str, start: usize, how: &str, out: &mut Vec<Candidate>) {
    let Some((user, password)) = value.split_once(':') else {
        return;
    };
    if user.is_empty() || !crate::forms::placeholder::plausible_pair(user, password) {
        return;
    }
    let at = start + user.len() + 1;
    out.push(Candidate {
        quoted: false,
        rule: Rule::BasicAuthPair,
        context: Context::Other,
        span: at..at + password.len(),
        secret: password.to_string(),
        username: Some(user.to_string()),
        registry: None,
        kind: SecretKind::Password,
        chain: format!("{how}(\"user:password\")"),
    });
}

/// A token given to a decoder: its decoding, if a pair, is the finding.
fn decoded(token: &Token, how: &str, out: &mut Vec<Candidate>) {
    let Some(clear) = crate::readers::decode::decode_text(token.value.as_bytes()) else {
        return;
    };
    let clear = clear.trim_end_matches(['\n', '\r']);
    let Some((user, password)) = clear.split_once(':') else {
        return;
    };
    if !crate::forms::placeholder::plausible_pair(user, password) {
        return;
    }
    out.push(Candidate {
        quoted: false,
        rule: Rule::BasicAuthPair,
        context: Context::Other,
        span: token.full_span(),
        secret: password.to_string(),
        username: Some(user.to_string()),
        registry: None,
        kind: SecretKind::Password,
        chain: format!("{how} -> user:password"),
    });
}

/// `echo X | base64 [-d]`, `printf [fmt] X | base64`, `base64 [-d] <<< X`,
/// `openssl base64 -d`.
fn shell_line(text: &[u8], tokens: &[Token], out: &mut Vec<Candidate>) {
    for (i, t) in tokens.iter().enumerate() {
        if t.op || !(program(&t.value) == "base64" || t.value == "base64" && i > 0) {
            continue;
        }
        let is_openssl = i > 0 && program(&tokens[i - 1].value) == "openssl";
        if program(&t.value) != "base64" && !is_openssl {
            continue;
        }
        // The rest of this command: its options and a here-string.
        let rest: Vec<&Token> = tokens[i + 1..]
            .iter()
            .take_while(|t| !(t.op && matches!(t.value.as_str(), "|" | ";" | "&&" | "||")))
            .collect();
        let decode = rest
            .iter()
            .any(|t| matches!(t.value.as_str(), "-d" | "--decode" | "-D" | "-di" | "-id"));
        let here = rest
            .iter()
            .position(|t| t.op && t.value == "<<<")
            .and_then(|k| rest.get(k + 1))
            .filter(|t| !t.op)
            .map(|t| (*t).clone());
        let start = if is_openssl { i - 1 } else { i };
        let fed = here.or_else(|| {
            (start >= 2 && tokens[start - 1].op && tokens[start - 1].value == "|")
                .then(|| echoed(&tokens[..start - 1]))
                .flatten()
        });
        let Some(fed) = fed else { continue };
        if decode {
            decoded(&fed, "base64 -d", out);
        } else if !fed.value.is_empty() {
            let start = fed.offsets[0];
            // Only a literal written in one piece: its bytes are contiguous.
            let contiguous =
                fed.offsets.windows(2).all(|w| w[1] == w[0] + 1) || fed.offsets.len() <= 1;
            let in_text =
                std::str::from_utf8(&text[start..(start + fed.value.len()).min(text.len())])
                    .is_ok_and(|s| s == fed.value);
            if contiguous || in_text {
                encoded(text, &fed.value, start, "base64", out);
            }
        }
    }
}

/// The argument an `echo`/`printf` at the end of `seg` writes.
fn echoed(seg: &[Token]) -> Option<Token> {
    let from = seg
        .iter()
        .rposition(|t| t.op && matches!(t.value.as_str(), "|" | ";" | "&&" | "||" | "(" | ")"))
        .map_or(0, |k| k + 1);
    let seg = &seg[from..];
    let p = seg
        .iter()
        .position(|t| !t.op && matches!(program(&t.value), "echo" | "printf"))?;
    let is_printf = program(&seg[p].value) == "printf";
    let args: Vec<&Token> = seg[p + 1..]
        .iter()
        .filter(|t| !(t.op || t.value.starts_with('-') && t.value.len() <= 3))
        .collect();
    match args.as_slice() {
        [one] if !(is_printf && one.value.contains('%')) => Some((*one).clone()),
        [fmt, one] if is_printf && fmt.value.starts_with('%') => Some((*one).clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let at = crate::forms::gate_positions(text.as_bytes(), FORM.gate);
        scan(text.as_bytes(), &at, &mut out);
        out.into_iter()
            .filter(Candidate::is_literal)
            .map(|c| {
                assert_eq!(&text[c.span.clone()].to_string(), &c.secret.clone(), "span");
                (c.secret, c.username)
            })
            .collect()
    }

    const CTX: &str = "# writes ~/.docker/config.json\n";

    #[test]
    fn encoders_of_literal_pairs() {
        for line in [
            "AUTH=$(echo -n 'enc-bot:Zq8vLm2Kp4Rt7Wx' | base64)",
            "AUTH=$(printf '%s' 'enc-bot:Zq8vLm2Kp4Rt7Wx' | base64 -w0)",
            "AUTH=$(base64 <<< 'enc-bot:Zq8vLm2Kp4Rt7Wx')",
            "auth = base64encode(\"enc-bot:Zq8vLm2Kp4Rt7Wx\")",
            "const a = btoa('enc-bot:Zq8vLm2Kp4Rt7Wx');",
            "const a = Buffer.from('enc-bot:Zq8vLm2Kp4Rt7Wx').toString('base64');",
            "a = base64.b64encode(b\"enc-bot:Zq8vLm2Kp4Rt7Wx\").decode()",
            "a := base64.StdEncoding.EncodeToString([]byte(\"enc-bot:Zq8vLm2Kp4Rt7Wx\"))",
        ] {
            let text = format!("{CTX}{line}\n");
            assert_eq!(
                found(&text),
                vec![("Zq8vLm2Kp4Rt7Wx".to_string(), Some("enc-bot".to_string()))],
                "{line}"
            );
        }
    }

    #[test]
    fn interpolated_pairs_and_files_without_a_registry_are_silent() {
        for line in [
            "AUTH=$(echo -n \"$U:$P\" | base64)",
            "auth = base64encode(\"${var.u}:${var.p}\")",
            "a := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(\"%s:%s\", u, p)))",
            "const a = btoa(`${u}:${p}`);",
            "const a = btoa(user + ':' + pass);",
            "AUTH=$(echo -n 'user:password' | base64)",
        ] {
            assert!(found(&format!("{CTX}{line}\n")).is_empty(), "{line}");
        }
        assert!(found("const a = btoa('enc-bot:Zq8vLm2Kp4Rt7Wx');\n").is_empty());
    }

    #[test]
    fn decoders_of_tokens() {
        let token = "ZGVjLWJvdDpacTh2TG0yS3A0UnQ3V3g="; // dec-bot:Zq8vLm2Kp4Rt7Wx
        for line in [
            format!("echo \"{token}\" | base64 -d"),
            format!("echo {token} | base64 --decode"),
            format!("base64 -d <<< {token}"),
            format!("echo '{token}' | openssl base64 -d"),
        ] {
            let mut out = Vec::new();
            let text = format!("{CTX}{line}\n");
            let at = crate::forms::gate_positions(text.as_bytes(), FORM.gate);
            scan(text.as_bytes(), &at, &mut out);
            assert_eq!(out.len(), 1, "{line}");
            assert_eq!(&text[out[0].span.clone()], token);
            assert_eq!(out[0].username.as_deref(), Some("dec-bot"));
        }
        let mut out = Vec::new();
        let text = format!("{CTX}echo \"<auth token>\" | base64 -d\n");
        let at = crate::forms::gate_positions(text.as_bytes(), FORM.gate);
        scan(text.as_bytes(), &at, &mut out);
        assert!(out.is_empty());
    }
}
