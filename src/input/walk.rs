//! Parallel directory walk with the `ignore` crate (ripgrep's walker):
//! honours .gitignore/.ignore/git excludes, scans hidden files, skips `.git`,
//! never follows symlinks and never opens special files. Config `exclude`
//! globs prune directories and apply to files named on the command line too,
//! so the pre-commit hooks (which pass file names) honour them.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ignore::{WalkBuilder, WalkState};

use super::{scan_bytes, Settings, Sink};
use crate::settings::Excludes;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub threads: usize,
    /// Paths excluded by the config file.
    pub excludes: Option<Arc<Excludes>>,
}

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Largest buffer kept between files; bigger ones are released so memory
/// stays flat.
const KEEP_BUFFER: usize = 4 << 20;

/// Walks `paths` (which must exist) and scans every regular file.
pub fn walk(paths: &[&Path], walk: &WalkOptions, settings: &Settings, sink: &Sink) {
    let Some((first, rest)) = paths.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let honour = !walk.no_ignore;
    builder
        .hidden(false)
        .ignore(honour)
        .git_ignore(honour)
        .git_global(honour)
        .git_exclude(honour)
        .parents(honour)
        .require_git(false)
        .follow_links(false)
        .threads(walk.threads);
    let excludes = walk.excludes.clone();
    builder.filter_entry(move |e| {
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if e.file_name() == ".git" && is_dir {
            return false;
        }
        !excludes
            .as_ref()
            .is_some_and(|x| x.is_excluded(e.path(), is_dir))
    });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                // Roots are not filtered by the walker: a file named on the
                // command line is checked here.
                Ok(entry)
                    if entry.depth() == 0
                        && walk.excludes.as_ref().is_some_and(|x| {
                            x.is_excluded(
                                entry.path(),
                                entry.file_type().is_some_and(|t| t.is_dir()),
                            )
                        }) => {}
                Ok(entry) => {
                    let display = display_path(entry.path());
                    match entry.file_type() {
                        Some(t) if t.is_file() => super::guarded(&display, sink, || {
                            scan_file(entry.path(), &display, settings, sink)
                        }),
                        Some(t) if t.is_dir() => {}
                        Some(t) if t.is_symlink() => sink.skip_silently(),
                        Some(_) => sink.note(&display, "skipped: not a regular file"),
                        None => {}
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or_default();
                    sink.error(&path, err.to_string());
                }
            }
            WalkState::Continue
        })
    });
}

/// The path as the walk reached it, without a leading `./`. A name that is
/// not UTF-8 is quoted as git quotes it (`"caf\351.json"`), so it names the
/// real file rather than one with U+FFFD in it; a `\\` in a Unix name is
/// kept (on Windows it is the separator and becomes `/`). Text reporters
/// escape control characters when they print it.
pub fn display_path(p: &Path) -> String {
    let bytes = crate::report::escape::path_bytes(p);
    #[cfg(windows)]
    let bytes: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'\\' { b'/' } else { b })
        .collect();
    let rel = match bytes.strip_prefix(b"./") {
        Some(rest) if !rest.is_empty() => rest,
        _ => &bytes[..],
    };
    match std::str::from_utf8(rel) {
        Ok(s) => s.to_string(),
        Err(_) => crate::report::escape::quote_bytes(rel),
    }
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.first().and_then(error_path),
        _ => None,
    }
}

/// Reads and scans one regular file.
pub fn scan_file(path: &Path, display: &str, settings: &Settings, sink: &Sink) {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return sink.error(display, format!("cannot open: {}", io_reason(&e))),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return sink.error(display, format!("cannot stat: {}", io_reason(&e))),
    };
    sink.reading(&meta);
    if !meta.is_file() {
        return sink.note(display, "skipped: not a regular file");
    }
    if meta.len() > settings.max_file_size {
        return sink.note(
            display,
            format!(
                "skipped: {} bytes is larger than --max-file-size ({} bytes)",
                meta.len(),
                settings.max_file_size
            ),
        );
    }
    if meta.len() > super::window::WHOLE_LIMIT as u64 {
        // Large file: bounded memory, window by window.
        let mut reader = (&file).take(settings.max_file_size);
        if let Err(e) = super::window::scan_windows(display, &mut reader, settings, sink) {
            sink.error(display, format!("cannot read: {}", io_reason(&e)));
        }
        return;
    }
    BUF.with(|cell| {
        let mut buf = cell.borrow_mut();
        buf.clear();
        let limit = settings.max_file_size;
        match (&file).take(limit + 1).read_to_end(&mut buf) {
            Ok(_) if buf.len() as u64 > limit => sink.note(
                display,
                format!("skipped: grew past --max-file-size ({limit} bytes) while reading"),
            ),
            Ok(_) => scan_bytes(display, &buf, settings, sink),
            Err(e) => sink.error(display, format!("cannot read: {}", io_reason(&e))),
        }
        if buf.capacity() > KEEP_BUFFER {
            *buf = Vec::new();
        }
    });
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    }
}
