//! Sources of text to scan: the file tree, the git index and standard input. Each file is
//! read once, scanned, and turned into located findings here; nothing is
//! printed.

pub mod catfile;
pub mod exclude;
pub mod history;
pub mod packs;
pub mod staged;
pub mod utf16;
pub mod walk;
pub mod window;

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::engine as scan;
use crate::judge::{classify, fix, snippet};
use crate::model::finding::{fingerprint, Finding, RawFinding, Secret};
use crate::model::rule::Rule;
use crate::model::span::LineIndex;
use crate::report::{Notice, Snippet, Stats};
use crate::suppress;

/// Bytes inspected for a NUL to call a file binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// Scan settings shared by all sources.
#[derive(Debug, Clone)]
pub struct Settings {
    pub max_file_size: u64,
    pub reveal: bool,
    /// Build redacted snippets (human output only).
    pub snippets: bool,
}

/// Thread-safe collector for findings, notices and counters.
#[derive(Default)]
pub struct Sink {
    pub findings: Mutex<Vec<Finding>>,
    pub notices: Mutex<Vec<Notice>>,
    pub files_scanned: AtomicU64,
    pub bytes_scanned: AtomicU64,
    pub files_skipped: AtomicU64,
    pub errors: AtomicU64,
    /// The file `-o` will replace, when it exists: the walk records
    /// whether it read it (`output_scanned`), so the report never
    /// overwrites a scanned file.
    pub output_file: Option<FileId>,
    pub output_scanned: std::sync::atomic::AtomicBool,
    /// Findings dropped by inline markers.
    pub inline_suppressed: AtomicU64,
    /// Files not scanned because of `max_file_size`.
    pub size_skipped: AtomicU64,
    /// Paths (files or whole directories) left out by `exclude`.
    pub excluded: AtomicU64,
    /// Paths left out by ignore files (`.gitignore`, `.ignore`).
    pub ignored: AtomicU64,
}

/// A file's identity (device and inode on Unix), independent of the path
/// it was reached by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<FileId> {
        None
    }
}

impl Sink {
    pub fn suppressed_inline(&self, n: usize) {
        if n > 0 {
            self.inline_suppressed
                .fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// Records that the file with `meta` is being read.
    pub fn reading(&self, meta: &std::fs::Metadata) {
        if self.output_file.is_some() && self.output_file == FileId::of(meta) {
            self.output_scanned.store(true, Ordering::Relaxed);
        }
    }

    pub fn note(&self, path: &str, message: impl Into<String>) {
        self.files_skipped.fetch_add(1, Ordering::Relaxed);
        self.push_notice(path, message.into(), false);
    }

    pub fn add_findings(&self, found: Vec<Finding>) {
        if !found.is_empty() {
            self.findings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(found);
        }
    }

    pub fn skip_silently(&self) {
        self.files_skipped.fetch_add(1, Ordering::Relaxed);
    }

    pub fn error(&self, path: &str, message: impl Into<String>) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.push_notice(path, message.into(), true);
    }

    fn push_notice(&self, path: &str, message: String, is_error: bool) {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Notice {
                path: path.to_string(),
                message,
                is_error,
            });
    }

    /// The path-level and inline suppression counts so far (the
    /// finding-level ones of allow entries and baselines come later).
    pub fn suppressed(&self) -> crate::report::Suppressed {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed) as usize;
        crate::report::Suppressed {
            inline: n(&self.inline_suppressed),
            excluded: n(&self.excluded),
            ignored: n(&self.ignored),
            size_limit: n(&self.size_skipped),
            ..Default::default()
        }
    }

    pub fn stats(&self, elapsed_ms: u64) -> Stats {
        Stats {
            files_scanned: self.files_scanned.load(Ordering::Relaxed),
            bytes_scanned: self.bytes_scanned.load(Ordering::Relaxed),
            files_skipped: self.files_skipped.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            elapsed_ms,
        }
    }

    pub fn into_parts(self) -> (Vec<Finding>, Vec<Notice>) {
        (
            self.findings
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
            self.notices.into_inner().unwrap_or_else(|e| e.into_inner()),
        )
    }
}

/// A file is binary when its first [`BINARY_PROBE`] bytes hold a NUL.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_PROBE)]).is_some()
}

/// The error recorded for a file whose scan panicked. It names no part of
/// the file: the panic's own message may hold file content.
pub const PANIC_MESSAGE: &str =
    "internal error while scanning this file (a credscan bug, please report it); its findings may be incomplete";

/// Runs the per-file pipeline `work` for `display`. A panic in it (a bug)
/// is caught and recorded as an error for that file, without the panic's
/// message, and the scan goes on with the other files.
pub fn guarded(display: &str, sink: &Sink, work: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).is_err() {
        sink.error(display, PANIC_MESSAGE);
    }
}

