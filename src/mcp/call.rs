//! One tool call: who made it ([`Caller`]: the client as it named itself, the protocol
//! revision, the call's cancellation), running its work off the async threads (aigen's
//! project code blocks: files, locks, `helm`, providers), and turning the outcome into a tool
//! result.
//!
//! A result is structured (the same JSON the command's `--format json` prints, every string
//! redacted, also given as text for clients that read only text); an error is a result with
//! `isError` whose text is what the command line prints (`error: ...` and `  hint: ...`),
//! redacted. JSON-RPC errors are left for requests that cannot be routed (an unknown tool, a
//! malformed request), which rmcp answers itself.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer};
use serde::Serialize;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::server::{Server, Shared};
use crate::error::{Error, Result};
use crate::phr::{Client, NewRecord, Outcome, Stage, Store, Surface};
use crate::printer::error_text;
use crate::project::Project;
use crate::settings::Flags;

/// Who made a call, and how to stop it.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The tool called.
    pub tool: &'static str,
    /// The client's `clientInfo` (from the handshake, or the request on 2026-07-28).
    pub client: Client,
    /// Fires when the client cancels the call (`notifications/cancelled`, or a stateless HTTP
    /// request dropped) or goes away: its stdin closed, its HTTP connection gone.
    pub cancel: CancellationToken,
    /// Cancels [`Caller::cancel`] once the call is over, which ends the task watching the
    /// sources.
    _done: Arc<DropGuard>,
}

/// The connection an HTTP request came on: cancelled when the connection closes (the client
/// went away). The HTTP listener puts it in each request's extensions.
#[derive(Debug, Clone)]
pub(crate) struct Connection(pub CancellationToken);

impl Caller {
    /// The caller of a request to `shared`'s server.
    pub(crate) fn of(
        tool: &'static str,
        context: &RequestContext<RoleServer>,
        shared: &Shared,
    ) -> Self {
        let info = context.client_info();
        let connection = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Connection>())
            .map(|c| c.0.clone());
        let cancel = CancellationToken::new();
        let (call, gone, watched) = (
            context.ct.clone(),
            shared.client_gone.clone(),
            cancel.clone(),
        );
        tokio::spawn(async move {
            let connection_closed = async {
                match connection {
                    Some(token) => token.cancelled().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = call.cancelled() => {}
                () = gone.cancelled() => {}
                () = connection_closed => {}
                () = watched.cancelled() => return,
            }
            watched.cancel();
        });
        Self {
            tool,
            client: Client {
                name: info
                    .as_ref()
                    .map_or_else(|| "unknown".to_string(), |i| i.name.clone()),
                version: info
                    .as_ref()
                    .map_or_else(|| "unknown".to_string(), |i| i.version.clone()),
                protocol: context.protocol_version().map(|v| v.to_string()),
            },
            _done: Arc::new(cancel.clone().drop_guard()),
            cancel,
        }
    }

    /// Where records of this call say it was made.
    pub(crate) fn surface(&self) -> Surface {
        Surface::Mcp(self.client.clone())
    }

    /// What records of this call keep as the command line.
    pub(crate) fn command_line(&self) -> String {
        format!(
            "aigen mcp: {} (client {} {})",
            self.tool, self.client.name, self.client.version
        )
    }
}

impl Shared {
    /// The project a call works on, its records made on the MCP surface by `caller`.
    pub(crate) fn open_project(&self, flags: &Flags, caller: &Caller) -> Result<Project> {
        let mut project = Project::open(self.settings(flags)?, &self.printer, &self.redactor)?;
        project.store = project.store.clone().with_surface(caller.surface());
        Ok(project)
    }

    /// The result of a call: `value` as structured content, redacted; an error as a tool error
    /// with the command line's text, redacted.
    pub(crate) fn result<T: Serialize>(&self, outcome: Result<T>) -> CallToolResult {
        match outcome.and_then(|value| {
            serde_json::to_value(value)
                .map_err(|e| Error::usage(format!("cannot encode the result as JSON: {e}")))
        }) {
            Ok(mut value) => {
                self.redactor.redact_json(&mut value);
                CallToolResult::structured(value)
            }
            Err(error) => self.error(error),
        }
    }

