//! The record format: every record aigen writes reads back identically (examples, a property
//! test over arbitrary prompt text, a 1 MB prompt), and the variants found in public Spec-Kit
//! Plus trails parse and get the validator findings they deserve.

use std::path::Path;

use crate::support::files::copy_committed;
use crate::support::phr::{Project, fixtures, stdout};
use aigen::finding_counts::FindingCounts;
use aigen::phr::record::{self, Record};
use aigen::phr::{
    Artifact, Client, NewRecord, Outcome, Reference, Relation, Stage, Store, Surface, Template,
    Tokens, front_matter,
};
use aigen::secrets::Redactor;
use proptest::prelude::*;

fn quick_store(root: &Path) -> Store {
    let mut store = Store::open(root)
        .unwrap()
        .with_redactor(Redactor::builtin());
    store.set_sync(false);
    store
}

/// Reads a record file, checks that rendering it gives the same bytes and that both YAML
/// readers agree on its front matter, and returns it.
fn read_back(path: &Path) -> Record {
    let text = std::fs::read_to_string(path).unwrap();
    let parsed = record::parse(&text).unwrap();
    assert_eq!(record::render(&parsed), text, "{}", path.display());
    assert_eq!(record::parse(&record::render(&parsed)).unwrap(), parsed);
    let (start, end, _) = record::front_matter_end(&text).unwrap();
    let front = &text[start..end];
    let subset = front_matter::parse_subset(front).expect("aigen writes the YAML subset");
    assert_eq!(Ok(subset), front_matter::parse_full(front));
    parsed
}

fn full_record() -> NewRecord {
    NewRecord {
        feature: Some("003-k8s-deployment".into()),
        model: Some("gpt-4o-mini".into()),
        labels: vec!["docker".into(), "lint: guided".into(), "ünïcode".into()],
        prompt: "Write a multi-stage Dockerfile.\n\n## Response snapshot\n---\n```\nFROM x\n```\n"
            .into(),
        response: "```dockerfile\nFROM python:3.13-slim AS build\n```".into(),
        files: vec!["docker/backend.Dockerfile".into(), "odd: name.txt".into()],
        tests: vec![
            "hadolint: PASS".into(),
            "Backend image size <500MB: PASS (412MB)".into(),
        ],
        command: Some("aigen dockerfile".into()),
        branch: Some("003-k8s-deployment".into()),
        user: Some("Amina K.".into()),
        provider: Some("openai".into()),
        command_line: Some("aigen dockerfile backend --provider openai".into()),
        artifacts: vec![Artifact::of(
            "docker/backend.Dockerfile",
            b"FROM python:3.13-slim\n",
        )],
        lint: Some(FindingCounts {
            errors: 1,
            warnings: 2,
            infos: 0,
        }),
        tokens: Some(Tokens {
            prompt: 1234,
            completion: 567,
        }),
        latency_ms: Some(2100),
        outcome: Outcome::Failed("lint errors remained after 3 rounds: \"AG-D001\"".into()),
        reference: Some(Reference {
            relation: Relation::Fixes,
            record: "003-k8s-deployment/0001".into(),
        }),
        round: Some(3),
        template: Some(Template {
            name: "dockerfile".into(),
            version: "2".into(),
        }),
        ..NewRecord::new("Backend Dockerfile: round 3 of \"fix\"", Stage::Green)
    }
}

#[test]
fn every_field_aigen_writes_reads_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let store = quick_store(dir.path());
    let first = store
        .append(NewRecord {
            prompt: "first".into(),
            ..NewRecord::new("First", Stage::General)
        })
        .unwrap();
    let full = store.append(full_record()).unwrap();
    let interrupted = store
        .append(NewRecord {
            prompt: "x".into(),
            outcome: Outcome::Interrupted("ctrl-c".into()),
            ..NewRecord::new("Stopped", Stage::Constitution)
        })
        .unwrap();
    assert_eq!(first.reference, "general/0001");
    assert_eq!(full.reference, "003-k8s-deployment/0001");
    assert_eq!(interrupted.reference, "constitution/0001");
    assert_eq!(
        (first.sequence, full.sequence, interrupted.sequence),
        (1, 2, 3)
    );

    let r = read_back(&full.path);
    assert_eq!(r.id, "0001");
    assert_eq!(r.title, "Backend Dockerfile: round 3 of \"fix\"");
    assert_eq!(r.stage(), Some(Stage::Green));
    assert_eq!(r.feature, "003-k8s-deployment");
    assert_eq!(r.user, "Amina K.");
    assert_eq!(r.labels, ["docker", "lint: guided", "ünïcode"]);
    assert_eq!(r.files, ["docker/backend.Dockerfile", "odd: name.txt"]);
    assert_eq!(r.tests[1], "Backend image size <500MB: PASS (412MB)");
    assert_eq!(r.prompt.as_deref(), Some(full_record().prompt.as_str()));
    assert_eq!(r.response.as_deref(), Some(full_record().response.as_str()));
    let meta = r.aigen.as_ref().unwrap();
    assert_eq!(meta.outcome.status(), "failed");
    assert_eq!(meta.lint.unwrap().errors, 1);
    assert_eq!(meta.tokens.unwrap().completion, 567);
    assert_eq!(meta.latency_ms, Some(2100));
    assert_eq!(meta.round, Some(3));
    assert_eq!(meta.reference.as_ref().unwrap().relation, Relation::Fixes);
    assert_eq!(meta.template.as_ref().unwrap().version, "2");
    assert_eq!(meta.artifacts[0].sha256.len(), 64);
    let chain = meta.chain.as_ref().unwrap();
    assert_eq!(chain.sequence, 2);
    assert_eq!(chain.prev.as_deref(), Some(first.hash.as_str()));
    assert_eq!(chain.hash, full.hash);
    let notes = r.outcome.as_ref().unwrap();
    assert!(notes.tests.contains("hadolint: PASS"), "{notes:?}");
    assert_eq!(
        r.evaluation.as_ref().unwrap().prompt_variant,
        "dockerfile@2"
    );

    for appended in [&first, &interrupted] {
        read_back(&appended.path);
    }
    let found = store.find("003-k8s-deployment/0001").unwrap();
    assert_eq!(found.record, r);
    assert!(store.find("0001").is_err(), "0001 is in three directories");
}

