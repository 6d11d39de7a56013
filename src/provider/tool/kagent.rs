//! Reading what `kagent invoke` prints: one A2A result as JSON.
//!
//! The result is a Task (`kind: "task"`, a `status` with a `state`, `artifacts` and `history`,
//! each with `parts`) or a Message (`kind: "message"`, `role`, `parts`); the answer is the text
//! parts inside, not the JSON itself. Where the answer is: a completed task's artifacts, else its
//! status message, else the last agent message in its history; a message's own parts. A task in
//! state `input-required` waits for a person to approve a step, which aigen reports as such and
//! never answers for them. Parts are read in both spellings A2A has used (`kind` and the older
//! `type`), and a JSON-RPC envelope (`result` / `error`) is unwrapped.

use serde_json::Value;

/// What a kagent result says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The agent answered; `state` is the task's final state (`completed`) when it was a task.
    Answer { text: String, state: Option<String> },
    /// The agent waits for a person to approve a step.
    InputRequired {
        task_id: Option<String>,
        message: String,
    },
    /// The task ended without an answer (`failed`, `rejected`, `canceled`, ...).
    Failed { state: String, message: String },
}

/// Reads kagent's stdout. `Err` says why there is no usable result in it.
pub(crate) fn parse(stdout: &str) -> Result<Outcome, String> {
    let stdout = stdout.trim();
    if stdout.is_empty() {
        return Err("kagent printed nothing on stdout".to_string());
    }
    let value = last_json(stdout).ok_or_else(|| {
        format!(
            "kagent's output is not A2A JSON: {}",
            stdout.chars().take(200).collect::<String>()
        )
    })?;
    let value = match (value.get("result"), value.get("error")) {
        (Some(result), _) => result.clone(),
        (None, Some(error)) if value.get("jsonrpc").is_some() => {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("unknown error");
            return Ok(Outcome::Failed {
                state: "error".to_string(),
                message: message.to_string(),
            });
        }
        _ => value,
    };
    let kind = value.get("kind").and_then(Value::as_str);
    if kind == Some("message") || (kind.is_none() && value.get("parts").is_some()) {
        let text = parts_text(&value);
        return if text.trim().is_empty() {
            Err("kagent's message has no text".to_string())
        } else {
            Ok(Outcome::Answer { text, state: None })
        };
    }
    if kind != Some("task") && value.get("status").is_none() {
        return Err("kagent's JSON is neither an A2A task nor a message".to_string());
    }
    task_outcome(&value)
}

fn task_outcome(task: &Value) -> Result<Outcome, String> {
    let status = task.get("status");
    let state = status
        .and_then(|s| s.get("state"))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    let status_text = status
        .and_then(|s| s.get("message"))
        .map(parts_text)
        .unwrap_or_default();
    match state.as_str() {
        "input-required" => Ok(Outcome::InputRequired {
            task_id: task.get("id").and_then(Value::as_str).map(str::to_string),
            message: status_text.trim().to_string(),
        }),
        "completed" => {
            let text = [
                artifacts_text(task),
                status_text,
                last_agent_message(task).unwrap_or_default(),
            ]
            .into_iter()
            .find(|text| !text.trim().is_empty())
            .ok_or_else(|| "kagent's task completed without any text".to_string())?;
            Ok(Outcome::Answer {
                text,
                state: Some(state),
            })
        }
        _ => Ok(Outcome::Failed {
            message: status_text.trim().to_string(),
            state,
        }),
    }
}

/// The last JSON value in `text`: the whole text, else the last line that parses.
fn last_json(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Some(value);
    }
    text.lines()
        .rev()
        .map(str::trim)
        .filter(|line| line.starts_with('{'))
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
}

