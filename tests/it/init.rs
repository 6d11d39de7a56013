//! `aigen init` end to end, on a copy of the Todo example: the files it writes, a second run that
//! changes nothing, `--force`, and an existing `aigen.toml` that is kept or refused.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::support::command::{Run, run_in};
use crate::support::files::copy_committed;
use tempfile::TempDir;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the Todo example, in a directory named `todo-app`, without the constitution the
/// example carries (the Phase IV preset): what a project that never ran `init` looks like.
fn todo_app() -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("todo-app");
    copy_committed(&repo().join("examples/todo-app"), &dir);
    fs::remove_dir_all(dir.join("policies")).unwrap();
    (temp, dir)
}

/// What `init --dry-run` prints: the constitution `init` would derive.
fn derived(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--dry-run"];
    all.extend(args);
    let run = init(dir, &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// `aigen init` in `dir` with `args`.
fn init(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["init"];
    all.extend(args);
    run_in(dir, &all)
}

/// Every file under `dir` with its bytes and modification time, and every directory.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<(Vec<u8>, SystemTime)>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let relative = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                found.insert(relative, None);
                stack.push(entry.path());
            } else {
                let modified = entry.metadata().unwrap().modified().unwrap();
                found.insert(relative, Some((fs::read(entry.path()).unwrap(), modified)));
            }
        }
    }
    found
}

