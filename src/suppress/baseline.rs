//! Baseline files: the fingerprints of findings a team has accepted for
//! now, so that only new findings are reported.
//!
//! The file is JSON with one entry per line, sorted by path, rule and
//! fingerprint, and holds no secret, no line number and no timestamp:
//!
//! ```json
//! {
//!   "version": 2,
//!   "fingerprints": "pbkdf2-sha256",
//!   "findings": [
//!     {"fingerprint": "fc7510a2b744ad72c65b020ca07c6ec7", "rule": "CS002", "path": "k8s/secret.yaml"}
//!   ]
//! }
//! ```
//!
//! A fingerprint is derived from rule, path and secret, so moving lines or
//! reformatting a file leaves the file byte-for-byte the same, and two
//! branches that add findings in different files touch different lines.
//! Matching uses the fingerprint alone; `rule` and `path` are there for
//! people reading a diff. `fingerprints` names the scheme
//! ([`FingerprintScheme`]): a baseline written under another scheme (with
//! or without `CREDSCAN_FINGERPRINT_KEY`) or in version 1 (a single fast
//! hash) is refused with a message rather than matching nothing.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::model::finding::{Finding, FingerprintScheme, FINGERPRINT_KEY_ENV};

pub const VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    // Field order is the sort order: path, rule, fingerprint.
    path: String,
    rule: String,
    fingerprint: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    #[serde(default)]
    fingerprints: Option<String>,
    findings: Vec<Entry>,
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

/// A baseline file that cannot be read, parsed or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BaselineError(pub String);

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| BaselineError(format!("cannot read baseline {shown}: {e}")))?;
        Baseline::parse(&text).map_err(|e| BaselineError(format!("invalid baseline {shown}: {e}")))
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        Baseline::parse_for(text, FingerprintScheme::current())
    }

    /// Parses a baseline whose fingerprints must be of `scheme`.
    pub fn parse_for(text: &str, scheme: &FingerprintScheme) -> Result<Baseline, String> {
        let doc: Document = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if doc.version == 1 {
            return Err(
                "version 1 holds fingerprints of the old single-hash scheme, \
                 which credscan no longer computes: write it again with --write-baseline"
                    .to_string(),
            );
        }
        if doc.version != VERSION {
            return Err(format!(
                "version {} is not supported (this credscan reads version {VERSION})",
                doc.version
            ));
        }
        let want = scheme.name();
        match doc.fingerprints.as_deref() {
            Some(have) if have == want => {}
            Some(have) => {
                let hint = match scheme {
                    FingerprintScheme::Slow => {
                        format!("set {FINGERPRINT_KEY_ENV} to the key it was written with")
                    }
                    FingerprintScheme::Keyed(_) => format!(
                        "it was written without {FINGERPRINT_KEY_ENV}: unset it, or write the baseline again"
                    ),
                };
                return Err(format!(
                    "its fingerprints are {have}, this run computes {want}: {hint}"
                ));
            }
            None => return Err("`fingerprints` (the scheme) is missing".to_string()),
        }
        Ok(Baseline {
            fingerprints: doc.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    pub fn contains(&self, f: &Finding) -> bool {
        self.fingerprints.contains(&f.fingerprint)
    }

    /// Splits `findings` into new ones and those already baselined.
    pub fn split(&self, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
        findings.into_iter().partition(|f| !self.contains(f))
    }
}

// Used by the unit tests only.
#[cfg(test)]
impl Baseline {
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Splits `findings` into new ones and the number already baselined.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let before = findings.len();
        let kept: Vec<Finding> = findings.into_iter().filter(|f| !self.contains(f)).collect();
        let dropped = before - kept.len();
        (kept, dropped)
    }
}

/// The baseline file for `findings`: sorted, deduplicated, one entry per
/// line, ending in a newline. Returns the text and the number of entries.
pub fn render(findings: &[Finding]) -> (String, usize) {
    let entries: BTreeSet<Entry> = findings
        .iter()
        .map(|f| Entry {
            path: f.path.clone(),
            rule: f.rule.id().to_string(),
            fingerprint: f.fingerprint.clone(),
        })
        .collect();
    let q = |s: &str| serde_json::to_string(s).expect("a string always serializes");
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "    {{\"fingerprint\": {}, \"rule\": {}, \"path\": {}}}",
                q(&e.fingerprint),
                q(&e.rule),
                q(&e.path)
            )
        })
        .collect();
    let body = if lines.is_empty() {
        "  \"findings\": []\n".to_string()
    } else {
        format!("  \"findings\": [\n{}\n  ]\n", lines.join(",\n"))
    };
    (
        format!(
            "{{\n  \"version\": {VERSION},\n  \"fingerprints\": \"{}\",\n{body}}}\n",
            FingerprintScheme::current().name()
        ),
        entries.len(),
    )
}

