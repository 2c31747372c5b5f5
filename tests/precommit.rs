//! The hooks in `.pre-commit-hooks.yaml`, run by the real pre-commit
//! framework (PyPI `pre-commit`) in temporary repositories that use this
//! repository as their hook repo.
//!
//! The hook repo is a clone of this checkout's committed HEAD (`repo:` a
//! local path, `rev:` the commit id), so uncommitted changes are not
//! tested. The `credscan` hook (`language: rust`) is built by pre-commit
//! with `cargo install`, which is slow the first time: `PRE_COMMIT_HOME` and
//! the cargo target directory live under `target/tmp` so later runs reuse
//! them. The `credscan-system` hook runs the binary this build produced.
//!
//! The tests need `pre-commit` on PATH, so they are `#[ignore]`d: a plain
//! `cargo test` lists them as ignored, and `cargo test -- --include-ignored`
//! (what `.ci/run` runs after installing pre-commit) runs them. Asked to
//! run without pre-commit, they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::readme;
use common::*;

fn pre_commit_available() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Fails the (ignored, so explicitly requested) test when pre-commit is
/// missing.
fn require_pre_commit() {
    assert!(
        pre_commit_available(),
        "pre-commit not found on PATH (pip install pre-commit; .ci/run installs it)"
    );
}

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit")
}

/// A clone of this checkout at its HEAD commit; returns (path, commit id).
fn hook_repo() -> &'static (PathBuf, String) {
    static REPO: OnceLock<(PathBuf, String)> = OnceLock::new();
    REPO.get_or_init(|| {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"));
        let rev = git(source, ["rev-parse", "HEAD"]).trim().to_string();
        // A stable path: pre-commit caches environments by repo and rev, so
        // the rust hook is only rebuilt when HEAD changes.
        let path = cache_dir().join("hook-repo");
        if !path.join(".git").exists() {
            std::fs::create_dir_all(&path).unwrap();
            git(&path, ["init", "-q"]);
        }
        git(
            &path,
            [
                "fetch".as_ref(),
                "-q".as_ref(),
                source.as_os_str(),
                "HEAD".as_ref(),
            ],
        );
        git(&path, ["update-ref", "refs/heads/tested", &rev]);
        git(&path, ["symbolic-ref", "HEAD", "refs/heads/tested"]);
        (path, rev)
    })
}

fn pre_commit_env(cmd: &mut Command) -> &mut Command {
    isolate(cmd)
        .env("PRE_COMMIT_HOME", cache_dir().join("home"))
        .env("CARGO_TARGET_DIR", cache_dir().join("cargo-target"))
        .env("PRE_COMMIT_COLOR", "never")
        .env_remove("PRE_COMMIT")
}

/// A project repository whose `.pre-commit-config.yaml` uses `hook`, with
/// the hook installed as git's pre-commit hook.
fn project(hook: &str, path_prefix: Option<&Path>) -> tempfile::TempDir {
    project_with(hook, "", path_prefix)
}

/// [`project`] with `extra` lines (indented to the hook's keys) under the
/// hook's entry.
fn project_with(hook: &str, extra: &str, path_prefix: Option<&Path>) -> tempfile::TempDir {
    let (repo_path, rev) = hook_repo();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n{extra}",
        repo_path.display()
    );
    project_config(&config, path_prefix, None)
}

/// A project repository with `config` as its `.pre-commit-config.yaml`,
/// installed with pip looking for wheels in `find_links` (the
/// `PIP_FIND_LINKS` the README tells users to set until the wheel is on
/// PyPI).
fn project_config(
    config: &str,
    path_prefix: Option<&Path>,
    find_links: Option<&Path>,
) -> tempfile::TempDir {
    let dir = repo();
    write(&dir.path().join(".pre-commit-config.yaml"), config);
    write(&dir.path().join("README.md"), "# project\n");
    git(dir.path(), ["add", "."]);
    git(dir.path(), ["commit", "-q", "-m", "init"]);
    let started = std::time::Instant::now();
    let mut install = Command::new("pre-commit");
    if let Some(dir) = find_links {
        install.env("PIP_FIND_LINKS", dir);
    }
    let (code, out, err) = run(with_path(
        pre_commit_env(install.current_dir(dir.path())),
        path_prefix,
    )
    .args(["install", "--install-hooks"]));
    assert_eq!(code, 0, "pre-commit install failed:\n{out}{err}");
    eprintln!(
        "--- pre-commit install --install-hooks took {:.1} s ---\n{out}{err}",
        started.elapsed().as_secs_f64()
    );
    dir
}

