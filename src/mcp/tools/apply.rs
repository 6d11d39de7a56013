//! The writing tools, offered only when the server was started with `--allow-apply`:
//! `apply` writes staged files into the project, `apply_cluster` applies the manifests to the
//! cluster of the kubeconfig by server-side apply.
//!
//! Each call first works out exactly what it would write (the staged files with their hashes;
//! the cluster plan from a server dry run, with its diffs), asks the person through
//! elicitation ([`crate::mcp::confirm`]) showing that, and writes only on a yes and only what
//! the yes was for: staged files that changed while the person was asked, or a plan that
//! differs when a client calls again with the answer, are refused. The write then goes through
//! the same review as `aigen apply --yes` (lint status, `force`, hash-bound bytes, one record
//! per decision) or the same apply as `aigen apply --cluster --yes` (and its record).

use std::time::Duration;

use rmcp::handler::server::tool::{InputResponses, RequestState};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Object, input_schema, object, output_schema, readable, writable};
use crate::apply::approve::ApproveAll;
use crate::apply::cluster::{ConnectOptions, PlanOptions, RolloutOptions};
use crate::apply::staged::Comparison;
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::mcp::call::{Caller, blocking_mcp, refusal};
use crate::mcp::confirm::{Confirmation, Question};
use crate::mcp::server::{Server, Shared};
use crate::project::Project;
use crate::settings::Flags;
use crate::staging::Entry;

/// Most characters of diff shown in a question; the `staged` tool shows the rest.
const QUESTION_DIFF_CHARS: usize = 12_000;

/// `apply`: staged files written into the project.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApplyArgs {
    /// Staged targets to write, relative to the project root (default: everything staged).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Also write files with error findings (recorded as forced).
    #[serde(default)]
    pub force: bool,
}

/// What `apply` did.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ApplyOutput {
    /// How the write was confirmed: `elicitation` or `--yes`.
    pub confirmed: String,
    /// Each file written: target, sha256, the record of the approval, forced, edited.
    pub applied: Vec<Object>,
    pub rejected: Vec<String>,
    /// Targets not written, each with the reason (error findings without `force`, changed
    /// since staging).
    pub refused: Vec<Object>,
    /// Targets left staged.
    pub left: Vec<String>,
}

/// `apply_cluster`: the manifests applied to the cluster.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClusterArgs {
    /// Manifest files or directories, relative to the project root (default: the manifests
    /// directory).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Kubeconfig context (default: the current one).
    pub context: Option<String>,
    /// Namespace for objects that do not name one.
    pub namespace: Option<String>,
    /// Take ownership of fields another field manager owns.
    #[serde(default)]
    pub force: bool,
    /// Wait for the rollouts to finish.
    #[serde(default)]
    pub wait: bool,
    /// Seconds to wait for the rollouts (default 120).
    pub timeout_secs: Option<u64>,
}

/// What `apply_cluster` did.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub(crate) struct ClusterOutput {
    /// How the apply was confirmed (empty when there was nothing to apply).
    pub confirmed: String,
    /// The kubeconfig context and API server.
    pub context: String,
    pub server: String,
    /// Every change of the plan (`Deployment/todo/backend (update)`).
    pub planned: Vec<String>,
    /// What was applied.
    pub applied: Vec<String>,
    /// The record of the apply (absent when there was nothing to apply).
    pub record: Option<String>,
    /// The rollouts waited for, when `wait`.
    pub rollouts: Vec<String>,
}

