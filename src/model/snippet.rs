//! A one-line, redacted window of source around a finding, with the file's
//! real line and column numbers. `judge::snippet` cuts and redacts it (a
//! [`Window`]); `report::snippet` escapes it into a [`Snippet`] and serves
//! it to miette.

#![warn(missing_docs)]

use std::ops::Range;

/// A snippet's parts before they are escaped for the terminal.
#[derive(Debug, Clone)]
pub struct Window {
    /// The text before the value on its line, cut to its last characters
    /// and redacted.
    pub prefix: String,
    /// The value, redacted unless revealed.
    pub shown: String,
    /// The text after the value on its last line, cut and redacted.
    pub suffix: String,
    /// Bytes of the prefix before it was cut (an ellipsis shows when the
    /// escaped prefix is shorter).
    pub prefix_full: usize,
    /// Bytes of the suffix before it was cut.
    pub suffix_full: usize,
    /// 0-based line of the window in its file.
    pub line0: usize,
    /// Characters before the window on its line.
    pub col0: usize,
}

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
