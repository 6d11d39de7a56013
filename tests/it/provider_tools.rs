//! The external-tool providers against stand-in executables (`tests/fixtures/tools`) that behave
//! like kubectl-ai, `docker ai`, kagent and a stdin-reading command, put first on a temporary
//! PATH.

use std::time::Duration;

use crate::support::provider::{
    Seen, Tools, complete, complete_with, is_gone, request, streamed, tool_config,
};
use aigen::provider::{
    CancellationToken, Provider, ProviderConfig, ProviderError, ProviderKind, Response, Task,
};

/// Sends `prompt` without a model through a provider built from `config`.
async fn run(
    config: &ProviderConfig,
    prompt: &str,
) -> (Result<Response, ProviderError>, Vec<Seen>) {
    complete(config, &request(prompt, None)).await
}

#[tokio::test]
async fn kubectl_ai_answers_quietly_and_its_rendered_answer_is_markdown_again() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::KubectlAi, "answer", work.path());
    let (result, seen) = complete(
        &config,
        &request("Deployment for backend", Some("openai/gpt-4.1")),
    )
    .await;
    let response = result.unwrap();

    // Printed for a terminal (margin, padding to the width aigen sets, no fences); read back
    // as Markdown with the block fenced again under the heading that names its file.
    assert_eq!(
        response.text,
        "Here is a Deployment for the backend (model gpt-4.1):\n\n### k8s/backend-deployment.yaml\n\n```\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: backend\n```\n"
    );
    assert_eq!(streamed(&seen), response.text);
    assert_eq!(response.model, "openai/gpt-4.1");
    assert_eq!(response.attempts, 1);
    assert_eq!(response.usage, None);
    let argv = tools.argv();
    assert_eq!(
        argv[..6],
        [
            "--quiet",
            "--trace-path=",
            "--llm-provider",
            "openai",
            "--model",
            "gpt-4.1"
        ]
    );
    assert!(argv[6].ends_with("\n\nDeployment for backend"), "{argv:?}");
    assert!(!argv.iter().any(|a| a == "--skip-permissions"));
}

#[tokio::test]
async fn kubectl_ai_steps_show_as_text_without_colours() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::KubectlAi, "read", work.path());
    let (result, _) = run(&config, "which pods run?").await;
    let text = result.unwrap().text;
    assert!(
        text.starts_with("Running: kubectl get pods\n\nHere is a Deployment"),
        "{text:?}"
    );
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.lines().all(|l| l == l.trim_end()), "{text:?}");
}

#[tokio::test]
async fn kubectl_ai_refusing_to_change_the_cluster_is_a_failure_with_its_error() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    for (mode, says) in [
        (
            "mutate",
            "Use --skip-permissions flag to bypass permission checks in RunOnce mode.",
        ),
        ("llm-error", "500 Internal Server Error"),
    ] {
        let config = tools.config(ProviderKind::KubectlAi, mode, work.path());
        let (result, _) = run(&config, "apply it").await;
        let error = result.unwrap_err();
        assert!(
            matches!(error, ProviderError::ToolFailed { .. }),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.contains("`kubectl-ai` exited with status 1"), "{text}");
        assert!(text.contains(says), "{text}");
        // The usage text kubectl-ai prints after every error is left out.
        assert!(
            !text.contains("Usage:") && !text.contains("--quiet"),
            "{text}"
        );
        let cli: aigen::Error = error.into();
        assert_eq!(cli.exit_status() as u8, 3);
        assert!(cli.to_string().starts_with("kubectl-ai: "));
    }
}

#[tokio::test]
async fn a_tool_that_prints_nothing_has_no_answer() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::KubectlAi, "silent", work.path());
    let (result, _) = run(&config, "anything").await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::NoAnswer { .. }), "{error:?}");
    assert!(
        error.to_string().contains("loader.go"),
        "stderr is shown: {error}"
    );
}

