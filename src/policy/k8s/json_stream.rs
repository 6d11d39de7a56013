//! Concatenated JSON: several JSON values one after another in one file (`{...}{...}` or one
//! per line), which `kubectl` reads as a stream of objects and a YAML parser refuses.
//!
//! [`split`] finds where each value starts and ends, so the YAML loader can read each as a
//! document where it sits in the file. A file holding one JSON value (a JSON object is a YAML
//! document already) or anything that is not JSON is left to the loader as it is.

use std::ops::Range;

use serde::de::IgnoredAny;

/// The byte ranges of the JSON values of `text` when it holds two or more of them, each range
/// running from the end of the previous value (leading whitespace included) to the end of its
/// own. `None` for one value, for anything that is not a JSON stream, and for text that does
/// not start with `{` or `[`.
pub(super) fn split(text: &str) -> Option<Vec<Range<usize>>> {
    if !text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .starts_with(['{', '['])
    {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    let mut ranges = Vec::new();
    let mut start = 0;
    while let Some(value) = stream.next() {
        value.ok()?;
        let end = stream.byte_offset();
        ranges.push(start..end);
        start = end;
    }
    (ranges.len() > 1).then_some(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_splits_where_each_value_ends() {
        let text = "{\"a\": 1}\n{\"b\": [2]}{\"c\": 3}\n";
        let ranges = split(text).unwrap();
        let pieces: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(pieces, ["{\"a\": 1}", "\n{\"b\": [2]}", "{\"c\": 3}"]);
    }

    #[test]
    fn one_value_and_non_json_are_left_alone() {
        assert_eq!(split("{\"a\": 1}\n"), None);
        assert_eq!(split("a: 1\n"), None);
        assert_eq!(split("{a: 1}\n{b: 2}\n"), None);
        assert_eq!(split("{\"a\": 1} trailing"), None);
    }
}
