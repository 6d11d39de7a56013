//! Tamper evidence: each way of changing a trail behind aigen's back is detected by
//! `aigen history verify` and located at the right path; merged branches are re-linked without
//! hiding anything.

use std::fs;

use crate::support::files::copy_tree;
use crate::support::phr::{Project, stdout};
use aigen::phr::chain;

/// A trail of eight records across two features and `general`, all added through the binary.
fn trail() -> (Project, Vec<String>) {
    let project = Project::new();
    for i in 1..=8 {
        let (stage, feature) = match i % 3 {
            0 => ("general", None),
            1 => ("green", Some("003-k8s-deployment")),
            _ => ("misc", Some("004-helm")),
        };
        project.add(
            &format!("Step {i}"),
            stage,
            feature,
            &format!("prompt number {i}"),
        );
    }
    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    let files = project.record_files();
    assert_eq!(files.len(), 8);
    // In chain order.
    let mut ordered: Vec<(u64, String)> = files
        .iter()
        .map(|rel| {
            let text = fs::read_to_string(project.trail().join(rel)).unwrap();
            let seq = aigen::phr::record::parse(&text)
                .unwrap()
                .chain()
                .unwrap()
                .sequence;
            (seq, rel.clone())
        })
        .collect();
    ordered.sort();
    (project, ordered.into_iter().map(|(_, rel)| rel).collect())
}

#[test]
fn editing_one_byte_of_a_middle_record_is_detected_there() {
    let (project, files) = trail();
    let path = project.trail().join(&files[3]);
    let mut bytes = fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    fs::write(&path, bytes).unwrap();
    assert_eq!(
        project.errors(),
        vec![("edited".to_string(), files[3].clone())]
    );
    assert_eq!(project.history(&["verify"]).status.code(), Some(1));
}

#[test]
fn an_edit_with_a_recomputed_hash_is_still_pinned_on_the_record() {
    let (project, files) = trail();
    let path = project.trail().join(&files[4]);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("prompt number", "prompt NUMBER");
    let span = chain::hash_span(&text).unwrap();
    let mut forged = text.clone();
    forged.replace_range(span, &chain::content_hash(&text).unwrap());
    fs::write(&path, forged).unwrap();
    assert_eq!(
        project.errors(),
        vec![("edited".to_string(), files[4].clone())]
    );
}

#[test]
fn a_deleted_record_is_located_between_its_neighbours() {
    let (project, files) = trail();
    fs::remove_file(project.trail().join(&files[2])).unwrap();
    let (code, report) = project.verify_json();
    assert_eq!(code, 1);
    let errors: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["kind"], "deleted");
    assert_eq!(errors[0]["path"], files[3].as_str());
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("#3") && message.contains(&files[1]),
        "{message}"
    );
}

#[test]
fn two_swapped_records_are_both_reported() {
    let (project, files) = trail();
    let (a, b) = (
        project.trail().join(&files[1]),
        project.trail().join(&files[4]),
    );
    let (text_a, text_b) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    fs::write(&a, text_b).unwrap();
    fs::write(&b, text_a).unwrap();
    let mut errors = project.errors();
    errors.sort();
    let mut expected = vec![
        ("reordered".to_string(), files[1].clone()),
        ("reordered".to_string(), files[4].clone()),
    ];
    expected.sort();
    assert_eq!(errors, expected);
}

#[test]
fn truncating_the_last_record_or_the_trail_is_detected() {
    let (project, files) = trail();
    let last = project.trail().join(&files[7]);
    let full = fs::read(&last).unwrap();
    fs::write(&last, &full[..full.len() * 2 / 3]).unwrap();
    assert_eq!(
        project.errors(),
        vec![("truncated".to_string(), files[7].clone())]
    );

    fs::remove_file(&last).unwrap();
    let (code, report) = project.verify_json();
    assert_eq!(code, 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["kind"], "truncated");
    assert_eq!(finding["path"], files[7].as_str());
    assert!(finding["message"].as_str().unwrap().contains(&files[6]));
}

