//! `aigen mcp` driven by real MCP clients nobody here wrote: the official Python SDK (PyPI
//! `mcp`, through `tests/fixtures/mcp/client.py`) over stdio and streamable HTTP with a bearer
//! token, in both lifecycles it speaks (2026-07-28 through `server/discover`, and the 2025-11-25
//! `initialize` handshake), and the MCP Inspector's CLI. The clients are installed by
//! `.ci/mcp-clients.sh`; a test without its client says so and is skipped ([`crate::support::mcp`]).

use serde_json::Value;

use crate::support::example::Project;
use crate::support::mcp::{HttpServer, Inspector, PythonSdk};

const DOCKERFILE: &str = "docker/backend.Dockerfile";
const CLIENT: &str = "aigen-tests-python-sdk";
/// The two lifecycles and the revision each negotiates with aigen.
const MODES: [(&str, &str); 2] = [("auto", "2026-07-28"), ("legacy", "2025-11-25")];
const READ_ONLY: [&str; 10] = [
    "check",
    "constitution",
    "detect",
    "explain_rule",
    "history_list",
    "history_show",
    "history_verify",
    "lint",
    "list_rules",
    "staged",
];
const STAGING: [&str; 4] = [
    "generate_chart",
    "generate_dockerfile",
    "generate_manifests",
    "review",
];

/// A copy of the example with the backend's Dockerfile staged by the builtin provider (CLI).
fn staged_backend() -> Project {
    let project = Project::todo_app();
    project.run(&["dockerfile", "backend"]).expect(0);
    project
}

/// The tool names a client was offered, sorted.
fn names(tools: &Value) -> Vec<String> {
    match tools {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(list) => list
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect(),
        other => panic!("not a tool list: {other}"),
    }
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    list.sort();
    list
}

