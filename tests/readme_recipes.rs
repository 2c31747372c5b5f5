//! The README's CI recipes, run as a CI runner would run them: the GitHub
//! Actions job's `run:` steps with `bash -e`, the GitLab job's script lines
//! in one `sh -e`, in scratch repositories (clean, with a leak, and with a
//! baseline written from zero by the README's baseline recipe). The
//! install step is run too: it pip-installs the `docker-credscan` wheel
//! into a fresh virtualenv, found through `PIP_FIND_LINKS` as the recipes
//! say until the wheel is on PyPI. The pre-commit recipes run through the
//! real framework in `tests/precommit.rs`.
//!
//! The CI recipe tests need `python3 -m venv` and the wheel
//! (`CREDSCAN_WHEEL_DIR`, which `.ci/run` builds), so they are ignored in a
//! plain `cargo test`. The plain git hook recipes run with this build's
//! binary and are not.

mod common;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::readme::{expand, github_steps, gitlab_script, recipe, shell_lines, Step};
use common::*;

/// A fresh virtualenv (no credscan in it yet) whose `bin` the jobs put
/// first on PATH, as `actions/setup-python` or the `python` image do. One
/// per test thread, so parallel tests never pip-install into the same one.
fn venv() -> PathBuf {
    thread_local! {
        static VENV: OnceCell<(tempfile::TempDir, PathBuf)> = const { OnceCell::new() };
    }
    VENV.with(|v| {
        v.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("venv");
            let out = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&path)
                .output()
                .expect("python3 runs");
            assert!(
                out.status.success(),
                "python3 -m venv: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (dir, path)
        })
        .1
        .clone()
    })
}

/// A shell in `dir` with the job's environment: the virtualenv first on
/// PATH, pip pointed at the wheel, no credscan from this build.
fn shell(dir: &Path, program: &str) -> Command {
    let mut cmd = Command::new(program);
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![venv().join("bin")];
    paths.extend(std::env::split_paths(&old));
    isolate(&mut cmd)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("PIP_FIND_LINKS", wheel_dir())
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("CI", "true");
    cmd
}

/// What a job run produced: each step's name and exit code, all output,
/// and the runner's temporary directory.
struct Job {
    steps: Vec<(String, i32)>,
    output: String,
    temp: Option<tempfile::TempDir>,
}

impl Job {
    fn code(&self) -> i32 {
        self.steps
            .iter()
            .map(|s| s.1)
            .find(|&c| c != 0)
            .unwrap_or(0)
    }
}

/// Runs the GitHub Actions recipe in `dir`: `run:` steps with bash until
/// one fails, then only `if: always()` steps. `actions/checkout` is the
/// scratch repository itself; `upload-sarif` checks the file it would send.
fn github_job(dir: &Path, name: &str, values: &[(&str, &str)]) -> Job {
    let steps = github_steps(&recipe(name));
    let temp = tempfile::tempdir().unwrap();
    let temp_path = temp.path().to_string_lossy().into_owned();
    let mut values = values.to_vec();
    values.push(("runner.temp", &temp_path));
    let values = &values[..];
    let mut job = Job {
        steps: Vec::new(),
        output: String::new(),
        temp: None,
    };
    for step in &steps {
        let always = step.condition.as_deref() == Some("always()");
        if job.code() != 0 && !always {
            continue;
        }
        let label = step_label(step);
        let code = match (&step.uses, &step.run) {
            // The scratch repository is the checkout, with its full history
            // and `origin` (what `fetch-depth: 0` gives).
            (Some(uses), None) if uses.starts_with("actions/checkout@") => 0,
            (Some(uses), None) if uses.starts_with("github/codeql-action/upload-sarif@") => {
                let file = step
                    .with
                    .iter()
                    .find(|(k, _)| k == "sarif_file")
                    .map(|(_, v)| dir.join(expand(v, values)))
                    .expect("sarif_file");
                let text = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("upload-sarif: {}: {e}", file.display()));
                let v = json(&text);
                assert_eq!(v["version"], "2.1.0");
                job.output.push_str(&format!(
                    "upload-sarif: {} results\n",
                    v["runs"][0]["results"].as_array().unwrap().len()
                ));
                0
            }
            (None, Some(run)) => {
                let mut cmd = shell(dir, "bash");
                cmd.env("RUNNER_TEMP", temp.path());
                for (k, v) in &step.env {
                    cmd.env(k, expand(v, values));
                }
                let run = expand(run, values);
                let (code, out, err) =
                    common::run(cmd.args(["--noprofile", "--norc", "-e", "-c", &run]));
                job.output
                    .push_str(&format!("--- {label}: exit {code}\n{out}{err}"));
                code
            }
            other => panic!("unexpected step {other:?}"),
        };
        job.steps.push((label, code));
    }
    job.temp = Some(temp);
    job
}

