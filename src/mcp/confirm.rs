//! Asking the person before a write, through MCP elicitation, in both ways the protocol has:
//!
//! - up to revision 2025-11-25 the server sends `elicitation/create` to the client inside the
//!   call and waits for the answer;
//! - from 2026-07-28 a server may not send requests: the call answers `input_required` with the
//!   question and a `requestState` handle, and the client calls again with the answer and the
//!   handle. The handle is random, kept here ([`Confirmations`]) with a digest of exactly what
//!   would be written, used once and forgotten after [`PENDING_TTL`]; a handle that is unknown,
//!   spent, expired or asked about other content confirms nothing.
//!
//! A client that declared no elicitation capability cannot be asked: the call is refused, and
//! the refusal says how to apply anyway (`--yes` at start). [`Shared::confirm`] decides; the
//! writing tools only act on [`Confirmation::Confirmed`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolResponse, CallToolResult, ElicitRequest, ElicitRequestParams, ElicitResult,
    ElicitationAction, ElicitationSchema, InputRequest, InputRequests, InputRequiredResult,
    InputResponses,
};
use rmcp::service::{ElicitationError, RequestContext};
use rmcp::{ErrorData as McpError, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::call::refusal;
use super::server::Shared;

/// How long a question asked with `input_required` waits for the client's second call.
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(15 * 60);

/// How long an `elicitation/create` waits for the person.
pub(crate) const ASK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The key of the question in `inputRequests` and `inputResponses`.
const KEY: &str = "confirm";

/// The form the person fills in: one box to tick.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Confirm {
    /// Tick to write exactly what was described; leave it to write nothing.
    pub confirm: bool,
}
rmcp::elicit_safe!(Confirm);

/// What to ask, and what a yes would allow.
#[derive(Debug, Clone)]
pub(crate) struct Question {
    /// Shown to the person: what would be written, where.
    pub message: String,
    /// A digest of exactly what would be written; a yes is for this and nothing else.
    pub digest: String,
    /// What is refused, for the refusal texts (`writing 2 staged files`).
    pub action: String,
}

/// The outcome of asking.
pub(crate) enum Confirmation {
    /// Go ahead; how it was confirmed (`elicitation`, `--yes`).
    Confirmed(&'static str),
    /// Do not; answer with this (a tool error saying why and that nothing was written).
    Refused(CallToolResult),
    /// Answer with this question; the client calls again with the answer.
    AskFirst(CallToolResponse),
}

/// Questions waiting for the client's second call, by handle.
#[derive(Debug, Default)]
pub(crate) struct Confirmations {
    pending: Mutex<HashMap<String, Pending>>,
}

#[derive(Debug)]
struct Pending {
    digest: String,
    tool: &'static str,
    asked: Instant,
}

impl Confirmations {
    /// Keeps a question and returns its handle.
    fn ask(&self, tool: &'static str, digest: &str) -> Result<String, McpError> {
        let handle = random_handle()?;
        let mut pending = self.lock();
        pending.retain(|_, p| p.asked.elapsed() < PENDING_TTL);
        pending.insert(
            handle.clone(),
            Pending {
                digest: digest.to_string(),
                tool,
                asked: Instant::now(),
            },
        );
        Ok(handle)
    }

