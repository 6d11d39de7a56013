//! Telling secrets from configuration: by name (the constitution's `secrets` list and words such
//! as `PASSWORD` or `TOKEN`), by the shape of a value (API keys, JWTs, private keys, URLs with a
//! password), and telling a placeholder (`<your-key>`, `changeme`) from a real value.
//!
//! [`sensitive_nodes`] lists the values of an object that must never be shown, so findings on
//! their lines are rendered with the value masked ([`mask_excerpt`]).

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::object::Object;
use super::yaml_tree::Node;
use crate::policy::finding::Excerpt;

/// Words that make a setting's name a secret's.
const SECRET_WORDS: [&str; 10] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "CONNECTION_STRING",
];

/// Suffixes of names that point at a secret rather than hold one (`PASSWORD_FILE`).
const REFERENCE_SUFFIXES: [&str; 6] = ["_FILE", "_PATH", "_DIR", "_NAME", "_URL", "_ENDPOINT"];

/// True when a setting's name says it holds a secret: it is in the constitution's `secrets`
/// list, or contains a secret word and is not a pointer to one.
pub fn is_secret_name(name: &str, listed: &[String]) -> bool {
    if listed.iter().any(|s| s.eq_ignore_ascii_case(name)) {
        return true;
    }
    let upper = name.to_ascii_uppercase().replace('-', "_");
    SECRET_WORDS.iter().any(|word| upper.contains(word))
        && !REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// What known secret shapes are called, in the order of [`SHAPES`].
const SHAPE_NAMES: [&str; 8] = [
    "an API key (`sk-...`)",
    "an AWS access key",
    "a GitHub token",
    "a Slack token",
    "a Google API key",
    "a JSON Web Token",
    "a private key",
    "a URL with a password",
];

static SHAPES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"\bsk-[A-Za-z0-9_-]{20,}",
        r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",
        r"\bgh[pousr]_[A-Za-z0-9]{30,}",
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
        r"\bAIza[0-9A-Za-z_-]{35}",
        r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^@\s/]+@",
    ])
    .expect("secret shapes are valid regular expressions")
});

static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"://[^/\s:@]+:([^@\s/]+)@").expect("URL password pattern is valid")
});

/// What kind of secret a value looks like, when it looks like one (placeholders do not).
pub fn secret_shape(value: &str) -> Option<&'static str> {
    let index = SHAPES.matches(value).iter().next()?;
    if index == SHAPE_NAMES.len() - 1 {
        // A URL's password may itself be a placeholder (`postgres://app:<password>@db`).
        let password = URL_PASSWORD.captures(value)?.get(1)?.as_str();
        if is_placeholder(password) {
            return None;
        }
    }
    Some(SHAPE_NAMES[index])
}

/// Words that mark a value as a placeholder.
const PLACEHOLDER_WORDS: [&str; 11] = [
    "changeme",
    "change-me",
    "change_me",
    "replace",
    "placeholder",
    "example",
    "your-",
    "your_",
    "dummy",
    "redacted",
    "fixme",
];

/// True when a value is a placeholder rather than a real secret: empty, a `<...>` hole, an
/// environment reference (`${X}`, `$(X)`), a run of one character (`xxxx`), or a value
/// containing a word such as `changeme` or `your-`.
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.contains("${") || value.contains("$(") {
        return true;
    }
    if value.contains('<') && value.contains('>') {
        return true;
    }
    let mut chars = value.chars();
    let first = chars.next();
    if first.is_some_and(|f| !f.is_alphanumeric() || value.len() > 2)
        && chars.all(|c| Some(c) == first)
    {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    PLACEHOLDER_WORDS.iter().any(|word| lower.contains(word))
}

/// Decodes standard base64 (as Secret `data` is written); `None` when it is not base64 or not
/// UTF-8 text.
pub fn decode_base64(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    let mut padding = 0;
    for c in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if padding > 2 {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The value of a Secret's `data` (decoded) or `stringData` entry.
pub fn secret_value(node: &Node, base64: bool) -> Option<String> {
    let text = node.as_str()?;
    if base64 {
        decode_base64(text)
    } else {
        Some(text.to_string())
    }
}

/// The nodes of an object whose text must not be shown: every value of a Secret, and literal
/// env values and ConfigMap values that are secrets by name or shape.
pub fn sensitive_nodes<'a>(object: &Object<'a>, listed: &[String]) -> Vec<&'a Node> {
    let mut nodes = Vec::new();
    match object.kind {
        "Secret" => {
            for key in ["data", "stringData"] {
                if let Some(map) = object.node.get(key) {
                    nodes.extend(map.entries().iter().map(|e| &e.value));
                }
            }
        }
        "ConfigMap" => {
            if let Some(map) = object.node.get("data") {
                for entry in map.entries() {
                    let name = entry.key.as_str().unwrap_or_default();
                    let value = entry.value.as_str().unwrap_or_default();
                    if is_secret_name(name, listed) || secret_shape(value).is_some() {
                        nodes.push(&entry.value);
                    }
                }
            }
        }
        _ => {}
    }
    if let Some(spec) = object.pod_spec() {
        for container in spec.containers() {
            for env in container.env() {
                let Some(value) = env.get("value") else {
                    continue;
                };
                let name = env.get("name").and_then(Node::as_str).unwrap_or_default();
                let text = value.as_str().unwrap_or_default();
                if is_secret_name(name, listed) || secret_shape(text).is_some() {
                    nodes.push(value);
                }
            }
        }
    }
    nodes
}

