//! `aigen history add`: the record of an exchange that happened outside aigen (a chat, the Gordon
//! window).

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;

use super::History;
use crate::cli::args::FormatArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::phr::{NewRecord, Stage};

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The record's title.
    #[arg(long)]
    pub title: String,
    /// Stage: constitution, spec, plan, tasks, red, green, refactor, explainer, misc or general.
    #[arg(long)]
    pub stage: String,
    /// Feature (default: from aigen.toml or the environment).
    #[arg(long)]
    pub feature: Option<String>,
    /// Model that answered.
    #[arg(long)]
    pub model: Option<String>,
    /// Tool that was used (gordon, kubectl-ai, kagent, chat, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Labels (repeatable).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// The prompt text.
    #[arg(
        long,
        required_unless_present = "prompt_file",
        conflicts_with = "prompt_file"
    )]
    pub prompt: Option<String>,
    /// File holding the prompt, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub prompt_file: Option<PathBuf>,
    /// The response text.
    #[arg(
        long,
        required_unless_present = "response_file",
        conflicts_with = "response_file"
    )]
    pub response: Option<String>,
    /// File holding the response, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub response_file: Option<PathBuf>,
    /// Files the exchange produced (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Test or check results, one line each (repeatable), e.g. `hadolint: PASS`.
    #[arg(long = "test", value_name = "LINE")]
    pub tests: Vec<String>,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn add(&self, args: AddArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let stage: Stage = args
            .stage
            .parse()
            .map_err(|e: crate::phr::naming::UnknownStage| Error::usage(e.to_string()))?;
        if args.prompt_file.as_deref() == Some(Path::new("-"))
            && args.response_file.as_deref() == Some(Path::new("-"))
        {
            return Err(Error::usage(
                "only one of --prompt-file and --response-file can read stdin",
            ));
        }
        let prompt = self.text_arg(args.prompt, args.prompt_file, "--prompt")?;
        let response = self.text_arg(args.response, args.response_file, "--response")?;
        if prompt.trim().is_empty() {
            return Err(Error::usage(
                "the prompt is empty; a record keeps the whole prompt",
            ));
        }
        let feature = self.settings.feature.clone();
        let record = NewRecord {
            feature,
            model: args.model,
            tool: args.tool,
            labels: args.labels,
            prompt,
            response,
            // As given (with `/` separators): normalising first could hide a secret's shape.
            files: args
                .files
                .iter()
                .map(|f| f.to_string_lossy().replace('\\', "/"))
                .collect(),
            tests: args.tests,
            command: Some("aigen history add".to_string()),
            ..NewRecord::new(args.title, stage)
        };
        let appended = store.append(record)?;
        if args.output.is_json() {
            self.out_json(&serde_json::json!({
                "path": self.display_path(&appended.path),
                "id": appended.id,
                "reference": appended.reference,
                "sequence": appended.sequence,
                "hash": appended.hash,
            }))?;
        } else {
            self.out(&format!("{}\n", self.display_path(&appended.path)))?;
        }
        Ok(ExitStatus::Success)
    }

    /// A text given inline or as a file (`-` for stdin).
    pub(super) fn text_arg(
        &self,
        inline: Option<String>,
        file: Option<PathBuf>,
        flag: &str,
    ) -> Result<String> {
        match (inline, file) {
            (Some(text), _) => Ok(text),
            (None, Some(path)) if path == Path::new("-") => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io("read", "<stdin>", e))?;
                String::from_utf8(bytes)
                    .map_err(|_| Error::usage(format!("{flag}-file -: stdin is not UTF-8 text")))
            }
            (None, Some(path)) => {
                let path = self.settings.cwd.join(path);
                let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
                String::from_utf8(bytes).map_err(|_| {
                    Error::usage(format!(
                        "{flag}-file `{}` is not UTF-8 text",
                        path.display()
                    ))
                })
            }
            (None, None) => Err(Error::usage(format!("{flag} or {flag}-file is required"))),
        }
    }
}
