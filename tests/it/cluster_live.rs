//! Cluster apply against a real Kubernetes API server: in CI the control plane of
//! `.ci/control-plane.sh` (kube-apiserver, etcd, the controllers and kwok on loopback), on a
//! developer's machine that one or any disposable cluster. Every test is ignored by a plain
//! `cargo test` (which reports it as ignored, never as passed); `.ci/run` runs them with
//! `--ignored` and `AIGEN_TEST_KUBECONFIG` set, and without the variable they fail saying so.
//!
//! Each test works in a namespace of its own (`support::live_cluster::run`), deleted afterwards
//! with any cluster-scoped object it made, whether it passed or not, so the tests run in parallel
//! and leave nothing behind. What they show, each on the real server:
//!
//! - the whole flow on a fresh namespace: every object created in dependency order (the
//!   Namespace before the objects in it), a Secret's values (and their base64) never in a diff,
//!   a second plan with nothing to do, one change diffed alone, the rollout waited for;
//! - a server dry run stores nothing, for new and for existing objects;
//! - another field manager: a conflict naming it and its fields, found by the dry run, `--force`
//!   taking the fields over, and a conflict that arises between plan and apply stopping the
//!   apply part-way with what was and was not applied;
//! - rejected manifests: a 422 with the field path and the manifest's line, the 500 the server
//!   gives for a field outside the schema, named as invalid with the field, and an unknown kind;
//! - RBAC: a ServiceAccount's token that may only read ConfigMaps is refused with the user, verb,
//!   resource and namespace named; a token the server does not know is a 401;
//! - a CustomResourceDefinition and a custom resource of it in one apply;
//! - rollouts with kwok: pods becoming ready and available, a Deployment that cannot schedule
//!   timing out, and one past its progress deadline failing at once;
//! - the binary: `aigen apply --cluster` of the generated todo-app manifests (dry run, apply,
//!   wait, record, `--force`); the server's defaults (Service cluster IPs, Deployment strategies,
//!   container defaults, ...) never showing as changes, a new image a two-line diff; `--undo` of
//!   a cluster apply refused with what to do instead; a forbidden apply named.

use std::path::Path;
use std::time::Duration;

use crate::support::cluster::{objects, plan_of, write_manifests};
use crate::support::command::Run;
use crate::support::example::Project;
use crate::support::live_cluster::{self, Live, run, unique_name};
use crate::support::mcp::PythonSdk;
use aigen::apply::cluster::{Action, Manifests, PlanOptions, RolloutOptions};
use aigen::secrets::k8s::diff::{HIDDEN, HIDDEN_NEW, HIDDEN_OLD};
use base64::Engine as _;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};

fn resource(api_version: &str, kind: &str, plural: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: api_version.into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

fn configmaps() -> ApiResource {
    resource("v1", "ConfigMap", "configmaps")
}

fn deployments() -> ApiResource {
    resource("apps/v1", "Deployment", "deployments")
}

fn namespaces() -> ApiResource {
    resource("v1", "Namespace", "namespaces")
}

fn crds() -> ApiResource {
    resource(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
    )
}

/// A Deployment of `name` with `replicas` pods and whatever `extra` adds to its spec (indented
/// as `spec`'s fields), in `namespace`.
fn deployment(namespace: &str, name: &str, replicas: u32, extra: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
{extra}  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: main
          image: registry.k8s.io/pause:3.10
          resources:
            requests: {{cpu: 10m, memory: 16Mi}}
            limits: {{cpu: 50m, memory: 32Mi}}
"
    )
}

fn app(namespace: &str, greeting: &str, password: &str) -> String {
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
  PASSWORD: {password}
---
{}---
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
",
        deployment(namespace, "pause", 1, "")
    )
}

