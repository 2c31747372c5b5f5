//! What a scan of PATHs reads.
//!
//! - A PATH that is not a directory (a file, a FIFO such as `<(cmd)`,
//!   `/dev/stdin`) is read, whatever it is: the user named it.
//! - A directory in a git work tree: what git tracks there plus untracked
//!   files git does not ignore (`git ls-files --cached --others
//!   --exclude-standard`). A committed file is in the repository whatever
//!   `.gitignore` says, so ignore files cannot hide it; `.ignore` files are
//!   not consulted. Submodules are listed the same way.
//! - Any other directory (or with `--no-ignore`): a parallel walk with the
//!   `ignore` crate (ripgrep's walker), honouring .gitignore/.ignore/git
//!   excludes unless `--no-ignore`, scanning hidden files, skipping `.git`,
//!   never following symlinks and never opening special files met on the
//!   way.
//!
//! Config `exclude` globs prune directories and apply to files named on
//! the command line too, so the pre-commit hooks (which pass file names)
//! honour them. Every path left out by `exclude` or by ignore files is
//! counted in the sink, and named in the summary.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use ignore::{WalkBuilder, WalkState};

use super::{scan_bytes, Settings, Sink};
use crate::input::exclude::Excludes;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub threads: usize,
    /// Paths excluded by the config file.
    pub excludes: Option<Arc<Excludes>>,
    /// Reported paths are relative to this directory (absolute: the
    /// repository root), however the PATHs were typed, so fingerprints
    /// and baselines match from any directory; `None` keeps them as typed.
    pub report_root: Option<ReportRoot>,
}

/// Where reported paths start: the repository root, and the current
/// directory that relative PATHs are resolved against.
#[derive(Debug, Clone)]
pub struct ReportRoot {
    pub root: std::path::PathBuf,
    pub cwd: std::path::PathBuf,
}

impl WalkOptions {
    /// The reported name of `p`: relative to the report root when under
    /// it (`k8s/../k8s/x.yaml`, `/abs/repo/k8s/x.yaml` and `x.yaml` from
    /// `k8s/` are all `k8s/x.yaml`), else absolute; `.` and `..` resolved.
    pub fn display(&self, p: &Path) -> String {
        let Some(r) = &self.report_root else {
            return display_path(p);
        };
        let abs = crate::model::path::absolute(p, &r.cwd);
        match abs.strip_prefix(&r.root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => display_path(rel),
            Err(_) => display_path(&abs),
        }
    }
}

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Largest buffer kept between files; bigger ones are released so memory
/// stays flat.
const KEEP_BUFFER: usize = 4 << 20;

/// Scans `paths` (which must exist) as the module documentation says.
pub fn walk(paths: &[&Path], walk: &WalkOptions, settings: &Settings, sink: &Sink) {
    let mut dirs: Vec<&Path> = Vec::new();
    for &p in paths {
        let is_dir = std::fs::metadata(p).is_ok_and(|m| m.is_dir());
        if !is_dir {
            let display = walk.display(p);
            if excluded(p, false, walk, sink) {
                continue;
            }
            super::guarded(&display, sink, || scan_named(p, &display, settings, sink));
        } else if walk.no_ignore || !git_walk(p, false, walk, settings, sink) {
            dirs.push(p);
        }
    }
    if !dirs.is_empty() {
        tree_walk(&dirs, walk, settings, sink);
    }
}

/// Whether `dir` is inside a git work tree (and git runs).
fn in_git_work_tree(dir: &Path) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"true"))
}

/// NUL-separated paths printed by `git ls-files ARGS` run in `dir`.
fn ls_files(dir: &Path, args: &[&str]) -> std::io::Result<Vec<Vec<u8>>> {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["ls-files", "-z"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect())
}

/// Paths sent to a scanning thread at once.
const BATCH: usize = 32;

