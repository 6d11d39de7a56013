//! How a provider request fails, and what the user can do about it.
//!
//! Every [`ProviderError`] says what failed in its message and what to do in [`ProviderError::hint`].
//! Failures that happen after part of the answer arrived (a cut stream, a timeout, an interrupt,
//! a tool that died mid-answer) keep that text, reachable through [`ProviderError::partial`], so
//! the caller can record it. Converted into [`crate::Error`], failures become
//! [`Error::External`](crate::Error::External) (exit code 3), an interrupt becomes
//! [`Error::Interrupted`](crate::Error::Interrupted), and a provider that cannot be set up as
//! configured (unknown name, bad base URL, no command) a usage error (exit code 2).
//!
//! No message contains an API key: keys travel only in request headers, URLs are shown without
//! user info or query, and text a server sends back is redacted with [`scrub`] before it is kept.

use std::time::Duration;

use crate::error::Error;
use crate::secrets::Redactor;

/// Why a provider request failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider cannot be set up as configured (unknown name, bad base URL, no command).
    #[error("{message}")]
    Config {
        provider: String,
        message: String,
        hint: Option<String>,
    },

    /// The server refused the credentials (HTTP 401 or 403).
    #[error(
        "{url} refused the request: HTTP {status} (the API key is missing, wrong or lacks access)"
    )]
    Unauthorized { url: String, status: u16 },

    /// The server does not have the model asked for (HTTP 404 naming a model).
    #[error("{url} has no model `{model}`: {message}")]
    ModelNotFound {
        url: String,
        model: String,
        message: String,
    },

    /// The server kept answering 429 Too Many Requests.
    #[error("{url} is rate limiting requests (HTTP 429) after {attempts} attempt(s){}", wait_note(.retry_after))]
    RateLimited {
        url: String,
        attempts: u32,
        retry_after: Option<Duration>,
    },

    /// The server kept failing with a 5xx status.
    #[error("{url} failed with HTTP {status} after {attempts} attempt(s){}", detail_note(.message))]
    Server {
        url: String,
        status: u16,
        attempts: u32,
        message: String,
    },

    /// The server rejected the request with another 4xx status (bad parameters, context too long,
    /// or a base URL that is not an OpenAI-compatible API).
    #[error("{url} rejected the request: HTTP {status}{}", detail_note(.message))]
    Rejected {
        url: String,
        status: u16,
        message: String,
    },

    /// No connection could be made (refused, unknown host, TLS failure).
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },

    /// The server answered with something that is not the chat completions protocol.
    #[error("{url} sent a response aigen cannot read: {detail}")]
    InvalidResponse {
        url: String,
        detail: String,
        partial: String,
    },

    /// The connection ended before the answer was complete.
    #[error("the answer from {url} was cut off: {detail} ({} bytes received)", .partial.len())]
    StreamCut {
        url: String,
        detail: String,
        partial: String,
    },

    /// Nothing arrived for longer than the timeout (a server), or a tool ran past it.
    #[error("timed out after {} s: {detail}", .after.as_secs_f64())]
    Timeout {
        provider: String,
        detail: String,
        after: Duration,
        partial: String,
    },

    /// The user interrupted the request (Ctrl-C).
    #[error("interrupted")]
    Interrupted { partial: String },

    /// The tool's program is not on PATH.
    #[error("`{program}` was not found on PATH")]
    ToolMissing { tool: String, program: String },

    /// The tool is installed but cannot serve requests (Docker without Gordon, say).
    #[error("{message}")]
    ToolUnavailable {
        tool: String,
        message: String,
        hint: String,
    },

    /// The tool exited with a failure status or was killed by a signal.
    #[error("`{program}` {status}{}", stderr_note(.stderr))]
    ToolFailed {
        tool: String,
        program: String,
        status: String,
        stderr: String,
        partial: String,
    },

    /// The tool exited successfully but gave no usable answer (kagent reports errors on stderr
    /// with exit status 0).
    #[error("no usable answer: {detail}{}", stderr_note(.stderr))]
    NoAnswer {
        tool: String,
        detail: String,
        stderr: String,
    },

    /// kagent's agent stopped to wait for a person to approve a step (`input-required`).
    #[error("the agent is waiting for approval (task state input-required){}{}",
        .task_id.as_deref().map(|id| format!(", task {id}")).unwrap_or_default(),
        detail_note(.message))]
    InputRequired {
        tool: String,
        task_id: Option<String>,
        message: String,
    },

    /// The prompt does not fit on the tool's command line.
    #[error(
        "the prompt is {bytes} bytes, more than `{program}` accepts as an argument ({limit} bytes)"
    )]
    PromptTooLong {
        tool: String,
        program: String,
        bytes: usize,
        limit: usize,
    },
}

fn wait_note(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|wait| format!("; the server asks to wait {} s", wait.as_secs()))
        .unwrap_or_default()
}

