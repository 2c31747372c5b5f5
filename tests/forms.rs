//! The form fixtures: `fixtures/forms/<slug>/positive/` and `negative/` for
//! every form of the registry (`credscan::forms::FORMS`).
//!
//! Each positive file has its expected findings beside it, in
//! `<file>.expected.json`: an array of `{line, column, username}` plus, as
//! the file's generator states them, `registry`, or `kind` and `severity`
//! (line and column 1-based, the column in characters). The scan of the
//! file (`engine::scan` + `input::locate`) must give exactly those
//! findings; a negative file must give none. The expectations are written
//! by the generators beside the fixtures from markers placed next to each
//! literal, not from credscan's output.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use credscan::forms::FORMS;
use credscan::input::{locate, Settings};
use credscan::model::finding::Finding;
use serde_json::Value;

const EXPECTED: &str = ".expected.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forms")
}

/// The fixture files under `dir` (not the expectation files), as paths
/// relative to `fixtures/forms/`, sorted.
fn inputs(dir: &Path) -> Vec<String> {
    let base = root();
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable fixture tree"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&base)
                .expect("under fixtures/forms")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| !p.ends_with(EXPECTED))
        .collect();
    out.sort();
    out
}

fn scan(rel: &str) -> Vec<Finding> {
    let bytes = fs::read(root().join(rel)).expect("readable fixture");
    let settings = Settings {
        max_file_size: u64::MAX,
        reveal: false,
        snippets: false,
    };
    let raw = credscan::engine::scan(&bytes);
    let found = locate(rel, &bytes, raw, &settings);
    for f in &found {
        assert!(!f.fix.is_empty(), "{rel}: empty fix");
        assert!(
            !f.fix.contains('{') || f.fix.contains("${{") || f.fix.contains("\"credHelpers\""),
            "{rel}: unfilled placeholder in fix: {}",
            f.fix
        );
    }
    found
}

/// One finding as the expectation states it: the fields it names.
fn as_stated(f: &Finding, stated: &Value) -> Value {
    let mut v = serde_json::json!({
        "line": f.line,
        "column": f.column,
        "username": f.username,
    });
    let obj = v.as_object_mut().expect("an object");
    if stated.get("registry").is_some() {
        obj.insert("registry".into(), f.registry.clone().into());
    }
    if stated.get("kind").is_some() {
        obj.insert("kind".into(), f.token.as_str().into());
    }
    if stated.get("severity").is_some() {
        obj.insert("severity".into(), f.severity.as_str().into());
    }
    v
}

fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by_key(|x| x.to_string());
    v
}

#[test]
fn every_form_has_positive_and_negative_fixtures() {
    for form in FORMS {
        for kind in ["positive", "negative"] {
            let dir = root().join(form.slug).join(kind);
            assert!(
                !inputs(&dir).is_empty(),
                "form {} has no fixture in fixtures/forms/{}/{kind}/",
                form.slug,
                form.slug
            );
        }
    }
    // And no folder belongs to no form.
    for entry in fs::read_dir(root()).expect("fixtures/forms") {
        let entry = entry.expect("readable");
        if entry.file_type().expect("file type").is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                FORMS.iter().any(|f| f.slug == name),
                "fixtures/forms/{name} is not a form"
            );
        }
    }
}

#[test]
fn positive_fixtures_give_exactly_the_expected_findings() {
    let mut checked = 0;
    for form in FORMS {
        for rel in inputs(&root().join(form.slug).join("positive")) {
            let path = root().join(format!("{rel}{EXPECTED}"));
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{rel}: no {EXPECTED} beside it ({e})"));
            let expected: Vec<Value> = serde_json::from_str(&text).expect("valid expectations");
            assert!(
                !expected.is_empty(),
                "{rel}: a positive fixture expects nothing"
            );
            let found = scan(&rel);
            let actual: Vec<Value> = found.iter().map(|f| as_stated(f, &expected[0])).collect();
            assert_eq!(
                sorted(actual),
                sorted(expected),
                "{rel}: findings differ from {rel}{EXPECTED}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} positive fixtures");
}

#[test]
fn negative_fixtures_give_nothing() {
    for form in FORMS {
        for rel in inputs(&root().join(form.slug).join("negative")) {
            let found = scan(&rel);
            assert!(found.is_empty(), "{rel}: unexpected {found:#?}");
            assert!(
                !root().join(format!("{rel}{EXPECTED}")).exists(),
                "{rel}: a negative fixture with expectations"
            );
        }
    }
}

#[test]
fn every_kind_and_severity_is_covered() {
    let mut kinds = BTreeSet::new();
    let mut severities = BTreeSet::new();
    for form in FORMS {
        for rel in inputs(&root().join(form.slug).join("positive")) {
            let text = fs::read_to_string(root().join(format!("{rel}{EXPECTED}"))).expect("read");
            let expected: Vec<Value> = serde_json::from_str(&text).expect("valid");
            for e in expected {
                if let Some(k) = e.get("kind").and_then(Value::as_str) {
                    kinds.insert(k.to_string());
                }
                if let Some(s) = e.get("severity").and_then(Value::as_str) {
                    severities.insert(s.to_string());
                }
            }
        }
    }
    for k in credscan::judge::classify::TokenKind::ALL {
        assert!(
            kinds.contains(k.as_str()),
            "no fixture for kind {}",
            k.as_str()
        );
    }
    let want: BTreeSet<String> = ["critical", "high", "low", "medium"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(severities, want);
}