fn with_path<'a>(cmd: &'a mut Command, prefix: Option<&Path>) -> &'a mut Command {
    if let Some(prefix) = prefix {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![prefix.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).unwrap());
    }
    cmd
}

/// `git commit` through the installed hook: (exit code, all output).
fn commit(dir: &Path, path_prefix: Option<&Path>, message: &str) -> (i32, String) {
    let (code, out, err) = run(with_path(
        pre_commit_env(Command::new("git").current_dir(dir)),
        path_prefix,
    )
    .args(["commit", "-m", message]));
    (code, format!("{out}{err}"))
}

fn run_all_files(dir: &Path, path_prefix: Option<&Path>) -> (i32, String) {
    let (code, out, err) = run(with_path(
        pre_commit_env(Command::new("pre-commit").current_dir(dir)),
        path_prefix,
    )
    .args(["run", "--all-files"]));
    (code, format!("{out}{err}"))
}

fn head(dir: &Path) -> String {
    git(dir, ["rev-parse", "HEAD"]).trim().to_string()
}

/// The blocked commit and the clean commit, for any hook.
fn blocks_leaks_and_passes_clean_commits(hook: &str, extra: &str, path_prefix: Option<&Path>) {
    let dir = project_with(hook, extra, path_prefix);
    blocks_leaks_and_passes_clean_commits_in(&dir, hook, path_prefix);
}

/// [`blocks_leaks_and_passes_clean_commits`] in a project already set up.
fn blocks_leaks_and_passes_clean_commits_in(
    dir: &tempfile::TempDir,
    hook: &str,
    path_prefix: Option<&Path>,
) {
    let root = dir.path();
    let before = head(root);

    write(&root.join("deploy/.docker/config.json"), &leak_config());
    git(root, ["add", "."]);
    let (code, out) = commit(root, path_prefix, "leak");
    eprintln!("--- {hook}: commit staging a leaked docker config ---\n{out}");
    assert_ne!(code, 0, "the commit must be blocked:\n{out}");
    assert_eq!(head(root), before, "no commit was made");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        out.contains("deploy/.docker/config.json:4:16"),
        "names file:line:col:\n{out}"
    );
    assert!(out.contains("exit code: 1"), "{out}");
    assert!(
        !out.contains(PASSWORD) && !out.contains(&auth()),
        "redacted:\n{out}"
    );

    // Clean: unstage and remove the leak, commit something harmless.
    git(root, ["rm", "-q", "--cached", "deploy/.docker/config.json"]);
    std::fs::remove_file(root.join("deploy/.docker/config.json")).unwrap();
    write(
        &root.join("deploy/values.yaml"),
        "imageCredentials:\n  auth: ${REGISTRY_AUTH}\n",
    );
    git(root, ["add", "deploy/values.yaml"]);
    let (code, out) = commit(root, path_prefix, "clean");
    eprintln!("--- {hook}: clean commit ---\n{out}");
    assert_eq!(code, 0, "a clean commit passes:\n{out}");
    assert!(out.contains("Passed"), "{out}");
    assert_ne!(head(root), before);
}

#[test]
#[ignore = "needs pre-commit"]
fn rust_hook_built_by_pre_commit() {
    require_pre_commit();
    blocks_leaks_and_passes_clean_commits("credscan", "", None);
}

fn built_binary_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("credscan")
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
#[ignore = "needs pre-commit"]
fn system_hook_with_credscan_on_path() {
    require_pre_commit();
    let bin = built_binary_dir();
    blocks_leaks_and_passes_clean_commits("credscan-system", "", Some(&bin));
}

#[test]
#[ignore = "needs pre-commit"]
fn system_hook_checks_staged_content_and_all_files() {
    require_pre_commit();
    let bin = built_binary_dir();
    let dir = project("credscan-system", Some(&bin));
    let root = dir.path();
    let cfg = root.join("config.json");

    // Staged leak, cleaned only in the work tree: pre-commit stashes the
    // unstaged change, so the hook sees (and blocks) what would be
    // committed.
    write(&cfg, &leak_config());
    git(root, ["add", "config.json"]);
    write(&cfg, "{}\n");
    let (code, out) = commit(root, Some(&bin), "sneaky");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("config.json:4:16"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        "{}\n",
        "work tree restored"
    );

    // The reverse: a clean index with a leak left unstaged commits fine.
    git(root, ["add", "config.json"]);
    write(&cfg, &leak_config());
    let (code, out) = commit(root, Some(&bin), "clean index");
    assert_eq!(code, 0, "{out}");

    // --all-files scans every tracked file.
    git(root, ["add", "config.json"]);
    git(
        root,
        ["commit", "-q", "--no-verify", "-m", "leak committed anyway"],
    );
    let (code, out) = run_all_files(root, Some(&bin));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("config.json:4:16"), "{out}");

    // With the leak excluded by .credscan.toml, --all-files passes.
    write(
        &root.join(".credscan.toml"),
        "exclude = [\"/config.json\"]\n",
    );
    git(root, ["add", ".credscan.toml"]);
    let (code, out) = run_all_files(root, Some(&bin));
    assert_eq!(code, 0, "{out}");
}

