//! The `openai` provider: any server that speaks OpenAI's chat completions API (OpenAI itself,
//! Ollama, vLLM, LM Studio, ...), streamed.
//!
//! The request body is async-openai's `CreateChatCompletionRequest` (`stream: true`,
//! `stream_options.include_usage` so the last chunk carries token usage). It is sent with reqwest
//! directly rather than through async-openai's client, because that client retries inside itself
//! (a fixed three times, `Retry-After` in seconds only, no jitter) and drops the response headers
//! before the caller sees an error: aigen could neither honour an HTTP-date `Retry-After`, count
//! attempts, nor tell the user it is waiting. Stream chunks are read leniently (only `model`,
//! `choices[].delta.content`, `finish_reason` and `usage` matter), since compatible servers omit
//! fields OpenAI always sends.
//!
//! Start at [`OpenAi::complete`]: the retry loop, then `OpenAi::read_answer` for the stream.

use std::error::Error as _;
use std::sync::Once;
use std::time::{Duration, Instant, SystemTime};

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage, ChatCompletionStreamOptions, CreateChatCompletionRequestArgs,
};
use reqwest::header::{self, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::cancel::CancellationToken;
use super::error::{ProviderError, scrub};
use super::sink::{Event, Sink};
use super::{FINISH_LENGTH, Request, Response, Usage};
use crate::secrets::Secret;

mod retry;
mod sse;

pub use retry::{RetryPolicy, parse_retry_after};
pub(crate) use sse::{SseDecoder, SseEvent};

/// The server used when no base URL is configured.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// The model asked for when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-4.1-mini";
/// The most of an error response body aigen reads.
const ERROR_BODY_CAP: usize = 64 * 1024;
/// The longest wait for a TCP (and TLS) connection, within the request timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A client of one OpenAI-compatible server.
#[derive(Debug)]
pub struct OpenAi {
    client: reqwest::Client,
    endpoint: Url,
    /// The endpoint as shown in messages: no user info, no query.
    shown: String,
    api_key: Option<Secret>,
    timeout: Duration,
    retry: RetryPolicy,
}

/// Installs ring as rustls' process-wide crypto provider, once; an already installed provider
/// (someone else's) is kept.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl OpenAi {
    /// A client of the server at `base_url` (default [`DEFAULT_BASE_URL`]). `timeout` bounds the
    /// wait for the response and for each piece of it; `retry` says how often to try again.
    pub(crate) fn new(
        base_url: Option<&str>,
        api_key: Option<Secret>,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, ProviderError> {
        install_crypto_provider();
        let endpoint = endpoint(base_url.unwrap_or(DEFAULT_BASE_URL))?;
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .user_agent(concat!("aigen/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::config("openai", format!("cannot set up the HTTP client: {e}"))
            })?;
        Ok(Self {
            client,
            shown: display_url(&endpoint),
            endpoint,
            api_key: api_key.filter(|key| !key.expose().is_empty()),
            timeout,
            retry,
        })
    }

    /// Sends `request`, retrying as [`RetryPolicy`] allows, and streams the answer to `sink`.
    pub(crate) async fn complete(
        &self,
        request: &Request,
        sink: &mut (dyn Sink + Send),
        cancel: &CancellationToken,
    ) -> Result<Response, ProviderError> {
        let started = Instant::now();
        let model = request
            .model
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_MODEL.to_string());
        let body = request_body(&model, request)?;
        let max_attempts = self.retry.max_attempts();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (reason, wait) = match self.send(&body, cancel).await? {
                Sent::Response(response) if response.status().is_success() => {
                    let answer = self.read_answer(response, sink, cancel).await?;
                    return Ok(answer.into_response(model, started.elapsed(), attempt));
                }
                Sent::Response(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let message = self.error_message(response, cancel).await?;
                    if !is_retryable(status)
                        || attempt >= max_attempts
                        || retry_after.is_some_and(|wait| wait > self.retry.max_retry_after)
                    {
                        return Err(self.status_error(
                            status,
                            &model,
                            message,
                            attempt,
                            retry_after,
                        ));
                    }
                    let reason = format!("{} answered HTTP {status}", self.shown);
                    (
                        reason,
                        retry_after.unwrap_or_else(|| self.retry.backoff(attempt)),
                    )
                }
                Sent::Broken(reason) if attempt < max_attempts => (
                    format!("{}: {reason}", self.shown),
                    self.retry.backoff(attempt),
                ),
                Sent::Broken(reason) => {
                    return Err(ProviderError::Unreachable {
                        url: self.shown.clone(),
                        reason: format!("{reason} (after {attempt} attempt(s))"),
                    });
                }
            };
            sink.event(Event::Retry {
                attempt: attempt + 1,
                max_attempts,
                wait,
                reason: &reason,
            });
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Interrupted { partial: String::new() }),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One attempt at sending the request, up to the response headers.
    async fn send(&self, body: &[u8], cancel: &CancellationToken) -> Result<Sent, ProviderError> {
        let mut builder = self
            .client
            .post(self.endpoint.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "text/event-stream")
            .body(body.to_vec());
        if let Some(key) = &self.api_key {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    ProviderError::config_with_hint(
                        "openai",
                        "OPENAI_API_KEY contains characters that cannot be sent in a header",
                        "check the key for stray spaces or line breaks",
                    )
                })?;
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let outcome = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Interrupted { partial: String::new() }),
            outcome = tokio::time::timeout(self.timeout, builder.send()) => outcome,
        };
        match outcome {
            Err(_) => Err(self.timeout_error("no response", String::new())),
            Ok(Ok(response)) => Ok(Sent::Response(response)),
            Ok(Err(error)) if error.is_timeout() => {
                Err(self.timeout_error("no connection", String::new()))
            }
            Ok(Err(error)) if error.is_connect() || error.is_builder() => {
                Err(ProviderError::Unreachable {
                    url: self.shown.clone(),
                    reason: transport_reason(&error),
                })
            }
            Ok(Err(error)) => Ok(Sent::Broken(transport_reason(&error))),
        }
    }

    /// Reads a successful response: an SSE stream, or one JSON body from a server that does not
    /// stream.
    async fn read_answer(
        &self,
        mut response: reqwest::Response,
        sink: &mut (dyn Sink + Send),
        cancel: &CancellationToken,
    ) -> Result<Answer, ProviderError> {
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let mut answer = Answer::default();
        let mut decoder = SseDecoder::new();
        let mut body = Vec::new();
        loop {
            let piece = tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    return Err(ProviderError::Interrupted { partial: answer.text });
                }
                piece = tokio::time::timeout(self.timeout, response.chunk()) => piece,
            };
            let bytes = match piece {
                Err(_) => return Err(self.timeout_error("the answer stalled", answer.text)),
                Ok(Err(error)) => {
                    return Err(ProviderError::StreamCut {
                        url: self.shown.clone(),
                        detail: transport_reason(&error),
                        partial: answer.text,
                    });
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(bytes))) => bytes,
            };
            if is_json {
                body.extend_from_slice(&bytes);
                continue;
            }
            let events = decoder
                .push(&bytes)
                .map_err(|e| self.invalid(format!("a line is not UTF-8: {}", e.line), &answer))?;
            for event in events {
                if self.apply(&event, &mut answer, sink)? {
                    return self.finished(answer, sink);
                }
            }
        }
        if is_json {
            let text = String::from_utf8_lossy(&body);
            answer
                .apply_json(&text)
                .map_err(|detail| self.invalid(detail, &answer))?;
            if !answer.text.is_empty() {
                sink.event(Event::Text(&answer.text));
            }
            return self.finished(answer, sink);
        }
        let last = decoder
            .finish()
            .map_err(|e| self.invalid(format!("a line is not UTF-8: {}", e.line), &answer))?;
        if let Some(event) = last
            && self.apply(&event, &mut answer, sink)?
        {
            return self.finished(answer, sink);
        }
        if answer.finish_reason.is_some() {
            // Some servers close the stream after the last chunk without `data: [DONE]`.
            return self.finished(answer, sink);
        }
        Err(ProviderError::StreamCut {
            url: self.shown.clone(),
            detail: "the server closed the stream before the end of the answer".to_string(),
            partial: answer.text,
        })
    }

    /// Applies one event; true at `[DONE]`.
    fn apply(
        &self,
        event: &SseEvent,
        answer: &mut Answer,
        sink: &mut (dyn Sink + Send),
    ) -> Result<bool, ProviderError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
            self.invalid(
                format!(
                    "a stream event is not a chat completion chunk ({e}): {}",
                    excerpt(data)
                ),
                answer,
            )
        })?;
        if event.name == "error" || chunk.error.is_some() {
            let message = chunk
                .error
                .as_ref()
                .and_then(error_text)
                .unwrap_or_else(|| data.to_string());
            return Err(ProviderError::StreamCut {
                url: self.shown.clone(),
                detail: format!(
                    "the server reported an error mid-answer: {}",
                    self.scrub(&message)
                ),
                partial: std::mem::take(&mut answer.text),
            });
        }
        let piece = answer.apply_chunk(chunk);
        if !piece.is_empty() {
            sink.event(Event::Text(&piece));
        }
        Ok(false)
    }

    fn finished(
        &self,
        answer: Answer,
        sink: &mut (dyn Sink + Send),
    ) -> Result<Answer, ProviderError> {
        if answer.finish_reason.as_deref() == Some(FINISH_LENGTH) {
            sink.event(Event::Warning(
                "the model stopped at its output limit (finish reason `length`): the answer is incomplete",
            ));
        }
        Ok(answer)
    }

    /// The message of an error response: the `error.message` of a JSON body, else the body's
    /// text, scrubbed of anything key-shaped and shortened.
    async fn error_message(
        &self,
        mut response: reqwest::Response,
        cancel: &CancellationToken,
    ) -> Result<String, ProviderError> {
        let mut body = Vec::new();
        while body.len() < ERROR_BODY_CAP {
            let piece = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Interrupted { partial: String::new() }),
                piece = tokio::time::timeout(self.timeout, response.chunk()) => piece,
            };
            match piece {
                Ok(Ok(Some(bytes))) => body.extend_from_slice(&bytes),
                // The status says enough; a body that stalls or breaks only loses the detail.
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&body);
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|json| {
                json.get("error")
                    .and_then(error_text)
                    .or_else(|| {
                        json.get("message")
                            .and_then(|m| m.as_str())
                            .map(str::to_string)
                    })
                    .or_else(|| {
                        json.get("detail")
                            .and_then(|m| m.as_str())
                            .map(str::to_string)
                    })
            })
            .unwrap_or_else(|| text.trim().to_string());
        Ok(excerpt(&self.scrub(&message)))
    }

    fn status_error(
        &self,
        status: StatusCode,
        model: &str,
        message: String,
        attempts: u32,
        retry_after: Option<Duration>,
    ) -> ProviderError {
        let url = self.shown.clone();
        match status.as_u16() {
            401 | 403 => ProviderError::Unauthorized {
                url,
                status: status.as_u16(),
            },
            404 if message.to_ascii_lowercase().contains("model") => ProviderError::ModelNotFound {
                url,
                model: model.to_string(),
                message,
            },
            429 => ProviderError::RateLimited {
                url,
                attempts,
                retry_after,
            },
            code if status.is_server_error() => ProviderError::Server {
                url,
                status: code,
                attempts,
                message,
            },
            code => ProviderError::Rejected {
                url,
                status: code,
                message,
            },
        }
    }

    fn timeout_error(&self, what: &str, partial: String) -> ProviderError {
        ProviderError::Timeout {
            provider: "openai".to_string(),
            detail: format!("{what} from {}", self.shown),
            after: self.timeout,
            partial,
        }
    }

    fn invalid(&self, detail: String, answer: &Answer) -> ProviderError {
        ProviderError::InvalidResponse {
            url: self.shown.clone(),
            detail: self.scrub(&detail),
            partial: answer.text.clone(),
        }
    }

    fn scrub(&self, text: &str) -> String {
        scrub(text, self.api_key.as_ref().map(Secret::expose))
    }
}

