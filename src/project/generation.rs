//! What a generating request asks for, turned into jobs and the provider that runs them: the
//! commands `aigen generate`, `dockerfile`, `manifest`, `helm` (and their `--review`) and the MCP
//! tools `generate_dockerfile`, `generate_manifests`, `generate_chart` and `review` all start
//! here, so a request means the same jobs whichever front end made it.
//!
//! [`Project::plan`] picks the services, adjusts the builtin parameters the request changes
//! (namespace, chart name, ingress), builds the provider and the [`Job`]s; a review also reads
//! and lints the files it is about. [`Project::generator`] is the generation loop over the
//! project's trail and staging area.

use std::path::{Path, PathBuf};

use super::Project;
use crate::error::{Error, Result};
use crate::generate::jobs::{self, Job, ReviewKind};
use crate::generate::pipeline::{Generator, RunOptions, Verify};
use crate::policy::{FileKind, Finding, walk};
use crate::printer::Printer;
use crate::provider::{Provider, builtin};
use crate::staging::{Artifact, lint_artifacts};

/// A generating request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Request<'a> {
    /// A Dockerfile and `.dockerignore` per service (every service with `all` or none named).
    Dockerfiles { services: &'a [String], all: bool },
    /// Kubernetes manifests for the services, with a Namespace object when `namespace`.
    Manifests {
        services: &'a [String],
        all: bool,
        namespace: bool,
    },
    /// One Helm chart for every service.
    Chart {
        name: Option<&'a str>,
        ingress: bool,
    },
    /// Everything a first run wants: Dockerfiles, manifests and the chart.
    Everything { namespace: bool },
    /// A review of existing files (default: every Dockerfile, or the manifests directory).
    Review {
        kind: ReviewKind,
        paths: &'a [PathBuf],
    },
}

/// The jobs of a request and the provider to run them with.
pub(crate) struct Planned {
    pub provider: Provider,
    pub jobs: Vec<Job>,
    /// The findings on the existing files of a review, as they are on disk.
    pub findings: Vec<Finding>,
}

impl Project {
    /// The jobs of `request`. The builtin parameters it changes (namespace, chart name and
    /// ingress) are changed on the project, so a reviewer opened after sees the same ones.
    pub(crate) fn plan(&mut self, request: Request<'_>) -> Result<Planned> {
        match request {
            Request::Dockerfiles { services, all } => {
                let services = self.select(services, all)?;
                let provider = self.provider(&services)?;
                let jobs = services
                    .iter()
                    .map(|service| self.dockerfile_job(service))
                    .collect();
                Ok(planned(provider, jobs))
            }
            Request::Manifests {
                services,
                all,
                namespace,
            } => {
                if namespace && self.params.namespace.is_none() {
                    self.params.namespace = Some(self.params.app.clone());
                }
                let services = self.select(services, all)?;
                let provider = self.provider(&services)?;
                let job = jobs::manifests(
                    &services,
                    &self.params,
                    &self.constitution,
                    &self.settings.root,
                );
                Ok(planned(provider, vec![job]))
            }
            Request::Chart { name, ingress } => {
                if let Some(name) = name {
                    self.params.app = name.to_string();
                }
                self.params.chart.ingress = ingress;
                let services = self.select(&[], true)?;
                let provider = self.provider(&services)?;
                let job = jobs::helm(&services, &self.params, &self.constitution);
                Ok(planned(provider, vec![job]))
            }
            Request::Everything { namespace } => {
                if namespace && self.params.namespace.is_none() {
                    self.params.namespace = Some(self.params.app.clone());
                }
                let services = self.select(&[], true)?;
                let provider = self.provider(&services)?;
                let builtin = matches!(provider, Provider::Builtin(_));
                let mut all: Vec<Job> = services
                    .iter()
                    // The builtin generator has no template for some stacks (Java); a model
                    // gets them all.
                    .filter(|service| !builtin || builtin::supports(service))
                    .map(|service| self.dockerfile_job(service))
                    .collect();
                let (params, constitution, root) =
                    (&self.params, &self.constitution, &self.settings.root);
                all.push(jobs::manifests(&services, params, constitution, root));
                all.push(jobs::helm(&services, params, constitution));
                Ok(planned(provider, all))
            }
            Request::Review { kind, paths } => self.review(kind, paths),
        }
    }

