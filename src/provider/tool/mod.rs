//! External AI DevOps tools as providers: `kubectl-ai`, Docker AI ("Gordon"), `kagent`, and any
//! `command`.
//!
//! Each request runs the tool once as a child process ([`process`]), with the system text and
//! the prompt joined as its input. How each tool is called:
//!
//! | provider | command line | answer |
//! |---|---|---|
//! | `kubectl-ai` | `kubectl-ai --quiet --trace-path= [--llm-provider P] [--model M] "<prompt>"` | stdout, rendered for a terminal, turned back into Markdown ([`kubectl_ai`]) |
//! | `gordon` | `docker ai -C <project root> "<prompt>"` | stdout |
//! | `kagent` | `kagent invoke [-n NS] -a <agent> -t "<prompt>"` | the A2A JSON on stdout ([`kagent`]) |
//! | `command` | the argv of `command` under `[generate]`, prompt on stdin | stdout |
//!
//! aigen never passes `--skip-permissions` to kubectl-ai and never approves a kagent step: a tool
//! that wants to change something asks its user, not aigen. A model named `P/M` where `P` is one
//! of kubectl-ai's LLM providers (`ollama/llama3.1`) becomes `--llm-provider P --model M`.
//! Gordon and kagent choose their own model (kagent's comes from the agent's ModelConfig); a
//! `--model` for them is reported and ignored. The `command` provider gets the model and the task
//! name in `AIGEN_MODEL` and `AIGEN_TASK`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::cancel::CancellationToken;
use super::error::ProviderError;
use super::sink::{Event, Sink};
use super::{FINISH_LENGTH, ProviderConfig, ProviderKind, Request, Response, Task};

pub(crate) mod kagent;
pub(crate) mod kubectl_ai;
pub(crate) mod process;

use process::{Finished, Spec, Stopped, Utf8Pieces};

/// The kagent agent invoked when none is named.
pub(crate) const DEFAULT_KAGENT_AGENT: &str = "k8s-agent";
/// The longest single argument Linux passes to a program (`MAX_ARG_STRLEN`, 32 pages).
const MAX_ARGUMENT: usize = 128 * 1024 - 1;

/// The tools aigen can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolKind {
    KubectlAi,
    Gordon,
    Kagent,
    Command,
}

impl ToolKind {
    /// The provider name (`kubectl-ai`, `gordon`, `kagent`, `command`).
    pub(crate) fn name(self) -> &'static str {
        self.provider_kind().name()
    }

    /// The tool behind a provider kind, for the kinds that run a program.
    pub(crate) fn of(kind: ProviderKind) -> Option<Self> {
        match kind {
            ProviderKind::KubectlAi => Some(Self::KubectlAi),
            ProviderKind::Gordon => Some(Self::Gordon),
            ProviderKind::Kagent => Some(Self::Kagent),
            ProviderKind::Command => Some(Self::Command),
            ProviderKind::Builtin | ProviderKind::OpenAi => None,
        }
    }

    /// The matching provider kind.
    pub(crate) fn provider_kind(self) -> ProviderKind {
        match self {
            Self::KubectlAi => ProviderKind::KubectlAi,
            Self::Gordon => ProviderKind::Gordon,
            Self::Kagent => ProviderKind::Kagent,
            Self::Command => ProviderKind::Command,
        }
    }
}

/// One way of running a tool.
#[derive(Debug, Clone)]
pub struct Tool {
    kind: ToolKind,
    program: String,
    /// Arguments before the request's own (the `command` provider's argv after the program).
    leading_args: Vec<String>,
    working_dir: PathBuf,
    timeout: Duration,
    output_cap: usize,
    agent: String,
    env: Vec<(String, String)>,
}

/// The exact child process a request runs, for `--dry-run` and for records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    pub program: String,
    pub args: Vec<String>,
    /// What is written to stdin (the prompt, for `command`); `None` when stdin stays closed.
    pub stdin: Option<String>,
    /// Variables set for the child on top of aigen's environment.
    pub env: Vec<(String, String)>,
    /// Options the tool cannot take, ignored.
    pub ignored: Vec<String>,
}

