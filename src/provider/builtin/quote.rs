//! Quoting for the Dockerfiles the generator writes: JSON arrays (exec form) and POSIX shell
//! words (`RUN`). YAML scalars are [`crate::yaml_scalar`]'s.

use crate::yaml_scalar::double_quoted;

/// A JSON array of strings: the exec form of `CMD` and `HEALTHCHECK`.
pub(crate) fn json_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| double_quoted(item)).collect();
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
