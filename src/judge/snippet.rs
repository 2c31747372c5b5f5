//! The window of source shown under a finding, cut and redacted: the
//! value (unless revealed), the secret wherever else it stands on the
//! line, and every other base64-looking run beside it. `report::snippet`
//! escapes it for the terminal and serves it to miette.

use std::ops::Range;

use crate::model::finding::redact;
use crate::model::snippet::Window;
use crate::model::span::{char_count, LineIndex};
use crate::readers::decode;

/// Characters of context kept before and after the value.
const BEFORE: usize = 60;
const AFTER: usize = 40;

/// The window for the value at `span` in `file`. The value is redacted
/// unless `reveal`; so is any other base64 run shown beside it, and
/// `secret` wherever it stands on the line (a token written in the
/// username slot is the secret, while `span` is the other field).
pub(crate) fn window(
    file: &[u8],
    idx: &LineIndex<'_>,
    span: Range<usize>,
    secret: &str,
    reveal: bool,
) -> Window {
    let l0 = idx.line_of(span.start);
    let l1 = idx.line_of(span.end.saturating_sub(1).max(span.start));
    let line_start = idx.line_start(l0);
    let end_line_end = idx.line_end(l1);
    // Hidden before the context is cut, so no part of it shows either.
    let hide = |s: std::borrow::Cow<'_, str>| -> String {
        if reveal || secret.trim().is_empty() {
            s.into_owned()
        } else {
            s.replace(secret, &redact(secret))
        }
    };
    let prefix_full = hide(String::from_utf8_lossy(&file[line_start..span.start]));
    let suffix_full = hide(String::from_utf8_lossy(
        &file[span.end.min(end_line_end)..end_line_end],
    ));
    let prefix = tail_chars(&prefix_full, BEFORE);
    let suffix = head_chars(&suffix_full, AFTER);
    let value = String::from_utf8_lossy(&file[span.clone()]).replace(['\r', '\n'], "");
    let shown = if reveal { value } else { redact(value.trim()) };
    let (prefix, suffix) = if reveal {
        (prefix, suffix)
    } else {
        (mask_runs(&prefix), mask_runs(&suffix))
    };
    Window {
        prefix,
        shown,
        suffix,
        prefix_full: prefix_full.len(),
        suffix_full: suffix_full.len(),
        line0: l0,
        col0: char_count(&file[line_start..span.start]),
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

fn head_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Redacts every base64-looking run (another credential may sit on the
/// same line). Words and identifiers such as `.dockerconfigjson` or
/// `imagePullSecrets` are kept: a run is masked when it is long and has a
/// digit, `+`, `/` or padding, as encoded secrets do.
fn mask_runs(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for run in decode::runs(bytes) {
        let value = &bytes[run.start..run.end];
        let encoded = value.len() >= 16
            && value
                .iter()
                .any(|c| c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'='));
        if !encoded {
            continue;
        }
        // Runs are ASCII, so their ends are character boundaries; the
        // bytes are decoded anyway rather than sliced as `str`.
        out.push_str(&String::from_utf8_lossy(&bytes[last..run.start]));
        out.push_str(&redact(&String::from_utf8_lossy(value)));
        last = run.end;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[last..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::snippet::Snippet;

    #[test]
    fn snippet_redacts_value_and_neighbours() {
        let file = b"a: 1\nauth: Y2ktYm90OkZBS0VwYXNzLTEyMzQ= other: QUJDREVGR0hJSktMTU5PUA==\n";
        let idx = LineIndex::new(file);
        let s = Snippet::new("f.yml", window(file, &idx, 11..39, "", false));
        let k8s = b"data:\n  .dockerconfigjson: eyJhdXRocyI6e30=\n";
        let kidx = LineIndex::new(k8s);
        let ks = Snippet::new("s.yml", window(k8s, &kidx, 27..43, "", false));
        assert!(
            ks.text().starts_with("  .dockerconfigjson: ey********0="),
            "{}",
            ks.text()
        );
        assert!(!s.text().contains("Y2ktYm90OkZBS0VwYXNzLTEyMzQ="));
        assert!(!s.text().contains("QUJDREVGR0hJSktMTU5PUA=="));
        assert!(s.text().starts_with("auth: Y2********Q="));
        assert_eq!(s.line0, 1);
        assert_eq!(s.col0, 6);
    }

    #[test]
    fn the_secret_is_hidden_wherever_it_stands_on_the_line() {
        // A token in the username slot is the secret; the span is the
        // password field's. Long enough that the context is cut inside it.
        let token = "ghp_Zq8vLm2Kp4Rt7WxZq8vLm2Kp4Rt7WxAbCd12/";
        let line = format!(
            "{{\"auths\": {{\"r.example.test\": {{\"username\": \"{token}\", \"password\": \"x-oauth-basic\"}}}}}}\n"
        );
        let file = line.as_bytes();
        let idx = LineIndex::new(file);
        let start = line.find("x-oauth-basic").unwrap();
        let s = Snippet::new(
            "c.json",
            window(file, &idx, start..start + 13, token, false),
        );
        assert!(!s.text().contains("Zq8vLm2Kp4Rt7Wx"), "{}", s.text());
        let revealed = Snippet::new("c.json", window(file, &idx, start..start + 13, token, true));
        assert!(revealed.text().contains(token), "{}", revealed.text());
    }
}
