//! `aigen apply`: review staged artifacts, write the approved ones, or apply to a cluster.

use std::path::PathBuf;

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Staged artifacts to review (target paths; default: everything staged).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Approve everything without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Apply artifacts that have error findings (recorded as forced).
    #[arg(long)]
    pub force: bool,

    /// Restore the files an earlier apply record replaced.
    #[arg(long, value_name = "RECORD", conflicts_with_all = ["paths", "cluster"])]
    pub undo: Option<String>,

    /// Apply the manifests to a Kubernetes cluster by server-side apply.
    #[arg(long)]
    pub cluster: bool,

    /// Kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME", requires = "cluster")]
    pub context: Option<String>,

    /// Namespace for objects that do not name one.
    #[arg(long, short = 'n', value_name = "NAME", requires = "cluster")]
    pub namespace: Option<String>,

    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE", requires = "cluster")]
    pub kubeconfig: Option<PathBuf>,

    /// Wait for rollouts to finish after a cluster apply.
    #[arg(long, requires = "cluster")]
    pub wait: bool,

    /// Seconds to wait for rollouts.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,

    /// Show what would be applied; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub output: FormatArgs,
}

pub fn run(_args: ApplyArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("apply")
}