/// initialize, the tools with their annotations, `lint` on a bad Dockerfile (findings with
/// positions), `generate_dockerfile` with the builtin provider (staged and recorded with the
/// client's name, nothing else written), the trail, resources and prompts, over stdio, in both
/// lifecycles.
#[test]
fn stdio_tour_in_both_lifecycles() {
    let Some(sdk) = PythonSdk::find() else { return };
    for (mode, protocol) in MODES {
        let project = Project::todo_app();
        let seen = sdk.stdio(&project, &["--mode", mode], "tour", &[]);
        let json = &seen.json;
        assert_eq!(json["protocol"], protocol, "{mode}");
        assert_eq!(json["server"]["name"], "aigen");
        assert_eq!(json["server"]["version"], env!("CARGO_PKG_VERSION"));

        // Read-only and staging tools only: the writing ones need --allow-apply.
        let mut expected: Vec<&str> = READ_ONLY.iter().chain(&STAGING).copied().collect();
        expected.sort();
        assert_eq!(names(&json["tools"]), sorted(&expected), "{mode}");
        for name in READ_ONLY {
            let tool = &json["tools"][name];
            assert_eq!(tool["read_only"], true, "{name}: {tool}");
            assert_eq!(tool["destructive"], false, "{name}");
            assert_eq!(tool["idempotent"], true, "{name}");
            assert_eq!(tool["output_schema"], true, "{name}");
        }
        for name in STAGING {
            let tool = &json["tools"][name];
            assert_eq!(tool["read_only"], false, "{name}: {tool}");
            assert_eq!(tool["destructive"], false, "{name}");
            assert_eq!(tool["idempotent"], false, "{name}");
            assert_eq!(tool["output_schema"], true, "{name}");
        }
        assert_eq!(
            json["tools"]["lint"]["input_properties"],
            serde_json::json!(["content", "file_name", "paths", "values"])
        );

        // `lint` of content passed inline: the unpinned base image at line 1, column 6.
        let lint = seen.ok("lint");
        let pin: Vec<&Value> = lint["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "AG-D003")
            .collect();
        assert_eq!(pin.len(), 1, "{lint}");
        assert_eq!(pin[0]["path"], "backend/Dockerfile");
        assert_eq!(
            (pin[0]["line"].clone(), pin[0]["column"].clone()),
            (1.into(), 6.into())
        );
        assert!(lint["summary"]["error"].as_u64().unwrap() > 0);
        // A path that is not there: a tool error naming it, as the CLI would.
        seen.tool_error("lint_paths", "docker/bad.Dockerfile");

        // generate_dockerfile: staged, one record with surface mcp and the client, nothing
        // written outside generated/ and the trail.
        let generate = seen.ok("generate");
        assert_eq!(generate["provider"], "builtin");
        assert_eq!(generate["jobs"][0]["status"], "clean", "{generate}");
        let staged: Vec<String> = project.staged().iter().map(|e| e.target.clone()).collect();
        assert!(staged.contains(&DOCKERFILE.to_string()), "{staged:?}");
        assert!(
            !project.path(DOCKERFILE).exists(),
            "generate wrote the target"
        );
        let records = project.records();
        assert_eq!(records.len(), 1, "one record for the one generating call");
        let text = std::fs::read_to_string(&records[0].file.path).unwrap();
        assert!(text.contains("surface: mcp"), "{text}");
        assert!(text.contains(CLIENT), "{text}");
        assert!(text.contains(protocol), "{text}");
        let staged_tool = seen.ok("staged");
        assert_eq!(staged_tool["files"][0]["target"], DOCKERFILE);
        assert_eq!(staged_tool["files"][0]["state"], "new file");

        // The trail: listed with the client, verified clean.
        let history = seen.ok("history");
        assert_eq!(history["records"][0]["surface"], "mcp");
        assert_eq!(history["records"][0]["client"]["name"], CLIENT);
        assert_eq!(history["records"][0]["client"]["protocol"], protocol);
        assert_eq!(seen.ok("verify")["clean"], true);
        assert_eq!(seen.ok("explain")["rule"]["code"], "AG-D003");

        // Resources: the constitution, the record, the staged files; prompts from prompts/.
        let resources = json["resources"].as_array().unwrap();
        assert!(
            resources.contains(&"aigen://constitution".into()),
            "{resources:?}"
        );
        assert!(resources.contains(&"aigen://history/general/0001".into()));
        assert!(resources.contains(&format!("aigen://staged/{DOCKERFILE}").into()));
        assert!(
            json["constitution"]["text"]
                .as_str()
                .unwrap()
                .contains("version: 1")
        );
        assert!(json["record"].as_str().unwrap().contains("surface: mcp"));
        assert_eq!(
            json["prompts"]["dockerfile"],
            serde_json::json!([["service", true]])
        );
        assert!(json["prompt"]["text"].as_str().unwrap().contains("backend"));
        assert_eq!(json["elicitations"], serde_json::json!([]));
    }
}

/// Streamable HTTP with a bearer token: served with it, refused (401) without it or with a
/// wrong one; both lifecycles; the token shows nowhere.
#[test]
fn http_with_a_bearer_token() {
    let Some(sdk) = PythonSdk::find() else { return };
    let project = Project::todo_app();
    let token = "mcp-test-token-7f3e9a1c5b2d4e6f8a0b";
    let mut server = HttpServer::start(&project, Some(token), &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );

    for (mode, protocol) in MODES {
        let seen = sdk.http(&server, &["--mode", mode], "ping");
        assert_eq!(seen.json["protocol"], protocol, "{mode}");
        let services = &seen.ok("detect")["services"];
        assert!(
            services
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "backend"),
            "{services}"
        );
        assert!(!seen.run.all().contains(token));
    }
    let seen = sdk.http(&server, &[], "tour");
    assert_eq!(seen.ok("generate")["jobs"][0]["status"], "clean");
    assert_eq!(seen.ok("history")["records"][0]["client"]["name"], CLIENT);

    // Without the token, or with a wrong one: 401 before MCP sees the request.
    assert!(server.post_status(None).contains(" 401 "), "no token");
    let wrong = server.post_status(Some("Bearer not-the-token"));
    assert!(wrong.contains(" 401 "), "{wrong}");
    assert!(
        server
            .post_status(Some(&format!("Bearer {token}")))
            .contains(" 200 ")
    );
    let refused = sdk.http_run(&server, None, &[], "ping");
    assert_ne!(refused.code, 0, "a client without the token got through");
    assert!(
        refused.stderr.contains("Server returned an error response"),
        "{}",
        refused.stderr
    );

    assert!(server.running(), "the server stopped");
    let stderr = server.stop();
    assert!(!stderr.contains(token), "the token shows on stderr");
}

