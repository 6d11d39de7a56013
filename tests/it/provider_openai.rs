//! The `openai` provider against real HTTP servers on loopback: wiremock as an OpenAI-compatible
//! API, and a scripted TCP server for cut, reset and stalled connections.

use std::time::Duration;

use crate::support::provider::{
    KEY, Reply, Scripted, Seen, answering, answering_once_then, chunk, closing_chunks, complete,
    event_stream, openai_config, request, retries, sse, streamed, v1,
};
use aigen::provider::{CancellationToken, Event, Provider, ProviderError, Response};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TIMEOUT: Duration = Duration::from_secs(10);

fn error_body(status: u16, message: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}
    }))
}

/// Sends the Dockerfile request through the openai provider at `url`.
async fn run(
    url: &str,
    retries: u32,
    timeout: Duration,
) -> (Result<Response, ProviderError>, Vec<Seen>) {
    complete(
        &openai_config(url, retries, timeout),
        &request(
            "Write a Dockerfile for a FastAPI service",
            Some("test-model"),
        ),
    )
    .await
}

/// Everything an error shows a person or a log: message, hint, debug form, and the CLI error.
fn all_text(error: ProviderError) -> String {
    let mut text = format!(
        "{error}\n{:?}\n{}\n",
        error,
        error.hint().unwrap_or_default()
    );
    let cli: aigen::Error = error.into();
    text.push_str(&format!(
        "{cli}\n{cli:?}\n{}",
        cli.hint().unwrap_or_default()
    ));
    text
}