#[tokio::test]
async fn gordon_runs_as_docker_ai_in_the_project_root() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("todo-app");
    std::fs::create_dir(&project).unwrap();
    let config = tools.config(ProviderKind::Gordon, "answer", &project);
    let (result, seen) = complete(&config, &request("Dockerfile please", Some("gpt-4o"))).await;
    let response = result.unwrap();
    assert!(
        response.text.starts_with("I looked at todo-app"),
        "{}",
        response.text
    );
    assert!(response.text.contains("USER 10001"));
    assert_eq!(response.model, "gordon");
    let argv = tools.argv();
    assert_eq!(argv[..3], ["ai", "-C", project.to_str().unwrap()]);
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Warning(w) if w.contains("--model gpt-4o` is ignored")))
    );
}

#[tokio::test]
async fn docker_without_gordon_says_how_to_enable_it() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Gordon, "no-ai", work.path());
    let (result, _) = run(&config, "hi").await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::ToolUnavailable { .. }),
        "{error:?}"
    );
    assert!(error.hint().unwrap().contains("enable Docker AI"));
}

#[tokio::test]
async fn kagent_answers_from_the_a2a_task_artifacts() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::Kagent, "task", work.path());
    config.agent = Some("helm-agent".into());
    let (result, seen) = run(&config, "a Service for backend").await;
    let response = result.unwrap();
    assert_eq!(
        response.text,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: backend"
    );
    assert_eq!(
        streamed(&seen),
        response.text,
        "the parsed answer, not the JSON"
    );
    assert_eq!(response.finish_reason.as_deref(), Some("completed"));
    assert_eq!(response.model, "kagent/helm-agent");
    let argv = tools.argv();
    assert_eq!(argv[..4], ["invoke", "-a", "helm-agent", "-t"]);
    assert!(argv[4].ends_with("a Service for backend"));
}

#[tokio::test]
async fn kagent_messages_and_history_answers_are_read() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Kagent, "message", work.path());
    let (result, _) = run(&config, "status?").await;
    assert_eq!(
        result.unwrap().text,
        "The k8s-agent says: all pods are running."
    );

    let config = tools.config(ProviderKind::Kagent, "history", work.path());
    let (result, _) = run(&config, "scale?").await;
    assert_eq!(
        result.unwrap().text,
        "Scaled nothing; replicas are already 2."
    );
}

#[tokio::test]
async fn kagent_failing_with_exit_status_0_is_still_a_failure() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Kagent, "error-exit-0", work.path());
    let (result, _) = run(&config, "anything").await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::NoAnswer { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("printed nothing on stdout"), "{text}");
    assert!(
        text.contains("failed to establish connection to kagent-controller"),
        "the stderr is shown: {text}"
    );
    assert!(error.hint().unwrap().contains("status 0"));
}

#[tokio::test]
async fn kagent_output_that_is_not_a2a_json_is_a_failure() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Kagent, "garbage", work.path());
    let (result, _) = run(&config, "anything").await;
    let error = result.unwrap_err();
    assert!(error.to_string().contains("not A2A JSON"), "{error}");

    let config = tools.config(ProviderKind::Kagent, "failed", work.path());
    let (result, _) = run(&config, "anything").await;
    let error = result.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("ended in state `failed`: model provider returned 401"),
        "{error}"
    );
}

#[tokio::test]
async fn kagent_waiting_for_approval_is_its_own_error() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Kagent, "input-required", work.path());
    let (result, _) = run(&config, "deploy it").await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, ProviderError::InputRequired { task_id: Some(id), .. } if id == "t-3"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("Approve running k8s_apply_manifest")
    );
    assert!(error.hint().unwrap().contains("approve or reject"));
}

#[tokio::test]
async fn a_command_reads_the_prompt_on_stdin() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::Command, "answer", work.path());
    config.command = vec![tools.file("answer-from-stdin").display().to_string()];
    let request = aigen::provider::Request {
        system: "system line".into(),
        prompt: "first\nlast line of the prompt".into(),
        model: Some("llama3.1".into()),
        task: Task::Fix {
            files: vec![],
            findings: vec![],
        },
    };
    let response = complete(&config, &request).await.0.unwrap();
    assert_eq!(
        response.text,
        "task=fix model=llama3.1\nprompt had 4 lines\nlast line of the prompt\n"
    );
    assert_eq!(response.model, "llama3.1");
}

#[tokio::test]
async fn a_failing_command_reports_its_status_and_stderr() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::Command, "fail", work.path());
    config.command = vec!["answer-from-stdin".to_string()];
    let error = complete(&config, &request("p", Some("phi4")))
        .await
        .0
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("exited with status 2"), "{text}");
    assert!(text.contains("model 'phi4' is not installed"), "{text}");
}

