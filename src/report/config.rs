//! Config diagnostics (rendered by `settings::diagnostic`) on stderr:
//! errors, which stop the run, and stale `[[allow]]` entries.

use std::io::{self, Write};

/// Prints rendered diagnostics to stderr, in order.
pub fn print<S: AsRef<str>>(rendered: &[S]) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for r in rendered {
        let _ = write!(err, "{}", r.as_ref());
    }
}