fn detail_note(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn stderr_note(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!("; its stderr ends with:\n{}", tail(stderr, 12, 2000))
    }
}

/// The last `lines` lines of `text`, at most `max` bytes of them, indented for an error message.
fn tail(text: &str, lines: usize, max: usize) -> String {
    let trimmed = text.trim_end();
    let mut start = trimmed.len().saturating_sub(max);
    while !trimmed.is_char_boundary(start) {
        start += 1;
    }
    let window = &trimmed[start..];
    let kept: Vec<&str> = window.lines().rev().take(lines).collect();
    kept.iter()
        .rev()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

const OFFLINE: &str = "`--provider builtin` generates offline";

impl ProviderError {
    /// A configuration error of `provider`.
    pub(crate) fn config(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Config {
            provider: provider.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// A configuration error of `provider`, with a hint.
    pub(crate) fn config_with_hint(
        provider: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Config {
            provider: provider.into(),
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// What failed, for the `what: message` line: the provider or tool name.
    pub(crate) fn what(&self) -> &str {
        match self {
            Self::Config { provider, .. } => provider,
            Self::Unauthorized { .. }
            | Self::ModelNotFound { .. }
            | Self::RateLimited { .. }
            | Self::Server { .. }
            | Self::Rejected { .. }
            | Self::Unreachable { .. }
            | Self::InvalidResponse { .. }
            | Self::StreamCut { .. } => "openai",
            Self::Timeout { provider, .. } => provider,
            Self::Interrupted { .. } => "interrupted",
            Self::ToolMissing { tool, .. }
            | Self::ToolUnavailable { tool, .. }
            | Self::ToolFailed { tool, .. }
            | Self::NoAnswer { tool, .. }
            | Self::InputRequired { tool, .. }
            | Self::PromptTooLong { tool, .. } => tool,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Self::Config { hint, .. } => return hint.clone(),
            Self::Unauthorized { .. } => format!(
                "set OPENAI_API_KEY to a key this server accepts (local servers such as Ollama \
                 need none: unset it), or {OFFLINE}"
            ),
            Self::ModelNotFound { .. } => "name a model the server has with `--model <name>` \
                 (or AIGEN_MODEL, or `model` in aigen.toml)"
                .to_string(),
            Self::RateLimited { .. } => format!(
                "wait a while and run again, or raise the rate limit of the account; {OFFLINE}"
            ),
            Self::Server { .. } => {
                format!("the server is failing; try again later, or {OFFLINE}")
            }
            Self::Rejected { status: 404, .. } => "check the base URL: OpenAI-compatible servers \
                 serve `<base>/chat/completions`, and the base usually ends in `/v1` \
                 (`http://localhost:11434/v1` for Ollama)"
                .to_string(),
            Self::Rejected { .. } => "the server's message says what it did not accept".to_string(),
            Self::Unreachable { .. } => format!(
                "the server is down or the base URL is wrong (--base-url, AIGEN_BASE_URL, \
                 OPENAI_BASE_URL, `base_url` in aigen.toml); {OFFLINE}"
            ),
            Self::InvalidResponse { .. } => "check that the base URL points at an \
                 OpenAI-compatible chat completions API (it usually ends in `/v1`)"
                .to_string(),
            Self::StreamCut { .. } => {
                "the connection dropped before the answer was complete; run again".to_string()
            }
            Self::Timeout { .. } => "raise the timeout (`--timeout`, or `timeout_secs` under \
                 [generate] in aigen.toml), or check that the server or tool is responding"
                .to_string(),
            Self::Interrupted { .. } => return None,
            Self::ToolMissing { tool, program } => format!(
                "{}; or use another provider: {OFFLINE}, `--provider openai` works with \
                 OPENAI_API_KEY",
                install_hint(tool, program)
            ),
            Self::ToolUnavailable { hint, .. } => hint.clone(),
            Self::ToolFailed { tool, .. } | Self::NoAnswer { tool, .. } => format!(
                "run the tool by hand to see what it needs (is it configured and logged in?); \
                 {OFFLINE}{}",
                match tool.as_str() {
                    "kagent" => {
                        "; kagent reports failures on stderr even when it exits with status 0"
                    }
                    "kubectl-ai" => {
                        "; in --quiet mode kubectl-ai refuses steps that change the cluster, and \
                         aigen never passes --skip-permissions: run it yourself to approve them"
                    }
                    _ => "",
                }
            ),
            Self::InputRequired { .. } => "approve or reject the pending step in kagent (the \
                 kagent dashboard or `kagent` CLI), then run again; aigen never approves on your \
                 behalf"
                .to_string(),
            Self::PromptTooLong { .. } => format!(
                "shorten the input, or use a provider that reads the prompt from stdin or over \
                 HTTP: `--provider command`, `--provider openai`; {OFFLINE}"
            ),
        };
        Some(hint)
    }

    /// The part of the answer that arrived before the failure (empty when none did).
    pub fn partial(&self) -> &str {
        match self {
            Self::InvalidResponse { partial, .. }
            | Self::StreamCut { partial, .. }
            | Self::Timeout { partial, .. }
            | Self::Interrupted { partial }
            | Self::ToolFailed { partial, .. } => partial,
            _ => "",
        }
    }

    /// How a record of the failed exchange ends: `interrupted` after Ctrl-C, else `failed`,
    /// with this error as the reason.
    pub(crate) fn outcome(&self) -> crate::phr::Outcome {
        if self.is_interrupted() {
            crate::phr::Outcome::Interrupted(self.to_string())
        } else {
            crate::phr::Outcome::Failed(self.to_string())
        }
    }

    /// True when the user stopped the request (Ctrl-C).
    pub fn is_interrupted(&self) -> bool {
        matches!(self, Self::Interrupted { .. })
    }
}

fn install_hint(tool: &str, program: &str) -> String {
    match tool {
        "kubectl-ai" => {
            "install kubectl-ai (`kubectl krew install ai`, or the release binaries at \
             https://github.com/GoogleCloudPlatform/kubectl-ai) and put it on PATH"
                .to_string()
        }
        "gordon" => "Gordon runs as `docker ai`: install Docker Desktop, enable Docker AI in its \
             settings and sign in"
            .to_string(),
        "kagent" => "install the kagent CLI (https://kagent.dev/docs, e.g. `brew install \
             kagent`) and put it on PATH"
            .to_string(),
        _ => format!(
            "check `command` under [generate] in aigen.toml: `{program}` must be a program on \
             PATH or a path to one"
        ),
    }
}

impl From<ProviderError> for Error {
    /// An interrupt becomes [`Error::Interrupted`], a provider that cannot be set up as configured
    /// a usage error (exit 2), and every other failure [`Error::External`] (exit 3).
    fn from(error: ProviderError) -> Self {
        if error.is_interrupted() {
            return Error::Interrupted;
        }
        if let ProviderError::Config { message, hint, .. } = error {
            return Error::Usage { message, hint };
        }
        Error::External {
            what: error.what().to_string(),
            hint: error.hint(),
            message: error.to_string(),
        }
    }
}

/// `text` redacted, with `key` masked wherever it appears: for text a server or tool sends back,
/// which may echo the key.
pub fn scrub(text: &str, key: Option<&str>) -> String {
    let key: Vec<&str> = key.into_iter().collect();
    Redactor::new(&key).redact_string(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupts_convert_to_interrupted_and_the_rest_to_external() {
        let error: Error = ProviderError::Interrupted {
            partial: "FROM".into(),
        }
        .into();
        assert!(matches!(error, Error::Interrupted));

        let error: Error = ProviderError::ToolMissing {
            tool: "kubectl-ai".into(),
            program: "kubectl-ai".into(),
        }
        .into();
        assert_eq!(error.exit_status() as u8, 3);
        assert_eq!(
            error.to_string(),
            "kubectl-ai: `kubectl-ai` was not found on PATH"
        );
        let hint = error.hint().unwrap();
        assert!(hint.contains("krew"), "{hint}");
        assert!(hint.contains("--provider builtin"), "{hint}");

        let error: Error =
            ProviderError::config_with_hint("aigen", "unknown provider `x`", "h").into();
        assert_eq!(error.exit_status() as u8, 2);
        assert_eq!(error.to_string(), "unknown provider `x`");
        assert_eq!(error.hint(), Some("h"));
    }

    #[test]
    fn partial_text_survives() {
        let error = ProviderError::StreamCut {
            url: "http://127.0.0.1:1/v1".into(),
            detail: "connection closed".into(),
            partial: "FROM python".into(),
        };
        assert_eq!(error.partial(), "FROM python");
        assert!(error.to_string().contains("11 bytes received"));
    }

    #[test]
    fn scrub_removes_keys_and_key_shaped_text() {
        let text = "Incorrect API key provided: sk-live-1234567890. Key \
                    sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8 header Bearer abcdef-123456";
        let clean = scrub(text, Some("sk-live-1234567890"));
        assert!(!clean.contains("1234567890"), "{clean}");
        assert!(!clean.contains("Ab1Cd2Ef3"), "{clean}");
        assert!(!clean.contains("abcdef-123456"), "{clean}");
        assert!(clean.contains("Incorrect API key provided"));
    }

    #[test]
    fn stderr_is_shown_by_its_tail() {
        let stderr: String = (1..=30).map(|n| format!("line {n}\n")).collect();
        let error = ProviderError::NoAnswer {
            tool: "kagent".into(),
            detail: "stdout was empty".into(),
            stderr,
        };
        let text = error.to_string();
        assert!(text.contains("line 30"));
        assert!(!text.contains("line 2\n"));
    }
}
