//! Redaction: every text aigen writes to a record, prints or stages passes through a
//! [`Redactor`], which replaces each secret it recognises, whole, by `[REDACTED:<kind>]`.
//!
//! The built-in rules ([`rules`]) know the shapes of provider keys and tokens (OpenAI,
//! Anthropic, GitHub, GitLab, Slack, AWS, Google, Stripe, Hugging Face, npm), JWTs, PEM private
//! keys, passwords in URLs, `Authorization` headers, assignments whose name says secret
//! (`DB_PASSWORD=...`, `"token": "..."`, `password: ...`, `ENV API_KEY ...`, `--password ...`,
//! `name: X_TOKEN` / `value: ...` pairs) and the values under `data:` / `stringData:` of a
//! Kubernetes `kind: Secret` ([`k8s`]). A [`Redactor`] adds the exact values of secret
//! environment variables (`env-secret`).
//!
//! Speed: one pass of a [`regex::RegexSet`] decides which rules can match at all; text without
//! a secret (nearly all of it) is returned borrowed after that single pass. Only the rules that
//! matched run again to replace.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use regex::Regex;

use crate::error::Error;
use crate::secret::Secret;

pub mod k8s;
pub mod rules;

/// What a redacted secret was; the marker names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    OpenaiKey,
    AnthropicKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    AwsAccessKey,
    AwsSecretKey,
    GoogleApiKey,
    StripeKey,
    HuggingfaceToken,
    NpmToken,
    Jwt,
    PrivateKey,
    UrlPassword,
    AuthHeader,
    SecretAssignment,
    K8sSecretData,
    EnvSecret,
}

impl Kind {
    /// The kind's name, as in `[REDACTED:<name>]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenaiKey => "openai-key",
            Self::AnthropicKey => "anthropic-key",
            Self::GithubToken => "github-token",
            Self::GitlabToken => "gitlab-token",
            Self::SlackToken => "slack-token",
            Self::AwsAccessKey => "aws-access-key",
            Self::AwsSecretKey => "aws-secret-key",
            Self::GoogleApiKey => "google-api-key",
            Self::StripeKey => "stripe-key",
            Self::HuggingfaceToken => "huggingface-token",
            Self::NpmToken => "npm-token",
            Self::Jwt => "jwt",
            Self::PrivateKey => "private-key",
            Self::UrlPassword => "url-password",
            Self::AuthHeader => "auth-header",
            Self::SecretAssignment => "secret-assignment",
            Self::K8sSecretData => "k8s-secret-data",
            Self::EnvSecret => "env-secret",
        }
    }

    /// The marker that replaces a secret of this kind.
    pub fn marker(self) -> String {
        format!("[REDACTED:{}]", self.as_str())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The start of every marker; text that already holds one is not redacted again.
pub const MARKER_PREFIX: &str = "[REDACTED:";

/// Exact values shorter than this are not redacted by value: they collide with ordinary words
/// (a password `admin` would blank out every `admin` in a manifest).
pub const MIN_EXACT_LEN: usize = 6;

/// A value a [`Redactor`] redacts wherever it appears.
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

/// Replaces secrets in text. Cheap to clone; build one per command.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    exact: Option<Regex>,
}

impl Redactor {
    /// A redactor with the built-in rules and these exact values (of secret environment
    /// variables, API keys from the settings, ...). Values shorter than [`MIN_EXACT_LEN`] are
    /// left to the built-in rules.
    pub fn new<S: SecretValue>(extra_secret_values: &[S]) -> Self {
        let mut values: Vec<&str> = extra_secret_values
            .iter()
            .map(SecretValue::secret_value)
            .map(str::trim)
            .filter(|v| v.len() >= MIN_EXACT_LEN)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        let exact = (!values.is_empty())
            .then(|| {
                let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
                Regex::new(&alternation.join("|")).ok()
            })
            .flatten();
        Self { exact }
    }

    /// A redactor with the built-in rules only.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// A redactor that also knows the values of the process's environment variables whose names
    /// say secret (`OPENAI_API_KEY`, `DB_PASSWORD`, `GITHUB_TOKEN`, ...).
    pub fn from_environment() -> Self {
        Self::new(&secret_env_values(std::env::vars()))
    }

    /// `text` with every recognised secret replaced by its marker; borrowed when nothing was.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut current = rules::apply(text);
        if let Some(exact) = &self.exact {
            let replaced = match exact.replace_all(&current, Kind::EnvSecret.marker().as_str()) {
                Cow::Owned(s) => Some(s),
                Cow::Borrowed(_) => None,
            };
            if let Some(s) = replaced {
                current = Cow::Owned(s);
            }
        }
        current
    }

    /// `text` redacted, as an owned string.
    pub fn redact_string(&self, text: &str) -> String {
        self.redact(text).into_owned()
    }

    /// Every string in a JSON value redacted in place (keys stay as they are).
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => {
                if let Cow::Owned(redacted) = self.redact(s) {
                    *s = redacted;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }

    /// The same error with every text it carries redacted, so error output never shows a secret.
    pub fn redact_error(&self, error: Error) -> Error {
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
}

/// Redacts with the built-in rules only.
pub fn redact(text: &str) -> Cow<'_, str> {
    rules::apply(text)
}

/// The values of environment variables whose names say secret, from `(name, value)` pairs.
pub fn secret_env_values(vars: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    vars.into_iter()
        .filter(|(name, _)| rules::name_says_secret(name))
        .map(|(_, value)| value)
        .filter(|value| !rules::is_placeholder(value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_are_redacted_wherever_they_appear() {
        let redactor = Redactor::new(&["hunter2-but-longer", "abc"]);
        assert_eq!(
            redactor.redact("pw=xhunter2-but-longerx and abc"),
            "pw=x[REDACTED:env-secret]x and abc"
        );
        let secret = Secret::new("sup3r-s3cret-value");
        let redactor = Redactor::new(&[secret]);
        assert_eq!(
            redactor.redact("value sup3r-s3cret-value here"),
            "value [REDACTED:env-secret] here"
        );
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
