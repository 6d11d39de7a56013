//! Helpers shared by the provider tests: the stand-in tools on a temporary PATH, a sink that
//! records events, SSE bodies, wiremock servers that answer chat requests, and a scripted TCP
//! server for the failures wiremock cannot stage (a stream cut mid-way, a connection reset, a
//! stream that stalls).
//!
//! Start with [`complete`] (one request through a provider, with every event recorded), then
//! [`Tools`] for the tool providers or [`answering`] and [`Scripted`] for the OpenAI one.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aigen::provider::{
    CancellationToken, Event, Provider, ProviderConfig, ProviderError, ProviderKind, Request,
    Response, RetryPolicy, Task,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An API key that must never show up in any message.
pub const KEY: &str = "sk-test-SECRETSECRET1234567890";

/// A request with a system text and a prompt.
pub fn request(prompt: &str, model: Option<&str>) -> Request {
    Request {
        system: "You are a platform engineer. Answer with fenced files.".to_string(),
        prompt: prompt.to_string(),
        model: model.map(str::to_string),
        task: Task::Free,
    }
}

/// Sends `request` through a provider built from `config`, recording every event, and returns
/// how it ended with what was seen on the way.
pub async fn complete(
    config: &ProviderConfig,
    request: &Request,
) -> (Result<Response, ProviderError>, Vec<Seen>) {
    complete_with(config, request, &CancellationToken::new()).await
}

/// [`complete`], cancelled when `cancel` is.
pub async fn complete_with(
    config: &ProviderConfig,
    request: &Request,
    cancel: &CancellationToken,
) -> (Result<Response, ProviderError>, Vec<Seen>) {
    let provider = Provider::new(config).unwrap();
    let mut seen = Vec::new();
    let mut sink = |event: Event<'_>| seen.push(Seen::from(event));
    let result = provider.complete(request, &mut sink, cancel).await;
    (result, seen)
}

/// The stand-in tools of `tests/fixtures/tools`, copied into a temporary directory and made
/// executable.
pub struct Tools {
    pub dir: tempfile::TempDir,
}