/// A UTF-16LE pull Secret (as PowerShell 5.1 writes files) is text to
/// credscan; the hooks' file filter passes it and the commit is blocked.
/// pre-commit tags known extensions (`.json`, `.yaml`) as text by name, so
/// the file here has none: its tags then come from the content, where
/// `types: [text]` called it binary and never passed it.
#[test]
#[ignore = "needs pre-commit"]
fn system_hook_blocks_a_utf16_file() {
    require_pre_commit();
    let bin = built_binary_dir();
    let dir = project("credscan-system", Some(&bin));
    let root = dir.path();
    let before = head(root);
    let mut bytes = vec![0xFF, 0xFE];
    for u in leak_config().replace('\n', "\r\n").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(root.join("regcred-dump"), bytes).unwrap();
    git(root, ["add", "regcred-dump"]);
    let (code, out) = commit(root, Some(&bin), "utf-16 leak");
    assert_ne!(code, 0, "the commit must be blocked:\n{out}");
    assert_eq!(head(root), before, "no commit was made");
    assert!(out.contains("regcred-dump:4:16"), "{out}");
}

/// The `credscan-wheel` hook (`language: python`): pre-commit pip-installs
/// the hook repository's empty `credscan-pre-commit` package, which pulls
/// the prebuilt `docker-credscan` wheel, found here through
/// `--find-links` in `additional_dependencies` (PyPI once it is
/// published). No cargo runs: `CARGO` and `RUSTC` point at `false`, and the
/// hook's virtualenv holds the wheel's dist-info.
#[test]
#[ignore = "needs pre-commit and the docker-credscan wheel"]
fn wheel_hook_installs_the_prebuilt_binary() {
    require_pre_commit();
    let wheels = wheel_dir();
    let extra = format!(
        "        additional_dependencies: [\"--find-links={}\"]\n",
        wheels.display()
    );
    let no_cargo = no_cargo();
    blocks_leaks_and_passes_clean_commits("credscan-wheel", &extra, Some(no_cargo.path()));
    // The environment pre-commit made holds the wheel, not a local build.
    let installed: Vec<PathBuf> = walkdir(&cache_dir().join("home"))
        .into_iter()
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with(&format!(
                    "docker_credscan-{}.dist-info",
                    env!("CARGO_PKG_VERSION")
                ))
            })
        })
        .collect();
    assert!(
        !installed.is_empty(),
        "no docker_credscan dist-info in the hook env"
    );
    for dist in installed {
        let wheel = std::fs::read_to_string(dist.join("WHEEL")).unwrap();
        assert!(wheel.contains("Generator: maturin"), "{wheel}");
    }
}

/// Every directory below `root` (no symlinks followed).
fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.push(e.path());
                stack.push(e.path());
            }
        }
    }
    out
}

/// `git push` to `remote` through the installed pre-push hook.
fn push(dir: &Path, bin: &Path, args: &[&str]) -> (i32, String) {
    let (code, out, err) = run(with_path(
        pre_commit_env(Command::new("git").current_dir(dir)),
        Some(bin),
    )
    .arg("push")
    .args(args));
    (code, format!("{out}{err}"))
}

