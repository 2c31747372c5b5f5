//! SARIF 2.1.0 output for code-scanning services (GitHub code scanning,
//! GitLab, Azure DevOps). Checked by Microsoft's SARIF Multitool `validate`
//! in `tests/sarif.rs`.
//!
//! - one `reportingDescriptor` per rule and severity that occurs, with the
//!   stable id `RULE/SEVERITY` (e.g. `CS001/critical`, a hierarchical SARIF
//!   rule id), so the `security-severity` GitHub code scanning ranks alerts
//!   by (read from the rule, never from the result) follows the finding's
//!   severity; descriptions and help come from the rule;
//! - one result per finding, its `level` from the severity (critical and
//!   high: `error`, medium: `warning`, low: `note`) and its message naming
//!   the token kind, registry and user;
//! - results located by a region whose lines and columns
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
use crate::model::finding::Finding;
use crate::model::kind::Severity;
use crate::model::rule::{FormNote, Rule};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key for the commit that introduced a finding
/// found in git history (`--history`).
pub const COMMIT_KEY: &str = "credscanCommit/v1";

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

/// The SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning's `security-severity` score: above 9.0 reads
/// critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

/// The stable id of the descriptor for `rule` at `severity`.
pub fn descriptor_id(rule: Rule, severity: Severity) -> String {
    format!("{}/{}", rule.id(), severity.as_str())
}

fn descriptor(r: Rule, severity: Severity, forms: &[FormNote]) -> Value {
    let (text, markdown) = rule_help(r);
    let level = level(severity);
    let mine: Vec<&FormNote> = forms.iter().filter(|f| f.rule == r).collect();
    let forms_sentence = if mine.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = mine
            .iter()
            .map(|f| format!("{} ({})", f.slug, f.title))
            .collect();
        format!(" Forms: {}.", list.join(", "))
    };
    let mut d = json!({
        "id": descriptor_id(r, severity),
        "name": pascal(&format!("{}-{}", r.name(), severity.as_str())),
        "shortDescription": {"text": format!("{} ({}).", r.description(), severity.as_str())},
        "fullDescription": {"text": format!(
            "{}. credscan decodes base64 and JSON layer by layer and reports each real \
             user:password pair or token it finds. This descriptor holds the {} findings \
             of rule {}; the severity follows from the token kind.",
            r.description(), severity.as_str(), r.id()) + &forms_sentence},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": ["security", "secrets", "credentials", r.name()],
            "precision": "high",
            "problem.severity": if level == "note" { "recommendation" } else { level },
            "security-severity": security_severity(severity),
        },
    });
    if !mine.is_empty() {
        d["properties"]["forms"] = json!(mine.iter().map(|f| f.slug).collect::<Vec<_>>());
    }
    d
}

/// The descriptors the findings use, ordered by rule then severity.
fn descriptors<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<(Rule, Severity)> {
    let set: std::collections::BTreeSet<(Rule, Severity)> =
        findings.map(|f| (f.rule, f.severity)).collect();
    set.into_iter().collect()
}

fn result(f: &Finding, index: usize, roots: &Roots) -> Value {
    let artifact = match roots.relative(&f.path) {
        Some(rel) => json!({"uri": encode_uri_path(&rel), "uriBaseId": "%SRCROOT%"}),
        None => {
            let abs = crate::model::path::absolute(std::path::Path::new(&f.path), &roots.base);
            json!({"uri": file_uri(&abs.to_string_lossy(), false)})
        }
    };
    let mut fingerprints = json!({FINGERPRINT_KEY: f.fingerprint});
    let mut properties = json!({
        "rule": f.rule.id(),
        "severity": f.severity.as_str(),
        "registry": f.registry,
        "username": f.username,
        "secret": f.secret.redacted(),
        "secretKind": f.token.as_str(),
        "decodeChain": f.decode_chain,
    });
    if let Some(o) = &f.origin {
        fingerprints[COMMIT_KEY] = json!(o.commit);
        properties["commit"] = json!(o.commit);
        properties["commitAuthor"] = json!(o.author);
        properties["commitDate"] = json!(o.date);
        properties["blob"] = json!(o.blob);
        properties["commits"] = json!(o.commits);
        properties["paths"] = json!(o.paths);
        properties["inHead"] = json!(o.in_head);
    }
    let mut result = json!({
        "ruleId": descriptor_id(f.rule, f.severity),
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": super::message(f)},
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
        "partialFingerprints": fingerprints,
        "properties": properties,
    });
    if let Some(v) = &f.verification {
        result["properties"]["verification"] = json!(v);
    }
    result
}

