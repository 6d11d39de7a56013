//! `aigen generate`: everything at once, as a first run wants it: a Dockerfile per service, the
//! Kubernetes manifests and the Helm chart, staged for one review with `aigen apply`.

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::build::EngineArgs;
use super::job_runner::plan_and_run;
use crate::error::{ExitStatus, Result};
use crate::project::generation::Request;

#[derive(Debug, Args)]
pub(crate) struct GenerateAllArgs {
    /// Write a Namespace object named after the application, and put every object in it, when
    /// the constitution names no namespace (`deployment.namespace`).
    #[arg(long)]
    pub namespace: bool,

    /// Build and run each Dockerfile's image before it is staged; a failure goes back to the
    /// model as a finding (needs a Docker Engine).
    #[arg(long)]
    pub verify: bool,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub(crate) fn run(args: GenerateAllArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    let request = Request::Everything {
        namespace: args.namespace,
    };
    let verify = args.verify.then_some(&args.engine);
    plan_and_run(project, request, &args.generate, verify, context)
}
