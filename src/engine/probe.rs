//! Judging a container from inside: a small program run with `docker exec` in the container's
//! own network namespace, so that nothing addresses the container from outside (it runs with no
//! network at all). The program is the first the image has of Python, Node.js, wget or curl;
//! an image with none of them (a distroless one) is probed from a helper container that shares
//! its network namespace, made from one of the images its Dockerfile was built from.

use std::time::Duration;

use bollard::exec::{CreateExecOptions, StartExecResults};
use futures_util::StreamExt;

use bollard::Docker;

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(8);

/// The programs a probe can run, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Python3,
    Python,
    Node,
    Wget,
    Curl,
}

impl Tool {
    const ALL: [Tool; 5] = [
        Tool::Python3,
        Tool::Python,
        Tool::Node,
        Tool::Wget,
        Tool::Curl,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Python3 => "python3",
            Self::Python => "python",
            Self::Node => "node",
            Self::Wget => "wget",
            Self::Curl => "curl",
        }
    }

    /// A command that succeeds when the tool is there.
    fn presence(self) -> Vec<String> {
        let args: &[&str] = match self {
            Self::Python3 | Self::Python => &["-c", "pass"],
            Self::Node => &["-e", "0"],
            Self::Wget => &["--help"],
            Self::Curl => &["--version"],
        };
        command(self.name(), args)
    }

    /// A command that prints the HTTP status of `url` (0 when nothing answers).
    fn http(self, url: &str) -> Vec<String> {
        match self {
            Self::Python3 | Self::Python => command(
                self.name(),
                &[
                    "-c",
                    "import sys, urllib.request, urllib.error\ntry:\n    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)\nexcept urllib.error.HTTPError as e:\n    print(e.code)\nexcept Exception:\n    print(0)",
                    url,
                ],
            ),
            Self::Node => command(
                "node",
                &[
                    "-e",
                    "fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then((r) => console.log(r.status), () => console.log(0))",
                    url,
                ],
            ),
            // One try: GNU wget (a helper made from a Debian builder) retries 20 times by
            // default, past the probe's own timeout; busybox wget accepts `-t` and ignores it.
            Self::Wget => command(
                "wget",
                &["-S", "-q", "-t", "1", "-O", "/dev/null", "-T", "5", url],
            ),
            Self::Curl => command(
                "curl",
                &[
                    "-s",
                    "-o",
                    "/dev/null",
                    "-m",
                    "5",
                    "-w",
                    "%{http_code}",
                    url,
                ],
            ),
        }
    }

    /// A command that prints `1` when something accepts a TCP connection on the port.
    fn tcp(self, port: u16) -> Vec<String> {
        let port = port.to_string();
        match self {
            Self::Python3 | Self::Python => command(
                self.name(),
                &[
                    "-c",
                    "import socket, sys\ntry:\n    socket.create_connection(('127.0.0.1', int(sys.argv[1])), 3).close(); print(1)\nexcept Exception:\n    print(0)",
                    &port,
                ],
            ),
            Self::Node => command(
                "node",
                &[
                    "-e",
                    "require('net').connect(+process.argv[1], '127.0.0.1').on('connect', () => { console.log(1); process.exit(0) }).on('error', () => { console.log(0); process.exit(0) })",
                    &port,
                ],
            ),
            // Not quiet: both wgets say "Connection refused" when nothing listens, which is the
            // only answer that means so (a gRPC server accepts and then says nothing to HTTP/1).
            // One try, as above.
            Self::Wget => command(
                "wget",
                &[
                    "-t",
                    "1",
                    "-O",
                    "/dev/null",
                    "-T",
                    "3",
                    &format!("http://127.0.0.1:{port}/"),
                ],
            ),
            Self::Curl => command(
                "curl",
                &[
                    "-s",
                    "-o",
                    "/dev/null",
                    "-m",
                    "3",
                    &format!("http://127.0.0.1:{port}/"),
                ],
            ),
        }
    }
}

fn command(program: &str, args: &[&str]) -> Vec<String> {
    std::iter::once(program)
        .chain(args.iter().copied())
        .map(str::to_string)
        .collect()
}

/// What ran a command: its exit code and output.
pub(super) struct Ran {
    pub exit_code: Option<i64>,
    pub output: String,
}