impl Tool {
    /// A tool provider of `kind` configured by `config`.
    pub(crate) fn new(kind: ToolKind, config: &ProviderConfig) -> Result<Self, ProviderError> {
        let (program, leading_args) = match kind {
            ToolKind::KubectlAi => ("kubectl-ai".to_string(), Vec::new()),
            ToolKind::Gordon => ("docker".to_string(), Vec::new()),
            ToolKind::Kagent => ("kagent".to_string(), Vec::new()),
            ToolKind::Command => match config.command.split_first() {
                Some((program, args)) if !program.trim().is_empty() => {
                    (program.clone(), args.to_vec())
                }
                _ => {
                    return Err(ProviderError::config_with_hint(
                        "command",
                        "the `command` provider has no program to run",
                        "set it in aigen.toml, e.g. `[generate]` then \
                         `command = [\"llm\", \"-m\", \"gpt-4o\"]`: the prompt goes to its stdin \
                         and its stdout is the answer",
                    ));
                }
            },
        };
        Ok(Self {
            kind,
            program,
            leading_args,
            working_dir: config.working_dir.clone(),
            timeout: config.timeout,
            output_cap: config.output_cap,
            agent: config
                .agent
                .clone()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_KAGENT_AGENT.to_string()),
            env: config.env.clone(),
        })
    }

    /// Which tool this is.
    pub(crate) fn kind(&self) -> ToolKind {
        self.kind
    }

    /// The child process `request` would run.
    pub(crate) fn invocation(&self, request: &Request) -> Invocation {
        let text = request.combined_text();
        let model = request.model.clone().filter(|m| !m.trim().is_empty());
        let mut args = self.leading_args.clone();
        let mut stdin = None;
        let mut env = self.env.clone();
        let mut ignored = Vec::new();
        match self.kind {
            ToolKind::KubectlAi => {
                let wants_files = !matches!(request.task, Task::Free);
                args.extend(kubectl_ai::args(model, text, wants_files));
                env.push((
                    kubectl_ai::TERM_WIDTH_VARIABLE.to_string(),
                    kubectl_ai::TERM_WIDTH.to_string(),
                ));
            }
            ToolKind::Gordon => {
                args.extend(["ai".into(), "-C".into()]);
                args.push(self.working_dir.display().to_string());
                args.push(text);
                if let Some(model) = model {
                    ignored.push(format!(
                        "Gordon chooses its own model; `--model {model}` is ignored"
                    ));
                }
            }
            ToolKind::Kagent => {
                args.push("invoke".to_string());
                match self.agent.split_once('/') {
                    Some((namespace, agent)) => {
                        args.extend(["-n".into(), namespace.into(), "-a".into(), agent.into()]);
                    }
                    None => args.extend(["-a".into(), self.agent.clone()]),
                }
                args.extend(["-t".into(), text]);
                if let Some(model) = model {
                    ignored.push(format!(
                        "kagent's agent uses the model of its ModelConfig; `--model {model}` is \
                         ignored"
                    ));
                }
            }
            ToolKind::Command => {
                stdin = Some(text);
                if let Some(model) = model {
                    env.push(("AIGEN_MODEL".to_string(), model));
                }
                env.push(("AIGEN_TASK".to_string(), request.task.name().to_string()));
            }
        }
        Invocation {
            program: self.program.clone(),
            args,
            stdin,
            env,
            ignored,
        }
    }

    /// Runs the tool on `request`; its answer streams to `sink` (kagent's once it is parsed).
    pub(crate) async fn complete(
        &self,
        request: &Request,
        sink: &mut (dyn Sink + Send),
        cancel: &CancellationToken,
    ) -> Result<Response, ProviderError> {
        let started = Instant::now();
        let invocation = self.invocation(request);
        if let Some(bytes) = invocation
            .args
            .iter()
            .map(String::len)
            .find(|&len| len > MAX_ARGUMENT)
        {
            return Err(ProviderError::PromptTooLong {
                tool: self.kind.name().to_string(),
                program: self.program.clone(),
                bytes,
                limit: MAX_ARGUMENT,
            });
        }
        if !self.working_dir.is_dir() {
            return Err(ProviderError::config(
                self.kind.name(),
                format!(
                    "the working directory `{}` does not exist",
                    self.working_dir.display()
                ),
            ));
        }
        for note in &invocation.ignored {
            sink.event(Event::Warning(note));
        }
        let spec = Spec {
            program: &invocation.program,
            args: &invocation.args,
            stdin: invocation.stdin.as_deref(),
            env: &invocation.env,
            cwd: &self.working_dir,
            timeout: self.timeout,
            cap: self.output_cap,
        };
        // kagent's JSON and kubectl-ai's rendered text are read whole before anything is shown.
        let streams = !matches!(self.kind, ToolKind::Kagent | ToolKind::KubectlAi);
        let mut pieces = Utf8Pieces::default();
        let result = {
            let mut on_stdout = |bytes: &[u8]| {
                if streams {
                    let text = pieces.push(bytes);
                    if !text.is_empty() {
                        sink.event(Event::Text(&text));
                    }
                }
            };
            process::run(&spec, &mut on_stdout, cancel).await
        };
        let finished = result.map_err(|stopped| self.stopped(stopped))?;
        if streams {
            let rest = pieces.finish();
            if !rest.is_empty() {
                sink.event(Event::Text(&rest));
            }
        }
        let (text, finish_reason) = self.answer(finished, sink)?;
        Ok(Response {
            model: match (&request.model, self.kind) {
                (Some(model), ToolKind::KubectlAi | ToolKind::Command) => model.clone(),
                (_, ToolKind::Kagent) => format!("kagent/{}", self.agent),
                _ => self.kind.name().to_string(),
            },
            text,
            usage: None,
            latency: started.elapsed(),
            attempts: 1,
            finish_reason,
        })
    }

    /// The answer in a finished run, or why there is none.
    fn answer(
        &self,
        finished: Finished,
        sink: &mut (dyn Sink + Send),
    ) -> Result<(String, Option<String>), ProviderError> {
        let tool = self.kind.name().to_string();
        let stdout = String::from_utf8_lossy(&finished.stdout).into_owned();
        if !finished.status.success() && !finished.truncated {
            if self.kind == ToolKind::Gordon && is_missing_docker_ai(&finished.stderr) {
                return Err(ProviderError::ToolUnavailable {
                    tool,
                    message: "Docker is installed but has no `docker ai` (Gordon)".to_string(),
                    hint: "update Docker Desktop, enable Docker AI in Settings (Beta features / \
                           AI), sign in, and run again; `--provider builtin` generates offline"
                        .to_string(),
                });
            }
            let stderr = match self.kind {
                ToolKind::KubectlAi => kubectl_ai::error_text(&finished.stderr),
                _ => finished.stderr,
            };
            return Err(ProviderError::ToolFailed {
                tool,
                program: self.program.clone(),
                status: process::describe(finished.status),
                stderr,
                partial: stdout,
            });
        }
        if finished.truncated {
            let note = format!(
                "`{}` printed more than {} bytes; aigen stopped it and kept the first {} bytes, so \
                 the answer is incomplete",
                self.program, self.output_cap, self.output_cap
            );
            sink.event(Event::Warning(&note));
        }
        if self.kind == ToolKind::Kagent {
            return self.kagent_answer(&stdout, finished.stderr, sink);
        }
        let stdout = match self.kind {
            ToolKind::KubectlAi => kubectl_ai::answer_text(&stdout),
            _ => stdout,
        };
        if stdout.trim().is_empty() {
            return Err(ProviderError::NoAnswer {
                tool,
                detail: format!("`{}` printed nothing on stdout", self.program),
                stderr: finished.stderr,
            });
        }
        if self.kind == ToolKind::KubectlAi {
            sink.event(Event::Text(&stdout));
        }
        let reason = finished.truncated.then(|| FINISH_LENGTH.to_string());
        Ok((stdout, reason))
    }

    fn kagent_answer(
        &self,
        stdout: &str,
        stderr: String,
        sink: &mut (dyn Sink + Send),
    ) -> Result<(String, Option<String>), ProviderError> {
        let tool = self.kind.name().to_string();
        match kagent::parse(stdout) {
            Ok(kagent::Outcome::Answer { text, state }) => {
                sink.event(Event::Text(&text));
                Ok((text, state))
            }
            Ok(kagent::Outcome::InputRequired { task_id, message }) => {
                Err(ProviderError::InputRequired {
                    tool,
                    task_id,
                    message,
                })
            }
            Ok(kagent::Outcome::Failed { state, message }) => Err(ProviderError::NoAnswer {
                tool,
                detail: if message.is_empty() {
                    format!("the agent's task ended in state `{state}`")
                } else {
                    format!("the agent's task ended in state `{state}`: {message}")
                },
                stderr,
            }),
            Err(detail) => Err(ProviderError::NoAnswer {
                tool,
                detail,
                stderr,
            }),
        }
    }

    fn stopped(&self, stopped: Stopped) -> ProviderError {
        let tool = self.kind.name().to_string();
        match stopped {
            Stopped::Spawn(error) if error.kind() == std::io::ErrorKind::NotFound => {
                ProviderError::ToolMissing {
                    tool,
                    program: self.program.clone(),
                }
            }
            Stopped::Spawn(error) => ProviderError::ToolUnavailable {
                tool,
                message: format!("`{}` cannot be started: {error}", self.program),
                hint: "check that the program is executable and that you may run it".to_string(),
            },
            Stopped::Read(error) => ProviderError::ToolFailed {
                tool,
                program: self.program.clone(),
                status: format!("could not be read: {error}"),
                stderr: String::new(),
                partial: String::new(),
            },
            Stopped::Timeout { stdout, stderr } => ProviderError::Timeout {
                provider: tool,
                detail: format!(
                    "`{}` was still running and has been stopped{}",
                    self.program,
                    if stderr.trim().is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (its last stderr line: {})",
                            stderr.trim().lines().last().unwrap_or_default()
                        )
                    }
                ),
                after: self.timeout,
                partial: String::from_utf8_lossy(&stdout).into_owned(),
            },
            Stopped::Interrupted { stdout } => ProviderError::Interrupted {
                partial: String::from_utf8_lossy(&stdout).into_owned(),
            },
        }
    }
}

