//! Providers: what turns a prompt into an answer.
//!
//! A [`Request`] (system text, prompt, model, and the structured [`Task`]) goes to a
//! [`Provider`], which streams the answer to a [`Sink`] as it arrives and returns a [`Response`]
//! (the text, the model the server reported, token usage, latency, attempts, finish reason), or a
//! [`ProviderError`] that says what failed and what to do. Every request takes a
//! [`CancellationToken`]; cancelling it (Ctrl-C, through [`interrupt_on_ctrl_c`]) ends the request
//! with [`ProviderError::Interrupted`] and whatever text had arrived.
//!
//! Start with [`Provider::new`], which builds a provider from a [`ProviderConfig`]
//! ([`ProviderConfig::from_settings`] fills one from aigen's settings), then
//! [`Provider::complete`]. The kinds:
//!
//! - [`openai`]: any OpenAI-compatible chat completions server, streamed over HTTP, with
//!   timeouts and retries that honour `Retry-After`;
//! - [`tool`]: the AI DevOps tools run as subprocesses (`kubectl-ai`, Gordon as `docker ai`,
//!   `kagent invoke`) and any `command` that reads the prompt on stdin;
//! - [`builtin`]: the offline generator, which answers from the [`Task`] instead of the prompt.
//!   It needs the project's generation parameters, so it is built with [`Builtin::new`] and
//!   wrapped as [`Provider::Builtin`] rather than through [`Provider::new`].
//!
//! Every provider is asked for the same [`answer`] format: one fenced block per file.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::secrets::Secret;
use crate::settings::Settings;

pub(crate) mod answer;
pub mod builtin;
mod cancel;
mod error;
pub mod openai;
mod redacting;
mod sink;
mod task;
pub(crate) mod tool;

pub use builtin::Builtin;
pub use cancel::{CancellationToken, interrupt_on_ctrl_c};
pub use error::{ProviderError, scrub};
pub use openai::{OpenAi, RetryPolicy};
pub(crate) use redacting::RedactingSink;
pub use sink::{Discard, Event, Sink, TerminalSink};
pub use task::Task;
pub use tool::{Tool, ToolKind};

pub use crate::config::ProviderKind;

/// What is asked of a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Instructions that frame the answer (role, rules, output format). Sent as the system
    /// message; tools without one get it ahead of the prompt.
    pub system: String,
    /// The prompt itself, exactly as recorded.
    pub prompt: String,
    /// The model to ask for; `None` lets the provider choose.
    pub model: Option<String>,
    /// The same request in structured form, for providers that do not read prompts.
    pub task: Task,
}

impl Request {
    /// The system text and the prompt as one text, for providers that take a single input.
    pub(crate) fn combined_text(&self) -> String {
        if self.system.trim().is_empty() {
            self.prompt.clone()
        } else {
            format!("{}\n\n{}", self.system.trim_end(), self.prompt)
        }
    }
}

/// Tokens a request used, as the server counted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Usage {
    #[cfg(test)]
    /// Prompt and completion tokens together.
    pub(crate) fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

impl From<Usage> for crate::phr::Tokens {
    fn from(usage: Usage) -> Self {
        Self {
            prompt: usage.prompt_tokens,
            completion: usage.completion_tokens,
        }
    }
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// The full answer text: every [`Event::Text`] piece, joined.
    pub text: String,
    /// The model that answered, as the server reported it (else the one asked for, else the
    /// tool's name).
    pub model: String,
    /// Token usage, when the provider reports it.
    pub usage: Option<Usage>,
    /// From sending the request to the end of the answer, retries included.
    pub latency: Duration,
    /// Attempts made (1 when the first one succeeded).
    pub attempts: u32,
    /// Why the answer ended, as the provider put it: `stop`, `length` (cut at an output limit,
    /// so the text is incomplete), `content_filter`, a kagent task state (`completed`), ...
    pub finish_reason: Option<String>,
}

impl Response {
    /// True when the answer was cut at an output limit (the model's, or aigen's cap on a tool's
    /// output) and is therefore incomplete.
    pub fn is_truncated(&self) -> bool {
        self.finish_reason.as_deref() == Some(FINISH_LENGTH)
    }

    /// The latency in whole milliseconds, as records keep it.
    pub(crate) fn latency_ms(&self) -> u64 {
        u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX)
    }
}

/// The finish reason of an answer cut at an output limit.
pub(crate) const FINISH_LENGTH: &str = "length";

/// The default cap on what a tool may print before aigen stops reading: 4 MiB.
pub const DEFAULT_OUTPUT_CAP: usize = 4 * 1024 * 1024;

/// Everything needed to build a provider.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    /// Base URL of the OpenAI-compatible server (default `https://api.openai.com/v1`).
    pub base_url: Option<String>,
    /// API key for the server; local servers need none.
    pub api_key: Option<Secret>,
    /// A server: the longest wait for the response and between two pieces of it. A tool: the
    /// longest it may run.
    pub timeout: Duration,
    /// Retries of a failed HTTP request.
    pub retry: RetryPolicy,
    /// Where tools run (and Gordon's `-C`): the project root.
    pub working_dir: PathBuf,
    /// The argv of the `command` provider.
    pub command: Vec<String>,
    /// The kagent agent to invoke (default `k8s-agent`).
    pub agent: Option<String>,
    /// The most a tool may print on stdout before aigen stops reading and kills it.
    pub output_cap: usize,
    /// Variables set for tools on top of aigen's own environment (which they inherit). A `PATH`
    /// here is also where the tool's program is looked up.
    pub env: Vec<(String, String)>,
}

