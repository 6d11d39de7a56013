//! The builtin generator behind the same interface as the models, so its answers are extracted,
//! linted, recorded and staged the same way.
//!
//! It answers from the structured [`Task`], never from the prompt text. Its answer is Markdown
//! with one fenced block per file, each titled with its path, which is the shape the prompts ask
//! models for. A fix or a review is answered with its own canonical version of each file it
//! would generate for the project's services; files it does not generate are left out.

use std::time::Instant;

use super::{self as builtin, GeneratedFile, Params};
use crate::detect::Service;
use crate::provider::answer::file_block;
use crate::provider::{ProviderError, Request, Response, Task};

/// The model name records give the builtin generator.
pub const MODEL: &str = "aigen-builtin";

/// The offline generator, set up for one project.
#[derive(Debug, Clone)]
pub struct Builtin {
    params: Params,
    services: Vec<Service>,
}

impl Builtin {
    /// A generator with these parameters, knowing the project's services (for fixes and reviews).
    pub(crate) fn new(params: Params, services: Vec<Service>) -> Self {
        Self { params, services }
    }

    /// Answers a request.
    pub(crate) fn complete(&self, request: &Request) -> Result<Response, ProviderError> {
        let started = Instant::now();
        let files = self.files_for(&request.task)?;
        Ok(Response {
            text: render_answer(&files),
            model: MODEL.to_string(),
            usage: None,
            latency: started.elapsed(),
            attempts: 1,
            finish_reason: Some("stop".to_string()),
        })
    }

    /// The files that answer a task.
    pub(crate) fn files_for(&self, task: &Task) -> Result<Vec<GeneratedFile>, ProviderError> {
        let files = match task {
            Task::Dockerfile { service, .. } => {
                if !builtin::supports(service) {
                    return Err(ProviderError::config_with_hint(
                        "builtin",
                        format!(
                            "the builtin generator has no Dockerfile template for {} services (`{}`)",
                            service.language.value, service.name
                        ),
                        "use `--provider openai` or one of the AI DevOps tools for this service",
                    ));
                }
                builtin::dockerfile(service, &self.params)
            }
            Task::Manifests { services, .. } => builtin::manifests(services, &self.params),
            Task::Helm { services, .. } => builtin::helm_chart(services, &self.params),
            Task::Fix { files, .. } | Task::Review { files, .. } => {
                let own = builtin::generate_all(&self.services, &self.params);
                files
                    .iter()
                    .filter_map(|(path, _)| own.iter().find(|f| &f.path == path).cloned())
                    .collect()
            }
            Task::Free => {
                return Err(ProviderError::config_with_hint(
                    "builtin",
                    "the builtin generator answers generation requests only, not free-form questions",
                    "ask a model: `--tool openai`, `kubectl-ai`, `kagent` or `gordon`",
                ));
            }
        };
        if let Some(targets) = task_targets(task) {
            return Ok(files
                .into_iter()
                .filter(|file| targets.iter().any(|t| t == &file.path))
                .collect());
        }
        Ok(files)
    }
}

/// The targets a generating task restricts its answer to (`None`: no restriction).
fn task_targets(task: &Task) -> Option<&[String]> {
    match task {
        Task::Dockerfile { targets, .. }
        | Task::Manifests { targets, .. }
        | Task::Helm { targets, .. }
            if !targets.is_empty() =>
        {
            Some(targets)
        }
        _ => None,
    }
}

/// One fenced block per file, titled with its path.
pub fn render_answer(files: &[GeneratedFile]) -> String {
    let mut text = String::from("Generated offline by aigen's builtin generator.\n");
    for file in files {
        text.push('\n');
        text.push_str(&file_block(&file.path, &file.content));
    }
    text
}