/// Scans a directory of a git work tree: tracked files and untracked
/// files that are not ignored, in parallel; directories listed (submodules,
/// nested repositories) are scanned the same way.
///
/// git is asked for the list straight away rather than first whether
/// `dir` is in a work tree (a process fewer before the scan starts). When
/// it lists nothing and fails, `false` says `dir` is not in a work tree
/// after all (unless `in_repo`: a nested repository), and the caller walks
/// it; a work tree git could not list is walked here, with a note.
fn git_walk(
    dir: &Path,
    in_repo: bool,
    walk: &WalkOptions,
    settings: &Settings,
    sink: &Sink,
) -> bool {
    let not_a_work_tree = || !in_repo && !in_git_work_tree(dir);
    // git's list is read as it is printed, so the scan starts with the
    // first path instead of after the whole listing.
    let child = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--deduplicate",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) if not_a_work_tree() => return false,
        Err(e) => {
            list_failed(dir, &e.to_string(), walk, settings, sink);
            return true;
        }
    };
    let Some(stdout) = child.stdout.take() else {
        list_failed(dir, "no output", walk, settings, sink);
        return true;
    };
    // Paths go to the scanning threads in batches: one message per path
    // woke a thread per file (thousands of context switches per run). The
    // channel holds a large repository's whole list (128k paths, a few MB
    // at most), so the listing rarely waits for the scan: a full channel
    // makes the lister spin and yield the processor.
    let (tx, rx) = crossbeam_channel::bounded::<Vec<std::path::PathBuf>>(4096);
    let work = |rx: crossbeam_channel::Receiver<Vec<std::path::PathBuf>>| {
        for batch in rx {
            for path in batch {
                scan_listed(&path, walk, settings, sink);
            }
        }
    };
    let listed = std::thread::scope(|s| {
        // Untracked files git ignores: left out, and counted. Only the
        // summary needs the count, so git lists them while the scan runs.
        s.spawn(|| {
            if let Ok(ignored) = ls_files(
                dir,
                &["--others", "--ignored", "--exclude-standard", "--directory"],
            ) {
                sink.ignored
                    .fetch_add(ignored.len() as u64, Ordering::Relaxed);
            }
        });
        let reader = s.spawn(move || {
            let mut r = std::io::BufReader::new(stdout);
            let mut name = Vec::new();
            let mut n = 0usize;
            let mut batch = Vec::with_capacity(BATCH);
            while std::io::BufRead::read_until(&mut r, 0, &mut name).is_ok_and(|k| k > 0) {
                if name.last() == Some(&0) {
                    name.pop();
                }
                if !name.is_empty() {
                    n += 1;
                    batch.push(dir.join(super::staged::path_from_bytes(&name)));
                    // A batch goes out when full, or when git has printed
                    // nothing more yet (the scan starts at once).
                    if (batch.len() == BATCH || r.buffer().is_empty())
                        && tx
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                            .is_err()
                    {
                        break;
                    }
                }
                name.clear();
            }
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            n
        });
        for _ in 1..walk.threads.max(1) {
            let rx = rx.clone();
            s.spawn(move || work(rx));
        }
        work(rx);
        reader.join().unwrap_or(0)
    });
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    match child.wait() {
        Ok(st) if st.success() => {}
        _ if listed == 0 && not_a_work_tree() => return false,
        // Not listable after all (nothing was listed): walk it.
        _ if listed == 0 => list_failed(dir, err.trim(), walk, settings, sink),
        _ => sink.error(
            &walk.display(dir),
            format!("git ls-files stopped after {listed} paths ({})", err.trim()),
        ),
    }
    true
}

/// `git ls-files` could not list `dir`: it is walked instead, with a note.
fn list_failed(dir: &Path, why: &str, walk: &WalkOptions, settings: &Settings, sink: &Sink) {
    sink.note(
        &walk.display(dir),
        format!("git ls-files failed ({why}); walked the directory instead"),
    );
    tree_walk(&[dir], walk, settings, sink);
}

/// Scans one path that git listed: a file, or a directory git lists whole
/// (a submodule or a nested repository).
fn scan_listed(path: &Path, walk: &WalkOptions, settings: &Settings, sink: &Sink) {
    // One open and one fstat per file rather than an lstat first:
    // `O_NOFOLLOW` tells a symbolic link by the open's error, and
    // `O_NONBLOCK` keeps a FIFO from blocking the open (it changes nothing
    // for regular files). Other errors take the path below, which reports
    // them as before.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path);
        match opened {
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return sink.skip_silently(),
            // Tracked but deleted from the work tree: nothing to read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => {}
            Ok(file) => {
                if let Ok(meta) = file.metadata() {
                    if meta.is_file() {
                        if excluded(path, false, walk, sink) {
                            return;
                        }
                        let display = walk.display(path);
                        return super::guarded(&display, sink, || {
                            scan_opened(&file, &meta, &display, settings, sink)
                        });
                    }
                }
            }
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        // Tracked but deleted from the work tree: nothing to read.
        return;
    };
    let is_dir = meta.is_dir();
    if excluded(path, is_dir, walk, sink) {
        return;
    }
    let display = walk.display(path);
    if is_dir {
        if path.join(".git").exists() {
            git_walk(path, true, walk, settings, sink);
        } else {
            tree_walk(&[path], walk, settings, sink);
        }
    } else if meta.is_file() {
        super::guarded(&display, sink, || scan_file(path, &display, settings, sink));
    } else if meta.file_type().is_symlink() {
        sink.skip_silently();
    } else {
        sink.note(&display, "skipped: not a regular file");
    }
}