/// Off loopback without a token the server refuses to start, and says how to fix it.
#[test]
fn http_off_loopback_needs_a_token() {
    let project = Project::todo_app();
    let run = project.run(&["mcp", "--http", "0.0.0.0:0"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--token-file"), "{}", run.stderr);
}

/// Without --allow-apply the writing tools are neither offered nor callable, and nothing is
/// written.
#[test]
fn read_only_without_allow_apply() {
    let Some(sdk) = PythonSdk::find() else { return };
    let project = staged_backend();
    let seen = sdk.stdio(&project, &["--answer", "accept"], "apply", &[]);
    let tools = names(&seen.json["tools"]);
    assert!(!tools.contains(&"apply".to_string()), "{tools:?}");
    assert!(!tools.contains(&"apply_cluster".to_string()), "{tools:?}");
    assert_eq!(seen.json["apply"]["raised"], "MCPError", "{}", seen.json);
    assert!(
        seen.json["apply"]["message"]
            .as_str()
            .unwrap()
            .contains("tool not found")
    );
    assert!(
        !project.path(DOCKERFILE).exists(),
        "apply wrote without --allow-apply"
    );
    assert_eq!(seen.json["elicitations"], serde_json::json!([]));
}

/// With --allow-apply, `apply` asks the person (elicitation): accepted, the staged file is
/// written and the approval recorded; over stdio and HTTP, in both lifecycles (server-to-client
/// `elicitation/create`, and the 2026-07-28 multi-round-trip).
#[test]
fn apply_accepted_through_elicitation() {
    let Some(sdk) = PythonSdk::find() else { return };
    for transport in ["stdio", "http"] {
        for (mode, _) in MODES {
            let project = staged_backend();
            let staged = project.staged_text(DOCKERFILE);
            let options = ["--mode", mode, "--answer", "accept"];
            let seen = match transport {
                "stdio" => sdk.stdio(&project, &options, "apply", &["--allow-apply"]),
                _ => {
                    let server = HttpServer::start(
                        &project,
                        Some("t0ken-for-apply-tests"),
                        &["--allow-apply"],
                    );
                    sdk.http(&server, &options, "apply")
                }
            };
            let what = format!("{transport} {mode}");
            let tools = names(&seen.json["tools"]);
            assert!(tools.contains(&"apply".to_string()), "{what}: {tools:?}");
            let applied = seen.ok("apply");
            assert_eq!(applied["confirmed"], "elicitation", "{what}");
            assert_eq!(applied["applied"][0]["target"], DOCKERFILE, "{what}");
            assert_eq!(project.read(DOCKERFILE), staged, "{what}");
            let asked = seen.json["elicitations"].as_array().unwrap();
            assert_eq!(asked.len(), 1, "{what}: asked once");
            assert!(
                asked[0]["message"].as_str().unwrap().contains(DOCKERFILE),
                "{what}: the question names the file: {}",
                asked[0]["message"]
            );
            // The approval is a record of the trail, with the client.
            let history = project
                .run(&["history", "list", "--format", "json"])
                .expect(0);
            let text = history.stdout;
            assert!(text.contains(CLIENT), "{what}: {text}");
        }
    }
}

/// Declined, cancelled, or the box left unticked: a tool error that says nothing was written,
/// and nothing is. A client that cannot be asked (no elicitation capability) is refused with
/// how to enable it, unless the server was started with --yes.
#[test]
fn apply_refused_unless_confirmed() {
    let Some(sdk) = PythonSdk::find() else { return };
    let cases = [
        ("auto", "decline", "declined"),
        ("legacy", "decline", "declined"),
        ("auto", "cancel", "cancelled"),
        ("legacy", "untick", "not ticked"),
    ];
    for (mode, answer, why) in cases {
        let project = staged_backend();
        let seen = sdk.stdio(
            &project,
            &["--mode", mode, "--answer", answer],
            "apply",
            &["--allow-apply"],
        );
        seen.tool_error("apply", why);
        seen.tool_error("apply", "nothing was written");
        assert_eq!(seen.json["elicitations"].as_array().unwrap().len(), 1);
        assert!(
            !project.path(DOCKERFILE).exists(),
            "{mode} {answer}: written"
        );
        assert_eq!(project.staged().len(), 2, "{mode} {answer}: still staged");
    }
    for (mode, _) in MODES {
        let project = staged_backend();
        let seen = sdk.stdio(
            &project,
            &["--mode", mode, "--answer", "none"],
            "apply",
            &["--allow-apply"],
        );
        seen.tool_error("apply", "--allow-apply --yes");
        assert!(!project.path(DOCKERFILE).exists(), "{mode}: written");

        let project = staged_backend();
        let seen = sdk.stdio(
            &project,
            &["--mode", mode, "--answer", "none"],
            "apply",
            &["--allow-apply", "--yes"],
        );
        assert_eq!(seen.ok("apply")["confirmed"], "--yes");
        assert!(
            project.path(DOCKERFILE).exists(),
            "{mode}: --yes did not write"
        );
    }
}

/// Path escapes, 10 MB of content, an unknown tool, wrong argument types: each a clear error,
/// nothing written anywhere, and the server answers the next call; over stdio and HTTP.
#[test]
fn bad_requests_get_clear_errors() {
    let Some(sdk) = PythonSdk::find() else { return };
    for transport in ["stdio", "http"] {
        let project = Project::todo_app();
        let outside = project.scratch().join("work/outside.txt");
        std::fs::write(&outside, "FROM scratch\n").unwrap();
        let elsewhere = project.scratch().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("secret.Dockerfile"), "FROM scratch\n").unwrap();
        std::os::unix::fs::symlink(&elsewhere, project.path("link-out")).unwrap();
        let before = tree_without_token(&project);

        let seen = match transport {
            "stdio" => sdk.stdio(&project, &[], "edges", &[]),
            _ => {
                let server = HttpServer::start(&project, Some("edge-token-0123456789"), &[]);
                sdk.http(&server, &[], "edges")
            }
        };
        for key in [
            "escape_parent",
            "escape_absolute",
            "escape_symlink",
            "escape_content_name",
            "escape_review",
        ] {
            seen.tool_error(key, "error:");
        }
        seen.tool_error("escape_parent", "../outside.txt");
        seen.tool_error("escape_absolute", "/etc/passwd");
        seen.tool_error("escape_symlink", "link-out");
        seen.tool_error("oversize", "10000000 bytes");
        assert_eq!(
            seen.json["unknown_tool"]["raised"], "MCPError",
            "{transport}"
        );
        for key in [
            "wrong_type",
            "wrong_type_code",
            "unknown_field",
            "missing_field",
        ] {
            assert_eq!(
                seen.call(key)["is_error"],
                true,
                "{transport} {key}: {}",
                seen.json[key]
            );
        }
        seen.tool_error("unknown_service", "nope");
        assert!(
            seen.json["escape_resource"]
                .as_str()
                .unwrap()
                .contains("no record `../../etc/passwd`"),
            "{}",
            seen.json["escape_resource"]
        );
        assert!(
            seen.ok("after")["services"].is_array(),
            "{transport}: next call"
        );
        let after = tree_without_token(&project);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(bytes))
            .map(|(path, _)| path)
            .collect();
        assert!(
            changed.is_empty() && after.len() == before.len(),
            "{transport}: written: {changed:?}"
        );
        assert!(project.records().is_empty());
    }
}

