//! CS014: registry passwords in infrastructure code.
//!
//! - Terraform docker provider: `provider "docker" { registry_auth {
//!   address, username, password } }`. Only quoted strings are literals;
//!   `var.x` and `data.x.y` are references.
//! - Ansible `docker_login` / `community.docker.docker_login` and
//!   `podman_login` / `containers.podman.podman_login` tasks with
//!   `password:` (Jinja `{{ }}` and `!vault` values are references).

use super::Plain;
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::hcl;
use crate::readers::yaml::Doc;

/// Terraform `registry_auth { }` blocks.
pub fn terraform(blocks: &[hcl::Block], out: &mut Vec<Plain>) {
    for b in blocks.iter().filter(|b| b.name == "registry_auth") {
        let Some(pw) = b.get("password") else {
            continue;
        };
        out.push(Plain {
            rule: Rule::IacCredential,
            context: Context::Iac,
            span: pw.span.clone(),
            secret: pw.value.clone(),
            username: b.get("username").map(|a| a.value.clone()),
            registry: b.get("address").map(|a| a.value.clone()),
            kind: SecretKind::Password,
            chain: "Terraform docker provider registry_auth.password".to_string(),
        });
    }
}

/// Ansible `docker_login` / `podman_login` module arguments.
pub fn ansible(doc: &Doc, out: &mut Vec<Plain>) {
    for (i, node) in doc.nodes.iter().enumerate() {
        if node.key.as_deref() != Some("password") {
            continue;
        }
        let Some(value) = &node.value else { continue };
        let Some(p) = doc.parent(i) else { continue };
        let Some(module) = doc.key(p) else { continue };
        if !(module.ends_with("docker_login") || module.ends_with("podman_login")) {
            continue;
        }
        out.push(Plain {
            rule: Rule::IacCredential,
            context: Context::Iac,
            span: value.span.clone(),
            secret: value.value.clone(),
            username: doc.child_value(p, "username").map(|s| s.value.clone()),
            registry: doc
                .child_value(p, "registry_url")
                .or_else(|| doc.child_value(p, "registry"))
                .map(|s| s.value.clone()),
            kind: SecretKind::Password,
            chain: format!("Ansible {module} password"),
        });
    }
}
