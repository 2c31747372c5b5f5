//! SARIF 2.1.0 output for code-scanning services (GitHub code scanning,
//! GitLab, Azure DevOps). Checked by Microsoft's SARIF Multitool `validate`
//! in `tests/sarif.rs`.
//!
//! - one `reportingDescriptor` per rule id, with descriptions and help;
//! - one result per finding, located by a region whose lines and columns
//!   are 1-based (`endColumn` is exclusive, as in SARIF) and counted in
//!   Unicode code points (`columnKind`);
//! - artifact URIs relative to `%SRCROOT%` (the repository root) when the
//!   file lies inside it;
//! - `partialFingerprints` carry credscan's fingerprint, so services track a
//!   finding across line moves;
//! - the secret is always redacted, even with `--reveal`: SARIF files are
//!   uploaded and kept.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Outcome, Roots};
use crate::finding::Finding;
use crate::rule::Rule;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key; bump the version if fingerprints change.
pub const FINGERPRINT_KEY: &str = "credscanFingerprint/v1";

/// Percent-encodes a path for a URI, keeping `/` and RFC 3986 unreserved
/// characters.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `file://` URI for an absolute path; directories end with `/`.
fn file_uri(path: &str, dir: bool) -> String {
    let p = path.replace('\\', "/");
    let p = if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    };
    let mut uri = format!("file://{}", encode_uri_path(&p));
    if dir && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn rule_help(rule: Rule) -> (String, String) {
    let what = rule.description();
    let text = format!(
        "{what}. Rotate the credential at the registry first: it has been exposed to everyone \
         who can read the repository and its history. Then remove it from the file and let the \
         runtime provide it (a secret manager, CI secret variables, or a credential helper). \
         Each result names the registry, the username and the redacted secret, and says how \
         the value decodes. Suppress an accepted finding with a `credscan:allow` comment on its \
         line, an [[allow]] entry in .credscan.toml, or a baseline (--baseline)."
    );
    let markdown = format!(
        "**{what}.**\n\n\
         1. Rotate the credential at the registry: it has been exposed to everyone who can read \
         the repository and its history.\n\
         2. Remove it from the file and let the runtime provide it (a secret manager, CI secret \
         variables, or a credential helper).\n\n\
         To accept a finding, add a `credscan:allow` comment on its line, an `[[allow]]` entry \
         in `.credscan.toml`, or record it in a baseline (`--write-baseline`)."
    );
    (text, markdown)
}

fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rules() -> Vec<Value> {
    Rule::ALL
        .iter()
        .map(|&r| {
            let (text, markdown) = rule_help(r);
            json!({
                "id": r.id(),
                "name": pascal(r.name()),
                "shortDescription": {"text": format!("{}.", r.description())},
                "fullDescription": {"text": format!(
                    "{}. credscan decodes base64 and JSON layer by layer and reports each real \
                     user:password pair or token it finds.", r.description())},
                "help": {"text": text, "markdown": markdown},
                "defaultConfiguration": {"level": "error"},
                "properties": {
                    "tags": ["security", "secrets", "credentials", r.name()],
                    "precision": "high",
                    "problem.severity": "error",
                    "security-severity": "8.0",
                },
            })
        })
        .collect()
}

fn message(f: &Finding) -> String {
    let whose = match (&f.registry, &f.username) {
        (Some(r), Some(u)) => format!(" for {r} (user {u})"),
        (Some(r), None) => format!(" for {r}"),
        (None, Some(u)) => format!(" (user {u})"),
        (None, None) => String::new(),
    };
    format!(
        "A registry {} is leaked{whose}: {}. Decoded: {}. {}",
        f.kind.as_str().replace('-', " "),
        f.secret.redacted(),
        f.decode_chain,
        f.fix
    )
}

fn result(f: &Finding, roots: &Roots) -> Value {
    let index = Rule::ALL.iter().position(|&r| r == f.rule).unwrap_or(0);
    let artifact = match roots.relative(&f.path) {
        Some(rel) => json!({"uri": encode_uri_path(&rel), "uriBaseId": "%SRCROOT%"}),
        None => {
            let abs = crate::settings::absolute(std::path::Path::new(&f.path), &roots.base);
            json!({"uri": file_uri(&abs.to_string_lossy(), false)})
        }
    };
    let mut text = message(f);
    if !text.ends_with('.') {
        text.push('.');
    }
    let mut result = json!({
        "ruleId": f.rule.id(),
        "ruleIndex": index,
        "level": "error",
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": f.line.max(1),
                    "startColumn": f.column.max(1),
                    "endLine": f.end_line.max(f.line).max(1),
                    "endColumn": f.end_column.max(1),
                },
            },
        }],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "registry": f.registry,
            "username": f.username,
            "secret": f.secret.redacted(),
            "secretKind": f.kind.as_str(),
            "decodeChain": f.decode_chain,
        },
    });
    if let Some(v) = &f.verification {
        result["properties"]["verification"] = json!(v);
    }
    result
}

/// The SARIF log for `outcome`.
pub fn document(outcome: &Outcome, roots: &Roots) -> Value {
    let notifications: Vec<Value> = outcome
        .notices
        .iter()
        .filter(|n| n.is_error)
        .map(|n| {
            let mut text = format!("{}: {}", n.path, n.message);
            if !text.ends_with('.') {
                text.push('.');
            }
            json!({"level": "error", "message": {"text": text}})
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "credscan",
                    "version": version,
                    "semanticVersion": version,
                    "rules": rules(),
                },
            },
            "invocations": [{
                "executionSuccessful": outcome.stats.errors == 0,
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {
                "%SRCROOT%": {"uri": file_uri(&roots.src_root.to_string_lossy(), true)},
            },
            "columnKind": "unicodeCodePoints",
            "results": outcome.findings.iter().map(|f| result(f, roots)).collect::<Vec<_>>(),
        }],
    })
}

pub fn write(outcome: &Outcome, roots: &Roots, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(outcome, roots))?;
    writeln!(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Stats, Suppressed};
    use std::path::PathBuf;

    fn outcome(findings: Vec<Finding>) -> Outcome {
        Outcome {
            findings,
            notices: Vec::new(),
            stats: Stats::default(),
            suppressed: Suppressed::default(),
        }
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode_uri_path("a b/ü#.json"), "a%20b/%C3%BC%23.json");
        assert_eq!(file_uri("/r/x y", true), "file:///r/x%20y/");
    }

    #[test]
    fn results_are_relative_to_srcroot_and_redacted() {
        let roots = Roots {
            base: PathBuf::from("/repo/sub"),
            src_root: PathBuf::from("/repo"),
        };
        let f = crate::testing::finding(
            "k8s/secret.yaml",
            Rule::KubernetesPullSecret,
            "FAKEpass-1234-credscan",
            5,
        );
        let doc = document(&outcome(vec![f.clone()]), &roots);
        let run = &doc["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            Rule::ALL.len()
        );
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "CS002");
        assert_eq!(
            run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "CS002"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "sub/k8s/secret.yaml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 5);
        assert_eq!(
            r["partialFingerprints"][FINGERPRINT_KEY],
            f.fingerprint.as_str()
        );
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///repo/"
        );
        let text = doc.to_string();
        assert!(!text.contains("FAKEpass-1234-credscan"));
        assert!(text.contains("FA********an"));
        // Outside the source root: an absolute file URI.
        let mut g = f;
        g.path = "/elsewhere/config.json".into();
        let doc = document(&outcome(vec![g]), &roots);
        let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "file:///elsewhere/config.json"
        );
        assert!(loc["artifactLocation"].get("uriBaseId").is_none());
    }
}
