//! [`NewRecord`]: what a caller knows about an exchange, and how it becomes a [`Record`] ready to
//! be numbered and chained: defaults filled in the Spec-Kit way (`unspecified`, `none`,
//! `unknown`), every text redacted, notes kept to one line.
//!
//! Generation fills one per round of the lint-guided loop; apply fills one per approval,
//! rejection, forced apply or undo, pointing at the producing record with a [`Reference`].

use chrono::{DateTime, Local, SecondsFormat, Utc};

use super::naming::{Stage, route_dir};
use super::record::{
    Artifact, Client, Evaluation, Links, META_FORMAT, Meta, Outcome, OutcomeNotes, Record,
    Reference, Surface, Template, Tokens,
};
use crate::error::{Error, Result};
use crate::finding_counts::FindingCounts;
use crate::secrets::Redactor;

/// The free-text notes of the `## Outcome` and `## Evaluation notes` sections. What is left
/// `None` is derived from the rest of the record or written as `none`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    pub impact: Option<String>,
    pub tests_summary: Option<String>,
    pub files_summary: Option<String>,
    pub next_prompts: Option<String>,
    pub reflection: Option<String>,
    pub failure_modes: Option<String>,
    pub graders: Option<String>,
    pub prompt_variant: Option<String>,
    pub next_experiment: Option<String>,
}

/// One exchange to record. Build it with [`NewRecord::new`] and struct-update syntax:
///
/// ```
/// use aigen::phr::{NewRecord, Stage, Outcome};
/// let record = NewRecord {
///     feature: Some("003-k8s-deployment".into()),
///     model: Some("gpt-4o-mini".into()),
///     prompt: "Write a Dockerfile for the backend".into(),
///     response: "FROM python:3.13-slim ...".into(),
///     provider: Some("openai".into()),
///     outcome: Outcome::Ok,
///     ..NewRecord::new("Backend Dockerfile", Stage::Green)
/// };
/// # let _ = record;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub title: String,
    pub stage: Stage,
    /// The feature; stages other than `constitution` and `general` need one.
    pub feature: Option<String>,
    pub model: Option<String>,
    pub labels: Vec<String>,
    /// The prompt, verbatim (it is redacted, never shortened).
    pub prompt: String,
    /// The response, verbatim.
    pub response: String,
    /// Files the exchange produced or touched (`files:`).
    pub files: Vec<String>,
    /// Test and lint lines (`tests:`), e.g. `hadolint: PASS`.
    pub tests: Vec<String>,
    /// The `command:` key: the command that made the exchange (`aigen dockerfile`, `/sp.phr`).
    pub command: Option<String>,
    /// Git branch; read from the repository when `None`.
    pub branch: Option<String>,
    /// Git user; `git config user.name` when `None`.
    pub user: Option<String>,
    pub links: Links,
    pub notes: Notes,
    /// Provider that answered (`openai`, `builtin`, `command`, ...).
    pub provider: Option<String>,
    /// AI DevOps tool used (`kubectl-ai`, `gordon`, `kagent`, `chat`).
    pub tool: Option<String>,
    /// The full aigen command line.
    pub command_line: Option<String>,
    /// Produced files with their hashes.
    pub artifacts: Vec<Artifact>,
    pub lint: Option<FindingCounts>,
    pub tokens: Option<Tokens>,
    pub latency_ms: Option<u64>,
    pub outcome: Outcome,
    /// The record this one answers, fixes, approves, rejects, forces or undoes.
    pub reference: Option<Reference>,
    /// Round of the lint-guided loop.
    pub round: Option<u32>,
    pub template: Option<Template>,
}

impl NewRecord {
    /// A record with a title and stage and everything else empty.
    pub fn new(title: impl Into<String>, stage: Stage) -> Self {
        Self {
            title: title.into(),
            stage,
            feature: None,
            model: None,
            labels: Vec::new(),
            prompt: String::new(),
            response: String::new(),
            files: Vec::new(),
            tests: Vec::new(),
            command: None,
            branch: None,
            user: None,
            links: Links::default(),
            notes: Notes::default(),
            provider: None,
            tool: None,
            command_line: None,
            artifacts: Vec::new(),
            lint: None,
            tokens: None,
            latency_ms: None,
            outcome: Outcome::Ok,
            reference: None,
            round: None,
            template: None,
        }
    }
}

