//! `aigen helm`: one Helm chart for all services.

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use crate::error::{ExitStatus, Result};

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

pub fn run(_args: HelmArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("helm")
}
