//! `aigen manifest`: Kubernetes manifests per service, or a review of existing ones.
//!
//! [`run`] turns the flags into a [`Request`] and hands it to [`plan_and_run`].

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::plan_and_run;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs::ReviewKind;
use crate::project::generation::Request;

#[derive(Debug, Args)]
pub(crate) struct ManifestArgs {
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

pub(crate) fn run(args: ManifestArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    let request = match &args.review {
        Some(paths) => Request::Review {
            kind: ReviewKind::Manifest,
            paths,
        },
        None => Request::Manifests {
            services: &args.services,
            all: args.all,
            namespace: args.namespace,
        },
    };
    plan_and_run(project, request, &args.generate, None, context)
}
