//! Byte offsets to 1-based line and column numbers.

#![warn(missing_docs)]

use memchr::memchr_iter;

/// Maps byte offsets of one text to lines and columns.
///
/// Built only for files that have findings, so the scan itself never pays
/// for it.
pub struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

/// A resolved position: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// 0-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Start of the 0-based line.
    pub fn line_start(&self, line0: usize) -> usize {
        self.starts[line0]
    }

    /// End of the 0-based line, excluding its `\n` (and a `\r` before it).
    pub fn line_end(&self, line0: usize) -> usize {
        let mut end = self
            .starts
            .get(line0 + 1)
            .map(|s| s - 1)
            .unwrap_or(self.text.len());
        if end > self.starts[line0] && self.text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line and column of byte `offset`.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line0 = self.line_of(offset);
        let start = self.starts[line0];
        let column = char_count(&self.text[start..offset]) + 1;
        Position {
            line: line0 + 1,
            column,
        }
    }
}

/// Number of UTF-8 characters (invalid bytes count one each).
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let text = "ab\nçd\r\nxyz".as_bytes();
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(3), Position { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.position(5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(8), Position { line: 3, column: 1 });
        assert_eq!(idx.line_end(1), 6);
        assert_eq!(idx.line_count(), 3);
    }
}
