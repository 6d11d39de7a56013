//! `aigen helm`: one Helm chart for all services.
//!
//! [`run`] builds the chart job and hands it to [`super::generating::run_jobs`].

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::generating::{Session, run_jobs};
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
    let mut session = Session::open(context)?;
    if let Some(name) = &args.chart_name {
        session.params.app.clone_from(name);
    }
    session.params.chart.ingress = args.ingress;
    let services = session.select(&[], true)?;
    let provider = session.provider(&args.generate, &services)?;
    let job = jobs::helm(&services, &session.params, &session.constitution);
    run_jobs(&session, &provider, vec![job], &args.generate, context)
}
