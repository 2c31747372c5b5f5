//! A progress line on stderr for long scans: shown only when stderr is a
//! terminal, after the scan has run for a second, and erased at the end,
//! so pipes, CI logs and the pre-commit hook never see it.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::input::Sink;

/// Delay before the line appears: quick scans stay silent.
const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(200);

/// Whether progress may be shown.
pub fn wanted(quiet: bool) -> bool {
    !quiet && io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Runs `work` while a progress line reports `sink`'s counters.
pub fn with_progress<T>(enabled: bool, sink: &Sink, work: impl FnOnce() -> T) -> T {
    if !enabled {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            let start = Instant::now();
            let mut shown = false;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                if start.elapsed() < DELAY || done.load(Ordering::Relaxed) {
                    continue;
                }
                let files = sink.files_scanned.load(Ordering::Relaxed);
                let bytes = sink.bytes_scanned.load(Ordering::Relaxed);
                let findings = sink.findings.lock().map(|f| f.len()).unwrap_or(0);
                let _ = write!(
                    io::stderr(),
                    "\r\x1b[2Kcredscan: {files} files, {} scanned, {findings} findings so far",
                    super::human::human_bytes(bytes)
                );
                shown = true;
            }
            if shown {
                let _ = write!(io::stderr(), "\r\x1b[2K");
            }
        });
        let out = work();
        done.store(true, Ordering::Relaxed);
        let _ = ticker.join();
        out
    })
}

/// Fewer credentials than this are checked without a progress line.
pub const VERIFY_MANY: usize = 5;

/// The `--verify` progress line: `done` of `total` credentials checked.
/// Shown when `enabled` (see [`wanted`]) and there are many; erased at
/// the end.
pub fn verifying(enabled: bool, done: usize, total: usize) {
    if !enabled || total < VERIFY_MANY {
        return;
    }
    let mut err = io::stderr().lock();
    if done < total {
        let _ = write!(
            err,
            "\r\x1b[2Kcredscan: verifying credentials {done}/{total}"
        );
    } else {
        let _ = write!(err, "\r\x1b[2K");
    }
    let _ = err.flush();
}
