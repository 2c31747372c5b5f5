//! Wiring: command line + config file -> sources (walk, stdin or the git
//! index) -> findings -> suppression (config allow-list, baseline) ->
//! reporter -> exit code.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Format, DEFAULT_MAX_FILE_SIZE};
use crate::input::history::{self, HistoryError};
use crate::input::staged::{self, StagedError};
use crate::input::walk::{self, WalkOptions};
use crate::input::{self, Settings, Sink};
use crate::report::{self, Options, Outcome, Roots, Suppressed};
use crate::settings::{self, Config};
use crate::suppress;
use crate::suppress::baseline::{Baseline, BaselineError};
use crate::verify;

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// How a run that got as far as a report ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No findings, and every file was read.
    Clean,
    /// At least one finding was reported.
    Findings,
    /// No findings, but a file could not be scanned.
    Incomplete,
}

impl Status {
    /// The process exit status: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Status::Clean => EXIT_CLEAN,
            Status::Findings => EXIT_FINDINGS,
            Status::Incomplete => EXIT_ERROR,
        }
    }
}

/// What stops a run before or instead of its report; each is exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the current directory: {0}")]
    CurrentDir(#[source] io::Error),
    #[error("--staged scans the git index; it cannot also read standard input (`-`)")]
    StagedWithStdin,
    #[error("--threads must be at least 1")]
    ZeroThreads,
    #[error("--history and --pre-push scan one repository: give at most one PATH, not `-`")]
    HistoryPaths,
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Shown with its source snippet (`settings::diagnostic::render_error`).
    #[error(transparent)]
    Config(#[from] settings::ConfigError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error("{0}: no such file or directory")]
    MissingPath(String),
    #[error("cannot write {path}: {source}")]
    Output {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "-o {0}: that file is one of the scanned files and the report would replace it; \
         write the report outside the scanned paths (or exclude the file)"
    )]
    OutputIsInput(String),
    #[error(transparent)]
    Staged(#[from] StagedError),
    #[error("cannot write the report: {0}")]
    Report(#[source] io::Error),
    /// A `--verify` option or setup problem (nothing was sent).
    #[error("{0}")]
    Verify(String),
}

impl Error {
    /// Prints the error on stderr (the config file's with its snippet).
    fn print(&self, color: bool) {
        match self {
            Error::Config(e) => {
                report::config::print(&[settings::diagnostic::render_error(e, color)])
            }
            e => report::fatal(&e.to_string()),
        }
    }
}

pub fn main() -> ExitCode {
    input::install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    if let Some(shell) = cli.completions {
        crate::cli::write_completions(shell, &mut io::stdout().lock());
        return ExitCode::from(EXIT_CLEAN);
    }
    if cli.man {
        return match crate::cli::write_man(&mut io::stdout().lock()) {
            Ok(()) => ExitCode::from(EXIT_CLEAN),
            Err(e) => {
                report::fatal(&format!("cannot write the man page: {e}"));
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
    match run(&cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) => {
            e.print(use_color(cli.color, io::stderr().is_terminal()));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether to color a stream that is a terminal when `tty`.
fn use_color(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env() && tty,
    }
}

/// Stale allow entries are only meaningful when the scan covered the whole
/// directory the config governs: a PATH is that directory or one above it.
/// Single files (what the hooks pass), subdirectories, `--staged` and
/// standard input cannot tell an unused entry from one for another file.
fn covers_config_root(cli: &Cli, paths: &[&Path], config: &Config, cwd: &Path) -> bool {
    !cli.staged
        && cli.history.is_none()
        && !cli.pre_push
        && config.source.is_some()
        && paths.iter().any(|p| {
            let abs = settings::absolute(p, cwd);
            abs.is_dir() && settings::absolute(&config.root, cwd).starts_with(&abs)
        })
}

/// `-j` above this many threads per CPU is clamped (with a note): more
/// only costs thread start-up and contention (`-j 100000` once started
/// thousands of threads).
pub const MAX_THREADS_PER_CPU: usize = 4;
/// The clamp never goes below this, so I/O-bound scans on a small machine
/// may still overlap reads.
pub const MIN_MAX_THREADS: usize = 16;

/// The largest useful `-j` on a machine with `cpus` CPUs.
pub fn max_threads(cpus: usize) -> usize {
    (cpus * MAX_THREADS_PER_CPU).max(MIN_MAX_THREADS)
}

/// Writes `bytes` to a new temporary file beside `path`, then renames it
/// over `path`: readers never see a partial file, and a failure leaves the
/// old file as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.credscan-{}-{n}.tmp", std::process::id()));
        match File::options().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The verification settings under `--verify`, checked before the scan
/// starts; `None` without it (then no network code runs).
fn verify_options(cli: &Cli) -> Result<Option<verify::Options>, Error> {
    if !cli.verify.verify {
        return Ok(None);
    }
    if !verify::AVAILABLE {
        return Err(Error::Verify(verify::UNAVAILABLE.to_string()));
    }
    if cli.write_baseline.is_some() {
        return Err(Error::Verify(
            "--verify does not apply to --write-baseline".to_string(),
        ));
    }
    verify::Options::from_args(&cli.verify)
        .map(Some)
        .map_err(Error::Verify)
}

/// Runs a scan for a parsed command line and writes its report.
pub fn run(cli: &Cli) -> Result<Status, Error> {
    let started = Instant::now();
    let stderr_color = use_color(cli.color, io::stderr().is_terminal());
    let cwd = std::env::current_dir().map_err(Error::CurrentDir)?;
    let stdin = cli.paths.iter().any(|p| p.as_os_str() == "-");
    if cli.staged && stdin {
        return Err(Error::StagedWithStdin);
    }
    let history = cli.history.is_some() || cli.pre_push;
    if history && (stdin || cli.paths.len() > 1) {
        return Err(Error::HistoryPaths);
    }
    if cli.threads == Some(0) {
        return Err(Error::ZeroThreads);
    }
    let verify_opts = verify_options(cli)?;
    let config = match &cli.config_from {
        Some(rev) => settings::trusted::load(rev, &cwd)?,
        None => settings::load(cli.config.as_deref(), &cwd)?,
    };
    if let Some(rev) = &cli.config_from {
        // Shown even with --quiet: a reviewer must see them.
        for path in settings::trusted::changed_controls(rev, cli.baseline.as_deref(), &cwd) {
            report::info(&format!(
                "notice: {path} differs from {rev}; this scan used {rev}'s settings and baseline, \
                 not the work tree's"
            ));
        }
    }
    let format = cli.format.or(config.format).unwrap_or(Format::Human);
    let baseline = match (&cli.config_from, cli.baseline.as_deref()) {
        (Some(rev), Some(file)) => {
            let shown = format!("{rev}:{}", file.display());
            let text = settings::trusted::baseline_text(rev, file, &cwd)
                .map_err(|e| BaselineError(format!("cannot read baseline {shown}: {e}")))?;
            Some(
                Baseline::parse(&text)
                    .map_err(|e| BaselineError(format!("invalid baseline {shown}: {e}")))?,
            )
        }
        (None, file) => file.map(Baseline::read).transpose()?,
        (Some(_), None) => None,
    };
    let default_path = [PathBuf::from(".")];
    let given: &[PathBuf] = if cli.paths.is_empty() && !cli.staged {
        &default_path
    } else {
        &cli.paths
    };
    let mut paths: Vec<&Path> = Vec::new();
    if !cli.staged {
        for p in given.iter().filter(|p| p.as_os_str() != "-") {
            if std::fs::symlink_metadata(p).is_err() {
                return Err(Error::MissingPath(walk::display_path(p)));
            }
            paths.push(p);
        }
    }
    // `-o FILE` is written to a temporary file beside FILE and renamed
    // over it once the report is complete: FILE is never truncated before
    // the scan, and is refused when the scan read it.
    let output_path = cli
        .output
        .as_deref()
        .filter(|_| cli.write_baseline.is_none());
    let mut report_buf: Vec<u8> = Vec::new();
    let mut stdout = io::stdout().lock();
    let mut output: &mut dyn Write = if output_path.is_some() {
        &mut report_buf
    } else {
        &mut stdout
    };
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let threads = match cli.threads {
        None => cpus,
        Some(n) => {
            let max = max_threads(cpus);
            if n > max {
                report::info(&format!(
                    "note: --threads {n} is more than this machine can use; using {max} \
                     ({MAX_THREADS_PER_CPU} per CPU, at least {MIN_MAX_THREADS})"
                ));
            }
            n.min(max)
        }
    };
    let settings = Settings {
        max_file_size: cli
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        reveal: cli.reveal,
        snippets: format == Format::Human && cli.write_baseline.is_none(),
    };
    let sink = Sink {
        output_file: output_path
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| input::FileId::of(&m)),
        ..Sink::default()
    };
    let progress = report::progress::wanted(cli.quiet);
    let counts = || report::progress::Counts {
        files: sink.files_scanned.load(Ordering::Relaxed),
        bytes: sink.bytes_scanned.load(Ordering::Relaxed),
        findings: sink.findings.lock().map(|f| f.len()).unwrap_or(0),
    };
    let base = report::progress::with_progress(progress, counts, || {
        if history {
            let request = match &cli.history {
                Some(range) => history::Request::Range(range),
                None => history::Request::PrePush,
            };
            let path = paths.first().copied().unwrap_or(Path::new("."));
            let excludes = config.excludes.as_deref();
            history::scan_request(request, path, excludes, threads, &settings, &sink)
                .map_err(Error::from)
        } else if cli.staged {
            let scanned = staged::scan(
                &cwd,
                &cli.paths,
                config.excludes.as_deref(),
                threads,
                &settings,
                &sink,
            );
            scanned.map_err(Error::from)
        } else {
            if stdin {
                input::scan_stdin(&cli.stdin_name, &settings, &sink);
            }
            let root = settings::discover::root(&cwd);
            let walk_opts = WalkOptions {
                no_ignore: cli.no_ignore,
                threads,
                excludes: config.excludes.clone(),
                report_root: Some(walk::ReportRoot {
                    root: root.clone(),
                    cwd: cwd.clone(),
                }),
            };
            walk::walk(&paths, &walk_opts, &settings, &sink);
            Ok(root)
        }
    });
    let base = base?;
    let stats = sink.stats(started.elapsed().as_millis() as u64);
    let output_scanned = sink
        .output_scanned
        .load(std::sync::atomic::Ordering::Relaxed);
    let suppressed_counts = sink.suppressed();
    let (mut findings, mut notices) = sink.into_parts();
    findings.sort_by(|a, b| {
        (&a.path, a.byte_start, a.byte_end, a.rule, &a.username).cmp(&(
            &b.path,
            b.byte_start,
            b.byte_end,
            b.rule,
            &b.username,
        ))
    });
    notices.sort_by(|a, b| a.path.cmp(&b.path));
    let opts = Options {
        reveal: cli.reveal,
        color: use_color(
            cli.color,
            cli.output.is_none() && io::stdout().is_terminal(),
        ),
        quiet: cli.quiet,
    };
    report::notices(&notices, &opts);

    let allowed = suppress::allow::apply(findings, &config.allow);
    let warn_stale = || {
        if cli.quiet || !covers_config_root(cli, &paths, &config, &cwd) {
            return;
        }
        if let Some(source) = &config.source {
            let stale: Vec<_> = config
                .allow
                .iter()
                .zip(&allowed.hits)
                .filter(|(_, hits)| **hits == 0)
                .map(|(e, _)| settings::diagnostic::render_stale(source, e, stderr_color))
                .collect();
            report::config::print(&stale);
        }
    };

    if let Some(path) = &cli.write_baseline {
        let n = suppress::baseline::write(path, &allowed.kept)?;
        report::info(&format!(
            "wrote baseline {} ({n} finding{})",
            path.display(),
            if n == 1 { "" } else { "s" }
        ));
        warn_stale();
        return Ok(if stats.errors > 0 {
            Status::Incomplete
        } else {
            Status::Clean
        });
    }

    let (mut findings, baselined) = match &baseline {
        Some(b) => b.split(allowed.kept),
        None => (allowed.kept, Vec::new()),
    };
    let config_name = config
        .source
        .as_ref()
        .map_or_else(|| ".credscan.toml".to_string(), |s| s.name.clone());
    let mut dropped: Vec<report::SuppressedFinding> = allowed
        .dropped
        .into_iter()
        .map(|(finding, i)| {
            let entry = &config.allow[i];
            let reason = entry.reason.as_deref().unwrap_or("no reason given");
            report::SuppressedFinding {
                finding,
                justification: format!(
                    "allow entry in {config_name} ({}): {reason}",
                    entry.describe()
                ),
            }
        })
        .collect();
    let baseline_name = cli
        .baseline
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let n_baselined = baselined.len();
    dropped.extend(
        baselined
            .into_iter()
            .map(|finding| report::SuppressedFinding {
                finding,
                justification: format!("in baseline {baseline_name}"),
            }),
    );
    let mut not_live = 0;
    if let Some(vo) = &verify_opts {
        // The only place credscan touches the network.
        let show = report::progress::wanted(cli.quiet);
        let progress = |done, total| report::progress::verifying(show, done, total);
        verify::run(&mut findings, vo, &progress).map_err(Error::Verify)?;
        if cli.verify.only_live {
            let before = findings.len();
            findings.retain(|f| {
                f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == verify::Status::Live)
            });
            not_live = before - findings.len();
        }
    }
    let outcome = Outcome {
        findings,
        notices,
        stats,
        suppressed: Suppressed {
            config: allowed.suppressed,
            baseline: n_baselined,
            not_live,
            inline: suppressed_counts.inline,
            excluded: suppressed_counts.excluded,
            ignored: suppressed_counts.ignored,
            size_limit: suppressed_counts.size_limit,
            findings: dropped,
        },
    };
    let roots = || Roots::discover(&base);
    let status = if !outcome.findings.is_empty() {
        Status::Findings
    } else if outcome.stats.errors > 0 {
        Status::Incomplete
    } else {
        Status::Clean
    };
    let written = match format {
        Format::Human => report::human::write(&outcome, &opts, &mut output),
        Format::Concise => report::human::write_concise(&outcome, &opts, &mut output),
        Format::Json => report::json::write(&outcome, &opts, &mut output),
        Format::Jsonl => report::jsonl::write(&outcome, &opts, &mut output),
        Format::Sarif => {
            report::sarif::write_with_forms(&outcome, &roots(), &crate::forms::notes(), &mut output)
        }
        Format::Github => report::github::write(&outcome, &roots(), &mut output),
    };
    let written = written.and_then(|()| output.flush());
    if let (Some(path), Ok(())) = (output_path, &written) {
        if output_scanned {
            return Err(Error::OutputIsInput(path.display().to_string()));
        }
        write_atomically(path, &report_buf).map_err(|source| Error::Output {
            path: path.display().to_string(),
            source,
        })?;
    }
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(Error::Report(e));
        }
    }
    warn_stale();
    let next = matches!(format, Format::Human | Format::Concise)
        .then(|| next_step(cli, format == Format::Human));
    report::closing(&outcome, status.code(), next.as_ref(), cli.quiet);
    Ok(status)
}

/// The baseline file suggested after findings: the one in use, else
/// `.credscan-baseline.json`.
const DEFAULT_BASELINE: &str = ".credscan-baseline.json";

/// This invocation turned into the commands that write and use a
/// baseline.
fn next_step(cli: &Cli, hints_shown: bool) -> report::NextStep {
    let baseline = cli
        .baseline
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_BASELINE.to_string());
    let mut before = vec!["credscan".to_string()];
    match &cli.history {
        Some(range) if range.is_empty() => before.push("--history".into()),
        Some(range) => before.push(shell_word(&format!("--history={range}"))),
        None if cli.pre_push => before.push("--pre-push".into()),
        None => {}
    }
    if let Some(config) = &cli.config {
        before.push("--config".into());
        before.push(shell_word(&config.to_string_lossy()));
    }
    if cli.no_ignore {
        before.push("--no-ignore".into());
    }
    // Scanned paths for `--baseline`. A baseline is written for the whole
    // tree (`.`) unless every PATH is a directory: written for a file list
    // (what hooks pass) it would drop every other file's entries.
    let mut scanned: Vec<String> = cli
        .paths
        .iter()
        .map(|p| shell_word(&p.to_string_lossy()))
        .collect();
    if cli.paths.is_empty() && !cli.staged {
        scanned.push(".".into());
    }
    let all_dirs = !cli.staged && cli.paths.iter().all(|p| p.is_dir());
    let written = if all_dirs {
        scanned.clone()
    } else {
        vec![".".to_string()]
    };
    let command = |flag: &str, staged: bool, paths: &[String]| {
        let mut words = before.clone();
        if staged {
            words.push("--staged".into());
        }
        words.push(flag.into());
        words.push(shell_word(&baseline));
        words.extend(paths.iter().cloned());
        words.join(" ")
    };
    report::NextStep {
        write_baseline: command("--write-baseline", false, &written),
        use_baseline: command("--baseline", cli.staged, &scanned),
        hints_shown,
    }
}

/// `s` as one POSIX shell word: bare when it is plainly safe, else single
/// quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:@+,%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
