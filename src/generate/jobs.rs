//! Jobs: what one generating command asks a provider for, before any provider sees it.
//!
//! A [`Job`] holds the prompt template and its context, the structured [`Task`] for the builtin
//! provider, and the files the answer may produce: a Dockerfile, the manifests or the chart to
//! generate, or existing files to [`review`]. The targets are the paths the builtin
//! generator would write for the same request, so every provider is held to the same files.

use std::path::Path;

use serde_json::json;

use super::constitution_text::{self, Audience};
use super::extract::Expected;
use super::prompt::{FILE_CAP, Template, fence, fence_files, finding_values};
use crate::detect::Service;
use crate::fsutil::check_target;
use crate::policy::dockerfile::Dockerignore;
use crate::policy::dockerfile::dockerignore;
use crate::policy::{Constitution, FileKind, Finding};
use crate::provider::Task;
use crate::provider::builtin::{self, Params};

/// One request to generate files, ready for the lint-guided loop.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// Short title, used for records (`Dockerfile for backend`).
    pub title: String,
    /// The prompt template's file name under `prompts/`.
    pub template: &'static str,
    /// What the template is rendered with.
    pub context: serde_json::Value,
    /// The same request in structured form.
    pub task: Task,
    /// The files the answer may produce.
    pub expected: Expected,
    /// Labels for the records (`dockerfile`, the service names).
    pub labels: Vec<String>,
}

impl Job {
    /// The prompt of the job's first round: its template (the project's override in
    /// `prompts_dir`, else the built-in one) rendered with its context.
    pub(crate) fn prompt(&self, prompts_dir: &Path) -> crate::error::Result<(Template, String)> {
        let template = Template::load(prompts_dir, self.template)?;
        let prompt = template.render(&self.context)?;
        Ok((template, prompt))
    }
}

/// A Dockerfile and its `.dockerignore` for one service.
pub(crate) fn dockerfile(
    service: &Service,
    params: &Params,
    constitution: &Constitution,
    root: &Path,
) -> Job {
    let dockerfile = params.dockerfile_path(&service.name);
    let dockerignore = format!("{dockerfile}.dockerignore");
    let targets = vec![dockerfile.clone(), dockerignore.clone()];
    Job {
        title: format!("Dockerfile for {}", service.name),
        template: "dockerfile.md",
        context: json!({
            "service": service,
            "target": dockerfile,
            "dockerignore_target": dockerignore,
            "rules": constitution_text::in_words(constitution, Audience::Dockerfile),
            "existing": existing(root, std::slice::from_ref(&dockerfile)),
        }),
        task: Task::Dockerfile {
            service: Box::new(service.clone()),
            targets: targets.clone(),
        },
        expected: Expected::files(targets),
        labels: vec!["dockerfile".into(), service.name.clone()],
    }
}

/// Kubernetes manifests for a set of services.
pub(crate) fn manifests(
    services: &[Service],
    params: &Params,
    constitution: &Constitution,
    root: &Path,
) -> Job {
    let targets: Vec<String> = builtin::manifests(services, params)
        .into_iter()
        .map(|f| f.path)
        .collect();
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let mut labels = vec!["manifest".to_string()];
    labels.extend(names.iter().map(|n| n.to_string()));
    Job {
        title: format!("Kubernetes manifests for {}", names.join(", ")),
        template: "manifest.md",
        context: json!({
            "app": params.app,
            "services": services,
            "images": services.iter().map(|s| image_of(params, &s.name)).collect::<Vec<_>>(),
            "manifests_dir": params.manifest_dir(),
            "targets": targets,
            "rules": constitution_text::in_words(constitution, Audience::Kubernetes),
            "existing": existing(root, &targets),
        }),
        task: Task::Manifests {
            services: services.to_vec(),
            targets: targets.clone(),
        },
        expected: Expected::files(targets),
        labels,
    }
}

/// One Helm chart for all services.
pub(crate) fn helm(services: &[Service], params: &Params, constitution: &Constitution) -> Job {
    let targets: Vec<String> = builtin::helm_chart(services, params)
        .into_iter()
        .map(|f| f.path)
        .collect();
    let chart_dir = params.chart_dir();
    Job {
        title: format!("Helm chart {}", params.app),
        template: "helm.md",
        context: json!({
            "chart": params.app,
            "chart_dir": chart_dir,
            "services": services,
            "targets": targets,
            "rules": constitution_text::in_words(constitution, Audience::Kubernetes),
        }),
        task: Task::Helm {
            chart: params.app.clone(),
            services: services.to_vec(),
            targets: targets.clone(),
        },
        expected: Expected {
            targets,
            directories: vec![chart_dir],
            optional: Vec::new(),
        },
        labels: vec!["helm".into(), params.app.clone()],
    }
}