fn fast() -> RolloutOptions {
    RolloutOptions {
        timeout: Duration::from_secs(120),
        interval: Duration::from_millis(250),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn plan_apply_and_wait_on_a_real_cluster() {
    run("flow", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.cluster().await;
        eprintln!(
            "cluster {} ({}), namespace {ns}",
            cluster.endpoint().server,
            cluster.server_version().await.unwrap()
        );
        let password = "live-test-password-0193";
        let encoded = base64::engine::general_purpose::STANDARD.encode(password);
        let manifests = write_manifests(live.dir.path(), "app.yaml", &app(&ns, "hello", password));

        // A fresh namespace: everything is new, the Namespace first; the objects in it cannot be
        // dry-run yet and say so.
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        let order: Vec<String> = plan.changes.iter().map(|c| c.object.kind.clone()).collect();
        assert_eq!(
            order,
            ["Namespace", "Secret", "ConfigMap", "Service", "Deployment"]
        );
        assert!(plan.changes.iter().all(|c| c.action == Action::Create));
        assert!(plan.changes[0].note.is_none());
        for change in &plan.changes[1..] {
            let note = change.note.as_deref().unwrap();
            assert!(note.contains(&format!("namespace `{ns}` is created by this apply")), "{note}");
        }
        let secret = &plan.changes[1];
        assert!(secret.diff().contains(HIDDEN));
        assert!(!secret.diff().contains(password));

        let report = cluster.apply(&plan.changes).await.into_result().unwrap();
        assert_eq!(report.applied.len(), 5);
        let stored = live.get(&configmaps(), true, "settings").await.unwrap();
        assert_eq!(stored["data"]["GREETING"], "hello");

        // Applied: planning again finds nothing to do, server bookkeeping and defaults and all,
        // and the Secret (which the server stores base64-encoded) shows neither form.
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        for change in &plan.changes {
            assert_eq!(change.action, Action::Unchanged, "{}:\n{}", change.object, change.diff());
            assert!(change.note.is_none(), "{:?}", change.note);
            let shown = format!("{}{}", change.live.as_deref().unwrap(), change.proposed);
            assert!(!shown.contains(password) && !shown.contains(&encoded), "{shown}");
        }
        // Approved all the same, unchanged objects are not sent.
        let before = live.get(&configmaps(), true, "settings").await.unwrap();
        let report = cluster.apply(&plan.changes).await.into_result().unwrap();
        assert!(report.applied.is_empty());
        assert_eq!(report.unchanged.len(), 5);
        let after = live.get(&configmaps(), true, "settings").await.unwrap();
        assert_eq!(before["metadata"]["resourceVersion"], after["metadata"]["resourceVersion"]);

        // One changed value: one change, and the diff shows only it; a new password shows that
        // it changes and nothing of either value.
        let manifests = write_manifests(
            live.dir.path(),
            "app.yaml",
            &app(&ns, "goodbye", "live-test-password-0194"),
        );
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        let pending: Vec<_> = plan.pending().collect();
        let kinds: Vec<&str> = pending.iter().map(|c| c.object.kind.as_str()).collect();
        assert_eq!(kinds, ["Secret", "ConfigMap"]);
        let secret_diff = pending[0].diff();
        assert!(
            secret_diff.contains(&format!("-  PASSWORD: {HIDDEN_OLD}\n+  PASSWORD: {HIDDEN_NEW}\n")),
            "{secret_diff}"
        );
        for value in [password, &encoded, "live-test-password-0194"] {
            assert!(!secret_diff.contains(value), "{secret_diff}");
        }
        let diff = pending[1].diff();
        assert!(diff.contains("-  GREETING: hello\n+  GREETING: goodbye\n"), "{diff}");
        assert_eq!(changed_lines(&diff), 2, "{diff}");
        cluster.apply(pending).await.into_result().unwrap();

        // The Deployment rolls out: kwok's node runs its pod.
        let states = cluster
            .wait_for_rollouts(&objects(&plan), fast(), |r| eprintln!("{r}"))
            .await
            .unwrap();
        assert_eq!(states.len(), 1);
        assert!(states[0].done && states[0].ready == 1, "{:?}", states[0]);

        // An unknown kind is refused, naming it and what to install.
        let unknown = format!(
            "apiVersion: example.invalid/v1\nkind: Nothing\nmetadata: {{name: nothing, namespace: {ns}}}\n"
        );
        let error = plan_of(
            &cluster,
            &write_manifests(live.dir.path(), "unknown.yaml", &unknown),
        )
        .await
        .unwrap_err();
        assert!(error.to_string().starts_with("unknown kind Nothing (example.invalid/v1)"), "{error}");
        assert!(error.hint().unwrap().contains("CustomResourceDefinition"));
        assert!(error.to_string().contains(&cluster.endpoint().server), "{error}");
        // A kind a served group does not have is just as unknown.
        let widget = write_manifests(
            live.dir.path(),
            "widget.yaml",
            "apiVersion: apps/v1\nkind: Widget\nmetadata: {name: w}\n",
        );
        let error = plan_of(&cluster, &widget).await.unwrap_err();
        assert!(error.to_string().starts_with("unknown kind Widget (apps/v1)"), "{error}");
    })
    .await;
}

/// The `+`/`-` lines of a unified diff, headers aside.
fn changed_lines(diff: &str) -> usize {
    diff.lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn a_server_dry_run_stores_nothing() {
    run("dry-run", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.ready().await;
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: {ns}}}\ndata: {{A: '1'}}\n---\n{}",
            deployment(&ns, "web", 2, "")
        );
        let manifests = write_manifests(live.dir.path(), "app.yaml", &text);

        // New objects: the server dry-ran them (the Deployment came back with its defaults) and
        // stored none of them.
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        assert!(plan.changes.iter().all(|c| c.action == Action::Create && c.note.is_none()));
        let proposed = &plan.changes[1].proposed;
        assert!(proposed.contains("progressDeadlineSeconds: 600"), "{proposed}");
        assert!(proposed.contains("terminationMessagePath: /dev/termination-log"), "{proposed}");
        assert!(live.get(&configmaps(), true, "settings").await.is_none());
        assert!(live.get(&deployments(), true, "web").await.is_none());

        // Only what a person approved is applied: the ConfigMap, not the Deployment.
        let report = cluster.apply([&plan.changes[0]]).await.into_result().unwrap();
        assert_eq!(report.applied.len(), 1);
        assert!(live.get(&configmaps(), true, "settings").await.is_some());
        assert!(live.get(&deployments(), true, "web").await.is_none());

        // Existing objects (rolled out, so that no controller changes them any more): a planned
        // change leaves them exactly as they were.
        cluster.apply(&plan.changes[1..]).await.into_result().unwrap();
        cluster
            .wait_for_rollouts(&objects(&plan), fast(), |_| {})
            .await
            .unwrap();
        let before = live.get(&deployments(), true, "web").await.unwrap();
        let changed = text.replace("replicas: 2", "replicas: 3").replace("A: '1'", "A: '2'");
        let manifests = write_manifests(live.dir.path(), "app.yaml", &changed);
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        assert_eq!(plan.pending().count(), 2);
        let after = live.get(&deployments(), true, "web").await.unwrap();
        assert_eq!(
            before["metadata"]["resourceVersion"],
            after["metadata"]["resourceVersion"]
        );
        assert_eq!(after["spec"]["replicas"], 2);
        let configmap = live.get(&configmaps(), true, "settings").await.unwrap();
        assert_eq!(configmap["data"]["A"], "1");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn another_field_manager_conflicts_and_force_takes_its_fields() {
    run("conflict", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.ready().await;
        let manifests =
            write_manifests(live.dir.path(), "web.yaml", &deployment(&ns, "web", 2, ""));
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        cluster.apply(&plan.changes).await.into_result().unwrap();

        // Someone scales by hand (`kubectl edit` is an update by field manager kubectl-edit):
        // the field is theirs now.
        edit_replicas(&live, "web", 5).await;

        // Applying our manifest again conflicts, at the dry run, naming them and the field;
        // nothing changed.
        let error = plan_of(&cluster, &manifests).await.unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("conflict applying Deployment {ns}/web: ")),
            "{text}"
        );
        assert!(
            text.contains("field manager `kubectl-edit` owns .spec.replicas"),
            "{text}"
        );
        assert!(
            error.hint().unwrap().contains("--force"),
            "{:?}",
            error.hint()
        );
        assert_eq!(error.exit_status() as u8, 3);
        assert_eq!(
            live.get(&deployments(), true, "web").await.unwrap()["spec"]["replicas"],
            5
        );

        // With force, aigen takes the field back and owns it alone.
        let plan = cluster
            .plan(&manifests, PlanOptions { force: true })
            .await
            .unwrap();
        let pending: Vec<_> = plan.pending().collect();
        assert_eq!(pending.len(), 1);
        assert!(pending[0].force());
        let diff = pending[0].diff();
        assert!(diff.contains("-  replicas: 5\n+  replicas: 2\n"), "{diff}");
        let report = cluster.apply(pending).await.into_result().unwrap();
        assert!(report.applied[0].forced);
        let stored = live.get(&deployments(), true, "web").await.unwrap();
        assert_eq!(stored["spec"]["replicas"], 2);
        let owners = owners_of_replicas(&stored);
        assert_eq!(owners, ["aigen"], "{stored:#}");
    })
    .await;
}

