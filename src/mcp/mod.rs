//! `aigen mcp`: aigen as a Model Context Protocol server, so an agent (kubectl-ai, Gordon,
//! kagent, Claude Code, Cursor) gets the constitution, the audit trail and the approval gate
//! with every call. Built on the official Rust SDK (`rmcp`), speaking the latest protocol
//! revision it knows (2026-07-28) and every older one a client asks for.
//!
//! The server offers aigen's commands as tools, each with a JSON schema for its input and
//! output and truthful hints (`readOnlyHint`, `destructiveHint`, `idempotentHint`):
//!
//! - read-only ([`tools::inspect`], [`tools::history`]): `detect`, `lint`, `explain_rule`,
//!   `list_rules`, `constitution`, `check`, `staged`, `history_list`, `history_show`,
//!   `history_verify`;
//! - staging, writing only under `generated/` and the trail ([`tools::generate`]):
//!   `generate_dockerfile`, `generate_manifests`, `generate_chart`, `review`;
//! - writing ([`tools::apply`]): `apply` and `apply_cluster`, offered only with
//!   `--allow-apply`, and each call confirmed by the person through MCP elicitation
//!   ([`confirm`]) unless the server was started with `--yes`.
//!
//! Resources are the constitution, each record of the trail and each staged file
//! ([`resources`]); prompts are the templates under `prompts/`, rendered for the project
//! ([`prompts`]). Every tool runs what the command line runs, below `cli` (the project, the
//! lint entry points, the generation loop, the review); [`call`] turns its outcome into a tool
//! result, errors included, with the text the command line would print, redacted. A call that
//! reaches a model or changes a file is a record with `surface: mcp` and the client's name and
//! version; read-only calls are recorded too with `--record-all`.
//!
//! Transports: stdio ([`serve`] with [`Transport::Stdio`]) and streamable HTTP ([`http`]),
//! bound to loopback unless an address is given on purpose, with a bearer token required for
//! anything else.

use std::net::SocketAddr;
use std::path::PathBuf;

use std::pin::Pin;
use std::task::{Context, Poll};

use rmcp::ServiceExt;
use rmcp::transport::async_rw::AsyncRwTransport;
use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::printer::Printer;
use crate::secrets::Redactor;
use crate::settings::GlobalOptions;

pub(crate) mod call;
pub(crate) mod confirm;
pub(crate) mod http;
pub(crate) mod prompts;
pub(crate) mod resources;
mod server;
pub(crate) mod tools;

pub(crate) use server::Server;

/// The most bytes of content a client may pass inline (the `content` of `lint`); larger content
/// is a tool error that says so. The transports take messages up to [`MAX_MESSAGE_BYTES`], so
/// content between the two gets that clear answer rather than a dropped message.
pub(crate) const MAX_INLINE_BYTES: usize = 4 * 1024 * 1024;

/// The largest JSON-RPC message the transports read (a line on stdio, a body over HTTP).
pub(crate) const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// How clients reach the server.
#[derive(Debug, Clone)]
pub(crate) enum Transport {
    /// JSON-RPC over standard input and output; the client starts the server.
    Stdio,
    /// Streamable HTTP at `http://<address>/mcp`.
    Http {
        address: SocketAddr,
        /// The bearer token every request must carry; required off loopback.
        token_file: Option<PathBuf>,
    },
}

/// What `aigen mcp` was started with.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub transport: Transport,
    /// The `-C`, `--config` and `--provider` the server was started with; every call resolves
    /// its settings from them, as a command would.
    pub global: GlobalOptions,
    /// Offer `apply` and `apply_cluster`.
    pub allow_apply: bool,
    /// Apply without asking the person (for clients that cannot be asked).
    pub yes: bool,
    /// Record read-only calls too.
    pub record_all: bool,
}

/// Serves MCP until the client goes away (stdio), or until interrupted (HTTP).
pub(crate) fn serve(options: Options, printer: Printer, redactor: Redactor) -> Result<()> {
    if options.yes && !options.allow_apply {
        return Err(Error::usage_with_hint(
            "`--yes` approves applies, and without `--allow-apply` none are offered",
            "start `aigen mcp --allow-apply --yes`, or drop `--yes`",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::external("aigen", format!("cannot start the async runtime: {e}")))?;
    let server = Server::new(options.clone(), printer, redactor)?;
    runtime.block_on(async move {
        match &options.transport {
            Transport::Stdio => serve_stdio(server).await,
            Transport::Http {
                address,
                token_file,
            } => http::serve(server, *address, token_file.as_deref()).await,
        }
    })
}

/// Serves one client over stdin and stdout until it closes stdin. Its closing stdin also
/// cancels the calls still running: the client is gone, and nothing it asked for is written
/// after.
async fn serve_stdio(server: Server) -> Result<()> {
    let (stdin, stdout) = rmcp::transport::stdio();
    let stdin = WatchedInput {
        inner: stdin,
        closed: server.shared.client_gone.clone(),
    };
    let transport = AsyncRwTransport::<rmcp::RoleServer, _, _>::new(stdin, stdout)
        .with_max_line_length(MAX_MESSAGE_BYTES);
    let printer = server.printer().clone();
    let running = server
        .serve(transport)
        .await
        .map_err(|e| Error::external("aigen mcp", format!("the session did not start: {e}")))?;
    printer.verbose("mcp: serving on stdio");
    let reason = running
        .waiting()
        .await
        .map_err(|e| Error::external("aigen mcp", format!("the session failed: {e}")))?;
    printer.verbose(format!("mcp: the session ended ({reason:?})"));
    Ok(())
}

/// An input that cancels `closed` when it ends or fails.
struct WatchedInput<R> {
    inner: R,
    closed: CancellationToken,
}

impl<R: AsyncRead + Unpin> AsyncRead for WatchedInput<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let ended = match &polled {
            Poll::Ready(Ok(())) => wanted && buf.filled().len() == before,
            Poll::Ready(Err(_)) => true,
            Poll::Pending => false,
        };
        if ended {
            self.closed.cancel();
        }
        polled
    }
}
