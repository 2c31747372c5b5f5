//! `--config-from REV`: settings and baseline from a trusted git revision.
//!
//! In CI the checked-out change is untrusted: its author controls
//! `.credscan.toml`, the baseline and ignore files, and could use them to
//! silence the scan of their own leak. With `--config-from REV` (the base
//! branch, say `origin/main`), the configuration and the `--baseline` file
//! are read from REV with `git show`, never from the work tree, and every
//! change to them or to ignore files between REV and the work tree is
//! reported as a notice.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::{file, Config, ConfigError, ConfigProblem, FILE_NAME};

fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .current_dir(cwd)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(out.stdout)
}

fn problem(message: String) -> ConfigError {
    ConfigError(Box::new(ConfigProblem {
        message,
        file: FILE_NAME.to_string(),
        text: None,
        span: None,
        label: String::new(),
        help: None,
    }))
}

/// The top of the work tree holding `cwd`.
pub fn toplevel(cwd: &Path) -> Result<PathBuf, ConfigError> {
    let out = git(cwd, &["rev-parse", "--show-toplevel"])
        .map_err(|e| problem(format!("--config-from needs a git work tree: {e}")))?;
    let s = String::from_utf8_lossy(&out);
    Ok(PathBuf::from(s.trim_end_matches(['\n', '\r'])))
}

/// Checks that `rev` names a commit.
fn commit(cwd: &Path, rev: &str) -> Result<(), ConfigError> {
    let spec = format!("{rev}^{{commit}}");
    git(
        cwd,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map(|_| ())
    .map_err(|_| {
        problem(format!(
            "--config-from {rev}: not a commit in this repository"
        ))
    })
}

/// The contents of `path` (relative to the repository root) at `rev`, or
/// `None` when REV has no such file.
fn show(cwd: &Path, rev: &str, path: &str) -> Option<String> {
    let spec = format!("{rev}:{path}");
    git(cwd, &["show", "--end-of-options", &spec])
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Settings from `.credscan.toml` at `rev` in the repository holding
/// `cwd` (defaults when REV has none); globs are relative to the root.
pub fn load(rev: &str, cwd: &Path) -> Result<Config, ConfigError> {
    let root = toplevel(cwd)?;
    commit(cwd, rev)?;
    match show(cwd, rev, FILE_NAME) {
        Some(text) => file::parse(&format!("{rev}:{FILE_NAME}"), Arc::new(text), root),
        None => Ok(Config {
            root,
            ..Config::default()
        }),
    }
}

/// The path of `file` (as given, relative to `cwd`) relative to the
/// repository root, `/`-separated.
pub fn repo_path(file: &Path, cwd: &Path) -> Result<String, String> {
    let root = toplevel(cwd).map_err(|e| e.message.clone())?;
    let abs = super::absolute(file, cwd);
    let rel = abs
        .strip_prefix(&root)
        .map_err(|_| format!("{} is outside the repository", file.display()))?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}

/// The text of the baseline `file` at `rev`.
pub fn baseline_text(rev: &str, file: &Path, cwd: &Path) -> Result<String, String> {
    let rel = repo_path(file, cwd)?;
    show(cwd, rev, &rel).ok_or_else(|| format!("{rev} has no {rel}"))
}

/// Files that can change what a scan reports, changed between `rev` and
/// the work tree: the config, ignore files and the baseline. Paths are
/// relative to the repository root.
pub fn changed_controls(rev: &str, baseline: Option<&Path>, cwd: &Path) -> Vec<String> {
    let Ok(root) = toplevel(cwd) else {
        return Vec::new();
    };
    let mut args: Vec<String> = [
        "diff",
        "--name-only",
        "-z",
        "--no-renames",
        "--end-of-options",
        rev,
        "--",
        FILE_NAME,
        ":(glob)**/.credscan.toml",
        ":(glob)**/.gitignore",
        ":(glob)**/.ignore",
        ":(glob)**/.rgignore",
        ":(glob)**/.gitattributes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(b) = baseline.and_then(|b| repo_path(b, cwd).ok()) {
        args.push(b);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut changed: Vec<String> = git(&root, &args)
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    // Untracked ones are changes too.
    let mut untracked_args = vec!["ls-files", "-z", "--others", "--exclude-standard", "--"];
    untracked_args.extend(args.iter().skip(7).copied());
    changed.extend(
        git(&root, &untracked_args)
            .unwrap_or_default()
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    );
    changed.sort();
    changed.dedup();
    changed
}
