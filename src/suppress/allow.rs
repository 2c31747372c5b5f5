//! `[[allow]]` entries from the config file: drop the findings they match
//! and count, per entry, how many they matched so unused entries can be
//! reported as stale (as cargo-deny reports unmatched allow-list entries).

use std::ops::Range;

use crate::model::finding::Finding;

/// An `[[allow]]` entry. Every key that is set must match.
#[derive(Debug, Clone, Default)]
pub struct AllowEntry {
    pub fingerprint: Option<String>,
    pub registry: Option<String>,
    pub username: Option<String>,
    pub reason: Option<String>,
    /// Where the entry is written, for stale warnings.
    pub span: Range<usize>,
}

impl AllowEntry {
    /// A short description such as `fingerprint 0123… (test fixture)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.fingerprint {
            parts.push(format!("fingerprint {f}"));
        }
        if let Some(r) = &self.registry {
            parts.push(format!("registry {r}"));
        }
        if let Some(u) = &self.username {
            parts.push(format!("username {u}"));
        }
        parts.join(", ")
    }
}

/// Findings that survive the allow-list, plus match counts.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Finding>,
    /// Findings dropped because an entry matched.
    pub suppressed: usize,
    /// For each entry, in order, how many findings it matched.
    pub hits: Vec<usize>,
    /// The dropped findings, each with the first entry that matched it.
    pub dropped: Vec<(Finding, usize)>,
}

/// The host (and port) of a registry key, lowercased: the scheme and any
/// path are dropped, so `https://index.docker.io/v1/` is `index.docker.io`
/// and `quay.io/acme/app` is `quay.io`.
pub fn registry_host(key: &str) -> String {
    let k = key.trim();
    let k = k.split_once("://").map_or(k, |(_, rest)| rest);
    let host = k.split('/').next().unwrap_or(k);
    host.to_ascii_lowercase()
}

fn host_matches(entry: &str, finding: &str) -> bool {
    let want = registry_host(entry);
    let have = registry_host(finding);
    if want == have {
        return true;
    }
    // An entry without a port covers every port of that host.
    !want.contains(':') && have.split(':').next() == Some(want.as_str())
}

/// Whether every key set in `entry` matches `f`.
pub fn matches(entry: &AllowEntry, f: &Finding) -> bool {
    if let Some(fp) = &entry.fingerprint {
        if *fp != f.fingerprint {
            return false;
        }
    }
    if let Some(r) = &entry.registry {
        match &f.registry {
            Some(have) if host_matches(r, have) => {}
            _ => return false,
        }
    }
    if let Some(u) = &entry.username {
        if f.username.as_deref() != Some(u.as_str()) {
            return false;
        }
    }
    true
}

/// Drops the findings any entry matches. Every matching entry is counted,
/// so an entry that overlaps another is not called stale.
pub fn apply(findings: Vec<Finding>, entries: &[AllowEntry]) -> Applied {
    let mut out = Applied {
        hits: vec![0; entries.len()],
        ..Applied::default()
    };
    for f in findings {
        let mut allowed = None;
        for (i, e) in entries.iter().enumerate() {
            if matches(e, &f) {
                out.hits[i] += 1;
                allowed = allowed.or(Some(i));
            }
        }
        match allowed {
            Some(i) => {
                out.suppressed += 1;
                out.dropped.push((f, i));
            }
            None => out.kept.push(f),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Rule;

    fn finding(registry: &str, user: &str, fp: &str) -> Finding {
        let mut f = crate::testing::finding("a.json", Rule::DockerConfig, "FAKEpass-1234", 1);
        f.registry = Some(registry.into());
        f.username = Some(user.into());
        f.fingerprint = fp.into();
        f
    }

    fn entry(fp: Option<&str>, reg: Option<&str>, user: Option<&str>) -> AllowEntry {
        AllowEntry {
            fingerprint: fp.map(Into::into),
            registry: reg.map(Into::into),
            username: user.map(Into::into),
            ..AllowEntry::default()
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(
            registry_host("https://index.docker.io/v1/"),
            "index.docker.io"
        );
        assert_eq!(registry_host("quay.io/acme/app"), "quay.io");
        assert_eq!(
            registry_host("Registry.Example.TEST:5000"),
            "registry.example.test:5000"
        );
        assert!(host_matches(
            "registry.example.test",
            "https://registry.example.test:5000/v2/"
        ));
        assert!(!host_matches(
            "registry.example.test:443",
            "registry.example.test:5000"
        ));
        assert!(!host_matches("example.test", "registry.example.test"));
    }

    #[test]
    fn entries_match_on_every_key_they_set() {
        let fs = vec![
            finding("quay.io/acme/app", "ci-bot", "f1"),
            finding("registry.example.test", "deploy", "f2"),
            finding("registry.example.test", "ci-bot", "f3"),
        ];
        let entries = vec![
            entry(Some("f1"), None, None),
            entry(None, Some("registry.example.test"), Some("ci-bot")),
            entry(None, None, Some("nobody")),
            entry(None, None, Some("ci-bot")),
        ];
        let out = apply(fs, &entries);
        assert_eq!(out.kept.len(), 1);
        assert_eq!(out.kept[0].fingerprint, "f2");
        assert_eq!(out.suppressed, 2);
        assert_eq!(out.hits, vec![1, 1, 0, 2]);
    }
}
