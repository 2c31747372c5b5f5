//! Reporters: the only code that prints.

pub mod config;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod progress;
pub mod sarif;
mod snippet;

pub use snippet::Snippet;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::model::finding::Finding;

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

/// Findings and paths left out of the report on purpose, by what. Every
/// one is counted and named in the summary (even with `--quiet`), in JSON
/// (`suppressions`) and in SARIF (run `properties.suppressions`, and the
/// allowed or baselined findings as results carrying `suppressions`), so a
/// scanned repository cannot silence a scan unseen.
#[derive(Debug, Clone, Default)]
pub struct Suppressed {
    /// By `[[allow]]` entries in the config file.
    pub config: usize,
    /// By `--baseline`.
    pub baseline: usize,
    /// By `--only-live`: checked and not live.
    pub not_live: usize,
    /// By inline markers (`credscan:allow`, ...).
    pub inline: usize,
    /// Paths (a directory counts once) left out by `exclude`.
    pub excluded: usize,
    /// Paths left out by ignore files (`.gitignore`, `.ignore`).
    pub ignored: usize,
    /// Files over `max_file_size`, not scanned.
    pub size_limit: usize,
    /// The findings allow entries and the baseline dropped, for SARIF.
    pub findings: Vec<SuppressedFinding>,
}

/// A finding dropped by an allow entry or the baseline.
#[derive(Debug, Clone)]
pub struct SuppressedFinding {
    pub finding: Finding,
    /// Why: `allow entry in .credscan.toml: <reason>` or `baseline FILE`.
    pub justification: String,
}

/// The counts of [`Suppressed`], as JSON and SARIF write them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SuppressionCounts {
    pub allow: usize,
    pub inline: usize,
    pub baseline: usize,
    pub exclude: usize,
    pub ignore_file: usize,
    pub size_limit: usize,
    pub not_live: usize,
}

impl Suppressed {
    pub fn counts(&self) -> SuppressionCounts {
        SuppressionCounts {
            allow: self.config,
            inline: self.inline,
            baseline: self.baseline,
            exclude: self.excluded,
            ignore_file: self.ignored,
            size_limit: self.size_limit,
            not_live: self.not_live,
        }
    }

    /// Everything left out, findings and paths.
    pub fn total(&self) -> usize {
        let c = self.counts();
        c.allow + c.inline + c.baseline + c.exclude + c.ignore_file + c.size_limit + c.not_live
    }

    /// `suppressed: 2 findings by allow entries, 1 path by exclude, ...`,
    /// or `None` when nothing was left out.
    pub fn describe(&self) -> Option<String> {
        let c = self.counts();
        let item = |n: usize, what: &str, how: &str| {
            (n > 0).then(|| format!("{n} {what}{} {how}", if n == 1 { "" } else { "s" }))
        };
        let parts: Vec<String> = [
            item(c.allow, "finding", "by allow entries"),
            item(c.inline, "finding", "by inline markers"),
            item(c.baseline, "finding", "in the baseline"),
            (c.not_live > 0).then(|| format!("{} not live (--only-live)", c.not_live)),
            item(c.exclude, "path", "by exclude"),
            item(c.ignore_file, "path", "by ignore files"),
            item(c.size_limit, "file", "over the size limit"),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| format!("suppressed: {}", parts.join(", ")))
    }
}

/// Everything a reporter needs.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub stats: Stats,
    pub suppressed: Suppressed,
}

/// Where reported paths are rooted, for the formats that need paths
/// relative to the repository (SARIF, GitHub annotations).
#[derive(Debug, Clone)]
pub struct Roots {
    /// The absolute directory relative reported paths start from: the
    /// current directory, or the repository root for `--staged`.
    pub base: PathBuf,
    /// The absolute source root: the repository root holding `base`, or
    /// `base` outside a repository.
    pub src_root: PathBuf,
}

impl Roots {
    /// `base` and the nearest directory above it holding `.git` (a directory,
    /// or a file in a linked worktree).
    pub fn discover(base: &Path) -> Roots {
        let src_root = base
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(base)
            .to_path_buf();
        Roots {
            base: base.to_path_buf(),
            src_root,
        }
    }

    /// `path` relative to the source root, `/`-separated; `None` when it
    /// lies outside it.
    pub fn relative(&self, path: &str) -> Option<String> {
        let abs = crate::model::path::absolute(Path::new(path), &self.base);
        let rel = abs.strip_prefix(&self.src_root).ok()?;
        let s = rel.to_string_lossy().replace('\\', "/");
        (!s.is_empty()).then_some(s)
    }
}

/// ` for REGISTRY (user USER)`; an unnamed registry when the finding has
/// none, and no user part when it has no username.
pub fn whose(f: &Finding) -> String {
    let registry = f.registry.as_deref().unwrap_or("an unnamed registry");
    match &f.username {
        Some(u) => format!(" for {registry} (user {u})"),
        None => format!(" for {registry}"),
    }
}

