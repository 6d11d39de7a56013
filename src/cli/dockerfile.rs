//! `aigen dockerfile`: a Dockerfile and .dockerignore per service, or a review of existing ones.

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use crate::error::{ExitStatus, Result};

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

pub fn run(_args: DockerfileArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("dockerfile")
}
