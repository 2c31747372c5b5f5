//! Robustness, proven on every fixture rather than by more fixtures.
//!
//! Every positive fixture (`fixtures/forms/*/positive/`, `fixtures/wild/
//! positive/`) is transformed, alone and combined, and its findings
//! (count, line, username) must survive, at the lines the transformation
//! moves them to; every negative fixture must stay silent under the same
//! transformations:
//! - placed first, in the middle and last in a multi-document YAML stream
//!   (with `---`, `# Source:` comments and a trailing `...`), for YAML files;
//! - CRLF line endings;
//! - indentation doubled (spaces and tabs, so YAML stays consistent);
//! - leading tabs as spaces, and (outside YAML) leading space pairs as tabs;
//! - re-encoded as UTF-16LE with a BOM (read through the input layer);
//! - a comment line inserted at the top and at the end;
//! - combined: CRLF + doubled indentation + comments, and all of that in
//!   UTF-16LE.
//!
//! Each login-command finding on a line of its own is also carried into
//! command wrappers: split over `\` continuations, a Makefile recipe, a
//! Dockerfile `RUN`, a CI `script:` list and a `run:` step, a Markdown code
//! block, a Groovy `sh '...'` and a PowerShell string.
//!
//! The test prints how many cases each transformation ran.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use credscan::input::{scan_bytes, Settings, Sink};

type Row = (usize, Option<String>);

fn settings() -> Settings {
    Settings {
        max_file_size: u64::MAX,
        reveal: false,
        snippets: false,
    }
}

/// Findings of `bytes` scanned as the file `name` (through the input
/// layer, so UTF-16 is decoded as in a real scan): sorted (line, username),
/// and the rule id of each.
fn scan(name: &str, bytes: &[u8]) -> Vec<(usize, Option<String>, String)> {
    let sink = Sink::default();
    scan_bytes(name, bytes, &settings(), &sink);
    let (found, _) = sink.into_parts();
    let mut rows: Vec<(usize, Option<String>, String)> = found
        .into_iter()
        .map(|f| (f.line, f.username, f.rule.id().to_string()))
        .collect();
    rows.sort();
    rows
}

fn rows(name: &str, bytes: &[u8]) -> Vec<Row> {
    scan(name, bytes)
        .into_iter()
        .map(|(l, u, _)| (l, u))
        .collect()
}

