//! Generation with the `openai` provider through the binary, against OpenAI-compatible servers on
//! loopback (wiremock streaming SSE, and a scripted TCP server for a stream cut mid-way): the
//! lint-guided fix round, unusable answers, file names outside the targets, a rate limit, and the
//! API key kept out of everything a run leaves.

use std::os::unix::fs::MetadataExt;

use crate::support::command::Run;
use crate::support::example::{GENERAL, KEY, Project, assert_absent, assert_absent_from_files};
use crate::support::provider::{
    Reply, Scripted, answering, answering_once_then, event_stream, half_a_dockerfile, sse, v1,
};
use aigen::generate::pipeline::SYSTEM;
use aigen::phr::{Outcome, Relation};
use aigen::provider::builtin::GeneratedFile;
use aigen::provider::builtin::render_answer;
use serde_json::Value;
use wiremock::{MockServer, ResponseTemplate};

const DOCKERFILE: &str = "docker/backend.Dockerfile";
const DOCKERIGNORE: &str = "docker/backend.Dockerfile.dockerignore";

/// `aigen dockerfile backend` with the openai provider at `base_url` and the API key set.
fn generate(project: &Project, base_url: &str) -> Run {
    let mut command = project.openai_backend_dockerfile(base_url);
    command.args(["--model", "test-model", "--format", "json"]);
    Run::of(&mut command)
}

/// An SSE response carrying `answer` in a few pieces.
fn streamed(answer: &str) -> ResponseTemplate {
    event_stream(sse(&split_in_three(answer)))
}

fn split_in_three(text: &str) -> Vec<&str> {
    let mut cuts = vec![0, text.len() / 3, 2 * text.len() / 3, text.len()];
    for cut in &mut cuts {
        while !text.is_char_boundary(*cut) {
            *cut += 1;
        }
    }
    cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect()
}

/// The builtin generator's Dockerfile and .dockerignore for the backend, as a model would
/// answer them: one titled block each.
fn clean_answer(project: &Project) -> String {
    let files: Vec<GeneratedFile> = [DOCKERFILE, DOCKERIGNORE]
        .iter()
        .map(|p| GeneratedFile::new(*p, project.builtin_file(p)))
        .collect();
    render_answer(&files)
}

/// A first attempt that breaks the constitution: `latest` base image, one stage, no USER, no
/// HEALTHCHECK, and the API key baked into the image.
fn bad_answer() -> String {
    format!(
        "Here is a Dockerfile for the backend:\n\n```dockerfile title={DOCKERFILE}\n\
         FROM python:latest\nWORKDIR /app\nENV OPENAI_API_KEY={KEY}\nCOPY backend/ .\n\
         RUN pip install --no-cache-dir -r requirements.txt\n\
         CMD [\"uvicorn\", \"src.api.main:app\", \"--host\", \"0.0.0.0\"]\n```\n"
    )
}

/// The user message of each chat request the server received.
async fn prompts_sent(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .collect()
}

/// Nothing staged, and no target written.
fn assert_nothing_staged(project: &Project) {
    assert!(project.staged().is_empty(), "{:?}", project.staged());
    assert!(!project.path("docker").exists());
}

/// The key in no output and no file.
fn assert_key_kept_out(project: &Project, run: &Run) {
    assert_absent(KEY, &[("stdout", &run.stdout), ("stderr", &run.stderr)]);
    assert_absent_from_files(project, KEY);
}

