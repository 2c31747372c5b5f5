//! `--history`, `--history=RANGE` and `--pre-push` against real git
//! repositories built in each test.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

const USER: &str = "deployer";
const PASS_A: &str = "Zq8vLm2Kp4Rt7Wx";
const PASS_B: &str = "Hx3nBv6Qw9Ls2Dk";

fn leak(password: &str) -> String {
    leak_config_for("registry.example.test", USER, password)
}

/// Commits everything in the work tree; returns the commit id.
fn commit(dir: &Path, message: &str) -> String {
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", message]);
    rev(dir, "HEAD")
}

fn rev(dir: &Path, name: &str) -> String {
    git(dir, ["rev-parse", name]).trim().to_string()
}

/// Runs credscan in `dir` with `args`; (exit code, stdout, stderr).
fn scan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(credscan().current_dir(dir).args(args))
}

/// `--history[=RANGE] --format json`: (exit code, findings, stderr).
fn history(dir: &Path, flag: &str) -> (i32, Vec<Value>, String) {
    let (code, out, err) = scan(dir, &[flag, "--format", "json"]);
    assert!(code == 0 || code == 1 || code == 2, "{err}");
    let doc = json(&out);
    (code, doc["findings"].as_array().unwrap().clone(), err)
}

fn at<'a>(findings: &'a [Value], path: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["path"] == path).collect()
}

/// The path of each finding, in order.
fn paths(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}

#[test]
fn leak_added_then_removed_is_attributed_to_its_commit_and_not_in_head() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("README.md"), "# app\n");
    commit(root, "init");
    write(&root.join("deploy/config.json"), &leak(PASS_A));
    let leaked = commit(root, "add registry config");
    std::fs::remove_file(root.join("deploy/config.json")).unwrap();
    commit(root, "remove the config");

    // The tree is clean; its history is not.
    let (code, _, _) = scan(root, &["-q", "."]);
    assert_eq!(code, 0);
    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["path"], "deploy/config.json");
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 16);
    let h = &f["history"];
    assert_eq!(h["commit"], leaked.as_str());
    assert_eq!(h["author"], "credscan tests <tests@example.test>");
    assert!(h["date"].as_str().unwrap().contains('T'), "{h}");
    assert_eq!(h["commits"], 1);
    assert_eq!(h["paths"], 1);
    assert_eq!(h["in_head"], false);
    assert_eq!(
        h["blob"],
        rev(root, &format!("{leaked}:deploy/config.json"))
    );
    assert_eq!(f["secret"], "********", "redacted");

    // Human output names the commit; nothing shows the secret.
    let (code, out, err) = scan(root, &["--history"]);
    assert_eq!(code, 1);
    assert!(out.contains(&leaked[..12]), "{out}");
    assert!(out.contains("removed from HEAD"), "{out}");
    assert!(!out.contains(PASS_A) && !err.contains(PASS_A));
    assert!(
        err.contains("credscan --history --write-baseline"),
        "the next step repeats --history: {err}"
    );
    // --reveal shows it.
    let (_, out, _) = scan(root, &["--history", "--reveal", "--format", "jsonl"]);
    assert!(out.contains(PASS_A), "{out}");
}

#[test]
fn same_blob_at_two_paths_and_in_many_commits_gives_one_finding_per_path() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("a/config.json"), &leak(PASS_A));
    let first = commit(root, "leak at a");
    for i in 0..4 {
        write(&root.join("notes.txt"), &format!("note {i}\n"));
        commit(root, &format!("note {i}"));
    }
    write(&root.join("b/config.json"), &leak(PASS_A));
    let copied = commit(root, "copy to b");
    commit(root, "empty");

    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 2, "{findings:?}");
    let a = at(&findings, "a/config.json");
    let b = at(&findings, "b/config.json");
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(a[0]["history"]["commit"], first.as_str());
    assert_eq!(a[0]["history"]["commits"], 7, "all 7 commits hold it at a");
    assert_eq!(b[0]["history"]["commit"], copied.as_str());
    assert_eq!(b[0]["history"]["commits"], 2);
    for f in [a[0], b[0]] {
        assert_eq!(f["history"]["paths"], 2);
        assert_eq!(f["history"]["in_head"], true);
        assert_eq!(f["history"]["blob"], a[0]["history"]["blob"], "one blob");
    }
    // The config blob was read once.
    let (_, out, _) = scan(root, &["--history", "--format", "json"]);
    let stats = &json(&out)["stats"];
    assert_eq!(
        stats["files_scanned"], 5,
        "the config blob once, 4 notes: {stats}"
    );
}