/// Every file of the project's temporary directory but the HTTP server's token file.
fn tree_without_token(project: &Project) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut tree = project.tree();
    tree.remove("mcp-token");
    tree
}

/// 100 concurrent `lint` calls over HTTP on loopback: each answered, each answer its own (the
/// file name and the line of its finding), in both lifecycles.
#[test]
fn one_hundred_concurrent_calls_over_http() {
    let Some(sdk) = PythonSdk::find() else { return };
    let project = Project::todo_app();
    let server = HttpServer::start(&project, Some("concurrent-token-abcdef012345"), &[]);
    for (mode, _) in MODES {
        let seen = sdk.http(&server, &["--mode", mode, "--count", "100"], "concurrent");
        let results = seen.json["results"].as_array().unwrap();
        assert_eq!(results.len(), 100);
        for result in results {
            let i = result["i"].as_u64().unwrap();
            assert_eq!(result["is_error"], false, "{mode}: {result}");
            assert_eq!(
                result["paths"],
                serde_json::json!([format!("d{i}/Dockerfile")])
            );
            assert_eq!(
                result["pin_lines"],
                serde_json::json!([i + 1]),
                "{mode}: {result}"
            );
        }
    }
}

/// A client that goes away in the middle of `generate_dockerfile`: either the whole outcome
/// (the staged files and one record) or nothing, never a part; over HTTP the server answers
/// the next client.
#[test]
fn a_client_that_disconnects_mid_call() {
    let Some(sdk) = PythonSdk::find() else { return };
    for transport in ["stdio", "http"] {
        let project = Project::todo_app();
        let server = (transport == "http")
            .then(|| HttpServer::start(&project, Some("disconnect-token-0123456789"), &[]));
        let mut command = match &server {
            None => sdk.stdio_command(&project, &[], "hold", &[]),
            Some(server) => sdk.http_command(server, &[], "hold"),
        };
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.contains("calling"), "{line}");
        child.kill().unwrap();
        child.wait().unwrap();
        // A stdio server ends with its client; give it the moment to.
        std::thread::sleep(std::time::Duration::from_millis(500));

        let records = project.records();
        let staged = project.staged();
        assert!(records.len() <= 1, "{transport}: {} records", records.len());
        if records.is_empty() {
            assert!(staged.is_empty(), "{transport}: staged without a record");
        } else {
            assert_eq!(staged.len(), 2, "{transport}: a part of the outcome");
        }
        for (path, _) in project.tree() {
            assert!(
                !path.contains(".tmp"),
                "{transport}: a temporary file is left: {path}"
            );
        }
        if let Some(server) = &server {
            let seen = sdk.http(server, &[], "ping");
            assert!(seen.ok("detect")["services"].is_array(), "the next call");
        }
    }
}

