//! Sources of text to scan: the file tree and standard input. Each file is
//! read once, scanned, and turned into located findings here; nothing is
//! printed.

pub mod walk;

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::finding::{fingerprint, Finding, RawFinding};
use crate::report::{Notice, Snippet, Stats};
use crate::span::LineIndex;
use crate::{classify, fix, scan, suppress};

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
}

impl Sink {
    pub fn note(&self, path: &str, message: impl Into<String>) {
        self.files_skipped.fetch_add(1, Ordering::Relaxed);
        self.push_notice(path, message.into(), false);
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

/// Scans one file's contents (already read) and records the results.
pub fn scan_bytes(display: &str, bytes: &[u8], settings: &Settings, sink: &Sink) {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if memchr::memchr(0, probe).is_some() {
        sink.skip_silently();
        return;
    }
    sink.files_scanned.fetch_add(1, Ordering::Relaxed);
    sink.bytes_scanned
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let raw = scan::scan(bytes);
    if raw.is_empty() {
        return;
    }
    let located = locate(display, bytes, raw, settings);
    if !located.is_empty() {
        sink.findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(located);
    }
}

/// Places raw findings in line/column coordinates, applies inline
/// suppression, classifies each secret, and computes fingerprints and fix
/// hints.
pub fn locate(path: &str, text: &[u8], raw: Vec<RawFinding>, settings: &Settings) -> Vec<Finding> {
    let idx = LineIndex::new(text);
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        let start = idx.position(r.span.start);
        let end = idx.position(r.span.end);
        let suppressed = [start.line, end.line].iter().any(|&l| {
            let l0 = l - 1;
            suppress::line_allows(&text[idx.line_start(l0)..idx.line_end(l0)])
        });
        if suppressed {
            continue;
        }
        let class = classify::classify(classify::Input {
            username: r.username.as_deref(),
            secret: r.secret.expose(),
            field: r.kind,
            registry: r.registry.as_deref(),
        });
        let fix = fix::hint(
            &class,
            r.context,
            path,
            fix::Facts {
                registry: r.registry.as_deref(),
                username: r.username.as_deref(),
            },
        );
        let snippet = settings
            .snippets
            .then(|| Snippet::new(path, text, &idx, r.span.clone(), settings.reveal));
        out.push(Finding {
            rule: r.rule,
            path: path.to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            byte_start: r.span.start,
            byte_end: r.span.end,
            fingerprint: fingerprint(r.rule, path, &r.secret),
            fix,
            registry: r.registry,
            username: r.username,
            secret: r.secret,
            kind: r.kind,
            token: class.kind,
            severity: class.severity,
            detail: class.detail,
            decode_chain: r.chain.join(" -> "),
            snippet,
        });
    }
    out
}

/// Reads standard input whole and scans it under `name`.
pub fn scan_stdin(name: &str, settings: &Settings, sink: &Sink) {
    let mut buf = Vec::new();
    let limit = settings.max_file_size;
    let mut handle = std::io::stdin().lock().take(limit.saturating_add(1));
    match handle.read_to_end(&mut buf) {
        Ok(_) if buf.len() as u64 > limit => sink.note(
            name,
            format!("skipped: larger than --max-file-size ({limit} bytes)"),
        ),
        Ok(_) => scan_bytes(name, &buf, settings, sink),
        Err(e) => sink.error(name, format!("cannot read standard input: {e}")),
    }
}
