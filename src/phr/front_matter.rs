//! Reading a record's front matter: a small value tree, a fast reader for the plain subset that
//! PHRs use, and the full YAML reader behind it. Writing it quotes with [`crate::yaml_scalar`].
//!
//! Front matter is read into a [`Value`] without resolving types, so `id: 0004` stays the text
//! `0004` and `date: 2025-01-05` stays a date string. [`parse`] first tries the subset reader
//! (block mappings and sequences, plain and quoted one-line scalars, flow lists of scalars): that
//! is all aigen writes and what most hand-written records contain, and it reads a trail of
//! 100,000 records in a fraction of the time a general parser takes. Anything beyond the subset
//! (block scalars, anchors, multi-line scalars, comments after values, ...) goes to the full YAML
//! parser (saphyr), whose errors carry a line and column.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle};

/// A front-matter value. Scalars keep their text (borrowed from the input where no escape had to
/// be undone); nothing is resolved to numbers or booleans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// `null`, `~` or nothing.
    Null,
    /// Any other scalar, as text.
    Str(Cow<'a, str>),
    /// A sequence.
    List(Vec<Value<'a>>),
    /// A mapping, in document order. Later duplicate keys are kept; [`Value::get`] finds the first.
    Map(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl<'a> Value<'a> {
    /// The value under `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Self::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The items of a sequence (a lone scalar counts as a sequence of one).
    pub(crate) fn items(&self) -> Vec<&Value<'a>> {
        match self {
            Self::List(items) => items.iter().collect(),
            Self::Null => Vec::new(),
            other => vec![other],
        }
    }

    /// The value as one line of text: scalars as they are, a one-entry mapping as `key: value`
    /// (YAML reads the test line `- size < 500MB: PASS` as such a mapping), lists comma-joined.
    pub(crate) fn to_text(&self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Str(text) => Some(text.to_string()),
            Self::List(items) => Some(
                items
                    .iter()
                    .filter_map(Value::to_text)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Self::Map(entries) => Some(
                entries
                    .iter()
                    .map(|(k, v)| match v.to_text() {
                        Some(v) => format!("{k}: {v}"),
                        None => k.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// Why front matter could not be read: a message and where (1-based line and column within the
/// front-matter text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads front-matter text (without the `---` lines) into a [`Value`].
pub(crate) fn parse(text: &str) -> Result<Value<'_>, YamlError> {
    match subset::parse(text) {
        Some(value) => Ok(value),
        None => full::parse(text),
    }
}

/// Reads front matter with the full YAML parser only (tests compare it with the fast reader).
pub fn parse_full(text: &str) -> Result<Value<'_>, YamlError> {
    full::parse(text)
}

/// Reads front matter with the subset reader only; `None` when the text goes beyond the subset.
pub fn parse_subset(text: &str) -> Option<Value<'_>> {
    subset::parse(text)
}

fn plain_value(text: Cow<'_, str>) -> Value<'_> {
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => Value::Str(text),
    }
}

/// The subset reader: fast, and gives up (returns `None`) on anything it does not know.
mod subset {
    use std::borrow::Cow;

    use super::{Value, plain_value};

    struct Line<'a> {
        indent: usize,
        text: &'a str,
    }

    pub(super) fn parse(text: &str) -> Option<Value<'_>> {
        let mut lines = Vec::with_capacity(48);
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = raw.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if trimmed.starts_with('\t') {
                return None;
            }
            lines.push(Line {
                indent: raw.len() - trimmed.len(),
                text: trimmed.trim_end(),
            });
        }
        if lines.is_empty() {
            return Some(Value::Map(Vec::new()));
        }
        let mut pos = 0;
        let value = block(&lines, &mut pos, lines[0].indent)?;
        (pos == lines.len()).then_some(value)
    }

    fn block<'a>(lines: &[Line<'a>], pos: &mut usize, indent: usize) -> Option<Value<'a>> {
        if is_item(lines[*pos].text) {
            sequence(lines, pos, indent)
        } else {
            mapping(lines, pos, indent, None)
        }
    }

    fn is_item(text: &str) -> bool {
        text == "-" || text.starts_with("- ")
    }

    /// A mapping whose lines sit at `indent`; `first` is a pair already read from a `- key: v`.
    fn mapping<'a>(
        lines: &[Line<'a>],
        pos: &mut usize,
        indent: usize,
        first: Option<(Cow<'a, str>, Value<'a>)>,
    ) -> Option<Value<'a>> {
        let mut entries: Vec<(Cow<'a, str>, Value<'a>)> = Vec::with_capacity(24);
        entries.extend(first);
        while let Some(line) = lines.get(*pos) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (key, rest) = split_pair(line.text)?;
            *pos += 1;
            let value = if rest.is_empty() {
                nested(lines, pos, indent)?
            } else {
                inline(rest)?
            };
            entries.push((Cow::Borrowed(key), value));
        }
        Some(Value::Map(entries))
    }

    /// The block under a `key:` with nothing after the colon: deeper lines, or a sequence at the
    /// key's own indent (which YAML allows), or null.
    fn nested<'a>(lines: &[Line<'a>], pos: &mut usize, indent: usize) -> Option<Value<'a>> {
        match lines.get(*pos) {
            Some(next) if next.indent > indent => block(lines, pos, next.indent),
            Some(next) if next.indent == indent && is_item(next.text) => {
                sequence(lines, pos, indent)
            }
            _ => Some(Value::Null),
        }
    }

    fn sequence<'a>(lines: &[Line<'a>], pos: &mut usize, indent: usize) -> Option<Value<'a>> {
        let mut items = Vec::new();
        while let Some(line) = lines.get(*pos) {
            if line.indent != indent || !is_item(line.text) {
                if line.indent > indent {
                    return None;
                }
                break;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            *pos += 1;
            if rest.is_empty() {
                match lines.get(*pos) {
                    Some(next) if next.indent > indent => {
                        items.push(block(lines, pos, next.indent)?)
                    }
                    _ => items.push(Value::Null),
                }
            } else if let Some((key, value)) = split_pair(rest) {
                // `- key: value`, maybe continued by `key: value` lines under the first key.
                let key_indent = indent + (line.text.len() - rest.len());
                let value = if value.is_empty() {
                    nested(lines, pos, key_indent)?
                } else {
                    inline(value)?
                };
                items.push(mapping(
                    lines,
                    pos,
                    key_indent,
                    Some((Cow::Borrowed(key), value)),
                )?);
            } else {
                items.push(inline(rest)?);
            }
        }
        Some(Value::List(items))
    }

    /// `key: rest` with a simple key, or `None` (not a pair, or a key the subset does not read).
    fn split_pair(text: &str) -> Option<(&str, &str)> {
        if text.starts_with(['"', '\'', '[', '{', '?', '&', '*', '!', '|', '>']) {
            return None;
        }
        let (key, rest) = match text.find(": ") {
            Some(at) => (&text[..at], text[at + 2..].trim_start()),
            None => (text.strip_suffix(':')?, ""),
        };
        if key.is_empty() || key.contains(" #") || key.ends_with(' ') {
            return None;
        }
        Some((key, rest))
    }

    /// A scalar or flow list that ends on this line.
    fn inline(text: &str) -> Option<Value<'_>> {
        match text.as_bytes()[0] {
            b'"' => {
                let (value, rest) = double(text)?;
                rest.is_empty().then_some(Value::Str(value))
            }
            b'\'' => {
                let (value, rest) = single(text)?;
                rest.is_empty().then_some(Value::Str(value))
            }
            b'[' => flow_list(text),
            b'{' => (text == "{}").then(|| Value::Map(Vec::new())),
            b'|' | b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'#' => None,
            _ => plain(text),
        }
    }

    fn plain(text: &str) -> Option<Value<'_>> {
        if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
            return None;
        }
        Some(plain_value(Cow::Borrowed(text)))
    }

    fn flow_list(text: &str) -> Option<Value<'_>> {
        let inner = text.strip_prefix('[')?.strip_suffix(']')?.trim();
        let mut items = Vec::new();
        let mut rest = inner;
        while !rest.is_empty() {
            let (item, after) = match rest.as_bytes()[0] {
                b'"' => double(rest).map(|(v, r)| (Value::Str(v), r))?,
                b'\'' => single(rest).map(|(v, r)| (Value::Str(v), r))?,
                b'[' | b'{' | b'&' | b'*' | b'!' | b'#' => return None,
                _ => {
                    let end = rest.find(',').unwrap_or(rest.len());
                    let item = rest[..end].trim();
                    if item.contains(": ") || item.contains(" #") {
                        return None;
                    }
                    (plain_value(Cow::Borrowed(item)), &rest[end..])
                }
            };
            items.push(item);
            let after = after.trim_start();
            rest = match after.strip_prefix(',') {
                Some(next) => next.trim_start(),
                None if after.is_empty() => after,
                None => return None,
            };
        }
        Some(Value::List(items))
    }

    /// A double-quoted scalar at the start of `text`, and what follows it.
    fn double(text: &str) -> Option<(Cow<'_, str>, &str)> {
        let body = &text[1..];
        if let Some(end) = body.find(['"', '\\'])
            && body.as_bytes()[end] == b'"'
        {
            return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
        }
        let mut out = String::new();
        let mut chars = text[1..].char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => return Some((Cow::Owned(out), &text[1 + at + 1..])),
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        '0' => out.push('\0'),
                        'a' => out.push('\u{7}'),
                        'b' => out.push('\u{8}'),
                        't' | '\t' => out.push('\t'),
                        'n' => out.push('\n'),
                        'v' => out.push('\u{B}'),
                        'f' => out.push('\u{C}'),
                        'r' => out.push('\r'),
                        'e' => out.push('\u{1B}'),
                        ' ' => out.push(' '),
                        '"' => out.push('"'),
                        '/' => out.push('/'),
                        '\\' => out.push('\\'),
                        'N' => out.push('\u{85}'),
                        '_' => out.push('\u{A0}'),
                        'L' => out.push('\u{2028}'),
                        'P' => out.push('\u{2029}'),
                        'x' | 'u' | 'U' => {
                            let digits = match e {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let mut code = 0u32;
                            for _ in 0..digits {
                                code = code * 16 + chars.next()?.1.to_digit(16)?;
                            }
                            out.push(char::from_u32(code)?);
                        }
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
        None
    }

    /// A single-quoted scalar at the start of `text` (`''` is a quote), and what follows it.
    fn single(text: &str) -> Option<(Cow<'_, str>, &str)> {
        let body = &text[1..];
        let first = body.find('\'')?;
        if !body[first + 1..].starts_with('\'') {
            return Some((Cow::Borrowed(&body[..first]), &body[first + 1..]));
        }
        let mut out = String::new();
        let mut at = 0;
        loop {
            let next = body[at..].find('\'')? + at;
            out.push_str(&body[at..next]);
            if body[next + 1..].starts_with('\'') {
                out.push('\'');
                at = next + 2;
            } else {
                return Some((Cow::Owned(out), &body[next + 1..]));
            }
        }
    }
}

