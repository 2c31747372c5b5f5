//! `--format sarif`: structure checks, and validation of real output by
//! Microsoft's SARIF Multitool (npm `@microsoft/sarif-multitool-linux`).
//!
//! The Multitool is found through `SARIF_MULTITOOL` (a path to the
//! `Sarif.Multitool` binary or the npm wrapper; `.ci/run` sets it), else as
//! `sarif-multitool-linux` / `sarif-multitool` on PATH. The test that runs it
//! is `#[ignore]`d so a plain `cargo test` lists it as ignored; `cargo test
//! -- --include-ignored` (what `.ci/run` runs) runs it, and it fails when
//! the Multitool is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use serde_json::Value;

/// A tree that yields every rule, odd paths and a multi-line region.
fn tree() -> tempfile::TempDir {
    let dir = repo();
    let root = dir.path();
    write(&root.join(".docker/config.json"), &leak_config());
    let inner = format!(
        "{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}",
        STANDARD.encode("octo-fake:FAKEpass-k8s-0042-credscan")
    );
    let outer = STANDARD.encode(inner);
    let wrapped: Vec<String> = outer
        .as_bytes()
        .chunks(60)
        .map(|c| format!("    {}", std::str::from_utf8(c).unwrap()))
        .collect();
    write(
        &root.join("k8s/pull secret ü.yaml"),
        &format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: |\n{}\n",
            wrapped.join("\n")
        ),
    );
    write(
        &root.join("ci/#deploy%.env"),
        &format!("REGISTRY_AUTH={}\n", auth()),
    );
    dir
}

fn sarif(dir: &Path, args: &[&str]) -> (i32, String) {
    let (code, out, err) = run(credscan()
        .current_dir(dir)
        .args(["--format", "sarif"])
        .args(args));
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    (code, out)
}

#[test]
fn structure() {
    let dir = tree();
    let (code, out) = sarif(dir.path(), &["."]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // One descriptor per rule and severity the findings use, id RULE/SEVERITY.
    assert_eq!(ids, ["CS001/high", "CS002/high", "CS004/high"]);
    for r in rules {
        assert_eq!(r["defaultConfiguration"]["level"], "error");
        assert_eq!(r["properties"]["security-severity"], "8.0");
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(!r["help"]["markdown"].as_str().unwrap().is_empty());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let root_uri = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "one result per finding");
    let mut uris = Vec::new();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert_eq!(r["level"], "error");
        let text = r["message"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("High registry password (password) leaked for ")
                && text.contains(" (user "),
            "names severity, token kind and registry: {text}"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        uris.push(loc["artifactLocation"]["uri"].as_str().unwrap().to_string());
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
        }
        assert!(
            r["partialFingerprints"]["credscanFingerprint/v1"]
                .as_str()
                .unwrap()
                .len()
                == 32
        );
        assert!(r["message"]["text"].as_str().unwrap().ends_with('.'));
    }
    assert_eq!(
        uris,
        [
            ".docker/config.json",
            "ci/%23deploy%25.env",
            "k8s/pull%20secret%20%C3%BC.yaml"
        ]
    );
    let k8s = &results[2]["locations"][0]["physicalLocation"]["region"];
    assert!(
        k8s["endLine"].as_u64() > k8s["startLine"].as_u64(),
        "a wrapped value spans lines: {k8s}"
    );
    assert!(!out.contains(PASSWORD) && !out.contains("FAKEpass-k8s-0042-credscan"));
    assert!(!out.contains(&auth()));
}

#[test]
fn staged_sarif_is_relative_to_the_repository_root() {
    let dir = tree();
    git(dir.path(), ["add", "."]);
    let (_, out) = sarif(&dir.path().join("k8s"), &["--staged"]);
    let v = json(&out);
    let uri = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(uri["uri"], ".docker/config.json");
}

fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    which("sarif-multitool-linux").or_else(|| which("sarif-multitool"))
}

/// Runs `validate` and returns its console output and the rule ids of
/// error-level results (the Multitool exits 0 even when it finds errors, so
/// its own SARIF report is read instead).
fn validate(tool: &Path, file: &Path) -> (String, Vec<String>) {
    let report = file.with_extension("validation.sarif");
    let out = Command::new(tool)
        .arg("validate")
        .arg("-o")
        .arg(&report)
        .arg(file)
        .output()
        .expect("the SARIF Multitool runs");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Multitool failed: {console}");
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no validation report ({e}): {console}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    let errors = v["runs"][0]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["level"] == "error")
                .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
                .collect()
        })
        .unwrap_or_default();
    (console, errors)
}

#[test]
#[ignore = "needs the SARIF Multitool"]
fn multitool_validate_reports_no_errors() {
    let tool = multitool().expect(
        "SARIF Multitool not found: set SARIF_MULTITOOL or put \
         sarif-multitool-linux on PATH (npm install @microsoft/sarif-multitool-linux); \
         .ci/run installs it",
    );
    let dir = tree();
    let out_dir = tempfile::tempdir().unwrap();
    // The harness itself: a region starting at line 0 must be an error.
    let broken = out_dir.path().join("broken.sarif");
    std::fs::write(
        &broken,
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"X","message":{"text":"x."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}"#,
    )
    .unwrap();
    let (console, errors) = validate(&tool, &broken);
    assert!(
        !errors.is_empty(),
        "the Multitool must flag line 0: {console}"
    );
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("config.json"), &leak_config());
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("findings", vec![".".into()]),
        (
            "outside-root",
            vec![outside.path().to_string_lossy().into_owned()],
        ),
        ("clean", vec!["README-does-not-matter".into()]),
    ];
    write(&dir.path().join("README-does-not-matter"), "clean\n");
    for (name, args) in cases {
        let file = out_dir.path().join(format!("{name}.sarif"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, sarif_text) = sarif(dir.path(), &args);
        std::fs::write(&file, &sarif_text).unwrap();
        let (console, errors) = validate(&tool, &file);
        eprintln!("--- Multitool validate {name}.sarif ---\n{console}");
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{console}");
    }
}
