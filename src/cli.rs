//! The command line.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

pub use crate::settings::{parse_size, Format};

/// Default for `--max-file-size` when neither the command line nor the
/// config file sets it: 1 GiB. Large files are scanned window by window in
/// bounded memory, so the limit is only a bound on time.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Find leaked Docker registry credentials (docker/podman config files,
/// Kubernetes pull secrets, DOCKER_AUTH_CONFIG, base64 user:password pairs)
/// in files and directories.
///
/// Exit status: 0 no findings, 1 findings, 2 error (bad arguments, missing
/// path, unreadable file, invalid config or baseline).
#[derive(Debug, Parser)]
#[command(name = "credscan", version, about, long_about)]
pub struct Cli {
    /// Files or directories to scan (default `.`); `-` reads standard input.
    /// With `--staged`: only staged files under these paths.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan the git index (what will be committed): every file added,
    /// modified, copied or renamed in it. Paths are reported relative to the
    /// repository root.
    #[arg(long)]
    pub staged: bool,

    /// Scan git history instead of files: every version of every file
    /// reachable from any ref (branches, tags, remotes, stash), each
    /// finding attributed to the commit that introduced it. With RANGE,
    /// only the commits `git log RANGE` lists (`--history=origin/main..HEAD`).
    /// PATH is a directory of the repository (default `.`).
    #[arg(long, value_name = "RANGE", num_args = 0..=1, require_equals = true,
          default_missing_value = "", conflicts_with = "staged")]
    pub history: Option<String>,

    /// Scan the commits being pushed, for pre-push hooks: the range
    /// pre-commit passes (PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF), or the
    /// lines git gives a pre-push hook on standard input.
    #[arg(long, conflicts_with_all = ["staged", "history"])]
    pub pre_push: bool,

    /// Read settings from FILE instead of looking for `.credscan.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// For CI on untrusted changes: read `.credscan.toml` and the
    /// `--baseline` file from git revision REV (the base branch, e.g.
    /// origin/main) instead of the work tree, and report changes to them
    /// and to ignore files as notices.
    #[arg(long, value_name = "REV", conflicts_with_all = ["config", "write_baseline"])]
    pub config_from: Option<String>,

    /// Report only findings whose fingerprint is not in FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings' fingerprints to FILE and exit 0 (2 if a
    /// file could not be scanned). No report is printed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Name to report for standard input.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_name: String,

    /// Output format (default `human`, or `format` from the config file).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Show secrets in clear (they are redacted by default).
    #[arg(long)]
    pub reveal: bool,

    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files larger than this (e.g. 50M, 1G; default 1GiB, or
    /// `max_file_size` from the config file); skipped files are noted.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    /// Number of threads (default: number of CPUs; at most 4 per CPU, or
    /// 16, whichever is more).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// No summary, notes about skipped files or stale-allow warnings on
    /// stderr. Findings and errors are still reported, and a non-zero exit
    /// still prints one line saying why.
    #[arg(short, long)]
    pub quiet: bool,

    /// When to use colors (NO_COLOR is honoured in `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print the completion script for SHELL (bash, elvish, fish,
    /// powershell, zsh) and exit. Hidden: documented in the README.
    #[arg(long, value_name = "SHELL", hide = true, exclusive = true)]
    pub completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit. Hidden: documented in the README.
    #[arg(long, hide = true, exclusive = true)]
    pub man: bool,

    #[command(flatten)]
    pub verify: crate::verify::VerifyArgs,
}

/// Writes the completion script for `shell`, generated from this command
/// line's definition.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "credscan", out);
}

/// Writes the man page, generated from this command line's definition.
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command()).render(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