/// The full reader: saphyr's YAML 1.2 parser, events folded into a [`Value`].
mod full {
    use std::borrow::Cow;

    use super::{Event, Parser, ScalarStyle, Value, YamlError, plain_value};

    enum Frame<'a> {
        List(Vec<Value<'a>>),
        Map(Vec<(Cow<'a, str>, Value<'a>)>, Option<Cow<'a, str>>),
    }

    pub(super) fn parse(text: &str) -> Result<Value<'_>, YamlError> {
        let mut stack: Vec<Frame<'_>> = Vec::new();
        let mut root: Option<Value<'_>> = None;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| YamlError {
                line: e.marker().line(),
                column: e.marker().col() + 1,
                message: e.info().to_string(),
            })?;
            let finished = match event {
                Event::SequenceStart(..) => {
                    stack.push(Frame::List(Vec::new()));
                    None
                }
                Event::MappingStart(..) => {
                    stack.push(Frame::Map(Vec::new(), None));
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => stack.pop().map(|frame| match frame {
                    Frame::List(items) => Value::List(items),
                    Frame::Map(entries, _) => Value::Map(entries),
                }),
                Event::Scalar(text, style, _, _) => Some(match style {
                    ScalarStyle::Plain => plain_value(text),
                    _ => Value::Str(text),
                }),
                Event::Alias(_) => Some(Value::Null),
                _ => None,
            };
            let Some(value) = finished else { continue };
            match stack.last_mut() {
                Some(Frame::List(items)) => items.push(value),
                Some(Frame::Map(entries, key)) => match key.take() {
                    Some(key) => entries.push((key, value)),
                    None => {
                        *key = Some(match value {
                            Value::Str(text) => text,
                            other => Cow::Owned(other.to_text().unwrap_or_default()),
                        });
                    }
                },
                None if root.is_none() => root = Some(value),
                None => {
                    return Err(YamlError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        message: "front matter holds more than one YAML document".to_string(),
                    });
                }
            }
        }
        Ok(root.unwrap_or(Value::Map(Vec::new())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value<'static>)]) -> Value<'static> {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), v.clone()))
                .collect(),
        )
    }

    fn s(text: &str) -> Value<'static> {
        Value::Str(Cow::Owned(text.to_string()))
    }

    #[test]
    fn both_readers_agree_on_the_subset() {
        let text = "id: 0004\ntitle: \"Say \\\"hi\\\"\"\nlabels: [\"a\", b, 'c''d']\nlinks:\n  spec: null\n  pr: ~\nfiles:\n - x.txt\n - \"y: z\"\ntests:\n  - size < 500MB: PASS\naigen:\n  artifacts:\n    - path: a\n      sha256: b\n  merges: []\n";
        let expected = map(&[
            ("id", s("0004")),
            ("title", s("Say \"hi\"")),
            ("labels", Value::List(vec![s("a"), s("b"), s("c'd")])),
            ("links", map(&[("spec", Value::Null), ("pr", Value::Null)])),
            ("files", Value::List(vec![s("x.txt"), s("y: z")])),
            (
                "tests",
                Value::List(vec![map(&[("size < 500MB", s("PASS"))])]),
            ),
            (
                "aigen",
                map(&[
                    (
                        "artifacts",
                        Value::List(vec![map(&[("path", s("a")), ("sha256", s("b"))])]),
                    ),
                    ("merges", Value::List(vec![])),
                ]),
            ),
        ]);
        assert_eq!(parse_subset(text), Some(expected.clone()));
        assert_eq!(parse_full(text), Ok(expected));
    }

    #[test]
    fn the_subset_reader_gives_up_on_what_it_does_not_know() {
        for text in [
            "prompt_text: |\n  hello\n",
            "title: a\n  continued\n",
            "a: &x 1\n",
            "a: b # comment\n",
            "a: {b: c}\n",
        ] {
            assert_eq!(parse_subset(text), None, "{text}");
            assert!(parse(text).is_ok(), "{text}");
        }
        assert_eq!(
            parse("prompt_text: |\n  hello\n")
                .unwrap()
                .get("prompt_text"),
            Some(&s("hello\n"))
        );
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse("a: b\nc: [d\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn written_scalars_read_back_as_the_same_string() {
        use crate::yaml_scalar::scalar;

        for text in [
            "plain text",
            "",
            "0004",
            "true",
            "a: b",
            "- item",
            "#hash",
            "quote\"s and \\ back",
            "line\nbreak\ttab\r",
            "bell\u{7} del\u{7f} nel\u{85} bom\u{feff} ls\u{2028}",
            "ünïcödé 🚀",
            "x, y",
            "[not a list]",
            "trailing space ",
            "ends with colon:",
        ] {
            let written = format!("k: {}\n", scalar(text));
            let value = Value::Map(vec![(Cow::Borrowed("k"), s(text))]);
            assert_eq!(parse_full(&written), Ok(value.clone()), "{written}");
            assert_eq!(parse(&written), Ok(value), "{written}");
        }
        assert_eq!(scalar("gpt-4o-mini"), "gpt-4o-mini");
        assert_eq!(scalar("003-k8s-deployment"), "003-k8s-deployment");
        assert_eq!(
            scalar("docker/backend.Dockerfile"),
            "docker/backend.Dockerfile"
        );
    }
}
