//! The [`Redactor`]: what every text aigen writes to a record, prints or stages passes through.
//! It replaces each secret it recognises, whole, by `[REDACTED:<kind>]`, using the rules
//! ([`super::rules`]), and masks every value it has seen redacted before or was given
//! ([`super::memory`]).
//!
//! Speed: one pass of a [`regex::RegexSet`] decides which rules can match at all; text without
//! a secret (nearly all of it) comes back borrowed after that pass and one search for the
//! remembered values.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use super::marker::Kind;
use super::memory::Memory;
use super::names::is_secret_name;
use super::placeholder::is_placeholder;
use super::rules::{self, Found};
use super::secret::Secret;
use crate::error::Error;

/// A value a [`Redactor`] masks wherever it appears.
pub trait SecretValue {
    /// The value itself.
    fn secret_value(&self) -> &str;
}

impl SecretValue for Secret {
    fn secret_value(&self) -> &str {
        self.expose()
    }
}

impl SecretValue for &Secret {
    fn secret_value(&self) -> &str {
        self.expose()
    }
}

impl SecretValue for &str {
    fn secret_value(&self) -> &str {
        self
    }
}

impl SecretValue for String {
    fn secret_value(&self) -> &str {
        self
    }
}

/// Replaces secrets in text, and remembers them.
///
/// A redactor and its clones share one memory: a value redacted anywhere (in a prompt, a
/// streamed answer, an error) is masked in everything any of them redacts afterwards. Build one
/// per command, before anything is read, and hand clones to whatever prints or writes.
#[derive(Clone, Default)]
pub struct Redactor {
    memory: Arc<RwLock<Memory>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The values themselves are never shown.
        f.debug_struct("Redactor")
            .field("remembered", &self.read(Memory::len))
            .finish()
    }
}

impl Redactor {
    /// A redactor with the rules and these exact values (of secret environment variables, API
    /// keys from the settings, ...). Values too short to mask by themselves (see
    /// [`super::memory`]) are left to the rules.
    pub fn new<S: SecretValue>(extra_secret_values: &[S]) -> Self {
        let redactor = Self::default();
        redactor.write(|memory| {
            memory.extend(
                extra_secret_values
                    .iter()
                    .map(|v| (v.secret_value(), Kind::EnvSecret)),
            )
        });
        redactor
    }

    /// A redactor with the rules only, and an empty memory.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// A redactor that also knows the values of the process's environment variables whose names
    /// say secret (`OPENAI_API_KEY`, `DB_PASSWORD`, `GITHUB_TOKEN`, ...).
    pub(crate) fn from_environment() -> Self {
        Self::new(&secret_env_values(std::env::vars()))
    }

    /// Masks `value` wherever it appears from now on.
    pub(crate) fn remember(&self, value: &str) {
        self.write(|memory| memory.extend([(value, Kind::EnvSecret)]));
    }

    /// Remembers every secret the rules find in `text`, without redacting it: call it on all the
    /// texts of an exchange before showing any, so a value is masked even where it appears before
    /// the context that gives it away.
    pub(crate) fn learn(&self, text: &str) {
        let mut found = Found::new();
        let _ = rules::apply(text, &mut found);
        self.keep(found);
    }

