//! Credential forms: the ways a registry credential gets written down.
//!
//! Each form lives in a file of its own and declares one [`Form`] record:
//! its slug, rule, title, gate literals, the reader its check needs (the
//! [`Check`] variant), the check itself, an optional fix-hint sentence and
//! its documentation. [`FORMS`] lists them, once. Everything that
//! enumerates forms is derived from that list: the gate the engine runs
//! before the forms (`engine::plaintext`) and the prefilter's keywords,
//! [`keywords`], the SARIF rule descriptors, the README rules table (a test
//! keeps it current) and the fixture harness (`tests/forms.rs`), which
//! requires `fixtures/forms/<slug>/positive/` and `negative/` for every form.
//!
//! Values that are references (`$VAR`, `${{ ... }}`, `{{ ... }}`, `%VAR%`,
//! `from_secret`, ...) or placeholders are never findings; see
//! `placeholder::literal_credential`.

mod ansible;
mod bare_pair;
mod ci;
mod containerd;
mod docker_config;
mod docker_token;
mod encoded_pair;
mod engine_header;
mod k3s;
mod kubernetes;
mod login_command;
mod nomad;
pub mod placeholder;
mod structured;
mod terraform;
mod woodpecker_registry;

use std::ops::Range;

use crate::forms::placeholder::{
    is_placeholder, is_reference, literal_command_credential, literal_credential,
};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::{FormNote, Rule};
use crate::readers::{hcl, yaml};

/// One credential form.
#[derive(Debug)]
pub struct Form {
    /// Stable short name: the form's file (`-` as `_`) and its fixture
    /// folder `fixtures/forms/<slug>/`.
    pub slug: &'static str,
    /// The rule its findings carry.
    pub rule: Rule,
    /// What the form is, in a few words.
    pub title: &'static str,
    /// Literals of which one occurs, case-sensitively, in every file where
    /// the form can report a finding; the form does not run on other files.
    /// For [`Check::Layered`] forms: key words, matched in lower,
    /// Capitalised and UPPER case (`engine::prefilter`).
    pub gate: &'static [&'static str],
    /// How the form reads a file.
    pub check: Check,
    /// A sentence added to the fix hint of the form's findings.
    pub hint: Option<&'static str>,
    /// What the form covers (Markdown, one paragraph): the README rules table.
    pub doc: &'static str,
}

/// A check reading a file around the offsets of its gate literals.
pub type AtGateFn = fn(&[u8], &[(usize, &'static str)], &mut Vec<Candidate>);

/// The reader a form needs, with its check function.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reads the bytes of the file.
    Text(fn(&[u8], &mut Vec<Candidate>)),
    /// Reads the bytes of the file around its gate literals: given every
    /// offset of every one of them, sorted (at one offset, in the order of
    /// [`Form::gate`]), as the engine's one literal pass found them. For
    /// forms whose gate literals are frequent words (`password`, `login`),
    /// which would otherwise search the file a second time.
    AtGate(AtGateFn),
    /// Reads the file parsed as YAML; the file is parsed only when one of
    /// the form's gate literals is a key there (`word:`), and only around
    /// such keys. With a parent test, the form reads a key of its gate
    /// only under a parent keyed as the test accepts (CI forms read a
    /// `password:` under `auth:`, `with:`, ...), and the key is skipped
    /// when its parent can be told from the lines above it and fails.
    Yaml(
        fn(&yaml::Doc, &mut Vec<Candidate>),
        Option<fn(&str) -> bool>,
    ),
    /// Reads the file's HCL blocks; they are parsed only when one of the
    /// form's gate literals is an attribute there (`word =`).
    Hcl(fn(&[hcl::Block], &mut Vec<Candidate>)),
    /// Found by the layered engine, which reads docker config JSON and
    /// decoded base64 once per layer for all layered forms (`engine.rs`).
    Layered,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Text(_) => "Text",
            Check::AtGate(_) => "AtGate",
            Check::Yaml(..) => "Yaml",
            Check::Hcl(_) => "Hcl",
            Check::Layered => "Layered",
        })
    }
}

impl Check {
    /// The reader's name, for documentation.
    pub fn reader(&self) -> &'static str {
        match self {
            Check::Text(_) | Check::AtGate(_) => "text",
            Check::Yaml(..) => "YAML",
            Check::Hcl(_) => "HCL",
            Check::Layered => "layered JSON/base64",
        }
    }
}

/// Every form. The order is the order forms run in (findings are sorted
/// afterwards; among equal findings the first one is kept).
pub static FORMS: &[&Form] = &[
    &docker_config::FORM,
    &kubernetes::FORM,
    &bare_pair::FORM,
    &login_command::FORM,
    &ci::FORM,
    &k3s::FORM,
    &ansible::FORM,
    &containerd::FORM,
    &nomad::FORM,
    &terraform::FORM,
    &engine_header::FORM,
    &woodpecker_registry::FORM,
    &encoded_pair::FORM,
    &docker_token::FORM,
    // Last: a general mechanism, it yields to every form above on the
    // same secret (`engine::plaintext`).
    &structured::FORM,
];

