//! Values that stand for a secret without being one: `<your-key>`, `${DB_PASSWORD}`,
//! `{{ .Values.db.password }}`, `changeme`, `xxxx`, an already redacted marker. Redaction leaves
//! them in place (they tell a reader where the secret goes), and the Kubernetes rules accept them
//! in Secret templates.

use std::sync::LazyLock;

use regex::Regex;

use super::marker::MARKER_PREFIX;

/// Whole values that are stand-in words, compared in lowercase.
const WORDS: &[&str] = &[
    "changeme",
    "changeit",
    "example",
    "placeholder",
    "redacted",
    "secret",
    "password",
    "passwd",
    "pass",
    "token",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "yes",
    "no",
    "todo",
    "tbd",
    "required",
    "optional",
    "...",
];

/// Starts of stand-in values, in lowercase.
const PREFIXES: &[&str] = &[
    "yourpass",
    "yoursecret",
    "yourtoken",
    "example-",
    "example_",
    "dummy-",
    "dummy_",
    "fake-",
    "fake_",
];

/// Parts of stand-in values wherever they appear, in lowercase (`sk-your-key-here`,
/// `REPLACE_ME`, `postgres://app:changeme@db/app`).
const PARTS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "replaceme",
    "replace-me",
    "replace_me",
    "replace_with",
    "placeholder",
    "your-",
    "your_",
    "fixme",
    "redacted",
];

/// A `<...>` hole inside a value: `postgres://app:<password>@db/app`.
static HOLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[A-Za-z][A-Za-z0-9 _.:-]*>").expect("hole pattern compiles"));

/// The password of a URL with user info.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:([^\s/?#]+)@")
        .expect("URL pattern compiles")
});

/// Whether a value is a placeholder rather than a secret: empty; a reference (`$X`, `${X}`,
/// `$(cmd)`, `{{ .Values.x }}`, `%(x)s`, `#{x}`); a `<...>` hole; a stand-in word (`changeme`,
/// `example`, `none`, `true`, ...) or a value containing one (`your-`, `replace_me`, `fixme`); a
/// mask (`xxxx`, `****`, `sk_test_xxxxxxxx`, one character repeated); an already redacted value;
/// or a URL whose password is one of these.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim();
    if v.is_empty() || v.contains(MARKER_PREFIX) {
        return true;
    }
    if v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.starts_with("%(")
        || v.starts_with("#{")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.contains('<') && HOLE.is_match(v))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if WORDS.contains(&lower.as_str())
        || PREFIXES.iter().any(|p| lower.starts_with(p))
        || PARTS.iter().any(|p| lower.contains(p))
        || is_mask(&lower)
    {
        return true;
    }
    v.contains("://")
        && URL_PASSWORD
            .captures(v)
            .and_then(|caps| caps.get(1))
            .is_some_and(|password| is_placeholder(password.as_str()))
}

/// `xxxx`, `****`, `••••`, `sk_test_xxxxxxxx`, `aaaa`: a mask, or a known prefix with a masked
/// body, or one character repeated.
fn is_mask(lower: &str) -> bool {
    let tail = lower.rsplit(['_', '-', ':', '.']).next().unwrap_or("");
    if tail.len() >= 4 && tail.chars().all(|c| c == 'x' || c == '*') {
        return true;
    }
    let masked: String = lower
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .collect();
    if masked.chars().count() >= 3 && masked.chars().all(|c| matches!(c, 'x' | '*' | '•')) {
        return true;
    }
    let mut chars = lower.chars();
    let first = chars.next();
    first.is_some_and(|f| !f.is_alphanumeric() || lower.chars().count() > 2)
        && chars.all(|c| Some(c) == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_are_placeholders() {
        for value in [
            "",
            "<your-openai-key>",
            "changeme",
            "REPLACE_ME",
            "${DB_URL}",
            "$DB_URL",
            "$(cat /run/secrets/db)",
            "{{ .Values.db.password }}",
            "xxxxxxxx",
            "***",
            "sk_test_xxxxxxxx",
            "sk-your-key-here",
            "postgresql://todo:<password>@host/db",
            "postgresql://user:password@localhost:5432/todo",
            "postgresql://user:${DB_PASSWORD}@localhost/todo",
            "[REDACTED:jwt]",
            "\"true\"",
        ] {
            assert!(is_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn real_values_are_not() {
        for value in [
            "s3cr3t",
            "sk-abc",
            "hunter2",
            "ab",
            "postgresql://todo:pw@db/todo",
            "aGVsbG8gd29ybGQ=",
            "x<y",
        ] {
            assert!(!is_placeholder(value), "{value:?}");
        }
    }
}
