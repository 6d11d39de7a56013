//! Where users already run linters: the hooks of `.pre-commit-hooks.yaml`, run by the real
//! `pre-commit` (from PyPI; `.ci/run` installs it) with `pre-commit try-repo` on sample git
//! repositories, and the composite GitHub Action of `action.yml`, whose lint step is run as
//! written against fixtures.
//!
//! The `-system` hooks run the `aigen` this build made (its directory first on PATH). Their
//! `language: rust` twins make pre-commit `cargo install` this repository, minutes of building,
//! so they are not run here; a test holds them to the same entry, files and options as the
//! hooks that are. The action's `github/codeql-action/upload-sarif` step needs GitHub: its input
//! is checked to be the file the lint step wrote, and that file to be a SARIF 2.1.0 log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::builtin::tool;
use crate::support::command::{Run, aigen_command};
use crate::support::files::{copy_committed, repo_path, write_file};

/// The `aigen` binary of this build.
fn aigen_binary() -> PathBuf {
    PathBuf::from(aigen_command().get_program())
}

/// PATH with the directory of this build's `aigen` first.
fn path_with_aigen() -> std::ffi::OsString {
    let bin = aigen_binary();
    let dir = bin.parent().expect("the binary is in a directory");
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(
        std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&inherited)),
    )
    .expect("PATH entries join")
}

