//! What a redacted secret was, and the `[REDACTED:<kind>]` marker that replaces it.

use std::fmt;

/// The start of every marker; text that already holds one is not redacted again.
pub(super) const MARKER_PREFIX: &str = "[REDACTED:";

/// What a redacted secret was; the marker names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
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
    /// Every kind, in the order of the enum.
    pub(crate) const ALL: [Kind; 18] = [
        Self::OpenaiKey,
        Self::AnthropicKey,
        Self::GithubToken,
        Self::GitlabToken,
        Self::SlackToken,
        Self::AwsAccessKey,
        Self::AwsSecretKey,
        Self::GoogleApiKey,
        Self::StripeKey,
        Self::HuggingfaceToken,
        Self::NpmToken,
        Self::Jwt,
        Self::PrivateKey,
        Self::UrlPassword,
        Self::AuthHeader,
        Self::SecretAssignment,
        Self::K8sSecretData,
        Self::EnvSecret,
    ];

    /// The kind's name, as in `[REDACTED:<name>]`.
    pub(crate) fn as_str(self) -> &'static str {
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

    /// The kind in words, for messages: "a GitHub token".
    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::OpenaiKey => "an API key (`sk-...`)",
            Self::AnthropicKey => "an Anthropic API key",
            Self::GithubToken => "a GitHub token",
            Self::GitlabToken => "a GitLab token",
            Self::SlackToken => "a Slack token",
            Self::AwsAccessKey => "an AWS access key",
            Self::AwsSecretKey => "an AWS secret key",
            Self::GoogleApiKey => "a Google API key",
            Self::StripeKey => "a Stripe key",
            Self::HuggingfaceToken => "a Hugging Face token",
            Self::NpmToken => "an npm token",
            Self::Jwt => "a JSON Web Token",
            Self::PrivateKey => "a private key",
            Self::UrlPassword => "a URL with a password",
            Self::AuthHeader => "an authorization header",
            Self::SecretAssignment => "a secret setting",
            Self::K8sSecretData => "Kubernetes Secret data",
            Self::EnvSecret => "a secret environment value",
        }
    }

    /// The marker that replaces a secret of this kind.
    pub(crate) fn marker(self) -> String {
        format!("{MARKER_PREFIX}{}]", self.as_str())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
