//! Wiring: command line + config file -> sources (walk, stdin or the git
//! index) -> findings -> suppression (config allow-list, baseline) ->
//! reporter -> exit code.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Format, DEFAULT_MAX_FILE_SIZE};
use crate::input::walk::{self, WalkOptions};
use crate::input::{self, staged, Settings, Sink};
use crate::report::{self, Options, Outcome, Roots, Suppressed};
use crate::settings::{self, Config};
use crate::suppress::{self, baseline::Baseline};

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

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
    let mut output: Box<dyn Write> = match &cli.output {
        Some(path) if cli.write_baseline.is_none() => match File::create(path) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => {
                report::fatal(&format!("cannot write {}: {e}", path.display()));
                return EXIT_ERROR;
            }
        },
        _ => Box::new(io::stdout().lock()),
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
    let sink = Sink::default();
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
                input::scan_stdin(&cli.stdin_name, &settings, &sink);
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
    let code = if !outcome.findings.is_empty() {
        EXIT_FINDINGS
    } else if outcome.stats.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    };
    let written = match format {
        Format::Human => report::human::write(&outcome, &opts, &mut output),
        Format::Concise => report::human::write_concise(&outcome, &opts, &mut output),
        Format::Json => report::json::write(&outcome, &opts, &mut output),
        Format::Jsonl => report::jsonl::write(&outcome, &opts, &mut output),
        Format::Sarif => report::sarif::write(&outcome, &roots(), &mut output),
        Format::Github => report::github::write(&outcome, &roots(), &mut output),
    };
    let written = written.and_then(|()| output.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report::fatal(&format!("cannot write the report: {e}"));
            return EXIT_ERROR;
        }
    }
    warn_stale();
    let next = matches!(format, Format::Human | Format::Concise)
        .then(|| next_step(cli, format == Format::Human));
    report::closing(&outcome, code, next.as_ref(), cli.quiet);
    code
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
    if cli.staged {
        before.push("--staged".into());
    }
    if let Some(config) = &cli.config {
        before.push("--config".into());
        before.push(shell_word(&config.to_string_lossy()));
    }
    if cli.no_ignore {
        before.push("--no-ignore".into());
    }
    let mut after: Vec<String> = cli
        .paths
        .iter()
        .map(|p| shell_word(&p.to_string_lossy()))
        .collect();
    if cli.paths.is_empty() && !cli.staged {
        after.push(".".into());
    }
    let command = |flag: &str| {
        let mut words = before.clone();
        words.push(flag.into());
        words.push(shell_word(&baseline));
        words.extend(after.iter().cloned());
        words.join(" ")
    };
    report::NextStep {
        write_baseline: command("--write-baseline"),
        use_baseline: command("--baseline"),
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
