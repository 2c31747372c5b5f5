//! Nomad docker driver (CS013): `config { auth { username password
//! server_address } }`.

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;
use crate::readers::hcl;

pub(crate) const FORM: Form = Form {
    slug: "nomad",
    rule: Rule::RuntimeConfig,
    title: "Nomad docker driver auth",
    // Only a `password = "..."` attribute is reported.
    gate: &["password"],
    check: Check::Hcl(nomad),
    hint: None,
    doc: "Nomad docker driver `auth { password = … }`.",
};

/// Nomad docker driver `auth { }` blocks.
fn nomad(blocks: &[hcl::Block], out: &mut Vec<Candidate>) {
    for b in blocks.iter().filter(|b| b.name == "auth") {
        let Some(pw) = b.get("password") else {
            continue;
        };
        out.push(Candidate {
            quoted: false,
            rule: FORM.rule,
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
