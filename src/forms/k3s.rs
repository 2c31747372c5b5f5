//! k3s / RKE2 `registries.yaml` (CS013): `configs: <host>: auth:
//! {username, password, auth, identity_token}`, also embedded in a block
//! scalar.

use super::containerd::decoded_auth;
use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::yaml::Doc;

pub(crate) const FORM: Form = Form {
    slug: "k3s",
    rule: Rule::RuntimeConfig,
    title: "k3s / RKE2 registries.yaml",
    // Its values sit under a `configs:` key.
    gate: &["configs"],
    check: Check::Yaml(k3s, None),
    hint: None,
    doc: "k3s/RKE2 `registries.yaml` `configs.<host>.auth` (also embedded in a block scalar).",
};

/// k3s `registries.yaml`: `configs.<host>.auth.*`.
fn k3s(doc: &Doc, out: &mut Vec<Candidate>) {
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
        let username = doc.child_value(p, "username").map(|s| s.value.to_string());
        let kind = match key {
            "password" => SecretKind::Password,
            "identitytoken" | "identity_token" | "identityToken" => SecretKind::IdentityToken,
            "auth" => {
                if let Some(f) = decoded_auth(&value.value, value.span.clone(), &registry, chain) {
                    out.push(Candidate {
                        rule: FORM.rule,
                        ..f
                    });
                }
                continue;
            }
            _ => continue,
        };
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
            context: Context::RuntimeConfig,
            span: value.span.clone(),
            secret: value.value.to_string(),
            username,
            registry,
            kind,
            chain,
        });
    }
}