/// Installs a panic hook that prints where a panic happened but never its
/// message: messages of slicing and indexing panics quote the data (a
/// secret) verbatim.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "credscan: internal error{at} (message withheld: it may quote scanned content)\n"
            )
            .as_bytes(),
        );
    }));
}

/// Debug builds only: panics on a file holding the bytes named by
/// `CREDSCAN_DEBUG_PANIC_ON`, so tests can prove a panic is contained.
#[cfg(debug_assertions)]
fn injected_fault(bytes: &[u8]) {
    static MARKER: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    let marker = MARKER.get_or_init(|| {
        std::env::var_os("CREDSCAN_DEBUG_PANIC_ON").map(|v| v.into_encoded_bytes())
    });
    if let Some(m) = marker.as_deref() {
        if !m.is_empty() && memchr::memmem::find(bytes, m).is_some() {
            panic!("injected fault on {}", String::from_utf8_lossy(bytes));
        }
    }
}

/// Scans one file's contents (already read) and records the results.
pub fn scan_bytes(display: &str, bytes: &[u8], settings: &Settings, sink: &Sink) {
    if let Some((text, raw)) = scan_counted(bytes, sink) {
        let mut inline = 0;
        let found = locate_counting(display, &text, Base::default(), raw, settings, &mut inline);
        sink.suppressed_inline(inline);
        sink.add_findings(found);
    }
}

/// The text scanned in one file's contents: the bytes, or their decoding
/// from UTF-16; `None` for other binary content.
pub fn scanned_text(bytes: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    if is_binary(bytes) {
        utf16::decode(bytes).map(|text| Cow::Owned(text.into_bytes()))
    } else {
        Some(Cow::Borrowed(bytes))
    }
}

/// The text scanned in one file's contents (see [`scanned_text`]) and its
/// raw findings, if any, counting the file in `sink` (other binary files
/// are skipped). For sources that place the same
/// content at several paths, such as git history.
pub fn scan_counted<'a>(
    bytes: &'a [u8],
    sink: &Sink,
) -> Option<(std::borrow::Cow<'a, [u8]>, Vec<RawFinding>)> {
    #[cfg(debug_assertions)]
    injected_fault(bytes);
    let Some(text) = scanned_text(bytes) else {
        sink.skip_silently();
        return None;
    };
    sink.files_scanned.fetch_add(1, Ordering::Relaxed);
    sink.bytes_scanned
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let raw = scan::scan(&text);
    (!raw.is_empty()).then_some((text, raw))
}

/// Places raw findings in line/column coordinates, applies inline
/// suppression, classifies each secret, and computes fingerprints and fix
/// hints.
pub fn locate(path: &str, text: &[u8], raw: Vec<RawFinding>, settings: &Settings) -> Vec<Finding> {
    locate_at(path, text, Base::default(), raw, settings)
}

/// Where a text sits in its file, for texts that are a window of a larger
/// file: the file offset of its first byte, the number of lines before it,
/// and the characters between the last line start and it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Base {
    pub byte: usize,
    pub lines: usize,
    pub column: usize,
}

/// [`locate`] for a window of a file starting at `base`.
pub fn locate_at(
    path: &str,
    text: &[u8],
    base: Base,
    raw: Vec<RawFinding>,
    settings: &Settings,
) -> Vec<Finding> {
    locate_counting(path, text, base, raw, settings, &mut 0)
}

/// [`locate_at`] that adds the findings inline markers suppressed to
/// `inline`.
pub fn locate_counting(
    path: &str,
    text: &[u8],
    base: Base,
    raw: Vec<RawFinding>,
    settings: &Settings,
    inline: &mut usize,
) -> Vec<Finding> {
    locate_noting(path, text, base, raw, settings, &mut |_| *inline += 1)
}

/// [`locate_at`] that hands each finding an inline marker suppressed to
/// `suppressed` (its secret already moved out of a username slot).
pub fn locate_noting(
    path: &str,
    text: &[u8],
    base: Base,
    raw: Vec<RawFinding>,
    settings: &Settings,
    suppressed: &mut dyn FnMut(&RawFinding),
) -> Vec<Finding> {
    locate_fingerprinted(
        path,
        text,
        base,
        raw,
        settings,
        suppressed,
        &mut fingerprint,
    )
}

