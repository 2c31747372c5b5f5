//! Suppression through the built binary: inline markers, `.credscan.toml`
//! (excludes, allow entries, stale warnings, errors with spans, sizes) and
//! baselines.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn findings(dir: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let (code, out, err) = run(credscan()
        .current_dir(dir)
        .args(["--format", "json"])
        .args(args));
    assert!(code == 0 || code == 1, "exit {code}: {out}{err}");
    let v = json(&out);
    (code, v["findings"].as_array().unwrap().clone(), err)
}

fn paths(fs: &[serde_json::Value]) -> Vec<&str> {
    fs.iter().map(|f| f["path"].as_str().unwrap()).collect()
}

#[test]
fn inline_markers_of_credscan_gitleaks_and_detect_secrets() {
    let dir = tempfile::tempdir().unwrap();
    for (i, marker) in [
        "# credscan:allow",
        "# gitleaks:allow",
        "# pragma: allowlist secret",
    ]
    .iter()
    .enumerate()
    {
        write(
            &dir.path().join(format!("values{i}.yaml")),
            &format!("auth: {} {marker}\n", auth()),
        );
    }
    write(
        &dir.path().join("unmarked.yaml"),
        &format!("auth: {} # allow\n", auth()),
    );
    let (code, fs, _) = findings(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(paths(&fs), ["unmarked.yaml"]);
}

/// A repository with leaks for two registries and users.
fn project() -> tempfile::TempDir {
    let dir = repo();
    let root = dir.path();
    write(&root.join("deploy/config.json"), &leak_config());
    write(
        &root.join("deploy/quay.json"),
        &leak_config_for("https://quay.io/v1/", "robot", "FAKEpass-quay-0042"),
    );
    write(
        &root.join("tests/fixtures/config.json"),
        &leak_config_for("fixtures.example.test", "fixture", "FAKEpass-fix-0042"),
    );
    write(
        &root.join("docs/guide.md"),
        &format!("REGISTRY_AUTH={}\n", auth()),
    );
    dir
}

#[test]
fn excludes_from_the_repository_root_config() {
    let dir = project();
    write(
        &dir.path().join(".credscan.toml"),
        "exclude = [\"tests/fixtures/\", \"*.md\"]\n",
    );
    let (_, fs, _) = findings(dir.path(), &["."]);
    assert_eq!(paths(&fs), ["deploy/config.json", "deploy/quay.json"]);
    // From a subdirectory: the config is found at the repository root and
    // its globs stay relative to it.
    let (_, fs, _) = findings(&dir.path().join("tests"), &["."]);
    assert!(fs.is_empty(), "{fs:?}");
    let (_, fs, _) = findings(&dir.path().join("docs"), &["."]);
    assert!(fs.is_empty(), "{fs:?}");
    // Files named on the command line (what pre-commit passes) too.
    let (code, fs, _) = findings(dir.path(), &["tests/fixtures/config.json", "docs/guide.md"]);
    assert_eq!(code, 0, "{fs:?}");
}

#[test]
fn explicit_config_file_is_relative_to_the_current_directory() {
    let dir = project();
    write(
        &dir.path().join("ci/credscan.toml"),
        "exclude = [\"/deploy\"]\n",
    );
    let (_, fs, _) = findings(dir.path(), &["--config", "ci/credscan.toml", "."]);
    assert_eq!(paths(&fs), ["docs/guide.md", "tests/fixtures/config.json"]);
    let (code, _, err) = run(credscan()
        .current_dir(dir.path())
        .args(["--config", "missing.toml"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read config file missing.toml"),
        "{err}"
    );
}

#[test]
fn allow_entries_by_fingerprint_registry_and_username() {
    let dir = project();
    let (_, all, _) = findings(dir.path(), &["."]);
    assert_eq!(all.len(), 4);
    let fixture_fp = all
        .iter()
        .find(|f| f["path"] == "tests/fixtures/config.json")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        &dir.path().join(".credscan.toml"),
        &format!(
            "[[allow]]\nfingerprint = \"{fixture_fp}\"\nreason = \"test fixture, never valid\"\n\n\
             [[allow]]\nregistry = \"quay.io\"\n\n\
             [[allow]]\nusername = \"ci-bot\"\nregistry = \"elsewhere.example.test\"\n"
        ),
    );
    let (code, fs, err) = findings(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(paths(&fs), ["deploy/config.json", "docs/guide.md"]);
    // The third entry matched nothing: a stale warning pointing at it, and
    // the exit code is still decided by the findings.
    assert!(err.contains("stale allow entry"), "{err}");
    assert!(
        err.contains("username ci-bot, registry elsewhere.example.test")
            || err.contains("registry elsewhere.example.test, username ci-bot"),
        "{err}"
    );
    assert!(err.contains(".credscan.toml:8:1"), "{err}");
    assert_eq!(err.matches("stale allow entry").count(), 1, "{err}");
    // Human summary counts what config dropped.
    let (_, _, err) = run(credscan().current_dir(dir.path()));
    assert!(err.contains("2 findings by allow entries"), "{err}");
    // Username alone covers both ci-bot findings.
    write(
        &dir.path().join(".credscan.toml"),
        &format!(
            "[[allow]]\nfingerprint = \"{fixture_fp}\"\nreason = \"fixture\"\n\n\
             [[allow]]\nregistry = \"quay.io\"\n\n[[allow]]\nusername = \"ci-bot\"\n"
        ),
    );
    let (code, fs, err) = findings(dir.path(), &["."]);
    assert_eq!(code, 0, "{fs:?}");
    assert!(!err.contains("stale"), "{err}");
}

#[test]
fn stale_warnings_only_for_scans_that_cover_the_config() {
    let dir = project();
    write(
        &dir.path().join(".credscan.toml"),
        "[[allow]]\nusername = \"nobody\"\n",
    );
    let (code, _, err) = findings(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert!(err.contains("stale allow entry"), "{err}");
    // A file list (pre-commit), a subdirectory, --staged: not stale, just
    // not relevant here.
    for args in [vec!["deploy/config.json"], vec!["deploy"], vec!["--staged"]] {
        let (_, _, err) = findings(dir.path(), &args);
        assert!(!err.contains("stale"), "{args:?}: {err}");
    }
    // Quiet drops the warning.
    let (_, _, err) = findings(dir.path(), &["-q", "."]);
    assert!(!err.contains("stale"), "{err}");
}

#[test]
fn config_errors_point_into_the_file_and_exit_2() {
    let dir = project();
    let cases = [
        (
            "exclude = [\"tests/\"]\nallowlist = []\n",
            ".credscan.toml:2:1",
            "unknown field `allowlist`",
        ),
        ("format = \"xml\"\n", ".credscan.toml:1:10", "xml"),
        (
            "max_file_size = \"lots\"\n",
            ".credscan.toml:1:17",
            "bad max_file_size",
        ),
        (
            "[[allow]]\nfingerprint = \"0123456789abcdef0123456789abcdef\"\n",
            ".credscan.toml:2:15",
            "without a reason",
        ),
        (
            "exclude = [\"a[\"]\n",
            ".credscan.toml:1:12",
            "bad exclude glob",
        ),
        ("[[allow]\n", ".credscan.toml:1:", "invalid"),
    ];
    for (text, at, what) in cases {
        write(&dir.path().join(".credscan.toml"), text);
        let (code, out, err) = run(credscan().current_dir(dir.path()).arg("."));
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(out.is_empty(), "no scan output: {out}");
        assert!(err.contains(at), "{text}: want {at} in\n{err}");
        assert!(err.contains(what), "{text}: want {what} in\n{err}");
        assert!(err.contains("credscan::config"), "{err}");
    }
}

#[test]
fn max_file_size_from_the_config_and_the_command_line_wins() {
    let dir = project();
    write(&dir.path().join(".credscan.toml"), "max_file_size = 10\n");
    let (code, _, err) = findings(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert!(
        err.contains("larger than --max-file-size (10 bytes)"),
        "{err}"
    );
    let (code, fs, _) = findings(dir.path(), &["--max-file-size", "1M", "."]);
    assert_eq!(code, 1);
    assert_eq!(fs.len(), 4);
}

#[test]
fn baseline_adoption() {
    let dir = project();
    let baseline = dir.path().join("credscan-baseline.json");
    let (code, out, err) = run(credscan()
        .current_dir(dir.path())
        .arg("--write-baseline")
        .arg(&baseline)
        .arg("."));
    assert_eq!(
        code, 0,
        "writing a baseline exits 0 even with findings: {err}"
    );
    assert!(out.is_empty(), "no report: {out}");
    assert!(
        err.contains("wrote baseline") && err.contains("(4 findings)"),
        "{err}"
    );
    let first = fs::read_to_string(&baseline).unwrap();
    assert!(!first.contains("FAKEpass") && !first.contains(&auth()));
    assert!(!first.contains("\"line\""));
    assert_eq!(first.lines().count(), 4 + 6, "one entry per line:\n{first}");
    // Nothing new: clean.
    let (code, fs, _) = findings(dir.path(), &["--baseline", "credscan-baseline.json", "."]);
    assert_eq!(code, 0, "{fs:?}");
    let (_, _, err) =
        run(credscan()
            .current_dir(dir.path())
            .args(["--baseline", "credscan-baseline.json", "."]));
    assert!(err.contains("4 findings in the baseline"), "{err}");

    // Moving code around does not change the baseline file.
    let cfg = dir.path().join("deploy/config.json");
    fs::write(&cfg, format!("\n\n\n{}", leak_config().replace("  ", "\t"))).unwrap();
    write(
        &dir.path().join("docs/guide.md"),
        &format!("# Guide\n\nSome text.\n\n    REGISTRY_AUTH={}\n", auth()),
    );
    run(credscan()
        .current_dir(dir.path())
        .arg("--write-baseline")
        .arg(&baseline)
        .arg("."));
    assert_eq!(fs::read_to_string(&baseline).unwrap(), first);

    // A new leak is reported, and only it.
    write(
        &dir.path().join("deploy/new.json"),
        &leak_config_for("registry.example.test", "ci-bot", "FAKEpass-new-0042"),
    );
    let (code, fs, _) = findings(dir.path(), &["--baseline", "credscan-baseline.json", "."]);
    assert_eq!(code, 1);
    assert_eq!(paths(&fs), ["deploy/new.json"]);
    // The same leak, moved to another file, is a new finding there.
    fs::remove_file(dir.path().join("deploy/new.json")).unwrap();
    fs::rename(&cfg, dir.path().join("deploy/renamed.json")).unwrap();
    let (_, fs, _) = findings(dir.path(), &["--baseline", "credscan-baseline.json", "."]);
    assert_eq!(paths(&fs), ["deploy/renamed.json"]);
}

#[test]
fn baseline_errors() {
    let dir = project();
    write(&dir.path().join("bad.json"), "{\"version\": 1}\n");
    let (code, _, err) =
        run(credscan()
            .current_dir(dir.path())
            .args(["--baseline", "bad.json", "."]));
    assert_eq!(code, 2);
    assert!(err.contains("invalid baseline bad.json"), "{err}");
    let (code, _, err) =
        run(credscan()
            .current_dir(dir.path())
            .args(["--baseline", "missing.json", "."]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot read baseline missing.json"), "{err}");
    let (code, _, _) = run(credscan().current_dir(dir.path()).args([
        "--baseline",
        "a.json",
        "--write-baseline",
        "b.json",
    ]));
    assert_eq!(code, 2);
}