#[test]
fn an_inserted_copy_or_forged_record_is_detected() {
    let (project, files) = trail();
    let source = project.trail().join(&files[2]);
    let copy = project.trail().join("general/0099-copy.general.prompt.md");
    fs::copy(&source, &copy).unwrap();
    let errors = project.errors();
    assert!(
        errors.contains(&(
            "inserted".to_string(),
            "general/0099-copy.general.prompt.md".to_string()
        )),
        "{errors:?}"
    );
    fs::remove_file(&copy).unwrap();

    // A well-formed record hanging off the middle of the chain, with a valid own hash.
    let text = fs::read_to_string(project.trail().join(&files[5])).unwrap();
    let forged = text
        .replace("Step", "Forged")
        .replace("prompt number", "forged prompt");
    let id_line = forged
        .lines()
        .find(|l| l.starts_with("id: "))
        .unwrap()
        .to_string();
    let forged = forged.replacen(&id_line, "id: 0077", 1);
    let mut sealed = forged.clone();
    sealed.replace_range(
        chain::hash_span(&forged).unwrap(),
        &chain::content_hash(&forged).unwrap(),
    );
    let dir = files[5].split('/').next().unwrap();
    let stage = files[5].rsplit('.').nth(2).unwrap();
    let name = format!(
        "{dir}/0077-forged-{}.{stage}.prompt.md",
        &files[5][files[5].find("step-").unwrap() + 5..files[5].find("step-").unwrap() + 6]
    );
    fs::write(project.trail().join(&name), sealed).unwrap();
    let errors = project.errors();
    assert_eq!(errors, vec![("inserted".to_string(), name)]);
}

#[test]
fn hand_written_records_are_unchained_not_tampered() {
    let (project, _) = trail();
    fs::write(
        project.trail().join("general/0100-by-hand.general.prompt.md"),
        "---\nid: 0100\ntitle: By hand\nstage: general\ndate: 2026-01-01\nsurface: agent\nmodel: unspecified\nfeature: none\nbranch: main\nuser: unknown\ncommand: /sp.phr\nlabels: []\nlinks:\n  spec: null\n  ticket: null\n  adr: null\n  pr: null\nfiles:\n - none\ntests:\n - none\n---\n\n## Prompt\n\nhello\n\n## Response snapshot\n\nhi\n",
    )
    .unwrap();
    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["unchained"], 1);
    assert_eq!(report["findings"][0]["kind"], "unchained");
    assert_eq!(
        project.history(&["verify", "--strict"]).status.code(),
        Some(1)
    );
}