    /// The generation loop over this project's trail and staging area; `verifier` builds and
    /// runs each round's image (`--verify`).
    pub(crate) fn generator<'a>(
        &'a self,
        provider: &'a Provider,
        printer: &'a Printer,
        options: RunOptions,
        verifier: Option<&'a dyn Verify>,
    ) -> Generator<'a> {
        Generator {
            root: &self.settings.root,
            prompts_dir: self.settings.prompts_dir(),
            constitution: &self.constitution,
            provider,
            store: &self.store,
            staging: &self.staging,
            printer,
            options,
            verifier,
        }
    }

    fn dockerfile_job(&self, service: &crate::detect::Service) -> Job {
        jobs::dockerfile(
            service,
            &self.params,
            &self.constitution,
            &self.settings.root,
        )
    }

    /// A review of `paths` (default: the project's Dockerfiles, or its manifests directory):
    /// the files of the kind asked for, read and linted as they are on disk.
    fn review(&self, kind: ReviewKind, paths: &[PathBuf]) -> Result<Planned> {
        let settings = &self.settings;
        let paths: Vec<PathBuf> = if paths.is_empty() {
            match kind {
                ReviewKind::Dockerfile => vec![settings.root.clone()],
                ReviewKind::Manifest => vec![settings.in_root(self.params.manifest_dir())],
            }
        } else {
            paths.to_vec()
        };
        let discovery = walk::discover(&paths, &settings.cwd, &settings.root, &self.constitution);
        if let Some(error) = discovery.errors.into_iter().next() {
            return Err(error);
        }
        let root = settings
            .root
            .canonicalize()
            .map_err(|e| Error::io("read", &settings.root, e))?;
        let mut files: Vec<(String, String)> = Vec::new();
        for target in discovery.targets {
            let Ok(text) = std::fs::read_to_string(&target.path) else {
                continue;
            };
            let file_kind = target
                .kind
                .unwrap_or_else(|| FileKind::detect(&target.path, &text));
            if file_kind != kind.file_kind() {
                continue;
            }
            let relative = relative_to_root(&target.path, &root)?;
            files.push((relative, text));
        }
        if files.is_empty() {
            return Err(Error::usage(format!(
                "no {} to review under {}",
                match kind {
                    ReviewKind::Dockerfile => "Dockerfiles",
                    ReviewKind::Manifest => "Kubernetes manifests",
                },
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let findings = self.lint_existing(&files);
        let services = self.select(&[], true).unwrap_or_default();
        let provider = self.provider(&services)?;
        let job = jobs::review(
            kind,
            files,
            &findings,
            &self.constitution,
            &self.settings.root,
        );
        Ok(Planned {
            provider,
            jobs: vec![job],
            findings,
        })
    }

    /// The findings of the policy engine on the files, as they are on disk.
    fn lint_existing(&self, files: &[(String, String)]) -> Vec<Finding> {
        let artifacts = files
            .iter()
            .map(|(path, content)| Artifact {
                path: path.clone(),
                content: content.clone(),
            })
            .collect();
        lint_artifacts(artifacts, &self.settings.root, &self.constitution)
            .into_iter()
            .flat_map(|l| l.findings)
            .collect()
    }
}

fn planned(provider: Provider, jobs: Vec<Job>) -> Planned {
    Planned {
        provider,
        jobs,
        findings: Vec::new(),
    }
}

/// A path relative to the project root (`root`, canonical), refusing files outside it.
fn relative_to_root(path: &Path, root: &Path) -> Result<String> {
    let absolute = path
        .canonicalize()
        .map_err(|e| Error::io("read", path, e))?;
    absolute
        .strip_prefix(root)
        .map(crate::fsutil::slash_path)
        .map_err(|_| {
            Error::usage(format!(
                "`{}` is outside the project; only files of the project are reviewed",
                path.display()
            ))
        })
}
