//! The generalization corpus (`fixtures/wild/`): registry-credential forms
//! from public documentation of tools that talk to registries, each with a
//! negative twin. No detector is written for one of its files; this test
//! measures how far the general mechanisms reach.
//!
//! It prints recall (expected `(path, line, username)` rows found) and
//! false positives (findings in negative files, and findings in positive
//! files at a line no expectation names), then checks them against the
//! floor recorded in `fixtures/wild/README.md`. Run it with
//! `cargo test --test wild -- --nocapture` to see the per-file table.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use credscan::input::{locate, Settings};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct Row {
    path: String,
    line: usize,
    username: Option<String>,
}

/// Expected rows found, out of 55 (see README). Raise it when detection
/// improves; it must never go down.
const RECALL_FLOOR: usize = 55;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wild")
}

fn scan_dir(sub: &str) -> (BTreeSet<String>, Vec<Row>) {
    let base = root();
    let settings = Settings {
        max_file_size: u64::MAX,
        reveal: false,
        snippets: false,
    };
    let mut files = BTreeSet::new();
    let mut rows = Vec::new();
    for e in walkdir::WalkDir::new(base.join(sub)) {
        let e = e.expect("readable corpus");
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(&base)
            .expect("under the corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = fs::read(e.path()).expect("readable file");
        let raw = credscan::engine::scan(&bytes);
        for f in locate(&rel, &bytes, raw, &settings) {
            rows.push(Row {
                path: rel.clone(),
                line: f.line,
                username: f.username,
            });
        }
        files.insert(rel);
    }
    rows.sort();
    rows.dedup();
    (files, rows)
}

#[test]
fn wild_corpus_recall_and_false_positives() {
    let expected: Vec<Row> = serde_json::from_str(
        &fs::read_to_string(root().join("expected.json")).expect("expected.json"),
    )
    .expect("valid expected.json");
    let (pos_files, found) = scan_dir("positive");
    let (neg_files, neg_found) = scan_dir("negative");
    assert_eq!(
        pos_files.len(),
        neg_files.len(),
        "every positive form has a negative twin"
    );

    let mut hit = 0;
    let mut missed = Vec::new();
    for e in &expected {
        if found.contains(e) {
            hit += 1;
        } else {
            missed.push(e);
        }
    }
    let extra: Vec<&Row> = found
        .iter()
        .filter(|f| {
            !expected
                .iter()
                .any(|e| e.path == f.path && e.line == f.line)
        })
        .collect();
    let wrong_user: Vec<&Row> = found
        .iter()
        .filter(|f| {
            !expected.contains(f)
                && expected
                    .iter()
                    .any(|e| e.path == f.path && e.line == f.line)
        })
        .collect();
    let neg_hit_files: BTreeSet<&str> = neg_found.iter().map(|r| r.path.as_str()).collect();

    println!(
        "wild corpus: {} forms, recall {hit}/{} ({:.0}%), false positives: {} finding(s) in {}/{} negative files, {} extra finding(s) in positive files, {} at the right line with another username",
        pos_files.len(),
        expected.len(),
        100.0 * hit as f64 / expected.len() as f64,
        neg_found.len(),
        neg_hit_files.len(),
        neg_files.len(),
        extra.len(),
        wrong_user.len(),
    );
    for m in &missed {
        println!("  missed   {}:{} {:?}", m.path, m.line, m.username);
    }
    for w in &wrong_user {
        println!("  username {}:{} {:?}", w.path, w.line, w.username);
    }
    for x in &extra {
        println!("  extra    {}:{} {:?}", x.path, x.line, x.username);
    }
    for n in &neg_found {
        println!("  negative {}:{} {:?}", n.path, n.line, n.username);
    }

    assert!(
        hit >= RECALL_FLOOR,
        "recall {hit} fell below the recorded floor {RECALL_FLOOR}"
    );
    assert!(
        neg_found.is_empty(),
        "findings in negative corpus files: {neg_found:?}"
    );
    assert!(extra.is_empty(), "unexpected findings: {extra:?}");
}