    /// Takes the question of `handle` if it is live and about `digest` from `tool`.
    fn answer(&self, handle: &str, tool: &'static str, digest: &str) -> bool {
        let taken = self.lock().remove(handle);
        taken.is_some_and(|p| {
            p.tool == tool && p.digest == digest && p.asked.elapsed() < PENDING_TTL
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while the map was held leaves it whole (insert and remove only).
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// 128 random bits from the operating system, as hex.
fn random_handle() -> Result<String, McpError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        McpError::internal_error(format!("no random bytes for the question: {e}"), None)
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Shared {
    /// Asks the person whether `question` may be done, the way the client's protocol revision
    /// allows; `state` and `responses` are what a 2026-07-28 client sent back.
    pub(crate) async fn confirm(
        &self,
        tool: &'static str,
        context: &RequestContext<RoleServer>,
        state: Option<String>,
        responses: Option<InputResponses>,
        question: &Question,
    ) -> Result<Confirmation, McpError> {
        if self.options.yes {
            return Ok(Confirmation::Confirmed("--yes"));
        }
        let declared = context
            .client_capabilities()
            .is_some_and(|c| c.elicitation.is_some());
        if !declared {
            return Ok(Confirmation::Refused(refusal(
                self,
                format!(
                    "refused {}: this client cannot ask the person to confirm (it declared no elicitation capability); nothing was written",
                    question.action
                ),
                "use a client that supports elicitation, or restart the server with `aigen mcp --allow-apply --yes` to apply without asking",
            )));
        }
        let stateless = context
            .protocol_version()
            .is_some_and(|v| !v.has_initialize());
        if stateless {
            self.confirm_by_retry(tool, state, responses, question)
        } else {
            Ok(self.confirm_by_request(context, question).await)
        }
    }

    /// Up to 2025-11-25: `elicitation/create`, awaited inside the call.
    async fn confirm_by_request(
        &self,
        context: &RequestContext<RoleServer>,
        question: &Question,
    ) -> Confirmation {
        let asked = context
            .peer
            .elicit_with_timeout::<Confirm>(question.message.clone(), Some(ASK_TIMEOUT));
        let answer = tokio::select! {
            answer = asked => answer,
            () = context.ct.cancelled() => return self.not_confirmed(question, "the call was cancelled"),
        };
        match answer {
            Ok(Some(Confirm { confirm: true })) => Confirmation::Confirmed("elicitation"),
            Ok(_) => self.not_confirmed(question, "the box was not ticked"),
            Err(ElicitationError::UserDeclined) => self.not_confirmed(question, "declined"),
            Err(ElicitationError::UserCancelled) => self.not_confirmed(question, "cancelled"),
            Err(error) => {
                self.not_confirmed(question, &format!("the question got no answer ({error})"))
            }
        }
    }

    /// From 2026-07-28: ask with `input_required`, and check the answer of the second call.
    fn confirm_by_retry(
        &self,
        tool: &'static str,
        state: Option<String>,
        responses: Option<InputResponses>,
        question: &Question,
    ) -> Result<Confirmation, McpError> {
        let Some(handle) = state else {
            let handle = self.confirmations.ask(tool, &question.digest)?;
            let schema = ElicitationSchema::from_type::<Confirm>()
                .map_err(|e| McpError::internal_error(e.to_string(), None))?;
            let mut requests = InputRequests::new();
            requests.insert(
                KEY.into(),
                InputRequest::Elicitation(ElicitRequest::new(
                    ElicitRequestParams::FormElicitationParams {
                        meta: None,
                        message: question.message.clone(),
                        requested_schema: schema,
                    },
                )),
            );
            return Ok(Confirmation::AskFirst(
                InputRequiredResult::new(Some(requests), Some(handle)).into(),
            ));
        };
        if !self.confirmations.answer(&handle, tool, &question.digest) {
            return Ok(self.not_confirmed(
                question,
                "the answer is for a question this server did not ask, asked about other content (what would be written changed since), already answered, or expired",
            ));
        }
        let answer = responses
            .as_ref()
            .and_then(|r| r.get(KEY))
            .and_then(|v| ElicitResult::deserialize(v).ok());
        Ok(match answer {
            Some(ElicitResult {
                action: ElicitationAction::Accept,
                content: Some(content),
                ..
            }) if content.get(KEY) == Some(&serde_json::Value::Bool(true)) => {
                Confirmation::Confirmed("elicitation")
            }
            Some(ElicitResult {
                action: ElicitationAction::Accept,
                ..
            }) => self.not_confirmed(question, "the box was not ticked"),
            Some(ElicitResult {
                action: ElicitationAction::Decline,
                ..
            }) => self.not_confirmed(question, "declined"),
            Some(_) => self.not_confirmed(question, "cancelled"),
            None => self.not_confirmed(question, "the second call carried no answer"),
        })
    }

    fn not_confirmed(&self, question: &Question, why: &str) -> Confirmation {
        Confirmation::Refused(refusal(
            self,
            format!(
                "not confirmed ({why}): {}; nothing was written",
                question.action
            ),
            "call again to be asked again",
        ))
    }
}