fn read(dir: &Path, relative: &str) -> String {
    fs::read_to_string(dir.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The shipped prompt templates, by file name.
fn shipped_prompts() -> BTreeMap<String, String> {
    texts_in(&repo().join("prompts"))
}

/// The text of every file in `dir`, by file name.
fn texts_in(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn init_writes_the_config_the_constitution_the_prompts_and_the_directories() {
    let (_temp, dir) = todo_app();
    let dry_run = derived(&dir, &[]);
    let run = init(&dir, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let config: toml::Table = toml::from_str(&read(&dir, "aigen.toml")).unwrap();
    assert_eq!(config["name"].as_str(), Some("todo-app"));
    let services: Vec<(String, String, String, i64)> = config["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["path"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
                s["port"].as_integer().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("backend", "backend", "backend", 8000),
            ("frontend-chatbot", "frontend-chatbot", "frontend", 3001),
            ("frontend-web", "frontend-web", "frontend", 3000),
        ]
        .map(|(n, p, k, port)| (n.to_string(), p.to_string(), k.to_string(), port))
    );

    // The constitution is derived from the detected services, each value with its source.
    let constitution = read(&dir, "policies/constitution.yaml");
    assert_eq!(constitution, dry_run);
    for line in [
        "  backend:                              # in backend/",
        "    health_path: /health                # from backend/src/api/main.py:",
        "    readiness_path: /ready              # from backend/src/api/main.py:",
    ] {
        assert!(
            constitution.contains(line),
            "missing `{line}` in:\n{constitution}"
        );
    }
    // No cluster budget: the cluster's size cannot be detected (the file says how to set one).
    assert!(
        !constitution.lines().any(|l| l.starts_with("cluster:")),
        "{constitution}"
    );
    aigen::policy::Constitution::parse(&constitution, Path::new("c.yaml")).unwrap();
    assert_eq!(texts_in(&dir.join("prompts")), shipped_prompts());
    assert!(dir.join("history/prompts").is_dir());
    assert_eq!(
        read(&dir, "generated/.gitignore"),
        aigen::assets::STAGING_GITIGNORE
    );

    for line in [
        "created aigen.toml",
        "created policies/constitution.yaml",
        "created generated/.gitignore",
        "created prompts/dockerfile.md",
        "created history/prompts/",
        "detected 3 services: backend, frontend-chatbot, frontend-web",
    ] {
        assert!(
            run.stderr.contains(line),
            "missing `{line}` in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn the_written_config_is_what_detect_then_reads() {
    let (_temp, dir) = todo_app();
    assert_eq!(init(&dir, &[]).code, 0);
    let json = run_in(&dir, &["detect", "--format", "json"]).json();
    let chatbot = &json["services"][1];
    assert_eq!(chatbot["name"], "frontend-chatbot");
    // aigen.toml repeats the detected port: the line it was read from stays its source.
    assert_eq!(
        chatbot["port"],
        serde_json::json!({"value": 3001, "source": "frontend-chatbot/package.json:9"})
    );
    assert_eq!(chatbot["framework"]["value"]["major"], 14);
}

#[test]
fn a_second_run_changes_nothing_and_says_so() {
    let (_temp, dir) = todo_app();
    assert_eq!(init(&dir, &[]).code, 0);
    let before = snapshot(&dir);
    let run = init(&dir, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot(&dir), before);
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert!(!run.stderr.contains("created"), "{}", run.stderr);
}

#[test]
fn force_rewrites_the_files() {
    let (_temp, dir) = todo_app();
    assert_eq!(init(&dir, &[]).code, 0);
    fs::write(dir.join("policies/constitution.yaml"), "rules: {}\n").unwrap();
    fs::remove_file(dir.join("prompts/fix.md")).unwrap();
    let config = read(&dir, "aigen.toml");

    let run = init(&dir, &["--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&dir, "policies/constitution.yaml"), derived(&dir, &[]));
    assert_eq!(read(&dir, "prompts/fix.md"), shipped_prompts()["fix.md"]);
    assert_eq!(read(&dir, "aigen.toml"), config);
    assert!(
        run.stderr.contains("overwrote policies/constitution.yaml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("created prompts/fix.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_existing_config_is_kept_and_its_services_used() {
    let (_temp, dir) = todo_app();
    let config = "name = \"todo\"\n\n[[services]]\nname = \"api\"\npath = \"backend\"\n";
    fs::write(dir.join("aigen.toml"), config).unwrap();
    let run = init(&dir, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&dir, "aigen.toml"), config);
    assert!(dir.join("policies/constitution.yaml").is_file());
    assert!(
        run.stderr.contains("detected 1 service: api"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_key_in_an_existing_config_stops_init() {
    let (_temp, dir) = todo_app();
    fs::write(
        dir.join("aigen.toml"),
        "name = \"todo\"\n\n[[services]]\nname = \"api\"\npath = \"backend\"\nprot = 8000\n",
    )
    .unwrap();
    let run = init(&dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("aigen.toml:6:1"), "{}", run.stderr);
    assert!(run.stderr.contains("prot"), "{}", run.stderr);
    assert!(!dir.join("policies").exists());
    assert!(!dir.join("generated").exists());
}

#[test]
fn init_without_services_warns_and_still_sets_up() {
    let temp = tempfile::tempdir().unwrap();
    let run = init(temp.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("no services detected"),
        "{}",
        run.stderr
    );
    let config = read(temp.path(), "aigen.toml");
    assert!(!config.contains("[[services]]"), "{config}");
    assert!(temp.path().join("history/prompts").is_dir());
}

#[test]
fn presets_are_written_as_shipped_and_the_example_keeps_phase_iv() {
    for (preset, text) in [
        ("phase-iv", aigen::assets::PHASE_IV),
        ("baseline", aigen::assets::BASELINE),
    ] {
        let (_temp, dir) = todo_app();
        let run = init(&dir, &["--preset", preset]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(read(&dir, "policies/constitution.yaml"), text, "{preset}");
    }
    assert_eq!(
        read(repo(), "examples/todo-app/policies/constitution.yaml"),
        aigen::assets::PHASE_IV
    );
}

#[test]
fn dry_run_prints_the_derived_constitution_and_writes_nothing() {
    let (_temp, dir) = todo_app();
    let before = snapshot(&dir);
    let text = derived(&dir, &[]);
    assert_eq!(snapshot(&dir), before);
    assert!(
        text.starts_with("# aigen constitution of `todo-app`"),
        "{text}"
    );
    // Images follow each service's language; --family alpine asks for Alpine everywhere.
    assert!(text.contains("build: python:3."), "{text}");
    assert!(text.contains("runtime: node:"), "{text}");
    assert!(!text.contains("alpine"), "{text}");
    let alpine = derived(&dir, &["--family", "alpine"]);
    assert!(alpine.contains("-alpine"), "{alpine}");
}
