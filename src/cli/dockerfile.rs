//! `aigen dockerfile`: a Dockerfile and .dockerignore per service, or a review of existing ones.
//!
//! [`run`] builds one job per service and hands it to [`super::generating::run_jobs`], or passes
//! `--review` to [`super::review`].

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::generating::{Session, run_jobs};
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

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub fn run(args: DockerfileArgs, context: &Context) -> Result<ExitStatus> {
    let session = Session::open(context)?;
    if let Some(paths) = &args.review {
        return super::review::run(
            &session,
            paths,
            super::review::Kind::Dockerfile,
            &args.generate,
            context,
        );
    }
    let services = session.select(&args.services, args.all)?;
    let provider = session.provider(&args.generate, &services)?;
    let jobs = services
        .iter()
        .map(|service| {
            jobs::dockerfile(
                service,
                &session.params,
                &session.constitution,
                &session.settings.root,
            )
        })
        .collect();
    run_jobs(&session, &provider, jobs, &args.generate, context)
}
