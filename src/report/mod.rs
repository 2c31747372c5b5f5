//! Reporters: the only code that prints.

pub mod config;
pub mod human;
pub mod json;
mod snippet;

pub use snippet::Snippet;

use std::io::{self, Write};

use crate::finding::Finding;

/// Totals for one run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    pub errors: u64,
    pub elapsed_ms: u64,
}

/// Something the user should know that is not a finding: a skipped file,
/// an unreadable path.
#[derive(Debug, Clone)]
pub struct Notice {
    pub path: String,
    pub message: String,
    pub is_error: bool,
}

/// Findings left out of the report on purpose (inline markers are applied
/// earlier and not counted).
#[derive(Debug, Clone, Copy, Default)]
pub struct Suppressed {
    /// By `[[allow]]` entries in the config file.
    pub config: usize,
    /// By `--baseline`.
    pub baseline: usize,
}

/// Everything a reporter needs.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub stats: Stats,
    pub suppressed: Suppressed,
}

/// Output options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub reveal: bool,
    pub color: bool,
    pub quiet: bool,
}

/// Writes notices (skips and errors) to stderr. Errors always show; notes
/// about skipped files are dropped with `--quiet`.
pub fn notices(notices: &[Notice], opts: &Options) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for n in notices {
        if n.is_error {
            let _ = writeln!(err, "credscan: error: {}: {}", n.path, n.message);
        } else if !opts.quiet {
            let _ = writeln!(err, "credscan: note: {}: {}", n.path, n.message);
        }
    }
}

/// A fatal error before or instead of a scan (bad argument, missing path).
pub fn fatal(message: &str) {
    let _ = writeln!(io::stderr(), "credscan: error: {message}");
}

/// A plain informational line on stderr (e.g. a baseline was written).
pub fn info(message: &str) {
    let _ = writeln!(io::stderr(), "credscan: {message}");
}
