//! `aigen helm`: one Helm chart for all services.
//!
//! [`run`] builds the chart job and hands it to [`super::job_runner::run_jobs`].

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::run_jobs;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs;

#[derive(Debug, Args)]
pub struct HelmArgs {
    /// Chart name (default: `name` in aigen.toml, else the project directory's name).
    #[arg(long, value_name = "NAME")]
    pub chart_name: Option<String>,

    /// Include an Ingress template.
    #[arg(long)]
    pub ingress: bool,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

pub fn run(args: HelmArgs, context: &Context) -> Result<ExitStatus> {
    let mut project = context.open_project(&args.generate.flags())?;
    if let Some(name) = &args.chart_name {
        project.params.app.clone_from(name);
    }
    project.params.chart.ingress = args.ingress;
    let services = project.select(&[], true)?;
    let provider = project.provider(&services)?;
    let job = jobs::helm(&services, &project.params, &project.constitution);
    run_jobs(
        &project,
        &provider,
        vec![job],
        &args.generate,
        None,
        context,
    )
}