/// Secret values in what a tool answers are masked: the staged diff against a file on disk
/// that holds an API key, over the `staged` tool and the staged files as resources.
#[test]
fn secrets_are_redacted_in_results() {
    let Some(sdk) = PythonSdk::find() else { return };
    let project = staged_backend();
    let mut values = crate::support::secret_values::Gen(0x5eed_3c9e);
    let key = format!("sk-proj-{}", values.alnum(40));
    // The target on disk (what the diff is against) holds the key.
    project.write(
        DOCKERFILE,
        &format!("FROM python:3.12-slim\nENV OPENAI_API_KEY={key}\n"),
    );
    let seen = sdk.stdio(&project, &[], "staged", &[]);
    let files = &seen.ok("staged")["files"];
    let diff = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"] == DOCKERFILE)
        .unwrap()["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        diff.contains("OPENAI_API_KEY="),
        "the diff shows the line: {diff}"
    );
    assert!(
        !seen.run.all().contains(&key),
        "the key shows in a tool result"
    );
    assert!(!seen.run.all().contains(&key[8..20]));
}

/// The MCP Inspector's CLI: tools with annotations, `lint` with findings, over stdio and over
/// HTTP with the token; it declares no elicitation, so `apply` is refused with how to enable it;
/// without the token it is told to authenticate.
#[test]
fn inspector_cli() {
    let Some(inspector) = Inspector::find() else {
        return;
    };
    let project = staged_backend();
    let binary = crate::support::mcp::aigen_binary();
    let binary = binary.to_str().unwrap();
    let root = project.root();

    let listed = inspector
        .run(root, &[binary, "mcp"], &["--method", "tools/list"])
        .expect(0);
    let tools = listed.json();
    let lint = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "lint")
        .unwrap();
    assert_eq!(lint["annotations"]["readOnlyHint"], true, "{lint}");
    assert_eq!(lint["annotations"]["destructiveHint"], false);

    let linted = inspector
        .run(
            root,
            &[binary, "mcp"],
            &[
                "--method",
                "tools/call",
                "--tool-name",
                "lint",
                "--tool-args-json",
                r#"{"file_name":"backend/Dockerfile","content":"FROM python:latest\n"}"#,
            ],
        )
        .expect(0);
    let linted = linted.json();
    let findings = &linted["result"]["structuredContent"]["findings"];
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "AG-D003" && f["line"] == 1),
        "{findings}"
    );

    let refused = inspector.run(
        root,
        &[binary, "mcp", "--allow-apply"],
        &["--method", "tools/call", "--tool-name", "apply"],
    );
    assert_eq!(refused.code, 5, "isError: {}", refused.all());
    assert!(refused.all().contains("--yes"), "{}", refused.all());
    assert!(!project.path(DOCKERFILE).exists());

    let token = "inspector-token-0123456789abcdef";
    let server = HttpServer::start(&project, Some(token), &[]);
    let header = format!("Authorization: Bearer {token}");
    let over_http = inspector
        .run(
            root,
            &[&server.url, "--header", &header],
            &["--method", "tools/list"],
        )
        .expect(0);
    assert!(over_http.stdout.contains("\"lint\""));
    let unauthorized = inspector.run(
        root,
        &[&server.url, "--stored-auth-only"],
        &["--method", "tools/list"],
    );
    assert_eq!(
        unauthorized.code,
        3,
        "auth_required: {}",
        unauthorized.all()
    );
}

