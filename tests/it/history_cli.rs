//! `aigen history` end to end: add (inline, files, stdin), list with filters and orders, show,
//! search, stats, export in every format, report, and the errors a user can run into.

use crate::support::phr::{Project, stderr, stdout};
use aigen::finding_counts::FindingCounts;
use aigen::phr::{NewRecord, Outcome, Stage, Store, Tokens};
use aigen::secrets::Redactor;

/// A project with records of several features, stages, tools, outcomes and labels: three added
/// through the binary, four through the library (with tokens, latency and lint).
fn project() -> Project {
    let project = Project::new();
    let output = project.history(&[
        "add",
        "--title",
        "Backend Dockerfile from Gordon",
        "--stage",
        "green",
        "--feature",
        "003-k8s-deployment",
        "--model",
        "gordon-default",
        "--tool",
        "gordon",
        "--label",
        "docker",
        "--label",
        "backend",
        "--prompt",
        "Write a Dockerfile for the FastAPI backend",
        "--response",
        "FROM python:3.13-slim",
        "--file",
        "docker/backend.Dockerfile",
        "--test",
        "hadolint: PASS",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    project.add(
        "Helm chart layout",
        "plan",
        Some("004-helm"),
        "How should the chart be laid out?",
    );
    project.add(
        "Pod events",
        "general",
        None,
        "How do I see a pod's events?",
    );

    let store = Store::open(&project.trail())
        .unwrap()
        .with_redactor(Redactor::builtin());
    for (i, (outcome, latency, model)) in [
        (Outcome::Ok, 1200, "gpt-4o-mini"),
        (
            Outcome::Failed("lint errors remained".into()),
            3400,
            "gpt-4o-mini",
        ),
        (Outcome::Ok, 800, "llama3.1"),
        (Outcome::Interrupted("ctrl-c".into()), 100, "llama3.1"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .append(NewRecord {
                feature: Some("003-k8s-deployment".into()),
                model: Some(model.into()),
                provider: Some(if i < 2 { "openai" } else { "command" }.into()),
                prompt: format!("Generate the manifests, round {i}"),
                response: "kind: Deployment".into(),
                tokens: Some(Tokens {
                    prompt: 1000,
                    completion: 500,
                }),
                latency_ms: Some(latency),
                lint: Some(FindingCounts {
                    errors: usize::from(i == 1),
                    ..FindingCounts::default()
                }),
                outcome,
                round: Some(i as u32 + 1),
                labels: vec!["manifests".into()],
                ..NewRecord::new(format!("Manifests round {}", i + 1), Stage::Green)
            })
            .unwrap();
    }
    project
}

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

fn references(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn add_prints_the_path_and_json_gives_path_id_and_hash() {
    let project = Project::new();
    let path = project.add("First", "general", None, "hello");
    assert!(path.ends_with("history/prompts/general/0001-first.general.prompt.md"));
    assert!(path.is_file());
    let value = json(&project.history(&[
        "add",
        "--title",
        "Second",
        "--stage",
        "general",
        "--prompt",
        "p",
        "--response",
        "r",
        "--format",
        "json",
    ]));
    assert_eq!(
        value["path"],
        "history/prompts/general/0002-second.general.prompt.md"
    );
    assert_eq!(value["id"], "0002");
    assert_eq!(value["sequence"], 2);
    assert_eq!(value["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn add_reads_prompt_and_response_from_stdin_and_files() {
    let project = Project::new();
    let prompt = "A prompt\nwith ``` fences\n---\nand lines\n";
    std::fs::write(project.path().join("response.txt"), "the response\n").unwrap();
    let output = project
        .aigen()
        .args([
            "history",
            "add",
            "--title",
            "From stdin",
            "--stage",
            "misc",
            "--feature",
            "f1",
            "--prompt-file",
            "-",
            "--response-file",
            "response.txt",
        ])
        .write_stdin(prompt)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let path = project.path().join(stdout(&output).trim());
    let record = aigen::phr::record::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(record.prompt.as_deref(), Some(prompt));
    assert_eq!(record.response.as_deref(), Some("the response\n"));
    assert_eq!(record.feature, "f1");
}

#[test]
fn add_takes_the_feature_from_the_config_or_environment() {
    let project = Project::new();
    std::fs::write(
        project.path().join("aigen.toml"),
        "feature = \"005-from-config\"\n",
    )
    .unwrap();
    let path = project.add("Configured", "red", None, "p");
    assert!(
        path.to_string_lossy()
            .contains("/005-from-config/0001-configured.red.prompt.md")
    );
    let output = project
        .aigen()
        .env("AIGEN_FEATURE", "006-from-env")
        .args([
            "history",
            "add",
            "--title",
            "Env",
            "--stage",
            "red",
            "--prompt",
            "p",
            "--response",
            "r",
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("006-from-env/0001-env.red.prompt.md"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_input_is_a_usage_error_that_says_what_to_do() {
    let project = Project::new();
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "add",
                "--title",
                "t",
                "--stage",
                "blue",
                "--prompt",
                "p",
                "--response",
                "r",
            ],
            "unknown stage `blue`",
        ),
        (
            &[
                "add",
                "--title",
                "t",
                "--stage",
                "green",
                "--prompt",
                "p",
                "--response",
                "r",
            ],
            "--feature",
        ),
        (
            &[
                "add",
                "--title",
                "t",
                "--stage",
                "general",
                "--prompt",
                " ",
                "--response",
                "r",
            ],
            "the prompt is empty",
        ),
        (
            &[
                "add",
                "--title",
                "t",
                "--stage",
                "general",
                "--prompt-file",
                "missing.txt",
                "--response",
                "r",
            ],
            "missing.txt",
        ),
        (&["list", "--since", "yesterday"], "YYYY-MM-DD"),
        (&["list", "--outcome", "great"], "unknown outcome"),
    ];
    for (args, expected) in cases {
        let output = project.history(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(project.record_files().is_empty(), "nothing was written");
    let output = project.history(&[
        "add",
        "--title",
        "t",
        "--stage",
        "general",
        "--prompt-file",
        "-",
        "--response-file",
        "-",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn list_filters_and_orders() {
    let project = project();
    let all = json(&project.history(&["list", "--format", "json", "--sort", "sequence"]));
    assert_eq!(all.as_array().unwrap().len(), 7);
    let feature = json(&project.history(&[
        "list",
        "--feature",
        "003-k8s-deployment",
        "--format",
        "json",
        "--sort",
        "id",
    ]));
    assert_eq!(
        references(&feature),
        (1..=5)
            .map(|i| format!("003-k8s-deployment/{i:04}"))
            .collect::<Vec<_>>()
    );
    let by = |args: &[&str]| {
        let mut full = vec!["list", "--format", "json"];
        full.extend_from_slice(args);
        json(&project.history(&full)).as_array().unwrap().len()
    };
    assert_eq!(by(&["--stage", "green"]), 5);
    assert_eq!(by(&["--stage", "plan"]), 1);
    assert_eq!(by(&["--provider", "gordon"]), 1);
    assert_eq!(by(&["--provider", "openai"]), 2);
    assert_eq!(by(&["--model", "llama3.1"]), 2);
    assert_eq!(by(&["--outcome", "failed"]), 1);
    assert_eq!(by(&["--outcome", "ok"]), 5);
    assert_eq!(by(&["--label", "manifests"]), 4);
    assert_eq!(by(&["--label", "docker"]), 1);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert_eq!(by(&["--since", &today, "--until", &today]), 7);
    assert_eq!(by(&["--until", "2000-01-01"]), 0);

    let text = stdout(&project.history(&["list", "--sort", "sequence"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7);
    assert!(
        lines[0].starts_with("003-k8s-deployment/0001") && lines[0].contains("Backend Dockerfile")
    );
    let reversed = stdout(&project.history(&["list", "--sort", "sequence", "--reverse"]));
    assert_eq!(reversed.lines().next(), lines.last().copied());
}

#[test]
fn show_finds_records_by_id_reference_or_path() {
    let project = project();
    let by_id = stdout(&project.history(&["show", "004-helm/1"]));
    assert!(by_id.contains("title: Helm chart layout"), "{by_id}");
    let path = "history/prompts/general/0001-pod-events.general.prompt.md";
    let by_path = stdout(&project.history(&["show", path]));
    assert!(by_path.contains("How do I see a pod's events?"));
    let value = json(&project.history(&["show", "general/0001", "--format", "json"]));
    assert_eq!(value["hash_matches"], true);
    assert_eq!(value["record"]["title"], "Pod events");
    let ambiguous = project.history(&["show", "0001"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(
        stderr(&ambiguous).contains("matches 3 records"),
        "{}",
        stderr(&ambiguous)
    );
    let missing = project.history(&["show", "0099"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no record `0099`"));
}

#[test]
fn search_is_case_insensitive_and_filterable() {
    let project = project();
    let hits = json(&project.history(&["search", "FASTAPI", "--format", "json"]));
    assert_eq!(
        references(&hits),
        vec!["003-k8s-deployment/0001".to_string()]
    );
    assert!(hits[0]["excerpt"].as_str().unwrap().contains("FastAPI"));
    let manifests = json(&project.history(&[
        "search",
        "generate the manifests",
        "--outcome",
        "ok",
        "--format",
        "json",
    ]));
    assert_eq!(manifests.as_array().unwrap().len(), 2);
    let none = project.history(&["search", "no such text anywhere"]);
    assert_eq!(none.status.code(), Some(1));
}

#[test]
fn stats_count_tokens_failures_and_latency() {
    let project = project();
    let stats = json(&project.history(&["stats", "--format", "json"]));
    assert_eq!(stats["records"], 7);
    assert_eq!(stats["by_feature"]["003-k8s-deployment"], 5);
    assert_eq!(stats["by_stage"]["green"], 5);
    assert_eq!(stats["by_provider"]["openai"], 2);
    assert_eq!(stats["by_provider"]["gordon"], 1);
    assert_eq!(stats["by_model"]["llama3.1"], 2);
    assert_eq!(stats["tokens"]["prompt"], 4000);
    assert_eq!(stats["tokens"]["completion"], 2000);
    assert_eq!(stats["by_outcome"]["failed"], 1);
    assert_eq!(stats["by_outcome"]["interrupted"], 1);
    let rate = stats["failure_rate"].as_f64().unwrap();
    assert!((rate - 1.0 / 7.0).abs() < 1e-9, "{rate}");
    assert_eq!(stats["latency_ms"]["count"], 4);
    assert_eq!(stats["latency_ms"]["p50"], 800);
    assert_eq!(stats["latency_ms"]["max"], 3400);
    let text = stdout(&project.history(&["stats", "--feature", "004-helm"]));
    assert!(text.starts_with("1 records"), "{text}");
}

#[test]
fn exports_parse_in_every_format() {
    let project = project();
    let all = json(&project.history(&["export", "--format", "json"]));
    assert_eq!(all.as_array().unwrap().len(), 7);
    assert!(all[0]["prompt"].is_string() && all[0]["path"].is_string());

    let lines = stdout(&project.history(&["export", "--format", "jsonl", "--feature", "004-helm"]));
    let parsed: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0]["title"], "Helm chart layout");

    let csv_text = stdout(&project.history(&["export", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        aigen::phr::query::CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 7);
    let prompt_col = headers.iter().position(|h| h == "prompt").unwrap();
    assert!(rows.iter().any(|r| r[prompt_col].contains("FastAPI")));

    let out = project.path().join("out/trail.md");
    let output = project.history(&["export", "--format", "md", "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let md = std::fs::read_to_string(out).unwrap();
    assert!(md.starts_with("# Prompt History\n"));
    assert_eq!(md.matches("\n## ").count(), 7);
}

#[test]
fn report_is_one_self_contained_page() {
    let project = project();
    let target = project.path().join("site/history.html");
    let output = project.history(&["report", "--html", target.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(&target).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(external), "the page loads `{external}`");
    }
    assert!(html.contains("verify: clean"));
    for feature in ["003-k8s-deployment", "004-helm", "general"] {
        assert!(html.contains(&format!("<h2>{feature} ")), "{feature}");
    }
    assert_eq!(html.matches("<li class=\"").count(), 7);
    assert!(html.contains("lint: 1 error(s)") && html.contains("lint: clean"));
    assert!(
        html.contains("docker&#x2f;backend.Dockerfile")
            || html.contains("docker/backend.Dockerfile")
    );
    assert!(html.contains("class=\"badge failed\">failed<"));

    // Tampering shows up in the report.
    let victim = project
        .trail()
        .join("004-helm/0001-helm-chart-layout.plan.prompt.md");
    let text = std::fs::read_to_string(&victim)
        .unwrap()
        .replace("laid out", "laid OUT");
    std::fs::write(&victim, text).unwrap();
    let output = project.history(&["report", "--html", target.to_str().unwrap()]);
    assert!(output.status.success());
    let html = std::fs::read_to_string(&target).unwrap();
    assert!(html.contains("verify: 1 error(s)"), "{}", &html[..2000]);
    assert!(html.contains("edited: content does not match its hash"));
}

#[test]
fn an_empty_or_missing_trail_is_not_an_error() {
    let project = Project::new();
    let list = project.history(&["list"]);
    assert!(list.status.success());
    assert!(stdout(&list).is_empty());
    let (code, report) = project.verify_json();
    assert_eq!(code, 0);
    assert_eq!(report["records"], 0);
    let stats = json(&project.history(&["stats", "--format", "json"]));
    assert_eq!(stats["records"], 0);
}