impl ProviderConfig {
    /// The config of the provider the settings name: its kind, base URL, key, timeout and
    /// kagent agent as resolved from flags, environment and `aigen.toml`, retries and command from
    /// `[generate]`, the project root as the working directory.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        let generate = &settings.config.generate;
        Self {
            kind: settings.provider,
            base_url: settings.base_url.clone(),
            api_key: settings.openai_api_key.clone(),
            timeout: settings.timeout,
            retry: RetryPolicy {
                max_retries: generate.retries,
                ..RetryPolicy::default()
            },
            working_dir: settings.root.clone(),
            command: generate.command.clone(),
            agent: settings.agent.clone(),
            output_cap: DEFAULT_OUTPUT_CAP,
            env: Vec::new(),
        }
    }
}

/// A provider, ready to take requests.
#[derive(Debug)]
pub enum Provider {
    /// The offline generator.
    Builtin(Box<Builtin>),
    /// An OpenAI-compatible server.
    OpenAi(OpenAi),
    /// An AI DevOps tool or command run as a subprocess.
    Tool(Tool),
}

impl Provider {
    /// Builds the provider `config.kind` names. Fails when the configuration cannot work (a base
    /// URL that is not a URL, `command` without a program); a missing tool is found when a
    /// request runs.
    pub fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        if let Some(tool) = ToolKind::of(config.kind) {
            return Ok(Self::Tool(Tool::new(tool, config)?));
        }
        match config.kind {
            ProviderKind::OpenAi => Ok(Self::OpenAi(OpenAi::new(
                config.base_url.as_deref(),
                config.api_key.clone(),
                config.timeout,
                config.retry,
            )?)),
            _ => Err(ProviderError::config(
                "builtin",
                "the builtin provider is built from the project's parameters with `Builtin::new`",
            )),
        }
    }

    /// Which kind of provider this is.
    pub(crate) fn kind(&self) -> ProviderKind {
        match self {
            Self::Builtin(_) => ProviderKind::Builtin,
            Self::OpenAi(_) => ProviderKind::OpenAi,
            Self::Tool(tool) => tool.kind().provider_kind(),
        }
    }

    /// Sends `request`, streaming the answer to `sink`, until it completes, fails, or `cancel`
    /// is cancelled.
    pub async fn complete(
        &self,
        request: &Request,
        sink: &mut (dyn Sink + Send),
        cancel: &CancellationToken,
    ) -> Result<Response, ProviderError> {
        match self {
            Self::Builtin(builtin) => {
                let response = builtin.complete(request)?;
                sink.event(Event::Text(&response.text));
                Ok(response)
            }
            Self::OpenAi(openai) => openai.complete(request, sink, cancel).await,
            Self::Tool(tool) => tool.complete(request, sink, cancel).await,
        }
    }

    /// [`complete`](Self::complete) for synchronous callers: runs the request on a runtime of
    /// its own, cancelled by `cancel`, or by Ctrl-C when none is given. Call it from synchronous
    /// code only (a runtime cannot start inside another); async callers use `complete` with
    /// [`interrupt_on_ctrl_c`].
    pub fn complete_blocking(
        &self,
        request: &Request,
        sink: &mut (dyn Sink + Send),
        cancel: Option<&CancellationToken>,
    ) -> Result<Response, ProviderError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                ProviderError::config(
                    self.kind().name(),
                    format!("cannot start the runtime requests run on: {e}"),
                )
            })?;
        runtime.block_on(async {
            let cancel = match cancel {
                Some(cancel) => cancel.clone(),
                None => interrupt_on_ctrl_c(),
            };
            self.complete(request, sink, &cancel).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_comes_from_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aigen.toml"),
            "[generate]\ntimeout_secs = 7\nretries = 1\ncommand = [\"llm\", \"-m\", \"x\"]\n",
        )
        .unwrap();
        let options = crate::settings::GlobalOptions {
            directory: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let flags = crate::settings::Flags {
            provider: Some(ProviderKind::Command),
            ..Default::default()
        };
        let settings = Settings::resolve(&options, &flags, |name| match name {
            "OPENAI_API_KEY" => Some("sk-from-env-123456".to_string()),
            "AIGEN_BASE_URL" => Some("http://localhost:11434/v1".to_string()),
            _ => None,
        })
        .unwrap();
        let config = ProviderConfig::from_settings(&settings);
        assert_eq!(config.timeout, Duration::from_secs(7));
        assert_eq!(config.retry.max_retries, 1);
        assert_eq!(config.command, ["llm", "-m", "x"]);
        assert_eq!(
            config.base_url.as_deref(),
            Some("http://localhost:11434/v1")
        );
        assert_eq!(config.working_dir, settings.root);
        assert_eq!(
            config.api_key.as_ref().map(Secret::expose),
            Some("sk-from-env-123456")
        );
        assert!(!format!("{config:?}").contains("sk-from-env"));
        assert!(matches!(Provider::new(&config).unwrap(), Provider::Tool(_)));
    }

    #[test]
    fn combined_text_puts_the_system_text_first() {
        let request = Request {
            system: "Answer in YAML.\n".into(),
            prompt: "A Service for api".into(),
            model: None,
            task: Task::Free,
        };
        assert_eq!(
            request.combined_text(),
            "Answer in YAML.\n\nA Service for api"
        );
        let bare = Request {
            system: " ".into(),
            ..request
        };
        assert_eq!(bare.combined_text(), "A Service for api");
    }
}