fn step_label(step: &Step) -> String {
    step.name
        .clone()
        .or_else(|| step.uses.clone())
        .unwrap_or_default()
}

/// Runs a GitLab CI recipe's script in `dir`, in one shell, with the
/// predefined CI/CD `variables`.
fn gitlab_job(dir: &Path, name: &str, variables: &[(&str, &str)]) -> Job {
    let script = gitlab_script(&recipe(name)).join("\n");
    let mut cmd = shell(dir, "sh");
    for (k, v) in variables {
        cmd.env(k, v);
    }
    let (code, out, err) = run(cmd.args(["-e", "-c", &script]));
    Job {
        steps: vec![("script".into(), code)],
        output: format!("{out}{err}"),
        temp: None,
    }
}

/// The number of open results (not suppressed by the baseline or an
/// allow entry) in the SARIF file the GitHub job wrote.
fn sarif_results(job: &Job) -> usize {
    let file = job
        .temp
        .as_ref()
        .expect("a GitHub job")
        .path()
        .join("credscan.sarif");
    let v = json(&std::fs::read_to_string(file).unwrap());
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .count()
}

/// A scratch repository with one committed file on `main`, pushed to a
/// bare `origin` (kept alive with it).
struct Scratch {
    dir: tempfile::TempDir,
    _origin: tempfile::TempDir,
}

impl Scratch {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn push(&self) {
        git(self.path(), ["push", "-q", "origin", "HEAD:main"]);
    }
}

fn scratch() -> Scratch {
    let dir = repo();
    let origin = tempfile::tempdir().unwrap();
    git(origin.path(), ["init", "-q", "--bare", "-b", "main"]);
    write(&dir.path().join("app/values.yaml"), "image: app:1\n");
    git(dir.path(), ["add", "."]);
    git(dir.path(), ["commit", "-q", "-m", "init"]);
    git(
        dir.path(),
        ["remote", "add", "origin", origin.path().to_str().unwrap()],
    );
    let s = Scratch {
        dir,
        _origin: origin,
    };
    s.push();
    git(s.path(), ["fetch", "-q", "origin"]);
    s
}

fn leak(dir: &Path, path: &str, registry: &str) {
    write(
        &dir.join(path),
        &leak_config_for(registry, "ci-bot", "FAKEpass-Zq8vLm2Kp4Rt7Wx"),
    );
    git(dir, ["add", "."]);
    git(dir, ["commit", "-q", "-m", "leak"]);
}

/// What the runner puts in the GitHub recipe's expressions: a push to
/// the default branch `main`.
const GITHUB_PUSH: &[(&str, &str)] = &[(
    "github.base_ref || github.event.repository.default_branch",
    "main",
)];

/// GitLab's predefined variables for a pipeline on `main`.
const GITLAB_MAIN: &[(&str, &str)] = &[("CI_DEFAULT_BRANCH", "main")];

