//! Cluster apply against a real cluster, on demand: the test is ignored unless run with
//! `--ignored`, and then needs `AIGEN_TEST_KUBECONFIG` set to a kubeconfig whose current context
//! may create and delete namespaces (minikube or kind will do); without it, it fails saying so.
//!
//! Everything happens in a temporary namespace that is deleted afterwards, whether the test
//! passed or not.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::cluster::{connect, kube_client, objects, plan_of, write_manifests};
use aigen::apply::cluster::{Action, PlanOptions, RolloutOptions};
use aigen::secrets::k8s::diff::HIDDEN;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::json;

const VARIABLE: &str = "AIGEN_TEST_KUBECONFIG";

fn manifests_text(namespace: &str, greeting: &str) -> String {
    format!(
        "apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {namespace}
data:
  GREETING: {greeting}
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials
  namespace: {namespace}
stringData:
  PASSWORD: live-test-password-0193
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pause
  namespace: {namespace}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: pause}}
  template:
    metadata:
      labels: {{app: pause}}
    spec:
      containers:
        - name: pause
          image: registry.k8s.io/pause:3.10
          envFrom:
            - configMapRef: {{name: settings}}
          resources:
            requests: {{cpu: 10m, memory: 16Mi}}
            limits: {{cpu: 50m, memory: 32Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: pause
  namespace: {namespace}
spec:
  selector: {{app: pause}}
  ports:
    - port: 80
      targetPort: 8080
"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn plan_apply_and_wait_on_a_real_cluster() {
    let kubeconfig = std::env::var_os(VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("set {VARIABLE} to a kubeconfig of a disposable cluster"));
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let namespace = format!("aigen-test-{stamp}");
    let body = tokio::spawn(scenario(kubeconfig.clone(), namespace.clone()));
    let outcome = body.await;

    let namespaces: Api<Namespace> = Api::all(kube_client(&kubeconfig).await);
    if let Err(error) = namespaces
        .delete(&namespace, &DeleteParams::default())
        .await
    {
        eprintln!("could not delete namespace {namespace}: {error}");
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn scenario(kubeconfig: PathBuf, namespace: String) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&kubeconfig).await;
    eprintln!(
        "cluster {} ({}), namespace {namespace}",
        cluster.endpoint().server,
        cluster.server_version().await.unwrap()
    );

    // A fresh namespace: everything is new; the Secret's value is masked.
    let manifests = write_manifests(dir.path(), "app.yaml", &manifests_text(&namespace, "hello"));
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    assert_eq!(plan.changes.len(), 5);
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));
    assert_eq!(plan.changes[0].object.kind, "Namespace");
    let secret = plan
        .changes
        .iter()
        .find(|c| c.object.kind == "Secret")
        .unwrap();
    assert!(secret.diff().contains(HIDDEN));
    assert!(!secret.diff().contains("live-test-password-0193"));

    let report = cluster.apply(&plan.changes).await.into_result().unwrap();
    assert_eq!(report.applied.len(), 5);

    // Applied: planning again finds nothing to do, server bookkeeping and all.
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    for change in &plan.changes {
        assert_eq!(
            change.action,
            Action::Unchanged,
            "{}:\n{}",
            change.object,
            change.diff()
        );
    }

    // One changed value: one change, and the diff shows only it.
    let manifests = write_manifests(
        dir.path(),
        "app.yaml",
        &manifests_text(&namespace, "goodbye"),
    );
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    let pending: Vec<_> = plan.pending().collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].object.kind, "ConfigMap");
    let diff = pending[0].diff();
    assert!(
        diff.contains("-  GREETING: hello\n+  GREETING: goodbye\n"),
        "{diff}"
    );
    cluster.apply(pending).await.into_result().unwrap();

    // The Deployment rolls out.
    let options = RolloutOptions {
        timeout: Duration::from_secs(180),
        interval: Duration::from_secs(2),
    };
    let states = cluster
        .wait_for_rollouts(&objects(&plan), options, |r| eprintln!("{r}"))
        .await
        .unwrap();
    assert!(states.iter().all(|s| s.done && s.ready == 1));

    // Another field manager takes GREETING: without force a conflict naming it, with force ours.
    let client = kube_client(&kubeconfig).await;
    let resource = ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
    };
    let configmaps: Api<DynamicObject> = Api::namespaced_with(client, &namespace, &resource);
    let theirs = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"GREETING": "theirs"}});
    configmaps
        .patch(
            "settings",
            &PatchParams::apply("aigen-test-other").force(),
            &Patch::Apply(&theirs),
        )
        .await
        .unwrap();
    let error = plan_of(&cluster, &manifests).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("field manager `aigen-test-other` owns"),
        "{error}"
    );
    let plan = cluster
        .plan(&manifests, PlanOptions { force: true })
        .await
        .unwrap();
    cluster.apply(plan.pending()).await.into_result().unwrap();

    // An invalid object and an unknown kind are refused, naming them.
    let invalid = manifests_text(&namespace, "x").replace("replicas: 1", "replicas: -1");
    let error = plan_of(
        &cluster,
        &write_manifests(dir.path(), "invalid.yaml", &invalid),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("as invalid"), "{error}");
    assert!(error.to_string().contains("spec.replicas"), "{error}");
    let unknown = format!(
        "apiVersion: example.invalid/v1\nkind: Nothing\nmetadata: {{name: nothing, namespace: {namespace}}}\n"
    );
    let error = plan_of(
        &cluster,
        &write_manifests(dir.path(), "unknown.yaml", &unknown),
    )
    .await
    .unwrap_err();
    assert!(
        error.to_string().starts_with("unknown kind Nothing"),
        "{error}"
    );
}