/// [`locate_noting`] taking its fingerprints from `fingerprint` (called
/// as [`fingerprint`] is), for a caller that sees the same credential at
/// the same path many times, such as git history (the default scheme is
/// deliberately slow).
pub fn locate_fingerprinted(
    path: &str,
    text: &[u8],
    base: Base,
    raw: Vec<RawFinding>,
    settings: &Settings,
    suppressed: &mut dyn FnMut(&RawFinding),
    fingerprint: &mut dyn FnMut(Rule, &str, &Secret) -> String,
) -> Vec<Finding> {
    let idx = LineIndex::new(text);
    let shift = |p: crate::model::span::Position| crate::model::span::Position {
        line: p.line + base.lines,
        column: if p.line == 1 {
            p.column + base.column
        } else {
            p.column
        },
    };
    let mut out = Vec::with_capacity(raw.len());
    for mut r in raw {
        // A recognised token in the username slot is the secret.
        let (username, secret) =
            classify::token_as_secret(r.username.take(), r.secret.expose().to_string());
        r.username = username;
        r.secret = crate::model::finding::Secret::new(secret);
        let (start0, end0) = (idx.position(r.span.start), idx.position(r.span.end));
        let is_suppressed = [start0.line, end0.line].iter().any(|&l| {
            let l0 = l - 1;
            let (ls, le) = (idx.line_start(l0), idx.line_end(l0));
            let value = r.span.start.saturating_sub(ls)..r.span.end.saturating_sub(ls);
            suppress::line_allows_outside(&text[ls..le], value)
        });
        if is_suppressed {
            suppressed(&r);
            continue;
        }
        let class = classify::classify(classify::Input {
            username: r.username.as_deref(),
            secret: r.secret.expose(),
            field: r.kind,
            registry: r.registry.as_deref(),
        });
        let (rotate, mut instead) = fix::hint_parts(
            &class,
            r.context,
            path,
            fix::Facts {
                registry: r.registry.as_deref(),
                username: r.username.as_deref(),
            },
        );
        if let Some(hint) = r.hint {
            instead.push(' ');
            instead.push_str(hint);
        }
        let (start, end) = (shift(start0), shift(end0));
        let snippet = settings.snippets.then(|| {
            let window = snippet::window(
                text,
                &idx,
                r.span.clone(),
                r.secret.expose(),
                settings.reveal,
            );
            Snippet::new(path, window).shifted(base.lines, base.column)
        });
        out.push(Finding {
            rule: r.rule,
            path: path.to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            byte_start: base.byte + r.span.start,
            byte_end: base.byte + r.span.end,
            fingerprint: fingerprint(r.rule, path, &r.secret),
            fix: format!("{rotate} {instead}"),
            fix_rotate_len: rotate.len(),
            registry: r.registry,
            username: r.username,
            secret: r.secret,
            kind: r.kind,
            token: class.kind,
            severity: class.severity,
            detail: class.detail,
            decode_chain: r.chain.join(" -> "),
            snippet,
            origin: None,
            verification: None,
        });
    }
    out
}

/// Scans standard input under `name`, window by window (so a large pipe
/// does not need to fit in memory), up to `--max-file-size` bytes.
pub fn scan_stdin(name: &str, settings: &Settings, sink: &Sink) {
    guarded(name, sink, || scan_stdin_unguarded(name, settings, sink));
}

fn scan_stdin_unguarded(name: &str, settings: &Settings, sink: &Sink) {
    scan_stream(name, &mut std::io::stdin().lock(), settings, sink);
}

/// Scans a stream of unknown size (standard input, a FIFO or a device
/// named on the command line) window by window, up to `--max-file-size`
/// bytes.
pub fn scan_stream(name: &str, reader: &mut dyn Read, settings: &Settings, sink: &Sink) {
    let limit = settings.max_file_size;
    let mut input = reader.take(limit.saturating_add(1));
    let mut head = Vec::new();
    // Small inputs (the usual case) are read whole.
    let cap = window::WHOLE_LIMIT as u64;
    match (&mut input).take(cap + 1).read_to_end(&mut head) {
        Err(e) => return sink.error(name, format!("cannot read: {e}")),
        Ok(n) if (n as u64) <= cap && (n as u64) <= limit => {
            return scan_bytes(name, &head, settings, sink)
        }
        Ok(_) => {}
    }
    let mut rest = std::io::Cursor::new(head).chain(input);
    let mut capped = (&mut rest).take(limit);
    if let Err(e) = window::scan_windows(name, &mut capped, settings, sink) {
        sink.error(name, format!("cannot read: {e}"));
    }
    let mut probe = [0u8; 1];
    if matches!(rest.read(&mut probe), Ok(1)) {
        sink.size_skipped.fetch_add(1, Ordering::Relaxed);
        sink.note(
            name,
            format!("only the first {limit} bytes were scanned (--max-file-size)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_one_file_is_an_error_for_that_file_without_its_content() {
        let sink = Sink::default();
        guarded("leaky.json", &sink, || {
            panic!("byte index 42 is not a char boundary in `Zq8vLm2Kp4Rt7Wx-secret`")
        });
        guarded("fine.json", &sink, || sink.add_findings(Vec::new()));
        assert_eq!(sink.stats(0).errors, 1);
        let (_, notices) = sink.into_parts();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].path, "leaky.json");
        assert!(notices[0].is_error);
        assert_eq!(notices[0].message, PANIC_MESSAGE);
        assert!(!notices[0].message.contains("Zq8vLm2Kp4Rt7Wx"));
    }
}