    /// A tool error with the text the command line prints for `error`, redacted.
    pub(crate) fn error(&self, error: Error) -> CallToolResult {
        let error = self.redactor.redact_error(error);
        CallToolResult::error(vec![ContentBlock::text(error_text(&error, false))])
    }

    /// With `--record-all`, the record of a read-only call: what was asked (the tool and its
    /// arguments) and what was answered, on the MCP surface. Failing to record is a warning on
    /// stderr; the answer still goes out.
    fn record_read(&self, caller: &Caller, arguments: &serde_json::Value, result: &CallToolResult) {
        if !self.options.record_all {
            return;
        }
        let appended = self.settings(&Flags::default()).and_then(|settings| {
            let store = Store::open(&settings.history_root())?
                .with_redactor(self.redactor.clone())
                .with_surface(caller.surface());
            let answer = result
                .content
                .iter()
                .filter_map(|block| block.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n");
            let failed = result.is_error == Some(true);
            store.append(NewRecord {
                feature: settings.feature.clone(),
                labels: vec!["mcp".into(), caller.tool.into()],
                prompt: format!("{} {arguments}", caller.tool),
                response: answer.clone(),
                command: Some("aigen mcp".into()),
                command_line: Some(caller.command_line()),
                outcome: if failed {
                    Outcome::Failed(answer.lines().next().unwrap_or_default().to_string())
                } else {
                    Outcome::Ok
                },
                ..NewRecord::new(
                    format!("MCP {}", caller.tool),
                    Stage::of_work(settings.feature.as_deref()),
                )
            })
        });
        if let Err(error) = appended {
            self.printer.warn(format!(
                "the call to `{}` was not recorded: {}",
                caller.tool,
                self.redactor.redact_string(&error.to_string())
            ));
        }
    }
}

impl Server {
    /// Runs read-only `tool`'s work on its `args` off the async threads and answers with its
    /// result; with `--record-all` the call is recorded, arguments included.
    pub(super) async fn read_only<A, T, F>(
        &self,
        tool: &'static str,
        context: &RequestContext<RoleServer>,
        args: A,
        work: F,
    ) -> std::result::Result<CallToolResult, McpError>
    where
        A: Serialize + Send + 'static,
        T: Serialize + Send + 'static,
        F: FnOnce(&Shared, A) -> Result<T> + Send + 'static,
    {
        let caller = Caller::of(tool, context, &self.shared);
        let arguments = serde_json::to_value(&args).unwrap_or_default();
        let shared = self.shared.clone();
        blocking_mcp(move || {
            let result = shared.result(work(&shared, args));
            shared.record_read(&caller, &arguments, &result);
            Ok(result)
        })
        .await
    }

    /// Runs a staging or writing tool's work off the async threads and answers with its
    /// result. The work records what it does itself (each round of a generation, each decision
    /// of a review), on the caller's surface.
    pub(super) async fn recorded<T, F>(
        &self,
        caller: Caller,
        work: F,
    ) -> std::result::Result<CallToolResult, McpError>
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&Shared, &Caller) -> Result<T> + Send + 'static,
    {
        let shared = self.shared.clone();
        blocking_mcp(move || Ok(shared.result(work(&shared, &caller)))).await
    }
}

/// Runs `work` on the blocking pool; a panic in it becomes an internal error rather than a
/// dead session.
pub(crate) async fn blocking_mcp<T, F>(work: F) -> std::result::Result<T, McpError>
where
    T: Send + 'static,
    F: FnOnce() -> std::result::Result<T, McpError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| McpError::internal_error(format!("the call failed: {e}"), None))?
}

/// A refusal or an input error as a tool error, with the command line's wording.
pub(crate) fn refusal(
    shared: &Shared,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> CallToolResult {
    shared.error(Error::usage_with_hint(message, hint))
}
