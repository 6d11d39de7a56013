//! `aigen apply`: review staged artifacts and write the approved ones, undo an earlier apply, or
//! apply the manifests to a cluster by server-side apply after a server dry run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::Context;
use super::args::FormatArgs;
use super::generating::{Session, command_line};
use crate::apply::approve::{ApproveAll, Approver, Decision, Proposal, TerminalApprover};
use crate::apply::cluster::{
    ApplyReport, Change, Cluster, ConnectOptions, Endpoint, Manifests, Plan, PlanOptions,
    RolloutOptions,
};
use crate::apply::diff;
use crate::apply::review::{ReviewReport, Reviewer};
use crate::error::{Error, ExitStatus, Result};
use crate::fsutil;
use crate::phr::{NewRecord, Outcome, Stage};
use crate::printer::{Printer, Tone, Verbosity};
use crate::secrets::Redactor;

#[derive(Debug, Args)]
pub struct ApplyArgs {
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

pub fn run(args: ApplyArgs, context: &Context) -> Result<ExitStatus> {
    let session = Session::open(context)?;
    if args.cluster {
        return cluster(&args, &session, context);
    }
    let reviewer = Reviewer {
        force: args.force,
        // With --yes nobody reads the diffs as they scroll by; -v shows them anyway.
        show_diffs: !args.output.is_json()
            && (!args.yes || context.printer.verbosity() >= Verbosity::Verbose),
        ..session.reviewer(
            &context.printer,
            session.settings.feature.clone(),
            command_line(),
        )
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
        .map(|p| target_name(p, &session.settings.cwd, &session.settings.root))
        .collect();
    let entries: Vec<_> = session
        .staging
        .entries()?
        .into_iter()
        .filter(|e| wanted.is_empty() || wanted.contains(&e.target))
        .collect();
    if let Some(missing) = wanted
        .iter()
        .find(|w| !entries.iter().any(|e| &e.target == *w))
    {
        return Err(Error::usage_with_hint(
            format!("`{missing}` is not staged"),
            "generate it first (`aigen dockerfile`, `aigen manifest`, `aigen helm`)",
        ));
    }
    let report = if entries.is_empty() {
        context
            .printer
            .status("nothing is staged; generate first (`aigen dockerfile --all`, ...)");
        ReviewReport::default()
    } else {
        let mut approver = pick_approver(args.yes, args.dry_run)?;
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
    session.redactor.redact_json(&mut value);
    finish_text_or_json(context, args.output.is_json(), value, summary)?;
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `--dry-run` shows every diff and decides nothing; `--yes` approves all; otherwise a person
/// at a terminal decides, and without one nothing is applied.
fn pick_approver(yes: bool, dry_run: bool) -> Result<Box<dyn Approver>> {
    if dry_run {
        return Ok(Box::new(ShowOnly));
    }
    if yes {
        return Ok(Box::new(ApproveAll));
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return Ok(Box::new(TerminalApprover));
    }
    Err(Error::usage_with_hint(
        "nothing was applied: there is no terminal to ask for approval on",
        "review the diffs with `aigen apply --dry-run`, then approve everything with `aigen apply --yes`",
    ))
}

/// The dry run's approver: shows, then moves on without deciding.
struct ShowOnly;

impl Approver for ShowOnly {
    fn decide(&mut self, _proposal: &Proposal<'_>) -> Result<Decision> {
        Ok(Decision::Skip)
    }
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
fn cluster(args: &ApplyArgs, session: &Session, context: &Context) -> Result<ExitStatus> {
    let printer = &context.printer;
    let settings = &session.settings;
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![settings.in_root(session.params.manifest_dir())]
    } else {
        args.paths.iter().map(|p| settings.cwd.join(p)).collect()
    };
    let manifests = Manifests::load(&paths)?;
    for skipped in &manifests.skipped {
        printer.status(format!(
            "{} {} ({}): {}",
            printer.paint_err(Tone::Warning, "skipped"),
            skipped.key,
            skipped.source.path.display(),
            skipped.reason
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::external("aigen", format!("cannot start the async runtime: {e}")))?;
    let mut approver = pick_approver(args.yes, args.dry_run)?;
    runtime.block_on(async {
        let options = ConnectOptions::new(
            args.kubeconfig.clone(),
            args.context.clone(),
            args.namespace.clone(),
        );
        let cluster = Cluster::connect(&options).await?;
        let endpoint = cluster.endpoint().clone();
        printer.status(format!(
            "planning against {} ({}) by server dry run",
            endpoint.context, endpoint.server
        ));
        let plan = cluster
            .plan(&manifests, PlanOptions { force: args.force })
            .await?;
        let json = args.output.is_json();
        let (approved, planned) =
            decide_changes(&plan, approver.as_mut(), printer, &session.redactor, json)?;
        // The JSON report: where, what the plan held, and what was applied.
        let report_json = |applied: &[String], record: Option<&str>| {
            let value = json!({
                "context": endpoint.context,
                "server": endpoint.server,
                "dry_run": args.dry_run,
                "planned": planned,
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
        let report = cluster.apply(approved.iter().copied()).await;
        let applied: Vec<String> = report
            .applied
            .iter()
            .map(|a| {
                format!(
                    "{} ({}{})",
                    a.object,
                    a.action.as_str(),
                    if a.forced { ", forced" } else { "" }
                )
            })
            .collect();
        let record = cluster_record(session, &endpoint, &approved, &applied, &report, &paths);
        let appended = session.store.append(record)?;
        for line in &applied {
            printer.status(format!(
                "{} {line}",
                printer.paint_err(Tone::Success, "applied")
            ));
        }
        let report = report.into_result()?;
        printer.status(format!("recorded as {}", appended.reference));
        if args.wait {
            let objects: Vec<_> = report.applied.iter().map(|a| a.object.clone()).collect();
            let options = RolloutOptions {
                timeout: Duration::from_secs(args.timeout),
                ..RolloutOptions::default()
            };
            cluster
                .wait_for_rollouts(&objects, options, |rollout| printer.status(rollout))
                .await?;
        }
        if json {
            report_json(&applied, Some(&appended.reference))?;
        }
        Ok(ExitStatus::Success)
    })
}

/// Shows each pending change of a plan (label, note, masked diff) and asks about it. Returns the
/// approved changes and the labels of every change shown, in plan order.
fn decide_changes<'p>(
    plan: &'p Plan,
    approver: &mut dyn Approver,
    printer: &Printer,
    redactor: &Redactor,
    json: bool,
) -> Result<(Vec<&'p Change>, Vec<String>)> {
    let mut approved = Vec::new();
    let mut planned = Vec::new();
    let mut accept_all = false;
    for change in plan.pending() {
        let label = format!("{} ({})", change.object, change.action.as_str());
        planned.push(label.clone());
        let text = redactor.redact_string(&change.diff());
        if !json {
            printer.out(printer.paint(Tone::Emphasis, &label))?;
            if let Some(note) = &change.note {
                printer.out(format!("  note: {note}"))?;
            }
            printer.out(diff::paint(&text, printer).trim_end())?;
        }
        let decision = if accept_all {
            Decision::Accept
        } else {
            approver.decide(&Proposal {
                target: &label,
                content: &text,
                has_errors: false,
            })?
        };
        match decision {
            Decision::Accept | Decision::Edit(_) => approved.push(change),
            Decision::AcceptAll => {
                accept_all = true;
                approved.push(change);
            }
            Decision::Reject | Decision::Skip => {}
            Decision::Quit => break,
        }
    }
    Ok((approved, planned))
}

/// The record of a cluster apply: what was asked, what was applied, where it stopped.
fn cluster_record(
    session: &Session,
    endpoint: &Endpoint,
    approved: &[&Change],
    applied: &[String],
    report: &ApplyReport,
    paths: &[PathBuf],
) -> NewRecord {
    let join = |items: Vec<String>| items.join(", ");
    let failure = report
        .failure
        .as_ref()
        .map(|f| format!("{}: {}", f.object, f.error));
    NewRecord {
        feature: session.settings.feature.clone(),
        labels: vec!["apply".into(), "cluster".into()],
        prompt: format!(
            "Server-side apply to context {} ({}) of: {}",
            endpoint.context,
            endpoint.server,
            join(approved.iter().map(|c| c.object.to_string()).collect())
        ),
        response: format!(
            "Applied: {}\nUnchanged: {}\nNot applied: {}\n{}",
            if applied.is_empty() {
                "none".to_string()
            } else {
                applied.join(", ")
            },
            report.unchanged.len(),
            join(report.not_applied.iter().map(ToString::to_string).collect()),
            failure
                .as_deref()
                .map(|f| format!("Stopped at {f}"))
                .unwrap_or_default()
        ),
        files: paths
            .iter()
            .map(|p| fsutil::slash_path(&fsutil::relative_to(p, &session.settings.root)))
            .collect(),
        command: Some("aigen apply --cluster".into()),
        command_line: Some(command_line()),
        outcome: match failure {
            Some(f) => Outcome::Failed(f),
            None => Outcome::Ok,
        },
        ..NewRecord::new(
            format!("Cluster apply to {}", endpoint.context),
            Stage::of_work(session.settings.feature.as_deref()),
        )
    }
}
