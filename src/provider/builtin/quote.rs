//! Quoting for the three languages the generator writes strings into: JSON arrays (Dockerfile
//! exec form), YAML scalars and POSIX shell words (Dockerfile `RUN`).

/// A double-quoted string valid in JSON and in YAML: `\`, `"` and characters that are not
/// printable escaped (the records' quoting, [`crate::phr::yaml::double_quoted`]).
pub(crate) fn double(text: &str) -> String {
    crate::phr::yaml::double_quoted(text)
}

/// A JSON array of strings: the exec form of `CMD` and `HEALTHCHECK`.
pub(crate) fn json_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| double(item)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A word the shell reads back as `text`: bare when it holds only safe characters, else in
/// single quotes.
pub(crate) fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// An argv as one shell command line.
pub(crate) fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| shell_word(arg))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_escapes_quotes_backslashes_and_controls() {
        assert_eq!(double(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(double("x\ny\u{1}"), r#""x\ny\u0001""#);
    }

    #[test]
    fn json_array_is_valid_json() {
        let items = vec![
            "python".to_string(),
            "-c".to_string(),
            "print('a \"b\"')".to_string(),
        ];
        let parsed: Vec<String> = serde_json::from_str(&json_array(&items)).unwrap();
        assert_eq!(parsed, items);
    }

    #[test]
    fn shell_words_are_bare_or_single_quoted() {
        assert_eq!(shell_word("npm"), "npm");
        assert_eq!(shell_word("--port=3000"), "--port=3000");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