/// Whether `.credscan.toml` excludes `path`; an excluded path is counted.
fn excluded(path: &Path, is_dir: bool, walk: &WalkOptions, sink: &Sink) -> bool {
    let out = walk
        .excludes
        .as_ref()
        .is_some_and(|x| x.is_excluded(path, is_dir));
    if out {
        sink.excluded.fetch_add(1, Ordering::Relaxed);
    }
    out
}

/// Reads a PATH named on the command line that is not a directory: a
/// regular file, or a stream (FIFO, `/dev/stdin`, a character device).
fn scan_named(path: &Path, display: &str, settings: &Settings, sink: &Sink) {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => scan_file(path, display, settings, sink),
        Ok(_) => match File::open(path) {
            Ok(mut f) => super::scan_stream(display, &mut f, settings, sink),
            Err(e) => sink.error(display, format!("cannot open: {}", io_reason(&e))),
        },
        Err(e) => sink.error(display, format!("cannot stat: {}", io_reason(&e))),
    }
}

/// The `ignore` crate's parallel walk over `paths` (directories).
fn tree_walk(paths: &[&Path], walk: &WalkOptions, settings: &Settings, sink: &Sink) {
    let Some((first, rest)) = paths.split_first() else {
        return;
    };
    let visited = std::sync::atomic::AtomicU64::new(0);
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
    // The filter must be 'static: it counts into its own counter.
    let excluded = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let pruned = Arc::clone(&excluded);
    builder.filter_entry(move |e| {
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        if e.file_name() == ".git" && is_dir {
            return false;
        }
        let out = excludes
            .as_ref()
            .is_some_and(|x| x.is_excluded(e.path(), is_dir));
        if out {
            pruned.fetch_add(1, Ordering::Relaxed);
        }
        !out
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
                        }) =>
                {
                    sink.excluded.fetch_add(1, Ordering::Relaxed);
                }
                Ok(entry) => {
                    let display = walk.display(entry.path());
                    match entry.file_type() {
                        Some(t) if t.is_file() => {
                            visited.fetch_add(1, Ordering::Relaxed);
                            super::guarded(&display, sink, || {
                                scan_file(entry.path(), &display, settings, sink)
                            })
                        }
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
    sink.excluded
        .fetch_add(excluded.load(Ordering::Relaxed), Ordering::Relaxed);
    if !walk.no_ignore {
        count_ignored(paths, walk, visited.load(Ordering::Relaxed), sink);
    }
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

/// Outside git, counts the files ignore files left out of `paths` (the
/// walk `visited` the others): a second walk without them, reading
/// directories only (no file is opened).
fn count_ignored(paths: &[&Path], walk: &WalkOptions, visited: u64, sink: &Sink) {
    let count = |honour: bool| {
        let mut b = WalkBuilder::new(paths[0]);
        for p in &paths[1..] {
            b.add(p);
        }
        b.hidden(false)
            .ignore(honour)
            .git_ignore(honour)
            .git_global(honour)
            .git_exclude(honour)
            .parents(honour)
            .require_git(false)
            .follow_links(false);
        let excludes = walk.excludes.clone();
        b.filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let git_dir = e.file_name() == ".git" && is_dir;
            let excluded = excludes
                .as_ref()
                .is_some_and(|x| x.is_excluded(e.path(), is_dir));
            !git_dir && !excluded
        });
        b.build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .count()
    };
    let all = count(false) as u64;
    sink.ignored
        .fetch_add(all.saturating_sub(visited), Ordering::Relaxed);
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
    scan_opened(&file, &meta, display, settings, sink);
}

/// Reads and scans one opened file whose metadata is `meta`.
fn scan_opened(
    file: &File,
    meta: &std::fs::Metadata,
    display: &str,
    settings: &Settings,
    sink: &Sink,
) {
    sink.reading(meta);
    if !meta.is_file() {
        return sink.note(display, "skipped: not a regular file");
    }
    if meta.len() > settings.max_file_size {
        sink.size_skipped.fetch_add(1, Ordering::Relaxed);
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
        let mut reader = file.take(settings.max_file_size);
        if let Err(e) = super::window::scan_windows(display, &mut reader, settings, sink) {
            sink.error(display, format!("cannot read: {}", io_reason(&e)));
        }
        return;
    }
    BUF.with(|cell| {
        let mut buf = cell.borrow_mut();
        buf.clear();
        let limit = settings.max_file_size;
        match file.take(limit + 1).read_to_end(&mut buf) {
            Ok(_) if buf.len() as u64 > limit => {
                sink.size_skipped.fetch_add(1, Ordering::Relaxed);
                sink.note(
                    display,
                    format!("skipped: grew past --max-file-size ({limit} bytes) while reading"),
                )
            }
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
