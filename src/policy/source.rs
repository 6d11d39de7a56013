//! [`SourceFile`]: a file's text with an index of its line starts, to turn byte offsets into
//! 1-based lines and columns and to cut the [`Excerpt`] a finding is rendered with.
//!
//! Parsers work in byte offsets (cheap, exact); findings speak lines and columns (what editors,
//! SARIF and people use); [`crate::line_index`] converts between the two.

use std::ops::Range;

use super::finding::{Excerpt, Position, Span};
use crate::line_index::LineIndex;

/// The most lines an excerpt holds; longer spans are cut to their first lines.
pub(crate) const EXCERPT_MAX_LINES: usize = 12;

/// Whether findings carry the source lines they are about ([`Excerpt`]): only the text report
/// shows them, so a run reported as JSON or SARIF neither cuts them nor keeps the lines for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Excerpts {
    #[default]
    Shown,
    Omitted,
}

/// A file's text and where each of its lines starts ([`LineIndex`]), in the positions and spans
/// findings carry.
#[derive(Debug, Clone)]
pub struct SourceFile<'a> {
    lines: LineIndex<'a>,
    excerpts: Excerpts,
}

impl<'a> SourceFile<'a> {
    /// Indexes the lines of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            lines: LineIndex::new(text),
            excerpts: Excerpts::Shown,
        }
    }

    /// The same file, its findings' excerpts cut or not.
    pub(crate) fn with_excerpts(self, excerpts: Excerpts) -> Self {
        Self { excerpts, ..self }
    }

    /// The whole text.
    pub(crate) fn text(&self) -> &'a str {
        self.lines.text()
    }

    /// How many lines the text has (a final line break does not start a new line).
    pub(crate) fn line_count(&self) -> usize {
        self.lines.line_count()
    }

    /// The 1-based position of a byte offset (clamped to the text, moved back to a character
    /// boundary when it falls inside one).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let (line, column) = self.lines.line_column(offset);
        Position::new(line, column)
    }

    /// The span of a byte range.
    pub(crate) fn span(&self, range: Range<usize>) -> Span {
        let start = self.position(range.start);
        let end = self.position(range.end.max(range.start));
        Span::new(start, end)
    }

    /// The text of a 1-based line, without its line break (and without a `\r` before it).
    pub(crate) fn line(&self, line: usize) -> Option<&'a str> {
        self.lines.line(line)
    }

    /// The lines a span covers (at most [`EXCERPT_MAX_LINES`]); none when excerpts are omitted.
    pub(crate) fn excerpt(&self, span: Span) -> Option<Excerpt> {
        if self.excerpts == Excerpts::Omitted {
            return None;
        }
        let first = span.start.line;
        let last = span.end.line.max(first).min(first + EXCERPT_MAX_LINES - 1);
        let mut lines = Vec::with_capacity(last - first + 1);
        for number in first..=last {
            match self.line(number) {
                Some(text) => lines.push(text),
                None if number == first => return None,
                None => break,
            }
        }
        Some(Excerpt {
            first_line: first,
            text: lines.join("\n"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_hold_the_spanned_lines() {
        let source = SourceFile::new("one\ntwo\nthree\n");
        let excerpt = source.excerpt(source.span(4..10)).unwrap();
        assert_eq!(excerpt.first_line, 2);
        assert_eq!(excerpt.text, "two\nthree");
        assert_eq!(
            SourceFile::new("")
                .excerpt(Span::on_line(1, 1, 0))
                .unwrap()
                .text,
            ""
        );
    }
}