#[tokio::test(flavor = "multi_thread")]
async fn error_findings_go_back_as_a_fix_prompt_and_the_fixed_answer_is_staged_clean() {
    let project = Project::todo_app();
    let server =
        answering_once_then(streamed(&bad_answer()), streamed(&clean_answer(&project))).await;

    let run = generate(&project, &v1(&server)).expect(0);
    let report = run.json();
    let job = &report["jobs"][0];
    assert_eq!(report["provider"], "openai");
    assert_eq!(job["status"], "clean");
    assert_eq!(job["rounds"], 2);

    // Two exchanges, two records; the second fixes the first.
    let requests = prompts_sent(&server).await;
    assert_eq!(requests.len(), 2);
    let records = project.records();
    assert_eq!(records.len(), 2);
    assert_eq!(project.general_records().len(), 2);
    let (first, second) = (&records[0], &records[1]);
    let (first_meta, second_meta) = (
        first.record.aigen.as_ref().unwrap(),
        second.record.aigen.as_ref().unwrap(),
    );
    assert_eq!(first_meta.round, Some(1));
    assert!(first_meta.lint.unwrap().errors > 0);
    assert_eq!(second_meta.round, Some(2));
    assert!(second_meta.lint.unwrap().is_clean());
    let link = second_meta.reference.as_ref().unwrap();
    assert_eq!(link.relation, Relation::Fixes);
    assert_eq!(link.record, first.reference());
    assert_eq!(second_meta.template.as_ref().unwrap().name, "fix.md");
    for (record, request) in records.iter().zip(&requests) {
        assert_eq!(record.record.model, "test-model-2026-01-01");
        assert_eq!(request["model"], "test-model");
        assert_eq!(request["messages"][0]["content"], SYSTEM);
        // The prompt as sent is the prompt as recorded, verbatim.
        assert_eq!(
            request["messages"][1]["content"].as_str(),
            record.record.prompt.as_deref()
        );
        let tokens = record.record.aigen.as_ref().unwrap().tokens.unwrap();
        assert_eq!((tokens.prompt, tokens.completion), (42, 7));
    }

    // The fix prompt names the findings of round 1 and carries the file as it was written.
    let fix_prompt = requests[1]["messages"][1]["content"].as_str().unwrap();
    for code in ["AG-D001", "AG-D003", "AG-D004", "AG-D006"] {
        assert!(fix_prompt.contains(code), "{code} is not in the fix prompt");
        assert!(
            first.record.tests.iter().any(|t| t.contains(code)),
            "{code} is not in the first record's tests: {:?}",
            first.record.tests
        );
    }
    assert!(fix_prompt.contains("FROM python:latest"));

    // The fixed files are staged, clean, from the second record; nothing else is written.
    let staged = project.staged();
    assert_eq!(staged.len(), 2);
    for entry in &staged {
        assert!(entry.lint.is_clean(), "{}: {:?}", entry.target, entry.lint);
        assert_eq!(entry.record.as_deref(), Some(second.reference().as_str()));
        assert_eq!(entry.provider, "openai");
    }
    assert_eq!(
        project.staged_text(DOCKERFILE),
        project.builtin_file(DOCKERFILE)
    );
    assert!(!project.path("docker").exists());

    // The key the model echoed is in no record, no staged file, no output, no later prompt.
    assert_key_kept_out(&project, &run);
    assert!(!fix_prompt.contains(KEY));
    assert!(
        first
            .record
            .response
            .as_deref()
            .unwrap()
            .contains("[REDACTED")
    );
    project.run(&["history", "verify"]).expect(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_without_a_code_block_exits_3_with_a_failed_record_and_nothing_staged() {
    let project = Project::todo_app();
    let answer = "I would rather not write a Dockerfile today; try a smaller base image.";
    let server = answering(streamed(answer)).await;

    let run = generate(&project, &v1(&server)).expect(3);
    assert!(run.stderr.contains("no usable file"), "{}", run.stderr);
    let records = project.records();
    assert_eq!(records.len(), 1);
    let meta = records[0].record.aigen.as_ref().unwrap();
    assert_eq!(meta.outcome.status(), "failed");
    assert!(meta.outcome.reason().unwrap().contains("no usable file"));
    assert_eq!(
        records[0].record.response.as_deref().map(str::trim),
        Some(answer)
    );
    assert_nothing_staged(&project);
    assert_key_kept_out(&project, &run);
}

#[tokio::test(flavor = "multi_thread")]
async fn files_named_outside_the_targets_are_refused_and_nothing_is_written_outside() {
    let project = Project::todo_app();
    let passwd = std::fs::read("/etc/passwd").unwrap_or_default();
    let passwd_inode = std::fs::metadata("/etc/passwd").map(|m| m.ino()).ok();
    // The absolute name carries the file's own bytes, so even a broken build could not damage
    // the system it runs on; the inode shows whether anything replaced it.
    let absolute = format!(
        "```text title=/etc/passwd\n{}```\n\n{}",
        String::from_utf8_lossy(&passwd),
        clean_answer(&project)
    );
    let parent = format!(
        "{}\n```text title=../../etc/passwd\nroot::0:0:root:/root:/bin/sh\n```\n",
        clean_answer(&project)
    );
    let server = answering_once_then(streamed(&parent), streamed(&absolute)).await;
    let before = project.tree();

    let url = v1(&server);
    let first = generate(&project, &url).expect(3);
    assert!(
        first.stderr.contains("refusing `../../etc/passwd`"),
        "{}",
        first.stderr
    );
    let second = generate(&project, &url).expect(3);
    assert!(
        second.stderr.contains("refusing `/etc/passwd`"),
        "{}",
        second.stderr
    );

    // Only the two records were added; the valid blocks of the same answers were not staged.
    let after = project.tree();
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(
        added
            .iter()
            .all(|p| p.starts_with("work/todo-app/history/")),
        "{added:?}"
    );
    assert!(!after.keys().any(|p| p.contains("passwd")), "{added:?}");
    assert_nothing_staged(&project);
    for entry in project.records() {
        let meta = entry.record.aigen.as_ref().unwrap();
        assert_eq!(meta.outcome.status(), "failed");
        assert!(meta.outcome.reason().unwrap().contains("refusing"));
    }
    assert_eq!(std::fs::read("/etc/passwd").unwrap_or_default(), passwd);
    assert_eq!(
        std::fs::metadata("/etc/passwd").map(|m| m.ino()).ok(),
        passwd_inode
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_with_retry_after_is_waited_out_and_the_exchange_recorded_once() {
    let project = Project::todo_app();
    let server = answering_once_then(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(serde_json::json!({
                "error": {"message": "Rate limit reached", "type": "requests",
                          "param": null, "code": "rate_limit_exceeded"}
            })),
        streamed(&clean_answer(&project)),
    )
    .await;

    let run = generate(&project, &v1(&server)).expect(0);
    assert_eq!(run.json()["jobs"][0]["status"], "clean");
    assert_eq!(prompts_sent(&server).await.len(), 2);
    let records = project.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].record.aigen.as_ref().unwrap().outcome,
        Outcome::Ok
    );
    assert_eq!(project.staged().len(), 2);
    assert_key_kept_out(&project, &run);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_cut_mid_way_leaves_a_failed_record_with_the_partial_text() {
    let project = Project::todo_app();
    let server = Scripted::start(vec![Reply::Cut(half_a_dockerfile())]).await;

    let run = generate(&project, &server.url).expect(3);
    let records = project.records();
    assert_eq!(records.len(), 1);
    let record = &records[0].record;
    assert_eq!(record.aigen.as_ref().unwrap().outcome.status(), "failed");
    let response = record.response.as_deref().unwrap();
    assert!(
        response.contains("FROM python:3.13-slim AS build"),
        "the partial answer is kept: {response}"
    );
    assert_nothing_staged(&project);
    assert_key_kept_out(&project, &run);
    assert!(project.path(GENERAL).is_dir());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_that_repeats_its_answer_is_not_asked_again_and_the_findings_are_named() {
    let project = Project::todo_app();
    let server = answering(streamed(&bad_answer())).await;

    let mut command = project.openai_backend_dockerfile(&v1(&server));
    let run = Run::of(&mut command).expect(1);
    // Round 2 gave round 1's files again: a third round would only repeat them.
    assert_eq!(prompts_sent(&server).await.len(), 2);
    assert_eq!(project.records().len(), 2);
    assert!(
        run.stderr.contains("same files as round 1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("findings left after 2 rounds"),
        "{}",
        run.stderr
    );
    // Each finding left is shown with its severity and what it means.
    assert!(
        run.stderr
            .contains("docker/backend.Dockerfile:1:1 AG-D004 error: the final stage runs as root"),
        "{}",
        run.stderr
    );
    let staged = project.staged();
    assert_eq!(staged.len(), 1);
    assert!(staged[0].lint.errors > 0);
    assert_key_kept_out(&project, &run);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_sends_the_file_and_its_findings_and_stages_the_correction() {
    let project = Project::todo_app();
    let hand_written =
        "FROM python:latest\nCOPY backend/ /app\nCMD [\"python\", \"-m\", \"api\"]\n";
    project.write(DOCKERFILE, hand_written);
    // The model adds the missing .dockerignore where the finding says it is looked for.
    let answer = render_answer(&[
        GeneratedFile::new(DOCKERFILE, project.builtin_file(DOCKERFILE)),
        GeneratedFile::new("docker/.dockerignore", project.builtin_file(DOCKERIGNORE)),
    ]);
    let server = answering(streamed(&format!(
        "Problems: root user, latest tag.\n\n{answer}"
    )))
    .await;

    let mut command = project.aigen();
    command
        .args([
            "dockerfile",
            "--review",
            DOCKERFILE,
            "--provider",
            "openai",
            "--base-url",
        ])
        .arg(v1(&server))
        .env("OPENAI_API_KEY", KEY);
    let run = Run::of(&mut command).expect(0);

    let requests = prompts_sent(&server).await;
    assert_eq!(requests.len(), 1);
    let prompt = requests[0]["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.contains("FROM python:latest"), "{prompt}");
    for code in ["AG-D003", "AG-D004", "AG-D022"] {
        assert!(prompt.contains(code), "{code} is not in the review prompt");
    }
    let mut targets: Vec<String> = project.staged().into_iter().map(|e| e.target).collect();
    targets.sort();
    assert_eq!(targets, ["docker/.dockerignore", DOCKERFILE]);
    assert!(project.staged().iter().all(|e| e.lint.is_clean()));
    assert_eq!(
        project.read(DOCKERFILE),
        hand_written,
        "nothing is written before apply"
    );
    let records = project.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].record.prompt.as_deref(), Some(prompt));
    assert_key_kept_out(&project, &run);
}