#[tokio::test]
async fn streams_the_answer_with_usage_and_the_reported_model() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(event_stream(sse(&[
            "FROM python",
            ":3.13-slim",
            "\nUSER 10001\n",
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let (result, seen) = run(&v1(&server), 2, TIMEOUT).await;
    let response = result.unwrap();

    assert_eq!(response.text, "FROM python:3.13-slim\nUSER 10001\n");
    assert_eq!(streamed(&seen), response.text);
    assert_eq!(
        seen.iter().filter(|s| matches!(s, Seen::Text(_))).count(),
        3,
        "the answer arrives piece by piece"
    );
    assert_eq!(response.model, "test-model-2026-01-01");
    let usage = response.usage.unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (42, 7));
    assert_eq!(response.attempts, 1);
    assert_eq!(response.finish_reason.as_deref(), Some("stop"));
    assert!(!response.is_truncated());

    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(
        body["messages"][1]["content"],
        "Write a Dockerfile for a FastAPI service"
    );
}

#[tokio::test]
async fn a_local_server_gets_no_authorization_header() {
    let server = answering(event_stream(sse(&["ok"]))).await;
    let mut config = openai_config(&v1(&server), 0, TIMEOUT);
    config.api_key = None;
    let response = complete(&config, &request("hi", None)).await.0.unwrap();
    assert_eq!(response.text, "ok");
    let requests = server.received_requests().await.unwrap();
    assert!(!requests[0].headers.contains_key("authorization"));
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["model"], aigen::provider::openai::DEFAULT_MODEL);
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_wait_the_server_asks_for() {
    let server = answering_once_then(
        error_body(
            429,
            "Rate limit reached for requests",
            "rate_limit_exceeded",
        )
        .insert_header("retry-after", "1"),
        event_stream(sse(&["done"])),
    )
    .await;

    let (result, seen) = run(&v1(&server), 3, TIMEOUT).await;
    let response = result.unwrap();

    assert_eq!(response.text, "done");
    assert_eq!(response.attempts, 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let retries = retries(&seen);
    assert_eq!(retries.len(), 1);
    let (attempt, wait, reason) = &retries[0];
    assert_eq!(*attempt, 2);
    assert_eq!(*wait, Duration::from_secs(1), "Retry-After: 1 is honoured");
    assert!(reason.contains("429"), "{reason}");
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(2);
    let server = answering_once_then(
        ResponseTemplate::new(503).insert_header(
            "retry-after",
            at.to_rfc2822().replace("+0000", "GMT").as_str(),
        ),
        event_stream(sse(&["up again"])),
    )
    .await;

    let (result, seen) = run(&v1(&server), 3, TIMEOUT).await;
    assert_eq!(result.unwrap().attempts, 2);
    let (_, wait, reason) = &retries(&seen)[0];
    assert!(
        *wait > Duration::ZERO && *wait <= Duration::from_secs(2),
        "the wait runs to the date: {wait:?}"
    );
    assert!(reason.contains("503"), "{reason}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let server = answering(
        error_body(429, "quota", "rate_limit_exceeded").insert_header("retry-after", "3600"),
    )
    .await;
    let (result, seen) = run(&v1(&server), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(matches!(
        error,
        ProviderError::RateLimited { attempts: 1, .. }
    ));
    assert!(error.to_string().contains("asks to wait 3600 s"), "{error}");
    assert!(retries(&seen).is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_server_error_then_success_is_retried_with_backoff() {
    let server = answering_once_then(
        ResponseTemplate::new(500).set_body_string("upstream exploded"),
        event_stream(sse(&["second time lucky"])),
    )
    .await;

    let (result, seen) = run(&v1(&server), 3, TIMEOUT).await;
    let response = result.unwrap();
    assert_eq!(response.text, "second time lucky");
    assert_eq!(response.attempts, 2);
    let retries = retries(&seen);
    assert_eq!(retries.len(), 1);
    assert!(
        retries[0].1 <= Duration::from_millis(100),
        "{:?}",
        retries[0]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_server_that_keeps_failing_gets_a_bounded_number_of_attempts() {
    let server = answering(ResponseTemplate::new(500).set_body_json(serde_json::json!({
        "error": {"message": "The server had an error while processing your request"}
    })))
    .await;

    let (result, seen) = run(&v1(&server), 2, TIMEOUT).await;
    let error = result.unwrap_err();

    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_eq!(retries(&seen).len(), 2);
    assert!(matches!(
        error,
        ProviderError::Server {
            status: 500,
            attempts: 3,
            ..
        }
    ));
    let text = error.to_string();
    assert!(text.contains("HTTP 500 after 3 attempt(s)"), "{text}");
    assert!(text.contains("error while processing"), "{text}");
    assert!(error.hint().unwrap().contains("--provider builtin"));
    let cli: aigen::Error = error.into();
    assert_eq!(cli.exit_status() as u8, 3);
}

#[tokio::test]
async fn a_bad_key_is_not_retried_and_says_to_set_the_key() {
    let server = answering(error_body(
        401,
        &format!("Incorrect API key provided: {KEY}."),
        "invalid_api_key",
    ))
    .await;

    let (result, _) = run(&v1(&server), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(matches!(
        error,
        ProviderError::Unauthorized { status: 401, .. }
    ));
    assert!(error.hint().unwrap().contains("OPENAI_API_KEY"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(!all_text(error).contains("SECRETSECRET"));
}

#[tokio::test]
async fn an_unknown_model_is_named_with_a_hint_to_pick_another() {
    let server = answering(error_body(
        404,
        "The model `test-model` does not exist or you do not have access to it.",
        "model_not_found",
    ))
    .await;

    let (result, _) = run(&v1(&server), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, ProviderError::ModelNotFound { model, .. } if model == "test-model"),
        "{error:?}"
    );
    assert!(error.to_string().contains("no model `test-model`"));
    assert!(error.hint().unwrap().contains("--model"));
}

#[tokio::test]
async fn a_wrong_base_url_gets_a_hint_about_v1() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string("404 page not found"))
        .mount(&server)
        .await;
    let (result, _) = run(&server.uri(), 0, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::Rejected { status: 404, .. }));
    assert!(error.hint().unwrap().contains("/v1"), "{:?}", error.hint());
}

#[tokio::test]
async fn a_key_echoed_by_the_server_is_scrubbed() {
    let server = answering(error_body(
        400,
        &format!("Invalid parameter for key {KEY}: max_tokens"),
        "invalid_value",
    ))
    .await;
    let (result, _) = run(&v1(&server), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("max_tokens"), "{text}");
    assert!(text.contains("[REDACTED:"), "{text}");
    assert!(!all_text(error).contains("SECRETSECRET"));
}

#[tokio::test]
async fn a_refused_connection_names_the_url_and_suggests_builtin() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);

    let (result, seen) = run(&format!("http://{addr}/v1"), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::Unreachable { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains(&format!("http://{addr}/v1/chat/completions")),
        "{text}"
    );
    assert!(text.contains("connection refused"), "{text}");
    let hint = error.hint().unwrap();
    assert!(
        hint.contains("--provider builtin") && hint.contains("base URL"),
        "{hint}"
    );
    assert!(
        retries(&seen).is_empty(),
        "a refused connection is not retried"
    );
    assert!(!all_text(error).contains("SECRETSECRET"));
}

#[tokio::test]
async fn an_invalid_json_chunk_is_an_error_that_keeps_the_text_so_far() {
    let body = format!(
        "data: {}\n\ndata: {{\"choices\": [{{\"delta\": \n\ndata: [DONE]\n\n",
        chunk("FROM node:22")
    );
    let server = answering(event_stream(body)).await;
    let (result, _) = run(&v1(&server), 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::InvalidResponse { .. }),
        "{error:?}"
    );
    assert_eq!(error.partial(), "FROM node:22");
    assert!(error.to_string().contains("not a chat completion chunk"));
}

#[tokio::test]
async fn a_stream_cut_mid_way_is_an_error_with_the_partial_text() {
    let server = Scripted::start(vec![Reply::Cut(vec![
        chunk("apiVersion: apps/v1\n"),
        chunk("kind: Deploy"),
    ])])
    .await;
    let (result, seen) = run(&server.url, 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::StreamCut { .. }),
        "{error:?}"
    );
    assert_eq!(error.partial(), "apiVersion: apps/v1\nkind: Deploy");
    assert_eq!(streamed(&seen), error.partial());
    assert_eq!(
        server.connections(),
        1,
        "a stream that started is not retried"
    );
    assert!(error.hint().unwrap().contains("run again"));
}

#[tokio::test]
async fn a_stream_that_ends_without_finishing_is_cut() {
    let server = Scripted::start(vec![Reply::Stream(vec![chunk("half an answ")])]).await;
    let (result, _) = run(&server.url, 3, TIMEOUT).await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::StreamCut { .. }),
        "{error:?}"
    );
    assert_eq!(error.partial(), "half an answ");
}

#[tokio::test]
async fn a_stream_with_a_finish_reason_but_no_done_marker_is_complete() {
    let mut events = vec![chunk("all of it")];
    events.extend(closing_chunks("length"));
    let server = Scripted::start(vec![Reply::Stream(events)]).await;
    let (result, seen) = run(&server.url, 3, TIMEOUT).await;
    let response = result.unwrap();
    assert_eq!(response.text, "all of it");
    assert!(response.is_truncated());
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Warning(w) if w.contains("output limit")))
    );
}