/// The outcome of sending: a response (any status), or a connection that broke before one came.
enum Sent {
    Response(reqwest::Response),
    Broken(String),
}

fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The answer as it builds up.
#[derive(Debug, Default)]
struct Answer {
    text: String,
    model: Option<String>,
    usage: Option<Usage>,
    finish_reason: Option<String>,
}

impl Answer {
    /// Adds a chunk; returns the text it carried.
    fn apply_chunk(&mut self, chunk: Chunk) -> String {
        if let Some(model) = chunk.model.filter(|m| !m.is_empty()) {
            self.model = Some(model);
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        let mut piece = String::new();
        for choice in chunk
            .choices
            .into_iter()
            .filter(|c| c.index.unwrap_or(0) == 0)
        {
            if let Some(content) = choice
                .delta
                .or(choice.message)
                .and_then(|delta| delta.content)
            {
                piece.push_str(&content);
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_reason = Some(reason);
            }
        }
        self.text.push_str(&piece);
        piece
    }

    /// Reads a whole, non-streamed completion.
    fn apply_json(&mut self, body: &str) -> Result<(), String> {
        let chunk: Chunk = serde_json::from_str(body)
            .map_err(|e| format!("the body is not a chat completion ({e}): {}", excerpt(body)))?;
        if chunk.choices.is_empty() {
            return Err(format!("the completion has no choices: {}", excerpt(body)));
        }
        self.apply_chunk(chunk);
        Ok(())
    }

    fn into_response(self, asked: String, latency: Duration, attempts: u32) -> Response {
        Response {
            text: self.text,
            model: self.model.unwrap_or(asked),
            usage: self.usage,
            latency,
            attempts,
            finish_reason: self.finish_reason,
        }
    }
}

/// A stream chunk or a whole completion, read leniently.
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<UsageFields>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u32>,
    /// A stream chunk's increment.
    #[serde(default)]
    delta: Option<Content>,
    /// A whole completion's message.
    #[serde(default)]
    message: Option<Content>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Content {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UsageFields {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

impl From<UsageFields> for Usage {
    fn from(usage: UsageFields) -> Self {
        Self {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        }
    }
}

/// The message of an `error` value: an object's `message`, or a string.
fn error_text(error: &serde_json::Value) -> Option<String> {
    match error {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Object(fields) => fields
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_string),
        _ => None,
    }
}

/// The JSON body of the request.
fn request_body(model: &str, request: &Request) -> Result<Vec<u8>, ProviderError> {
    let mut messages: Vec<ChatCompletionRequestMessage> = Vec::new();
    if !request.system.trim().is_empty() {
        messages.push(ChatCompletionRequestSystemMessage::from(request.system.as_str()).into());
    }
    messages.push(ChatCompletionRequestUserMessage::from(request.prompt.as_str()).into());
    let body = CreateChatCompletionRequestArgs::default()
        .model(model)
        .messages(messages)
        .stream(true)
        .stream_options(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        })
        .build()
        .map_err(|e| ProviderError::config("openai", format!("cannot build the request: {e}")))?;
    serde_json::to_vec(&body)
        .map_err(|e| ProviderError::config("openai", format!("cannot encode the request: {e}")))
}

/// `<base>/chat/completions`, from a base URL such as `http://localhost:11434/v1`. A URL that
/// already ends in `/chat/completions` is used as it is.
fn endpoint(base: &str) -> Result<Url, ProviderError> {
    let invalid = |why: String| {
        ProviderError::config_with_hint(
            "openai",
            format!(
                "the base URL `{}` is not usable: {why}",
                crate::secrets::redact(base)
            ),
            "give the server's API root, such as `https://api.openai.com/v1` or \
             `http://localhost:11434/v1` (--base-url, AIGEN_BASE_URL, OPENAI_BASE_URL)",
        )
    };
    let mut url = Url::parse(base.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme is `{}`, not http or https",
            url.scheme()
        )));
    }
    let path = url.path().trim_end_matches('/').to_string();
    if !path.ends_with("/chat/completions") {
        url.set_path(&format!("{path}/chat/completions"));
    }
    Ok(url)
}

