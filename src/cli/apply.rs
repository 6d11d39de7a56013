//! `aigen apply`: review staged artifacts and write the approved ones, undo an earlier apply, or
//! apply the manifests to a cluster by server-side apply after a server dry run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::Context;
use super::args::FormatArgs;
use super::command_line;
use crate::apply::approve::approver_for;
use crate::apply::cluster::{ConnectOptions, PlanOptions, RolloutOptions};
use crate::apply::review::{PlanReview, ReviewReport, Reviewer};
use crate::error::{Error, ExitStatus, Result};
use crate::printer::{Tone, Verbosity};
use crate::project::Project;
use crate::settings::Flags;

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// Staged artifacts to review (target paths; default: everything staged). With --cluster:
    /// manifest files or directories (default: the manifests directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Approve everything without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Apply artifacts that have error findings (recorded as forced); with --cluster, take
    /// ownership of fields another manager owns.
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

pub(crate) fn run(args: ApplyArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&Flags::default())?;
    if args.cluster {
        return cluster(&args, &project, context);
    }
    let reviewer = Reviewer {
        force: args.force,
        // With --yes nobody reads the diffs as they scroll by; -v shows them anyway.
        show_diffs: !args.output.is_json()
            && (!args.yes || context.printer.verbosity() >= Verbosity::Verbose),
        ..project.reviewer(&context.printer, command_line())
    };
    if let Some(record) = &args.undo {
        let restored = reviewer.undo(record)?;
        return finish_text_or_json(
            context,
            args.output.is_json(),
            json!({ "undone": record, "restored": restored }),
            format!("restored {}", restored.join(", ")),
        );
    }

    let wanted: Vec<String> = args
        .paths
        .iter()
        .map(|p| target_name(p, &project.settings.cwd, &project.settings.root))
        .collect();
    let entries = project.staging.select(&wanted)?;
    let report = if entries.is_empty() {
        context
            .printer
            .status("nothing is staged; generate first (`aigen dockerfile --all`, ...)");
        ReviewReport::default()
    } else {
        let mut approver = approver_for(args.yes, args.dry_run)?;
        reviewer.review(entries, approver.as_mut())?
    };
    let summary = format!(
        "{} applied, {} rejected, {} refused, {} left staged",
        report.applied.len(),
        report.rejected.len(),
        report.refused.len(),
        report.left.len()
    );
    let failed = !report.refused.is_empty();
    let mut value = serde_json::to_value(&report)
        .map_err(|e| Error::usage(format!("cannot encode the report as JSON: {e}")))?;
    project.redactor.redact_json(&mut value);
    finish_text_or_json(context, args.output.is_json(), value, summary)?;
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// A path as the staging index names targets: relative to the project root, `/`-separated.
fn target_name(path: &Path, cwd: &Path, root: &Path) -> String {
    let absolute = cwd.join(path);
    crate::fsutil::slash_path(&crate::fsutil::relative_to(&absolute, root))
}

fn finish_text_or_json(
    context: &Context,
    json: bool,
    value: serde_json::Value,
    text: String,
) -> Result<ExitStatus> {
    if json {
        context.printer.out_json(&value)?;
    } else {
        context.printer.status(text);
    }
    Ok(ExitStatus::Success)
}

/// `--cluster`: plan by server dry run, show each change, apply the approved ones, record, and
/// optionally wait for the rollouts.
fn cluster(args: &ApplyArgs, project: &Project, context: &Context) -> Result<ExitStatus> {
    let printer = &context.printer;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::external("aigen", format!("cannot start the async runtime: {e}")))?;
    let mut approver = approver_for(args.yes, args.dry_run)?;
    runtime.block_on(async {
        let options = ConnectOptions::new(
            args.kubeconfig.clone(),
            args.context.clone(),
            args.namespace.clone(),
        );
        let planned = project
            .plan_cluster(&args.paths, &options, PlanOptions { force: args.force })
            .await?;
        for skipped in &planned.manifests.skipped {
            printer.status(format!(
                "{} {} ({}): {}",
                printer.paint_err(Tone::Warning, "skipped"),
                skipped.key,
                skipped.source.path.display(),
                skipped.reason
            ));
        }
        let endpoint = &planned.endpoint;
        printer.status(format!(
            "planned against {} ({}) by server dry run",
            endpoint.context, endpoint.server
        ));
        let json = args.output.is_json();
        let reviewer = Reviewer {
            show_diffs: !json,
            ..project.reviewer(printer, command_line())
        };
        let PlanReview {
            approved,
            planned: labels,
        } = reviewer.review_plan(&planned.plan, approver.as_mut())?;
        // The JSON report: where, what the plan held, and what was applied.
        let report_json = |applied: &[String], record: Option<&str>| {
            let value = json!({
                "context": endpoint.context,
                "server": endpoint.server,
                "dry_run": args.dry_run,
                "planned": labels,
                "applied": applied,
                "record": record,
            });
            printer.out_json(&value)
        };
        if args.dry_run || approved.is_empty() {
            printer.status(if args.dry_run {
                "dry run: nothing was applied"
            } else {
                "nothing approved; nothing was applied"
            });
            if json {
                report_json(&[], None)?;
            }
            return Ok(ExitStatus::Success);
        }
        let outcome = planned.apply(project, &approved, command_line()).await?;
        let applied = outcome.report.applied_labels();
        for line in &applied {
            printer.status(format!(
                "{} {line}",
                printer.paint_err(Tone::Success, "applied")
            ));
        }
        let report = outcome.report.into_result()?;
        printer.status(format!("recorded as {}", outcome.record));
        if args.wait {
            let objects: Vec<_> = report.applied.iter().map(|a| a.object.clone()).collect();
            let options = RolloutOptions {
                timeout: Duration::from_secs(args.timeout),
                ..RolloutOptions::default()
            };
            planned
                .cluster
                .wait_for_rollouts(&objects, options, |rollout| printer.status(rollout))
                .await?;
        }
        if json {
            report_json(&applied, Some(&outcome.record))?;
        }
        Ok(ExitStatus::Success)
    })
}