/// The form named `slug`.
pub fn by_slug(slug: &str) -> Option<&'static Form> {
    FORMS.iter().copied().find(|f| f.slug == slug)
}

/// The rules, in the order of their first form.
pub fn rules() -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for f in FORMS {
        if !out.contains(&f.rule) {
            out.push(f.rule);
        }
    }
    out
}

/// A note per form, in registry order, for the reporters.
pub fn notes() -> Vec<FormNote> {
    FORMS
        .iter()
        .map(|f| FormNote {
            rule: f.rule,
            slug: f.slug,
            title: f.title,
        })
        .collect()
}

/// The lower-case keywords behind the gate literals of the forms that read
/// text (not the layered ones), sorted: a file that contains none of them,
/// compared case-insensitively, holds no finding of those forms.
pub fn keywords() -> Vec<String> {
    let mut out: Vec<String> = FORMS
        .iter()
        .filter(|f| !matches!(f.check, Check::Layered))
        .flat_map(|f| f.gate.iter())
        .map(|w| w.trim().to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The README's rules table: one row per form, ordered by rule (then by
/// registry order), from the records' rule, slug, reader and doc text.
pub fn rules_table() -> String {
    let mut forms: Vec<&Form> = FORMS.to_vec();
    forms.sort_by_key(|f| f.rule.id());
    let mut out = String::from("| Rule | Name | Form | Reads | What |\n|---|---|---|---|---|\n");
    for f in forms {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            f.rule.id(),
            f.rule.name(),
            f.slug,
            f.check.reader(),
            f.doc
        ));
    }
    out
}

/// A credential as a form reads it, before the literal check (references
/// and placeholders are dropped by the engine).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The rule of the form that read it.
    pub rule: Rule,
    /// Where it sits, for the fix hint.
    pub context: Context,
    /// The password itself (or the encoded value holding it).
    pub span: Range<usize>,
    /// The secret, in clear.
    pub secret: String,
    /// The user it belongs to, when written beside it.
    pub username: Option<String>,
    /// The registry it is for, when written beside it.
    pub registry: Option<String>,
    /// What kind of secret it is.
    pub kind: SecretKind,
    /// How it was reached (`docker login -p`, `registry_auth.password`).
    pub chain: String,
    /// Written inside quotes, so blanks in the secret are part of it
    /// (`password: "correct horse battery staple 42"`). An unquoted value
    /// with blanks is prose, not a secret.
    pub quoted: bool,
}

impl Candidate {
    /// Whether the candidate is a literal credential worth reporting. On a
    /// command line, or in a value written inside quotes, blanks are part
    /// of the secret; elsewhere a value with blanks is prose.
    pub(crate) fn is_literal(&self) -> bool {
        if self.context == Context::Command || self.quoted {
            literal_command_credential(self.username.as_deref(), &self.secret)
        } else {
            literal_credential(self.username.as_deref(), &self.secret)
        }
    }
}

/// Every offset of every literal of `gate` in `text`, sorted, at one
/// offset in the order of `gate`: what the engine's literal pass hands a
/// [`Check::AtGate`] form, found here one literal at a time (for tests and
/// for callers that run one form alone).
pub fn gate_positions(text: &[u8], gate: &[&'static str]) -> Vec<(usize, &'static str)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (k, w) in gate.iter().enumerate() {
        out.extend(memchr::memmem::find_iter(text, w.as_bytes()).map(|p| (p, k)));
    }
    out.sort_unstable();
    out.into_iter().map(|(p, k)| (p, gate[k])).collect()
}

/// A reference or a placeholder: not a value to read.
fn is_reference_or_placeholder(v: &str) -> bool {
    is_reference(v) || is_placeholder(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_name_the_files() {
        let mut slugs: Vec<&str> = FORMS.iter().map(|f| f.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), FORMS.len());
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/forms");
        for f in FORMS {
            assert!(
                f.slug
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
                "{}",
                f.slug
            );
            let file = dir.join(format!("{}.rs", f.slug.replace('-', "_")));
            assert!(file.is_file(), "{} has no file {}", f.slug, file.display());
            assert!(!f.title.is_empty() && !f.doc.is_empty() && !f.gate.is_empty());
        }
    }

    #[test]
    fn every_rule_has_a_form() {
        for r in Rule::ALL {
            assert!(rules().contains(r), "{} has no form", r.id());
        }
    }

    #[test]
    fn keywords_come_from_the_gates() {
        let k = keywords();
        assert!(k.contains(&"login".to_string()));
        assert!(k.contains(&"x-registry-auth".to_string()));
        assert!(!k.iter().any(|w| w.chars().any(|c| c.is_ascii_uppercase())));
    }
}
