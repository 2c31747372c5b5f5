//! CS012: Docker Engine API `X-Registry-Auth` and `X-Registry-Config`
//! headers.
//!
//! `X-Registry-Auth` is base64url(JSON `{username, password,
//! serveraddress}` or `{identitytoken}`); `X-Registry-Config` is
//! base64url(JSON map of registry -> the same object). The header may be
//! written as HTTP (`X-Registry-Auth: eyJ...`), a curl `-H`, or a map or
//! call in code (`"X-Registry-Auth": "eyJ..."`, `Set("X-Registry-Auth",
//! "eyJ...")`). The finding's span is the encoded value.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use serde_json::Value;

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::decode;

pub(crate) const FORM: Form = Form {
    slug: "engine-header",
    rule: Rule::EngineAuthHeader,
    title: "Docker Engine API auth header",
    // The header name precedes the value. The search itself is
    // case-insensitive; the gate takes its usual spellings.
    gate: &[
        "x-registry-auth",
        "x-registry-config",
        "X-Registry-Auth",
        "X-Registry-Config",
        "X-REGISTRY-AUTH",
        "X-REGISTRY-CONFIG",
    ],
    check: Check::Text(scan),
    hint: None,
    doc: "A Docker Engine API `X-Registry-Auth` or `X-Registry-Config` header (base64url JSON with `username`/`password`, `auth`, `identitytoken` or `registrytoken`), in HTTP, `curl -H` or code.",
};

/// The header names searched for, case-insensitively.
const NAMES: &[&str] = &["x-registry-auth", "x-registry-config"];

/// Separator characters allowed between the header name and its value.
const MAX_GAP: usize = 8;

fn names() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(NAMES)
            .expect("static patterns")
    })
}

fn scan(text: &[u8], out: &mut Vec<Candidate>) {
    for m in names().find_iter(text) {
        let config = m.pattern().as_usize() == 1;
        let Some(span) = value_after(text, m.end()) else {
            continue;
        };
        let Some(json) = decode::decode_text(&text[span.clone()]) else {
            continue;
        };
        let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(&json) else {
            continue;
        };
        if config {
            for (host, entry) in &obj {
                if let Value::Object(entry) = entry {
                    auth_config(entry, Some(host), &span, "X-Registry-Config", out);
                }
            }
        } else {
            auth_config(&obj, None, &span, "X-Registry-Auth", out);
        }
    }
}

/// The base64 value after a header name ending at `i`: skips quotes, `:`,
/// `=`, `,`, `>` and spaces.
fn value_after(text: &[u8], mut i: usize) -> Option<Range<usize>> {
    let limit = text.len().min(i + MAX_GAP);
    while i < limit
        && matches!(
            text[i],
            b'"' | b'\'' | b':' | b'=' | b',' | b'>' | b' ' | b'\t'
        )
    {
        i += 1;
    }
    let start = i;
    while i < text.len() && (decode::is_b64_byte(text[i])) {
        i += 1;
    }
    while i < text.len() && text[i] == b'=' {
        i += 1;
    }
    (i - start >= decode::MIN_RUN).then_some(start..i)
}

/// One `AuthConfig` object.
fn auth_config(
    obj: &serde_json::Map<String, Value>,
    host: Option<&String>,
    span: &Range<usize>,
    header: &str,
    out: &mut Vec<Candidate>,
) {
    // Go's encoding/json matches keys case-insensitively.
    let field = |name: &str| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .filter(|s| !s.trim().is_empty())
    };
    let registry = host
        .cloned()
        .or_else(|| field("serveraddress").map(str::to_string));
    let base = |secret: &str, username: Option<&str>, kind, path: &str| Candidate {
        quoted: false,
        rule: FORM.rule,
        context: Context::Other,
        span: span.clone(),
        secret: secret.to_string(),
        username: username.map(str::to_string),
        registry: registry.clone(),
        kind,
        chain: match host {
            Some(h) => format!("{header} -> base64url -> JSON [{h:?}].{path}"),
            None => format!("{header} -> base64url -> JSON {path}"),
        },
    };
    let mut username = field("username").map(str::to_string);
    let mut password = field("password").map(str::to_string);
    let mut path = "password";
    if password.is_none() {
        let decoded = field("auth").and_then(|a| decode::decode_text(a.trim().as_bytes()));
        if let Some((u, p)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            let p = p.trim_end_matches('\0');
            if !p.is_empty() {
                password = Some(p.to_string());
                path = "auth -> base64 -> user:password";
                username = username.or_else(|| Some(u.to_string()));
            }
        }
    }
    let username = username.as_deref();
    if let Some(pw) = password {
        out.push(base(&pw, username, SecretKind::Password, path));
    }
    if let Some(tok) = field("identitytoken") {
        out.push(base(
            tok,
            username,
            SecretKind::IdentityToken,
            "identitytoken",
        ));
    }
    if let Some(tok) = field("registrytoken") {
        out.push(base(tok, None, SecretKind::RegistryToken, "registrytoken"));
    }
}

#[cfg(test)]
mod tests;
