//! Splitting instruction arguments into words: shell-style words (quotes and the escape
//! character honoured) and the elements of a JSON array (exec form), each with its byte range in
//! the text it came from.

use std::ops::Range;

/// A word and its range in the text it was split from (quotes included).
pub(crate) type RawWord = (String, Range<usize>);

/// A JSON array's elements, or where and why it is not a JSON array of strings.
pub(crate) type JsonArrayResult = Result<Vec<RawWord>, (Range<usize>, String)>;

/// Splits `text[start..]` into words at unquoted whitespace. Single quotes keep everything
/// literally; in double quotes and outside quotes the escape character escapes the next
/// character. Ranges are offsets into `text`.
pub(crate) fn split_words(text: &str, start: usize, escape: char) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut chars = text[start.min(text.len())..].char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let word_start = start + i;
        // Most words have no quotes or escapes: take them whole.
        let rest = &text[word_start..];
        let plain_len = rest
            .find(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == escape)
            .unwrap_or(rest.len());
        let at_word_end = rest[plain_len..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        if at_word_end {
            let end = word_start + plain_len;
            words.push((rest[..plain_len].to_string(), word_start..end));
            while chars.peek().is_some_and(|&(j, _)| start + j < end) {
                chars.next();
            }
            continue;
        }
        let mut value = String::with_capacity(16);
        let mut end = word_start;
        let mut quote: Option<char> = None;
        while let Some(&(j, c)) = chars.peek() {
            let at = start + j;
            match quote {
                None if c.is_whitespace() => break,
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                Some('\'') => value.push(c),
                _ if c == escape => {
                    chars.next();
                    end = at + c.len_utf8();
                    if let Some(&(k, next)) = chars.peek() {
                        // In double quotes only the quote, the escape and `$` are escaped.
                        if quote == Some('"') && !matches!(next, '"' | '$') && next != escape {
                            value.push(c);
                        }
                        value.push(next);
                        end = start + k + next.len_utf8();
                        chars.next();
                    } else {
                        value.push(c);
                    }
                    continue;
                }
                _ => value.push(c),
            }
            end = at + c.len_utf8();
            chars.next();
        }
        words.push((value, word_start..end));
    }
    words
}

/// Parses `text[start..]` as a JSON array of strings. `None` when it does not start with `[`;
/// `Some(Err((range, message)))` when it starts with `[` but is not an array of strings.
pub(crate) fn parse_json_array(text: &str, start: usize) -> Option<JsonArrayResult> {
    let rest = &text[start.min(text.len())..];
    let lead = rest.len() - rest.trim_start().len();
    let open = start + lead;
    if !text[open..].starts_with('[') {
        return None;
    }
    Some(
        JsonArray {
            text,
            pos: open + 1,
        }
        .parse(open),
    )
}

struct JsonArray<'a> {
    text: &'a str,
    pos: usize,
}

impl JsonArray<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn error(&self, message: impl Into<String>) -> (Range<usize>, String) {
        let width = self.peek().map_or(0, char::len_utf8);
        (self.pos..self.pos + width, message.into())
    }

    fn parse(mut self, open: usize) -> JsonArrayResult {
        let mut words = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                match self.peek() {
                    Some('"') => words.push(self.string()?),
                    Some('\'') => {
                        return Err(self.error("JSON strings need double quotes, not single"));
                    }
                    Some(_) => return Err(self.error("the JSON array may hold only strings")),
                    None => {
                        return Err((open..open + 1, "the JSON array is not closed".into()));
                    }
                }
                self.skip_whitespace();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(']') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => return Err(self.error("expected `,` or `]` in the JSON array")),
                    None => {
                        return Err((open..open + 1, "the JSON array is not closed".into()));
                    }
                }
            }
        }
        self.skip_whitespace();
        if self.pos < self.text.len() {
            return Err(self.error("unexpected text after the JSON array"));
        }
        Ok(words)
    }

    fn string(&mut self) -> Result<RawWord, (Range<usize>, String)> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err((start..start + 1, "the JSON string is not closed".into()));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok((value, start..self.pos)),
                '\\' => {
                    let escape_at = self.pos - 1;
                    let Some(e) = self.peek() else {
                        return Err((start..start + 1, "the JSON string is not closed".into()));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        '"' => value.push('"'),
                        '\\' => value.push('\\'),
                        '/' => value.push('/'),
                        'b' => value.push('\u{8}'),
                        'f' => value.push('\u{c}'),
                        'n' => value.push('\n'),
                        'r' => value.push('\r'),
                        't' => value.push('\t'),
                        'u' => {
                            let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
                            let code = u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 4);
                            match code.and_then(char::from_u32) {
                                Some(ch) => {
                                    value.push(ch);
                                    self.pos += 4;
                                }
                                None => {
                                    return Err((
                                        escape_at..self.pos,
                                        "invalid `\\u` escape in the JSON string".into(),
                                    ));
                                }
                            }
                        }
                        _ => {
                            return Err((
                                escape_at..self.pos,
                                format!("invalid escape `\\{e}` in the JSON string"),
                            ));
                        }
                    }
                }
                c => value.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(words: &[RawWord]) -> Vec<&str> {
        words.iter().map(|(w, _)| w.as_str()).collect()
    }

    #[test]
    fn shell_words_honour_quotes_and_escapes() {
        let text = r#"COPY "a b" 'c\d' e\ f  g"#;
        let words = split_words(text, 4, '\\');
        assert_eq!(values(&words), vec!["a b", r"c\d", "e f", "g"]);
        assert_eq!(words[0].1, 5..10);
        assert_eq!(words[2].1, 17..21);
        let words = split_words("a`b \"x`\"y\"", 0, '`');
        assert_eq!(values(&words), vec!["ab", "x\"y"]);
    }

    #[test]
    fn json_arrays_parse_with_ranges() {
        let text = r#"CMD ["python", "-m", "uvicorn\u0021"]  "#;
        let words = parse_json_array(text, 3).unwrap().unwrap();
        assert_eq!(values(&words), vec!["python", "-m", "uvicorn!"]);
        assert_eq!(words[0].1, 5..13);
        assert!(parse_json_array("CMD python", 3).is_none());
        assert_eq!(parse_json_array("X []", 1).unwrap().unwrap(), vec![]);
    }

    #[test]
    fn broken_json_is_located() {
        let (range, message) = parse_json_array("CMD ['a']", 3).unwrap().unwrap_err();
        assert_eq!(
            (range, message.as_str()),
            (5..6, "JSON strings need double quotes, not single")
        );
        let (range, _) = parse_json_array(r#"CMD ["a" "b"]"#, 3)
            .unwrap()
            .unwrap_err();
        assert_eq!(range, 9..10);
        let (range, _) = parse_json_array(r#"CMD ["a""#, 3).unwrap().unwrap_err();
        assert_eq!(range, 4..5);
        assert!(parse_json_array("RUN [ -f x ] && y", 3).unwrap().is_err());
    }
}