/// Runs a command in a container and waits for it (boundedly).
pub(super) async fn exec(docker: &Docker, container: &str, cmd: Vec<String>) -> Option<Ran> {
    let run = async {
        let created = docker
            .create_exec(
                container,
                CreateExecOptions {
                    cmd: Some(cmd),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .ok()?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = docker.start_exec(&created.id, None).await.ok()?
        {
            while let Some(Ok(chunk)) = stream.next().await {
                output.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
            }
        }
        let inspected = docker.inspect_exec(&created.id).await.ok()?;
        Some(Ran {
            exit_code: inspected.exit_code,
            output,
        })
    };
    tokio::time::timeout(PROBE_TIMEOUT, run)
        .await
        .ok()
        .flatten()
}

/// A way to probe a container's network from inside.
#[derive(Debug, Clone)]
pub(crate) struct Prober {
    /// The container the probe runs in (the judged one, or a helper sharing its network).
    pub container: String,
    pub tool: Tool,
}

impl Prober {
    /// The first tool the container has.
    pub(crate) async fn find(docker: &Docker, container: &str) -> Option<Self> {
        for tool in Tool::ALL {
            let found = exec(docker, container, tool.presence()).await;
            // 126 and 127: the program is not there (or cannot be run).
            if let Some(ran) = found
                && !matches!(ran.exit_code, Some(126 | 127) | None)
                && !ran.output.contains("executable file not found")
            {
                return Some(Self {
                    container: container.to_string(),
                    tool,
                });
            }
        }
        None
    }

    /// How it probes, in words.
    pub(crate) fn describe(&self, helper: bool) -> String {
        if helper {
            format!(
                "{} in a helper container sharing the container's network namespace",
                self.tool.name()
            )
        } else {
            format!("{} run in the container", self.tool.name())
        }
    }

    /// The HTTP status `http://127.0.0.1:<port><path>` answers from inside; `None` when nothing
    /// answers.
    pub(crate) async fn http_status(&self, docker: &Docker, port: u16, path: &str) -> Option<u16> {
        let url = format!("http://127.0.0.1:{port}{path}");
        let ran = exec(docker, &self.container, self.tool.http(&url)).await?;
        let status = match self.tool {
            Tool::Wget => wget_status(&ran.output),
            _ => ran.output.trim().lines().last()?.trim().parse().ok(),
        }?;
        (status > 0).then_some(status)
    }

    /// True when something accepts connections on the port.
    pub(crate) async fn listens(&self, docker: &Docker, port: u16) -> bool {
        let Some(ran) = exec(docker, &self.container, self.tool.tcp(port)).await else {
            return false;
        };
        match self.tool {
            // Any answer, even an HTTP error or a protocol error, means something listened.
            Tool::Wget => !ran.output.to_ascii_lowercase().contains("refused"),
            Tool::Curl => ran.exit_code != Some(7),
            _ => ran.output.trim() == "1",
        }
    }
}

/// The status line in `wget -S` output (`  HTTP/1.1 503 Service Unavailable`), the last one when
/// redirects were followed.
fn wget_status(output: &str) -> Option<u16> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.trim().split("HTTP/").nth(1)?;
            rest.split_whitespace().nth(1)?.parse().ok()
        })
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wget_tries_once_and_the_port_probe_keeps_its_refusal_message() {
        let tcp = Tool::Wget.tcp(5050);
        assert!(tcp.windows(2).any(|w| w == ["-t", "1"]), "{tcp:?}");
        assert!(!tcp.iter().any(|w| w == "-q"), "{tcp:?}");
        let http = Tool::Wget.http("http://127.0.0.1:8080/healthz");
        assert!(http.windows(2).any(|w| w == ["-t", "1"]), "{http:?}");
    }

    #[test]
    fn wget_status_lines_are_read() {
        assert_eq!(
            wget_status("  HTTP/1.1 200 OK\n  Content-Type: text/plain\n"),
            Some(200)
        );
        assert_eq!(
            wget_status("wget: server returned error: HTTP/1.1 503 Service Unavailable\n"),
            Some(503)
        );
        assert_eq!(
            wget_status("wget: can't connect to remote host: Connection refused"),
            None
        );
    }
}
