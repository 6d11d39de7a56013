//! The prompts a client can run with its own model: aigen's templates under `prompts/` (the
//! project's overrides, else the built-in ones), rendered for the project exactly as a
//! generating command would send them ([`crate::generate::pipeline::Generator::first_prompt`]),
//! the system text first. Getting a prompt writes nothing and asks no model.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResult, ListPromptsResult, Prompt, PromptArgument,
    PromptMessage, Role,
};

use super::server::Shared;
use crate::config::ProviderKind;
use crate::error::{Error, Result};
use crate::generate::jobs::ReviewKind;
use crate::generate::pipeline::SYSTEM;
use crate::printer::error_text;
use crate::project::Project;
use crate::project::generation::Request;
use crate::settings::Flags;

/// A prompt argument: name, description, required.
type Argument = (&'static str, &'static str, bool);

/// Each prompt: its name (the template's, without `.md`), what it is for, its arguments.
const PROMPTS: [(&str, &str, &[Argument]); 4] = [
    (
        "dockerfile",
        "A Dockerfile and .dockerignore for one service of the project",
        &[(
            "service",
            "The service, by name (the tool `detect` lists them)",
            true,
        )],
    ),
    (
        "manifest",
        "Kubernetes manifests for the project's services",
        &[(
            "services",
            "Services, comma-separated (default: every service)",
            false,
        )],
    ),
    (
        "helm",
        "One Helm chart for every service of the project",
        &[],
    ),
    (
        "review",
        "A review of existing Dockerfiles or manifests, with their lint findings",
        &[
            ("kind", "`dockerfile` or `manifest`", true),
            (
                "paths",
                "Files or directories, comma-separated, relative to the project root (default: every Dockerfile, or the manifests directory)",
                false,
            ),
        ],
    ),
];

/// The prompts.
pub(crate) fn list() -> ListPromptsResult {
    ListPromptsResult::with_all_items(
        PROMPTS
            .iter()
            .map(|(name, description, arguments)| {
                let arguments = arguments
                    .iter()
                    .map(|(name, description, required)| {
                        PromptArgument::new(*name)
                            .with_description(*description)
                            .with_required(*required)
                    })
                    .collect();
                Prompt::new(*name, Some(*description), Some(arguments))
            })
            .collect(),
    )
}

/// One prompt rendered for the project: a user message per job (one service, one set of
/// manifests, one chart, one review).
pub(crate) fn get(
    shared: &Shared,
    request: &GetPromptRequestParams,
) -> Result<GetPromptResult, McpError> {
    render(shared, request).map_err(|error| {
        let text = error_text(&shared.redactor.redact_error(error), false);
        McpError::invalid_params(text.trim_end().to_string(), None)
    })
}

fn render(shared: &Shared, request: &GetPromptRequestParams) -> Result<GetPromptResult> {
    let argument = |name: &str| -> Option<String> {
        request
            .arguments
            .as_ref()
            .and_then(|a| a.get(name))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let list = |name: &str| -> Vec<String> {
        argument(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let required = |name: &str| {
        argument(name).ok_or_else(|| {
            Error::usage(format!(
                "the prompt `{}` needs the argument `{name}`",
                request.name
            ))
        })
    };
    // The jobs are the same whichever provider answers them; the builtin one needs no key.
    let flags = Flags {
        provider: Some(ProviderKind::Builtin),
        ..Flags::default()
    };
    let mut project = Project::open(shared.settings(&flags)?, &shared.printer, &shared.redactor)?;
    let root = project.settings.root.clone();
    let services;
    let paths;
    let request_of = match request.name.as_str() {
        "dockerfile" => {
            services = vec![required("service")?];
            Request::Dockerfiles {
                services: &services,
                all: false,
            }
        }
        "manifest" => {
            services = list("services");
            Request::Manifests {
                services: &services,
                all: services.is_empty(),
                namespace: false,
            }
        }
        "helm" => Request::Chart {
            name: None,
            ingress: false,
        },
        "review" => {
            let kind = match required("kind")?.as_str() {
                "dockerfile" => ReviewKind::Dockerfile,
                "manifest" => ReviewKind::Manifest,
                other => {
                    return Err(Error::usage(format!(
                        "`{other}` is not a kind of review (`dockerfile` or `manifest`)"
                    )));
                }
            };
            paths = list("paths")
                .iter()
                .map(|p| super::tools::readable(p, &root))
                .collect::<Result<Vec<_>>>()?;
            Request::Review {
                kind,
                paths: &paths,
            }
        }
        other => {
            return Err(Error::usage_with_hint(
                format!("no prompt named `{other}`"),
                "the prompts are dockerfile, manifest, helm and review",
            ));
        }
    };
    let planned = project.plan(request_of)?;
    let prompts_dir = project.settings.prompts_dir();
    let mut messages = Vec::with_capacity(planned.jobs.len());
    let mut templates = Vec::new();
    for job in &planned.jobs {
        let (template, prompt) = job.prompt(&prompts_dir)?;
        templates.push(format!("{} ({})", template.id(), template.origin));
        let text = shared
            .redactor
            .redact_string(&format!("{SYSTEM}\n\n{prompt}"));
        messages.push(PromptMessage::new_text(Role::User, text));
    }
    Ok(GetPromptResult::new(messages).with_description(format!(
        "aigen's prompt {}, rendered for the project",
        templates.join(", ")
    )))
}