/// Masks, in an excerpt, the characters of the given nodes with `*` (so columns stay true).
/// A value spanning several lines is masked on every line after the first, past its indent.
pub fn mask_excerpt(excerpt: &mut Excerpt, nodes: &[&Node]) {
    let first = excerpt.first_line;
    let mut lines: Vec<String> = excerpt.text.split('\n').map(str::to_string).collect();
    let mut changed = false;
    for node in nodes {
        let (start, end) = (node.mark, node.end);
        for (offset, line) in lines.iter_mut().enumerate() {
            let number = (first + offset) as u32;
            if number < start.line || number > end.line {
                continue;
            }
            let from = if number == start.line {
                start.column as usize - 1
            } else {
                line.chars().take_while(|c| c.is_whitespace()).count()
            };
            let to = if number == end.line && end.line == start.line {
                end.column as usize - 1
            } else {
                usize::MAX
            };
            let masked: String = line
                .chars()
                .enumerate()
                .map(|(i, c)| if i >= from && i < to { '*' } else { c })
                .collect();
            if masked != *line {
                *line = masked;
                changed = true;
            }
        }
    }
    if changed {
        excerpt.text = lines.join("\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_secret_or_not() {
        let listed = vec!["DATABASE_URL".to_string()];
        for name in [
            "DATABASE_URL",
            "OPENAI_API_KEY",
            "BETTER_AUTH_SECRET",
            "db-password",
            "GITHUB_TOKEN",
        ] {
            assert!(is_secret_name(name, &listed), "{name}");
        }
        for name in [
            "BETTER_AUTH_URL",
            "LOG_LEVEL",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "SECRET_NAME",
        ] {
            assert!(!is_secret_name(name, &listed), "{name}");
        }
    }

    #[test]
    fn values_are_recognised_by_shape() {
        assert_eq!(
            secret_shape("sk-proj-abcdefghijklmnopqrstuvwx"),
            Some("an API key (`sk-...`)")
        );
        assert_eq!(
            secret_shape("postgresql://todo:s3cr3tPa55@ep-cool.neon.tech/todo"),
            Some("a URL with a password")
        );
        assert_eq!(secret_shape("postgresql://todo:<password>@host/db"), None);
        assert_eq!(secret_shape("https://api.example.com/v1"), None);
        assert_eq!(
            secret_shape("-----BEGIN RSA PRIVATE KEY-----\nMII"),
            Some("a private key")
        );
        assert_eq!(secret_shape("info"), None);
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for value in [
            "",
            "<your-openai-key>",
            "changeme",
            "REPLACE_ME",
            "${DB_URL}",
            "xxxxxxxx",
            "***",
        ] {
            assert!(is_placeholder(value), "{value:?}");
        }
        for value in [
            "s3cr3t",
            "sk-abc",
            "hunter2",
            "ab",
            "postgresql://todo:pw@db/todo",
        ] {
            assert!(!is_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn base64_decodes_secret_data() {
        assert_eq!(decode_base64("Y2hhbmdlbWU=").as_deref(), Some("changeme"));
        assert_eq!(
            decode_base64("aGVsbG8gd29ybGQ=").as_deref(),
            Some("hello world")
        );
        assert_eq!(decode_base64("YQ==").as_deref(), Some("a"));
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("YQ==YQ"), None);
    }

    #[test]
    fn excerpts_are_masked_in_place() {
        let loaded =
            super::super::yaml_tree::load("env:\n  - name: API_KEY\n    value: \"sk-123\"\n");
        let value = loaded.documents[0].root.get("env").unwrap().items()[0]
            .get("value")
            .unwrap()
            .clone();
        let mut excerpt = Excerpt {
            first_line: 3,
            text: "    value: \"sk-123\"".to_string(),
        };
        mask_excerpt(&mut excerpt, &[&value]);
        assert_eq!(excerpt.text, "    value: ********");
    }
}