#[test]
#[ignore = "needs pre-commit"]
fn pre_push_hook_scans_exactly_the_pushed_commits() {
    require_pre_commit();
    let bin = built_binary_dir();
    let dir = project("credscan-pre-push-system", Some(&bin));
    let root = dir.path();
    let (code, out, err) = run(with_path(
        pre_commit_env(Command::new("pre-commit").current_dir(root)),
        Some(&bin),
    )
    .args(["install", "--hook-type", "pre-push"]));
    assert_eq!(code, 0, "{out}{err}");
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), ["init", "-q", "--bare", "-b", "main"]);
    git(root, ["branch", "-q", "-M", "main"]);
    git(
        root,
        ["remote", "add", "origin", remote.path().to_str().unwrap()],
    );

    // The first push of a new branch holding a root commit: everything.
    let (code, out) = push(root, &bin, &["-q", "-u", "origin", "main"]);
    assert_eq!(code, 0, "a clean first push passes:\n{out}");

    // A leak added in one commit and removed in the next: the pushed
    // head is clean, the pushed commits are not.
    write(&root.join("deploy/config.json"), &leak_config());
    git(root, ["add", "."]);
    git(root, ["commit", "-q", "--no-verify", "-m", "leak"]);
    let leaked = head(root);
    git(root, ["rm", "-q", "deploy/config.json"]);
    git(root, ["commit", "-q", "--no-verify", "-m", "remove it"]);
    let (code, out) = push(root, &bin, &["-q", "origin", "main"]);
    eprintln!("--- blocked push ---\n{out}");
    assert_ne!(code, 0, "the push must be blocked:\n{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("deploy/config.json"), "{out}");
    assert!(out.contains(&leaked[..12]), "names the commit:\n{out}");
    assert!(!out.contains(PASSWORD), "redacted:\n{out}");
    let remote_head = git(remote.path(), ["rev-parse", "main"]);
    assert_ne!(remote_head.trim(), head(root), "nothing was pushed");

    // Once published anyway, later clean pushes scan only their commits.
    let (code, out) = push(root, &bin, &["-q", "--no-verify", "origin", "main"]);
    assert_eq!(code, 0, "{out}");
    write(&root.join("app.txt"), "code\n");
    git(root, ["add", "."]);
    git(root, ["commit", "-q", "--no-verify", "-m", "clean"]);
    let (code, out) = push(root, &bin, &["-q", "origin", "main"]);
    assert_eq!(code, 0, "only the new clean commit is scanned:\n{out}");

    // A new branch whose leak sits in a commit no remote has.
    git(root, ["checkout", "-q", "-b", "topic"]);
    write(&root.join("ci/auth.json"), &leak_config());
    git(root, ["add", "."]);
    git(root, ["commit", "-q", "--no-verify", "-m", "topic leak"]);
    let (code, out) = push(root, &bin, &["-q", "origin", "topic"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("ci/auth.json"), "{out}");
}

/// A directory of stand-ins for `cargo` and `rustc` that fail, to put first
/// on PATH where nothing may compile.
fn no_cargo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for tool in ["cargo", "rustc"] {
        let path = dir.path().join(tool);
        write(&path, "#!/bin/sh\necho \"$0 must not run\" >&2\nexit 1\n");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// Each pre-commit recipe in the README, with only `repo:` and `rev:`
/// replaced, blocks a leaked credential and passes a clean commit: the
/// wheel hook (pip finds the wheel through `PIP_FIND_LINKS`, and no cargo
/// may run), the system hook (this build on PATH) and the rust hook
/// (pre-commit's cargo install, shared with `rust_hook_built_by_pre_commit`).
#[test]
#[ignore = "needs pre-commit and the docker-credscan wheel"]
fn readme_pre_commit_recipes_block_leaks() {
    require_pre_commit();
    let (repo_path, rev) = hook_repo();
    let wheels = wheel_dir();
    let no_cargo = no_cargo();
    let bin = built_binary_dir();
    let cases: [(&str, Option<&Path>, Option<&Path>); 3] = [
        ("pre-commit-wheel", Some(no_cargo.path()), Some(&wheels)),
        ("pre-commit-system", Some(&bin), None),
        ("pre-commit-rust", None, None),
    ];
    for (name, prefix, find_links) in cases {
        let config = readme::pre_commit_config(name, repo_path, rev);
        let dir = project_config(&config, prefix, find_links);
        blocks_leaks_and_passes_clean_commits_in(&dir, name, prefix);
    }
}

/// The baseline flow from zero with pre-commit: a repository that already
/// holds a leak writes its baseline with the README's baseline recipe, then
/// uses the README's baseline hook config: old findings pass, a new leak is
/// blocked.
#[test]
#[ignore = "needs pre-commit and the docker-credscan wheel"]
fn readme_pre_commit_baseline_flow_from_zero() {
    require_pre_commit();
    let (repo_path, rev) = hook_repo();
    let wheels = wheel_dir();
    let bin = built_binary_dir();
    let config = readme::pre_commit_config("pre-commit-baseline", repo_path, rev);
    let dir = repo();
    let root = dir.path();
    write(&root.join("old/.docker/config.json"), &leak_config());
    write(&root.join("README.md"), "# project\n");
    git(root, ["add", "."]);
    git(root, ["commit", "-q", "-m", "history with a leak"]);
    for line in readme::shell_lines("baseline") {
        let (code, out, err) = run(with_path(
            isolate(Command::new("sh").current_dir(root)),
            Some(&bin),
        )
        .args(["-e", "-c", &line]));
        assert_eq!(code, 0, "{line}: {out}{err}");
    }
    write(&root.join(".pre-commit-config.yaml"), &config);
    git(root, ["add", ".pre-commit-config.yaml"]);
    let mut install = Command::new("pre-commit");
    install.env("PIP_FIND_LINKS", &wheels);
    let (code, out, err) =
        run(pre_commit_env(install.current_dir(root)).args(["install", "--install-hooks"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out) = commit(root, None, "adopt credscan with a baseline");
    assert_eq!(code, 0, "{out}");

    // The old leak's file changes without a new secret: still passes.
    let old = std::fs::read_to_string(root.join("old/.docker/config.json")).unwrap();
    write(&root.join("old/.docker/config.json"), &format!("{old}\n"));
    git(root, ["add", "."]);
    let (code, out) = commit(root, None, "touch the old file");
    assert_eq!(code, 0, "{out}");

    // A new leak is blocked.
    write(
        &root.join("new/.docker/config.json"),
        &leak_config_for("other.example.test", "deployer", "FAKEpass-Zq8vLm2Kp4Rt7Wx"),
    );
    git(root, ["add", "."]);
    let (code, out) = commit(root, None, "new leak");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("new/.docker/config.json:4:16"), "{out}");
}

/// The README's pre-push recipe (the rust hooks, sharing the environment
/// `rust_hook_built_by_pre_commit` builds) installed with the README's
/// install line: a commit with a leak is blocked, and so is a push of a
/// leak added and removed in two commits.
#[test]
#[ignore = "needs pre-commit"]
fn readme_pre_push_recipe_blocks_pushed_leaks() {
    require_pre_commit();
    let (repo_path, rev) = hook_repo();
    let config = readme::pre_commit_config("pre-commit-pre-push", repo_path, rev);
    commit_and_push_hooks_block_leaks(&config, None, None);
}

/// The wheel variants of both hooks (`credscan-wheel`,
/// `credscan-pre-push-wheel`), with no cargo on PATH.
#[test]
#[ignore = "needs pre-commit and the docker-credscan wheel"]
fn wheel_pre_push_hook_blocks_pushed_leaks() {
    require_pre_commit();
    let (repo_path, rev) = hook_repo();
    let config = readme::pre_commit_config("pre-commit-pre-push", repo_path, rev)
        .replace("id: credscan-pre-push ", "id: credscan-pre-push-wheel ")
        .replace("id: credscan ", "id: credscan-wheel ");
    assert!(config.contains("credscan-pre-push-wheel") && config.contains("id: credscan-wheel "));
    let no_cargo = no_cargo();
    commit_and_push_hooks_block_leaks(&config, Some(no_cargo.path()), Some(&wheel_dir()));
}

/// Installs `config` for commits and pushes (the README's install line),
/// then checks a leaked commit and a pushed leak are blocked.
fn commit_and_push_hooks_block_leaks(
    config: &str,
    path_prefix: Option<&Path>,
    find_links: Option<&Path>,
) {
    let dir = project_config(config, path_prefix, find_links);
    let root = dir.path();
    let install = readme::shell_lines("pre-commit-pre-push-install");
    assert_eq!(install.len(), 1, "{install:?}");
    let mut sh = Command::new("sh");
    if let Some(links) = find_links {
        sh.env("PIP_FIND_LINKS", links);
    }
    let (code, out, err) = run(with_path(pre_commit_env(sh.current_dir(root)), path_prefix)
        .args(["-e", "-c", &install[0]]));
    assert_eq!(code, 0, "{out}{err}");

    write(&root.join("deploy/.docker/config.json"), &leak_config());
    git(root, ["add", "."]);
    let (code, out) = commit(root, path_prefix, "leak");
    assert_ne!(code, 0, "the commit is blocked:\n{out}");

    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), ["init", "-q", "--bare", "-b", "main"]);
    git(
        root,
        ["remote", "add", "origin", remote.path().to_str().unwrap()],
    );
    git(root, ["commit", "-q", "--no-verify", "-m", "leak anyway"]);
    git(root, ["rm", "-q", "deploy/.docker/config.json"]);
    git(root, ["commit", "-q", "--no-verify", "-m", "remove it"]);
    let (code, out, err) = run(with_path(
        pre_commit_env(Command::new("git").current_dir(root)),
        path_prefix,
    )
    .args(["push", "-q", "origin", "HEAD:main"]));
    assert_ne!(code, 0, "the push is blocked:\n{out}{err}");
    assert!(
        format!("{out}{err}").contains("deploy/.docker/config.json"),
        "{out}{err}"
    );
}
