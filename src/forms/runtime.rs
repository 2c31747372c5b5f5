//! CS013: registry credentials in container runtime and scheduler configs.
//!
//! - containerd `config.toml`:
//!   `[plugins."io.containerd.grpc.v1.cri".registry.configs."<host>".auth]`
//!   (and containerd 2's `io.containerd.cri.v1.images`) with `username`,
//!   `password`, `auth` (base64 `user:password`), `identitytoken`; the
//!   deprecated `[plugins.cri.registry.auths."<host>"]` too.
//! - k3s / RKE2 `registries.yaml`: `configs: <host>: auth: {username,
//!   password, auth, identity_token}`, also embedded in a block scalar.
//! - Nomad docker driver: `config { auth { username password
//!   server_address } }`.

use super::Plain;
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::decode;
use crate::readers::hcl;
use crate::readers::yaml::Doc;

/// containerd's TOML form is read when one of these occurs.
pub const TOML_TRIGGERS: &[&str] = &["configs", "auths"];

/// k3s `registries.yaml`: `configs.<host>.auth.*`.
pub fn k3s(doc: &Doc, out: &mut Vec<Plain>) {
    for (i, node) in doc.nodes.iter().enumerate() {
        let Some(key) = node.key.as_deref() else {
            continue;
        };
        let Some(value) = &node.value else { continue };
        let Some(p) = doc.parent(i).filter(|&p| doc.key(p) == Some("auth")) else {
            continue;
        };
        let Some(host) = doc.parent(p) else { continue };
        if doc.parent(host).and_then(|c| doc.key(c)) != Some("configs") {
            continue;
        }
        let registry = doc.key(host).map(str::to_string);
        let chain = format!(
            "registries.yaml configs[{:?}].auth.{key}",
            registry.as_deref().unwrap_or("")
        );
        let username = doc.child_value(p, "username").map(|s| s.value.clone());
        let kind = match key {
            "password" => SecretKind::Password,
            "identitytoken" | "identity_token" | "identityToken" => SecretKind::IdentityToken,
            "auth" => {
                if let Some(f) = decoded_auth(&value.value, value.span.clone(), &registry, chain) {
                    out.push(Plain {
                        rule: Rule::RuntimeConfig,
                        ..f
                    });
                }
                continue;
            }
            _ => continue,
        };
        out.push(Plain {
            rule: Rule::RuntimeConfig,
            context: Context::RuntimeConfig,
            span: value.span.clone(),
            secret: value.value.clone(),
            username,
            registry,
            kind,
            chain,
        });
    }
}

/// An `auth` value: base64 `user:password`.
fn decoded_auth(
    value: &str,
    span: std::ops::Range<usize>,
    registry: &Option<String>,
    chain: String,
) -> Option<Plain> {
    let decoded = decode::decode_text(value.trim().as_bytes())?;
    let (user, password) = decoded.split_once(':')?;
    Some(Plain {
        rule: Rule::RuntimeConfig,
        context: Context::RuntimeConfig,
        span,
        secret: password.trim_end_matches('\0').to_string(),
        username: Some(user.to_string()),
        registry: registry.clone(),
        kind: SecretKind::Password,
        chain: format!("{chain} -> base64 -> user:password"),
    })
}

/// containerd `config.toml` registry auth tables.
pub fn containerd(text: &[u8], out: &mut Vec<Plain>) {
    let mut table: Option<String> = None;
    let mut fields: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
    let mut pos = 0;
    loop {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let trimmed = text[pos..end].trim_ascii();
        if trimmed.starts_with(b"[") {
            if let Some(host) = table.take() {
                containerd_table(&host, &fields, out);
            }
            fields.clear();
            table = auth_table_host(trimmed);
        } else if table.is_some() {
            if let Some(f) = toml_field(text, pos, end) {
                fields.push(f);
            }
        }
        if end >= text.len() {
            break;
        }
        pos = end + 1;
    }
    if let Some(host) = table {
        containerd_table(&host, &fields, out);
    }
}

fn containerd_table(
    host: &str,
    fields: &[(String, String, std::ops::Range<usize>)],
    out: &mut Vec<Plain>,
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
        out.push(Plain {
            rule: Rule::RuntimeConfig,
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

/// Nomad docker driver `auth { }` blocks.
pub fn nomad(blocks: &[hcl::Block], out: &mut Vec<Plain>) {
    for b in blocks.iter().filter(|b| b.name == "auth") {
        let Some(pw) = b.get("password") else {
            continue;
        };
        out.push(Plain {
            rule: Rule::RuntimeConfig,
            context: Context::RuntimeConfig,
            span: pw.span.clone(),
            secret: pw.value.clone(),
            username: b.get("username").map(|a| a.value.clone()),
            registry: b.get("server_address").map(|a| a.value.clone()),
            kind: SecretKind::Password,
            chain: "Nomad docker config.auth.password".to_string(),
        });
    }
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
