//! Builds a large Prompt History Record trail for `bench/history.sh`: `phr_trail <history root>
//! <count>` appends <count> realistic records (about 2 KB each, spread over four features and
//! `general`) through the same `Store::append` aigen uses, with flushing to disk turned off so a
//! 100,000-record trail takes seconds rather than the fsyncs of 100,000 real appends.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use aigen::finding_counts::FindingCounts;
use aigen::phr::{Artifact, NewRecord, Outcome, Stage, Store, Template, Tokens};
use aigen::secrets::Redactor;

const FEATURES: [&str; 4] = [
    "003-k8s-deployment",
    "004-helm-chart",
    "005-observability",
    "006-ci-pipeline",
];

fn record(i: usize) -> NewRecord {
    let feature = FEATURES[i % FEATURES.len()];
    let general = i % 10 == 9;
    let prompt = format!(
        "Generate the Kubernetes manifests for service number {i} of the todo app.\n\
         Requirements from the constitution:\n\
         - 2 replicas, RollingUpdate with maxUnavailable 0\n\
         - liveness and readiness probes on /health and /ready\n\
         - requests and limits for cpu and memory\n\
         - secrets from a Secret via secretKeyRef, never inline\n\n\
         ```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: service-{i}\n```\n\n{}",
        "Context line about the repository layout and the detected stack.\n".repeat(6)
    );
    let response = format!(
        "```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: service-{i}\nspec:\n  \
         replicas: 2\n  template:\n    spec:\n      containers:\n        - name: app\n          \
         image: todo/service-{i}:1.0.0\n```\n\n{}",
        "Explanation of the choices made for probes, resources and the rollout strategy.\n"
            .repeat(6)
    );
    let outcome = match i % 17 {
        0 => Outcome::Failed("lint errors remained after 3 rounds".into()),
        8 => Outcome::Interrupted("timed out after 120s".into()),
        _ => Outcome::Ok,
    };
    NewRecord {
        feature: (!general).then(|| feature.to_string()),
        model: Some(
            if i.is_multiple_of(3) {
                "llama3.1"
            } else {
                "gpt-4o-mini"
            }
            .to_string(),
        ),
        labels: vec!["manifests".into(), format!("batch-{}", i / 1000)],
        prompt,
        response,
        files: vec![format!("k8s/service-{i}/deployment.yaml")],
        tests: vec!["aigen lint: PASS".into()],
        command: Some("aigen manifest".into()),
        branch: Some("main".into()),
        user: Some("bench".into()),
        provider: Some(
            if i.is_multiple_of(3) {
                "command"
            } else {
                "openai"
            }
            .to_string(),
        ),
        command_line: Some(format!("aigen manifest service-{i}")),
        artifacts: vec![Artifact::of(
            format!("k8s/service-{i}/deployment.yaml"),
            format!("service {i}").as_bytes(),
        )],
        lint: Some(FindingCounts {
            errors: usize::from(i.is_multiple_of(17)),
            warnings: i % 4,
            infos: 0,
        }),
        tokens: Some(Tokens {
            prompt: 900 + (i % 300) as u64,
            completion: 400 + (i % 200) as u64,
        }),
        latency_ms: Some(300 + (i * 7919 % 5000) as u64),
        outcome,
        round: Some(1 + (i % 3) as u32),
        template: Some(Template {
            name: "manifest".into(),
            version: "1".into(),
        }),
        ..NewRecord::new(
            format!("Manifests for service {i}"),
            if general {
                Stage::General
            } else {
                Stage::Green
            },
        )
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(root), Some(count)) = (
        args.get(1),
        args.get(2).and_then(|c| c.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: phr_trail <history root> <count>");
        return ExitCode::from(2);
    };
    let mut store = match Store::open(&PathBuf::from(root)) {
        Ok(store) => store.with_redactor(Redactor::builtin()),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    store.set_sync(false);
    let start = Instant::now();
    for i in 0..count {
        if let Err(e) = store.append(record(i)) {
            eprintln!("error: record {i}: {e}");
            return ExitCode::from(1);
        }
    }
    eprintln!("{count} records in {:.1}s", start.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
