//! `aigen generate`: everything at once, as a first run wants it: a Dockerfile per service, the
//! Kubernetes manifests and the Helm chart, staged for one review with `aigen apply`.

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::plan_and_run;
use crate::error::{ExitStatus, Result};
use crate::project::generation::Request;

#[derive(Debug, Args)]
pub struct GenerateAllArgs {
    /// Also write a Namespace object for the application.
    #[arg(long)]
    pub namespace: bool,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub fn run(args: GenerateAllArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    let request = Request::Everything {
        namespace: args.namespace,
    };
    plan_and_run(project, request, &args.generate, context)
}
