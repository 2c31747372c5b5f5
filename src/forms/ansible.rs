//! Ansible (CS014): `docker_login` / `community.docker.docker_login` and
//! `podman_login` / `containers.podman.podman_login` tasks with
//! `password:` (Jinja `{{ }}` and `!vault` values are references).

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::yaml::Doc;

pub(crate) const FORM: Form = Form {
    slug: "ansible",
    rule: Rule::IacCredential,
    title: "Ansible docker_login / podman_login task",
    // Only a `password:` key is reported.
    gate: &["password"],
    check: Check::Yaml(ansible, Some(reads_under)),
    hint: None,
    doc: "Ansible `docker_login` / `community.docker.docker_login` / `podman_login` with `password:`.",
};

/// Whether a `password:` under `module:` is a login module's argument.
fn reads_under(module: &str) -> bool {
    module.ends_with("docker_login") || module.ends_with("podman_login")
}

/// Ansible `docker_login` / `podman_login` module arguments.
fn ansible(doc: &Doc, out: &mut Vec<Candidate>) {
    for (i, node) in doc.nodes.iter().enumerate() {
        if node.key.as_deref() != Some("password") {
            continue;
        }
        let Some(value) = &node.value else { continue };
        let Some(p) = doc.parent(i) else { continue };
        let Some(module) = doc.key(p) else { continue };
        if !reads_under(module) {
            continue;
        }
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
            context: Context::Iac,
            span: value.span.clone(),
            secret: value.value.to_string(),
            username: doc.child_value(p, "username").map(|s| s.value.to_string()),
            registry: doc
                .child_value(p, "registry_url")
                .or_else(|| doc.child_value(p, "registry"))
                .map(|s| s.value.to_string()),
            kind: SecretKind::Password,
            chain: format!("Ansible {module} password"),
        });
    }
}
