//! Settings from `.credscan.toml` (or `--config FILE`), validated.
//!
//! `file` parses the TOML as written (every key optional, unknown keys
//! rejected, spans kept); `discover` finds the file; `input::exclude` matches
//! the path globs. The result is a [`Config`] that drives the run. Errors carry
//! the file's text and a byte span so the reporter can point into it.

pub mod diagnostic;
pub mod discover;
pub mod file;
pub mod trusted;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;
use serde::Deserialize;

pub use crate::input::exclude::Excludes;
pub(crate) use crate::model::path::absolute;
pub use crate::suppress::allow::AllowEntry;

/// The config file's name, looked for at the repository root.
pub const FILE_NAME: &str = ".credscan.toml";

/// A config file's name and text, kept for diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown to the user.
    pub name: String,
    pub text: Arc<String>,
}

/// Report formats; also the values of `format` in `.credscan.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Findings grouped by file with redacted source lines; each fix hint
    /// once, then the next step.
    Human,
    /// One line per finding: `path:line:col severity kind user@registry rule`.
    Concise,
    /// One JSON document (see README: the JSON contract).
    Json,
    /// One JSON finding per line (same fields as `json` findings).
    Jsonl,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
}

/// Parse a size such as `50MiB`, `10M`, `512k` or `1048576`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (examples: 1048576, 512K, 50M, 1G)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Validated settings. A run without a config file gets the default.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file these settings came from, if any.
    pub source: Option<Source>,
    /// The directory `exclude` globs are relative to.
    pub root: PathBuf,
    pub excludes: Option<Arc<Excludes>>,
    pub allow: Vec<AllowEntry>,
    pub max_file_size: Option<u64>,
    pub format: Option<Format>,
}

/// A config file that cannot be read or is invalid (boxed: errors are rare
/// and the details are large).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.message)]
pub struct ConfigError(pub Box<ConfigProblem>);

impl std::ops::Deref for ConfigError {
    type Target = ConfigProblem;
    fn deref(&self) -> &ConfigProblem {
        &self.0
    }
}

/// What is wrong with a config file, and where.
#[derive(Debug, Clone)]
pub struct ConfigProblem {
    pub message: String,
    /// The file and, for invalid contents, its text.
    pub file: String,
    pub text: Option<Arc<String>>,
    /// Where in `text` the problem is.
    pub span: Option<Range<usize>>,
    pub label: String,
    pub help: Option<String>,
}

impl ConfigError {
    fn unreadable(file: &str, e: &std::io::Error) -> ConfigError {
        ConfigError(Box::new(ConfigProblem {
            message: format!("cannot read config file {file}: {e}"),
            file: file.to_string(),
            text: None,
            span: None,
            label: String::new(),
            help: None,
        }))
    }
}

/// Loads settings: `--config FILE` if given (globs relative to the current
/// directory), else the repository root's `.credscan.toml` found by
/// [`discover::find`] (globs relative to the root), else defaults.
pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Config, ConfigError> {
    let (path, root) = match explicit {
        Some(p) => (p.to_path_buf(), cwd.to_path_buf()),
        None => match discover::find(cwd) {
            Some(p) => {
                let root = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (p, root)
            }
            None => {
                return Ok(Config {
                    root: cwd.to_path_buf(),
                    ..Config::default()
                })
            }
        },
    };
    let name = display_name(&path, cwd);
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::unreadable(&name, &e))?;
    file::parse(&name, Arc::new(text), root)
}

/// The config path relative to the current directory when it is below it.
fn display_name(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50MiB").unwrap(), 50 << 20);
        assert_eq!(parse_size("10m").unwrap(), 10 << 20);
        assert_eq!(parse_size("512K").unwrap(), 512 << 10);
        assert_eq!(parse_size("123").unwrap(), 123);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5X").is_err());
    }

    #[test]
    fn no_file_gives_defaults_rooted_at_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = load(None, dir.path()).unwrap();
        assert!(cfg.source.is_none());
        assert_eq!(cfg.root, dir.path());
        assert!(cfg.allow.is_empty());
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(Some(&dir.path().join("nope.toml")), dir.path()).unwrap_err();
        assert!(err.message.contains("nope.toml"), "{}", err.message);
    }
}