fn fixture_files(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for base in [root.join("forms"), root.join("wild")] {
        for e in walkdir::WalkDir::new(&base) {
            let e = e.expect("readable fixtures");
            let p = e.path();
            let rel = p
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let in_kind = rel.split('/').any(|c| c == kind);
            if e.file_type().is_file() && in_kind && !rel.ends_with(".expected.json") {
                out.push(p.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn comment_for(name: &str) -> Option<&'static str> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "json" | "ipynb" | "log" | "http" | "container" => None,
        "xml" | "md" => Some("<!-- inserted comment -->"),
        "js" | "ts" | "go" | "rs" | "java" | "cs" | "kts" | "gradle" => Some("// inserted comment"),
        "pp" => Some("# inserted comment"),
        _ => Some("# inserted comment"),
    }
}

/// The text with `f` applied to each line (its `\n` kept apart).
fn map_lines(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&f(line));
    }
    out
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn double_indent(text: &str) -> String {
    map_lines(text, |l| {
        let n = l.len() - l.trim_start_matches([' ', '\t']).len();
        let (ind, rest) = l.split_at(n);
        format!("{ind}{ind}{rest}")
    })
}

fn tabs_to_spaces(text: &str) -> String {
    map_lines(text, |l| {
        let n = l.len() - l.trim_start_matches('\t').len();
        format!("{}{}", "    ".repeat(n), &l[n..])
    })
}

fn space_pairs_to_tabs(text: &str) -> String {
    map_lines(text, |l| {
        let n = l.len() - l.trim_start_matches(' ').len();
        format!("{}{}{}", "\t".repeat(n / 2), " ".repeat(n % 2), &l[n..])
    })
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

const FILLER: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\ndata:\n  level: info\n";

/// (text, line shift) for the file placed at `pos` (0 first, 1 middle, 2
/// last) in a multi-document stream.
fn in_stream(text: &str, pos: usize) -> (String, usize) {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let own = format!("---\n# Source: chart/templates/doc.yaml\n{body}\n");
    let filler = format!("---\n# Source: chart/templates/filler.yaml\n{FILLER}");
    let filler_lines = filler.matches('\n').count();
    let (out, shift) = match pos {
        0 => (format!("{own}{filler}...\n"), 2),
        1 => (format!("{filler}{own}{filler}...\n"), filler_lines + 2),
        _ => (format!("{filler}{filler}{own}...\n"), 2 * filler_lines + 2),
    };
    (out, shift)
}

fn with_comments(text: &str, comment: &str) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    format!("{comment}\n{body}\n{comment}\n")
}

fn shifted(rows: &[Row], by: usize) -> Vec<Row> {
    rows.iter().map(|(l, u)| (l + by, u.clone())).collect()
}

#[derive(Default)]
struct Tally(BTreeMap<&'static str, usize>);

impl Tally {
    fn case(&mut self, name: &'static str) {
        *self.0.entry(name).or_default() += 1;
    }
}

/// The transformed variants of one file: (name, bytes, line shift).
fn variants(name: &str, text: &str) -> Vec<(&'static str, Vec<u8>, usize)> {
    let mut v: Vec<(&'static str, Vec<u8>, usize)> = vec![
        ("crlf", crlf(text).into_bytes(), 0),
        ("indent doubled", double_indent(text).into_bytes(), 0),
        ("tabs as spaces", tabs_to_spaces(text).into_bytes(), 0),
        ("utf-16le with bom", utf16le(text), 0),
    ];
    if !is_yaml(name) {
        v.push((
            "space pairs as tabs",
            space_pairs_to_tabs(text).into_bytes(),
            0,
        ));
    }
    if is_yaml(name) {
        for (pos, label) in [
            (0, "stream: first"),
            (1, "stream: middle"),
            (2, "stream: last"),
        ] {
            let (t, shift) = in_stream(text, pos);
            v.push((label, t.clone().into_bytes(), shift));
            v.push(("stream + crlf + utf-16le", utf16le(&crlf(&t)), shift));
        }
    }
    if let Some(c) = comment_for(name) {
        let t = with_comments(text, c);
        v.push(("comments before and after", t.clone().into_bytes(), 1));
        let all = crlf(&double_indent(&t));
        v.push(("comments + crlf + indent", all.clone().into_bytes(), 1));
        v.push(("comments + crlf + indent + utf-16le", utf16le(&all), 1));
    }
    v
}

/// Command wrappers around one command line: (name, text, line of the
/// command in it).
fn wrappers(line: &str) -> Vec<(&'static str, String, usize)> {
    let cmd = line.trim();
    let mut out = vec![
        ("makefile recipe", format!("all:\n\t{cmd}\n"), 2),
        ("dockerfile run", format!("FROM alpine:3\nRUN {cmd}\n"), 2),
        (
            "ci script list",
            format!("job:\n  script:\n    - {cmd}\n"),
            3,
        ),
        ("ci run step", format!("steps:\n  - run: {cmd}\n"), 2),
        (
            "markdown code block",
            format!("# Setup\n\n```sh\n{cmd}\n```\n"),
            4,
        ),
    ];
    if !cmd.contains('\'') {
        out.push((
            "groovy sh string",
            format!("stage('push') {{\n  sh '{cmd}'\n}}\n"),
            2,
        ));
        out.push((
            "powershell string",
            format!("$cmd = '{cmd}'\nInvoke-Expression $cmd\n"),
            1,
        ));
    }
    out
}

#[test]
fn findings_survive_every_transformation() {
    let mut tally = Tally::default();
    let mut failures: Vec<String> = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in fixture_files("positive") {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            continue;
        };
        // The fixtures that test CRLF or a BOM themselves are kept as
        // they are; the transformations start from LF text.
        if text.contains('\r') || text.starts_with('\u{feff}') {
            continue;
        }
        let found = scan(&name, &bytes);
        let base: Vec<Row> = found.iter().map(|(l, u, _)| (*l, u.clone())).collect();
        if base.is_empty() {
            failures.push(format!("{name}: no finding to start from"));
            continue;
        }
        for (label, variant, shift) in variants(&name, &text) {
            tally.case(label);
            let got = rows(&name, &variant);
            let want = shifted(&base, shift);
            if got != want {
                failures.push(format!("{name} [{label}]: want {want:?}, got {got:?}"));
            }
        }
        // Command wrappers, for login commands on a line of their own.
        let lines: Vec<&str> = text.split('\n').collect();
        let mut done_lines = Vec::new();
        for (line_no, _, rule) in &found {
            if rule != "CS010" || done_lines.contains(line_no) {
                continue;
            }
            done_lines.push(*line_no);
            let i = line_no - 1;
            let line = lines[i];
            let continued = |l: &str| l.trim_end().ends_with('\\') || l.trim_end().ends_with('`');
            if continued(line) || (i > 0 && continued(lines[i - 1])) {
                continue;
            }
            let on_line: Vec<Option<String>> = base
                .iter()
                .filter(|(l, _)| l == line_no)
                .map(|(_, u)| u.clone())
                .collect();
            let cmd = line.trim_start_matches(['#', '$', ' ', '\t', '-']);
            for (label, wrapped, at) in wrappers(cmd) {
                tally.case(label);
                let want: Vec<Row> = on_line.iter().map(|u| (at, u.clone())).collect();
                let got = rows(&name, wrapped.as_bytes());
                if got != want {
                    failures.push(format!(
                        "{name}:{line_no} [{label}]: want {want:?}, got {got:?}\n{wrapped}"
                    ));
                }
            }
            // Split over `\` continuations before the last word that is
            // not the secret's: each word on its own line.
            let words: Vec<&str> = cmd.split(' ').filter(|w| !w.is_empty()).collect();
            if words.len() >= 3 && !cmd.contains(['"', '\'']) {
                tally.case("split over continuations");
                let split = words.join(" \\\n  ");
                let got = rows(&name, format!("{split}\n").as_bytes());
                if got.len() != on_line.len()
                    || got.iter().map(|(_, u)| u.clone()).collect::<Vec<_>>() != on_line
                {
                    failures.push(format!(
                        "{name}:{line_no} [split]: want users {on_line:?}, got {got:?}\n{split}"
                    ));
                }
            }
        }
    }
    for (k, n) in &tally.0 {
        println!("{n:5} positive cases: {k}");
    }
    println!(
        "{:5} positive cases in all",
        tally.0.values().sum::<usize>()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negatives_stay_silent_under_every_transformation() {
    let mut tally = Tally::default();
    let mut failures: Vec<String> = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in fixture_files("negative") {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        for (label, variant, _) in variants(&name, &text) {
            tally.case(label);
            let got = rows(&name, &variant);
            if !got.is_empty() {
                failures.push(format!("{name} [{label}]: {got:?}"));
            }
        }
        for (i, line) in text.split('\n').enumerate() {
            let cmd = line.trim_start_matches(['#', '$', ' ', '\t', '-']);
            if !(cmd.contains("login") || cmd.contains("--creds") || cmd.contains("--password")) {
                continue;
            }
            for (label, wrapped, _) in wrappers(cmd) {
                tally.case(label);
                let got = rows(&name, wrapped.as_bytes());
                if !got.is_empty() {
                    failures.push(format!("{name}:{} [{label}]: {got:?}", i + 1));
                }
            }
        }
    }
    for (k, n) in &tally.0 {
        println!("{n:5} negative cases: {k}");
    }
    println!(
        "{:5} negative cases in all",
        tally.0.values().sum::<usize>()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
