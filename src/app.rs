//! Wiring: command line -> sources -> findings -> reporter -> exit code.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Format};
use crate::report::{self, Options, Outcome};
use crate::source::walk::{self, WalkOptions};
use crate::source::{self, Settings, Sink};

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
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

/// Whether to color output.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

/// Runs a scan for a parsed command line; returns the exit status.
pub fn run(cli: &Cli) -> u8 {
    let started = Instant::now();
    let opts = Options {
        reveal: cli.reveal,
        color: use_color(cli.color),
        quiet: cli.quiet,
    };
    let mut stdin = false;
    let mut paths: Vec<&Path> = Vec::new();
    for p in &cli.paths {
        if p.as_os_str() == "-" {
            stdin = true;
            continue;
        }
        if std::fs::symlink_metadata(p).is_err() {
            report::fatal(&format!(
                "{}: no such file or directory",
                walk::display_path(p)
            ));
            return EXIT_ERROR;
        }
        paths.push(p);
    }
    if cli.threads == Some(0) {
        report::fatal("--threads must be at least 1");
        return EXIT_ERROR;
    }
    let threads = cli.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let settings = Settings {
        max_file_size: cli.max_file_size,
        reveal: cli.reveal,
        snippets: cli.format == Format::Human,
    };
    let sink = Sink::default();
    if stdin {
        source::scan_stdin(&cli.stdin_name, &settings, &sink);
    }
    walk::walk(
        &paths,
        &WalkOptions {
            no_ignore: cli.no_ignore,
            threads,
        },
        &settings,
        &sink,
    );
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
    let outcome = Outcome {
        findings,
        notices,
        stats,
    };
    report::notices(&outcome.notices, &opts);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = match cli.format {
        Format::Human => report::human::write(&outcome, &opts, &mut out),
        Format::Json => report::json::write(&outcome, &opts, &mut out),
    };
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report::fatal(&format!("cannot write the report: {e}"));
            return EXIT_ERROR;
        }
    }
    if !outcome.findings.is_empty() {
        EXIT_FINDINGS
    } else if outcome.stats.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    }
}
