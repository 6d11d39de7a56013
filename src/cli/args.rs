//! Argument groups shared by several commands, so each flag is defined once.
//!
//! [`FormatArgs`] is `--format` for every command with JSON output; [`GenerateArgs`] holds the
//! provider, model and run flags of `aigen generate`, `dockerfile`, `manifest` and `helm`.

use clap::{Args, ValueEnum};

use crate::config::ProviderKind;
use crate::settings::Flags;

/// Output format of commands whose output is data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum OutputFormat {
    /// For people.
    #[default]
    Text,
    /// For scripts: one JSON document on stdout.
    Json,
}

/// `--format text|json`.
#[derive(Debug, Clone, Args)]
pub(crate) struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

impl FormatArgs {
    pub(crate) fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }
}

/// The flags every generating command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct GenerateArgs {
    /// Provider [env: AIGEN_PROVIDER] (default: openai when OPENAI_API_KEY is set, else
    /// builtin).
    #[arg(long, value_enum, value_name = "NAME")]
    pub provider: Option<ProviderKind>,

    /// Model name passed to the provider [env: AIGEN_MODEL].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Base URL of an OpenAI-compatible server [env: AIGEN_BASE_URL, OPENAI_BASE_URL].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Spec-Kit feature the records are filed under [env: AIGEN_FEATURE].
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,

    /// Show the prompt and what would be sent; send nothing, write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Apply the result right away, without asking (same checks as `aigen apply --yes`).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Rounds of lint-guided fixing before giving up (default 3, or aigen.toml).
    #[arg(long, value_name = "N")]
    pub max_rounds: Option<u32>,

    #[command(flatten)]
    pub output: FormatArgs,
}

impl GenerateArgs {
    /// What these flags say about the settings.
    pub(crate) fn flags(&self) -> Flags {
        Flags {
            provider: self.provider,
            model: self.model.clone(),
            base_url: self.base_url.clone(),
            feature: self.feature.clone(),
            max_rounds: self.max_rounds,
            ..Flags::default()
        }
    }
}
