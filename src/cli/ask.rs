//! `aigen ask`: a free-form prompt to an AI DevOps tool (or an OpenAI-compatible model), its
//! answer on stdout, and the exchange recorded as a PHR, failures and interruptions included.

use std::io::Write;

use clap::Args;
use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use serde_json::json;

use super::args::FormatArgs;
use super::{Context, command_line};
use crate::error::{ExitStatus, Result};
use crate::phr::{NewRecord, Stage};
use crate::provider::{Event, Provider, ProviderKind, RedactingSink, Request, Sink, Task, openai};
use crate::settings::Flags;

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// The tool to ask.
    #[arg(long, value_name = "TOOL", value_parser = tool_parser())]
    pub tool: ProviderKind,

    /// The prompt.
    #[arg(value_name = "PROMPT")]
    pub prompt: String,

    /// Model name passed to the tool [env: AIGEN_MODEL].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Spec-Kit feature the record is filed under [env: AIGEN_FEATURE].
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,

    /// kagent agent to invoke (default k8s-agent).
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,

    /// Base URL of an OpenAI-compatible server (for --tool openai).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Show what would be run; run nothing, record nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds before the tool is stopped.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,

    #[command(flatten)]
    pub output: FormatArgs,
}

/// The providers `--tool` takes: every one but the builtin generator, which answers generation
/// requests only, not free-form questions.
fn tool_parser() -> impl TypedValueParser<Value = ProviderKind> {
    PossibleValuesParser::new(
        ProviderKind::value_variants()
            .iter()
            .filter(|kind| **kind != ProviderKind::Builtin)
            .filter_map(ValueEnum::to_possible_value),
    )
    .try_map(|name| name.parse::<ProviderKind>())
}

impl AskArgs {
    /// What these flags say about the settings: `--tool` names the provider.
    fn flags(&self) -> Flags {
        Flags {
            provider: Some(self.tool),
            model: self.model.clone(),
            base_url: self.base_url.clone(),
            feature: self.feature.clone(),
            timeout_secs: self.timeout,
            agent: self.agent.clone(),
            ..Flags::default()
        }
    }
}

pub(crate) fn run(args: AskArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.flags())?;
    let (settings, store, redactor) = (&project.settings, &project.store, &project.redactor);
    let printer = &context.printer;
    let json = args.output.is_json();
    let kind = settings.provider;
    let provider = project.provider(&[])?;
    let request = Request {
        system: String::new(),
        prompt: args.prompt.clone(),
        model: settings.model.clone(),
        task: Task::Free,
    };

    if args.dry_run {
        let what = match &provider {
            Provider::Tool(tool) => {
                let invocation = tool.invocation(&request);
                format!("{} {}", invocation.program, invocation.args.join(" "))
            }
            _ => format!(
                "POST {}/chat/completions (model {})",
                settings
                    .base_url
                    .as_deref()
                    .unwrap_or(openai::DEFAULT_BASE_URL)
                    .trim_end_matches('/'),
                request.model.as_deref().unwrap_or("the default")
            ),
        };
        let what = redactor.redact_string(&what);
        if json {
            printer.out(json!({ "dry_run": true, "tool": kind.name(), "would_run": what }))?;
        } else {
            printer.out(format!("dry run: would run {what}; nothing is sent"))?;
        }
        return Ok(ExitStatus::Success);
    }

    // The answer is the data: streamed to stdout in text mode, redacted as it comes, with the
    // secrets of the prompt masked wherever it echoes them.
    redactor.learn(&request.prompt);
    let mut stdout = |event: Event<'_>| {
        if let Event::Text(text) = event
            && !json
        {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    };
    let result = {
        let mut sink = RedactingSink::new(&mut stdout, redactor);
        let sink_ref: &mut (dyn Sink + Send) = &mut sink;
        let result = provider.complete_blocking(&request, sink_ref, None);
        sink.flush();
        result
    };
    let feature = settings.feature.clone();
    let title = title_of(&args.prompt);
    let mut record = NewRecord {
        feature: feature.clone(),
        model: request.model.clone(),
        labels: vec!["ask".into(), kind.name().into()],
        prompt: args.prompt.clone(),
        command: Some("aigen ask".into()),
        provider: Some(kind.name().into()),
        tool: kind.is_tool().then(|| kind.to_string()),
        command_line: Some(command_line()),
        ..NewRecord::new(title, Stage::of_work(feature.as_deref()))
    };
    match result {
        Ok(response) => {
            record.response = response.text.clone();
            record.model = Some(response.model.clone());
            record.tokens = response.usage.map(Into::into);
            record.latency_ms = Some(response.latency_ms());
            let appended = store.append(record)?;
            if json {
                let mut value = json!({
                    "record": appended.reference,
                    "path": appended.path,
                    "tool": kind.name(),
                    "model": response.model,
                    "usage": response.usage,
                    "response": response.text,
                });
                redactor.redact_json(&mut value);
                printer.out(value)?;
            } else {
                if !response.text.ends_with('\n') {
                    printer.out("")?;
                }
                printer.status(format!("recorded as {}", appended.reference));
            }
            Ok(ExitStatus::Success)
        }
        Err(error) => {
            record.response = error.partial().to_string();
            record.outcome = error.outcome();
            let appended = store.append(record)?;
            printer.status(format!("recorded as {}", appended.reference));
            Err(redactor.redact_error(error.into()))
        }
    }
}

/// A record title from a prompt: its first line, cut at a word boundary.
fn title_of(prompt: &str) -> String {
    let first = prompt
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("ask");
    let mut title = String::new();
    for word in first.split_whitespace() {
        if title.len() + word.len() > 60 {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        first.chars().take(60).collect()
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_are_the_first_line_cut_at_a_word() {
        assert_eq!(
            super::title_of("\n  scale the backend to 3\nmore"),
            "scale the backend to 3"
        );
        let long = "word ".repeat(30);
        assert!(super::title_of(&long).len() <= 60);
    }
}