#[tool_router(router = apply_router, vis = "pub(super)")]
impl Server {
    /// Writes staged files into the project, after asking the person (elicitation) with the
    /// list of files, their lint status and diffs. Files with error findings are refused
    /// unless `force`. Each decision is recorded. Offered only with `--allow-apply`.
    #[tool(
        input_schema = input_schema::<ApplyArgs>(),
        output_schema = output_schema::<ApplyOutput>(),
        annotations(title = "Apply staged files", read_only_hint = false,
                    destructive_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn apply(
        &self,
        Parameters(args): Parameters<ApplyArgs>,
        RequestState(state): RequestState,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResponse, McpError> {
        let caller = Caller::of("apply", &context, &self.shared);
        let shared = self.shared.clone();
        let question = {
            let (shared, caller, args) = (shared.clone(), caller.clone(), args.clone());
            blocking_mcp(move || Ok(files_question(&shared, &caller, &args))).await?
        };
        let question = match question {
            Ok(question) => question,
            Err(error) => return Ok(shared.error(error).into()),
        };
        let how = match shared
            .confirm("apply", &context, state, responses, &question)
            .await?
        {
            Confirmation::Confirmed(how) => how,
            Confirmation::Refused(result) => return Ok(result.into()),
            Confirmation::AskFirst(response) => return Ok(response),
        };
        if caller.cancel.is_cancelled() {
            return Ok(gone(&shared, &question).into());
        }
        self.recorded(caller, move |shared, caller| {
            write_files(shared, caller, &args, &question, how)
        })
        .await
        .map(Into::into)
    }

    /// Applies the project's manifests to the cluster of the server's kubeconfig by
    /// server-side apply, after a server dry run whose changes and diffs the person is asked
    /// to confirm (elicitation); records the apply and optionally waits for the rollouts.
    /// Offered only with `--allow-apply`.
    #[tool(
        input_schema = input_schema::<ClusterArgs>(),
        output_schema = output_schema::<ClusterOutput>(),
        annotations(title = "Apply to the cluster", read_only_hint = false,
                    destructive_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn apply_cluster(
        &self,
        Parameters(args): Parameters<ClusterArgs>,
        RequestState(state): RequestState,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResponse, McpError> {
        let caller = Caller::of("apply_cluster", &context, &self.shared);
        let shared = self.shared.clone();
        let opened = {
            let (shared, caller, args) = (shared.clone(), caller.clone(), args.clone());
            blocking_mcp(move || Ok(open_for_cluster(&shared, &caller, &args))).await?
        };
        let (project, paths) = match opened {
            Ok(opened) => opened,
            Err(error) => return Ok(shared.error(error).into()),
        };
        let connect = ConnectOptions::new(None, args.context.clone(), args.namespace.clone());
        let planned = match project
            .plan_cluster(&paths, &connect, PlanOptions { force: args.force })
            .await
        {
            Ok(planned) => planned,
            Err(error) => return Ok(shared.error(error).into()),
        };
        let pending: Vec<_> = planned.plan.pending().collect();
        let mut output = ClusterOutput {
            context: planned.endpoint.context.clone(),
            server: planned.endpoint.server.clone(),
            planned: pending
                .iter()
                .map(|c| format!("{} ({})", c.object, c.action.as_str()))
                .collect(),
            ..ClusterOutput::default()
        };
        if pending.is_empty() {
            return Ok(shared.result(Ok(output)).into());
        }
        let question = cluster_question(&shared, &output, &pending);
        output.confirmed = match shared
            .confirm("apply_cluster", &context, state, responses, &question)
            .await?
        {
            Confirmation::Confirmed(how) => how.to_string(),
            Confirmation::Refused(result) => return Ok(result.into()),
            Confirmation::AskFirst(response) => return Ok(response),
        };
        if caller.cancel.is_cancelled() {
            return Ok(gone(&shared, &question).into());
        }
        let outcome = match planned
            .apply(&project, &pending, caller.command_line())
            .await
        {
            Ok(outcome) => outcome,
            Err(error) => return Ok(shared.error(error).into()),
        };
        output.applied = outcome.report.applied_labels();
        output.record = Some(outcome.record.clone());
        let report = match outcome.report.into_result() {
            Ok(report) => report,
            Err(error) => return Ok(shared.error(error).into()),
        };
        if args.wait {
            let objects: Vec<_> = report.applied.iter().map(|a| a.object.clone()).collect();
            let options = RolloutOptions {
                timeout: Duration::from_secs(args.timeout_secs.unwrap_or(120)),
                ..RolloutOptions::default()
            };
            let mut rollouts = Vec::new();
            let waited = planned
                .cluster
                .wait_for_rollouts(&objects, options, |rollout| {
                    rollouts.push(rollout.to_string())
                })
                .await;
            output.rollouts = rollouts;
            if let Err(error) = waited {
                return Ok(shared.error(error).into());
            }
        }
        Ok(shared.result(Ok(output)).into())
    }
}

/// The answer when the client went away after saying yes: nothing was written.
fn gone(shared: &Shared, question: &Question) -> CallToolResult {
    refusal(
        shared,
        format!(
            "the call was cancelled before {}; nothing was written",
            question.action
        ),
        "call again",
    )
}

/// The staged entries `args` names.
fn entries(project: &Project, args: &ApplyArgs) -> Result<Vec<Entry>> {
    let root = &project.settings.root;
    let targets = args
        .targets
        .iter()
        .map(|t| writable(t, root))
        .collect::<Result<Vec<_>>>()?;
    let entries = project.staging.select(&targets)?;
    if entries.is_empty() {
        return Err(Error::usage_with_hint(
            "nothing is staged",
            "generate first (`generate_dockerfile`, `generate_manifests`, `generate_chart`)",
        ));
    }
    Ok(entries)
}

/// What a yes to `apply` would be for: the targets, their staged hashes and `force`.
fn files_digest(entries: &[Entry], force: bool) -> String {
    let mut text = format!("apply force={force}\n");
    for entry in entries {
        text.push_str(&format!("{} {}\n", entry.target, entry.sha256));
    }
    sha256_hex(text.as_bytes())
}

/// The question `apply` asks: each file, its state, lint status and diff.
fn files_question(shared: &Shared, caller: &Caller, args: &ApplyArgs) -> Result<Question> {
    let project = shared.open_project(&Flags::default(), caller)?;
    let entries = entries(&project, args)?;
    let root = &project.settings.root;
    let mut message = format!(
        "{} (client {} {}) asks to write {} staged file{} into {}:\n",
        caller.tool,
        caller.client.name,
        caller.client.version,
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        root.display()
    );
    let mut diffs = String::new();
    for entry in &entries {
        let refused = entry.lint.errors > 0 && !args.force;
        message.push_str(&format!(
            "- {} (lint: {}; from {}){}\n",
            entry.target,
            entry.lint,
            entry.record.as_deref().unwrap_or("no record"),
            if refused {
                "; has error findings: it will be refused"
            } else {
                ""
            }
        ));
        if let Ok(content) = project
            .staging
            .read(entry)
            .and_then(|b| String::from_utf8(b).map_err(|_| Error::usage("not text")))
        {
            diffs.push_str(&Comparison::of(root, &entry.target, &content, &shared.redactor).diff);
        }
    }
    push_diffs(&mut message, &diffs, "the `staged` tool");
    message.push_str("\nTick to write exactly these files; each decision is recorded.");
    Ok(Question {
        message,
        digest: files_digest(&entries, args.force),
        action: format!(
            "writing {} staged file{}",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" }
        ),
    })
}

/// Appends diffs to a question, cut at [`QUESTION_DIFF_CHARS`] with a note where the rest is.
fn push_diffs(message: &mut String, diffs: &str, rest: &str) {
    if diffs.is_empty() {
        return;
    }
    message.push('\n');
    if diffs.chars().count() <= QUESTION_DIFF_CHARS {
        message.push_str(diffs);
    } else {
        message.extend(diffs.chars().take(QUESTION_DIFF_CHARS));
        message.push_str(&format!("\n[... diff cut; {rest} shows all of it]\n"));
    }
}

/// The write `apply` was confirmed for: refused when the staged files changed since.
fn write_files(
    shared: &Shared,
    caller: &Caller,
    args: &ApplyArgs,
    question: &Question,
    how: &'static str,
) -> Result<ApplyOutput> {
    let project = shared.open_project(&Flags::default(), caller)?;
    let entries = entries(&project, args)?;
    if files_digest(&entries, args.force) != question.digest {
        return Err(Error::usage_with_hint(
            "the staged files changed while the person was asked; nothing was written",
            "call `apply` again to be asked about what is staged now",
        ));
    }
    let reviewer = crate::apply::review::Reviewer {
        force: args.force,
        show_diffs: false,
        ..project.reviewer(&shared.printer, caller.command_line())
    };
    let report = reviewer.review(entries, &mut ApproveAll)?;
    Ok(ApplyOutput {
        confirmed: how.to_string(),
        applied: report.applied.iter().map(object).collect::<Result<_>>()?,
        rejected: report.rejected,
        refused: report
            .refused
            .iter()
            .map(|(target, reason)| {
                object(&serde_json::json!({ "target": target, "reason": reason }))
            })
            .collect::<Result<_>>()?,
        left: report.left,
    })
}

/// The project and the manifest paths of `apply_cluster`, checked to be in the project.
fn open_for_cluster(
    shared: &Shared,
    caller: &Caller,
    args: &ClusterArgs,
) -> Result<(Project, Vec<std::path::PathBuf>)> {
    let project = shared.open_project(&Flags::default(), caller)?;
    let paths = args
        .paths
        .iter()
        .map(|p| readable(p, &project.settings.root))
        .collect::<Result<Vec<_>>>()?;
    Ok((project, paths))
}

/// The question `apply_cluster` asks: where, each change and its diff.
fn cluster_question(
    shared: &Shared,
    output: &ClusterOutput,
    pending: &[&crate::apply::cluster::Change],
) -> Question {
    let mut message = format!(
        "apply_cluster asks to apply {} change{} to context {} ({}) by server-side apply:\n",
        pending.len(),
        if pending.len() == 1 { "" } else { "s" },
        output.context,
        output.server
    );
    let mut digest_text = format!("apply_cluster {} {}\n", output.context, output.server);
    let mut diffs = String::new();
    for (change, label) in pending.iter().zip(&output.planned) {
        message.push_str(&format!("- {label}\n"));
        if let Some(note) = &change.note {
            message.push_str(&format!("  note: {note}\n"));
        }
        let diff = shared.redactor.redact_string(&change.diff());
        digest_text.push_str(&format!("{label}\n{diff}\n"));
        diffs.push_str(&diff);
    }
    push_diffs(&mut message, &diffs, "`aigen apply --cluster --dry-run`");
    message.push_str("\nTick to apply exactly these changes; the apply is recorded.");
    Question {
        message,
        digest: sha256_hex(digest_text.as_bytes()),
        action: format!(
            "applying {} change{} to context {}",
            pending.len(),
            if pending.len() == 1 { "" } else { "s" },
            output.context
        ),
    }
}
