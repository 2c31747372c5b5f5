//! A progress line on stderr for long scans: shown only when stderr is a
//! terminal, after the scan has run for a second, and erased at the end,
//! so pipes, CI logs and the pre-commit hook never see it.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Delay before the line appears: quick scans stay silent.
const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(200);

/// Whether progress may be shown.
pub fn wanted(quiet: bool) -> bool {
    !quiet && io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// The counters a progress line shows, read while the scan runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files scanned so far.
    pub files: u64,
    /// Bytes scanned so far.
    pub bytes: u64,
    /// Findings so far.
    pub findings: usize,
}

/// Runs `work` while a progress line reports what `counts` reads (the
/// scan's counters; the caller knows where they are kept).
pub fn with_progress<T>(
    enabled: bool,
    counts: impl Fn() -> Counts + Send,
    work: impl FnOnce() -> T,
) -> T {
    if !enabled {
        return work();
    }
    // The ticker waits on a channel, not in a sleep: the end of the work
    // wakes it at once, so a quick scan returns without waiting a tick.
    let (done, wait) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let ticker = scope.spawn(move || {
            let start = Instant::now();
            let mut shown = false;
            while let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(TICK) {
                if start.elapsed() < DELAY {
                    continue;
                }
                let Counts {
                    files,
                    bytes,
                    findings,
                } = counts();
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
        drop(done);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_scan_does_not_wait_for_the_ticker() {
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(with_progress(true, Counts::default, || 7), 7);
        }
        // Five runs used to take at least five 200 ms ticks (1 s in all);
        // the bound stays under that, with room for a loaded machine.
        assert!(
            start.elapsed() < Duration::from_millis(800),
            "{:?}",
            start.elapsed()
        );
    }
}
