//! The `HEALTHCHECK` command: what it checks ([`Probe`]) and the program that checks it
//! ([`Tool`]), which must be one the runtime image already has. Nothing is installed for it.
//!
//! | probe | Python | Node | busybox (Alpine) | bash (Debian, Ubuntu) |
//! |---|---|---|---|---|
//! | HTTP path | `urllib.request.urlopen` | `fetch` (`wget` on Alpine) | `wget` | `/dev/tcp`, HTTP/1.0, any 2xx |
//! | port only | `socket.create_connection` | `net.connect` | `nc -z` | `/dev/tcp` |
//!
//! A service with a known health path is checked on it; one without (or a gRPC server) only on
//! its port, since a path the app does not serve would mark it unhealthy forever. A worker has
//! no port: its final stage says `HEALTHCHECK NONE`.

use crate::detect::ServiceKind;
use crate::provider::builtin::facts::Facts;

/// What the health check checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Probe {
    /// An HTTP GET of the path must answer 2xx (3xx too for the clients that follow redirects).
    Http { port: u16, path: String },
    /// A TCP connection to the port must succeed.
    Port { port: u16, grpc: bool },
    /// Nothing to check from the outside: a worker.
    None,
}

/// The program the runtime image checks health with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Python,
    /// `node`, with `fetch` (Node 18 and later).
    Node,
    /// busybox's `wget` and `nc`.
    Busybox,
    /// bash's `/dev/tcp`, and coreutils' `timeout` and `head`.
    Bash,
    /// No program at all (distroless).
    Nothing,
}

impl Probe {
    /// The probe of a service: its liveness path when it serves HTTP and one is known, else its
    /// port, else nothing.
    pub(super) fn of(facts: &Facts<'_>) -> Self {
        match (facts.port, &facts.liveness_path) {
            (None, _) => Self::None,
            (Some(port), Some(path)) if facts.role == ServiceKind::Http => Self::Http {
                port,
                path: path.clone(),
            },
            (Some(port), _) => Self::Port {
                port,
                grpc: facts.role == ServiceKind::Grpc,
            },
        }
    }

    /// A comment saying what is checked, and why when it is less than a health route.
    pub(super) fn describe(&self) -> String {
        match self {
            Self::Http { path, .. } => format!("Health: the app's own health route, {path}."),
            Self::Port { grpc: true, .. } => {
                "Health: the gRPC port accepts connections (the cluster's probes speak gRPC health)."
                    .to_string()
            }
            Self::Port { .. } => {
                "Health: no health route was found in the code, so the check is that the port\naccepts connections; declare `health_path` in aigen.toml when the app has one."
                    .to_string()
            }
            Self::None => {
                "Health: a worker serves no port, so there is nothing to check from outside the\nprocess; the container's exit is the signal."
                    .to_string()
            }
        }
    }
}

/// The HEALTHCHECK command in exec form; `None` when there is nothing to check or nothing to
/// check it with. `timeout` is the seconds one attempt may take.
pub(crate) fn command(probe: &Probe, tool: Tool, timeout: &str) -> Option<Vec<String>> {
    let argv = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let url = |port: &u16, path: &str| format!("http://127.0.0.1:{port}{path}");
    let millis = timeout.parse::<u32>().unwrap_or(2).saturating_mul(1000);
    Some(match (probe, tool) {
        (Probe::None, _) | (_, Tool::Nothing) => return None,
        (Probe::Http { port, path }, Tool::Python) => argv(&[
            "python",
            "-c",
            &format!(
                "import urllib.request; urllib.request.urlopen('{}', timeout={timeout})",
                url(port, path)
            ),
        ]),
        (Probe::Port { port, .. }, Tool::Python) => argv(&[
            "python",
            "-c",
            &format!(
                "import socket; socket.create_connection(('127.0.0.1', {port}), timeout={timeout}).close()"
            ),
        ]),
        (Probe::Http { port, path }, Tool::Node) => argv(&[
            "node",
            "-e",
            &format!(
                "fetch('{}', {{ signal: AbortSignal.timeout({millis}) }}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
                url(port, path)
            ),
        ]),
        (Probe::Port { port, .. }, Tool::Node) => argv(&[
            "node",
            "-e",
            &format!(
                "require('net').connect({port}, '127.0.0.1').setTimeout({millis}, () => process.exit(1)).on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
            ),
        ]),
        (Probe::Http { port, path }, Tool::Busybox) => argv(&[
            "wget",
            "-q",
            "-O",
            "/dev/null",
            "-T",
            timeout,
            &url(port, path),
        ]),
        (Probe::Port { port, .. }, Tool::Busybox) => {
            argv(&["nc", "-z", "-w", timeout, "127.0.0.1", &port.to_string()])
        }
        (Probe::Http { port, path }, Tool::Bash) => argv(&[
            "bash",
            "-c",
            &format!(
                "exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' '{path}' >&3 && timeout {timeout} head -n 1 <&3 | grep -q ' 2[0-9][0-9] '"
            ),
        ]),
        (Probe::Port { port, .. }, Tool::Bash) => argv(&[
            "timeout",
            timeout,
            "bash",
            "-c",
            &format!("exec 3<>/dev/tcp/127.0.0.1/{port}"),
        ]),
    })
}

/// The tool a runtime image of a compiled language (Go, Rust, Java) checks health with.
pub(crate) fn shell_tool(image: &str) -> Tool {
    if image.contains("distroless") {
        Tool::Nothing
    } else if super::is_alpine(image) {
        Tool::Busybox
    } else {
        Tool::Bash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_checks_a_path_or_a_port() {
        let http = Probe::Http {
            port: 8080,
            path: "/healthz".into(),
        };
        let port = Probe::Port {
            port: 8080,
            grpc: false,
        };
        for tool in [Tool::Python, Tool::Node, Tool::Busybox, Tool::Bash] {
            let checks_path = command(&http, tool, "2").unwrap().join(" ");
            assert!(checks_path.contains("/healthz"), "{checks_path}");
            let checks_port = command(&port, tool, "2").unwrap().join(" ");
            assert!(checks_port.contains("8080"), "{checks_port}");
            assert!(!checks_port.contains("http"), "{checks_port}");
        }
        assert_eq!(command(&Probe::None, Tool::Bash, "2"), None);
        assert_eq!(command(&http, Tool::Nothing, "2"), None);
    }
}
