//! Plaintext-form fixtures: every file under `fixtures/plaintext/positive` and
//! `fixtures/plaintext/negative` is scanned with `engine::scan` + `input::locate`
//! and the findings are compared, exactly, with `fixtures/plaintext/expected.json`
//! (path, line, column, username, kind, severity).
//!
//! `expected.json` is written by `fixtures/plaintext/generate.py` from markers
//! placed beside each literal in the fixture templates, not from credscan's
//! output.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use credscan::input::{locate, Settings};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Expected {
    path: String,
    line: usize,
    column: usize,
    username: Option<String>,
    kind: String,
    severity: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plaintext")
}

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let base = root();
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(base.join(dir))
        .into_iter()
        .map(|e| e.expect("readable fixture tree"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&base)
                .expect("under the fixture root")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).expect("readable fixture"))
        })
        .collect();
    out.sort();
    out
}

fn settings() -> Settings {
    Settings {
        max_file_size: u64::MAX,
        reveal: false,
        snippets: false,
    }
}

/// Scans one fixture; returns its findings as expectations, checking the
/// invariants every finding must meet on the way.
fn scan_file(path: &str, bytes: &[u8]) -> Vec<Expected> {
    let raw = credscan::engine::scan(bytes);
    let found = locate(path, bytes, raw, &settings());
    found
        .into_iter()
        .map(|f| {
            assert!(!f.fix.is_empty(), "{path}: empty fix");
            assert!(
                !f.fix.contains('{') || f.fix.contains("${{") || f.fix.contains("\"credHelpers\""),
                "{path}: unfilled placeholder in fix: {}",
                f.fix
            );
            Expected {
                path: path.to_string(),
                line: f.line,
                column: f.column,
                username: f.username,
                kind: f.token.as_str().to_string(),
                severity: f.severity.as_str().to_string(),
            }
        })
        .collect()
}

#[test]
fn fixtures_match_expected_json() {
    let text = fs::read_to_string(root().join("expected.json")).expect("expected.json");
    let mut expected: Vec<Expected> = serde_json::from_str(&text).expect("valid expected.json");
    expected.sort();
    let mut actual = Vec::new();
    for dir in ["positive", "negative"] {
        for (path, bytes) in files(dir) {
            actual.extend(scan_file(&path, &bytes));
        }
    }
    actual.sort();
    let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "fixture findings differ from expected.json\nmissing (expected, not found): {missing:#?}\nextra (found, not expected): {extra:#?}"
    );
    assert_eq!(actual, expected);
}

#[test]
fn every_form_has_positive_and_negative_fixtures() {
    let forms = |dir: &str| -> BTreeSet<String> {
        files(dir)
            .into_iter()
            .map(|(p, _)| p.split('/').nth(1).unwrap_or_default().to_string())
            .collect()
    };
    let positive = forms("positive");
    let want: BTreeSet<String> = [
        "login-command",
        "password-stdin",
        "kubectl-secret",
        "skopeo-creds",
        "ctr-crictl",
        "circleci",
        "github-actions",
        "bitbucket",
        "drone",
        "jenkins",
        "containerd",
        "k3s",
        "nomad",
        "terraform",
        "ansible",
        "engine-header",
        "kinds",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(positive, want);
    assert_eq!(forms("negative"), want);
    // Every positive file reports something; no negative file does.
    for (path, bytes) in files("positive") {
        assert!(!scan_file(&path, &bytes).is_empty(), "{path}: no finding");
    }
    for (path, bytes) in files("negative") {
        let found = scan_file(&path, &bytes);
        assert!(found.is_empty(), "{path}: unexpected {found:#?}");
    }
}

#[test]
fn every_kind_and_severity_is_covered() {
    let text = fs::read_to_string(root().join("expected.json")).expect("expected.json");
    let expected: Vec<Expected> = serde_json::from_str(&text).expect("valid expected.json");
    let kinds: BTreeSet<&str> = expected.iter().map(|e| e.kind.as_str()).collect();
    for k in credscan::judge::classify::TokenKind::ALL {
        assert!(
            kinds.contains(k.as_str()),
            "no fixture for kind {}",
            k.as_str()
        );
    }
    let severities: BTreeSet<&str> = expected.iter().map(|e| e.severity.as_str()).collect();
    assert_eq!(
        severities,
        BTreeSet::from(["critical", "high", "low", "medium"])
    );
}