/// Docker without the AI plugin says `docker: 'ai' is not a docker command.` (older CLIs) or
/// `unknown command: docker ai` (newer ones).
fn is_missing_docker_ai(stderr: &str) -> bool {
    stderr.contains("'ai' is not a docker command") || stderr.contains("unknown command: docker ai")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::RetryPolicy;

    fn config(kind: ProviderKind) -> ProviderConfig {
        ProviderConfig {
            kind,
            base_url: None,
            api_key: None,
            timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            working_dir: PathBuf::from("/work/app"),
            command: vec!["llm".into(), "-m".into(), "x".into()],
            agent: None,
            output_cap: 1024,
            env: Vec::new(),
        }
    }

    fn request(model: Option<&str>) -> Request {
        Request {
            system: "Be brief.".into(),
            prompt: "List pods".into(),
            model: model.map(str::to_string),
            task: Task::Free,
        }
    }

    #[test]
    fn kubectl_ai_runs_quietly_and_splits_provider_prefixed_models() {
        let tool = Tool::new(ToolKind::KubectlAi, &config(ProviderKind::KubectlAi)).unwrap();
        let call = tool.invocation(&request(Some("ollama/llama3.1")));
        assert_eq!(call.program, "kubectl-ai");
        assert_eq!(
            call.args,
            [
                "--quiet",
                "--trace-path=",
                "--llm-provider",
                "ollama",
                "--model",
                "llama3.1",
                "Be brief.\n\nList pods"
            ]
        );
        assert!(!call.args.iter().any(|a| a.contains("skip-permissions")));
        assert!(
            call.env
                .contains(&("KUBECTL_AI_TERM_WIDTH".into(), "1000".into()))
        );
        let call = tool.invocation(&request(Some("meta-llama/Llama-3")));
        assert_eq!(call.args[2..4], ["--model", "meta-llama/Llama-3"]);
        assert_eq!(call.stdin, None);
        // A request for files asks for each path above its block, which kubectl-ai's rendering
        // keeps; a question does not.
        let fix = Request {
            task: Task::Fix {
                files: vec![],
                findings: vec![],
            },
            ..request(None)
        };
        let call = tool.invocation(&fix);
        assert!(call.args.last().unwrap().ends_with(kubectl_ai::FILE_NAMES));
        let call = tool.invocation(&request(None));
        assert!(!call.args.last().unwrap().contains(kubectl_ai::FILE_NAMES));
    }

    #[test]
    fn gordon_and_kagent_take_the_prompt_as_an_argument() {
        let gordon = Tool::new(ToolKind::Gordon, &config(ProviderKind::Gordon)).unwrap();
        let call = gordon.invocation(&request(Some("gpt-4o")));
        assert_eq!(call.program, "docker");
        assert_eq!(call.args[..3], ["ai", "-C", "/work/app"]);
        assert_eq!(call.ignored.len(), 1);

        let mut with_agent = config(ProviderKind::Kagent);
        with_agent.agent = Some("kagent/helm-agent".into());
        let kagent = Tool::new(ToolKind::Kagent, &with_agent).unwrap();
        let call = kagent.invocation(&request(None));
        assert_eq!(
            call.args,
            [
                "invoke",
                "-n",
                "kagent",
                "-a",
                "helm-agent",
                "-t",
                "Be brief.\n\nList pods"
            ]
        );
    }

    #[test]
    fn command_gets_the_prompt_on_stdin() {
        let tool = Tool::new(ToolKind::Command, &config(ProviderKind::Command)).unwrap();
        let call = tool.invocation(&request(Some("m")));
        assert_eq!(call.program, "llm");
        assert_eq!(call.args, ["-m", "x"]);
        assert_eq!(call.stdin.as_deref(), Some("Be brief.\n\nList pods"));
        assert!(call.env.contains(&("AIGEN_MODEL".into(), "m".into())));
        assert!(call.env.contains(&("AIGEN_TASK".into(), "free".into())));

        let mut empty = config(ProviderKind::Command);
        empty.command.clear();
        let error = Tool::new(ToolKind::Command, &empty).unwrap_err();
        assert!(error.hint().unwrap().contains("[generate]"));
    }
}
