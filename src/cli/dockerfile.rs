//! `aigen dockerfile`: a Dockerfile and .dockerignore per service, or a review of existing ones.
//!
//! [`run`] turns the flags into a [`Request`] and hands it to [`plan_and_run`].

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::build::EngineArgs;
use super::job_runner::plan_and_run;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs::ReviewKind;
use crate::project::generation::Request;

#[derive(Debug, Args)]
pub(crate) struct DockerfileArgs {
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

pub(crate) fn run(args: DockerfileArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    let request = match &args.review {
        Some(paths) => Request::Review {
            kind: ReviewKind::Dockerfile,
            paths,
        },
        None => Request::Dockerfiles {
            services: &args.services,
            all: args.all,
        },
    };
    let verify = args.verify.then_some(&args.engine);
    plan_and_run(project, request, &args.generate, verify, context)
}
