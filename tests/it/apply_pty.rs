//! `aigen apply` at a real pseudo-terminal: the terminal approver is driven with keystrokes to
//! edit one staged file (with `EDITOR` set to a script that changes it) and accept it, accept
//! another, reject a third and quit at the fourth; then the tree and the records are checked.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::support::example::{Project, link_of};
use aigen::phr::Relation;
use expectrl::{Eof, Expect, Session};

/// What the editor script appends to the file it is given.
const EDIT: &str = "# reviewed at the terminal";

/// An editor that appends [`EDIT`] and notes the file it was given. It waits a moment first, so
/// the change shows in the file's modification time (which is how the editor prompt tells a
/// save from a plain close).
fn editor(project: &Project) -> std::path::PathBuf {
    let script = project.scratch().join("editor.sh");
    let log = project.scratch().join("editor.log");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nsleep 0.1\nprintf '%s\\n' '{EDIT}' >> \"$1\"\nprintf '%s\\n' \"$1\" >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn accept_edit_reject_and_quit_at_a_terminal() {
    let project = Project::todo_app();
    project
        .run(&["dockerfile", "backend", "frontend-web"])
        .expect(0);
    let staged_ignore = project.staged_text("docker/backend.Dockerfile.dockerignore");
    let edited = format!(
        "{}{EDIT}\n",
        project.staged_text("docker/backend.Dockerfile")
    );

    let mut command = project.aigen();
    command.arg("apply").env("EDITOR", editor(&project));
    let mut session = Session::spawn(command).expect("spawn aigen apply on a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let mut step = |wait_for: &str, keys: &str| {
        session
            .expect(wait_for)
            .unwrap_or_else(|e| panic!("waiting for `{wait_for}`: {e}"));
        session.send(keys).unwrap();
    };

    // Entries come in target order. The first: Edit (two down, Enter), then, once the edit is
    // shown as a diff, Accept.
    step("Apply docker/backend.Dockerfile?", "jj\r");
    step(&format!("+{EDIT}"), "");
    step("Apply docker/backend.Dockerfile?", "\r");
    // The .dockerignore: Accept.
    step("docker/backend.Dockerfile.dockerignore (new file", "");
    step("Apply docker/backend.Dockerfile.dockerignore?", "\r");
    // The web front end's Dockerfile: Reject (one down, Enter).
    step("docker/frontend-web.Dockerfile (new file", "");
    step("Apply docker/frontend-web.Dockerfile?", "j\r");
    // Its .dockerignore: Quit.
    step("docker/frontend-web.Dockerfile.dockerignore (new file", "");
    step("Apply docker/frontend-web.Dockerfile.dockerignore?", "q");
    session
        .expect("2 applied, 1 rejected, 0 refused, 1 left staged")
        .expect("the summary");
    session.expect(Eof).expect("aigen apply to end");
    let status = session.get_process().wait().unwrap();
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );

    // The tree: the edit as the editor left it, the accepted file as staged, nothing else.
    assert_eq!(project.read("docker/backend.Dockerfile"), edited);
    assert_eq!(
        project.read("docker/backend.Dockerfile.dockerignore"),
        staged_ignore
    );
    assert!(!project.path("docker/frontend-web.Dockerfile").exists());
    assert!(
        !project
            .path("docker/frontend-web.Dockerfile.dockerignore")
            .exists()
    );
    let left: Vec<String> = project.staged().into_iter().map(|e| e.target).collect();
    assert_eq!(left, ["docker/frontend-web.Dockerfile.dockerignore"]);
    let log = std::fs::read_to_string(project.scratch().join("editor.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.trim_end().ends_with(".Dockerfile"), "{log}");

    // The records: two exchanges, then approve (edited), approve, reject.
    let records = project.records();
    assert_eq!(records.len(), 5);
    let decisions: Vec<(String, Relation, bool)> = records[2..]
        .iter()
        .map(|e| {
            let link = link_of(e);
            (
                e.record.files[0].clone(),
                link.relation,
                e.record.labels.contains(&"edited".to_string()),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("docker/backend.Dockerfile".into(), Relation::Approves, true),
            (
                "docker/backend.Dockerfile.dockerignore".into(),
                Relation::Approves,
                false
            ),
            (
                "docker/frontend-web.Dockerfile".into(),
                Relation::Rejects,
                false
            ),
        ]
    );
    let approval = &records[2].record;
    assert_eq!(
        approval.aigen.as_ref().unwrap().artifacts[0].sha256,
        aigen::hash::sha256_hex(edited.as_bytes())
    );
    project.run(&["history", "verify"]).expect(0);
}
