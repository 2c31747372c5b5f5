//! `credscan --staged` against the real git in temporary repositories.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn staged(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let (code, stdout, stderr) = run(credscan()
        .current_dir(dir)
        .args(["--staged", "--format", "json"])
        .args(extra));
    assert!(code == 0 || code == 1, "exit {code}: {stdout}{stderr}");
    (code, json(&stdout), stderr)
}

fn paths(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn repository_without_commits() {
    let repo = repo();
    write(&repo.path().join(".docker/config.json"), &leak_config());
    write(&repo.path().join("README.md"), "nothing\n");
    git(repo.path(), ["add", "."]);
    let (code, v, _) = staged(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), [".docker/config.json"]);
    let f = &v["findings"][0];
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 16);
    assert_eq!(v["stats"]["files_scanned"], 2);
}

#[test]
fn empty_index_is_clean() {
    let repo = repo();
    let (code, v, _) = staged(repo.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["files_scanned"], 0);
}

#[test]
fn scans_the_index_not_the_work_tree() {
    let repo = repo();
    let p = repo.path().join("config.json");
    write(&p, "{}\n");
    git(repo.path(), ["add", "."]);
    git(repo.path(), ["commit", "-q", "-m", "init"]);
    // Staged leak, then the work tree is cleaned without staging: the
    // commit would still hold the leak.
    write(&p, &leak_config());
    git(repo.path(), ["add", "config.json"]);
    write(&p, "{}\n");
    let (code, v, _) = staged(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), ["config.json"]);
    // The reverse: a leak only in the work tree is not what gets committed.
    git(repo.path(), ["add", "config.json"]);
    write(&p, &leak_config());
    let (code, v, _) = staged(repo.path(), &[]);
    assert_eq!(code, 0, "{v}");
    // The walk still sees the work tree.
    let (code, _, _) = run(credscan().current_dir(repo.path()).arg("."));
    assert_eq!(code, 1);
}

#[test]
fn only_added_modified_copied_renamed_files() {
    let repo = repo();
    write(&repo.path().join("old name.json"), &leak_config());
    write(&repo.path().join("untouched.json"), &leak_config());
    write(&repo.path().join("deleted.json"), &leak_config());
    git(repo.path(), ["add", "."]);
    git(repo.path(), ["commit", "-q", "-m", "init"]);
    // Nothing staged: committed leaks are not this commit's business.
    let (code, _, _) = staged(repo.path(), &[]);
    assert_eq!(code, 0);
    git(repo.path(), ["mv", "old name.json", "new name.json"]);
    git(repo.path(), ["rm", "-q", "deleted.json"]);
    write(
        &repo.path().join("added.txt"),
        &format!("REGISTRY_AUTH={}\n", auth()),
    );
    git(repo.path(), ["add", "added.txt"]);
    let (code, v, _) = staged(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), ["added.txt", "new name.json"]);
    // Modified.
    write(
        &repo.path().join("untouched.json"),
        &format!("\n\n{}", leak_config()),
    );
    git(repo.path(), ["add", "untouched.json"]);
    let (_, v, _) = staged(repo.path(), &[]);
    assert_eq!(paths(&v), ["added.txt", "new name.json", "untouched.json"]);
    assert_eq!(v["findings"][2]["line"], 6);
}

#[test]
fn odd_paths_and_any_subdirectory() {
    let repo = repo();
    let dir = repo.path().join("dir with space/ünïcødé");
    write(&dir.join("con fig \"q\".json"), &leak_config());
    write(&repo.path().join("other/x.json"), &leak_config());
    git(repo.path(), ["add", "."]);
    let expected = ["dir with space/ünïcødé/con fig \"q\".json", "other/x.json"];
    let (code, v, _) = staged(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        paths(&v),
        expected,
        "repository-relative from a subdirectory"
    );
    let (_, v, _) = staged(&repo.path().join("other"), &[]);
    assert_eq!(paths(&v), expected);
    // Human output names the repository-relative path too.
    let (_, stdout, _) = run(credscan()
        .current_dir(&dir)
        .args(["--staged", "--color=never"]));
    assert!(
        stdout.contains("dir with space/ünïcødé/con fig \"q\".json:4:16"),
        "{stdout}"
    );
}