fn artifacts_text(task: &Value) -> String {
    task.get("artifacts")
        .and_then(Value::as_array)
        .map(|artifacts| {
            artifacts
                .iter()
                .map(parts_text)
                .filter(|text| !text.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .unwrap_or_default()
}

fn last_agent_message(task: &Value) -> Option<String> {
    task.get("history")?
        .as_array()?
        .iter()
        .rev()
        .filter(|message| message.get("role").and_then(Value::as_str) == Some("agent"))
        .map(parts_text)
        .find(|text| !text.trim().is_empty())
}

/// The text parts of a message or artifact, joined by newlines.
fn parts_text(holder: &Value) -> String {
    let Some(parts) = holder.get("parts").and_then(Value::as_array) else {
        return String::new();
    };
    parts
        .iter()
        .filter(|part| {
            let kind = part
                .get("kind")
                .or_else(|| part.get("type"))
                .and_then(Value::as_str);
            kind.is_none_or(|kind| kind == "text")
        })
        .filter_map(|part| part.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_task_answers_from_its_artifacts() {
        let json = r#"{"id":"t1","contextId":"c1","kind":"task",
            "status":{"state":"completed","timestamp":"2026-01-01T00:00:00Z"},
            "artifacts":[{"artifactId":"a1","parts":[{"kind":"text","text":"apiVersion: v1"},
                {"kind":"data","data":{"x":1}},{"kind":"text","text":"kind: Service"}]}],
            "history":[{"kind":"message","role":"user","parts":[{"kind":"text","text":"q"}]}]}"#;
        assert_eq!(
            parse(json).unwrap(),
            Outcome::Answer {
                text: "apiVersion: v1\nkind: Service".into(),
                state: Some("completed".into())
            }
        );
    }

    #[test]
    fn without_artifacts_the_last_agent_message_answers() {
        let json = r#"{"result":{"id":"t2","kind":"task","status":{"state":"completed"},
            "history":[{"role":"user","parts":[{"type":"text","text":"q"}]},
                       {"role":"agent","parts":[{"type":"text","text":"first"}]},
                       {"role":"agent","parts":[{"type":"text","text":"final answer"}]}]},
            "jsonrpc":"2.0","id":1}"#;
        assert_eq!(
            parse(json).unwrap(),
            Outcome::Answer {
                text: "final answer".into(),
                state: Some("completed".into())
            }
        );
    }

    #[test]
    fn messages_input_required_and_failures() {
        let message = r#"{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"hi"}]}"#;
        assert!(
            matches!(parse(message).unwrap(), Outcome::Answer { text, state: None } if text == "hi")
        );

        let waiting = r#"{"id":"t3","kind":"task","status":{"state":"input-required",
            "message":{"role":"agent","parts":[{"kind":"text","text":"Approve kubectl apply?"}]}}}"#;
        assert_eq!(
            parse(waiting).unwrap(),
            Outcome::InputRequired {
                task_id: Some("t3".into()),
                message: "Approve kubectl apply?".into()
            }
        );

        let failed = r#"{"kind":"task","status":{"state":"failed","message":{"parts":[{"kind":"text","text":"model error"}]}}}"#;
        assert_eq!(
            parse(failed).unwrap(),
            Outcome::Failed {
                state: "failed".into(),
                message: "model error".into()
            }
        );
        let rpc_error =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"agent not found"}}"#;
        assert!(
            matches!(parse(rpc_error).unwrap(), Outcome::Failed { message, .. } if message == "agent not found")
        );
    }

    #[test]
    fn unusable_output_says_why() {
        assert!(parse("").unwrap_err().contains("nothing"));
        assert!(
            parse("Error: connection refused")
                .unwrap_err()
                .contains("not A2A JSON")
        );
        assert!(
            parse(r#"{"kind":"task","status":{"state":"completed"}}"#)
                .unwrap_err()
                .contains("without any text")
        );
        assert!(parse("[1,2]").unwrap_err().contains("neither"));
    }

    #[test]
    fn log_lines_before_the_json_are_skipped() {
        let out = "Port-forwarding to kagent-controller...\n{\"kind\":\"message\",\"parts\":[{\"kind\":\"text\",\"text\":\"ok\"}]}\n";
        assert!(matches!(parse(out).unwrap(), Outcome::Answer { text, .. } if text == "ok"));
    }
}
