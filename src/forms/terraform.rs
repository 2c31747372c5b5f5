//! Terraform docker provider (CS014): `provider "docker" { registry_auth {
//! address, username, password } }`. Only quoted strings are literals;
//! `var.x` and `data.x.y` are references.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::hcl;

pub(crate) const FORM: Form = Form {
    slug: "terraform",
    rule: Rule::IacCredential,
    title: "Terraform docker provider registry_auth",
    // Only a `password = "..."` attribute is reported.
    gate: &["password"],
    check: Check::Hcl(terraform),
    hint: None,
    doc: "Terraform docker provider `registry_auth { password = \"…\" }`.",
};

/// Terraform `registry_auth { }` blocks.
fn terraform(blocks: &[hcl::Block], out: &mut Vec<Candidate>) {
    for b in blocks.iter().filter(|b| b.name == "registry_auth") {
        let Some(pw) = b.get("password") else {
            continue;
        };
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
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
