//! The command line: clap definitions and dispatch, one file per command.
//!
//! [`main`] parses the arguments, builds the [`Printer`], runs the command and maps its outcome to
//! the documented exit codes. Each command module holds its `Args` and a `run` function that
//! returns an [`ExitStatus`]. A command turns its flags into [`Flags`] and gets its [`Settings`]
//! from [`Context::settings`] (or the opened [`Project`] from [`Context::open_project`]), the one
//! step that merges flags, environment and `aigen.toml`; it never reads the environment itself.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::ProviderKind;
use crate::error::{ExitStatus, Result};
use crate::printer::{ColorChoice, Printer, Verbosity};
use crate::project::Project;
use crate::settings::{Flags, GlobalOptions, Settings};

pub(crate) mod apply;
pub(crate) mod args;
pub(crate) mod ask;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod detect;
pub(crate) mod dockerfile;
pub(crate) mod generate;
pub(crate) mod helm;
pub(crate) mod history;
pub(crate) mod init;
pub(crate) mod job_runner;
pub(crate) mod lint;
pub(crate) mod manifest;
pub(crate) mod mcp;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  findings at or above the threshold, or a verification failed
  2  usage or input error (bad arguments, unreadable or malformed files)
  3  an external dependency failed (LLM, AI tool, cluster, Docker Engine)";

/// Generate container and Kubernetes infrastructure with AI: every prompt recorded, every
/// artifact checked against the constitution, nothing written without approval.
#[derive(Debug, Parser)]
#[command(name = "aigen", version, about, max_term_width = 100, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// Run as if aigen was started in <DIR>.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    /// Use this config file instead of the nearest aigen.toml [env: AIGEN_CONFIG].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Say more about what is being done (repeatable).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print only data and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to use colour; `NO_COLOR` turns it off in `auto`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t, global = true)]
    pub color: ColorChoice,

    /// Provider of the generating commands, as their own `--provider` takes it [env:
    /// AIGEN_PROVIDER] (default: openai when OPENAI_API_KEY is set, else builtin).
    #[arg(long, value_enum, value_name = "NAME")]
    pub provider: Option<ProviderKind>,

    #[command(subcommand)]
    pub command: Command,
}

/// aigen's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Set up aigen in a repository: aigen.toml, the constitution, prompts, history and staging.
    Init(init::InitArgs),
    /// Show the services of the repository and what aigen knows about each.
    Detect(detect::DetectArgs),
    /// Generate everything: a Dockerfile per service, the manifests and the Helm chart.
    Generate(generate::GenerateAllArgs),
    /// Generate a Dockerfile and .dockerignore per service.
    Dockerfile(dockerfile::DockerfileArgs),
    /// Generate Kubernetes manifests, or review existing ones with `--review`.
    Manifest(manifest::ManifestArgs),
    /// Generate a Helm chart for all services.
    Helm(helm::HelmArgs),
    /// Check Dockerfiles, manifests and charts against the constitution.
    Lint(lint::LintArgs),
    /// Review staged artifacts and write the approved ones (or apply them to a cluster).
    Apply(apply::ApplyArgs),
    /// Run an AI DevOps tool on a free-form prompt and record the exchange.
    Ask(ask::AskArgs),
    /// The Prompt History Record audit trail.
    History(history::HistoryArgs),
    /// The constitution gate: artifacts present, lint clean, every file traced to a record.
    Check(check::CheckArgs),
    /// Build each service's image through the Docker Engine; `--run` also runs and judges it.
    Build(build::BuildArgs),
    /// Build, run and judge each service's image (`aigen build --run`).
    Verify(build::BuildArgs),
    /// Serve aigen to MCP clients (kubectl-ai, Gordon, kagent, Claude Code) over stdio or HTTP.
    Mcp(mcp::McpArgs),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
}

/// What every command gets: the printer and the way to its settings.
#[derive(Debug)]
pub(crate) struct Context {
    pub printer: Printer,
    pub options: GlobalOptions,
    /// The command's redactor: whatever it redacts (a prompt, an answer, an error) it masks in
    /// everything the command prints or writes after, its error message included.
    pub redactor: crate::secrets::Redactor,
}

impl Context {
    /// The settings the command runs with: its flags over the global ones, the environment and
    /// `aigen.toml`.
    pub(crate) fn settings(&self, flags: &Flags) -> Result<Settings> {
        Settings::from_env(&self.options, flags)
    }

    /// The project the command works on, opened with its settings.
    pub(crate) fn open_project(&self, flags: &Flags) -> Result<Project> {
        Project::open(self.settings(flags)?, &self.printer, &self.redactor)
    }
}

/// The command line as typed, for records (redacted when recorded).
pub(crate) fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Runs aigen with the process's arguments and returns its exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose > 0 {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let context = Context {
        printer: Printer::new(verbosity, cli.color),
        options: GlobalOptions {
            directory: cli.directory.clone(),
            config: cli.config.clone(),
            provider: cli.provider,
        },
        redactor: crate::secrets::Redactor::from_environment(),
    };
    let status = match run(cli.command, &context) {
        Ok(status) => status,
        Err(error) if error.is_broken_pipe() => ExitStatus::Success,
        Err(error) => {
            // Errors quote inputs (a path, a line, a server's message): no secret goes out.
            let error = context.redactor.redact_error(error);
            context.printer.error(&error);
            error.exit_status()
        }
    };
    status.into()
}

/// Runs one command.
pub(crate) fn run(command: Command, context: &Context) -> Result<ExitStatus> {
    match command {
        Command::Init(args) => init::run(args, context),
        Command::Detect(args) => detect::run(args, context),
        Command::Generate(args) => generate::run(args, context),
        Command::Dockerfile(args) => dockerfile::run(args, context),
        Command::Manifest(args) => manifest::run(args, context),
        Command::Helm(args) => helm::run(args, context),
        Command::Lint(args) => lint::run(args, context),
        Command::Apply(args) => apply::run(args, context),
        Command::Ask(args) => ask::run(args, context),
        Command::History(args) => history::run(args, context),
        Command::Check(args) => check::run(args, context),
        Command::Build(args) => build::run(args, false, context),
        Command::Verify(args) => build::run(args, true, context),
        Command::Mcp(args) => mcp::run(args, context),
        Command::Completions(args) => completions::run(args, context),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
