//! `aigen helm`: one Helm chart for all services.
//!
//! [`run`] turns the flags into a [`Request`] and hands it to [`plan_and_run`].

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::plan_and_run;
use crate::error::{ExitStatus, Result};
use crate::project::generation::Request;

#[derive(Debug, Args)]
pub(crate) struct HelmArgs {
    /// Chart name (default: `name` in aigen.toml, else the project directory's name).
    #[arg(long, value_name = "NAME")]
    pub chart_name: Option<String>,

    /// Include an Ingress template.
    #[arg(long)]
    pub ingress: bool,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub(crate) fn run(args: HelmArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&args.generate.flags())?;
    let request = Request::Chart {
        name: args.chart_name.as_deref(),
        ingress: args.ingress,
    };
    plan_and_run(project, request, &args.generate, None, context)
}