#[tokio::test]
async fn a_connection_reset_before_the_response_is_retried() {
    let mut events = vec![chunk("after a reset")];
    events.extend(closing_chunks("stop"));
    events.push("[DONE]".to_string());
    let server = Scripted::start(vec![Reply::Close, Reply::Stream(events)]).await;
    let (result, seen) = run(&server.url, 3, TIMEOUT).await;
    let response = result.unwrap();
    assert_eq!(response.text, "after a reset");
    assert_eq!(response.attempts, 2);
    assert_eq!(server.connections(), 2);
    assert_eq!(retries(&seen).len(), 1);
}

#[tokio::test]
async fn a_response_that_hangs_past_the_timeout_fails() {
    let server =
        answering(event_stream(sse(&["too late"])).set_delay(Duration::from_secs(30))).await;
    let (result, _) = run(&v1(&server), 3, Duration::from_millis(300)).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("timed out after 0.3 s"),
        "{error}"
    );
    assert!(error.hint().unwrap().contains("timeout"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_stream_that_stalls_times_out_with_the_partial_text() {
    let server = Scripted::start(vec![Reply::Stall(vec![chunk("FROM golang")])]).await;
    let (result, _) = run(&server.url, 3, Duration::from_millis(300)).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::Timeout { .. }), "{error:?}");
    assert_eq!(error.partial(), "FROM golang");
}

#[tokio::test]
async fn cancelling_mid_stream_is_interrupted_with_the_partial_text() {
    let server = Scripted::start(vec![Reply::Stall(vec![
        chunk("apiVersion: v1\n"),
        chunk("kind: Service\n"),
    ])])
    .await;
    let provider = Provider::new(&openai_config(&server.url, 3, TIMEOUT)).unwrap();
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    let mut texts = 0;
    let mut sink = |event: Event<'_>| {
        if let Event::Text(_) = event {
            texts += 1;
            if texts == 2 {
                stopper.cancel();
            }
        }
    };
    let error = provider
        .complete(&request("a Service", None), &mut sink, &cancel)
        .await
        .unwrap_err();
    assert!(error.is_interrupted(), "{error:?}");
    assert_eq!(error.partial(), "apiVersion: v1\nkind: Service\n");
    assert!(matches!(
        aigen::Error::from(error),
        aigen::Error::Interrupted
    ));
}

#[tokio::test]
async fn a_server_that_does_not_stream_still_answers() {
    let server = answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "id": "x", "model": "llama3.1:8b",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1}
    })))
    .await;
    let (result, seen) = run(&v1(&server), 0, TIMEOUT).await;
    let response = result.unwrap();
    assert_eq!(response.text, "whole");
    assert_eq!(response.model, "llama3.1:8b");
    assert_eq!(streamed(&seen), "whole");
}

#[tokio::test]
async fn the_key_never_appears_in_debug_output_or_any_error() {
    let provider = Provider::new(&openai_config("http://127.0.0.1:9/v1", 0, TIMEOUT)).unwrap();
    assert!(!format!("{provider:?}").contains("SECRETSECRET"));
    let config = openai_config("http://127.0.0.1:9/v1", 0, TIMEOUT);
    assert!(!format!("{config:?}").contains("SECRETSECRET"));

    let server = Scripted::start(vec![Reply::Cut(vec![chunk(&format!("echo {KEY}"))])]).await;
    let (result, _) = run(&server.url, 0, TIMEOUT).await;
    let error = result.unwrap_err();
    // The partial answer is the model's own text, kept for the record (which redacts it); the
    // message, hint and debug form never carry the key.
    let cli: aigen::Error = error.into();
    assert!(!format!("{cli}\n{cli:?}").contains("SECRETSECRET"));
}