/// Writes the baseline for `findings` to `path`; returns the entry count.
pub fn write(path: &Path, findings: &[Finding]) -> Result<usize, BaselineError> {
    let (text, n) = render(findings);
    std::fs::write(path, text)
        .map_err(|e| BaselineError(format!("cannot write baseline {}: {e}", path.display())))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Rule;
    use crate::testing::finding;

    #[test]
    fn rendering_is_sorted_stable_and_secret_free() {
        let a = finding(
            "z/config.json",
            Rule::DockerConfig,
            "FAKEpass-1234-credscan",
            4,
        );
        let b = finding(
            "a/values.yaml",
            Rule::BasicAuthPair,
            "FAKEpass-5678-credscan",
            9,
        );
        let (one, n) = render(&[a.clone(), b.clone(), a.clone()]);
        assert_eq!(n, 2);
        let (two, _) = render(&[b.clone(), a.clone()]);
        assert_eq!(one, two, "order of findings does not matter");
        let moved = finding(
            "z/config.json",
            Rule::DockerConfig,
            "FAKEpass-1234-credscan",
            40,
        );
        assert_eq!(
            render(&[moved, b.clone()]).0,
            one,
            "line moves do not matter"
        );
        assert!(!one.contains("FAKEpass"));
        assert!(!one.contains("\"line\""));
        let lines: Vec<&str> = one.lines().collect();
        assert_eq!(lines.len(), 8, "{one}");
        assert!(lines[4].contains("a/values.yaml"));
        assert!(lines[5].contains("z/config.json"));
        let parsed = Baseline::parse(&one).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed.contains(&a));
        let (kept, dropped) = parsed.filter(vec![a, b]);
        assert!(kept.is_empty());
        assert_eq!(dropped, 2);
    }

    #[test]
    fn empty_baseline() {
        let (text, n) = render(&[]);
        assert_eq!(n, 0);
        assert_eq!(
            text,
            "{\n  \"version\": 2,\n  \"fingerprints\": \"pbkdf2-sha256\",\n  \"findings\": []\n}\n"
        );
        assert!(Baseline::parse(&text).unwrap().is_empty());
    }

    #[test]
    fn bad_baselines_are_errors() {
        assert!(Baseline::parse("{").is_err());
        assert!(Baseline::parse("{\"version\": 3, \"findings\": []}")
            .unwrap_err()
            .contains("version 3"));
        assert!(Baseline::parse("{\"version\": 1, \"findings\": []}")
            .unwrap_err()
            .contains("--write-baseline"));
        assert!(Baseline::parse(
            "{\"version\": 2, \"fingerprints\": \"pbkdf2-sha256\", \"findings\": [{\"fingerprint\": \"x\", \"rule\": \"CS001\", \"path\": \"a\", \"line\": 3}]}"
        )
        .is_err());
    }

    #[test]
    fn baselines_of_another_fingerprint_scheme_are_refused() {
        let slow = "{\"version\": 2, \"fingerprints\": \"pbkdf2-sha256\", \"findings\": []}";
        let keyed = "{\"version\": 2, \"fingerprints\": \"hmac-sha256\", \"findings\": []}";
        let key = FingerprintScheme::Keyed(b"k".to_vec());
        assert!(Baseline::parse_for(slow, &FingerprintScheme::Slow).is_ok());
        assert!(Baseline::parse_for(keyed, &key).is_ok());
        let e = Baseline::parse_for(keyed, &FingerprintScheme::Slow).unwrap_err();
        assert!(e.contains(FINGERPRINT_KEY_ENV), "{e}");
        assert!(Baseline::parse_for(slow, &key).is_err());
    }
}