/// The one-paragraph message SARIF results and GitHub annotations share:
/// severity, token kind (described and by id), registry and user, the
/// redacted secret, how it decoded and the fix. Ends with a period.
pub fn message(f: &Finding) -> String {
    let detail = f
        .detail
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let verified = f
        .verification
        .as_ref()
        .map(|v| format!(" Verified {}: {}.", v.status.as_str(), v.reason))
        .unwrap_or_default();
    let mut text = format!(
        "{} {} ({}){detail} leaked{}: secret {}.{verified} Decoded: {}. Fix: {}",
        capitalize(f.severity.as_str()),
        f.token.describe(),
        f.token.as_str(),
        whose(f),
        f.secret.redacted(),
        f.decode_chain,
        f.fix
    );
    if !text.ends_with('.') {
        text.push('.');
    }
    if let Some(o) = &f.origin {
        text.push_str(&format!(" Git history: {}.", o.summary()));
    }
    text
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Why the run exits as it does: `exit CODE (reason)`.
pub fn exit_reason(outcome: &Outcome, code: u8) -> String {
    match code {
        0 => "exit 0 (clean)".to_string(),
        1 => "exit 1 (findings)".to_string(),
        _ => {
            let e = outcome.stats.errors;
            format!(
                "exit {code} ({e} file{} could not be scanned)",
                if e == 1 { "" } else { "s" }
            )
        }
    }
}

/// What the user runs to accept the current findings: this invocation
/// with `--write-baseline FILE`, then with `--baseline FILE`.
#[derive(Debug, Clone)]
pub struct NextStep {
    pub write_baseline: String,
    pub use_baseline: String,
    /// Whether the report above showed the fix hints.
    pub hints_shown: bool,
}

/// The lines that end every run on stderr: the summary with the exit
/// reason and, when there are findings and the report is for people, the
/// next step. With `quiet` only a non-zero exit prints, as one line.
pub fn closing(outcome: &Outcome, code: u8, next: Option<&NextStep>, quiet: bool) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    if quiet {
        // Suppressions are named even here: a scanned repository must not
        // silence a quiet run unseen.
        let suppressed = outcome.suppressed.describe();
        if code != 0 || suppressed.is_some() {
            let n = outcome.findings.len();
            let _ = writeln!(
                err,
                "credscan: {n} finding{}, {} error{}{}; {}",
                if n == 1 { "" } else { "s" },
                outcome.stats.errors,
                if outcome.stats.errors == 1 { "" } else { "s" },
                suppressed.map(|s| format!("; {s}")).unwrap_or_default(),
                exit_reason(outcome, code)
            );
        }
        return;
    }
    let _ = writeln!(
        err,
        "{}; {}",
        human::summary(outcome),
        exit_reason(outcome, code)
    );
    if let (Some(next), false) = (next, outcome.findings.is_empty()) {
        let _ = write!(err, "{}", next_step(outcome, next));
    }
}

/// The next step after findings: rotate, then how to accept them.
pub fn next_step(outcome: &Outcome, next: &NextStep) -> String {
    let example = outcome
        .findings
        .first()
        .map(|f| f.fingerprint.as_str())
        .unwrap_or("...");
    let how = if next.hints_shown {
        "the fix hints above say how"
    } else {
        "the default human format lists how"
    };
    format!(
        "next: rotate each leaked credential at its registry and remove it from the file ({how}).\n\
         \x20     To accept these findings instead, record them in a baseline and scan with it:\n\
         \x20       {}\n\
         \x20       {}\n\
         \x20     or add an allow entry per finding to .credscan.toml (fingerprints: --format json):\n\
         \x20       [[allow]]\n\
         \x20       fingerprint = \"{example}\"\n\
         \x20       reason = \"why this is acceptable\"\n",
        escape::text(&next.write_baseline),
        escape::text(&next.use_baseline),
    )
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
        let (path, message) = (escape::text(&n.path), escape::text(&n.message));
        if n.is_error {
            let _ = writeln!(err, "credscan: error: {path}: {message}");
        } else if !opts.quiet {
            let _ = writeln!(err, "credscan: note: {path}: {message}");
        }
    }
}

/// A fatal error before or instead of a scan (bad argument, missing path).
/// Control characters in it are escaped.
pub fn fatal(message: &str) {
    let _ = writeln!(io::stderr(), "credscan: error: {}", escape::text(message));
}

/// A plain informational line on stderr (e.g. a baseline was written).
/// Control characters in it are escaped.
pub fn info(message: &str) {
    let _ = writeln!(io::stderr(), "credscan: {}", escape::text(message));
}