#[test]
fn records_of_mcp_calls_keep_the_surface_and_the_client_and_older_records_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client {
        name: "kagent: \"infra\" agent".into(),
        version: "0.7.1".into(),
        protocol: Some("2025-11-25".into()),
    };
    let store = quick_store(dir.path()).with_surface(Surface::Mcp(client.clone()));
    let appended = store
        .append(NewRecord {
            prompt: "lint Dockerfile".into(),
            ..NewRecord::new("MCP call", Stage::General)
        })
        .unwrap();
    let r = read_back(&appended.path);
    assert_eq!(r.surface, "mcp");
    assert_eq!(r.aigen.as_ref().unwrap().client.as_ref(), Some(&client));
    let text = std::fs::read_to_string(&appended.path).unwrap();
    assert!(text.contains("surface: mcp\n"), "{text}");
    assert!(text.contains("  client_version: \"0.7.1\"\n"), "{text}");
    assert!(text.contains("  mcp_protocol: \"2025-11-25\"\n"), "{text}");

    // A record written before the client keys existed: `surface: agent`, no client.
    let older = quick_store(dir.path())
        .append(NewRecord {
            prompt: "x".into(),
            ..NewRecord::new("At the command line", Stage::General)
        })
        .unwrap();
    let r = read_back(&older.path);
    assert_eq!(r.surface, "agent");
    assert_eq!(r.aigen.as_ref().unwrap().client, None);
    let text = std::fs::read_to_string(&older.path).unwrap();
    assert!(!text.contains("client"), "{text}");
}

#[test]
fn a_one_megabyte_prompt_is_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = quick_store(dir.path());
    let mut prompt = String::new();
    let mut i = 0;
    while prompt.len() < 1024 * 1024 {
        prompt.push_str(match i % 6 {
            0 => "---\n",
            1 => "```yaml\nkind: Deployment\n```\n",
            2 => "## Outcome\n",
            3 => "Ünïcödé ✓ 🚀 日本語のテキスト\n",
            4 => {
                "  hash: sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
            }
            _ => "plain line of prose about the backend service and its probes\n",
        });
        i += 1;
    }
    let appended = store
        .append(NewRecord {
            feature: Some("big".into()),
            prompt: prompt.clone(),
            response: prompt.clone(),
            ..NewRecord::new("Big prompt", Stage::Misc)
        })
        .unwrap();
    let r = read_back(&appended.path);
    assert_eq!(r.prompt.as_deref(), Some(prompt.as_str()));
    assert_eq!(r.response.as_deref(), Some(prompt.as_str()));
    assert!(
        aigen::phr::verify::verify(&store)
            .unwrap()
            .findings
            .is_empty()
    );
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_string()),
        Just("```".to_string()),
        Just("~~~".to_string()),
        Just("## Prompt".to_string()),
        Just("## Response snapshot".to_string()),
        Just("## Outcome".to_string()),
        Just("- ✅ Impact: x".to_string()),
        Just("  hash: sha256:abc".to_string()),
        Just(String::new()),
        Just("\r".to_string()),
        Just("\t\u{0}\u{7f}\u{85}\u{2028}\u{feff}".to_string()),
        "\\PC{0,40}",
        ".{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_prompts_and_titles_round_trip(
        lines in prop::collection::vec(fragment(), 0..16),
        title in "\\PC{0,30}[a-zA-Z0-9]\\PC{0,30}",
        label in "\\PC{0,20}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = quick_store(dir.path());
        let prompt = lines.join("\n");
        let appended = store
            .append(NewRecord {
                feature: Some("003-k8s-deployment".into()),
                labels: vec![label.clone()],
                prompt: prompt.clone(),
                response: prompt.clone(),
                ..NewRecord::new(title.clone(), Stage::Misc)
            })
            .unwrap();
        let r = read_back(&appended.path);
        let redactor = Redactor::builtin();
        let expected = redactor.redact(&prompt).into_owned();
        prop_assert_eq!(r.prompt.as_deref(), Some(expected.as_str()));
        prop_assert_eq!(r.response.as_deref(), Some(expected.as_str()));
        let one_line = |t: &str| redactor.redact(t).split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert_eq!(&r.title, &one_line(&title));
        let label = one_line(&label);
        if !label.is_empty() && label != "none" && label != "null" {
            prop_assert_eq!(r.labels.clone(), vec![label]);
        }
        prop_assert!(aigen::phr::verify::verify(&store).unwrap().findings.is_empty());
    }
}

