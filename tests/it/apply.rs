//! `aigen apply` through the binary on a copy of `examples/todo-app` after a real generation:
//! no approval without a terminal or `--yes`, `--dry-run`, byte-for-byte writes, staged files
//! changed after staging, `--force`, `--undo`, and a crash in the middle of a write. The review
//! loop is also driven through the library (`Reviewer` with a `Scripted` approver) for
//! rejection, quitting and editing.

use std::os::unix::process::{CommandExt, ExitStatusExt};

use crate::support::example::{Project, link_of};
use aigen::apply::approve::{Decision, Scripted};
use aigen::apply::review::{ReviewReport, Reviewer};
use aigen::hash::sha256_hex;
use aigen::phr::{Relation, Store};
use aigen::policy::Constitution;
use aigen::printer::{ColorChoice, Printer, Verbosity};
use aigen::staging::Staging;

const DOCKERFILE: &str = "docker/backend.Dockerfile";
const DOCKERIGNORE: &str = "docker/backend.Dockerfile.dockerignore";
const HAND_WRITTEN: &str = "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"api\"]\n";

/// A copy of the example with the backend's Dockerfile and .dockerignore staged by the builtin
/// provider.
fn staged_backend() -> Project {
    let project = Project::todo_app();
    project.run(&["dockerfile", "backend"]).expect(0);
    project
}

/// The records of the trail labelled `label`.
fn labelled(project: &Project, label: &str) -> Vec<aigen::phr::Entry> {
    project
        .records()
        .into_iter()
        .filter(|e| e.record.labels.iter().any(|l| l == label))
        .collect()
}

/// The report of `aigen apply --yes --format json`, which must exit 0.
fn apply_yes(project: &Project) -> serde_json::Value {
    project
        .run(&["apply", "--yes", "--format", "json"])
        .expect(0)
        .json()
}