/// A record ready for the store: everything but its ID and chain fields.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub record: Record,
    pub stage: Stage,
    /// The routing directory, relative to the history root.
    pub route: String,
}

/// Where a record is written from, for the fields aigen fills in itself.
pub(crate) struct Context<'a> {
    pub redactor: &'a Redactor,
    /// Where the exchange was made: at the command line or through `aigen mcp`.
    pub surface: &'a Surface,
    pub now: DateTime<Local>,
    pub branch: &'a dyn Fn() -> Option<String>,
    pub user: &'a dyn Fn() -> Option<String>,
}

/// Every text of a record to be.
fn texts(new: &NewRecord) -> Vec<&str> {
    let notes = &new.notes;
    let optional = [
        &new.feature,
        &new.model,
        &new.command,
        &new.branch,
        &new.user,
        &new.provider,
        &new.tool,
        &new.command_line,
        &new.links.spec,
        &new.links.ticket,
        &new.links.adr,
        &new.links.pr,
        &notes.impact,
        &notes.tests_summary,
        &notes.files_summary,
        &notes.next_prompts,
        &notes.reflection,
        &notes.failure_modes,
        &notes.graders,
        &notes.prompt_variant,
        &notes.next_experiment,
    ];
    let mut texts = vec![new.title.as_str(), &new.prompt, &new.response];
    texts.extend(optional.into_iter().flatten().map(String::as_str));
    texts.extend(
        new.labels
            .iter()
            .chain(&new.files)
            .chain(&new.tests)
            .map(String::as_str),
    );
    texts.extend(new.artifacts.iter().map(|a| a.path.as_str()));
    texts.extend(new.outcome.reason());
    texts
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(crate) fn prepare(new: NewRecord, context: &Context<'_>) -> Result<Prepared> {
    // A secret given away by its context anywhere in the exchange (a `token: ...` in the prompt)
    // is masked everywhere in it (the response that echoes it bare), whatever the order.
    for text in texts(&new) {
        context.redactor.learn(text);
    }
    let r = |text: &str| context.redactor.redact_string(text);
    let line = |text: &str| one_line(&r(text));
    let title = line(&new.title);
    if title.is_empty() {
        return Err(Error::usage("a record needs a title"));
    }
    let feature = present(new.feature).map(|f| line(&f));
    let route = route_dir(new.stage, feature.as_deref()).ok_or_else(|| {
        Error::usage_with_hint(
            format!(
                "records of stage `{}` are filed under a feature, and none is set",
                new.stage
            ),
            "pass --feature, set `feature` in aigen.toml or AIGEN_FEATURE, or use stage `general`",
        )
    })?;
    if route.contains(['/', '\\']) || route.starts_with('.') {
        return Err(Error::usage(format!(
            "feature `{route}` is not a directory name (no `/`, `\\` or leading `.`)"
        )));
    }
    let list = |items: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let item = line(item);
            let nothing = item.is_empty()
                || item.eq_ignore_ascii_case("none")
                || item.eq_ignore_ascii_case("null");
            if !nothing && !out.contains(&item) {
                out.push(item);
            }
        }
        out
    };
    let files = list(&new.files);
    let tests = list(&new.tests);
    let outcome = match new.outcome {
        Outcome::Ok => Outcome::Ok,
        Outcome::Failed(reason) => Outcome::Failed(line(&reason)),
        Outcome::Interrupted(reason) => Outcome::Interrupted(line(&reason)),
    };
    let artifacts: Vec<Artifact> = new
        .artifacts
        .into_iter()
        .map(|a| Artifact {
            path: line(&a.path),
            sha256: line(&a.sha256),
        })
        .collect();
    let note = |given: Option<String>, derived: Option<String>| -> String {
        present(given)
            .or(derived)
            .map(|t| line(&t))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "none".to_string())
    };
    let lint_line = new.lint.map(|l| format!("aigen lint: {l}"));
    let notes = new.notes;
    let outcome_notes = OutcomeNotes {
        impact: note(
            notes.impact,
            match &outcome {
                Outcome::Ok if !artifacts.is_empty() => Some(format!(
                    "produced {}",
                    artifacts
                        .iter()
                        .map(|a| a.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                Outcome::Ok => None,
                other => Some(format!(
                    "{}: {}",
                    other.status(),
                    other.reason().unwrap_or("")
                )),
            },
        ),
        tests: note(
            notes.tests_summary,
            if tests.is_empty() {
                lint_line
            } else {
                Some(tests.join("; "))
            },
        ),
        files: note(
            notes.files_summary,
            (!files.is_empty()).then(|| files.join(", ")),
        ),
        next_prompts: note(notes.next_prompts, None),
        reflection: note(notes.reflection, None),
    };
    let evaluation = Evaluation {
        failure_modes: note(notes.failure_modes, outcome.reason().map(str::to_string)),
        graders: note(
            notes.graders,
            new.lint.map(|l| {
                format!(
                    "aigen lint: {}",
                    if l.errors == 0 { "PASS" } else { "FAIL" }
                )
            }),
        ),
        prompt_variant: note(
            notes.prompt_variant,
            new.template
                .as_ref()
                .map(|t| format!("{}@{}", t.name, t.version)),
        ),
        next_experiment: note(notes.next_experiment, None),
    };
    let prompt = r(&new.prompt);
    let response = r(&new.response);
    let meta = Meta {
        format: META_FORMAT,
        time: Some(
            context
                .now
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        provider: present(new.provider).map(|v| line(&v)),
        tool: present(new.tool).map(|v| line(&v)),
        command_line: present(new.command_line).map(|v| line(&v)),
        client: context.surface.client().map(|client| Client {
            name: line(&client.name),
            version: line(&client.version),
            protocol: client.protocol.as_deref().map(line),
        }),
        template: new.template.map(|t| Template {
            name: line(&t.name),
            version: line(&t.version),
        }),
        round: new.round,
        reference: new.reference.map(|reference| Reference {
            relation: reference.relation,
            record: line(&reference.record),
        }),
        outcome,
        lint: new.lint,
        tokens: new.tokens,
        latency_ms: new.latency_ms,
        artifacts,
        merges: Vec::new(),
        prompt_bytes: Some(prompt.len()),
        response_bytes: Some(response.len()),
        chain: None,
    };
    let link = |value: Option<String>| {
        present(value)
            .map(|v| line(&v))
            .filter(|v| !v.eq_ignore_ascii_case("null") && !v.eq_ignore_ascii_case("none"))
    };
    let record = Record {
        id: String::new(),
        title,
        stage: new.stage.as_str().to_string(),
        date: context.now.format("%Y-%m-%d").to_string(),
        surface: context.surface.as_str().to_string(),
        model: present(new.model)
            .map(|m| line(&m))
            .unwrap_or_else(|| "unspecified".to_string()),
        feature: feature.unwrap_or_else(|| "none".to_string()),
        branch: present(new.branch)
            .or_else(|| (context.branch)())
            .map(|b| line(&b))
            .unwrap_or_else(|| "unknown".to_string()),
        user: present(new.user)
            .or_else(|| (context.user)())
            .map(|u| line(&u))
            .unwrap_or_else(|| "unknown".to_string()),
        command: present(new.command)
            .map(|c| line(&c))
            .unwrap_or_else(|| "none".to_string()),
        labels: list(&new.labels),
        links: Links {
            spec: link(new.links.spec),
            ticket: link(new.links.ticket),
            adr: link(new.links.adr),
            pr: link(new.links.pr),
        },
        files,
        tests,
        aigen: Some(meta),
        prompt: Some(prompt),
        response: Some(response),
        outcome: Some(outcome_notes),
        evaluation: Some(evaluation),
    };
    Ok(Prepared {
        record,
        stage: new.stage,
        route,
    })
}
