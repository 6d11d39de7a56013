//! `aigen generate`: everything at once, as a first run wants it: a Dockerfile per service, the
//! Kubernetes manifests and the Helm chart, staged for one review with `aigen apply`.

use clap::Args;

use super::Context;
use super::args::GenerateArgs;
use super::build::{EngineArgs, EngineVerifier};
use super::job_runner::run_jobs;
use crate::error::{ExitStatus, Result};
use crate::generate::jobs;

#[derive(Debug, Args)]
pub struct GenerateAllArgs {
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

pub fn run(args: GenerateAllArgs, context: &Context) -> Result<ExitStatus> {
    let mut project = context.open_project(&args.generate.flags())?;
    if args.namespace && project.params.namespace.is_none() {
        project.params.namespace = Some(project.params.app.clone());
    }
    let services = project.select(&[], true)?;
    let provider = project.provider(&services)?;
    let (params, constitution, root) = (
        &project.params,
        &project.constitution,
        &project.settings.root,
    );
    let mut all: Vec<jobs::Job> = services
        .iter()
        // The builtin generator has no template for some stacks (Java); a model gets them all.
        .filter(|service| {
            !matches!(provider, crate::provider::Provider::Builtin(_))
                || crate::provider::builtin::supports(service)
        })
        .map(|service| jobs::dockerfile(service, params, constitution, root))
        .collect();
    all.push(jobs::manifests(&services, params, constitution, root));
    all.push(jobs::helm(&services, params, constitution));
    let verifier = EngineVerifier::when_asked(
        args.verify,
        args.generate.dry_run,
        &project,
        &args.engine,
        context,
    )?;
    run_jobs(
        &project,
        &provider,
        all,
        &args.generate,
        EngineVerifier::as_verify(&verifier),
        context,
    )
}