#[test]
#[ignore = "needs python3 -m venv and the docker-credscan wheel"]
fn github_actions_recipe_runs_as_pasted() {
    // Clean: every step passes and an empty SARIF log is uploaded.
    let clean = scratch();
    let job = github_job(clean.path(), "github-actions", GITHUB_PUSH);
    eprintln!("{}", job.output);
    assert_eq!(job.code(), 0, "{}", job.output);
    assert_eq!(job.steps.len(), 4, "{:?}", job.steps);
    assert_eq!(sarif_results(&job), 0);
    assert!(job.output.contains("exit 0 (clean)"), "{}", job.output);
    let (_, which, _) = run(shell(clean.path(), "sh").args(["-c", "command -v credscan"]));
    assert!(
        Path::new(which.trim()).starts_with(venv()),
        "credscan comes from the wheel: {which}"
    );

    // A leak pushed to main: the scan step fails the job, the upload still
    // runs.
    let leaky = scratch();
    leak(
        leaky.path(),
        "deploy/.docker/config.json",
        "registry.example.test",
    );
    leaky.push();
    let job = github_job(leaky.path(), "github-actions", GITHUB_PUSH);
    assert_eq!(job.code(), 1, "{}", job.output);
    assert_eq!(
        job.steps.last().map(|s| s.0.as_str()),
        Some("Upload SARIF"),
        "{:?}",
        job.steps
    );
    assert_eq!(sarif_results(&job), 1);
    assert!(
        job.output.contains("1 finding in 1 file") && job.output.contains("exit 1 (findings)"),
        "the log says why the job failed:\n{}",
        job.output
    );
    assert!(!job.output.contains("FAKEpass-Zq8vLm2Kp4Rt7Wx"));

    // The baseline flow from zero, as the README's baseline recipe does it,
    // then pushed: the base branch's baseline is the one used.
    run_baseline_recipe(leaky.path());
    leaky.push();
    let job = github_job(leaky.path(), "github-actions", GITHUB_PUSH);
    assert_eq!(job.code(), 0, "{}", job.output);
    assert_eq!(sarif_results(&job), 0);
    assert!(
        job.output.contains("suppressed: 1 finding in the baseline"),
        "{}",
        job.output
    );
    // A change adding a new leak (not on the base branch yet) fails again.
    leak(
        leaky.path(),
        "k8s/.docker/config.json",
        "other.example.test",
    );
    let job = github_job(leaky.path(), "github-actions", GITHUB_PUSH);
    assert_eq!(job.code(), 1, "a new leak fails again:\n{}", job.output);
    assert_eq!(sarif_results(&job), 1);
}

#[test]
#[ignore = "needs python3 -m venv and the docker-credscan wheel"]
fn gitlab_ci_recipe_runs_as_pasted() {
    let clean = scratch();
    let job = gitlab_job(clean.path(), "gitlab-ci", GITLAB_MAIN);
    assert_eq!(job.code(), 0, "{}", job.output);

    let leaky = scratch();
    leak(
        leaky.path(),
        "deploy/.docker/config.json",
        "registry.example.test",
    );
    leaky.push();
    let job = gitlab_job(leaky.path(), "gitlab-ci", GITLAB_MAIN);
    eprintln!("{}", job.output);
    assert_eq!(job.code(), 1, "{}", job.output);
    assert!(
        job.output.contains("deploy/.docker/config.json:4:16"),
        "{}",
        job.output
    );
    assert!(!job.output.contains("FAKEpass-Zq8vLm2Kp4Rt7Wx"));

    run_baseline_recipe(leaky.path());
    leaky.push();
    let job = gitlab_job(leaky.path(), "gitlab-ci", GITLAB_MAIN);
    assert_eq!(job.code(), 0, "{}", job.output);
    leak(
        leaky.path(),
        "k8s/.docker/config.json",
        "other.example.test",
    );
    let job = gitlab_job(leaky.path(), "gitlab-ci", GITLAB_MAIN);
    assert_eq!(job.code(), 1, "{}", job.output);
    assert!(job.output.contains("k8s/.docker/config.json:4:16"));
}

/// A topic branch that adds a leak in one commit and removes it in the
/// next: (scratch, base sha, head sha).
fn leak_then_remove() -> (Scratch, String, String) {
    let s = scratch();
    let base = git(s.path(), ["rev-parse", "HEAD"]).trim().to_string();
    git(s.path(), ["checkout", "-q", "-b", "topic"]);
    leak(
        s.path(),
        "deploy/.docker/config.json",
        "registry.example.test",
    );
    git(s.path(), ["rm", "-q", "deploy/.docker/config.json"]);
    git(s.path(), ["commit", "-q", "-m", "remove it"]);
    let head = git(s.path(), ["rev-parse", "HEAD"]).trim().to_string();
    (s, base, head)
}