    /// [`Redactor::learn`] for every string in a JSON value.
    pub(crate) fn learn_json(&self, value: &serde_json::Value) {
        fn walk(value: &serde_json::Value, found: &mut Found) {
            match value {
                serde_json::Value::String(s) => {
                    let _ = rules::apply(s, found);
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
                serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, found)),
                _ => {}
            }
        }
        let mut found = Found::new();
        walk(value, &mut found);
        self.keep(found);
    }

    /// `text` with every recognised or remembered secret replaced by its marker; borrowed when
    /// there was none. What the rules find is remembered.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut found = Found::new();
        let current = rules::apply(text, &mut found);
        self.keep(found);
        self.read(|memory| memory.replace(current))
    }

    /// `text` redacted, as an owned string.
    pub fn redact_string(&self, text: &str) -> String {
        self.redact(text).into_owned()
    }

    /// Every string in a JSON value redacted in place (keys stay as they are). All strings are
    /// learned from first, so the order of fields does not matter.
    pub(crate) fn redact_json(&self, value: &mut serde_json::Value) {
        self.learn_json(value);
        self.redact_json_strings(value);
    }

    fn redact_json_strings(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => {
                if let Cow::Owned(redacted) = self.redact(s) {
                    *s = redacted;
                }
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|v| self.redact_json_strings(v))
            }
            serde_json::Value::Object(map) => {
                map.values_mut().for_each(|v| self.redact_json_strings(v))
            }
            _ => {}
        }
    }

    /// The same error with every text it carries redacted, so error output never shows a secret.
    pub(crate) fn redact_error(&self, error: Error) -> Error {
        let r = |s: String| self.redact_string(&s);
        match error {
            Error::Usage { message, hint } => Error::Usage {
                message: r(message),
                hint: hint.map(r),
            },
            Error::Input {
                mut location,
                message,
            } => {
                location.path = PathBuf::from(r(location.path.to_string_lossy().into_owned()));
                Error::Input {
                    location,
                    message: r(message),
                }
            }
            Error::External {
                what,
                message,
                hint,
            } => Error::External {
                what: r(what),
                message: r(message),
                hint: hint.map(r),
            },
            Error::Io {
                action,
                path,
                error,
            } => Error::Io {
                action,
                path: PathBuf::from(r(path.to_string_lossy().into_owned())),
                error,
            },
            other => other,
        }
    }

    fn keep(&self, found: Found) {
        if !found.is_empty() {
            self.write(|memory| memory.extend(found.iter().map(|(v, k)| (v.as_str(), *k))));
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Memory) -> T) -> T {
        f(&self.memory.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Memory) -> T) -> T {
        f(&mut self.memory.write().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Redacts with the rules only, remembering nothing.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    rules::apply(text, &mut Found::new())
}

/// The values of environment variables whose names say secret, from `(name, value)` pairs.
pub(crate) fn secret_env_values(vars: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    vars.into_iter()
        .filter(|(name, _)| is_secret_name(name))
        .map(|(_, value)| value)
        .filter(|value| !is_placeholder(value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_are_redacted_wherever_they_appear() {
        let redactor = Redactor::new(&["hunter2-but-longer", "abc12"]);
        assert_eq!(
            redactor.redact("pw=xhunter2-but-longerx and abc12"),
            "pw=x[REDACTED:env-secret]x and abc12"
        );
        let secret = Secret::new("sup3r-s3cret-value");
        let redactor = Redactor::new(&[secret]);
        assert_eq!(
            redactor.redact("value sup3r-s3cret-value here"),
            "value [REDACTED:env-secret] here"
        );
    }

    #[test]
    fn values_found_by_context_are_masked_where_they_come_back_bare() {
        let redactor = Redactor::builtin();
        let prompt = redactor.redact_string("token: Zx9q8Lm2Rt7vW3kP");
        assert_eq!(prompt, "token: [REDACTED:secret-assignment]");
        // A clone shares the memory.
        let response = redactor.clone().redact_string("ok, used Zx9q8Lm2Rt7vW3kP.");
        assert_eq!(response, "ok, used [REDACTED:secret-assignment].");
        // In one text, an echo before its context is masked too.
        let text = "used pw-9f8e7d6c first, then DB_PASSWORD=pw-9f8e7d6c";
        assert_eq!(
            Redactor::builtin().redact(text),
            "used [REDACTED:secret-assignment] first, then DB_PASSWORD=[REDACTED:secret-assignment]"
        );
        // Learned before anything is shown: the order of texts does not matter.
        let redactor = Redactor::builtin();
        redactor.learn("postgres://app:Pa55-w0rd-9x@db/app");
        assert_eq!(
            redactor.redact("the password is Pa55-w0rd-9x"),
            "the password is [REDACTED:url-password]"
        );
    }

    #[test]
    fn short_values_are_not_masked_by_themselves() {
        let redactor = Redactor::builtin();
        assert_eq!(
            redactor.redact("POSTGRES_PASSWORD=postgres"),
            "POSTGRES_PASSWORD=[REDACTED:secret-assignment]"
        );
        assert_eq!(redactor.redact("image: postgres:16"), "image: postgres:16");
    }

    #[test]
    fn json_is_learned_whole_before_it_is_redacted() {
        let mut value = serde_json::json!({
            "a_response": "ok, used Zx9q8Lm2Rt7vW3kP",
            "prompt": "token: Zx9q8Lm2Rt7vW3kP",
        });
        Redactor::builtin().redact_json(&mut value);
        assert!(!value.to_string().contains("Zx9q8Lm2"), "{value}");
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        let text = "FROM python:3.13-slim\nUSER 10001\n";
        assert!(matches!(Redactor::builtin().redact(text), Cow::Borrowed(_)));
    }

    #[test]
    fn environment_values_are_taken_by_name() {
        let values = secret_env_values([
            (
                "OPENAI_API_KEY".to_string(),
                "sk-live-value-123456".to_string(),
            ),
            ("HOME".to_string(), "/home/someone".to_string()),
            ("DB_PASSWORD".to_string(), "${DB_PASSWORD}".to_string()),
        ]);
        assert_eq!(values, vec!["sk-live-value-123456".to_string()]);
    }

    #[test]
    fn errors_lose_their_secrets() {
        let error = Error::usage_with_hint(
            "no record `ghp_0123456789abcdefghijABCDEFGHIJ012345`",
            "token=abcdef123456",
        );
        let shown = Redactor::builtin().redact_error(error).to_string();
        assert!(!shown.contains("ghp_0123"), "{shown}");
    }
}
