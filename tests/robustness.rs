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
//! - a comment line inserted directly before and directly after each
//!   finding's lines (outside a `\` continuation), indented as the finding,
//!   where the file's syntax has a comment there: not in JSON files (JSON
//!   has none), JSON members embedded in other files, base64 in a YAML
//!   block scalar, or a multi-line string of code; `#` inside a Markdown
//!   code fence. For negatives, the same around every line naming a
//!   password, auth, login, creds, token or secret;
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
    let mut rows: Vec<(usize, Option<String>, String)> = scan_spans(name, bytes)
        .into_iter()
        .map(|(l, _, u, r)| (l, u, r))
        .collect();
    rows.sort();
    rows
}

/// As [`scan`], with the last line of each finding's value:
/// (line, end line, username, rule id).
fn scan_spans(name: &str, bytes: &[u8]) -> Vec<(usize, usize, Option<String>, String)> {
    let sink = Sink::default();
    scan_bytes(name, bytes, &settings(), &sink);
    let (found, _) = sink.into_parts();
    let mut rows: Vec<(usize, usize, Option<String>, String)> = found
        .into_iter()
        .map(|f| (f.line, f.end_line, f.username, f.rule.id().to_string()))
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

/// Whether a line continues on the next (`\\`, PowerShell's ` ` ` after a
/// blank; a Markdown fence is not one).
fn continued(l: &str) -> bool {
    let l = l.trim_end();
    l.ends_with('\\') || l.ends_with(" `") || l.ends_with("\t`")
}

/// The text with `comment` inserted on a line of its own directly before
/// the logical line holding line `first` and directly after the one
/// holding line `last` (1-based), indented as the line `first`; `None`
/// where that would not be a comment. Returns the text and the two
/// inserted lines' numbers in it.
fn comments_around(
    name: &str,
    text: &str,
    first: usize,
    last: usize,
    comment: &str,
) -> Option<(String, usize, usize)> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = body.split('\n').collect();
    let (mut a, mut b) = (first - 1, last - 1);
    while a > 0 && continued(lines[a - 1]) {
        a -= 1;
    }
    while b + 1 < lines.len() && continued(lines[b]) {
        b += 1;
    }
    let line = lines[a];
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let indent = &line[..indent_of(line)];
    // Members of JSON (a heredoc, a `stringData` block, a ConfigMap's
    // `config.json: |`) take no comment.
    if lines[a..=b].iter().any(|l| {
        let t = l.trim_start();
        (t.starts_with('"') && t.contains("\":")) || t.starts_with('{') || t.starts_with('}')
    }) {
        return None;
    }
    // Inside a multi-line string of code (`"""`, `'''`, a backtick
    // string), a comment would be part of the string.
    // (At either insertion: a string may open on the finding's line.)
    let open_at = |k: usize, q: &str| {
        lines[..k]
            .iter()
            .map(|l| l.matches(q).count())
            .sum::<usize>()
            % 2
            == 1
    };
    let open = |q: &str| open_at(a, q) || open_at(b + 1, q);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let strings: &[&str] = match ext {
        "py" => &["\"\"\"", "'''"],
        "java" | "kts" | "gradle" | "cs" => &["\"\"\""],
        "go" | "js" | "ts" => &["`"],
        _ => &[],
    };
    if strings.iter().any(|q| open(q)) {
        return None;
    }
    let mut comment = comment;
    if is_yaml(name) {
        // In a YAML block scalar the line is the scalar's text: a `#` line
        // there is a comment of a script (`run: |`), but not of base64.
        let owner = lines[..first - 1]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty() && indent_of(l) < indent.len());
        let block = owner.is_some_and(|l| {
            let t = l
                .trim_end()
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
            t.ends_with('|') || t.ends_with('>')
        });
        let b64 = |l: &str| {
            l.trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_'))
        };
        if block && lines[a..=b].iter().any(|l| b64(l)) {
            return None;
        }
    }
    if name.ends_with(".md") {
        // In a fenced code block the comment is the code's: `#` for the
        // shell sessions the fixtures show; JSON takes none.
        let fences: Vec<&str> = lines[..a]
            .iter()
            .map(|l| l.trim_start())
            .filter(|l| l.starts_with("```"))
            .collect();
        if fences.len() % 2 == 1 {
            if fences.last().is_some_and(|f| f.contains("json")) {
                return None;
            }
            comment = "# inserted comment";
        }
    }
    let own = format!("{indent}{comment}");
    let mut out: Vec<&str> = Vec::with_capacity(lines.len() + 2);
    out.extend(&lines[..a]);
    out.push(&own);
    out.extend(&lines[a..=b]);
    out.push(&own);
    out.extend(&lines[b + 1..]);
    Some((out.join("\n") + "\n", a + 1, b + 3))
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
        // A comment line directly before and after each finding's lines.
        if let Some(c) = comment_for(&name) {
            let spans = scan_spans(&name, &bytes);
            let mut done: Vec<(usize, usize)> = Vec::new();
            for (first, last, _, _) in &spans {
                if done.contains(&(*first, *last)) {
                    continue;
                }
                done.push((*first, *last));
                let Some((t, before, after)) = comments_around(&name, &text, *first, *last, c)
                else {
                    tally.case("comments next to the finding: no comment syntax there, skipped");
                    continue;
                };
                let shift = |l: usize| l + usize::from(l >= before) + usize::from(l + 1 >= after);
                let mut want: Vec<Row> = base.iter().map(|(l, u)| (shift(*l), u.clone())).collect();
                want.sort();
                for (label, variant) in [
                    ("comments next to the finding", t.clone().into_bytes()),
                    (
                        "comments next to the finding + crlf + utf-16le",
                        utf16le(&crlf(&t)),
                    ),
                ] {
                    tally.case(label);
                    let got = rows(&name, &variant);
                    if got != want {
                        failures.push(format!(
                            "{name}:{first} [{label}]: want {want:?}, got {got:?}"
                        ));
                    }
                }
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
        tally
            .0
            .iter()
            .filter(|(k, _)| !k.ends_with("skipped"))
            .map(|(_, n)| n)
            .sum::<usize>()
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
        // A comment line before and after each line where a credential
        // could have been (the positive twin's finding line).
        if let Some(c) = comment_for(&name) {
            let near = |l: &str| {
                let l = l.to_ascii_lowercase();
                ["password", "auth", "login", "creds", "token", "secret"]
                    .iter()
                    .any(|w| l.contains(w))
            };
            for (i, _) in text.split('\n').enumerate().filter(|(_, l)| near(l)) {
                let Some((t, _, _)) = comments_around(&name, &text, i + 1, i + 1, c) else {
                    continue;
                };
                tally.case("comments next to a near-miss line");
                let got = rows(&name, t.as_bytes());
                if !got.is_empty() {
                    failures.push(format!("{name}:{} [comments next to it]: {got:?}", i + 1));
                }
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