#[test]
fn stats_count_each_unique_blob_once() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("x.txt"), "same\n");
    write(&root.join("y.txt"), "same\n");
    commit(root, "two paths, one blob");
    write(&root.join("z.txt"), "other\n");
    commit(root, "another blob");
    let (code, out, _) = scan(root, &["--history", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["stats"]["files_scanned"], 2);
}

#[test]
fn credential_kept_across_edits_is_one_finding_from_its_first_commit() {
    let dir = repo();
    let root = dir.path();
    let path = root.join("config.json");
    write(&path, &leak(PASS_A));
    let first = commit(root, "leak");
    for i in 0..3 {
        let text = leak(PASS_A).replace("\"auths\"", &format!("\"x{i}\": {i},\n  \"auths\""));
        write(&path, &text);
        commit(root, &format!("edit {i}"));
    }
    write(&path, "{}\n");
    commit(root, "clean");
    let (code, findings, _) = history(root, "--history");
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let h = &findings[0]["history"];
    assert_eq!(h["commit"], first.as_str());
    assert_eq!(h["commits"], 4, "four versions held it");
    assert_eq!(h["in_head"], false);
    assert_eq!(findings[0]["line"], 4, "line in the first version");
}

#[test]
fn rename_reports_the_old_and_the_new_path() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("old.json"), &leak(PASS_A));
    let added = commit(root, "add");
    git(root, ["mv", "old.json", "new.json"]);
    let renamed = commit(root, "rename");
    let (code, findings, _) = history(root, "--history");
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 2, "{findings:?}");
    let old = at(&findings, "old.json")[0];
    let new = at(&findings, "new.json")[0];
    assert_eq!(old["history"]["commit"], added.as_str());
    assert_eq!(old["history"]["in_head"], false);
    assert_eq!(new["history"]["commit"], renamed.as_str());
    assert_eq!(new["history"]["in_head"], true);
    assert_eq!(new["history"]["paths"], 2);
}

#[test]
fn leaks_only_on_a_branch_a_tag_or_the_stash_are_found() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("README.md"), "# app\n");
    commit(root, "init");

    // An unmerged branch.
    git(root, ["checkout", "-q", "-b", "feature"]);
    write(&root.join("branch.json"), &leak(PASS_A));
    let on_branch = commit(root, "branch leak");
    git(root, ["checkout", "-q", "main"]);

    // A tag on a commit no branch holds.
    git(root, ["checkout", "-q", "--detach"]);
    write(&root.join("tag.json"), &leak(PASS_B));
    let tagged = commit(root, "tagged leak");
    git(root, ["tag", "-a", "-m", "release", "v1"]);
    git(root, ["checkout", "-q", "main"]);

    // The stash: an older entry and the newest.
    write(&root.join("README.md"), &leak("Pw7cRt5Yh2Nm8Jk"));
    git(root, ["stash", "-q"]);
    write(&root.join("README.md"), "# app, edited\n");
    git(root, ["stash", "-q"]);

    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    let paths = paths(&findings);
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert_eq!(
        at(&findings, "branch.json")[0]["history"]["commit"],
        on_branch.as_str()
    );
    assert_eq!(
        at(&findings, "tag.json")[0]["history"]["commit"],
        tagged.as_str()
    );
    let stashed = at(&findings, "README.md");
    assert_eq!(stashed.len(), 1, "the older stash entry: {stashed:?}");
    for f in &findings {
        assert_eq!(f["history"]["in_head"], false);
    }

    // A range holds only what it names.
    let (code, findings, _) = history(root, "--history=main..feature");
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "branch.json");
}

