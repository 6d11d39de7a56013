//! One Prompt History Record: its fields, how aigen writes it ([`render`]) and how any PHR is
//! read back ([`parse`]).
//!
//! The standard Spec-Kit Plus keys and body sections are fields of [`Record`]; aigen's own data
//! (provider, artifacts, lint, tokens, latency, outcome, references and the chain fields) sits in
//! [`Meta`], written under the single front-matter key `aigen:`. Records without that key are
//! hand-written (or written by other tools) and are read all the same.
//!
//! Start with [`Record`], then `render.rs` for the exact layout and `parse.rs` for the variants
//! the reader accepts.

use std::str::FromStr;

use serde::Serialize;

use super::naming::Stage;
use crate::finding_counts::FindingCounts;
use crate::hash::sha256_hex;

mod parse;
mod render;

pub use parse::{ParseError, front_matter_end, parse, parse_front};
pub use render::render;

/// What hashes are written with in records: `sha256:<64 hex digits>`.
pub(crate) const HASH_PREFIX: &str = "sha256:";

/// A hash as read from a record, without its `sha256:` prefix.
pub(crate) fn strip_hash_prefix(text: &str) -> &str {
    text.strip_prefix(HASH_PREFIX).unwrap_or(text)
}

/// The version of the `aigen:` block aigen writes. Keys added since (`client`,
/// `client_version`, `mcp_protocol`) are optional, so the layout is still version 1.
pub(crate) const META_FORMAT: u32 = 1;

/// Where an exchange was made: the standard `surface:` key, and for `aigen mcp` the client that
/// called, which the `aigen:` block keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Surface {
    /// At the command line (`surface: agent`, as Spec-Kit writes it).
    #[default]
    Agent,
    /// Through aigen's MCP server, by this client (`surface: mcp`).
    Mcp(Client),
}

impl Surface {
    /// The word written under `surface:`.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Mcp(_) => "mcp",
        }
    }

    /// The MCP client, for exchanges made through `aigen mcp`.
    pub(crate) fn client(&self) -> Option<&Client> {
        match self {
            Self::Agent => None,
            Self::Mcp(client) => Some(client),
        }
    }
}

/// An MCP client as it named itself (its `clientInfo`), and the protocol revision it spoke.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Client {
    pub name: String,
    pub version: String,
    /// The MCP protocol revision of the call (`2025-11-25`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// The `links:` of a record; `None` is written as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    pub spec: Option<String>,
    pub ticket: Option<String>,
    pub adr: Option<String>,
    pub pr: Option<String>,
}

/// The `## Outcome` bullets. aigen writes `none` for what it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeNotes {
    pub impact: String,
    pub tests: String,
    pub files: String,
    pub next_prompts: String,
    pub reflection: String,
}

/// The `## Evaluation notes (flywheel)` bullets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub failure_modes: String,
    pub graders: String,
    pub prompt_variant: String,
    pub next_experiment: String,
}

/// A file an exchange produced, with the sha256 of its content (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub path: String,
    pub sha256: String,
}

impl Artifact {
    /// An artifact with the hash of `content`.
    pub fn of(path: impl Into<String>, content: &[u8]) -> Self {
        Self {
            path: path.into(),
            sha256: sha256_hex(content),
        }
    }
}

/// Tokens an exchange used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    pub prompt: u64,
    pub completion: u64,
}

/// The prompt template a prompt was rendered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub name: String,
    pub version: String,
}

/// How an exchange ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "lowercase")]
pub enum Outcome {
    /// It produced what was asked.
    #[default]
    Ok,
    /// It failed, and why.
    Failed(String),
    /// It was stopped (Ctrl-C, a timeout), and why.
    Interrupted(String),
}

impl Outcome {
    /// `ok`, `failed` or `interrupted`.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed(_) => "failed",
            Self::Interrupted(_) => "interrupted",
        }
    }

    /// The reason of a failure or interruption.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Ok => None,
            Self::Failed(reason) | Self::Interrupted(reason) => Some(reason),
        }
    }

    /// An outcome from its status word and reason, or `None` for an unknown word.
    pub(crate) fn from_parts(status: &str, reason: Option<String>) -> Option<Self> {
        let reason = reason.unwrap_or_default();
        match status {
            "ok" => Some(Self::Ok),
            "failed" => Some(Self::Failed(reason)),
            "interrupted" => Some(Self::Interrupted(reason)),
            _ => None,
        }
    }
}

/// How a record relates to an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// A follow-up to the earlier exchange.
    Answers,
    /// A lint-guided fix of what the earlier exchange produced.
    Fixes,
    /// Approval of what the earlier exchange produced.
    Approves,
    /// Rejection of it.
    Rejects,
    /// Approval despite error findings.
    Forces,
    /// Undo of an earlier apply.
    Undoes,
}

