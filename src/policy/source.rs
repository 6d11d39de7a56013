//! [`SourceFile`]: a file's text with an index of its line starts, to turn byte offsets into
//! 1-based lines and columns and to cut the [`Excerpt`] a finding is rendered with.
//!
//! Parsers work in byte offsets (cheap, exact); findings speak lines and columns (what editors,
//! SARIF and people use). This is the one place that converts between the two.

use std::ops::Range;

use super::finding::{Excerpt, Position, Span};

/// The most lines an excerpt holds; longer spans are cut to their first lines.
pub const EXCERPT_MAX_LINES: usize = 12;

/// A file's text and where each of its lines starts.
#[derive(Debug, Clone)]
pub struct SourceFile<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceFile<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        // Counted first: a run keeps the index of every file it lints, so no slack.
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, line_starts }
    }

    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// How many lines the text has (a final line break does not start a new line).
    pub fn line_count(&self) -> usize {
        match self.line_starts.last() {
            Some(&last) if last == self.text.len() && self.line_starts.len() > 1 => {
                self.line_starts.len() - 1
            }
            _ => self.line_starts.len(),
        }
    }

    /// The 1-based position of a byte offset (clamped to the text, moved back to a character
    /// boundary when it falls inside one).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[index];
        let column = self.text[start..offset].chars().count() + 1;
        Position::new(index + 1, column)
    }

    /// The span of a byte range.
    pub fn span(&self, range: Range<usize>) -> Span {
        let start = self.position(range.start);
        let end = self.position(range.end.max(range.start));
        Span::new(start, end)
    }

    /// The text of a 1-based line, without its line break (and without a `\r` before it).
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        if start > self.text.len() || (start == self.text.len() && line > 1) {
            return None;
        }
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let text = &self.text[start..end];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// The lines a span covers (at most [`EXCERPT_MAX_LINES`]).
    pub fn excerpt(&self, span: Span) -> Option<Excerpt> {
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
    fn offsets_become_lines_and_character_columns() {
        let source = SourceFile::new("FROM a\nRUN é x\n");
        assert_eq!(source.position(0), Position::new(1, 1));
        assert_eq!(source.position(7), Position::new(2, 1));
        assert_eq!(source.position(13), Position::new(2, 6));
        assert_eq!(source.position(12), Position::new(2, 5), "inside `é`");
        assert_eq!(source.position(999), Position::new(3, 1));
        assert_eq!(source.line_count(), 2);
    }

    #[test]
    fn lines_drop_their_breaks() {
        let source = SourceFile::new("a\r\nb\n\nc");
        assert_eq!(source.line(1), Some("a"));
        assert_eq!(source.line(2), Some("b"));
        assert_eq!(source.line(3), Some(""));
        assert_eq!(source.line(4), Some("c"));
        assert_eq!(source.line(5), None);
        assert_eq!(source.line(0), None);
    }

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