impl Tools {
    pub fn install() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let source = super::files::repo_path("tests/fixtures/tools");
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            let target = dir.path().join(entry.file_name());
            std::fs::copy(entry.path(), &target).unwrap();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self { dir }
    }

    pub fn bin(&self) -> &Path {
        self.dir.path()
    }

    /// A file in the tools' directory, for argv and PID records.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A provider config for `kind` with the stand-ins first on PATH and `mode` selected.
    pub fn config(&self, kind: ProviderKind, mode: &str, workdir: &Path) -> ProviderConfig {
        let path = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut config = tool_config(kind, workdir);
        config.env = vec![
            ("PATH".into(), path),
            ("FAKE_TOOL_MODE".into(), mode.into()),
            (
                "FAKE_TOOL_ARGV".into(),
                self.file("argv").display().to_string(),
            ),
            (
                "FAKE_TOOL_PID".into(),
                self.file("pid").display().to_string(),
            ),
        ];
        config
    }

    /// The arguments the last stand-in run received.
    pub fn argv(&self) -> Vec<String> {
        let raw = std::fs::read(self.file("argv")).unwrap();
        raw.split(|&b| b == 0)
            .filter(|arg| !arg.is_empty())
            .map(|arg| String::from_utf8(arg.to_vec()).unwrap())
            .collect()
    }

    /// The PID a stand-in wrote to `name` (`pid`, `pid.child`), once it is there.
    pub async fn wait_for_pid(&self, name: &str) -> i32 {
        let file = self.file(name);
        for _ in 0..500 {
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Ok(pid) = text.trim().parse()
            {
                return pid;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{} never appeared", file.display());
    }

    /// Waits for the stand-in and the helper process it started to write their PIDs, then
    /// checks that neither is still running.
    pub async fn assert_tool_and_helper_gone(&self) {
        let tool = self.wait_for_pid("pid").await;
        let helper = self.wait_for_pid("pid.child").await;
        assert!(is_gone(tool).await, "the tool {tool} is still running");
        assert!(
            is_gone(helper).await,
            "its helper {helper} is still running"
        );
    }
}

/// A config for a tool provider, without the stand-ins' environment.
pub fn tool_config(kind: ProviderKind, workdir: &Path) -> ProviderConfig {
    ProviderConfig {
        kind,
        base_url: None,
        api_key: None,
        timeout: Duration::from_secs(20),
        retry: RetryPolicy::default(),
        working_dir: workdir.to_path_buf(),
        command: Vec::new(),
        agent: None,
        output_cap: aigen::provider::DEFAULT_OUTPUT_CAP,
        env: Vec::new(),
    }
}

/// A config for the OpenAI-compatible provider at `base_url`, with fast retries.
pub fn openai_config(base_url: &str, retries: u32, timeout: Duration) -> ProviderConfig {
    ProviderConfig {
        kind: ProviderKind::OpenAi,
        base_url: Some(base_url.to_string()),
        api_key: Some(aigen::secrets::Secret::new(KEY)),
        timeout,
        retry: RetryPolicy {
            max_retries: retries,
            base: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        },
        working_dir: std::env::temp_dir(),
        command: Vec::new(),
        agent: None,
        output_cap: aigen::provider::DEFAULT_OUTPUT_CAP,
        env: Vec::new(),
    }
}

/// A 200 response streaming `body` as server-sent events.
pub fn event_stream(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

/// The base URL of an OpenAI-compatible API served by `server`.
pub fn v1(server: &MockServer) -> String {
    format!("{}/v1", server.uri())
}

/// A server on loopback that answers every chat completion request with `reply`.
pub async fn answering(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    chat().respond_with(reply).mount(&server).await;
    server
}

/// A server on loopback that answers the first chat completion request with `first` and every
/// later one with `then`.
pub async fn answering_once_then(first: ResponseTemplate, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    chat()
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    chat()
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// A mock for the chat completions endpoint under [`v1`].
fn chat() -> wiremock::MockBuilder {
    Mock::given(method("POST")).and(path("/v1/chat/completions"))
}

/// True when no live process has this PID, after giving the kernel up to two seconds to finish
/// the exit of a process just killed (a zombie waiting for its reaper counts as gone).
pub async fn is_gone(pid: i32) -> bool {
    for _ in 0..200 {
        if is_gone_now(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "{pid}: {:?}",
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
    );
    false
}

fn is_gone_now(pid: i32) -> bool {
    // SAFETY: signal 0 only checks whether the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    if !alive {
        return true;
    }
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// An event as recorded by [`recorder`].
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    Text(String),
    Retry {
        attempt: u32,
        max_attempts: u32,
        wait: Duration,
        reason: String,
    },
    Warning(String),
}

impl Seen {
    pub fn from(event: Event<'_>) -> Self {
        match event {
            Event::Text(text) => Self::Text(text.to_string()),
            Event::Retry {
                attempt,
                max_attempts,
                wait,
                reason,
            } => Self::Retry {
                attempt,
                max_attempts,
                wait,
                reason: reason.to_string(),
            },
            Event::Warning(text) => Self::Warning(text.to_string()),
        }
    }
}

/// The text events, joined.
pub fn streamed(seen: &[Seen]) -> String {
    seen.iter()
        .filter_map(|s| match s {
            Seen::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// The retry events.
pub fn retries(seen: &[Seen]) -> Vec<(u32, Duration, String)> {
    seen.iter()
        .filter_map(|s| match s {
            Seen::Retry {
                attempt,
                wait,
                reason,
                ..
            } => Some((*attempt, *wait, reason.clone())),
            _ => None,
        })
        .collect()
}

/// A chat completion chunk carrying `content`.
pub fn chunk(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_767_225_600,
        "model": "test-model-2026-01-01",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]
    })
    .to_string()
}

/// The first two chunks of an answer with the backend's Dockerfile, which stops inside the code
/// block, after the `FROM` line.
pub fn half_a_dockerfile() -> Vec<String> {
    vec![
        chunk("Here it is:\n\n```dockerfile title=docker/backend.Dockerfile\n"),
        chunk("FROM python:3.13-slim AS build\n"),
    ]
}

/// The last chunks of a stream: the finish reason, then the usage.
pub fn closing_chunks(finish: &str) -> Vec<String> {
    vec![
        serde_json::json!({
            "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_767_225_600,
            "model": "test-model-2026-01-01",
            "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]
        })
        .to_string(),
        serde_json::json!({
            "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_767_225_600,
            "model": "test-model-2026-01-01", "choices": [],
            "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
        })
        .to_string(),
    ]
}

/// An SSE body: each data line as an event, then `[DONE]`.
pub fn sse(pieces: &[&str]) -> String {
    let mut events: Vec<String> = pieces.iter().map(|p| chunk(p)).collect();
    events.extend(closing_chunks("stop"));
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    body
}

/// What the scripted server does with one connection.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Reads the request and closes the connection without a word.
    Close,
    /// Sends a chunked SSE response with these events, then ends it properly.
    Stream(Vec<String>),
    /// Sends these events as chunks, then closes without the final chunk.
    Cut(Vec<String>),
    /// Sends these events as chunks, then says nothing more and keeps the connection open.
    Stall(Vec<String>),
}

/// A TCP server on loopback answering each connection with the next [`Reply`].
pub struct Scripted {
    pub url: String,
    connections: Arc<AtomicUsize>,
    /// Notified once a `Stall` reply has sent its events.
    pub stalled: Arc<tokio::sync::Notify>,
}

impl Scripted {
    pub async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let stalled = Arc::new(tokio::sync::Notify::new());
        let (count, notify) = (Arc::clone(&connections), Arc::clone(&stalled));
        tokio::spawn(async move {
            let mut replies = replies.into_iter();
            let mut held = Vec::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let Some(reply) = replies.next() else { break };
                read_request(&mut socket).await;
                match reply {
                    Reply::Close => drop(socket),
                    Reply::Stream(ref events)
                    | Reply::Cut(ref events)
                    | Reply::Stall(ref events) => {
                        let ends = matches!(&reply, Reply::Stream(_));
                        let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                            transfer-encoding: chunked\r\n\r\n"
                            .to_vec();
                        for event in events {
                            let frame = format!("data: {event}\n\n");
                            out.extend(format!("{:x}\r\n{frame}\r\n", frame.len()).bytes());
                        }
                        if ends {
                            out.extend(b"0\r\n\r\n");
                        }
                        socket.write_all(&out).await.unwrap();
                        socket.flush().await.unwrap();
                        if matches!(&reply, Reply::Stall(_)) {
                            notify.notify_one();
                            held.push(socket);
                        }
                    }
                }
            }
        });
        Self {
            url,
            connections,
            stalled,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return;
            }
        }
    }
}