/// A URL as shown to people: without user info, query or fragment, which may hold credentials.
fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Why a connection failed, in words, from the innermost cause (which never holds the URL).
fn transport_reason(error: &reqwest::Error) -> String {
    let mut source = error.source();
    let mut deepest = None;
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".to_string(),
                std::io::ErrorKind::ConnectionReset => return "connection reset".to_string(),
                _ => {}
            }
        }
        deepest = Some(cause);
        source = cause.source();
    }
    match deepest {
        Some(cause) => cause.to_string(),
        None => error.to_string(),
    }
}

/// At most 300 characters of `text`, on one line.
fn excerpt(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_built_from_base_urls() {
        let url = endpoint("http://localhost:11434/v1/").unwrap();
        assert_eq!(url.as_str(), "http://localhost:11434/v1/chat/completions");
        let url = endpoint("https://example.com/openai/v1/chat/completions").unwrap();
        assert_eq!(url.path(), "/openai/v1/chat/completions");
        let error = endpoint("ftp://example.com").unwrap_err();
        assert!(error.to_string().contains("not http or https"));
        let error = endpoint("localhost:11434").unwrap_err();
        assert!(error.hint().unwrap().contains("--base-url"));
    }

    #[test]
    fn credentials_in_urls_are_never_shown() {
        let url = endpoint("https://user:hunter2@example.com/v1?api-key=abc").unwrap();
        let shown = display_url(&url);
        assert_eq!(shown, "https://example.com/v1/chat/completions");
        for base in [
            "https://user:hunter2@host:99999/v1",
            "https://user:hunter2@host:x",
            "localhost:1/v1?api_key=hunter2",
        ] {
            let error = endpoint(base).unwrap_err();
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn the_request_streams_with_usage() {
        let request = Request {
            system: "You write Dockerfiles.".into(),
            prompt: "FastAPI on 8000".into(),
            model: None,
            task: super::super::Task::Free,
        };
        let body: serde_json::Value =
            serde_json::from_slice(&request_body("m1", &request).unwrap()).unwrap();
        assert_eq!(body["model"], "m1");
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][1]["content"], "FastAPI on 8000");
    }

    #[test]
    fn chunks_build_the_answer() {
        let mut answer = Answer::default();
        let chunk = |json: &str| serde_json::from_str::<Chunk>(json).unwrap();
        assert_eq!(
            answer.apply_chunk(chunk(
                r#"{"model":"m-2025","choices":[{"index":0,"delta":{"role":"assistant","content":"FROM"}}]}"#
            )),
            "FROM"
        );
        answer.apply_chunk(chunk(
            r#"{"choices":[{"index":0,"delta":{"content":" x"},"finish_reason":"stop"}]}"#,
        ));
        answer.apply_chunk(chunk(
            r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#,
        ));
        assert_eq!(answer.text, "FROM x");
        assert_eq!(answer.model.as_deref(), Some("m-2025"));
        assert_eq!(answer.finish_reason.as_deref(), Some("stop"));
        assert_eq!(answer.usage.unwrap().total(), 15);
    }

    #[test]
    fn excerpts_are_short_and_flat() {
        assert_eq!(excerpt("a\n  b"), "a b");
        assert_eq!(excerpt(&"x".repeat(400)).chars().count(), 301);
    }
}