/// A YAML file of this repository, as JSON.
fn yaml_file(name: &str) -> Value {
    let text = std::fs::read_to_string(repo_path(name)).expect("the file is committed");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// A git repository in a temporary directory with the Phase IV constitution and `files` copied
/// from this repository's fixtures (`(from, to)`), every file added to the index (what
/// `--all-files` lints).
fn sample_repository(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let preset = std::fs::read_to_string(repo_path("policies/presets/phase-iv.yaml")).unwrap();
    write_file(&dir.path().join("policies/constitution.yaml"), preset);
    for (from, to) in files {
        let from = repo_path(from);
        let to = dir.path().join(to);
        if from.is_dir() {
            copy_committed(&from, &to);
        } else {
            write_file(&to, std::fs::read(&from).unwrap());
        }
    }
    for args in [&["init", "-q"][..], &["add", "-A"]] {
        let status = git(dir.path()).args(args).status().unwrap();
        assert!(status.success(), "git {args:?}");
    }
    dir
}

/// git with no configuration of the machine's or the user's.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// `pre-commit try-repo <this repository> <hook> --all-files` in `sample`, with this build's
/// aigen first on PATH and a home and cache of its own.
fn try_repo(sample: &Path, hook: &str) -> Run {
    let pre_commit = tool(
        "pre-commit",
        "pip install pre-commit (`.ci/run` installs it into .ci/.venv)",
    );
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(pre_commit);
    command
        .current_dir(sample)
        .env_clear()
        .env("PATH", path_with_aigen())
        .env("HOME", home.path())
        .env("PRE_COMMIT_HOME", home.path().join("cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["try-repo", "--color", "never"])
        .arg(repo_path(""))
        .args([hook, "--all-files"]);
    if let Some(tmp) = std::env::var_os("TMPDIR") {
        command.env("TMPDIR", tmp);
    }
    Run::of(&mut command)
}

/// The Phase IV Dockerfiles and manifests as a model first wrote them: findings in both.
const GENERATED: &[(&str, &str)] = &[
    (
        "tests/fixtures/dockerfile/phase-iv/generated/docker",
        "docker",
    ),
    ("tests/fixtures/k8s/phase-iv/generated", "k8s"),
];

/// The Phase IV Dockerfiles and manifests that meet the constitution.
const COMPLIANT: &[(&str, &str)] = &[
    (
        "tests/fixtures/dockerfile/phase-iv/compliant/docker",
        "docker",
    ),
    ("tests/fixtures/k8s/phase-iv/compliant", "k8s"),
];

#[track_caller]
fn assert_names(run: &Run, expected: &[&str]) {
    let all = run.all();
    for needle in expected {
        assert!(all.contains(needle), "`{needle}` is not in:\n{all}");
    }
}

#[test]
fn the_repository_hook_fails_naming_every_finding_and_passes_on_compliant_files() {
    let bad = sample_repository(GENERATED);
    let run = try_repo(bad.path(), "aigen-system").expect(1);
    assert_names(
        &run,
        &[
            "aigen lint (Dockerfiles, Kubernetes manifests, Helm charts)",
            "Failed",
            "error[AG-K001]: `replicas: 1` is below the minimum of 2",
            "--> k8s/backend.yaml:9:3",
            "--> docker/backend.Dockerfile:",
        ],
    );

    let good = sample_repository(COMPLIANT);
    let run = try_repo(good.path(), "aigen-system").expect(0);
    assert_names(&run, &["Passed"]);
    assert!(!run.all().contains("error["), "{}", run.all());
}

#[test]
fn the_dockerfile_hook_lints_the_dockerfiles_only() {
    let bad = sample_repository(GENERATED);
    let run = try_repo(bad.path(), "aigen-dockerfile-system").expect(1);
    assert_names(
        &run,
        &["aigen lint (Dockerfiles)", "--> docker/backend.Dockerfile:"],
    );
    assert!(!run.all().contains("k8s/"), "{}", run.all());

    let good = sample_repository(&[COMPLIANT[0], GENERATED[1]]);
    let run = try_repo(good.path(), "aigen-dockerfile-system").expect(0);
    assert_names(&run, &["Passed"]);
}

#[test]
fn the_helm_hook_lints_the_charts_whose_files_it_is_given() {
    tool(
        "helm",
        "`.ci/go-tools.sh`, then put `$(.ci/go-tools.sh --bin-dir)` on PATH",
    );
    let bad = sample_repository(&[
        ("tests/fixtures/helm/broken", "broken"),
        ("tests/fixtures/k8s/phase-iv/generated", "k8s"),
    ]);
    let run = try_repo(bad.path(), "aigen-helm-system").expect(1);
    assert_names(
        &run,
        &[
            "aigen lint (Helm charts)",
            "--> broken/templates/deployment.yaml:8:3",
            "--> broken/Chart.yaml:2:7",
        ],
    );
    // The manifests outside the chart are not its business.
    assert!(!run.all().contains("k8s/"), "{}", run.all());

    let good = sample_repository(&[("tests/fixtures/helm/todo-app", "todo-app")]);
    let run = try_repo(good.path(), "aigen-helm-system").expect(0);
    assert_names(&run, &["Passed"]);
}

#[test]
fn each_rust_hook_runs_what_its_system_twin_runs() {
    let hooks = yaml_file(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let by_id: BTreeMap<&str, &Value> = hooks
        .iter()
        .map(|hook| (hook["id"].as_str().expect("every hook has an id"), hook))
        .collect();
    assert_eq!(by_id.len(), hooks.len(), "hook ids are unique");
    let mut pairs = 0;
    for (id, hook) in &by_id {
        let Some(twin) = id.strip_suffix("-system") else {
            assert_eq!(hook["language"], "rust", "{id}");
            continue;
        };
        assert_eq!(hook["language"], "system", "{id}");
        let rust = by_id
            .get(twin)
            .unwrap_or_else(|| panic!("{id} has no rust twin `{twin}`"));
        for key in [
            "name",
            "entry",
            "files",
            "exclude",
            "pass_filenames",
            "require_serial",
            "args",
        ] {
            assert_eq!(hook[key], rust[key], "`{key}` of {id} and {twin}");
        }
        assert_eq!(hook["entry"], "aigen lint", "{id}");
        pairs += 1;
    }
    assert_eq!(pairs, 3, "Dockerfiles, the repository and Helm charts");
    // pre-commit itself reads the file as a valid manifest of hooks (try-repo above runs
    // three of them); cargo builds the rust ones from the root, where Cargo.toml is.
    assert!(repo_path("Cargo.toml").is_file());
}

/// The action's steps by name.
fn action_steps(action: &Value) -> BTreeMap<String, Value> {
    action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            (
                step["name"]
                    .as_str()
                    .expect("every step is named")
                    .to_string(),
                step.clone(),
            )
        })
        .collect()
}

/// Runs the action's lint step as GitHub runs a `shell: bash` step, in `dir`, with its `env:`
/// given the inputs (defaults over `inputs`); returns the run and the step's outputs.
fn run_lint_step(
    action: &Value,
    dir: &Path,
    inputs: &[(&str, &str)],
) -> (Run, BTreeMap<String, String>) {
    let step = &action_steps(action)["Lint"];
    assert_eq!(step["shell"], "bash");
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, input)| {
            let default = input["default"].as_str().unwrap_or_default();
            (name.clone(), default.to_string())
        })
        .collect();
    for (name, value) in inputs {
        assert!(
            values.contains_key(*name),
            "the action has no input `{name}`"
        );
        values.insert((*name).to_string(), (*value).to_string());
    }
    let outputs = tempfile::NamedTempFile::new().unwrap();
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(step["run"].as_str().expect("the step runs a script"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path_with_aigen())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("GITHUB_OUTPUT", outputs.path());
    for (name, expression) in step["env"].as_object().expect("the step's env") {
        let expression = expression.as_str().unwrap();
        let input = expression
            .strip_prefix("${{ inputs.")
            .and_then(|rest| rest.strip_suffix(" }}"))
            .unwrap_or_else(|| panic!("`{name}` is not an input: {expression}"));
        command.env(name, &values[input]);
    }
    let run = Run::of(&mut command);
    let written = std::fs::read_to_string(outputs.path()).unwrap();
    let outputs = written
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    (run, outputs)
}

#[test]
fn the_action_documents_its_inputs_and_uploads_what_its_lint_step_writes() {
    let action = yaml_file("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for (name, input) in action["inputs"].as_object().expect("inputs") {
        let description = input["description"].as_str().unwrap_or_default();
        assert!(description.len() > 20, "input `{name}` is not documented");
        assert!(
            input.get("default").is_some(),
            "input `{name}` has no default"
        );
    }
    let steps = action_steps(&action);
    let upload = &steps["Upload to code scanning"];
    assert!(
        upload["uses"]
            .as_str()
            .unwrap()
            .starts_with("github/codeql-action/upload-sarif@"),
        "{upload}"
    );
    assert_eq!(upload["with"]["sarif_file"], "${{ inputs.sarif-file }}");
    let lint = steps["Lint"]["env"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, value)| *value == "${{ inputs.sarif-file }}");
    assert!(lint.is_some(), "the lint step writes the uploaded file");

    // Every flag the steps pass exists: aigen's in `aigen lint --help`, cargo's in
    // `cargo install --help`.
    let help = |program: &Path, args: &[&str]| {
        let output = Command::new(program).args(args).output().unwrap();
        assert!(output.status.success(), "{program:?} {args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let aigen_help = help(&aigen_binary(), &["lint", "--help"]);
    let cargo_help = help(Path::new("cargo"), &["install", "--help"]);
    let flag = regex::Regex::new(r"(^|\s|\()(--[a-z][a-z-]*)").unwrap();
    for (name, help) in [("Lint", &aigen_help), ("Install aigen", &cargo_help)] {
        let script = steps[name]["run"].as_str().unwrap();
        let flags: Vec<&str> = flag
            .captures_iter(script)
            .map(|c| c.get(2).unwrap().as_str())
            .collect();
        assert!(!flags.is_empty(), "{name}");
        for flag in flags {
            assert!(
                help.contains(flag),
                "`{flag}` of step `{name}` is not a flag"
            );
        }
    }
    assert!(aigen_help.contains("sarif"), "{aigen_help}");
}

#[test]
fn the_action_lint_step_writes_a_sarif_2_1_0_log_of_the_findings() {
    let action = yaml_file("action.yml");
    let dir = sample_repository(GENERATED);
    let (run, outputs) = run_lint_step(&action, dir.path(), &[("paths", "docker k8s")]);
    assert_eq!(run.code, 0, "the step itself succeeds: {}", run.all());
    assert_eq!(outputs["exit-code"], "1", "findings at the threshold");
    let text = std::fs::read_to_string(dir.path().join("aigen.sarif")).unwrap();
    let log: serde_sarif::sarif::Sarif =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not SARIF 2.1.0 ({e}):\n{text}"));
    let log = serde_json::to_value(&log).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let located: Vec<String> = results
        .iter()
        .map(|result| {
            let location = &result["locations"][0]["physicalLocation"];
            format!(
                "{}:{} {}",
                location["artifactLocation"]["uri"].as_str().unwrap(),
                location["region"]["startLine"],
                result["ruleId"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        located.iter().any(|l| l == "k8s/backend.yaml:9 AG-K001"),
        "{located:?}"
    );
    assert!(
        located
            .iter()
            .any(|l| l.starts_with("docker/backend.Dockerfile:")),
        "{located:?}"
    );

    // Only warnings and above at `warning`; compliant files leave a log with no result.
    let good = sample_repository(&[("tests/fixtures/k8s/phase-iv/compliant", "k8s")]);
    let (run, outputs) = run_lint_step(
        &action,
        good.path(),
        &[
            ("paths", "k8s"),
            ("severity-threshold", "warning"),
            ("sarif-file", "out.sarif"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(outputs["exit-code"], "0");
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(good.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));

    // An input aigen cannot read fails the step itself.
    let (run, outputs) = run_lint_step(&action, good.path(), &[("paths", "k8s missing.yaml")]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(outputs["exit-code"], "2");
    assert!(
        run.stdout.contains("::error::aigen lint could not lint"),
        "{}",
        run.all()
    );
}
