//! A one-line, redacted window of source around a finding, with the file's
//! real line and column numbers. `report::snippet` builds it (redaction,
//! escaping) and serves it to miette.

#![warn(missing_docs)]

use std::ops::Range;

/// The window of source shown under a finding.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// The file's name, escaped for the terminal.
    pub(crate) name: String,
    /// The window's text, redacted unless revealed.
    pub(crate) text: String,
    /// The value's byte range within `text`.
    pub(crate) label: Range<usize>,
    /// 0-based line of the window in its file.
    pub(crate) line0: usize,
    /// Characters before the window on its line.
    pub(crate) col0: usize,
}

impl Snippet {
    /// Moves the snippet's position for a text that starts `lines` lines
    /// and `column` characters into its file.
    pub fn shifted(mut self, lines: usize, column: usize) -> Snippet {
        if self.line0 == 0 {
            self.col0 += column;
        }
        self.line0 += lines;
        self
    }

    /// The window's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value's byte range within [`Snippet::text`].
    pub fn label_range(&self) -> Range<usize> {
        self.label.clone()
    }

    /// The 1-based line number of the snippet's line in its file.
    pub fn line_number(&self) -> usize {
        self.line0 + 1
    }
}
