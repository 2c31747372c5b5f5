//! Every fixture under `fixtures/` is scanned; the findings must equal
//! `fixtures/expected.json` exactly (path, line, column, username,
//! registry). Files under `negative/` must have none; every file under
//! `positive/` must have at least one.

use std::collections::BTreeSet;
use std::path::Path;

use credscan::input::{locate, Settings};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    path: String,
    line: u64,
    column: u64,
    username: Option<String>,
    registry: Option<String>,
}

fn fixtures_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn actual() -> (Vec<Row>, BTreeSet<String>) {
    let root = fixtures_dir();
    let settings = Settings {
        max_file_size: u64::MAX,
        reveal: false,
        snippets: false,
    };
    let mut rows = Vec::new();
    let mut files = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !(rel.starts_with("positive/") || rel.starts_with("negative/")) {
            continue;
        }
        files.insert(rel.clone());
        let bytes = std::fs::read(entry.path()).unwrap();
        let raw = credscan::engine::scan(&bytes);
        for f in locate(&rel, &bytes, raw, &settings) {
            rows.push(Row {
                path: f.path,
                line: f.line as u64,
                column: f.column as u64,
                username: f.username,
                registry: f.registry,
            });
        }
    }
    rows.sort();
    (rows, files)
}

fn expected() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures_dir().join("expected.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut rows: Vec<Row> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Row {
            path: r["path"].as_str().unwrap().to_string(),
            line: r["line"].as_u64().unwrap(),
            column: r["column"].as_u64().unwrap(),
            username: r["username"].as_str().map(str::to_string),
            registry: r["registry"].as_str().map(str::to_string),
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn fixtures_match_expected_findings() {
    let (actual, files) = actual();
    let expected = expected();
    let missing: Vec<&Row> = expected.iter().filter(|r| !actual.contains(r)).collect();
    let extra: Vec<&Row> = actual.iter().filter(|r| !expected.contains(r)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing (expected, not found): {missing:#?}\nextra (found, not expected): {extra:#?}"
    );
    assert_eq!(actual, expected);
    for f in &files {
        let n = actual.iter().filter(|r| &r.path == f).count();
        if f.starts_with("negative/") {
            assert_eq!(n, 0, "{f} must have no finding");
        } else {
            assert!(n > 0, "{f} must have a finding");
        }
    }
}

#[test]
fn fixtures_cover_positive_and_negative_forms() {
    let (_, files) = actual();
    let positive = files.iter().filter(|f| f.starts_with("positive/")).count();
    let negative = files.iter().filter(|f| f.starts_with("negative/")).count();
    assert!(positive >= 20, "only {positive} positive fixtures");
    assert!(negative >= 10, "only {negative} negative fixtures");
}