/// Two clones of one trail each add records; the second's files are copied into the first and
/// the head file gets git's conflict markers, as `git merge` leaves it.
fn merged() -> (Project, Vec<String>) {
    let (ours, _) = trail();
    let theirs = Project::new();
    copy_tree(&ours.trail(), &theirs.trail());
    let ours_added = vec![
        ours.add("Ours one", "misc", Some("004-helm"), "ours 1"),
        ours.add("Ours two", "general", None, "ours 2"),
    ];
    let theirs_added = [
        theirs.add(
            "Theirs one",
            "green",
            Some("003-k8s-deployment"),
            "theirs 1",
        ),
        theirs.add("Theirs two", "misc", Some("004-helm"), "theirs 2"),
    ];
    let head = |p: &Project| fs::read_to_string(p.trail().join(".aigen/head.json")).unwrap();
    let (a, b) = (head(&ours), head(&theirs));
    let mut conflicted = String::new();
    for (x, y) in a.lines().zip(b.lines()) {
        if x == y {
            conflicted.push_str(&format!("{x}\n"));
        } else {
            conflicted.push_str(&format!(
                "<<<<<<< HEAD\n{x}\n=======\n{y}\n>>>>>>> theirs\n"
            ));
        }
    }
    let mut brought = Vec::new();
    for path in theirs_added {
        let rel = path.strip_prefix(theirs.trail()).unwrap().to_path_buf();
        let mut target = ours.trail().join(&rel);
        if target.exists() {
            // Same ID and title in both branches: git would conflict; keep both under new names.
            target.set_file_name(format!(
                "theirs-{}",
                rel.file_name().unwrap().to_string_lossy()
            ));
        }
        fs::copy(&path, &target).unwrap();
        brought.push(
            target
                .strip_prefix(ours.trail())
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
    }
    fs::write(ours.trail().join(".aigen/head.json"), conflicted).unwrap();
    drop(ours_added);
    (ours, brought)
}

#[test]
fn merged_branches_are_relinked_and_then_verify_clean() {
    let (project, brought) = merged();
    let errors = project.errors();
    assert!(
        errors.iter().any(|(k, _)| k == "head-conflict"),
        "{errors:?}"
    );

    let relink = project.history(&["verify", "--relink"]);
    assert_eq!(relink.status.code(), Some(0), "{}", stdout(&relink));
    let text = stdout(&relink);
    assert!(text.contains("relinked"), "{text}");
    assert!(text.contains(&brought[1]), "{text}");
    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    // Appends continue after the relink record.
    project.add("After merge", "general", None, "after");
    assert_eq!(project.verify_json().0, 0);
    // Relinking again has nothing to do.
    let again = project.history(&["verify", "--relink"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).is_empty());
}

#[test]
fn relink_refuses_while_anything_else_is_wrong() {
    let (project, _) = merged();
    let files = project.record_files();
    let victim = project.trail().join(&files[0]);
    let text = fs::read_to_string(&victim)
        .unwrap()
        .replacen("prompt", "PROMPT", 1);
    fs::write(&victim, text).unwrap();
    let before = project.record_files();
    let relink = project.history(&["verify", "--relink"]);
    assert_eq!(relink.status.code(), Some(1));
    assert!(
        stdout(&relink).contains("relink refused"),
        "{}",
        stdout(&relink)
    );
    assert_eq!(project.record_files(), before, "nothing was written");
}

#[test]
fn any_single_byte_change_of_a_middle_record_is_reported_once_at_that_record() {
    use aigen::phr::verify::{TrailSeverity, verify};
    use aigen::phr::{NewRecord, Stage, Store};
    use aigen::secrets::Redactor;

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path())
        .unwrap()
        .with_redactor(Redactor::builtin());
    store.set_sync(false);
    let mut paths = Vec::new();
    for i in 0..5 {
        let appended = store
            .append(NewRecord {
                feature: Some("003-k8s-deployment".into()),
                prompt: format!("Prompt {i} with ünïcödé ✓ and a fence\n```\ncode\n```"),
                response: format!("Response {i}"),
                files: vec![format!("k8s/file-{i}.yaml")],
                ..NewRecord::new(format!("Record {i}"), Stage::Misc)
            })
            .unwrap();
        paths.push(appended.path);
    }
    assert!(verify(&store).unwrap().findings.is_empty());
    let target = &paths[2];
    let rel = format!(
        "003-k8s-deployment/{}",
        target.file_name().unwrap().to_string_lossy()
    );
    let original = fs::read(target).unwrap();
    for at in 0..original.len() {
        let mut changed = original.clone();
        changed[at] = if changed[at] == b'x' { b'#' } else { b'x' };
        fs::write(target, &changed).unwrap();
        let report = verify(&store).unwrap();
        let errors: Vec<(String, String)> = report
            .findings
            .iter()
            .filter(|f| f.severity == TrailSeverity::Error)
            .map(|f| (f.kind.to_string(), f.path.clone().unwrap_or_default()))
            .collect();
        let line_start = changed[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = changed[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(changed.len(), |i| at + i);
        let line = String::from_utf8_lossy(&changed[line_start..line_end]).into_owned();
        assert_eq!(errors.len(), 1, "byte {at} in `{line}`: {errors:?}");
        assert_eq!(errors[0].1, rel, "byte {at}: {errors:?}");
        assert!(
            errors[0].0 == "edited" || errors[0].0 == "truncated",
            "byte {at}: {errors:?}"
        );
    }
    fs::write(target, &original).unwrap();
    assert!(verify(&store).unwrap().findings.is_empty());
}
