//! Settings through the binary: a provider name is checked before anything runs, wherever it is
//! given (`--provider` before or after the command, `AIGEN_PROVIDER`, `aigen.toml`), `ask --tool`
//! takes every provider but the builtin one, completions list the providers, and a configured
//! constitution file that is missing is the same error for every command that reads it.

use crate::support::command::Run;
use crate::support::example::Project;
use crate::support::files::list_dir;

const PROVIDERS: &str = "builtin, openai, kubectl-ai, gordon, kagent, command";

/// Nothing of a run is left in the project: no record, nothing staged.
#[track_caller]
fn nothing_ran(project: &Project) {
    assert!(list_dir(&project.path("history/prompts")).is_empty());
    assert!(!project.path("generated/index.json").exists());
}

#[test]
fn an_unknown_provider_fails_before_anything_runs_and_lists_the_providers() {
    let project = Project::todo_app();
    for args in [
        &["--provider", "nope", "generate"][..],
        &["generate", "--provider", "nope"],
        &["dockerfile", "--all", "--provider", "nope"],
    ] {
        let run = project.run(args).expect(2);
        assert!(
            run.stderr
                .contains("invalid value 'nope' for '--provider <NAME>'"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("[possible values: {PROVIDERS}]")),
            "{args:?}: {}",
            run.stderr
        );
        nothing_ran(&project);
    }

    let mut command = project.aigen();
    command.env("AIGEN_PROVIDER", "nope").arg("generate");
    let run = Run::of(&mut command).expect(2);
    assert!(
        run.stderr
            .contains("AIGEN_PROVIDER: unknown provider `nope`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(PROVIDERS), "{}", run.stderr);
    nothing_ran(&project);

    project.write("aigen.toml", "provider = \"nope\"\n");
    let run = project.run(&["generate"]).expect(2);
    assert!(
        run.stderr.contains("aigen.toml:1:12")
            && run.stderr.contains("unknown provider `nope`")
            && run.stderr.contains(PROVIDERS),
        "{}",
        run.stderr
    );
    nothing_ran(&project);
}

#[test]
fn provider_aliases_and_the_global_flag_choose_the_provider() {
    let project = Project::todo_app();
    let provider_of = |args: &[&str]| -> String {
        let mut all = args.to_vec();
        all.extend(["--dry-run", "--format", "json"]);
        let report = project.run(&all).expect(0).json();
        report["jobs"][0]["provider"].as_str().unwrap().to_string()
    };
    assert_eq!(
        provider_of(&["helm", "--provider", "kubectl_ai"]),
        "kubectl-ai"
    );
    assert_eq!(provider_of(&["--provider", "docker-ai", "helm"]), "gordon");
    // The command's own flag is nearer than the global one.
    assert_eq!(
        provider_of(&["--provider", "gordon", "helm", "--provider", "kagent"]),
        "kagent"
    );
    nothing_ran(&project);
}

#[test]
fn ask_takes_every_provider_but_builtin() {
    let project = Project::todo_app();
    let run = project
        .run(&["ask", "--tool", "builtin", "scale the backend"])
        .expect(2);
    assert!(
        run.stderr
            .contains("invalid value 'builtin' for '--tool <TOOL>'")
            && run
                .stderr
                .contains("[possible values: openai, kubectl-ai, gordon, kagent, command]"),
        "{}",
        run.stderr
    );
    nothing_ran(&project);
    let dry = project
        .run(&[
            "ask",
            "--tool",
            "kubectl_ai",
            "--dry-run",
            "--format",
            "json",
            "hi",
        ])
        .expect(0)
        .json();
    assert_eq!(dry["tool"], "kubectl-ai");
}

#[test]
fn completions_list_the_providers() {
    let project = Project::todo_app();
    let script = project.run(&["completions", "bash"]).expect(0).stdout;
    assert!(
        script.contains("builtin openai kubectl-ai gordon kagent command"),
        "{script}"
    );
    assert!(script.contains("openai kubectl-ai gordon kagent command"));
}

#[test]
fn a_configured_constitution_that_is_missing_is_the_same_error_everywhere() {
    let project = Project::todo_app();
    project.write("aigen.toml", "policy = \"policies/gone.yaml\"\n");
    let gone = project.path("policies/gone.yaml");
    let message = format!("constitution `{}` does not exist", gone.display());
    for args in [
        &["lint"][..],
        &["dockerfile", "--all"],
        &["generate", "--dry-run"],
        &["check"],
        &["apply", "--yes"],
    ] {
        let run = project.run(args).expect(2);
        assert!(
            run.stderr.contains(&message)
                && run.stderr.contains("it is named by `policy` in aigen.toml"),
            "{args:?}: {}",
            run.stderr
        );
    }
    nothing_ran(&project);

    // Named by the environment: the same error, saying so.
    let mut command = project.aigen();
    command
        .env("AIGEN_POLICY", "elsewhere.yaml")
        .args(["manifest", "--all"]);
    let run = Run::of(&mut command).expect(2);
    assert!(
        run.stderr.contains("elsewhere.yaml` does not exist")
            && run.stderr.contains("`AIGEN_POLICY`"),
        "{}",
        run.stderr
    );

    // Nobody names one and the default file is absent: the embedded preset, as before.
    std::fs::remove_file(project.path("aigen.toml")).unwrap();
    let _ = std::fs::remove_file(project.path("policies/constitution.yaml"));
    project.run(&["generate", "--dry-run"]).expect(0);
}
