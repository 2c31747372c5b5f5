//! JSON Lines: one finding per line with the same fields as the findings of
//! `--format json`, and nothing else (no stats), so results from many runs
//! can be concatenated and streamed.

use std::io::{self, Write};

use super::json::JsonFinding;
use super::{Options, Outcome};

pub fn write(outcome: &Outcome, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        serde_json::to_writer(&mut *out, &JsonFinding::new(f, opts))?;
        writeln!(out)?;
    }
    out.flush()
}