/// The SARIF log for `outcome`.
pub fn document(outcome: &Outcome, roots: &Roots) -> Value {
    document_with_forms(outcome, roots, &[])
}

/// The SARIF log for `outcome`, whose rule descriptors list the forms of
/// their rule (from the form registry, as `forms::notes()`).
pub fn document_with_forms(outcome: &Outcome, roots: &Roots, forms: &[FormNote]) -> Value {
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
    // Findings an allow entry or the baseline dropped stay visible to code
    // scanning, as results carrying `suppressions` (SARIF 3.27.23).
    let all: Vec<(&Finding, Option<&String>)> = outcome
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(
            outcome
                .suppressed
                .findings
                .iter()
                .map(|s| (&s.finding, Some(&s.justification))),
        )
        .collect();
    let used = descriptors(all.iter().map(|(f, _)| *f));
    let results: Vec<Value> = all
        .iter()
        .map(|&(f, why)| {
            let index = used
                .binary_search(&(f.rule, f.severity))
                .expect("every finding has a descriptor");
            let mut r = result(f, index, roots);
            if let Some(why) = why {
                r["suppressions"] =
                    json!([{"kind": "external", "status": "accepted", "justification": why}]);
            }
            r
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "credscan",
                    "version": version,
                    "semanticVersion": version,
                    "rules": used.iter().map(|&(r, s)| descriptor(r, s, forms)).collect::<Vec<_>>(),
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
            "results": results,
            "properties": {"suppressions": outcome.suppressed.counts()},
        }],
    })
}

pub fn write(outcome: &Outcome, roots: &Roots, out: &mut dyn Write) -> io::Result<()> {
    write_with_forms(outcome, roots, &[], out)
}

/// [`write()`], with the forms of each rule in its descriptor.
pub fn write_with_forms(
    outcome: &Outcome,
    roots: &Roots,
    forms: &[FormNote],
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document_with_forms(outcome, roots, forms))?;
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
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 1);
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "CS002/high");
        assert_eq!(
            run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "CS002/high"
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

    #[test]
    fn level_and_security_severity_follow_each_findings_severity() {
        let roots = Roots {
            base: PathBuf::from("/repo"),
            src_root: PathBuf::from("/repo"),
        };
        let mut findings = Vec::new();
        for (i, sev) in [
            Severity::Low,
            Severity::Critical,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = crate::testing::finding(
                "config.json",
                Rule::DockerConfig,
                "FAKEpass-1234-credscan",
                i + 1,
            );
            f.severity = sev;
            findings.push(f);
        }
        findings[1].token = crate::model::kind::TokenKind::GithubPat;
        let doc = document(&outcome(findings), &roots);
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["CS001/critical", "CS001/high", "CS001/medium", "CS001/low"],
            "one descriptor per rule and severity used, worst first"
        );
        let scores: Vec<f64> = rules
            .iter()
            .map(|r| {
                r["properties"]["security-severity"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(scores[0] > 9.0 && (7.0..9.0).contains(&scores[1]));
        assert!((4.0..7.0).contains(&scores[2]) && (0.1..4.0).contains(&scores[3]));
        let results = run["results"].as_array().unwrap();
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["note", "error", "warning", "error", "error"]);
        for r in results {
            let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], r["ruleId"]);
            assert_eq!(rule["defaultConfiguration"]["level"], r["level"]);
        }
        let critical = results[1]["message"]["text"].as_str().unwrap();
        assert!(
            critical.starts_with(
                "Critical GitHub personal access token (classic) (github-pat) leaked for \
                 registry.example.test (user ci-bot): secret FA********an."
            ),
            "{critical}"
        );
    }
}

#[cfg(test)]
mod form_notes {
    use super::*;

    #[test]
    fn descriptors_list_the_forms_of_their_rule() {
        let forms = [
            FormNote {
                rule: Rule::RuntimeConfig,
                slug: "containerd",
                title: "containerd registry auth",
            },
            FormNote {
                rule: Rule::DockerConfig,
                slug: "docker-config",
                title: "Docker/Podman registry config",
            },
        ];
        let d = descriptor(Rule::RuntimeConfig, Severity::High, &forms);
        let full = d["fullDescription"]["text"].as_str().unwrap();
        assert!(
            full.ends_with(" Forms: containerd (containerd registry auth)."),
            "{full}"
        );
        assert_eq!(d["properties"]["forms"], json!(["containerd"]));
        let bare = descriptor(Rule::RuntimeConfig, Severity::High, &[]);
        assert!(bare["properties"].get("forms").is_none());
    }
}
