//! CS015: Docker access tokens by their prefix, anywhere.
//!
//! `dckr_pat_…` (personal) and `dckr_oat_…` (organization) tokens are
//! Docker's alone, so a literal one is a finding in any file and any
//! context (CI `env:` blocks, `.env`, notebooks, logs). The username is
//! taken from a `*USER*`/`username` key with a literal value within a few
//! lines. (Other providers' generic tokens, `ghp_`, `glpat-`, ..., are in
//! scope only in a registry context, through the other forms.)

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;

pub(crate) const FORM: Form = Form {
    slug: "docker-token",
    rule: Rule::RegistryCredential,
    title: "Docker access token by its prefix",
    gate: &["dckr_pat_", "dckr_oat_"],
    check: Check::Text(scan),
    hint: None,
    doc: "A literal Docker access token (`dckr_pat_…`, `dckr_oat_…`) anywhere, under any key or none; the username comes from a nearby `*USER*`/`username` key.",
};

/// Shortest token body after the prefix (Docker's are 27 to 36).
const MIN_BODY: usize = 20;
/// Lines looked at each way for a username.
const USER_LINES: usize = 3;

pub(crate) fn scan(text: &[u8], out: &mut Vec<Candidate>) {
    for prefix in FORM.gate {
        for at in memchr::memmem::find_iter(text, prefix.as_bytes()) {
            // A whole token: not inside a longer word.
            if at > 0 && (text[at - 1].is_ascii_alphanumeric() || text[at - 1] == b'_') {
                continue;
            }
            let body = text[at + prefix.len()..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
                .count();
            if body < MIN_BODY {
                continue;
            }
            let end = at + prefix.len() + body;
            let Ok(token) = std::str::from_utf8(&text[at..end]) else {
                continue;
            };
            out.push(Candidate {
                quoted: false,
                rule: Rule::RegistryCredential,
                context: Context::Other,
                span: at..end,
                secret: token.to_string(),
                username: nearby_user(text, at),
                registry: Some("docker.io".to_string()),
                kind: SecretKind::Password,
                chain: format!("Docker access token ({})", prefix.trim_end_matches('_')),
            });
        }
    }
}

/// A literal under a `*USER*`/`username` key within [`USER_LINES`] lines.
fn nearby_user(text: &[u8], at: usize) -> Option<String> {
    let line = super::structured::line_around(text, at);
    let mut ranges = vec![line.clone()];
    let (mut up, mut down) = (line.clone(), line);
    for _ in 0..USER_LINES {
        if up.start > 0 {
            up = super::structured::line_around(text, up.start - 1);
            ranges.push(up.clone());
        }
        if down.end < text.len() {
            let next = down.end + 1 + usize::from(text.get(down.end) == Some(&b'\r'));
            if next < text.len() {
                down = super::structured::line_around(text, next);
                ranges.push(down.clone());
            }
        }
    }
    for r in ranges {
        for (key, value) in super::structured::literal_pairs(text, r) {
            let k = key.to_ascii_lowercase();
            if (k.contains("user") || k == "login") && !k.contains("password") {
                if crate::forms::placeholder::is_reference(&value)
                    || crate::forms::placeholder::is_placeholder(&value)
                {
                    continue;
                }
                return Some(value);
            }
        }
    }
    None
}
