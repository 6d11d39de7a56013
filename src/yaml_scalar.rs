//! How aigen writes a string as a YAML scalar, the one rule for the records' front matter and
//! the manifests, values files and chart templates the generator writes.
//!
//! [`scalar`] writes a string plain when every reader aigen writes for reads it back as that same
//! string, else double-quoted ([`double_quoted`], valid as YAML and as JSON). "Every reader" is
//! YAML 1.2's core schema (serde-saphyr, aigen's own readers) and go-yaml, which Kubernetes,
//! Helm and kubectl read manifests with (`sigs.k8s.io/yaml`, go-yaml v2 and v3). go-yaml
//! resolves more than the core schema: YAML 1.1 booleans (`yes`, `on`, `y`) and integers in any
//! base Go's `strconv.ParseInt` takes after removing `_` (`0777`, `0B101`, `0X1F`, `1_000`).
//! All of those are quoted, and so is anything merely number-shaped (`1.0.0`, `3c0b`, YAML 1.1's
//! sexagesimal `1:30`), which costs two quotes and rules out a whole class of misreadings.
//!
//! Timestamps stay plain (`2026-12-06T13:26:31Z`): the core schema has none and go-yaml hands
//! them to string fields and to `sigs.k8s.io/yaml` as the text written, so a record's `time:`
//! reads as written. A plain scalar is only written in block context (`key: value`, `- item`);
//! flow collections aigen writes hold double-quoted items.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` as a YAML scalar: plain when [`is_plain_safe`], else double-quoted with escapes;
/// always one line.
pub(crate) fn scalar(text: &str) -> Cow<'_, str> {
    if is_plain_safe(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(double_quoted(text))
    }
}

/// Whether `text` can be written as a plain scalar (in block context) and read back unchanged as
/// a string by YAML 1.2 core and by go-yaml.
pub(crate) fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    !text.ends_with([' ', ':'])
        && !text.starts_with(' ')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains(['\t', ',', '[', ']', '{', '}'])
        && text.chars().all(|c| (' '..='~').contains(&c))
        && !looks_typed(text)
}

/// Whether a plain scalar could read back as something other than a string (a number, boolean
/// or null) in YAML 1.2 core, YAML 1.1 or go-yaml, so it must be quoted to stay a string.
fn looks_typed(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    if WORDS.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        return true;
    }
    // Numbers, with go-yaml's readings: any base prefix in either case (`0x`, `0X`, `0o`, `0O`,
    // `0b`, `0B`; `b` is a hex digit), `_` anywhere, exponents, and YAML 1.1's `1:30`.
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    '.' | '_' | 'x' | 'X' | 'o' | 'O' | 'e' | 'E' | '+' | '-' | ':'
                )
        })
}

/// Whether a character may appear unescaped in a double-quoted scalar on one line.
fn printable_inline(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// `text` double-quoted on one line, with only the escapes YAML and JSON share (`\"`, `\\`,
/// `\n`, `\t`, `\r`, `\uxxxx`), so the result is a valid scalar and a valid JSON string both.
pub(crate) fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable_inline(c) => out.push(c),
            // Everything above U+FFFF is printable: the escaped characters fit four digits.
            c => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How go-yaml v2 and v3 and `sigs.k8s.io/yaml` (v1.6.0) read `k: <text>` when `<text>` is
    /// written plain: these read as something other than the string (measured with the three
    /// libraries, reading into `map[string]interface{}`).
    const GO_YAML_TYPED: &[&str] = &[
        "0B101",
        "0X1F",
        "0x1F",
        "0O17",
        "0o17",
        "0b1_01",
        "1_000",
        "1_0",
        "0x_1F",
        "yes",
        "Yes",
        "y",
        "n",
        "on",
        "off",
        "1.0",
        ".5",
        "1e3",
        "1E3",
        "+1",
        "-1",
        "1.",
        "+.inf",
        ".inf",
        ".Inf",
        ".NaN",
        "0.5E-3",
        "6.8523015e+5",
        "685.230_15e+03",
        "null",
        "~",
        "0777",
        "09",
    ];

    /// What the same readers read back as the very string written.
    const GO_YAML_STRINGS: &[&str] = &[
        "3c0be4",
        "1a",
        "2026-12-06T13:26:31Z",
        "<<",
        "=",
        "1:30",
        "1.0.0",
        "0.0.0.0",
        "deadbeef",
        "256Mi",
        "250m",
        "it's",
        "what?",
        "50%",
        "a#b",
        "a:b",
        "+",
        "0x",
        "12e",
        "Infinity",
        "NaN",
        "inf",
        ".e3",
        "1e",
    ];

    #[test]
    fn what_go_yaml_types_is_quoted() {
        for text in GO_YAML_TYPED {
            assert!(
                !is_plain_safe(text),
                "`{text}` reads as a number, boolean or null"
            );
            assert!(scalar(text).starts_with('"'), "{text}");
        }
    }

    #[test]
    fn double_quoting_escapes_quotes_backslashes_and_controls() {
        assert_eq!(double_quoted(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(double_quoted("x\ny\u{1}"), r#""x\ny\u0001""#);
    }

    #[test]
    fn timestamps_and_words_stay_plain() {
        for text in [
            "2026-12-06T13:26:31Z",
            "256Mi",
            "250m",
            "http://backend:8000",
            "/health",
            "todo-app/backend",
            "a b",
            "it's",
            "deadbeef",
            "gpt-4o-mini",
            "003-k8s-deployment",
            "docker/backend.Dockerfile",
        ] {
            assert_eq!(scalar(text), text);
        }
    }

    #[test]
    fn every_written_scalar_reads_back_as_itself() {
        let samples = GO_YAML_TYPED.iter().chain(GO_YAML_STRINGS).copied().chain([
            "",
            "true",
            "False",
            "NULL",
            "a: b",
            "- item",
            "-x",
            "#hash",
            "x #y",
            "*a",
            "&a",
            "!tag",
            "|",
            ">",
            "%",
            "@x",
            "`x",
            "x, y",
            "[not a list]",
            "{a}",
            "trailing space ",
            " leading",
            "ends with colon:",
            "say \"hi\"",
            "back \\ slash",
            "tab\there",
            "line\nbreak\r",
            "bell\u{7} del\u{7f} nel\u{85} bom\u{feff} ls\u{2028}",
            "ünïcödé 🚀",
            "REPLACE_ME",
            "---",
            "...",
        ]);
        for text in samples {
            let document = format!("k: {}\n", scalar(text));
            let value: serde_json::Value = serde_saphyr::from_str(&document).unwrap();
            assert_eq!(value["k"], serde_json::Value::from(text), "{document}");
            let json: String = serde_json::from_str(&double_quoted(text)).unwrap();
            assert_eq!(json, text, "double-quoted is JSON too");
        }
    }
}
