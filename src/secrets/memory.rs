//! The values a [`super::Redactor`] masks wherever they appear, whatever surrounds them: the
//! values of secret environment variables, and every value a rule redacted earlier in the same
//! command, so a secret found by its context (`token: abc…`) is also masked where it comes back
//! bare (`ok, used abc…`).
//!
//! Not every value is worth remembering. A value is masked by itself only when it is at least
//! [`MIN_REMEMBERED_LEN`] characters long and, when it is made of letters only, at least
//! [`MIN_LETTERS_ONLY_LEN`]: a database password `postgres` or `admin1` stays redacted where its
//! context says it is a secret, but does not blank out every `postgres:16` image in a manifest.
//! Values spanning lines are remembered line by line, so text streamed a line at a time is masked
//! too.

use std::borrow::Cow;
use std::collections::HashMap;

use regex::{Captures, Regex};

use super::marker::Kind;
use super::placeholder::is_placeholder;

/// The fewest characters of a value masked wherever it appears.
pub(crate) const MIN_REMEMBERED_LEN: usize = 8;

/// The fewest characters of a value of letters only masked wherever it appears: shorter ones are
/// words (`postgres`, `production`).
pub(crate) const MIN_LETTERS_ONLY_LEN: usize = 16;

/// The remembered values, with the kind each was first found as.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    kinds: HashMap<String, Kind>,
    exact: Option<Regex>,
}

impl Memory {
    /// Remembers the lines of each value that are worth it, as the kind it was found as; `true`
    /// when one was new.
    pub(crate) fn extend<'v>(&mut self, values: impl IntoIterator<Item = (&'v str, Kind)>) -> bool {
        let mut added = false;
        for (value, kind) in values {
            for line in value.lines() {
                let line = line
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'' || c == '`');
                if worth_remembering(line) && !self.kinds.contains_key(line) {
                    self.kinds.insert(line.to_string(), kind);
                    added = true;
                }
            }
        }
        if added {
            self.rebuild();
        }
        added
    }

    /// How many values are remembered.
    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
    }

    fn rebuild(&mut self) {
        let mut values: Vec<&str> = self.kinds.keys().map(String::as_str).collect();
        // Longest first, so a value that contains another is masked whole.
        values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
        // Escaped literals always compile; a failure can only be a size limit, and then the
        // previous set stays in force rather than none.
        if let Ok(regex) = Regex::new(&alternation.join("|")) {
            self.exact = Some(regex);
        }
    }

    /// `text` with every remembered value replaced by its marker.
    pub(crate) fn replace<'a>(&self, text: Cow<'a, str>) -> Cow<'a, str> {
        let Some(exact) = &self.exact else {
            return text;
        };
        let replaced = exact.replace_all(&text, |caps: &Captures<'_>| {
            let value = caps.get(0).map_or("", |m| m.as_str());
            self.kinds
                .get(value)
                .copied()
                .unwrap_or(Kind::EnvSecret)
                .marker()
        });
        match replaced {
            Cow::Owned(owned) => Cow::Owned(owned),
            Cow::Borrowed(_) => text,
        }
    }
}

/// Whether a value is masked wherever it appears: long enough not to be a common word, not a
/// placeholder, and not part of a marker (masking it would break markers already written).
pub(crate) fn worth_remembering(value: &str) -> bool {
    let chars = value.chars().count();
    let letters_only = value.chars().all(char::is_alphabetic);
    chars >= MIN_REMEMBERED_LEN
        && (!letters_only || chars >= MIN_LETTERS_ONLY_LEN)
        && !is_placeholder(value)
        && !Kind::ALL.iter().any(|k| k.marker().contains(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_and_placeholders_are_not_remembered() {
        for value in [
            "admin1",
            "postgres",
            "production",
            "changeme-please",
            "${DB_PASSWORD}",
            "secret-assignment",
        ] {
            assert!(!worth_remembering(value), "{value}");
        }
        for value in [
            "hunter22",
            "Zx9q8Lm2",
            "correct horse battery staple",
            "abcdefghijklmnopqrstuvwxyz",
        ] {
            assert!(worth_remembering(value), "{value}");
        }
    }

    #[test]
    fn values_are_masked_as_the_kind_they_were_found_as() {
        let mut memory = Memory::default();
        assert!(memory.extend([("Zx9q8Lm2Rt7v", Kind::UrlPassword)]));
        assert!(memory.extend([
            ("line-one-9x\nshort\n  line-two-9x  ", Kind::PrivateKey),
            ("Zx9q8Lm2Rt7v", Kind::EnvSecret),
        ]));
        assert!(!memory.extend([("Zx9q8Lm2Rt7v", Kind::EnvSecret)]));
        assert_eq!(memory.len(), 3);
        let out = memory.replace(Cow::Borrowed("a Zx9q8Lm2Rt7v b line-two-9x short"));
        assert_eq!(
            out,
            "a [REDACTED:url-password] b [REDACTED:private-key] short"
        );
        assert!(matches!(
            memory.replace(Cow::Borrowed("nothing here")),
            Cow::Borrowed(_)
        ));
    }
}
