//! `--format jsonl|github`, `--output FILE` and the JSON contract, through
//! the built binary.

mod common;

use std::fs;

use common::*;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".docker/config.json"), &leak_config());
    write(
        &dir.path().join("ci/values, v1.yaml"),
        &format!("imageCredentials:\n  auth: {}\n", auth()),
    );
    write(&dir.path().join("README.md"), "nothing\n");
    dir
}

#[test]
fn jsonl_is_one_json_finding_per_line_with_the_json_fields() {
    let dir = tree();
    let (code, jsonl, _) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "jsonl", "."]));
    assert_eq!(code, 1);
    let (_, doc, _) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "json", "."]));
    let doc = json(&doc);
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), 2, "{jsonl}");
    for (line, expected) in lines.iter().zip(doc["findings"].as_array().unwrap()) {
        assert_eq!(&json(line), expected);
    }
    assert!(!jsonl.contains(PASSWORD));
    // Clean: no output at all.
    let clean = tempfile::tempdir().unwrap();
    let (code, out, _) = run(credscan().args(["--format", "jsonl"]).arg(clean.path()));
    assert_eq!(code, 0);
    assert!(out.is_empty());
}

#[test]
fn github_annotations() {
    let dir = tree();
    git(dir.path(), ["init", "-q"]);
    // From a subdirectory: file= is still relative to the repository root.
    let (code, out, stderr) = run(credscan()
        .current_dir(dir.path().join("ci"))
        .args(["--format", "github", ".."]));
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=.docker/config.json,line=4,col=16,endLine=4,endColumn=56,\
             title=credscan CS001 docker-config-credential%3A high password::High registry \
             password (password) leaked for registry.example.test (user ci-bot): secret \
             FA********an. Decoded: "
        ),
        "{}",
        lines[0]
    );
    // `,` in a path is escaped in the property.
    assert!(
        lines[1].starts_with("::error file=ci/values%2C v1.yaml,line=2,col=9,"),
        "{}",
        lines[1]
    );
    assert!(!out.contains(PASSWORD));
    assert!(stderr.contains("2 findings"), "{stderr}");
}

#[test]
fn reveal_never_reaches_github_or_sarif() {
    let dir = tree();
    for format in ["github", "sarif"] {
        let (_, out, _) = run(credscan()
            .current_dir(dir.path())
            .args(["--reveal", "--format", format, "."]));
        assert!(!out.contains(PASSWORD), "{format}: {out}");
        assert!(out.contains("FA********an"), "{format}");
    }
    let (_, out, _) = run(credscan()
        .current_dir(dir.path())
        .args(["--reveal", "--format", "jsonl", "."]));
    assert!(out.contains(PASSWORD));
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tree();
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("report.json");
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "json", "-o"])
        .arg(&report)
        .arg("."));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let v = json(&fs::read_to_string(&report).unwrap());
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
    // Human output into a file: no colors even when asked for auto, and the
    // summary stays on stderr.
    let human = out_dir.path().join("report.txt");
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir.path())
        .arg("--output")
        .arg(&human)
        .arg("."));
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let text = fs::read_to_string(&human).unwrap();
    assert!(text.contains(".docker/config.json:4:16"), "{text}");
    assert!(!text.contains('\u{1b}'));
    assert!(stderr.contains("2 findings in 2 files"), "{stderr}");
    // An unwritable destination is an error before scanning.
    let (code, _, stderr) =
        run(credscan()
            .current_dir(dir.path())
            .args(["-o", "no/such/dir/report.json", "."]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot write no/such/dir/report.json"),
        "{stderr}"
    );
}

#[test]
fn format_can_come_from_the_config_file() {
    let dir = tree();
    write(&dir.path().join(".credscan.toml"), "format = \"jsonl\"\n");
    let (code, out, _) = run(credscan().current_dir(dir.path()));
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 2);
    json(out.lines().next().unwrap());
    // The command line wins.
    let (_, out, _) = run(credscan()
        .current_dir(dir.path())
        .args(["--format", "json"]));
    assert_eq!(json(&out)["version"], 1);
}