#[test]
#[ignore = "needs python3 -m venv and the docker-credscan wheel"]
fn commit_range_recipes_run_as_pasted() {
    let (s, base, head) = leak_then_remove();
    let values = [
        ("github.event.pull_request.base.sha", base.as_str()),
        ("github.event.pull_request.head.sha", head.as_str()),
    ];
    let job = github_job(s.path(), "github-actions-commits", &values);
    assert_eq!(job.code(), 1, "{}", job.output);
    assert!(
        job.output
            .contains("::error file=deploy/.docker/config.json"),
        "{}",
        job.output
    );
    let variables = [
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", head.as_str()),
    ];
    let job = gitlab_job(s.path(), "gitlab-ci-commits", &variables);
    assert_eq!(job.code(), 1, "{}", job.output);
    assert!(
        job.output.contains("deploy/.docker/config.json"),
        "{}",
        job.output
    );

    // A clean range passes both.
    git(s.path(), ["checkout", "-q", "-b", "clean", &base]);
    write(&s.path().join("app/more.yaml"), "replicas: 2\n");
    git(s.path(), ["add", "."]);
    git(s.path(), ["commit", "-q", "-m", "clean"]);
    let clean_head = git(s.path(), ["rev-parse", "HEAD"]).trim().to_string();
    let values = [
        ("github.event.pull_request.base.sha", base.as_str()),
        ("github.event.pull_request.head.sha", clean_head.as_str()),
    ];
    let job = github_job(s.path(), "github-actions-commits", &values);
    assert_eq!(job.code(), 0, "{}", job.output);
    let variables = [
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", clean_head.as_str()),
    ];
    let job = gitlab_job(s.path(), "gitlab-ci-commits", &variables);
    assert_eq!(job.code(), 0, "{}", job.output);
}

/// The README's baseline recipe, line by line, with the wheel's credscan:
/// every line exits 0 (the last one because the baseline holds every
/// finding), then the baseline is committed.
fn run_baseline_recipe(dir: &Path) {
    let lines = shell_lines("baseline");
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in &lines {
        let (code, out, err) = run(shell(dir, "sh").args(["-e", "-c", line]));
        assert_eq!(code, 0, "{line}: {out}{err}");
    }
    git(dir, ["commit", "-q", "-m", "credscan baseline"]);
}

/// A shell in `dir` with this build's credscan first on PATH.
fn with_built_credscan(dir: &Path, program: &str) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("credscan");
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.parent().unwrap().to_path_buf()];
    paths.extend(std::env::split_paths(&old));
    let mut cmd = Command::new(program);
    isolate(&mut cmd)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).unwrap());
    cmd
}

/// The README's plain git hooks (no pre-commit), installed with the
/// README's one-liners: the pre-commit hook blocks a staged leak, the
/// pre-push hook a pushed one that a later commit removed.
#[test]
fn plain_git_hook_recipes_block_leaks() {
    let s = scratch();
    for name in ["git-pre-commit-hook", "git-pre-push-hook"] {
        let lines = shell_lines(name);
        assert_eq!(lines.len(), 1, "{name}: {lines:?}");
        let (code, out, err) =
            run(with_built_credscan(s.path(), "sh").args(["-e", "-c", &lines[0]]));
        assert_eq!(code, 0, "{name}: {out}{err}");
    }
    write(&s.path().join("deploy/.docker/config.json"), &leak_config());
    git(s.path(), ["add", "."]);
    let (code, out, err) =
        run(with_built_credscan(s.path(), "git").args(["commit", "-q", "-m", "leak"]));
    assert_ne!(code, 0, "the pre-commit hook blocks:\n{out}{err}");
    assert!(err.contains("deploy/.docker/config.json:4:16"), "{err}");

    git(
        s.path(),
        ["commit", "-q", "--no-verify", "-m", "leak anyway"],
    );
    git(s.path(), ["rm", "-q", "deploy/.docker/config.json"]);
    git(s.path(), ["commit", "-q", "--no-verify", "-m", "remove it"]);
    let (code, out, err) =
        run(with_built_credscan(s.path(), "git").args(["push", "-q", "origin", "HEAD:main"]));
    assert_ne!(code, 0, "the pre-push hook blocks:\n{out}{err}");
    assert!(
        format!("{out}{err}").contains("deploy/.docker/config.json"),
        "{out}{err}"
    );
}
