//! Byte offsets to 1-based lines and columns, the one converter: parsers and regexes work in
//! byte offsets (cheap, exact), while people, editors, SARIF and error messages speak lines and
//! columns. Columns count characters (Unicode scalar values), not bytes; an offset inside a
//! character counts as the start of that character, and an offset past the end as the end.
//!
//! [`line_column`] answers one question about a text; a [`LineIndex`] keeps where each line
//! starts, for texts asked many times (every finding of a linted file).

/// The 1-based line and column of a byte offset of `text`, found by scanning the text up to it.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = char_start(text, offset);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    (line, column(text, line_start, offset))
}

/// A text and where each of its lines starts.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Starts,
}

/// The byte offsets where lines start, in the narrowest integer the text's length fits: two
/// bytes each for texts under 64 KiB (most manifests and Dockerfiles; a lint run keeps the index
/// of every file it lints), four under 4 GiB, eight above.
#[derive(Debug, Clone)]
enum Starts {
    Short(Vec<u16>),
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

/// An offset as one of the widths [`Starts`] keeps.
trait Offset: Copy + Ord + TryFrom<usize> {
    fn to_usize(self) -> usize;
}

impl Offset for u16 {
    fn to_usize(self) -> usize {
        usize::from(self)
    }
}

impl Offset for u32 {
    fn to_usize(self) -> usize {
        // `Starts::of` picks `u32` only for texts whose length fits, and usize is at least 32
        // bits on every target this crate builds for.
        self as usize
    }
}

impl Offset for usize {
    fn to_usize(self) -> usize {
        self
    }
}

/// The offsets of the line breaks of `text`, each plus one, after a 0 for the first line; `T`
/// holds the text's length.
fn starts_of<T: Offset>(text: &str) -> Vec<T> {
    let breaks = || memchr::memchr_iter(b'\n', text.as_bytes());
    // Counted first: no slack.
    let mut starts = Vec::with_capacity(breaks().count() + 1);
    starts.extend(
        std::iter::once(0)
            .chain(breaks().map(|i| i + 1))
            .filter_map(|start| T::try_from(start).ok()),
    );
    starts
}

/// The 0-based line an offset falls on.
fn line_of<T: Offset>(starts: &[T], offset: usize) -> usize {
    // An offset that does not fit is past the end of the text.
    let found = match T::try_from(offset) {
        Ok(offset) => starts.binary_search(&offset),
        Err(_) => Err(starts.len()),
    };
    match found {
        Ok(i) => i,
        Err(i) => i - 1,
    }
}

impl Starts {
    fn of(text: &str) -> Self {
        if u16::try_from(text.len()).is_ok() {
            Self::Short(starts_of(text))
        } else if u32::try_from(text.len()).is_ok() {
            Self::Narrow(starts_of(text))
        } else {
            Self::Wide(starts_of(text))
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Short(starts) => starts.len(),
            Self::Narrow(starts) => starts.len(),
            Self::Wide(starts) => starts.len(),
        }
    }

    /// The start of the 0-based line `index`.
    fn get(&self, index: usize) -> Option<usize> {
        match self {
            Self::Short(starts) => starts.get(index).map(|start| start.to_usize()),
            Self::Narrow(starts) => starts.get(index).map(|start| start.to_usize()),
            Self::Wide(starts) => starts.get(index).copied(),
        }
    }

    /// The 0-based line an offset falls on.
    fn line_of(&self, offset: usize) -> usize {
        match self {
            Self::Short(starts) => line_of(starts, offset),
            Self::Narrow(starts) => line_of(starts, offset),
            Self::Wide(starts) => line_of(starts, offset),
        }
    }
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            starts: Starts::of(text),
        }
    }

    /// The whole text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The 1-based line and column of a byte offset: the same answer as [`line_column`].
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = char_start(self.text, offset);
        let index = self.starts.line_of(offset);
        let start = self.starts.get(index).unwrap_or(0);
        (index + 1, column(self.text, start, offset))
    }

    /// How many lines the text has (a final line break does not start a new line).
    pub(crate) fn line_count(&self) -> usize {
        let count = self.starts.len();
        match self.starts.get(count - 1) {
            Some(last) if last == self.text.len() && count > 1 => count - 1,
            _ => count,
        }
    }

    /// The text of a 1-based line, without its line break (and without a `\r` before it).
    pub(crate) fn line(&self, line: usize) -> Option<&'a str> {
        let start = self.starts.get(line.checked_sub(1)?)?;
        if start > self.text.len() || (start == self.text.len() && line > 1) {
            return None;
        }
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let text = &self.text[start..end];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }
}

/// `offset` clamped to the text and moved back to the start of the character it falls in (what
/// `str::floor_char_boundary` does, newer than this crate's minimum Rust).
pub(crate) fn char_start(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The 1-based column of `offset` on the line starting at `line_start`.
fn column(text: &str, line_start: usize, offset: usize) -> usize {
    text[line_start..offset].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let text = "FROM a\nRUN é x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 7), (2, 1));
        assert_eq!(line_column(text, 13), (2, 6));
        assert_eq!(line_column(text, 12), (2, 5), "inside `é`");
        assert_eq!(line_column(text, 999), (3, 1), "past the end");
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
    }

    #[test]
    fn the_index_answers_as_the_scan_does_at_every_offset() {
        for text in ["", "a", "\n", "a\r\nb\n\nc", "é\n🚀 x\r\n\n", "no break"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_column(offset),
                    line_column(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn every_width_of_index_answers_alike() {
        for text in ["", "a", "\n", "a\r\nb\n\nc", "é\n🚀 x\r\n\n", "no break"] {
            let short = LineIndex::new(text);
            let Starts::Short(starts) = &short.starts else {
                panic!("a small text gets a two-byte index");
            };
            let widened = |starts: Starts| LineIndex { text, starts };
            let narrow = widened(Starts::Narrow(
                starts.iter().map(|&s| u32::from(s)).collect(),
            ));
            let wide = widened(Starts::Wide(
                starts.iter().map(|&s| usize::from(s)).collect(),
            ));
            for other in [&narrow, &wide] {
                for offset in (0..=text.len() + 2).chain([usize::MAX]) {
                    assert_eq!(other.line_column(offset), short.line_column(offset));
                }
                assert_eq!(other.line_count(), short.line_count());
                for line in 0..=short.line_count() + 1 {
                    assert_eq!(other.line(line), short.line(line));
                }
            }
            assert_eq!(short.line_column(usize::MAX), line_column(text, usize::MAX));
        }
        let long = "x\n".repeat(40_000);
        let index = LineIndex::new(&long);
        assert!(matches!(index.starts, Starts::Narrow(_)));
        assert_eq!(
            index.line_column(long.len() - 1),
            line_column(&long, long.len() - 1)
        );
        assert_eq!(index.line(40_000), Some("x"));
    }
}
