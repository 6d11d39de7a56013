//! `aigen apply --cluster` through the binary, after a generate-and-apply run on a copy of
//! `examples/todo-app`, against the Kubernetes API stand-in (`support::fake_apiserver`) on
//! loopback: the objects are applied by server-side apply after a server dry run, the apply is
//! recorded, and the Secret template never leaves the machine.

use std::path::Path;

use crate::support::command::Run;
use crate::support::example::Project;
use crate::support::fake_apiserver::FakeApiServer;

/// `aigen apply --cluster --kubeconfig <kubeconfig>` with `args`, run off the async runtime so
/// that the API stand-in on it keeps answering.
async fn apply_cluster(project: &Project, kubeconfig: &Path, args: &[&str]) -> Run {
    let mut command = project.aigen();
    command
        .args(["apply", "--cluster", "--kubeconfig"])
        .arg(kubeconfig)
        .args(args);
    tokio::task::spawn_blocking(move || Run::of(&mut command))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_manifests_are_applied_and_recorded_and_the_secret_template_is_never_sent() {
    let project = Project::todo_app();
    project.run(&["manifest", "--all", "--yes"]).expect(0);
    let records_before = project.records().len();
    let server = FakeApiServer::start().await;
    let kubeconfig = server.write_kubeconfig(project.scratch(), "default");

    // A dry run first: planned by server dry run, nothing applied, nothing recorded.
    let dry = apply_cluster(&project, &kubeconfig, &["--dry-run", "--format", "json"])
        .await
        .expect(0);
    let plan = dry.json();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["context"], crate::support::fake_apiserver::CONTEXT);
    let planned = plan["planned"].as_array().unwrap().clone();
    assert!(
        planned.contains(&"Deployment default/backend (create)".into()),
        "{plan}"
    );
    assert_eq!(plan["applied"], serde_json::json!([]));
    assert!(server.requests().iter().all(|r| !r.is_apply()));
    assert_eq!(project.records().len(), records_before);

    let run = apply_cluster(&project, &kubeconfig, &["--yes", "--format", "json"])
        .await
        .expect(0);
    let report = run.json();
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["applied"].as_array().unwrap().len(), planned.len());
    assert!(
        report["applied"]
            .as_array()
            .unwrap()
            .contains(&"Deployment default/frontend-web (create)".into()),
        "{report}"
    );

    // Every object of the manifests is in the cluster, in the kubeconfig's namespace.
    for (resource, name) in [
        ("deployments.apps", "backend"),
        ("deployments.apps", "frontend-web"),
        ("deployments.apps", "frontend-chatbot"),
        ("services", "backend"),
        ("services", "frontend-web"),
        ("configmaps", "todo-app-config"),
        ("serviceaccounts", "backend"),
        ("poddisruptionbudgets.policy", "backend"),
        ("networkpolicies.networking.k8s.io", "backend"),
    ] {
        let object = server
            .object(resource, Some("default"), name)
            .unwrap_or_else(|| panic!("{resource}/{name} was not applied:\n{}", run.all()));
        let managers: Vec<&str> = object["metadata"]["managedFields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|f| f["manager"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            managers.contains(&"aigen"),
            "{resource}/{name}: {managers:?}"
        );
    }
    let deployment = server
        .object("deployments.apps", Some("default"), "backend")
        .unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);

    // A server dry run came before each apply, and no Secret was ever sent.
    let requests = server.requests();
    let dry_runs = requests.iter().filter(|r| r.is_dry_run()).count();
    let applies = requests.iter().filter(|r| r.is_apply()).count();
    assert!(
        applies > 0 && dry_runs >= applies,
        "{dry_runs} dry runs, {applies} applies"
    );
    assert!(
        !requests.iter().any(|r| r.path.contains("/secrets")),
        "a Secret was sent: {:?}",
        requests
            .iter()
            .filter(|r| r.path.contains("/secrets"))
            .collect::<Vec<_>>()
    );

    // One record of the cluster apply, naming what was applied.
    let records = project.records();
    assert_eq!(records.len(), records_before + 1);
    let record = &records.last().unwrap().record;
    assert!(record.labels.contains(&"cluster".to_string()));
    assert_eq!(record.aigen.as_ref().unwrap().outcome.status(), "ok");
    let response = record.response.as_deref().unwrap();
    assert!(response.contains("Deployment"), "{response}");
    assert!(!response.contains("Secret"), "{response}");
    assert_eq!(
        report["record"],
        records.last().unwrap().reference().as_str()
    );

    // Named on the command line, the template is read, set aside with a reason, and still not
    // sent.
    let run = apply_cluster(
        &project,
        &kubeconfig,
        &["--yes", "k8s/secret.yaml.example", "k8s/configmap.yaml"],
    )
    .await
    .expect(0);
    assert!(
        run.stderr.contains("skipped Secret") && run.stderr.contains("template"),
        "{}",
        run.stderr
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.path.contains("/secrets"))
    );
    project.run(&["history", "verify"]).expect(0);
}
