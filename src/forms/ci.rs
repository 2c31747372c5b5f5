//! CS011: registry passwords written in CI configuration (YAML).
//!
//! | System | Where the password sits |
//! |---|---|
//! | CircleCI | `docker: - image: ... auth: {username, password}` |
//! | GitHub Actions | `uses: docker/login-action@...` `with: {registry, username, password}`; `container.credentials` and `services.<id>.credentials` |
//! | Bitbucket Pipelines | `image: {name, username, password}` |
//! | Drone | `auth_config: {username, password}` (0.x); `plugins/*` and `*plugin-docker*` step `settings: {username, password}` |
//! | Jenkins JCasC | `- usernamePassword: {id, username, password}` (encrypted `{AQAAAB...}` values are skipped) |
//!
//! Only inline scalar values are read, so `password: {from_secret: x}` or
//! a nested `from_secret:` never is.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::yaml::Doc;

pub(crate) const FORM: Form = Form {
    slug: "ci",
    rule: Rule::CiCredential,
    title: "CI configuration registry credential",
    // Only a `password:` key is reported.
    gate: &["password"],
    check: Check::Yaml(scan, Some(reads_under)),
    hint: None,
    doc: "A literal password in CI YAML: CircleCI `docker: - image … auth: {username, password}`; GitHub Actions `docker/login-action` `with: password:`, `container.credentials` and `services.<id>.credentials`; Bitbucket Pipelines `image: {name, username, password}`; Drone `auth_config` and `plugins/*` step `settings`; Jenkins JCasC `usernamePassword`.",
};

/// Reads the CI forms of one parsed YAML file.
pub(crate) fn scan(doc: &Doc, out: &mut Vec<Candidate>) {
    for (i, node) in doc.nodes.iter().enumerate() {
        if node.key.as_deref() != Some("password") {
            continue;
        }
        let Some(value) = &node.value else { continue };
        let Some(p) = doc.parent(i) else { continue };
        let Some(form) = form(doc, p) else { continue };
        if form.encrypted_ok && value.value.starts_with('{') && value.value.ends_with('}') {
            // Jenkins encrypts secrets as `{AQAAAB...}`: not readable
            // without the controller's master key.
            continue;
        }
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
            context: Context::Ci,
            span: value.span.clone(),
            secret: value.value.to_string(),
            username: doc.child_value(p, "username").map(|s| s.value.to_string()),
            registry: form.registry,
            kind: SecretKind::Password,
            chain: form.chain.to_string(),
        });
    }
}

/// Whether a CI form reads a `password:` whose parent is keyed `key`: the
/// only keys [`form`] matches.
fn reads_under(key: &str) -> bool {
    matches!(
        key,
        "auth" | "with" | "credentials" | "image" | "auth_config" | "settings" | "usernamePassword"
    )
}

struct CiSystem {
    chain: &'static str,
    registry: Option<String>,
    encrypted_ok: bool,
}

/// The CI form whose credential mapping is node `p`, if any.
fn form(doc: &Doc, p: usize) -> Option<CiSystem> {
    let up = doc.parent(p);
    let up_key = up.and_then(|u| doc.key(u));
    let image_of = |n: Option<usize>, key: &str| {
        n.and_then(|n| doc.child_value(n, key))
            .and_then(|s| image_registry(&s.value))
    };
    let form = |chain, registry| {
        Some(CiSystem {
            chain,
            registry,
            encrypted_ok: false,
        })
    };
    let key = doc.key(p).filter(|k| reads_under(k))?;
    match key {
        "auth" if ancestor_named(doc, p, "docker", 3) => {
            form("CircleCI docker[].auth.password", image_of(up, "image"))
        }
        "with" => {
            let uses = up.and_then(|u| doc.child_value(u, "uses"))?;
            if !uses.value.trim().starts_with("docker/login-action") {
                return None;
            }
            form(
                "GitHub Actions docker/login-action with.password",
                doc.child_value(p, "registry").map(|s| s.value.to_string()),
            )
        }
        "credentials" if up_key == Some("container") => form(
            "GitHub Actions container.credentials.password",
            image_of(up, "image"),
        ),
        "credentials"
            if up.and_then(|u| doc.parent(u)).and_then(|g| doc.key(g)) == Some("services") =>
        {
            form(
                "GitHub Actions services.<id>.credentials.password",
                image_of(up, "image"),
            )
        }
        // Bitbucket's image mapping always has `name` (Helm's has
        // `repository`, and is not a CI file).
        "image" if doc.child(p, "name").is_some() => form(
            "Bitbucket Pipelines image.password",
            image_of(Some(p), "name"),
        ),
        "auth_config" => form("Drone auth_config.password", image_of(up, "image")),
        "settings" => {
            let image = up.and_then(|u| doc.child_value(u, "image"))?;
            let img = image.value.trim();
            if !(img.starts_with("plugins/") || img.contains("plugin-docker")) {
                return None;
            }
            form(
                "Drone plugin settings.password",
                doc.child_value(p, "registry").map(|s| s.value.to_string()),
            )
        }
        "usernamePassword" => Some(CiSystem {
            chain: "Jenkins JCasC usernamePassword.password",
            registry: None,
            encrypted_ok: true,
        }),
        _ => None,
    }
}

/// Whether a node named `name` is among the `levels` ancestors above `i`.
fn ancestor_named(doc: &Doc, mut i: usize, name: &str, levels: usize) -> bool {
    for _ in 0..levels {
        let Some(p) = doc.parent(i) else { return false };
        if doc.key(p) == Some(name) {
            return true;
        }
        i = p;
    }
    false
}

/// The registry host of an image reference (`r.example.test/app:1`), or
/// `docker.io` for an image without one.
pub fn image_registry(image: &str) -> Option<String> {
    let image = image.trim();
    if image.is_empty() || super::is_reference_or_placeholder(image) {
        return None;
    }
    let first = image.split('/').next().unwrap_or(image);
    if image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        Some(first.to_string())
    } else {
        Some("docker.io".to_string())
    }
}

#[cfg(test)]
mod tests;
