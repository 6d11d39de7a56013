//! `aigen ask` through the binary with stand-ins for the AI DevOps tools (the scripts in
//! `tests/fixtures/tools`) on a temporary PATH: the answer printed and recorded, kagent's
//! failure with exit status 0, a tool that is not installed, and `--dry-run`.

use crate::support::command::Run;
use crate::support::example::{KEY, Project};
use crate::support::provider::Tools;

/// `aigen ask` with the stand-ins first on PATH, behaving as `mode` says.
fn ask(project: &Project, tools: &Tools, mode: &str, args: &[&str]) -> Run {
    let path = format!(
        "{}:{}",
        tools.bin().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = project.aigen();
    command
        .arg("ask")
        .args(args)
        .env("PATH", path)
        .env("FAKE_TOOL_MODE", mode)
        .env("FAKE_TOOL_ARGV", tools.file("argv"));
    Run::of(&mut command)
}

#[test]
fn a_kubectl_ai_answer_is_printed_and_recorded_with_the_prompt_verbatim() {
    let project = Project::todo_app();
    let tools = Tools::install();
    let prompt = "Write a Deployment for the backend with 2 replicas";
    let run = ask(
        &project,
        &tools,
        "answer",
        &["--tool", "kubectl-ai", prompt],
    )
    .expect(0);

    assert!(
        run.stdout
            .contains("Here is a Deployment for the backend (model gemini-2.5-pro):"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("kind: Deployment"));
    assert!(
        run.stderr.contains("recorded as general/0001"),
        "{}",
        run.stderr
    );
    // Run non-interactively, never allowed to change the cluster on its own.
    let argv = tools.argv();
    assert!(argv.contains(&"--quiet".to_string()), "{argv:?}");
    // ...and never leaving a trace of the exchange (with the model's API key) in /tmp.
    assert!(argv.contains(&"--trace-path=".to_string()), "{argv:?}");
    assert!(!argv.iter().any(|a| a == "--skip-permissions"), "{argv:?}");
    assert!(argv.iter().any(|a| a.contains(prompt)), "{argv:?}");

    let records = project.records();
    assert_eq!(records.len(), 1);
    let record = &records[0].record;
    assert_eq!(record.prompt.as_deref(), Some(prompt));
    assert!(
        record
            .response
            .as_deref()
            .unwrap()
            .contains("kind: Deployment")
    );
    assert_eq!(record.command, "aigen ask");
    assert!(record.labels.contains(&"kubectl-ai".to_string()));
    let meta = record.aigen.as_ref().unwrap();
    assert_eq!(meta.outcome.status(), "ok");
    assert_eq!(meta.tool.as_deref(), Some("kubectl-ai"));
    project.run(&["history", "verify"]).expect(0);
}

#[test]
fn kagent_reporting_failure_with_exit_status_0_exits_3_with_a_failed_record() {
    let project = Project::todo_app();
    let tools = Tools::install();
    let run = ask(
        &project,
        &tools,
        "error-exit-0",
        &["--tool", "kagent", "Why is the backend pod restarting?"],
    )
    .expect(3);
    assert!(
        run.stderr
            .contains("failed to establish connection to kagent-controller"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.trim().is_empty(), "{}", run.stdout);

    let records = project.records();
    assert_eq!(records.len(), 1);
    let meta = records[0].record.aigen.as_ref().unwrap();
    assert_eq!(meta.outcome.status(), "failed");
    assert!(
        meta.outcome.reason().unwrap().contains("kagent"),
        "{:?}",
        meta.outcome
    );
    assert_eq!(
        records[0].record.prompt.as_deref(),
        Some("Why is the backend pod restarting?")
    );
}

#[test]
fn a_tool_that_is_not_installed_exits_3_with_an_install_hint() {
    let project = Project::todo_app();
    let empty = tempfile::tempdir().unwrap();
    let mut command = project.aigen();
    command
        .args(["ask", "--tool", "kubectl-ai", "List the pods"])
        .env("PATH", empty.path());
    let run = Run::of(&mut command).expect(3);
    assert!(
        run.stderr.contains("`kubectl-ai` was not found on PATH"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("kubectl krew install ai"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--provider builtin"), "{}", run.stderr);
    let records = project.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].record.aigen.as_ref().unwrap().outcome.status(),
        "failed"
    );
}

#[test]
fn dry_run_runs_nothing_and_records_nothing() {
    let project = Project::todo_app();
    let tools = Tools::install();
    let before = project.tree();
    for tool in ["kubectl-ai", "kagent", "gordon"] {
        let run = ask(
            &project,
            &tools,
            "answer",
            &["--tool", tool, "--dry-run", "Scale the web front end to 3"],
        )
        .expect(0);
        assert!(run.stdout.contains("dry run: would run"), "{}", run.stdout);
        assert!(run.stdout.contains("Scale the web front end to 3"));
    }
    assert!(
        !tools.file("argv").exists(),
        "a stand-in ran: {:?}",
        tools.argv()
    );
    assert_eq!(project.tree(), before);
}

#[test]
fn a_secret_in_the_answer_reaches_neither_the_screen_nor_the_record() {
    let project = Project::todo_app();
    project.answer_with(&format!(
        "Set the key in the Secret:\n\n  OPENAI_API_KEY={KEY}\n\nthen restart.\n"
    ));
    let mut command = project.aigen();
    command
        .args([
            "ask",
            "--tool",
            "command",
            "How do I give the backend its key?",
        ])
        .env("OPENAI_API_KEY", KEY);
    let run = Run::of(&mut command).expect(0);
    assert!(run.stdout.contains("then restart."), "{}", run.stdout);
    assert!(run.stdout.contains("[REDACTED"), "{}", run.stdout);
    crate::support::example::assert_absent(
        KEY,
        &[("stdout", &run.stdout), ("stderr", &run.stderr)],
    );
    std::fs::remove_file(project.scratch().join("answer.md")).unwrap();
    crate::support::example::assert_absent_from_files(&project, KEY);
    assert_eq!(project.records().len(), 1);
}