#[test]
fn paths_restrict_the_index_scan() {
    let repo = repo();
    write(&repo.path().join("a/config.json"), &leak_config());
    write(&repo.path().join("b/config.json"), &leak_config());
    write(&repo.path().join("glob[1]*.json"), &leak_config());
    git(repo.path(), ["add", "."]);
    let (_, v, _) = staged(repo.path(), &["a"]);
    assert_eq!(paths(&v), ["a/config.json"]);
    // Relative to the current directory, like git pathspecs.
    let (_, v, _) = staged(&repo.path().join("b"), &["config.json", "../a"]);
    assert_eq!(paths(&v), ["a/config.json", "b/config.json"]);
    // Literal: no glob expansion.
    let (_, v, _) = staged(repo.path(), &["glob[1]*.json"]);
    assert_eq!(paths(&v), ["glob[1]*.json"]);
    let (code, v, _) = staged(repo.path(), &["nothing/here"]);
    assert_eq!(code, 0);
    assert!(paths(&v).is_empty());
}

#[test]
fn linked_worktree() {
    let repo = repo();
    write(&repo.path().join("README.md"), "hi\n");
    git(repo.path(), ["add", "."]);
    git(repo.path(), ["commit", "-q", "-m", "init"]);
    let parent = tempfile::tempdir().unwrap();
    let wt = parent.path().join("linked wt");
    git(
        repo.path(),
        [
            "worktree".as_ref(),
            "add".as_ref(),
            "-q".as_ref(),
            "-b".as_ref(),
            "feature".as_ref(),
            wt.as_os_str(),
        ],
    );
    assert!(
        wt.join(".git").is_file(),
        "a linked worktree has a .git file"
    );
    write(&wt.join("deploy/config.json"), &leak_config());
    git(&wt, ["add", "."]);
    let (code, v, _) = staged(&wt.join("deploy"), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v), ["deploy/config.json"]);
    // The main work tree's index is its own.
    let (code, _, _) = staged(repo.path(), &[]);
    assert_eq!(code, 0);
}

#[test]
fn symlinks_submodules_intent_to_add_and_binaries_are_skipped() {
    let repo = repo();
    write(&repo.path().join("real.json"), "{}\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink("real.json", repo.path().join("link.json")).unwrap();
    let mut bin = vec![0u8, 1, 2];
    bin.extend_from_slice(leak_config().as_bytes());
    fs::write(repo.path().join("blob.bin"), bin).unwrap();
    git(repo.path(), ["add", "."]);
    // A submodule entry (gitlink) whose commit is not in this repository.
    git(
        repo.path(),
        [
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1234567890123456789012345678901234567890,vendor/sub",
        ],
    );
    // An intent-to-add entry has no staged content yet.
    write(&repo.path().join("later.json"), &leak_config());
    git(repo.path(), ["add", "-N", "later.json"]);
    let (code, v, stderr) = staged(repo.path(), &[]);
    assert_eq!(code, 0, "{v}{stderr}");
    assert_eq!(v["stats"]["files_scanned"], 1);
    assert_eq!(v["stats"]["errors"], 0);
}

#[test]
fn large_staged_blobs_are_noted() {
    let repo = repo();
    write(&repo.path().join("config.json"), &leak_config());
    write(&repo.path().join("small.txt"), "ok\n");
    git(repo.path(), ["add", "."]);
    let (code, stdout, stderr) =
        run(credscan()
            .current_dir(repo.path())
            .args(["--staged", "--max-file-size", "10"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("config.json: skipped: ") && stderr.contains("larger than"),
        "{stderr}"
    );
    assert!(stderr.contains("scanned 1 file"), "{stderr}");
}

#[test]
fn config_excludes_apply_to_staged_paths() {
    let repo = repo();
    write(
        &repo.path().join("tests/fixtures/config.json"),
        &leak_config(),
    );
    write(&repo.path().join("deploy/config.json"), &leak_config());
    write(
        &repo.path().join(".credscan.toml"),
        "exclude = [\"tests/fixtures/\"]\n",
    );
    git(repo.path(), ["add", "."]);
    let (_, v, _) = staged(&repo.path().join("deploy"), &[]);
    assert_eq!(paths(&v), ["deploy/config.json"]);
}

#[test]
fn errors_outside_a_repository_and_with_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(credscan()
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .arg("--staged"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--staged needs a git work tree"),
        "{stderr}"
    );
    let repo = repo();
    let (code, _, stderr) = run(credscan().current_dir(repo.path()).args(["--staged", "-"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("standard input"), "{stderr}");
}