/// Which files a review is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReviewKind {
    Dockerfile,
    Manifest,
}

impl ReviewKind {
    /// The kind of file reviewed.
    pub(crate) fn file_kind(self) -> FileKind {
        match self {
            Self::Dockerfile => FileKind::Dockerfile,
            Self::Manifest => FileKind::Kubernetes,
        }
    }
}

/// A review of existing files (`--review`): the files and their findings go to the provider,
/// which answers with corrected versions of the same files, and may add the `.dockerignore` a
/// reviewed Dockerfile lacks.
pub(crate) fn review(
    kind: ReviewKind,
    files: Vec<(String, String)>,
    findings: &[Finding],
    constitution: &Constitution,
    root: &Path,
) -> Job {
    let audience = match kind {
        ReviewKind::Dockerfile => Audience::Dockerfile,
        ReviewKind::Manifest => Audience::Kubernetes,
    };
    let fenced = fence_files(
        files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    );
    let reviewed: Vec<String> = files.iter().map(|(path, _)| path.clone()).collect();
    let added = match kind {
        ReviewKind::Dockerfile => missing_dockerignores(&reviewed, root),
        ReviewKind::Manifest => Vec::new(),
    };
    let mut optional: Vec<String> = added
        .iter()
        .flat_map(|m| [m.beside.clone(), m.in_directory.clone()])
        .collect();
    optional.sort();
    optional.dedup();
    // The builtin generator answers from the task: it writes the `.dockerignore` beside the
    // Dockerfile, as it does when it generates one.
    let mut task_files = files;
    task_files.extend(added.iter().map(|m| (m.beside.clone(), String::new())));
    let label = match kind {
        ReviewKind::Dockerfile => "dockerfile",
        ReviewKind::Manifest => "manifest",
    };
    Job {
        title: format!("Review of {}", reviewed.join(", ")),
        template: "review.md",
        context: json!({
            "rules": constitution_text::in_words(constitution, audience),
            "findings": finding_values(findings),
            "files": fenced,
        }),
        task: Task::Review {
            files: task_files,
            findings: findings.iter().map(Finding::short).collect(),
        },
        expected: Expected {
            optional,
            ..Expected::files(reviewed)
        },
        labels: vec!["review".into(), label.into()],
    }
}

/// Where a reviewed Dockerfile that has no `.dockerignore` may get one.
struct MissingDockerignore {
    /// `<Dockerfile>.dockerignore`, which BuildKit reads first.
    beside: String,
    /// `.dockerignore` in the Dockerfile's directory, where the finding says one is looked for.
    in_directory: String,
}

/// The reviewed Dockerfiles with no `.dockerignore` on disk: a review may add one, since the
/// finding about it can be fixed no other way.
fn missing_dockerignores(dockerfiles: &[String], root: &Path) -> Vec<MissingDockerignore> {
    dockerfiles
        .iter()
        .filter(|path| {
            let found = dockerignore::find(
                &root.join(path),
                root,
                &dockerignore::read_file,
                &|p: &Path| p.to_path_buf(),
            );
            matches!(found, Dockerignore::Missing { .. })
        })
        .map(|path| {
            let directory = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            MissingDockerignore {
                beside: format!("{path}.dockerignore"),
                in_directory: if directory.is_empty() {
                    ".dockerignore".to_string()
                } else {
                    format!("{directory}/.dockerignore")
                },
            }
        })
        .collect()
}

/// The image reference a service's manifests use.
fn image_of(params: &Params, service: &str) -> String {
    format!("{}/{}:{}", params.image.prefix, service, params.image.tag)
}

/// The current content of the targets that exist, fenced as data, for updating them. A target
/// that leads outside the project (a symlink) is not read: its content is not the project's to
/// send.
fn existing(root: &Path, targets: &[String]) -> String {
    targets
        .iter()
        .filter_map(|target| {
            check_target(target, root).ok()?;
            let text = std::fs::read_to_string(root.join(target)).ok()?;
            Some(fence(target, &text, FILE_CAP))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
