//! `aigen dockerfile`: a Dockerfile and .dockerignore per service, or a review of existing ones.
//!
//! [`run`] builds one job per service and hands it to [`super::job_runner::run_jobs`], or passes
//! `--review` to [`super::review`].

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::build::{EngineArgs, EngineVerifier};
use super::job_runner::run_jobs;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs;

#[derive(Debug, Args)]
pub struct DockerfileArgs {
    /// Services to generate for (names from `aigen detect`).
    #[arg(value_name = "SERVICE", required_unless_present_any = ["all", "review"])]
    pub services: Vec<String>,

    /// Generate for every detected service.
    #[arg(long, conflicts_with = "services")]
    pub all: bool,

    /// Review existing Dockerfiles (default: every Dockerfile of the project) and stage fixes.
    #[arg(long, value_name = "PATH", num_args = 0.., conflicts_with_all = ["services", "all"])]
    pub review: Option<Vec<PathBuf>>,

    /// Build and run each Dockerfile's image before it is staged; a failure goes back to the
    /// model as a finding (needs a Docker Engine).
    #[arg(long)]
    pub verify: bool,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub fn run(args: DockerfileArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    if let Some(paths) = &args.review {
        return super::review::run(
            &project,
            paths,
            jobs::ReviewKind::Dockerfile,
            &args.generate,
            context,
        );
    }
    let services = project.select(&args.services, args.all)?;
    let provider = project.provider(&services)?;
    let jobs = services
        .iter()
        .map(|service| {
            jobs::dockerfile(
                service,
                &project.params,
                &project.constitution,
                &project.settings.root,
            )
        })
        .collect();
    let verifier = EngineVerifier::when_asked(
        args.verify,
        args.generate.dry_run,
        &project,
        &args.engine,
        context,
    )?;
    run_jobs(
        &project,
        &provider,
        jobs,
        &args.generate,
        EngineVerifier::as_verify(&verifier),
        context,
    )
}