#[test]
fn range_excluding_the_leaking_commit_is_clean() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("README.md"), "# app\n");
    let base = commit(root, "init");
    write(&root.join("config.json"), &leak(PASS_A));
    let leaked = commit(root, "leak");
    write(&root.join("config.json"), "{}\n");
    commit(root, "fix");
    write(&root.join("app.txt"), "code\n");
    commit(root, "more");

    // The pull request's head is clean, its commits are not.
    let (code, findings, _) = history(root, &format!("--history={base}..HEAD"));
    assert_eq!(code, 1);
    assert_eq!(findings[0]["history"]["commit"], leaked.as_str());
    // Three-dot syntax works too.
    let (code, _, _) = history(root, &format!("--history={base}...HEAD"));
    assert_eq!(code, 1);
    // Starting after the leak: nothing.
    let (code, findings, err) = history(root, &format!("--history={leaked}..HEAD"));
    assert_eq!((code, findings.len()), (0, 0), "{err}");
    // Commit limits as well as revisions.
    let (code, _, _) = history(root, "--history=--since=2000-01-01 HEAD");
    assert_eq!(code, 1);
    // Options that are not commit limits are refused.
    let (code, _, err) = scan(root, &["--history=--output=/tmp/x HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("not allowed"), "{err}");
    // An unknown revision is an error, not a clean scan.
    let (code, _, err) = scan(root, &["--history=nosuchbranch..HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("nosuchbranch"), "{err}");
}

#[test]
fn leak_made_in_a_merge_resolution_is_attributed_to_the_merge() {
    let dir = repo();
    let root = dir.path();
    let cfg = root.join("config.json");
    write(&cfg, "{\"v\": 0}\n");
    commit(root, "init");
    git(root, ["checkout", "-q", "-b", "topic"]);
    write(&cfg, "{\"v\": 1}\n");
    commit(root, "topic");
    git(root, ["checkout", "-q", "main"]);
    write(&cfg, "{\"v\": 2}\n");
    commit(root, "main");
    let out = isolate(&mut Command::new("git"))
        .current_dir(root)
        .args(["merge", "-q", "topic"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a conflict is expected");
    write(&cfg, &leak(PASS_A));
    git(root, ["add", "config.json"]);
    git(root, ["commit", "-q", "-m", "merge topic"]);
    let merge = rev(root, "HEAD");
    assert!(!git(root, ["rev-parse", "HEAD^2"]).is_empty());

    let (code, findings, _) = history(root, "--history");
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["history"]["commit"], merge.as_str());
    assert_eq!(findings[0]["history"]["commits"], 1);
    assert_eq!(findings[0]["history"]["in_head"], true);
}

/// Commits everything with the given author and committer times.
fn commit_dated(dir: &Path, message: &str, authored: u64, committed: u64) -> String {
    git(dir, ["add", "-A"]);
    let out = isolate(&mut Command::new("git"))
        .current_dir(dir)
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_DATE", format!("@{authored} +0000"))
        .env("GIT_COMMITTER_DATE", format!("@{committed} +0000"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    rev(dir, "HEAD")
}

#[test]
fn commit_dates_going_back_in_time_keep_counts_and_cherry_picks_go_to_the_original() {
    // `git log` lists by commit date: here the leaking commit comes before
    // its child `old`, dated earlier, and all three commits hold the leak.
    let dir = repo();
    let root = dir.path();
    write(&root.join("config.json"), &leak(PASS_A));
    let leaked = commit_dated(root, "leak", 3_000_000, 3_000_000);
    git(root, ["checkout", "-q", "-b", "old"]);
    write(&root.join("a.txt"), "a\n");
    commit_dated(root, "dated in the past", 1_000_000, 1_000_000);
    git(root, ["checkout", "-q", "main"]);
    write(&root.join("b.txt"), "b\n");
    commit_dated(root, "later", 4_000_000, 4_000_000);
    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["history"]["commit"], leaked.as_str());
    assert_eq!(findings[0]["history"]["commits"], 3);

    // A commit and its cherry-pick share their author time: the one
    // committed first introduced the leak, whichever git lists first.
    let dir = repo();
    let root = dir.path();
    write(&root.join("README.md"), "# app\n");
    commit_dated(root, "init", 1_000_000, 1_000_000);
    git(root, ["checkout", "-q", "-b", "topic"]);
    write(&root.join("config.json"), &leak(PASS_A));
    let original = commit_dated(root, "leak", 2_000_000, 2_000_100);
    git(root, ["checkout", "-q", "main"]);
    write(&root.join("config.json"), &leak(PASS_A));
    commit_dated(root, "leak, picked", 2_000_000, 2_000_900);
    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["history"]["commit"], original.as_str());
    assert_eq!(findings[0]["history"]["commits"], 2);
}

fn leaky_source() -> tempfile::TempDir {
    let dir = repo();
    let root = dir.path();
    write(&root.join("config.json"), &leak(PASS_A));
    commit(root, "old leak");
    write(&root.join("config.json"), "{}\n");
    commit(root, "clean");
    for i in 0..3 {
        write(&root.join("app.txt"), &format!("v{i}\n"));
        commit(root, &format!("v{i}"));
    }
    dir
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn shallow_clone_says_what_is_missing() {
    let src = leaky_source();
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        [
            "clone",
            "-q",
            "--depth",
            "2",
            &file_url(src.path()),
            "clone",
        ],
    );
    let (code, findings, err) = history(&clone, "--history");
    assert_eq!(code, 2, "a partial history is an error: {err}");
    assert!(findings.is_empty());
    assert!(err.contains("shallow clone"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    // A range inside the fetched history is fine.
    let (code, _, err) = history(&clone, "--history=HEAD~1..HEAD");
    assert_eq!(code, 0, "{err}");
    // After unshallowing, the old leak is found.
    git(&clone, ["fetch", "-q", "--unshallow"]);
    let (code, findings, _) = history(&clone, "--history");
    assert_eq!((code, findings.len()), (1, 1));
}

#[test]
fn partial_clone_skips_missing_blobs_and_completes() {
    let src = leaky_source();
    git(src.path(), ["config", "uploadpack.allowFilter", "true"]);
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        [
            "clone",
            "-q",
            "--filter=blob:none",
            &file_url(src.path()),
            "clone",
        ],
    );
    // A leak the clone does have.
    write(&clone.join("new.json"), &leak(PASS_B));
    commit(&clone, "new leak");
    let old_blob = rev(src.path(), "HEAD~4:config.json");

    let (code, findings, err) = history(&clone, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["path"], "new.json");
    assert!(err.contains("missing from this clone"), "{err}");
    // The leaky config.json and app.txt v0 and v1; HEAD's blobs were
    // fetched by the checkout.
    assert!(err.contains("3 blobs"), "{err}");
    // Nothing was fetched from the promisor remote.
    let status = isolate(&mut Command::new("git"))
        .current_dir(&clone)
        .env("GIT_NO_LAZY_FETCH", "1")
        .args(["cat-file", "-e", &old_blob])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the old blob is still missing");
}

/// A history of `commits` commits over `files` files made with
/// `git fast-import`; a leak is added at commit `leak_at` and removed at
/// `fixed_at`.
fn fast_import(root: &Path, commits: usize, files: usize, leak_at: usize, fixed_at: usize) {
    let mut stream = String::new();
    for c in 1..=commits {
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{c}\nauthor Dev <dev@example.test> {} +0000\n\
             committer Dev <dev@example.test> {} +0000\ndata 7\ncommit\n",
            1_600_000_000 + c * 60,
            1_600_000_000 + c * 60
        ));
        if c > 1 {
            stream.push_str(&format!("from :{}\n", c - 1));
        }
        let body = format!("file {} version {c}\nline two\n", c % files);
        stream.push_str(&format!(
            "M 100644 inline src/f{}.txt\ndata {}\n{body}\n",
            c % files,
            body.len()
        ));
        if c == leak_at {
            let l = leak(PASS_A);
            stream.push_str(&format!(
                "M 100644 inline deploy/config.json\ndata {}\n{l}\n",
                l.len()
            ));
        }
        if c == fixed_at {
            stream.push_str("D deploy/config.json\n");
        }
    }
    let mut child = isolate(&mut Command::new("git"))
        .current_dir(root)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    git(root, ["reset", "-q", "--hard", "main"]);
}

#[test]
fn large_generated_history_is_scanned_once_per_blob() {
    let dir = repo();
    let root = dir.path();
    fast_import(root, 3000, 400, 1234, 2000);
    let (code, out, err) = scan(root, &["--history", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    let h = &findings[0]["history"];
    assert_eq!(
        h["commit"],
        rev(root, "main~1766").as_str(),
        "commit 1234 of 3000"
    );
    assert_eq!(h["commits"], 766, "commits 1234..1999 hold it");
    assert_eq!(h["in_head"], false);
    // 3000 file versions plus the config.
    assert_eq!(doc["stats"]["files_scanned"], 3001);
}

#[test]
fn binary_and_oversized_blobs_are_skipped() {
    let dir = repo();
    let root = dir.path();
    let mut binary = b"\x00\x01binary\x00".to_vec();
    binary.extend_from_slice(leak(PASS_A).as_bytes());
    std::fs::write(root.join("image.bin"), &binary).unwrap();
    let mut big = leak(PASS_B);
    big.push_str(&"x".repeat(4096));
    write(&root.join("big.json"), &big);
    commit(root, "binary and big");
    std::fs::remove_file(root.join("big.json")).unwrap();
    commit(root, "drop big");

    let (code, out, err) = scan(
        root,
        &["--history", "--max-file-size", "1K", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("big.json"), "{err}");
    assert!(err.contains("larger than --max-file-size"), "{err}");
    assert_eq!(json(&out)["stats"]["files_skipped"], 2, "{out}");
    // Without the limit the big blob is scanned; the binary never is.
    let (code, findings, _) = history(root, "--history");
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "big.json");
}

#[test]
fn excludes_allow_entries_and_inline_markers_apply_to_history() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("vendor/config.json"), &leak(PASS_A));
    write(&root.join("allowed/config.json"), &leak(PASS_B));
    let marked =
        leak("Jm4kWq7Zp2Xr9Tb").replace("\"auth\":", "\"_\": \"credscan:allow\", \"auth\":");
    write(&root.join("marked/config.json"), &marked);
    commit(root, "three leaks");
    // A second version of the marked file: the same credential, counted once.
    write(&root.join("marked/config.json"), &format!("{marked}\n"));
    commit(root, "reformat");
    git(root, ["rm", "-q", "-r", "vendor", "allowed", "marked"]);
    commit(root, "removed");
    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1);
    assert!(err.contains("1 finding by inline markers"), "{err}");
    let paths = paths(&findings);
    assert!(paths.contains(&"vendor/config.json"), "{paths:?}");
    assert!(
        !paths.contains(&"marked/config.json"),
        "inline marker: {paths:?}"
    );

    let fp = at(&findings, "allowed/config.json")[0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        &root.join(".credscan.toml"),
        &format!(
            "exclude = [\"vendor/\"]\n\n[[allow]]\nfingerprint = \"{fp}\"\nreason = \"rotated\"\n"
        ),
    );
    let (code, findings, err) = history(root, "--history");
    assert_eq!((code, findings.len()), (0, 0), "{findings:?} {err}");
}

#[test]
fn blob_first_listed_at_an_excluded_path_is_placed_at_its_other_paths() {
    let dir = repo();
    let root = dir.path();
    write(&root.join(".credscan.toml"), "exclude = [\"aaa/\"]\n");
    // One blob at two paths of one commit: git lists aaa/ (excluded) first.
    write(&root.join("aaa/config.json"), &leak(PASS_A));
    write(&root.join("zzz/config.json"), &leak(PASS_A));
    let first = commit(root, "leak at aaa and zzz");
    // The same blob at a third path, later.
    write(&root.join("mmm/config.json"), &leak(PASS_A));
    let copied = commit(root, "copy to mmm");

    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    let paths = paths(&findings);
    assert_eq!(findings.len(), 2, "{paths:?}");
    let z = at(&findings, "zzz/config.json");
    let m = at(&findings, "mmm/config.json");
    assert_eq!((z.len(), m.len()), (1, 1), "{paths:?}");
    assert_eq!(z[0]["history"]["commit"], first.as_str());
    assert_eq!(m[0]["history"]["commit"], copied.as_str());
    for f in [z[0], m[0]] {
        assert_eq!(f["history"]["paths"], 2, "aaa/ is excluded");
        assert_eq!(f["history"]["in_head"], true);
        assert_eq!(f["line"], z[0]["line"], "the same place in one blob");
    }
}

#[test]
fn baseline_from_a_history_scan_suppresses_it_and_a_new_leak_still_fails() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("config.json"), &leak(PASS_A));
    commit(root, "old leak");
    git(root, ["rm", "-q", "config.json"]);
    commit(root, "removed");
    let baseline = root.join(".credscan-baseline.json");
    let (code, _, err) = scan(
        root,
        &["--history", "--write-baseline", ".credscan-baseline.json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(baseline.exists());
    commit(root, "baseline");
    let (code, out, _) = scan(
        root,
        &[
            "--history",
            "--baseline",
            ".credscan-baseline.json",
            "--format",
            "json",
        ],
    );
    let findings = json(&out)["findings"].as_array().unwrap().clone();
    assert_eq!((code, findings.len()), (0, 0));

    write(&root.join("deploy/auth.json"), &leak(PASS_B));
    let new = commit(root, "new leak");
    let (code, out, _) = scan(
        root,
        &[
            "--history",
            "--baseline",
            ".credscan-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let doc = json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["history"]["commit"], new.as_str());
}

#[test]
fn sarif_and_github_outputs_carry_the_commit() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("config.json"), &leak(PASS_A));
    let leaked = commit(root, "leak");
    git(root, ["rm", "-q", "config.json"]);
    commit(root, "removed");

    let (code, out, _) = scan(root, &["--history", "--format", "sarif"]);
    assert_eq!(code, 1);
    let doc = json(&out);
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(
        r["partialFingerprints"]["credscanCommit/v1"],
        leaked.as_str()
    );
    assert_eq!(r["properties"]["commit"], leaked.as_str());
    assert_eq!(r["properties"]["inHead"], false);
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains(&leaked[..12]));
    assert!(!out.contains(PASS_A));

    let (code, out, _) = scan(root, &["--history", "--format", "github"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("::error file=config.json,line=4"), "{out}");
    assert!(out.contains(&leaked[..12]), "{out}");
    assert!(!out.contains(PASS_A));
}

#[test]
fn empty_bare_worktree_submodule_and_lfs_repositories() {
    // No commits: nothing to scan, exit 0.
    let dir = repo();
    let (code, findings, err) = history(dir.path(), "--history");
    assert_eq!((code, findings.len()), (0, 0), "{err}");

    // A repository with a submodule and an LFS pointer file.
    let sub = leaky_source();
    let root = dir.path();
    write(
        &root.join(".gitattributes"),
        "*.bin filter=lfs diff=lfs merge=lfs -text\n",
    );
    write(
        &root.join("model.bin"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    write(&root.join("config.json"), &leak(PASS_B));
    git(
        root,
        [
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &file_url(sub.path()),
            "vendor/sub",
        ],
    );
    let head = commit(root, "with submodule and lfs pointer");
    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(findings.len(), 1, "the submodule's own leak is not scanned");
    assert!(err.contains("vendor/sub: skipped: a submodule"), "{err}");

    // A bare clone.
    let tmp = tempfile::tempdir().unwrap();
    git(
        tmp.path(),
        ["clone", "-q", "--bare", &file_url(root), "bare.git"],
    );
    let (code, findings, err) = history(&tmp.path().join("bare.git"), "--history");
    assert_eq!((code, findings.len()), (1, 1), "{err}");
    assert_eq!(findings[0]["history"]["commit"], head.as_str());
    assert_eq!(findings[0]["path"], "config.json");
    assert_eq!(findings[0]["history"]["in_head"], true);

    // A linked worktree, also given as PATH from elsewhere.
    let wt = tmp.path().join("wt");
    git(root, ["worktree", "add", "-q", wt.to_str().unwrap()]);
    let (code, out, err) = scan(
        tmp.path(),
        &["--history", "--format", "json", wt.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(json(&out)["findings"][0]["path"], "config.json");
}

#[test]
fn pre_push_scans_exactly_the_pushed_commits_from_git_hook_input() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("config.json"), &leak(PASS_A));
    commit(root, "old leak, already pushed");
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), ["init", "-q", "--bare", "-b", "main"]);
    git(
        root,
        ["remote", "add", "origin", remote.path().to_str().unwrap()],
    );
    git(root, ["push", "-q", "origin", "main"]);
    let pushed_before = rev(root, "HEAD");
    write(&root.join("app.txt"), "code\n");
    commit(root, "clean change");
    let local = rev(root, "HEAD");

    let push = |stdin: String| {
        let mut child = credscan()
            .current_dir(root)
            .args(["--pre-push", "--format", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let line = format!("refs/heads/main {local} refs/heads/main {pushed_before}\n");
    let (code, out) = push(line);
    assert_eq!(code, 0, "the old leak was pushed already: {out}");

    write(&root.join("deploy/auth.json"), &leak(PASS_B));
    let leaky = commit(root, "new leak");
    let line = format!("refs/heads/main {leaky} refs/heads/main {pushed_before}\n");
    let (code, out) = push(line);
    assert_eq!(code, 1, "{out}");
    let doc = json(&out);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["findings"][0]["path"], "deploy/auth.json");

    // A new branch: only what no remote has.
    let z = "0".repeat(40);
    let line = format!("refs/heads/topic {leaky} refs/heads/topic {z}\n");
    let (code, out) = push(line);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["findings"].as_array().unwrap().len(), 1);
    // Deleting a branch pushes nothing.
    let line = format!("(delete) {z} refs/heads/topic {leaky}\n");
    let (code, _) = push(line);
    assert_eq!(code, 0);
}

#[test]
fn repository_config_cannot_hide_content_and_errors_are_clear() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("deploy/config.json"), &leak(PASS_A));
    let first = commit(root, "root commit with the leak");
    // Settings that would hide the root commit's files, or make paths
    // relative to the current directory.
    git(root, ["config", "log.showRoot", "false"]);
    git(root, ["config", "diff.relative", "true"]);
    git(root, ["config", "diff.renames", "copies"]);
    let (code, out, err) = scan(&root.join("deploy"), &["--history", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["findings"][0]["path"], "deploy/config.json");
    assert_eq!(doc["findings"][0]["history"]["commit"], first.as_str());

    // Outside a repository.
    let plain = tempfile::tempdir().unwrap();
    let (code, _, err) = scan(plain.path(), &["--history"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs a git repository"), "{err}");
    // One repository at a time, and not standard input.
    let (code, _, _) = scan(root, &["--history", ".", "deploy"]);
    assert_eq!(code, 2);
    let (code, _, _) = scan(root, &["--history", "-"]);
    assert_eq!(code, 2);
    let (code, _, _) = scan(root, &["--history", "--staged"]);
    assert_eq!(code, 2);
}

/// A `git` first on PATH that logs its arguments, one line per run, and
/// runs the real one: shows which git commands a scan started.
#[cfg(unix)]
struct LoggedGit {
    dir: tempfile::TempDir,
}

#[cfg(unix)]
impl LoggedGit {
    fn new() -> LoggedGit {
        use std::os::unix::fs::PermissionsExt;
        let real = which("git").expect("git on PATH");
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("git");
        let log = dir.path().join("log");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        LoggedGit { dir }
    }

    /// `credscan ARGS` in `root`: (findings, notes on stderr, the git
    /// commands it ran).
    fn scan(&self, root: &Path, args: &[&str]) -> (Vec<Value>, Vec<String>, String) {
        let log = self.dir.path().join("log");
        let _ = std::fs::remove_file(&log);
        let path = std::env::join_paths(
            std::iter::once(self.dir.path().to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let (code, out, err) = run(credscan().current_dir(root).env("PATH", path).args(args));
        assert!(code == 0 || code == 1, "{err}");
        let notes = err
            .lines()
            .filter(|l| l.starts_with("credscan: note"))
            .map(str::to_string)
            .collect();
        let findings = json(&out)["findings"].as_array().unwrap().clone();
        (
            findings,
            notes,
            std::fs::read_to_string(log).unwrap_or_default(),
        )
    }
}

/// Whether a scan read blobs through `git cat-file --batch`.
fn used_cat_file(calls: &str) -> bool {
    calls.lines().any(|l| l.contains("cat-file --batch"))
}

/// A deployment script edited over several commits, with a registry login
/// in one version: git stores most versions as deltas of the newest
/// (largest) one. Returns the blob id of the leaking version.
fn edited_script(root: &Path) -> String {
    let script = |version: usize, leak: bool| {
        let mut s = String::new();
        for i in 0..60 + version * 4 {
            s.push_str(&format!("echo step {i} of deploying service {i}\n"));
            if leak && i == 30 {
                s.push_str(&format!(
                    "docker login -u {USER} -p {PASS_A} registry.example.test\n"
                ));
            }
        }
        s
    };
    let mut leaking = String::new();
    for version in 0..8 {
        write(&root.join("deploy.sh"), &script(version, version == 4));
        let c = commit(root, &format!("deploy script v{version}"));
        if version == 4 {
            leaking = rev(root, &format!("{c}:deploy.sh"));
        }
    }
    leaking
}

/// The type of the pack entry holding `id` (6: `OFS_DELTA`, 7:
/// `REF_DELTA`), from `git verify-pack -v` and the pack's bytes.
/// The repository's pack file and the `git verify-pack -v` fields of
/// object `id` in it: id, type, size, size in the pack, offset, and for a
/// delta its depth and base.
fn pack_entry(root: &Path, id: &str) -> (std::path::PathBuf, Vec<String>) {
    let pack_dir = root.join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let listing = git(root, ["verify-pack", "-v", idx.to_str().unwrap()]);
    let line = listing
        .lines()
        .find(|l| l.starts_with(id))
        .unwrap_or_else(|| panic!("{id} not in the pack: {listing}"));
    let fields = line.split_whitespace().map(str::to_string).collect();
    (idx.with_extension("pack"), fields)
}

fn pack_entry_type(root: &Path, id: &str) -> u8 {
    let (pack, fields) = pack_entry(root, id);
    assert_eq!(fields.len(), 7, "stored as a delta: {fields:?}");
    let offset: usize = fields[4].parse().unwrap();
    let pack = std::fs::read(pack).unwrap();
    (pack[offset] >> 4) & 7
}

#[cfg(unix)]
#[test]
fn packed_blobs_and_deltas_give_the_same_findings_as_loose_objects() {
    let dir = repo();
    let root = dir.path();
    let leaking = edited_script(root);
    write(&root.join("config.json"), &leak(PASS_B));
    let mut big = leak(PASS_A);
    big.push_str(&"x".repeat(8000));
    write(&root.join("big.json"), &big);
    commit(root, "config and a big file");
    std::fs::remove_file(root.join("big.json")).unwrap();
    write(&root.join("deploy.sh"), "echo done\n");
    commit(root, "drop them");
    let logged = LoggedGit::new();
    let args = ["--history", "--format", "json", "--max-file-size", "6K"];

    // Loose objects: git reads them.
    let (loose, loose_notes, calls) = logged.scan(root, &args);
    assert!(used_cat_file(&calls), "{calls}");
    assert_eq!(paths(&loose), ["config.json", "deploy.sh"], "{loose:?}");
    assert_eq!(
        at(&loose, "deploy.sh")[0]["history"]["blob"],
        leaking.as_str()
    );
    assert!(
        loose_notes.iter().any(|n| n.contains("big.json")),
        "{loose_notes:?}"
    );

    // One pack, deltas against earlier entries by offset: read in-process,
    // the same findings and notes.
    git(root, ["repack", "-q", "-a", "-d", "-f"]);
    assert_eq!(pack_entry_type(root, &leaking), 6);
    let (packed, notes, calls) = logged.scan(root, &args);
    assert!(!used_cat_file(&calls), "{calls}");
    assert_eq!(packed, loose);
    assert_eq!(notes, loose_notes);

    // Another repository borrowing these objects (alternates).
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    git(
        tmp.path(),
        ["clone", "-q", "--shared", root.to_str().unwrap(), "shared"],
    );
    assert!(shared.join(".git/objects/info/alternates").is_file());
    let (borrowed, _, calls) = logged.scan(&shared, &["--history", "--format", "json"]);
    assert!(!used_cat_file(&calls), "{calls}");
    assert_eq!(paths(&borrowed), ["big.json", "config.json", "deploy.sh"]);

    // Deltas naming their base by id (REF_DELTA).
    git(
        root,
        [
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
        ],
    );
    assert_eq!(pack_entry_type(root, &leaking), 7);
    let (packed, notes, calls) = logged.scan(root, &args);
    assert!(!used_cat_file(&calls), "{calls}");
    assert_eq!(packed, loose);
    assert_eq!(notes, loose_notes);
}

#[cfg(unix)]
#[test]
fn several_packs_and_loose_objects_are_read_together() {
    let dir = repo();
    let root = dir.path();
    let mut commits = Vec::new();
    for (i, name) in ["a.json", "b.json", "c.json"].iter().enumerate() {
        edited_script(root);
        write(
            &root.join(name),
            &leak_config_for(&format!("registry{i}.example.test"), USER, PASS_A),
        );
        commits.push(commit(root, &format!("add {name}")));
        std::fs::remove_file(root.join(name)).unwrap();
        commit(root, &format!("remove {name}"));
        // The first two commits' objects go to a pack each; the third's
        // stay loose.
        if i < 2 {
            git(root, ["repack", "-q", "-d"]);
        }
    }
    let packs = std::fs::read_dir(root.join(".git/objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count();
    assert_eq!(packs, 2);
    let logged = LoggedGit::new();
    let (findings, _, calls) = logged.scan(root, &["--history", "--format", "json"]);
    // The loose blobs came from git.
    assert!(used_cat_file(&calls), "{calls}");
    assert_eq!(
        paths(&findings),
        ["a.json", "b.json", "c.json", "deploy.sh"],
        "{findings:?}"
    );
    for (name, c) in ["a.json", "b.json", "c.json"].iter().zip(&commits) {
        assert_eq!(at(&findings, name)[0]["history"]["commit"], c.as_str());
    }
    // The script's leaking version was added three times (the same blob):
    // one finding, from its first commit.
    assert_eq!(at(&findings, "deploy.sh").len(), 1);
}

#[cfg(unix)]
#[test]
fn sha256_repository_is_read_through_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(
        root,
        ["init", "-q", "--object-format=sha256", "-b", "main", "."],
    );
    write(&root.join("config.json"), &leak(PASS_A));
    let leaked = commit(root, "add config");
    std::fs::remove_file(root.join("config.json")).unwrap();
    commit(root, "remove config");
    git(root, ["repack", "-q", "-a", "-d"]);
    let logged = LoggedGit::new();
    let (findings, _, calls) = logged.scan(root, &["--history", "--format", "json"]);
    // The pack reader reads SHA-1 repositories only: git gives the blobs.
    assert!(used_cat_file(&calls), "{calls}");
    assert_eq!(paths(&findings), ["config.json"]);
    assert_eq!(leaked.len(), 64);
    assert_eq!(findings[0]["history"]["commit"], leaked.as_str());
}

#[test]
fn damaged_blob_in_a_pack_is_noted_and_the_scan_completes() {
    let dir = repo();
    let root = dir.path();
    write(&root.join("a.json"), &leak(PASS_A));
    let mut damaged = leak(PASS_B);
    damaged.push_str(&"filler line\n".repeat(200));
    write(&root.join("b.json"), &damaged);
    commit(root, "two configs");
    git(root, ["repack", "-q", "-a", "-d", "-f"]);
    let blob = rev(root, "HEAD:b.json");
    // Overwrite the middle of the blob's compressed bytes in the pack:
    // neither credscan's pack reader nor git can inflate it.
    let (pack_path, fields) = pack_entry(root, &blob);
    let in_pack: usize = fields[3].parse().unwrap();
    let offset: usize = fields[4].parse().unwrap();
    let mut pack = std::fs::read(&pack_path).unwrap();
    for b in &mut pack[offset + in_pack / 2..offset + in_pack / 2 + 8] {
        *b ^= 0x5a;
    }
    let mut perms = std::fs::metadata(&pack_path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack_path, perms).unwrap();
    std::fs::write(&pack_path, pack).unwrap();

    let (code, findings, err) = history(root, "--history");
    assert_eq!(code, 1, "{err}");
    assert_eq!(paths(&findings), ["a.json"], "{err}");
    assert!(err.contains("1 blob could not be read"), "{err}");
}
