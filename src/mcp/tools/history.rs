//! The read-only tools over the Prompt History Record trail: `history_list`, `history_show`
//! and `history_verify`, answering as `aigen history list|show|verify --format json` do.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::inspect::NoArgs;
use super::{Object, input_schema, object, output_schema};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::mcp::server::{Server, Shared};
use crate::phr::query::{self, FilterText, Shown, SortKey, Summary};
use crate::phr::{Store, verify};
use crate::settings::Flags;

/// `history_list`: which records, newest last.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListArgs {
    /// Only records of this feature.
    pub feature: Option<String>,
    /// Only records of this stage (`green`, `general`, ...).
    pub stage: Option<String>,
    /// Only records of this provider or tool.
    pub provider: Option<String>,
    /// Only records with this label (`apply`, `mcp`, ...).
    pub label: Option<String>,
    /// Only records with this outcome: `ok`, `failed` or `interrupted`.
    pub outcome: Option<String>,
    /// Only records on or after this date (YYYY-MM-DD).
    pub since: Option<String>,
    /// Only records on or before this date (YYYY-MM-DD).
    pub until: Option<String>,
    /// At most this many records, the newest (default: all).
    pub limit: Option<usize>,
}

/// The records that passed the filters, oldest first.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ListOutput {
    /// Each as `aigen history list --format json` gives it: path, reference, id, date, stage,
    /// title, surface (and MCP client), model, provider, labels, outcome, lint, files, chain.
    pub records: Vec<Object>,
    /// Record files that could not be read, and why.
    pub unreadable: Vec<String>,
}

/// `history_show`: one record.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShowArgs {
    /// A record reference (`003-k8s-deployment/0004`, `general/0001`), or an id where it is
    /// unique (`0004`).
    pub record: String,
}

/// One record, whole.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ShowOutput {
    /// The file, relative to the history root.
    pub path: String,
    pub reference: String,
    /// Whether the record still matches its own hash (absent for unchained records).
    pub hash_matches: Option<bool>,
    /// Every field: the standard keys, aigen's block, the prompt and the response.
    pub record: Object,
}

/// The hash chain checked.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct VerifyOutput {
    /// No error finding.
    pub clean: bool,
    pub records: usize,
    pub chained: usize,
    pub unchained: usize,
    /// The last record as the head names it: sequence, hash, path.
    pub head: Option<Object>,
    /// Each finding: kind (`edited`, `deleted`, `inserted`, ...), severity, path, message.
    pub findings: Vec<Object>,
}

#[tool_router(router = history_router, vis = "pub(super)")]
impl Server {
    /// The records of the audit trail that pass the filters, oldest first: what was asked,
    /// of which provider, with what outcome, on which surface. Same as
    /// `aigen history list --format json`.
    #[tool(
        input_schema = input_schema::<ListArgs>(),
        output_schema = output_schema::<ListOutput>(),
        annotations(title = "List records", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn history_list(
        &self,
        Parameters(args): Parameters<ListArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("history_list", &context, args, |shared, args| {
            list(shared, args)
        })
        .await
    }

    /// One record of the trail, whole (prompt, response, metadata), and whether it still
    /// matches its own hash. Same as `aigen history show --format json`.
    #[tool(
        input_schema = input_schema::<ShowArgs>(),
        output_schema = output_schema::<ShowOutput>(),
        annotations(title = "Show a record", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn history_show(
        &self,
        Parameters(args): Parameters<ShowArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("history_show", &context, args, |shared, args| {
            let store = store(shared)?;
            let entry = store.find(&args.record)?;
            let text = fsutil::read_to_string(&entry.file.path)?;
            store.redactor().learn(&text);
            to_value(&Shown::of(&entry, &text))
        })
        .await
    }

    /// Checks the trail's hash chain: edited, deleted, inserted, reordered or truncated
    /// records, each named with its path. Same as `aigen history verify --format json`.
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<VerifyOutput>(),
        annotations(title = "Verify the trail", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn history_verify(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("history_verify", &context, args, |shared, _| {
            let report = verify::verify(&store(shared)?)?;
            let mut value = to_value(&report)?;
            value["clean"] = Value::Bool(!report.failed(false));
            Ok(value)
        })
        .await
    }
}

/// The project's trail, redacted with the server's redactor.
fn store(shared: &Shared) -> Result<Store> {
    let settings = shared.settings(&Flags::default())?;
    Ok(Store::open(&settings.history_root())?.with_redactor(shared.redactor.clone()))
}

fn to_value(value: &impl Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::usage(format!("cannot write JSON: {e}")))
}

/// The work of `history_list`.
fn list(shared: &Shared, args: ListArgs) -> Result<ListOutput> {
    let filter = FilterText {
        feature: args.feature,
        stage: args.stage,
        provider: args.provider,
        model: None,
        since: args.since,
        until: args.until,
        outcome: args.outcome,
        label: args.label,
    }
    .parse("")?;
    let store = store(shared)?;
    let trail = query::select(&store, &filter, false)?;
    let mut entries = trail.entries;
    query::sort(&mut entries, SortKey::Date);
    if let Some(limit) = args.limit {
        let skip = entries.len().saturating_sub(limit);
        entries.drain(..skip);
    }
    let records = entries
        .iter()
        .map(|e| object(&Summary::of(e)))
        .collect::<Result<Vec<_>>>()?;
    let unreadable = trail
        .problems
        .iter()
        .map(|(file, error)| format!("{}: {error}", file.rel))
        .collect();
    Ok(ListOutput {
        records,
        unreadable,
    })
}
