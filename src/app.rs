//! Wiring: command line + config file -> sources (walk, stdin or the git
//! index) -> findings -> suppression (config allow-list, baseline) ->
//! reporter -> exit code.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Format, DEFAULT_MAX_FILE_SIZE};
use crate::report::{self, Options, Outcome, Roots, Suppressed};
use crate::settings::{self, Config};
use crate::source::walk::{self, WalkOptions};
use crate::source::{self, staged, Settings, Sink};
use crate::suppress::{self, baseline::Baseline};

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    source::install_panic_hook();
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
    ExitCode::from(run(&cli))
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

/// Where to look for `.credscan.toml`: the first PATH (a file's directory),
/// or the current directory for `--staged` and standard input.
fn config_start(cli: &Cli, cwd: &Path) -> PathBuf {
    if cli.staged {
        return cwd.to_path_buf();
    }
    cli.paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .map(|p| settings::absolute(p, cwd))
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// Stale allow entries are only meaningful when the scan covered the whole
/// directory the config governs: a PATH is that directory or one above it.
/// Single files (what the hooks pass), subdirectories, `--staged` and
/// standard input cannot tell an unused entry from one for another file.
fn covers_config_root(cli: &Cli, paths: &[&Path], config: &Config, cwd: &Path) -> bool {
    !cli.staged
        && config.source.is_some()
        && paths.iter().any(|p| {
            let abs = settings::absolute(p, cwd);
            abs.is_dir() && settings::absolute(&config.root, cwd).starts_with(&abs)
        })
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

/// Runs a scan for a parsed command line; returns the exit status.
pub fn run(cli: &Cli) -> u8 {
    let started = Instant::now();
    let stderr_color = use_color(cli.color, io::stderr().is_terminal());
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            report::fatal(&format!("cannot read the current directory: {e}"));
            return EXIT_ERROR;
        }
    };
    let stdin = cli.paths.iter().any(|p| p.as_os_str() == "-");
    if cli.staged && stdin {
        report::fatal("--staged scans the git index; it cannot also read standard input (`-`)");
        return EXIT_ERROR;
    }
    if cli.threads == Some(0) {
        report::fatal("--threads must be at least 1");
        return EXIT_ERROR;
    }
    let config = match settings::load(cli.config.as_deref(), &config_start(cli, &cwd), &cwd) {
        Ok(c) => c,
        Err(e) => {
            report::config::error(&e, stderr_color);
            return EXIT_ERROR;
        }
    };
    let format = cli.format.or(config.format).unwrap_or(Format::Human);
    let baseline = match &cli.baseline {
        Some(p) => match Baseline::read(p) {
            Ok(b) => Some(b),
            Err(e) => {
                report::fatal(&e.to_string());
                return EXIT_ERROR;
            }
        },
        None => None,
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
                report::fatal(&format!(
                    "{}: no such file or directory",
                    walk::display_path(p)
                ));
                return EXIT_ERROR;
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
    let threads = cli.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
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
            .and_then(|m| source::FileId::of(&m)),
        ..Sink::default()
    };
    let progress = report::progress::wanted(cli.quiet);
    let base = report::progress::with_progress(progress, &sink, || {
        if cli.staged {
            let scanned = staged::scan(
                &cwd,
                &cli.paths,
                config.excludes.as_deref(),
                threads,
                &settings,
                &sink,
            );
            scanned.map_err(|e| e.to_string())
        } else {
            if stdin {
                source::scan_stdin(&cli.stdin_name, &settings, &sink);
            }
            let walk_opts = WalkOptions {
                no_ignore: cli.no_ignore,
                threads,
                excludes: config.excludes.clone(),
            };
            walk::walk(&paths, &walk_opts, &settings, &sink);
            Ok(cwd.clone())
        }
    });
    let base = match base {
        Ok(top) => top,
        Err(e) => {
            report::fatal(&e);
            return EXIT_ERROR;
        }
    };
    let stats = sink.stats(started.elapsed().as_millis() as u64);
    let sink_output_scanned = sink
        .output_scanned
        .load(std::sync::atomic::Ordering::Relaxed);
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
                .map(|(e, _)| e)
                .collect();
            report::config::stale(source, &stale, stderr_color);
        }
    };

    if let Some(path) = &cli.write_baseline {
        match suppress::baseline::write(path, &allowed.kept) {
            Ok(n) => report::info(&format!(
                "wrote baseline {} ({n} finding{})",
                path.display(),
                if n == 1 { "" } else { "s" }
            )),
            Err(e) => {
                report::fatal(&e.to_string());
                return EXIT_ERROR;
            }
        }
        warn_stale();
        return if stats.errors > 0 {
            EXIT_ERROR
        } else {
            EXIT_CLEAN
        };
    }

    let (findings, baselined) = match &baseline {
        Some(b) => b.filter(allowed.kept),
        None => (allowed.kept, 0),
    };
    let outcome = Outcome {
        findings,
        notices,
        stats,
        suppressed: Suppressed {
            config: allowed.suppressed,
            baseline: baselined,
        },
    };
    let roots = || Roots::discover(&base);
    let written = match format {
        Format::Human => report::human::write(&outcome, &opts, &mut output),
        Format::Json => report::json::write(&outcome, &opts, &mut output),
        Format::Jsonl => report::jsonl::write(&outcome, &opts, &mut output),
        Format::Sarif => report::sarif::write(&outcome, &roots(), &mut output),
        Format::Github => report::github::write(&outcome, &roots(), cli.quiet, &mut output),
    };
    let written = written.and_then(|()| output.flush());
    if let (Some(path), Ok(())) = (output_path, &written) {
        if sink_output_scanned {
            report::fatal(&format!(
                "-o {}: that file is one of the scanned files; the report would replace it. \
                 Write the report outside the scanned paths (or exclude the file)",
                path.display()
            ));
            return EXIT_ERROR;
        }
        if let Err(e) = write_atomically(path, &report_buf) {
            report::fatal(&format!("cannot write {}: {e}", path.display()));
            return EXIT_ERROR;
        }
    }
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report::fatal(&format!("cannot write the report: {e}"));
            return EXIT_ERROR;
        }
    }
    warn_stale();
    if !outcome.findings.is_empty() {
        EXIT_FINDINGS
    } else if outcome.stats.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    }
}