/// The client configurations of docs/mcp.md start the server the way these tests do: each
/// `mcpServers` entry of its JSON snippets is run, a stdio one as written (`aigen` and its
/// arguments, in the project), an HTTP one with its URL's path and its `Authorization` header
/// (the token variable filled in) against `aigen mcp --http` with a token file.
#[test]
fn documented_configurations_work() {
    let Some(sdk) = PythonSdk::find() else { return };
    let doc = std::fs::read_to_string(crate::support::files::repo_path("docs/mcp.md")).unwrap();
    let snippets: Vec<Value> = doc
        .split("```json\n")
        .skip(1)
        .map(|block| {
            let json = block.split("```").next().unwrap();
            serde_json::from_str(json).unwrap_or_else(|e| panic!("docs/mcp.md: {e}:\n{json}"))
        })
        .collect();
    assert!(snippets.len() >= 2, "the Claude Code and Cursor snippets");
    let project = Project::todo_app();
    let token = "documented-token-0123456789abcdef";
    let server = HttpServer::start(&project, Some(token), &[]);
    let (mut stdio, mut http) = (0, 0);
    for snippet in &snippets {
        for (name, entry) in snippet["mcpServers"].as_object().unwrap() {
            if let Some(command) = entry["command"].as_str() {
                assert_eq!(command, "aigen", "{name}");
                let args: Vec<&str> = entry["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .collect();
                let mut client = sdk.stdio_server_command(&[], "ping", &args);
                client.current_dir(project.root());
                let run = crate::support::command::Run::of(&mut client).expect(0);
                assert!(run.stdout.contains("\"backend\""), "{name}: {}", run.stdout);
                stdio += 1;
            } else {
                let url = entry["url"].as_str().unwrap();
                assert_eq!(url, "http://127.0.0.1:8765/mcp", "{name}");
                let header = entry["headers"]["Authorization"].as_str().unwrap();
                let header = header
                    .replace("${env:AIGEN_MCP_TOKEN}", token)
                    .replace("${AIGEN_MCP_TOKEN}", token);
                // The client sends exactly this header (`Bearer <token>`).
                assert_eq!(header, format!("Bearer {token}"), "{name}");
                let seen = sdk.http(&server, &[], "ping");
                assert!(seen.ok("detect")["services"].is_array(), "{name}");
                http += 1;
            }
        }
    }
    assert!(stdio >= 2 && http >= 2, "stdio {stdio}, http {http}");
}

/// Read-only calls are recorded only with --record-all: then as a record with surface mcp and
/// the client; without it (the tour above) only the generating call is.
#[test]
fn read_only_calls_recorded_with_record_all() {
    let Some(sdk) = PythonSdk::find() else { return };
    let project = Project::todo_app();
    sdk.stdio(&project, &[], "ping", &[]);
    assert!(
        project.records().is_empty(),
        "a read-only call was recorded"
    );
    sdk.stdio(&project, &[], "ping", &["--record-all"]);
    let records = project.records();
    assert_eq!(records.len(), 1);
    let text = std::fs::read_to_string(&records[0].file.path).unwrap();
    assert!(text.contains("surface: mcp"), "{text}");
    assert!(text.contains("detect"), "{text}");
    assert!(text.contains(CLIENT), "{text}");
}
