//! Streamable HTTP: `aigen mcp --http ADDRESS` serves MCP at `http://ADDRESS/mcp`.
//!
//! - The address is loopback unless someone gives another on purpose, and then a bearer token
//!   (`--token-file`) is required: every request must carry `Authorization: Bearer <token>`,
//!   compared in constant time; a request without it gets `401` and `WWW-Authenticate: Bearer`
//!   before the MCP layer sees it. On loopback the token is optional (checked when given).
//! - On loopback, requests must name a loopback `Host` (rmcp's DNS-rebinding guard); off
//!   loopback, where the token is mandatory, any `Host` is taken (a cluster Service name).
//! - Bodies are taken up to [`MAX_MESSAGE_BYTES`], so content too large for a tool gets the
//!   tool's own clear error; larger bodies get `413`.
//! - The token is never printed; the address actually bound (port 0 picks one) is printed on
//!   stderr as `aigen mcp: listening on http://.../mcp`.
//!
//! rmcp's `StreamableHttpService` speaks both lifecycles: sessions (`Mcp-Session-Id`) for
//! clients up to 2025-11-25, and stateless requests for 2026-07-28, for which it builds a
//! handler per request; [`Server`] is a cheap clone of shared state.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::call::Connection;
use super::{MAX_MESSAGE_BYTES, Server};
use crate::error::{Error, Result};
use crate::secrets::Secret;

/// The path MCP is served at.
pub(crate) const PATH: &str = "/mcp";

/// Reads the bearer token: the file's content without surrounding whitespace, not empty.
pub(crate) fn read_token(path: &Path) -> Result<Secret> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::usage_with_hint(
            format!("the token file `{}` is empty", path.display()),
            "write a long random token into it, e.g. `head -c 32 /dev/urandom | base64 > token`",
        ));
    }
    Ok(Secret::new(token.to_string()))
}

/// Serves MCP over HTTP on `address` until Ctrl-C or SIGTERM.
pub(crate) async fn serve(
    server: Server,
    address: SocketAddr,
    token_file: Option<&Path>,
) -> Result<()> {
    let token = token_file.map(read_token).transpose()?;
    if token.is_none() && !address.ip().is_loopback() {
        return Err(Error::usage_with_hint(
            format!("`{address}` is not a loopback address, and no token protects it"),
            "give `--token-file FILE` (clients send `Authorization: Bearer <token>`), or bind 127.0.0.1",
        ));
    }
    if let Some(token) = &token {
        // Any answer that quotes the token (none should) shows it masked.
        server.shared.redactor.remember(token.expose());
    }
    let mut config =
        StreamableHttpServerConfig::default().with_max_request_body_bytes(MAX_MESSAGE_BYTES);
    if !address.ip().is_loopback() {
        config = config.disable_allowed_hosts();
    }
    let stop = CancellationToken::new();
    config = config.with_cancellation_token(stop.child_token());
    let printer = server.printer().clone();
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        config,
    );
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| Error::external("aigen mcp", format!("cannot listen on {address}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::external("aigen mcp", format!("cannot read the bound address: {e}")))?;
    // Always shown (clients and scripts read the port from it), quiet or not.
    eprintln!("aigen mcp: listening on http://{bound}{PATH}");
    let token: Option<std::sync::Arc<str>> = token.map(|t| t.expose().into());
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    printer.warn(format!("aigen mcp: a connection failed: {error}"));
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let mcp = mcp.clone();
        let token = token.clone();
        tokio::spawn(async move {
            // Cancelled when the connection closes: calls made on it stop before they write.
            let closed = CancellationToken::new();
            let connection = Connection(closed.clone());
            let service =
                hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
                    let mut mcp = mcp.clone();
                    let token = token.clone();
                    request.extensions_mut().insert(connection.clone());
                    async move {
                        if !authorized(&request, token.as_deref()) {
                            return Ok::<_, Infallible>(plain(
                                http::StatusCode::UNAUTHORIZED,
                                "unauthorized: send `Authorization: Bearer <token>`\n",
                            ));
                        }
                        if request.uri().path() != PATH {
                            return Ok(plain(
                                http::StatusCode::NOT_FOUND,
                                "not found: MCP is served at /mcp\n",
                            ));
                        }
                        tower_service::Service::call(&mut mcp, request).await
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
            closed.cancel();
        });
    }
    stop.cancel();
    printer.verbose("aigen mcp: stopped");
    Ok(())
}

/// True when no token is required, or the request carries it.
fn authorized<B>(request: &http::Request<B>, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return true;
    };
    request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), token.as_bytes()))
}

/// Compares without stopping at the first difference, so the time taken says nothing about how
/// much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A short plain-text answer; a 401 names the scheme.
fn plain(
    status: http::StatusCode,
    text: &'static str,
) -> http::Response<BoxBody<Bytes, Infallible>> {
    let mut response = http::Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == http::StatusCode::UNAUTHORIZED {
        headers.insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_compared_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        let request = |value: &str| {
            http::Request::builder()
                .header(http::header::AUTHORIZATION, value)
                .body(())
                .unwrap()
        };
        assert!(authorized(&request("Bearer s3cret"), Some("s3cret")));
        assert!(!authorized(&request("Bearer s3cre"), Some("s3cret")));
        assert!(!authorized(&request("Basic s3cret"), Some("s3cret")));
        assert!(authorized(&request("anything"), None));
    }
}
