//! Helpers shared by the integration tests: the built binary, a git that
//! ignores the machine's config, and fake credentials.
#![allow(dead_code)]

pub mod readme;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

pub const PASSWORD: &str = "FAKEpass-1234-credscan";

/// base64 of `ci-bot:FAKEpass-1234-credscan`.
pub fn auth() -> String {
    STANDARD.encode(format!("ci-bot:{PASSWORD}"))
}

/// A docker config with one leaked credential; the value is on line 4,
/// column 16.
pub fn leak_config() -> String {
    leak_config_for("registry.example.test", "ci-bot", PASSWORD)
}

pub fn leak_config_for(registry: &str, user: &str, password: &str) -> String {
    let auth = STANDARD.encode(format!("{user}:{password}"));
    format!("{{\n  \"auths\": {{\n    \"{registry}\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n")
}

/// Removes what a surrounding git hook or the machine's config could leak
/// into a test.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    for var in [
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "GIT_PREFIX",
        "GIT_OBJECT_DIRECTORY",
        "GIT_COMMON_DIR",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "credscan tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.test")
        .env("GIT_COMMITTER_NAME", "credscan tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.test")
}

pub fn credscan() -> Command {
    let mut c = Command::cargo_bin("credscan").unwrap();
    isolate(&mut c);
    c
}

pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs git in `dir` and panics with its output if it fails.
pub fn git<I, S>(dir: &Path, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new("git");
    isolate(&mut cmd).current_dir(dir).args(args);
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {:?} failed: {}{}",
        cmd.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh repository (no commits) in a temporary directory.
pub fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), ["init", "-q", "-b", "main"]);
    dir
}

/// Whether `CI` is set to something other than empty/false/0.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Finds `name` on PATH.
pub fn which(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// The directory holding the built `docker-credscan` wheel
/// (`CREDSCAN_WHEEL_DIR`; `.ci/run` builds it with maturin).
pub fn wheel_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("CREDSCAN_WHEEL_DIR")
        .map(std::path::PathBuf::from)
        .expect(
            "CREDSCAN_WHEEL_DIR is not set: build the wheel (cd packaging/wheel && maturin build \
         --release --locked) and point CREDSCAN_WHEEL_DIR at target/wheels; .ci/run does both",
        );
    let wheels: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!("docker_credscan-{}-", env!("CARGO_PKG_VERSION")))
                && name.ends_with(".whl")
        })
        .collect();
    assert!(
        !wheels.is_empty(),
        "no docker_credscan-{}-*.whl in {}",
        env!("CARGO_PKG_VERSION"),
        dir.display()
    );
    dir
}
