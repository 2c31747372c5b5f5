//! A one-line, redacted window of source around a finding (cut and
//! redacted by `judge::snippet`), escaped for the terminal and served to
//! miette with the file's real line and column numbers.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape;
pub use crate::model::snippet::{Snippet, Window};

impl Snippet {
    /// Escapes a [`Window`] for the terminal (the file's own control
    /// characters never reach it) and assembles the snippet: `…` marks a
    /// side that was cut.
    pub fn new(name: &str, w: Window) -> Snippet {
        let prefix = escape::text_keep_tabs(&w.prefix).into_owned();
        let shown = escape::text_keep_tabs(&w.shown).into_owned();
        let suffix = escape::text_keep_tabs(&w.suffix).into_owned();
        let mut text = String::new();
        if prefix.len() < w.prefix_full {
            text.push('…');
        }
        text.push_str(&prefix);
        let label_start = text.len();
        text.push_str(&shown);
        let label = label_start..text.len();
        text.push_str(&suffix);
        if suffix.len() < w.suffix_full {
            text.push('…');
        }
        Snippet {
            name: escape::text(name).into_owned(),
            text,
            label,
            line0: w.line0,
            col0: w.col0,
        }
    }

    /// The label's span within the snippet.
    pub fn label(&self) -> SourceSpan {
        SourceSpan::from(self.label.clone())
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette asks for the label alone (no context lines) to print the
        // header position, and for the label with context to draw it.
        let label_only = before == 0 && after == 0;
        if label_only && span.offset() == self.label.start && span.len() == self.label.len() {
            // Asked for the label itself: report the file's real position.
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &self.text.as_bytes()[self.label.clone()],
                *span,
                self.line0,
                self.col0,
                1,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::from(0..self.text.len()),
            self.line0,
            0,
            1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_sides_get_an_ellipsis_and_controls_are_escaped() {
        let w = Window {
            prefix: "key: \u{1b}[2J".into(),
            shown: "Zq********Wx".into(),
            suffix: " # note".into(),
            prefix_full: 400,
            suffix_full: 7,
            line0: 3,
            col0: 395,
        };
        let s = Snippet::new("b.yml", w);
        assert_eq!(s.text(), "…key: \\033[2JZq********Wx # note");
        assert_eq!(&s.text()[s.label_range()], "Zq********Wx");
        assert_eq!(s.line_number(), 4);
    }
}