/// Sets a Deployment's replicas the way `kubectl edit` does: an update (not an apply) by field
/// manager `kubectl-edit`.
async fn edit_replicas(live: &Live, name: &str, replicas: u32) {
    let api: Api<DynamicObject> =
        Api::namespaced_with(live.client().await, &live.namespace, &deployments());
    let params = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..PatchParams::default()
    };
    api.patch(
        name,
        &params,
        &Patch::Merge(json!({"spec": {"replicas": replicas}})),
    )
    .await
    .unwrap();
}

/// The field managers whose managed fields include `spec.replicas`.
fn owners_of_replicas(object: &Value) -> Vec<String> {
    object["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m.pointer("/fieldsV1/f:spec/f:replicas").is_some())
        .map(|m| m["manager"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn a_conflict_between_plan_and_apply_stops_the_apply_naming_both_sides() {
    run("part-way", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.ready().await;
        let text = |greeting: &str, replicas: u32, pause: &str| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: {ns}}}\ndata: {{GREETING: {greeting}}}\n---\n{}---\n{}",
                deployment(&ns, "api", replicas, ""),
                deployment(&ns, "worker", 1, "").replace("pause:3.10", pause)
            )
        };
        let first = write_manifests(live.dir.path(), "app.yaml", &text("hello", 1, "pause:3.10"));
        let plan = plan_of(&cluster, &first).await.unwrap();
        cluster.apply(&plan.changes).await.into_result().unwrap();

        // Planned and approved; then someone scales `api` before the apply goes through.
        let second = write_manifests(live.dir.path(), "app.yaml", &text("goodbye", 2, "pause:3.9"));
        let plan = plan_of(&cluster, &second).await.unwrap();
        assert_eq!(plan.pending().count(), 3);
        edit_replicas(&live, "api", 4).await;
        let report = cluster.apply(plan.pending()).await;
        let applied: Vec<String> = report.applied.iter().map(|a| a.object.to_string()).collect();
        assert_eq!(applied, [format!("ConfigMap {ns}/settings")]);
        assert_eq!(report.not_applied.len(), 1);
        let error = report.into_result().unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("the apply stopped at Deployment {ns}/api (")),
            "{text}"
        );
        assert!(text.contains("app.yaml:"), "{text}");
        assert!(text.contains("field manager `kubectl-edit` owns .spec.replicas"), "{text}");
        assert!(text.contains(&format!("\n  applied: ConfigMap {ns}/settings\n")), "{text}");
        assert!(
            text.contains(&format!("\n  not applied: Deployment {ns}/api, Deployment {ns}/worker")),
            "{text}"
        );
        assert!(error.hint().unwrap().contains("then apply again"), "{:?}", error.hint());
        // What the apply did not reach is as it was.
        let worker = live.get(&deployments(), true, "worker").await.unwrap();
        let image = &worker["spec"]["template"]["spec"]["containers"][0]["image"];
        assert_eq!(image, "registry.k8s.io/pause:3.10");
        let settings = live.get(&configmaps(), true, "settings").await.unwrap();
        assert_eq!(settings["data"]["GREETING"], "goodbye");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn rejected_manifests_name_the_field_and_the_line() {
    run("invalid", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.ready().await;
        let valid = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: first, namespace: {ns}}}\n---\n{}",
            deployment(&ns, "web", 1, "")
        );

        // A value the API validates: 422 with the field path, and the manifest's place.
        let invalid = valid.replace("replicas: 1", "replicas: -1");
        let error = plan_of(&cluster, &write_manifests(live.dir.path(), "invalid.yaml", &invalid))
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with(&format!("the cluster refused Deployment {ns}/web as invalid: ")), "{text}");
        assert!(
            text.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
            "{text}"
        );
        let hint = error.hint().unwrap();
        assert!(hint.starts_with("fix the manifest at "), "{hint}");
        assert!(hint.contains("invalid.yaml:5 (document 2)"), "{hint}");

        // A field the schema does not have: the server answers 500, aigen says invalid and names
        // the field.
        let unknown = valid.replace("          image:", "          imagePullPolicyy: Always\n          image:");
        let error = plan_of(&cluster, &write_manifests(live.dir.path(), "unknown.yaml", &unknown))
            .await
            .unwrap_err();
        let text = error.to_string();
        assert_eq!(
            text,
            format!(
                "the cluster refused Deployment {ns}/web as invalid: .spec.template.spec.containers[name=\"main\"].imagePullPolicyy: field not declared in schema"
            )
        );
        assert!(error.hint().unwrap().contains("unknown.yaml:5 (document 2)"), "{:?}", error.hint());
        assert_eq!(error.exit_status() as u8, 3);

        // A value of the wrong type, the same way.
        let typed = valid.replace("replicas: 1", "replicas: two");
        let error = plan_of(&cluster, &write_manifests(live.dir.path(), "typed.yaml", &typed))
            .await
            .unwrap_err();
        assert!(
            error.to_string().ends_with("as invalid: .spec.replicas: expected numeric (int or float), got string"),
            "{error}"
        );
        // Nothing of any of them reached the cluster.
        assert!(live.get(&configmaps(), true, "first").await.is_none());
        assert!(live.get(&deployments(), true, "web").await.is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn namespaces_come_from_the_manifest_the_flag_or_the_context() {
    run("namespaces", &[], |live| async move {
        let ns = live.namespace.clone();
        let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: '1'}\n";
        let manifests = write_manifests(live.dir.path(), "plain.yaml", plain);

        // Without a namespace anywhere, the context's (`default`).
        let plan = plan_of(&live.cluster().await, &manifests).await.unwrap();
        assert_eq!(plan.changes[0].object.namespace.as_deref(), Some("default"));

        // --namespace names one that does not exist, and no manifest creates it.
        let cluster = live.cluster_in_namespace().await;
        let error = plan_of(&cluster, &manifests).await.unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("namespace `{ns}` does not exist")),
            "{error}"
        );
        assert!(
            error
                .hint()
                .unwrap()
                .contains(&format!("kubectl create namespace {ns}"))
        );

        // Once it exists, objects without a namespace go there.
        live.create_namespace().await;
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        assert_eq!(
            plan.changes[0].object.namespace.as_deref(),
            Some(ns.as_str())
        );
        cluster.apply(&plan.changes).await.into_result().unwrap();
        assert!(live.get(&configmaps(), true, "plain").await.is_some());

        // A manifest naming another namespace than --namespace is refused, as kubectl does.
        let other = write_manifests(
            live.dir.path(),
            "other.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: kube-system}\n",
        );
        let error = plan_of(&cluster, &other).await.unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "in namespace `kube-system`, but --namespace is `{ns}`"
            )),
            "{error}"
        );
        assert_eq!(error.exit_status() as u8, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn a_token_rbac_limits_is_refused_naming_user_verb_and_resource() {
    run("rbac", &[], |live| async move {
        let ns = live.namespace.clone();
        let kubeconfig = live
            .limited_kubeconfig("reader", &["get", "list"], &["configmaps"])
            .await;
        let user = format!("system:serviceaccount:{ns}:reader");
        let cluster = crate::support::cluster::connect(&kubeconfig).await;

        // It may read ConfigMaps, not change them: the dry run (a patch) is refused.
        let configmap = write_manifests(
            live.dir.path(),
            "configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n",
        );
        let error = plan_of(&cluster, &configmap).await.unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "forbidden: user `{user}` may not patch configmaps in namespace `{ns}`"
            )),
            "{text}"
        );
        let hint = error.hint().unwrap();
        assert!(
            hint.contains(&format!("auth can-i patch configmaps -n {ns}")),
            "{hint}"
        );
        assert_eq!(error.exit_status() as u8, 3);

        // It may not even read Deployments, nor Namespaces (cluster-wide).
        let web = write_manifests(live.dir.path(), "web.yaml", &deployment(&ns, "web", 1, ""));
        let error = plan_of(&cluster, &web).await.unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "forbidden: user `{user}` may not get deployments.apps in namespace `{ns}`"
            )),
            "{error}"
        );
        let namespace = write_manifests(
            live.dir.path(),
            "namespace.yaml",
            &format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"),
        );
        let error = plan_of(&cluster, &namespace).await.unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "forbidden: user `{user}` may not get namespaces (cluster-wide)"
            )),
            "{error}"
        );
        assert!(live.get(&configmaps(), true, "settings").await.is_none());

        // A token the server does not know: 401, and the token is not shown.
        let wrong = live.dir.path().join("wrong.kubeconfig");
        let token = "aigen-not-a-valid-token-5521";
        live_cluster::write_token_kubeconfig(&live.kubeconfig, &wrong, "stranger", token, &ns);
        let cluster = crate::support::cluster::connect(&wrong).await;
        let error = plan_of(&cluster, &configmap).await.unwrap_err();
        let text = format!("{error} {:?}", error.hint());
        assert!(
            text.contains("did not accept the credentials of context `stranger`"),
            "{text}"
        );
        assert!(!text.contains(token), "{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn a_custom_resource_is_applied_after_its_definition_in_one_apply() {
    let group = format!("{}.example.com", unique_name("crd"));
    let definition = format!("crontabs.{group}");
    let cleanup = [(crds(), definition.clone())];
    run("crd", &cleanup, |live| async move {
        let ns = live.namespace.clone();
        live.create_namespace().await;
        // Written custom resource first: the order is aigen's to find.
        let text = format!(
            "apiVersion: {group}/v1
kind: CronTab
metadata: {{name: nightly, namespace: {ns}}}
spec: {{cronSpec: '0 3 * * *', image: backup:1.0}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: {definition}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{kind: CronTab, plural: crontabs, singular: crontab}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                cronSpec: {{type: string}}
                image: {{type: string}}
"
        );
        let manifests = write_manifests(live.dir.path(), "crontab.yaml", &text);
        let cluster = live.cluster().await;
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        let order: Vec<String> = plan.changes.iter().map(|c| c.object.to_string()).collect();
        assert_eq!(
            order,
            [
                format!("CustomResourceDefinition {definition}"),
                format!("CronTab {ns}/nightly")
            ]
        );
        let custom = &plan.changes[1];
        assert_eq!(custom.action, Action::Create);
        assert_eq!(custom.object.resource, "crontabs");
        assert_eq!(custom.waits_for_definition(), Some(definition.as_str()));
        assert!(
            custom.note.as_deref().unwrap().contains(&format!(
                "CustomResourceDefinition `{definition}` is created by this apply"
            )),
            "{:?}",
            custom.note
        );
        assert!(
            custom.proposed.contains("cronSpec: 0 3 * * *"),
            "{}",
            custom.proposed
        );
        // Planning stored nothing.
        assert!(live.get(&crds(), false, &definition).await.is_none());

        let report = cluster.apply(&plan.changes).await.into_result().unwrap();
        assert_eq!(report.applied.len(), 2);
        let crontabs = resource(&format!("{group}/v1"), "CronTab", "crontabs");
        let stored = live.get(&crontabs, true, "nightly").await.unwrap();
        assert_eq!(stored["spec"]["image"], "backup:1.0");

        // Now the kind is served: a new connection plans both by dry run, with nothing to do.
        let plan = plan_of(&live.cluster().await, &manifests).await.unwrap();
        for change in &plan.changes {
            assert_eq!(
                change.action,
                Action::Unchanged,
                "{}:\n{}",
                change.object,
                change.diff()
            );
            assert!(change.waits_for_definition().is_none());
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn rollouts_are_waited_for_and_failures_named() {
    run("rollout", &[], |live| async move {
        let ns = live.namespace.clone();
        let cluster = live.ready().await;

        // A Deployment whose two pods kwok makes ready at once and that count as available two
        // seconds later, a StatefulSet and a DaemonSet (one pod on kwok's one node): the wait
        // reports the way there and ends when all three have rolled out.
        let text = format!(
            "{}---\n{}---\n{}",
            deployment(&ns, "web", 2, "  minReadySeconds: 2\n"),
            deployment(&ns, "db", 2, "  serviceName: db\n")
                .replace("kind: Deployment", "kind: StatefulSet"),
            deployment(&ns, "agent", 1, "")
                .replace("kind: Deployment", "kind: DaemonSet")
                .replace("  replicas: 1\n", "")
        );
        let manifests = write_manifests(live.dir.path(), "workloads.yaml", &text);
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        cluster.apply(&plan.changes).await.into_result().unwrap();
        let mut seen = Vec::new();
        let states = cluster
            .wait_for_rollouts(&objects(&plan), fast(), |r| seen.push(r.to_string()))
            .await
            .unwrap();
        assert_eq!(states.len(), 3);
        assert!(states.iter().all(|s| s.done), "{seen:?}");
        for line in [
            "agent: 1/1 ready, rolled out",
            "web: 2/2 ready, rolled out",
            "db: 2/2 ready, rolled out",
        ] {
            assert!(seen.iter().any(|s| s == line), "{line} in {seen:?}");
        }
        let web: Vec<&String> = seen.iter().filter(|s| s.starts_with("web: ")).collect();
        assert!(web.len() >= 2 && web[0].ends_with(')'), "{seen:?}");

        // Pods no node can take: the wait times out naming the Deployment and its conditions.
        let stuck = deployment(&ns, "stuck", 1, "").replace(
            "      containers:",
            "      nodeSelector: {aigen-test/none: 'true'}\n      containers:",
        );
        let manifests = write_manifests(live.dir.path(), "stuck.yaml", &stuck);
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        cluster.apply(&plan.changes).await.into_result().unwrap();
        let options = RolloutOptions {
            timeout: Duration::from_secs(3),
            interval: Duration::from_millis(250),
        };
        let error = cluster
            .wait_for_rollouts(&objects(&plan), options, |_| {})
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("Deployment {ns}/stuck not ready after 3s")),
            "{text}"
        );
        assert!(text.contains("stuck: 0/1 ready"), "{text}");
        assert!(
            text.contains("Available=False MinimumReplicasUnavailable"),
            "{text}"
        );
        assert!(
            error
                .hint()
                .unwrap()
                .contains(&format!("kubectl describe deployment stuck -n {ns}"))
        );

        // The same past a one-second progress deadline fails as soon as the controller says so.
        let late = stuck
            .replace("name: stuck", "name: late")
            .replace("{app: stuck}", "{app: late}")
            .replace(
                "  replicas: 1\n",
                "  replicas: 1\n  progressDeadlineSeconds: 1\n",
            );
        let manifests = write_manifests(live.dir.path(), "late.yaml", &late);
        let plan = plan_of(&cluster, &manifests).await.unwrap();
        cluster.apply(&plan.changes).await.into_result().unwrap();
        let error = cluster
            .wait_for_rollouts(&objects(&plan), fast(), |_| {})
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("the rollout of Deployment {ns}/late failed")),
            "{text}"
        );
        assert!(text.contains("ProgressDeadlineExceeded"), "{text}");
    })
    .await;
}

/// `aigen apply --cluster --kubeconfig <admin> ...` in `project`, off the async runtime.
async fn aigen_apply(project: &Project, kubeconfig: &Path, args: &[&str]) -> Run {
    let mut command = project.aigen();
    command
        .args(["apply", "--cluster", "--kubeconfig"])
        .arg(kubeconfig)
        .args(args);
    tokio::task::spawn_blocking(move || Run::of(&mut command))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn the_binary_applies_generated_manifests_and_records_it() {
    run("binary", &[], |live| async move {
        let ns = live.namespace.clone();
        let project = Project::todo_app();
        project.run(&["manifest", "--all", "--yes"]).expect(0);
        live.create_namespace().await;
        let records_before = project.records().len();
        let kubeconfig = live.kubeconfig.clone();

        // A dry run: planned by the server, nothing applied, nothing recorded.
        let dry = aigen_apply(
            &project,
            &kubeconfig,
            &["-n", &ns, "--dry-run", "--format", "json"],
        )
        .await
        .expect(0);
        let plan = dry.json();
        assert_eq!(plan["dry_run"], true);
        let planned = plan["planned"].as_array().unwrap().clone();
        assert!(
            planned.contains(&format!("Deployment {ns}/backend (create)").into()),
            "{plan}"
        );
        assert!(
            !planned
                .iter()
                .any(|p| p.as_str().unwrap().starts_with("Secret")),
            "{plan}"
        );
        assert!(live.get(&deployments(), true, "backend").await.is_none());
        assert_eq!(project.records().len(), records_before);

        // The apply, with the rollouts waited for (kwok runs the pods).
        let applied = aigen_apply(
            &project,
            &kubeconfig,
            &[
                "-n",
                &ns,
                "--yes",
                "--wait",
                "--timeout",
                "120",
                "--format",
                "json",
            ],
        )
        .await
        .expect(0);
        let report = applied.json();
        assert_eq!(
            report["applied"].as_array().unwrap().len(),
            planned.len(),
            "{report}"
        );
        for name in ["backend", "frontend-web", "frontend-chatbot"] {
            assert!(
                applied
                    .stderr
                    .contains(&format!("{name}: 2/2 ready, rolled out")),
                "{}",
                applied.stderr
            );
            let stored = live.get(&deployments(), true, name).await.unwrap();
            assert_eq!(stored["status"]["availableReplicas"], 2, "{name}");
        }
        let records = project.records();
        assert_eq!(records.len(), records_before + 1);
        let record = &records.last().unwrap().record;
        assert!(record.labels.contains(&"cluster".to_string()));
        assert_eq!(record.aigen.as_ref().unwrap().outcome.status(), "ok");
        let response = record.response.as_deref().unwrap();
        assert!(
            response.contains(&format!("Deployment {ns}/backend (create)")),
            "{response}"
        );
        assert!(!response.contains("Secret"), "{response}");
        assert_eq!(
            report["record"],
            records.last().unwrap().reference().as_str()
        );

        // Again: nothing to do. The server filled in cluster IPs, strategies, container and pod
        // defaults, ...; none of it is a change.
        let again = aigen_apply(
            &project,
            &kubeconfig,
            &["-n", &ns, "--dry-run", "--format", "json"],
        )
        .await
        .expect(0);
        let planned = again.json()["planned"].as_array().unwrap().clone();
        assert!(
            planned
                .iter()
                .all(|p| p.as_str().unwrap().ends_with("(unchanged)")),
            "{planned:?}"
        );
        let k8s = project.path("k8s");
        let cluster = live.cluster_in_namespace().await;
        let plan = plan_of(
            &cluster,
            &Manifests::load(std::slice::from_ref(&k8s)).unwrap(),
        )
        .await
        .unwrap();
        for change in &plan.changes {
            assert_eq!(
                change.action,
                Action::Unchanged,
                "{}:\n{}",
                change.object,
                change.diff()
            );
        }
        let service = plan
            .changes
            .iter()
            .find(|c| c.object.kind == "Service")
            .unwrap();
        assert!(
            service.proposed.contains("clusterIP: "),
            "{}",
            service.proposed
        );

        // A new image is a two-line diff.
        let file = k8s.join("backend-deployment.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("image: todo-app/backend:1.0.0"));
        std::fs::write(
            &file,
            text.replace("todo-app/backend:1.0.0", "todo-app/backend:1.0.1"),
        )
        .unwrap();
        let plan = plan_of(&cluster, &Manifests::load(&[k8s]).unwrap())
            .await
            .unwrap();
        let pending: Vec<_> = plan.pending().collect();
        assert_eq!(pending.len(), 1);
        assert_eq!(
            pending[0].object.to_string(),
            format!("Deployment {ns}/backend")
        );
        let diff = pending[0].diff();
        assert_eq!(changed_lines(&diff), 2, "{diff}");
        for noise in [
            "managedFields",
            "resourceVersion",
            "uid:",
            "creationTimestamp",
            "status:",
            "deployment.kubernetes.io/revision",
        ] {
            assert!(!diff.contains(noise), "{noise} in {diff}");
        }
        assert!(
            diff.lines()
                .any(|l| l.starts_with('+') && l[1..].trim() == "image: todo-app/backend:1.0.1"),
            "{diff}"
        );

        // Scaled by hand; the apply conflicts, --force takes the field and says so.
        edit_replicas(&live, "backend", 3).await;
        let conflict = aigen_apply(&project, &kubeconfig, &["-n", &ns, "--yes"])
            .await
            .expect(3);
        assert!(
            conflict
                .stderr
                .contains("field manager `kubectl-edit` owns .spec.replicas"),
            "{}",
            conflict.stderr
        );
        assert!(conflict.stderr.contains("--force"), "{}", conflict.stderr);
        let forced = aigen_apply(
            &project,
            &kubeconfig,
            &["-n", &ns, "--yes", "--force", "--format", "json"],
        )
        .await
        .expect(0);
        assert_eq!(
            forced.json()["applied"],
            json!([format!("Deployment {ns}/backend (update, forced)")])
        );

        // Named on the command line, the Secret template is read, set aside with a reason, and
        // still not sent.
        let named = aigen_apply(
            &project,
            &kubeconfig,
            &[
                "-n",
                &ns,
                "--yes",
                "k8s/secret.yaml.example",
                "k8s/configmap.yaml",
            ],
        )
        .await
        .expect(0);
        assert!(
            named.stderr.contains("skipped Secret") && named.stderr.contains("template"),
            "{}",
            named.stderr
        );
        let secrets = resource("v1", "Secret", "secrets");
        assert!(live.get(&secrets, true, "todo-app-secrets").await.is_none());

        // A cluster apply cannot be undone by aigen, and it says what to do instead.
        let reference = forced.json()["record"].as_str().unwrap().to_string();
        let undo = project.run(&["apply", "--undo", &reference]).expect(2);
        assert!(
            undo.stderr.contains(&format!(
                "record `{reference}` applied manifests to a cluster"
            )),
            "{}",
            undo.stderr
        );
        assert!(
            undo.stderr.contains("kubectl rollout undo"),
            "{}",
            undo.stderr
        );
        project.run(&["history", "verify"]).expect(0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn the_binary_names_a_forbidden_apply() {
    run("binary-rbac", &[], |live| async move {
        let ns = live.namespace.clone();
        let kubeconfig = live
            .limited_kubeconfig("viewer", &["get", "list", "watch"], &["*"])
            .await;
        let project = Project::todo_app();
        project.run(&["manifest", "--all", "--yes"]).expect(0);
        let run = aigen_apply(&project, &kubeconfig, &["--yes"])
            .await
            .expect(3);
        let user = format!("system:serviceaccount:{ns}:viewer");
        assert!(
            run.stderr
                .contains(&format!("forbidden: user `{user}` may not patch")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("in namespace `{ns}`")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("auth can-i patch"), "{}", run.stderr);
        // Nothing was applied, and the failed plan left no record.
        let namespace_objects = live.get(&namespaces(), false, &ns).await;
        assert!(namespace_objects.is_some());
        assert!(live.get(&deployments(), true, "backend").await.is_none());
        assert!(
            !project
                .records()
                .iter()
                .any(|r| r.record.labels.contains(&"cluster".to_string()))
        );
    })
    .await;
}

/// `apply_cluster` through `aigen mcp --allow-apply` (the official Python SDK over stdio, the
/// server given the kubeconfig by `KUBECONFIG`): declined, nothing reaches the cluster; accepted
/// through elicitation, the backend's generated manifests are applied by server-side apply and
/// the apply is recorded with the client's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn mcp_apply_cluster_confirmed_through_elicitation() {
    let Some(sdk) = PythonSdk::find() else { return };
    run("mcp", &[], |live| async move {
        let ns = live.namespace.clone();
        let project = Project::todo_app();
        project.run(&["manifest", "--all", "--yes"]).expect(0);
        live.create_namespace().await;
        // The backend only: the frontends' NodePorts are the cluster's, and another test of
        // this run applies them.
        let paths = [
            "k8s/backend-deployment.yaml",
            "k8s/backend-service.yaml",
            "k8s/backend-serviceaccount.yaml",
            "k8s/configmap.yaml",
        ];
        let arguments = json!({ "namespace": ns, "paths": paths }).to_string();
        let kubeconfig = live.kubeconfig.clone();
        let call = |answer: &str| {
            let mut command = sdk.stdio_command(
                &project,
                &[
                    "--answer",
                    answer,
                    "--tool",
                    "apply_cluster",
                    "--arguments",
                    &arguments,
                ],
                "call",
                &["--allow-apply"],
            );
            command.env("KUBECONFIG", &kubeconfig);
            let run = Run::of(&mut command).expect(0);
            let last = run.stdout.lines().last().unwrap_or_default().to_string();
            serde_json::from_str::<Value>(&last).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
        };

        let declined = tokio::task::block_in_place(|| call("decline"));
        let result = &declined["result"];
        assert_eq!(result["is_error"], true, "{declined}");
        assert!(
            result["text"].as_str().unwrap().contains("declined"),
            "{result}"
        );
        assert_eq!(declined["elicitations"].as_array().unwrap().len(), 1);
        assert!(live.get(&deployments(), true, "backend").await.is_none());

        let accepted = tokio::task::block_in_place(|| call("accept"));
        let result = &accepted["result"];
        assert_eq!(result["is_error"], false, "{accepted}");
        assert_eq!(result["structured"]["confirmed"], "elicitation", "{result}");
        assert!(
            !result["structured"]["applied"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{result}"
        );
        assert!(live.get(&deployments(), true, "backend").await.is_some());
        let recorded = project.records().iter().any(|entry| {
            let text = std::fs::read_to_string(&entry.file.path).unwrap();
            text.contains("surface: mcp") && text.contains("aigen-tests-python-sdk")
        });
        assert!(recorded, "no record of the apply with the client");
    })
    .await;
}

/// The port values `AG-K024` (containers) and `AG-K102` (Services) report, which no schema
/// checker sees, are the ones the API server refuses: each failing fixture is refused with as
/// many field errors as aigen has findings, and each passing fixture is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real API server: set AIGEN_TEST_KUBECONFIG and run with --ignored"]
async fn the_api_server_refuses_exactly_the_port_values_lint_reports() {
    run("ports", &[], |live| async move {
        live.create_namespace().await;
        let cluster = live.cluster_in_namespace().await;
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k8s/rules");
        let constitution = aigen::policy::Constitution::preset().unwrap();
        for (code, fail, pass) in [
            ("AG-K024", "fail.yaml", "pass.yaml"),
            ("AG-K102", "fail-values.yaml", "pass-values.yaml"),
        ] {
            let read =
                |name: &str| std::fs::read_to_string(fixtures.join(code).join(name)).unwrap();
            // A number beyond 32 bits stops the server at decoding, before it validates the
            // rest; it is the schema's (`AG-K031`) and is left out here.
            let text: String = read(fail)
                .lines()
                .filter(|line| !line.contains("99999999999"))
                .map(|line| format!("{line}\n"))
                .collect();
            let path = Path::new(fail);
            let reported = aigen::policy::k8s::lint_documents(
                &[aigen::policy::k8s::ManifestText::new(path, &text)],
                &constitution,
            )
            .iter()
            .filter(|f| f.code == code)
            .count();
            let error = plan_of(&cluster, &write_manifests(live.dir.path(), fail, &text))
                .await
                .unwrap_err()
                .to_string();
            let refused =
                error.matches("Invalid value").count() + error.matches("Required value").count();
            assert!(reported > 0, "{code}/{fail} has no finding");
            assert_eq!(refused, reported, "{code}/{fail}: the server said {error}");
            plan_of(
                &cluster,
                &write_manifests(live.dir.path(), pass, &read(pass)),
            )
            .await
            .unwrap_or_else(|e| panic!("{code}/{pass} refused: {e}"));
        }
    })
    .await;
}