impl Relation {
    /// Every relation, in the order the `aigen:` block is searched for them.
    pub(crate) const ALL: [Relation; 6] = [
        Relation::Answers,
        Relation::Fixes,
        Relation::Approves,
        Relation::Rejects,
        Relation::Forces,
        Relation::Undoes,
    ];

    /// The key the relation is written under.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Answers => "answers",
            Self::Fixes => "fixes",
            Self::Approves => "approves",
            Self::Rejects => "rejects",
            Self::Forces => "forces",
            Self::Undoes => "undoes",
        }
    }
}

impl FromStr for Relation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Relation::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| format!("unknown relation `{text}`"))
    }
}

/// A pointer to an earlier record: `<routing dir>/<id>`, e.g. `003-k8s-deployment/0004`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub relation: Relation,
    pub record: String,
}

/// A record's place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    /// 1 for the first record of a trail, then one more than the record before.
    pub sequence: u64,
    /// The hash of the record before (`None` for the first).
    pub prev: Option<String>,
    /// This record's own hash (see [`crate::phr::chain::content_hash`]).
    pub hash: String,
}

/// aigen's data about an exchange, written under the `aigen:` key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// Layout version of this block ([`META_FORMAT`]).
    pub format: u32,
    /// When the record was written (RFC 3339, UTC).
    pub time: Option<String>,
    /// Provider that answered (`openai`, `builtin`, ...).
    pub provider: Option<String>,
    /// AI DevOps tool used (`kubectl-ai`, `gordon`, `kagent`, `chat`, ...).
    pub tool: Option<String>,
    /// The aigen command line that made the exchange (redacted).
    pub command_line: Option<String>,
    /// The MCP client that made the exchange (`surface: mcp`).
    pub client: Option<Client>,
    /// The prompt template, when the prompt came from one.
    pub template: Option<Template>,
    /// Round of the lint-guided loop (1 for the first attempt).
    pub round: Option<u32>,
    /// The record this one answers, fixes, approves, ...
    pub reference: Option<Reference>,
    pub outcome: Outcome,
    /// Findings on what it produced: `lint_errors` and `lint_warnings` (infos are not kept).
    #[serde(serialize_with = "serialize_lint")]
    pub lint: Option<FindingCounts>,
    pub tokens: Option<Tokens>,
    pub latency_ms: Option<u64>,
    /// Files produced, with their hashes.
    pub artifacts: Vec<Artifact>,
    /// Hashes of other branch tips this record links (written by `verify --relink`).
    pub merges: Vec<String>,
    /// Length in bytes of the prompt and response sections, so they read back exactly.
    pub prompt_bytes: Option<usize>,
    pub response_bytes: Option<usize>,
    /// The chain fields; `None` only in a damaged record.
    pub chain: Option<Chain>,
}

/// A Prompt History Record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The ID as written (`0004`; hand-written records also have `39`, `"001"`, ...).
    pub id: String,
    pub title: String,
    /// The stage as written; [`Record::stage`] gives it typed.
    pub stage: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub surface: String,
    pub model: String,
    /// The feature, or `none`.
    pub feature: String,
    pub branch: String,
    pub user: String,
    pub command: String,
    pub labels: Vec<String>,
    pub links: Links,
    pub files: Vec<String>,
    pub tests: Vec<String>,
    /// aigen's block; `None` for records aigen did not write.
    pub aigen: Option<Meta>,
    /// The `## Prompt` section, verbatim.
    pub prompt: Option<String>,
    /// The `## Response snapshot` (or `## Response`) section, verbatim.
    pub response: Option<String>,
    pub outcome: Option<OutcomeNotes>,
    pub evaluation: Option<Evaluation>,
}

impl Record {
    /// The stage, when it is one of the ten.
    pub fn stage(&self) -> Option<Stage> {
        self.stage.parse().ok()
    }

    /// The feature, unless it is `none` or empty.
    pub(crate) fn feature(&self) -> Option<&str> {
        Some(self.feature.as_str()).filter(|f| !f.is_empty() && *f != "none")
    }

    /// The chain fields, for records aigen wrote.
    pub fn chain(&self) -> Option<&Chain> {
        self.aigen.as_ref().and_then(|m| m.chain.as_ref())
    }

    /// The outcome aigen recorded (`None` for hand-written records).
    pub(crate) fn outcome_status(&self) -> Option<&'static str> {
        self.aigen.as_ref().map(|m| m.outcome.status())
    }

    /// Provider or tool, whichever aigen recorded (provider first).
    pub(crate) fn provider_or_tool(&self) -> Option<&str> {
        let meta = self.aigen.as_ref()?;
        meta.provider.as_deref().or(meta.tool.as_deref())
    }
}

/// A record's lint counts as it keeps them: `{"errors": N, "warnings": N}` (no infos).
pub(crate) fn serialize_lint<S: serde::Serializer>(
    lint: &Option<FindingCounts>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    lint.map(|counts| serde_json::json!({ "errors": counts.errors, "warnings": counts.warnings }))
        .serialize(serializer)
}