#[tokio::test]
async fn a_missing_tool_says_how_to_install_it_and_what_works_instead() {
    let empty = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    for (kind, program, install) in [
        (ProviderKind::KubectlAi, "kubectl-ai", "krew"),
        (ProviderKind::Gordon, "docker", "Docker Desktop"),
        (ProviderKind::Kagent, "kagent", "kagent CLI"),
    ] {
        let mut config = tool_config(kind, work.path());
        config.env = vec![("PATH".into(), empty.path().display().to_string())];
        let (result, _) = run(&config, "hi").await;
        let error = result.unwrap_err();
        assert!(
            matches!(&error, ProviderError::ToolMissing { program: p, .. } if p == program),
            "{error:?}"
        );
        assert!(error.to_string().contains("not found on PATH"));
        let hint = error.hint().unwrap();
        assert!(hint.contains(install), "{hint}");
        assert!(hint.contains("--provider builtin"), "{hint}");
        assert!(hint.contains("--provider openai"), "{hint}");
    }

    let mut config = tool_config(ProviderKind::Command, work.path());
    config.command = vec!["aigen-test-no-such-program".into()];
    let (result, _) = run(&config, "hi").await;
    let error = result.unwrap_err();
    assert!(error.hint().unwrap().contains("[generate]"));
}

#[tokio::test]
async fn a_tool_past_the_timeout_is_killed_with_its_helpers() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::KubectlAi, "hang", work.path());
    config.timeout = Duration::from_millis(500);
    let (result, _) = run(&config, "hang").await;
    let error = result.unwrap_err();
    assert!(matches!(error, ProviderError::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("timed out after 0.5 s"),
        "{error}"
    );
    tools.assert_tool_and_helper_gone().await;
}

#[tokio::test]
async fn an_interrupted_tool_is_stopped_and_reaped() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Kagent, "hang", work.path());
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    let pid_file = tools.file("pid");
    tokio::spawn(async move {
        while !pid_file.with_extension("child").exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stopper.cancel();
    });
    let (result, _) = complete_with(&config, &request("hang", None), &cancel).await;
    let error = result.unwrap_err();
    assert!(error.is_interrupted(), "{error:?}");
    tools.assert_tool_and_helper_gone().await;
}

#[tokio::test]
async fn output_past_the_cap_is_cut_and_said_so() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let mut config = tools.config(ProviderKind::Gordon, "flood", work.path());
    config.output_cap = 64 * 1024;
    let (result, seen) = run(&config, "flood").await;
    let response = result.unwrap();
    assert_eq!(response.text.len(), 64 * 1024);
    assert!(response.is_truncated());
    assert_eq!(streamed(&seen), response.text);
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Warning(w) if w.contains("more than 65536 bytes")))
    );
    let tool = tools.wait_for_pid("pid").await;
    assert!(
        is_gone(tool).await,
        "the flooding tool {tool} is still running"
    );
}

#[tokio::test]
async fn a_prompt_too_long_for_an_argument_is_refused_before_running() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::KubectlAi, "answer", work.path());
    let (result, _) = run(&config, &"x".repeat(200 * 1024)).await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ProviderError::PromptTooLong { .. }),
        "{error:?}"
    );
    assert!(!tools.file("argv").exists(), "the tool never ran");
    assert!(error.hint().unwrap().contains("--provider command"));
}

#[tokio::test]
async fn a_request_dropped_half_way_leaves_nothing_running() {
    let tools = Tools::install();
    let work = tempfile::tempdir().unwrap();
    let config = tools.config(ProviderKind::Gordon, "hang", work.path());
    let provider = Provider::new(&config).unwrap();
    let child_file = tools.file("pid.child");
    let started = async {
        while !child_file.exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let cancel = CancellationToken::new();
    let request = request("hang", None);
    let mut sink = aigen::provider::Discard;
    let running = provider.complete(&request, &mut sink, &cancel);
    tokio::select! {
        _ = running => panic!("the tool should hang"),
        () = started => {}
    }
    tools.assert_tool_and_helper_gone().await;
}