#[test]
fn public_variants_parse() {
    let root = fixtures().join("variants");
    let read = |rel: &str| {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        record::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };

    let three_digit =
        read("003-k8s-deployment/002-ai-assisted-dockerfile-generation.misc.prompt.md");
    assert_eq!(three_digit.id, "002");
    assert_eq!(three_digit.files.len(), 2);
    assert_eq!(
        three_digit.tests[0],
        "Backend image size <500MB: PASS (412MB)"
    );
    assert!(three_digit.prompt.unwrap().starts_with("Ask Gordon"));
    assert_eq!(three_digit.evaluation.unwrap().graders, "PASS");
    assert!(three_digit.aigen.is_none());

    let unpadded = read("003-ai-chatbot/039-chat-models-and-migrations.green.prompt.md");
    assert_eq!(unpadded.id, "39");
    let response = unpadded.response.unwrap();
    assert!(response.contains("```markdown\n## Outcome\nThis heading is inside a fence"));
    assert!(response.contains("## Prompt injection test inside a fence"));
    assert_eq!(
        unpadded.outcome.unwrap().impact,
        "Conversation history can be stored."
    );
    assert_eq!(unpadded.evaluation.unwrap().prompt_variant, "none");

    let quoted = read("constitution/001-constitution-initialized.constitution.prompt.md");
    assert_eq!(quoted.id, "001");
    assert_eq!(quoted.stage(), Some(Stage::Constitution));
    assert_eq!(quoted.links.spec, None);
    assert!(quoted.tests.is_empty());

    let keys = read("001-todo-app/3-create-todo-app-tasks.tasks.prompt.md");
    assert_eq!(keys.id, "3-create-todo-app-tasks");
    assert!(keys.tests.is_empty());
    assert_eq!(
        keys.prompt.as_deref(),
        Some("/sp.tasks\nbreak the plan into tasks\n")
    );
    assert_eq!(
        keys.response.as_deref(),
        Some("Created 58 tasks in 8 phases.\n")
    );

    let older = read("general/0002-older-record.general.prompt.md");
    assert_eq!(
        older.response.as_deref(),
        Some("kubectl describe pod <name> shows the events at the end.")
    );
    assert!(older.outcome.is_some() && older.evaluation.is_none());
}

#[test]
fn verify_lists_hand_written_records_as_unchained_and_reports_format_findings() {
    let project = Project::new();
    copy_committed(&fixtures().join("variants"), &project.trail());
    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["records"], 7);
    assert_eq!(report["unchained"], 7);
    let findings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |kind: &str, path: &str| findings.iter().any(|(k, p, _)| k == kind && p == path);
    let unfilled = "general/0004-template-left-unfilled.general.prompt.md";
    let same_id = "general/0004-same-id-again.general.prompt.md";
    assert!(has("placeholder", unfilled), "{findings:#?}");
    assert!(has("stage-route", unfilled), "{findings:#?}");
    assert!(has("id-mismatch", same_id), "{findings:#?}");
    assert!(has("duplicate-id", same_id) && has("duplicate-id", unfilled));
    assert!(has(
        "id-mismatch",
        "001-todo-app/3-create-todo-app-tasks.tasks.prompt.md"
    ));
    assert!(
        !findings
            .iter()
            .any(|(k, p, _)| p.contains("039-chat") && k != "unchained")
    );
    assert_eq!(
        findings.iter().filter(|(k, _, _)| k == "unchained").count(),
        7
    );
    assert!(
        !findings.iter().any(|(k, _, _)| [
            "edited",
            "deleted",
            "inserted",
            "reordered",
            "truncated"
        ]
        .contains(&k.as_str())),
        "hand-written records are never tampered: {findings:#?}"
    );

    let strict = project.history(&["verify", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));

    // Lookups accept unpadded and three-digit IDs.
    let show = project.history(&["show", "003-ai-chatbot/39"]);
    assert!(stdout(&show).contains("Chat models and database migrations"));
    // New records continue the numbering of the directory.
    let added = project.add("Next general", "general", None, "q");
    assert!(
        added.ends_with("general/0005-next-general.general.prompt.md"),
        "{}",
        added.display()
    );
    let (code, _) = project.verify_json();
    assert_eq!(code, 0);
}
