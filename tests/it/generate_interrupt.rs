//! Ctrl-C during generation: a real SIGINT to the running binary while a model is half-way
//! through its answer stops the request cleanly, records the exchange as `interrupted` with the
//! text that had arrived, stages nothing, and exits 3.

use std::process::Stdio;
use std::time::Duration;

use crate::support::example::{KEY, Project};
use crate::support::provider::{Reply, Scripted, half_a_dockerfile};

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_mid_answer_records_an_interrupted_exchange_and_stages_nothing() {
    let project = Project::todo_app();
    let server = Scripted::start(vec![Reply::Stall(half_a_dockerfile())]).await;

    let mut command = project.openai_backend_dockerfile(&server.url);
    command
        .args(["--model", "test-model"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("aigen starts");
    let pid = i32::try_from(child.id()).expect("pid fits");

    // The model has sent part of its answer and says nothing more: now the user presses Ctrl-C.
    tokio::time::timeout(Duration::from_secs(30), server.stalled.notified())
        .await
        .expect("the request reaches the server");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // SAFETY: `pid` is our own child, still running (it waits for the stalled stream).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);

    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .expect("aigen exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    assert!(!stderr.contains(KEY));

    let records = project.records();
    assert_eq!(records.len(), 1, "one record for the one exchange");
    let record = &records[0].record;
    let meta = record.aigen.as_ref().unwrap();
    assert_eq!(meta.outcome.status(), "interrupted");
    assert!(
        record
            .response
            .as_deref()
            .unwrap()
            .contains("FROM python:3.13-slim AS build"),
        "the partial answer is kept: {:?}",
        record.response
    );
    assert!(project.staged().is_empty(), "nothing is staged");
    project.run(&["history", "verify"]).expect(0);
}