/// The record `aigen apply --format json` reports for `target`.
fn apply_record(report: &serde_json::Value, target: &str) -> String {
    report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["target"] == target)
        .unwrap_or_else(|| panic!("{target} was not applied: {report}"))["record"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_applied_and_the_reason_is_given() {
    let project = staged_backend();
    let before = project.tree();
    let run = project.run(&["apply"]).expect(2);
    assert!(
        run.stderr.contains("nothing was applied") && run.stderr.contains("no terminal"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("aigen apply --yes"), "{}", run.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn with_nothing_staged_apply_says_so_in_text_and_in_json() {
    let project = Project::todo_app();
    let run = project.run(&["apply", "--yes"]).expect(0);
    assert!(run.stderr.contains("nothing is staged"), "{}", run.stderr);
    let report = apply_yes(&project);
    for key in ["applied", "rejected", "refused", "left"] {
        assert_eq!(report[key], serde_json::json!([]), "{key}: {report}");
    }
}

#[test]
fn dry_run_shows_each_diff_and_changes_nothing() {
    let project = Project::todo_app();
    project.write(DOCKERFILE, HAND_WRITTEN);
    project.run(&["dockerfile", "backend"]).expect(0);
    let before = project.tree();

    let run = project.run(&["apply", "--dry-run"]).expect(0);
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "{DOCKERFILE} (modified; lint: clean; from general/0001 via builtin)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("--- a/{DOCKERFILE}\n+++ b/{DOCKERFILE}")),
        "{out}"
    );
    assert!(out.contains("-FROM python:3.12-slim"), "{out}");
    assert!(out.contains("+FROM python:3.13-slim AS builder"), "{out}");
    assert!(out.contains(&format!("{DOCKERIGNORE} (new file;")), "{out}");
    assert!(
        out.contains(&format!("--- /dev/null\n+++ b/{DOCKERIGNORE}")),
        "{out}"
    );
    assert!(
        run.stderr
            .contains("0 applied, 0 rejected, 0 refused, 2 left staged")
    );
    assert_eq!(project.tree(), before);
}

#[test]
fn yes_writes_exactly_the_staged_bytes_and_records_each_approval() {
    let project = Project::todo_app();
    project.run(&["dockerfile", "--all"]).expect(0);
    project.run(&["manifest", "--all"]).expect(0);
    project.run(&["helm"]).expect(0);
    let staged: Vec<(String, String, Option<String>, Vec<u8>)> = project
        .staged()
        .into_iter()
        .map(|e| {
            let bytes =
                std::fs::read(Staging::new(project.path("generated")).staged_path(&e.target))
                    .unwrap();
            (e.target, e.sha256, e.record, bytes)
        })
        .collect();
    assert!(staged.len() > 40, "{}", staged.len());

    let report = apply_yes(&project);
    assert_eq!(report["applied"].as_array().unwrap().len(), staged.len());
    for (target, sha256, producer, bytes) in &staged {
        let written = std::fs::read(project.path(target)).unwrap();
        assert!(written == *bytes, "{target} differs from what was staged");
        assert_eq!(&sha256_hex(&written), sha256);
        let record = project.record(&apply_record(&report, target));
        let meta = record.record.aigen.as_ref().unwrap();
        let link = meta.reference.as_ref().unwrap();
        assert_eq!(link.relation, Relation::Approves);
        assert_eq!(Some(&link.record), producer.as_ref());
        assert_eq!(&meta.artifacts[0].sha256, sha256);
    }
    assert!(project.staged().is_empty());
    project.run(&["history", "verify"]).expect(0);
}

#[test]
fn a_staged_file_changed_after_staging_is_refused_and_its_target_left_alone() {
    let project = staged_backend();
    let staged = Staging::new(project.path("generated")).staged_path(DOCKERFILE);
    let text = std::fs::read_to_string(&staged).unwrap();
    std::fs::write(&staged, text.replace("USER 1000:1000", "USER root")).unwrap();

    let run = project.run(&["apply", "--yes"]).expect(1);
    assert!(
        run.stderr.contains("changed after it was staged"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 applied, 0 rejected, 1 refused"),
        "{}",
        run.stderr
    );
    assert!(!project.path(DOCKERFILE).exists());
    assert!(project.path(DOCKERIGNORE).is_file());
    // Still staged, still refused: nothing was approved for it.
    assert_eq!(project.staged().len(), 1);
    assert_eq!(labelled(&project, "apply").len(), 1);
}

#[test]
fn error_findings_are_refused_without_force_and_a_forced_apply_is_recorded_as_such() {
    let project = Project::todo_app();
    let bad = "FROM python:latest\nCOPY backend/ /app\nCMD [\"python\", \"-m\", \"api\"]\n";
    project.answer_with(&format!("```dockerfile title={DOCKERFILE}\n{bad}```\n"));
    let generated = project
        .run(&[
            "dockerfile",
            "backend",
            "--provider",
            "command",
            "--max-rounds",
            "1",
        ])
        .expect(1);
    assert!(
        generated.stderr.contains("findings left"),
        "{}",
        generated.stderr
    );
    let entry = project.staged().remove(0);
    assert!(entry.lint.errors > 0);

    let refused = project.run(&["apply", "--yes"]).expect(1);
    assert!(
        refused.stderr.contains("rerun with --force"),
        "{}",
        refused.stderr
    );
    assert!(!project.path(DOCKERFILE).exists());
    assert!(labelled(&project, "apply").is_empty());

    let report = project
        .run(&["apply", "--yes", "--force", "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(report["applied"][0]["forced"], true);
    assert_eq!(project.read(DOCKERFILE), bad);
    let forced = project.record(&apply_record(&report, DOCKERFILE));
    assert!(forced.record.labels.contains(&"forced".to_string()));
    let link = link_of(&forced);
    assert_eq!(link.relation, Relation::Forces);
    assert_eq!(Some(link.record), entry.record);
    let text = std::fs::read_to_string(&forced.file.path).unwrap();
    assert!(text.contains("forces: general/0001"), "{text}");
    project.run(&["history", "verify"]).expect(0);
}

#[test]
fn undo_restores_what_the_apply_replaced_and_refuses_after_a_later_edit() {
    let project = Project::todo_app();
    project.write(DOCKERFILE, HAND_WRITTEN);
    project.run(&["dockerfile", "backend"]).expect(0);
    let report = apply_yes(&project);
    let replaced = apply_record(&report, DOCKERFILE);
    let created = apply_record(&report, DOCKERIGNORE);
    assert_ne!(project.read(DOCKERFILE), HAND_WRITTEN);

    // The replaced file comes back; the created one goes.
    let undone = project
        .run(&["apply", "--undo", &replaced, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(undone["restored"][0], DOCKERFILE);
    assert_eq!(project.read(DOCKERFILE), HAND_WRITTEN);
    project.run(&["apply", "--undo", &created]).expect(0);
    assert!(!project.path(DOCKERIGNORE).exists());
    let undos = labelled(&project, "undo");
    assert_eq!(undos.len(), 2);
    let link = link_of(&undos[0]);
    assert_eq!(link.relation, Relation::Undoes);
    assert_eq!(link.record, replaced);

    // Applied again, then edited by hand: undo would lose the edit, so it refuses.
    project.run(&["dockerfile", "backend"]).expect(0);
    let report = apply_yes(&project);
    let again = apply_record(&report, DOCKERFILE);
    let edited = format!("{}# tuned by hand\n", project.read(DOCKERFILE));
    project.write(DOCKERFILE, &edited);
    let run = project.run(&["apply", "--undo", &again]).expect(2);
    assert!(
        run.stderr.contains("changed after it was applied"),
        "{}",
        run.stderr
    );
    assert_eq!(project.read(DOCKERFILE), edited);
    assert_eq!(labelled(&project, "undo").len(), 2);

    // A record that is not an apply cannot be undone.
    let run = project.run(&["apply", "--undo", "general/0001"]).expect(2);
    assert!(
        run.stderr.contains("is not an apply record"),
        "{}",
        run.stderr
    );
    project.run(&["history", "verify"]).expect(0);
}

/// The staged Dockerfile, made larger than the write limit the crash test sets.
fn padded(dockerfile: &str) -> String {
    let mut text = dockerfile.to_string();
    for line in 0..4096 {
        text.push_str(&format!(
            "# padding line {line:04} so the write takes a while ......\n"
        ));
    }
    text
}

#[test]
fn a_crash_in_the_middle_of_a_write_leaves_the_old_file_whole() {
    let project = Project::todo_app();
    project.write(DOCKERFILE, HAND_WRITTEN);
    let answer = aigen::provider::builtin::render_answer(&[
        aigen::provider::builtin::GeneratedFile::new(
            DOCKERFILE,
            padded(&project.builtin_file(DOCKERFILE)),
        ),
        aigen::provider::builtin::GeneratedFile::new(
            DOCKERIGNORE,
            project.builtin_file(DOCKERIGNORE),
        ),
    ]);
    project.answer_with(&answer);
    project
        .run(&["dockerfile", "backend", "--provider", "command"])
        .expect(0);
    let staged = project.staged_text(DOCKERFILE);
    assert!(staged.len() > 200 * 1024);
    let records = project.records().len();

    // The kernel stops the process with SIGXFSZ once it writes past 64 KiB to any file: in the
    // middle of writing the new Dockerfile, after approval and before the rename.
    let mut command = project.aigen();
    command.args(["apply", "--yes"]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = |resource, bytes| {
                let rlimit = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(resource, &rlimit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            };
            limit(libc::RLIMIT_CORE, 0)?;
            limit(libc::RLIMIT_FSIZE, 64 * 1024)
        });
    }
    let output = command.output().unwrap();
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGXFSZ),
        "the apply was not stopped mid-write: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    assert_eq!(
        project.read(DOCKERFILE),
        HAND_WRITTEN,
        "the old file is not whole"
    );
    assert_eq!(project.records().len(), records, "an approval was recorded");
    assert_eq!(project.staged().len(), 2, "the entries are still staged");

    // Run again without the limit: the approved bytes land whole.
    project.run(&["apply", "--yes"]).expect(0);
    assert_eq!(project.read(DOCKERFILE), staged);
    project.run(&["history", "verify"]).expect(0);
}

/// A reviewer over the project's staging and trail, as `aigen apply` builds one.
fn review(project: &Project, answers: Vec<Decision>) -> ReviewReport {
    let root = project.root().to_path_buf();
    let staging = Staging::new(project.path("generated"));
    let store = Store::open(&project.path("history/prompts")).unwrap();
    let constitution = Constitution::preset().unwrap();
    let printer = Printer::new(Verbosity::Quiet, ColorChoice::Never);
    let reviewer = Reviewer {
        root: &root,
        staging: &staging,
        store: &store,
        constitution: &constitution,
        printer: &printer,
        feature: None,
        command_line: "aigen apply".into(),
        force: false,
        show_diffs: false,
    };
    let entries = staging.entries().unwrap();
    reviewer
        .review(entries, &mut Scripted::new(answers))
        .unwrap()
}

#[test]
fn rejecting_leaves_the_tree_untouched_records_the_rejection_and_quit_keeps_the_rest_staged() {
    let project = Project::todo_app();
    project
        .run(&["dockerfile", "backend", "frontend-web"])
        .expect(0);
    let before = project.tree();

    let report = review(&project, vec![Decision::Reject]);
    assert_eq!(report.rejected, [DOCKERFILE]);
    assert!(report.applied.is_empty());
    // The scripted answers ran out: that is Quit, which leaves everything after it staged.
    assert_eq!(report.left.len(), 3, "{:?}", report.left);

    assert!(!project.path("docker").exists());
    let after = project.tree();
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .filter(|k| !k.contains("/history/") && !k.contains("/generated/"))
        .collect();
    assert!(changed.is_empty(), "{changed:?}");

    let rejections = labelled(&project, "rejected");
    assert_eq!(rejections.len(), 1);
    let link = link_of(&rejections[0]);
    assert_eq!(link.relation, Relation::Rejects);
    assert_eq!(link.record, "general/0001");
    let staged: Vec<String> = project.staged().into_iter().map(|e| e.target).collect();
    assert_eq!(staged.len(), 3);
    assert!(!staged.contains(&DOCKERFILE.to_string()));
    project.run(&["history", "verify"]).expect(0);
}

#[test]
fn an_edited_dockerfile_is_relinted_with_its_staged_dockerignore() {
    let project = staged_backend();
    let edited = format!("{}# reviewed\n", project.staged_text(DOCKERFILE));
    let report = review(
        &project,
        vec![
            Decision::Edit(edited.clone()),
            Decision::Accept,
            Decision::Accept,
        ],
    );
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.applied.len(), 2);
    assert!(report.applied[0].edited);
    assert_eq!(project.read(DOCKERFILE), edited);
    let approval = project.record(&report.applied[0].record);
    assert!(approval.record.labels.contains(&"edited".to_string()));
    assert_eq!(
        approval.record.aigen.as_ref().unwrap().artifacts[0].sha256,
        sha256_hex(edited.as_bytes())
    );
}

#[test]
fn an_edit_that_breaks_the_constitution_is_refused_without_force() {
    let project = staged_backend();
    let edited = project
        .staged_text(DOCKERFILE)
        .replace("USER 1000:1000\n", "");
    let report = review(&project, vec![Decision::Edit(edited), Decision::Accept]);
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(report.refused[0].1.contains("--force"));
    assert!(!project.path(DOCKERFILE).exists());
}

/// Adds an entry to the staging index by hand, as a cloned repository could carry one.
fn stage_by_hand(project: &Project, target: &str, content: &str) {
    let staged = Staging::new(project.path("generated")).staged_path(target);
    std::fs::create_dir_all(staged.parent().unwrap()).unwrap();
    std::fs::write(&staged, content).unwrap();
    let index_path = project.path("generated/index.json");
    let mut index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&index_path).unwrap()).unwrap();
    index["entries"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "target": target,
            "sha256": sha256_hex(content.as_bytes()),
            "record": null,
            "provider": "builtin",
            "lint": {"errors": 0, "warnings": 0, "infos": 0}
        }));
    std::fs::write(&index_path, index.to_string()).unwrap();
}

#[test]
fn a_staged_target_that_leads_outside_the_project_is_refused() {
    let project = staged_backend();
    stage_by_hand(&project, "../escaped.txt", "written outside\n");
    let run = project.run(&["apply", "--yes"]).expect(1);
    assert!(
        run.stderr.contains("refusing `../escaped.txt`"),
        "{}",
        run.stderr
    );
    assert!(!project.scratch().join("work/escaped.txt").exists());
    // The other entries are applied as usual.
    assert!(project.path(DOCKERFILE).is_file());
}

#[test]
fn a_target_directory_replaced_by_a_symlink_after_staging_is_refused() {
    let project = staged_backend();
    let elsewhere = project.scratch().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, project.path("docker")).unwrap();
    let run = project.run(&["apply", "--yes"]).expect(1);
    assert!(run.stderr.contains("symlink"), "{}", run.stderr);
    assert!(crate::support::files::list_dir(&elsewhere).is_empty());
    assert_eq!(project.staged().len(), 2);
}
