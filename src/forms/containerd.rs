//! containerd `config.toml` registry auth tables (CS013):
//! `[plugins."io.containerd.grpc.v1.cri".registry.configs."<host>".auth]`
//! (and containerd 2's `io.containerd.cri.v1.images`) with `username`,
//! `password`, `auth` (base64 `user:password`), `identitytoken`; the
//! deprecated `[plugins.cri.registry.auths."<host>"]` too. The file is
//! read line by line as TOML tables and `key = "value"` fields.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::decode;

pub(crate) const FORM: Form = Form {
    slug: "containerd",
    rule: Rule::RuntimeConfig,
    title: "containerd registry auth",
    // Its tables are `...registry.configs."h".auth` or `...registry.auths."h"`.
    gate: &["configs", "auths"],
    check: Check::AtGate(containerd),
    hint: None,
    doc: "containerd `config.toml` `…registry.configs.\"<host>\".auth` (and the old `registry.auths`) with `password`, `auth` or `identitytoken`.",
};

/// containerd `config.toml` registry auth tables: each line holding a gate
/// word (`at`) that is an auth table header, and its fields up to the
/// next table header. Other lines are not read.
fn containerd(text: &[u8], at: &[(usize, &'static str)], out: &mut Vec<Candidate>) {
    let line_end = |pos: usize| memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
    // Where the last table read ended: gate words before it are inside it.
    let mut done = 0;
    for &(p, _) in at {
        if p < done {
            continue;
        }
        let start = memchr::memrchr(b'\n', &text[..p]).map_or(0, |i| i + 1);
        let end = line_end(p);
        done = end;
        let header = text[start..end].trim_ascii();
        if !header.starts_with(b"[") {
            continue;
        }
        let Some(host) = auth_table_host(header) else {
            continue;
        };
        let mut fields: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
        let mut pos = end + 1;
        while pos < text.len() {
            let end = line_end(pos);
            if text[pos..end].trim_ascii().starts_with(b"[") {
                break;
            }
            if let Some(f) = toml_field(text, pos, end) {
                fields.push(f);
            }
            done = end;
            pos = end + 1;
        }
        containerd_table(&host, &fields, out);
    }
}

fn containerd_table(
    host: &str,
    fields: &[(String, String, std::ops::Range<usize>)],
    out: &mut Vec<Candidate>,
) {
    let get = |k: &str| fields.iter().find(|(n, _, _)| n == k);
    let registry = Some(host.to_string());
    let username = get("username").map(|(_, v, _)| v.clone());
    for (name, value, span) in fields {
        let chain = format!("containerd registry.configs[{host:?}].auth.{name}");
        let kind = match name.as_str() {
            "password" => SecretKind::Password,
            "identitytoken" => SecretKind::IdentityToken,
            "auth" => {
                if let Some(f) = decoded_auth(value, span.clone(), &registry, chain) {
                    out.push(f);
                }
                continue;
            }
            _ => continue,
        };
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
            context: Context::RuntimeConfig,
            span: span.clone(),
            secret: value.clone(),
            username: username.clone(),
            registry: registry.clone(),
            kind,
            chain,
        });
    }
}

/// The host of a containerd registry auth table header, if it is one.
fn auth_table_host(header: &[u8]) -> Option<String> {
    let h = std::str::from_utf8(header).ok()?;
    let h = h.trim_start_matches('[').trim_end_matches(']').trim();
    let rest = if let Some(i) = h.find(".registry.configs.") {
        let rest = h.get(i + ".registry.configs.".len()..)?;
        rest.strip_suffix(".auth")?
    } else if let Some(i) = h.find(".registry.auths.") {
        h.get(i + ".registry.auths.".len()..)?
    } else {
        return None;
    };
    let host = rest.trim_matches('"').trim_matches('\'');
    (!host.is_empty() && !host.contains('"')).then(|| host.to_string())
}

/// `key = "value"` (or `'value'`) on one TOML line.
fn toml_field(
    text: &[u8],
    start: usize,
    end: usize,
) -> Option<(String, String, std::ops::Range<usize>)> {
    let line = &text[start..end];
    let eq = memchr::memchr(b'=', line)?;
    let key = std::str::from_utf8(&line[..eq]).ok()?.trim().to_string();
    let mut i = eq + 1;
    while i < line.len() && matches!(line[i], b' ' | b'\t') {
        i += 1;
    }
    let q = *line.get(i)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let close = memchr::memchr(q, &line[i + 1..])? + i + 1;
    let raw = &line[i + 1..close];
    let value = if q == b'"' {
        String::from_utf8_lossy(raw)
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    } else {
        String::from_utf8_lossy(raw).into_owned()
    };
    Some((key, value, start + i + 1..start + close))
}

/// An `auth` value: base64 `user:password`.
pub(super) fn decoded_auth(
    value: &str,
    span: std::ops::Range<usize>,
    registry: &Option<String>,
    chain: String,
) -> Option<Candidate> {
    let decoded = decode::decode_text(value.trim().as_bytes())?;
    let (user, password) = decoded.split_once(':')?;
    Some(Candidate {
        quoted: false,
        rule: FORM.rule,
        context: Context::RuntimeConfig,
        span,
        secret: password.trim_end_matches('\0').to_string(),
        username: Some(user.to_string()),
        registry: registry.clone(),
        kind: SecretKind::Password,
        chain: format!("{chain} -> base64 -> user:password"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containerd_headers() {
        assert_eq!(
            auth_table_host(br#"[plugins."io.containerd.grpc.v1.cri".registry.configs."r.example.test:5000".auth]"#).as_deref(),
            Some("r.example.test:5000")
        );
        assert_eq!(
            auth_table_host(br#"[plugins."io.containerd.cri.v1.images".registry.configs."r.example.test".auth]"#).as_deref(),
            Some("r.example.test")
        );
        assert_eq!(
            auth_table_host(br#"[plugins.cri.registry.auths."https://gcr.io"]"#).as_deref(),
            Some("https://gcr.io")
        );
        assert!(auth_table_host(
            br#"[plugins."io.containerd.grpc.v1.cri".registry.configs."r.example.test".tls]"#
        )
        .is_none());
        assert!(auth_table_host(b"[plugins.cri.registry.mirrors]").is_none());
    }
}
