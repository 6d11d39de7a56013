//! `aigen manifest`: Kubernetes manifests per service, or a review of existing ones.
//!
//! [`run`] builds one job for the selected services and hands it to
//! [`super::job_runner::run_jobs`], or passes `--review` to [`super::review`].

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::run_jobs;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs;

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Services to generate for (names from `aigen detect`).
    #[arg(value_name = "SERVICE", required_unless_present_any = ["all", "review"])]
    pub services: Vec<String>,

    /// Generate for every detected service.
    #[arg(long, conflicts_with = "services")]
    pub all: bool,

    /// Review existing manifests (default: the manifests directory) and stage fixes.
    #[arg(long, value_name = "PATH", num_args = 0.., conflicts_with_all = ["services", "all"])]
    pub review: Option<Vec<PathBuf>>,

    /// Write a Namespace object named after the application, and put every object in it, when
    /// the constitution names no namespace (`deployment.namespace`).
    #[arg(long)]
    pub namespace: bool,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub fn run(args: ManifestArgs, context: &Context) -> Result<ExitStatus> {
    let mut project = context.open_project(&args.generate.flags())?;
    if let Some(paths) = &args.review {
        return super::review::run(
            &project,
            paths,
            jobs::ReviewKind::Manifest,
            &args.generate,
            context,
        );
    }
    if args.namespace && project.params.namespace.is_none() {
        project.params.namespace = Some(project.params.app.clone());
    }
    let services = project.select(&args.services, args.all)?;
    let provider = project.provider(&services)?;
    let job = jobs::manifests(
        &services,
        &project.params,
        &project.constitution,
        &project.settings.root,
    );
    run_jobs(
        &project,
        &provider,
        vec![job],
        &args.generate,
        None,
        context,
    )
}
