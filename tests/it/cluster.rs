//! Cluster apply against a Kubernetes API stand-in on loopback: plan (server dry run and diff),
//! apply in order, every error path, and the rollout wait.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::cluster::{connect, kube_client, objects, plan_of, write_manifests};
use crate::support::fake_apiserver::{
    CONTEXT, FakeApiServer, Fault, RolloutScript, Stage, TOKEN, VERSION, write_kubeconfig,
};
use aigen::apply::approve::{Approver, Decision, Proposal, Scripted};
use aigen::apply::cluster::{
    Action, Cluster, ConnectOptions, Manifests, Plan, PlanOptions, Rollout, RolloutOptions,
};
use aigen::secrets::k8s::diff::{HIDDEN, HIDDEN_NEW, HIDDEN_OLD};
use serde_json::json;
use tempfile::TempDir;

const NAMESPACE: &str = "todo-app";

/// A fake cluster, a kubeconfig for it, and a copy of the todo-app manifests to edit.
struct Setup {
    server: FakeApiServer,
    dir: TempDir,
    kubeconfig: PathBuf,
}

impl Setup {
    async fn new() -> Self {
        let server = FakeApiServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = server.write_kubeconfig(dir.path(), "default");
        let manifests = dir.path().join("k8s");
        std::fs::create_dir_all(&manifests).unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cluster/todo");
        for entry in std::fs::read_dir(fixtures).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), manifests.join(entry.file_name())).unwrap();
        }
        Self {
            server,
            dir,
            kubeconfig,
        }
    }

    fn manifest(&self, name: &str) -> PathBuf {
        self.dir.path().join("k8s").join(name)
    }

    /// The todo app, as a user would pass it: every file, the Secret template included.
    fn todo_app(&self) -> Manifests {
        let files: Vec<PathBuf> = [
            "web.yaml",
            "backend.yaml",
            "namespace.yaml",
            "secret.yaml.example",
        ]
        .iter()
        .map(|f| self.manifest(f))
        .collect();
        Manifests::load(&files).unwrap()
    }

    fn edit(&self, name: &str, from: &str, to: &str) {
        let path = self.manifest(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} is not in {name}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn options(&self) -> ConnectOptions {
        ConnectOptions {
            kubeconfig: Some(self.kubeconfig.clone()),
            context: None,
            namespace: None,
            kubeconfig_env: None,
            home: None,
            timeout: Duration::from_secs(10),
        }
    }

    async fn cluster(&self) -> Cluster {
        Cluster::connect(&self.options()).await.unwrap()
    }

    /// Connects afresh and plans `manifests` with the default options.
    async fn plan(&self, manifests: &Manifests) -> aigen::Result<Plan> {
        plan_of(&self.cluster().await, manifests).await
    }

    /// Plans and applies everything, checking that it all went through.
    async fn apply_all(&self, manifests: &Manifests) -> Plan {
        let cluster = self.cluster().await;
        let plan = plan_of(&cluster, manifests).await.unwrap();
        let report = cluster.apply(&plan.changes).await.into_result().unwrap();
        assert!(report.is_complete());
        plan
    }
}

fn labels(plan: &Plan) -> Vec<String> {
    plan.changes.iter().map(|c| c.object.to_string()).collect()
}

fn applied_paths(server: &FakeApiServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.is_apply())
        .map(|r| r.path)
        .collect()
}

fn some_manifests(text: &str) -> (TempDir, Manifests) {
    let dir = tempfile::tempdir().unwrap();
    let manifests = write_manifests(dir.path(), "objects.yaml", text);
    (dir, manifests)
}

#[tokio::test]
async fn a_fresh_cluster_gets_every_object_created_in_dependency_order() {
    let setup = Setup::new().await;
    let manifests = setup.todo_app();
    assert_eq!(manifests.skipped.len(), 1);
    assert_eq!(
        manifests.skipped[0].key.to_string(),
        "Secret todo-app/backend-secrets"
    );

    let cluster = setup.cluster().await;
    assert_eq!(cluster.server_version().await.unwrap(), VERSION);
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    assert_eq!(
        labels(&plan),
        [
            "Namespace todo-app",
            "ConfigMap todo-app/backend-config",
            "Service todo-app/web",
            "Service todo-app/backend",
            "Deployment todo-app/web",
            "Deployment todo-app/backend",
        ]
    );
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));
    for change in &plan.changes {
        let diff = change.diff();
        assert!(diff.starts_with("--- /dev/null\n+++ b/"), "{diff}");
    }
    // The namespace does not exist yet, so the objects in it are shown as written, with a note.
    let backend = &plan.changes[5];
    assert!(
        backend
            .note
            .as_deref()
            .unwrap()
            .contains("namespace `todo-app` is created by this apply")
    );
    assert!(
        backend.proposed.contains("image: todo-backend:1.0.0"),
        "{}",
        backend.proposed
    );
    assert!(plan.changes[0].note.is_none());

    // Planning changed nothing, and every patch was a dry run by field manager aigen.
    assert_eq!(setup.server.object_count(), 2);
    let patches: Vec<_> = setup
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 6);
    for patch in &patches {
        assert!(patch.is_dry_run(), "{patch:?}");
        assert!(patch.query.contains("fieldManager=aigen"), "{patch:?}");
        assert!(patch.query.contains("fieldValidation=Strict"), "{patch:?}");
        assert!(!patch.query.contains("force"), "{patch:?}");
        assert_eq!(
            patch.content_type.as_deref(),
            Some("application/apply-patch+yaml")
        );
    }
}

#[tokio::test]
async fn objects_are_applied_in_order_and_the_secret_template_never_is() {
    let setup = Setup::new().await;
    let manifests = setup.todo_app();
    let cluster = setup.cluster().await;
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    // Approved in a shuffled order; applied in plan order all the same.
    let mut approved: Vec<_> = plan.changes.iter().rev().collect();
    approved.swap(0, 3);
    let report = cluster.apply(approved).await.into_result().unwrap();
    assert_eq!(report.applied.len(), 6);
    assert!(
        report
            .applied
            .iter()
            .all(|a| a.action == Action::Create && !a.forced)
    );
    assert_eq!(
        applied_paths(&setup.server),
        [
            "/api/v1/namespaces/todo-app",
            "/api/v1/namespaces/todo-app/configmaps/backend-config",
            "/api/v1/namespaces/todo-app/services/web",
            "/api/v1/namespaces/todo-app/services/backend",
            "/apis/apps/v1/namespaces/todo-app/deployments/web",
            "/apis/apps/v1/namespaces/todo-app/deployments/backend",
        ]
    );
    let stored = setup
        .server
        .object("deployments.apps", Some(NAMESPACE), "backend")
        .unwrap();
    assert_eq!(
        stored["metadata"]["managedFields"][0]["manager"],
        json!("aigen")
    );
    assert_eq!(stored["spec"]["replicas"], json!(2));
    assert!(
        setup
            .server
            .requests()
            .iter()
            .all(|r| !r.path.contains("/secrets/"))
    );
    assert!(
        setup
            .server
            .object("secrets", Some(NAMESPACE), "backend-secrets")
            .is_none()
    );
}

#[tokio::test]
async fn only_the_objects_a_person_approved_are_applied() {
    let setup = Setup::new().await;
    let cluster = setup.cluster().await;
    let plan = plan_of(&cluster, &setup.todo_app()).await.unwrap();
    // The review loop a command runs: show each diff, ask, keep what was accepted.
    let mut approver = Scripted::new([
        Decision::Accept,
        Decision::Accept,
        Decision::Accept,
        Decision::Accept,
        Decision::Reject,
        Decision::Accept,
    ]);
    let mut approved = Vec::new();
    let mut shown = Vec::new();
    for change in plan.pending() {
        let target = change.object.to_string();
        let diff = change.diff();
        let proposal = Proposal {
            target: &target,
            content: &diff,
            has_errors: false,
        };
        shown.push(target.clone());
        if approver.decide(&proposal).unwrap() == Decision::Accept {
            approved.push(change);
        }
    }
    assert_eq!(shown[4], "Deployment todo-app/web");
    let report = cluster.apply(approved).await.into_result().unwrap();
    assert_eq!(report.applied.len(), 5);
    assert!(
        setup
            .server
            .object("deployments.apps", Some(NAMESPACE), "web")
            .is_none()
    );
    assert!(
        setup
            .server
            .object("deployments.apps", Some(NAMESPACE), "backend")
            .is_some()
    );
    assert!(
        applied_paths(&setup.server)
            .iter()
            .all(|p| !p.ends_with("/deployments/web"))
    );
}

#[tokio::test]
async fn after_an_apply_the_plan_has_nothing_to_do() {
    let setup = Setup::new().await;
    setup.apply_all(&setup.todo_app()).await;
    let plan = setup.plan(&setup.todo_app()).await.unwrap();
    assert_eq!(plan.changes.len(), 6);
    assert!(plan.is_empty());
    for change in &plan.changes {
        assert_eq!(change.action, Action::Unchanged, "{}", change.object);
        assert_eq!(change.diff(), "");
        assert!(change.note.is_none());
    }
    // Unchanged objects are not sent again.
    let before = applied_paths(&setup.server).len();
    let report = setup.cluster().await.apply(&plan.changes).await;
    assert_eq!(report.unchanged.len(), 6);
    assert_eq!(applied_paths(&setup.server).len(), before);
}

#[tokio::test]
async fn a_changed_manifest_diffs_only_the_change_without_server_noise() {
    let setup = Setup::new().await;
    setup.apply_all(&setup.todo_app()).await;
    setup.edit(
        "backend.yaml",
        "image: todo-backend:1.0.0",
        "image: todo-backend:1.1.0",
    );
    let plan = setup.plan(&setup.todo_app()).await.unwrap();
    let pending: Vec<_> = plan.pending().collect();
    assert_eq!(pending.len(), 1);
    let change = pending[0];
    assert_eq!(change.object.to_string(), "Deployment todo-app/backend");
    assert_eq!(change.action, Action::Update);
    let diff = change.diff();
    assert!(
        diff.starts_with("--- a/apps.v1.Deployment.todo-app.backend\n"),
        "{diff}"
    );
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(changed.len(), 2, "{diff}");
    assert!(
        changed[0].starts_with('-') && changed[0].ends_with("image: todo-backend:1.0.0"),
        "{diff}"
    );
    assert!(
        changed[1].starts_with('+') && changed[1].ends_with("image: todo-backend:1.1.0"),
        "{diff}"
    );
    // The live object has all of these; none reach the review.
    for noise in [
        "managedFields",
        "resourceVersion",
        "generation",
        "uid:",
        "creationTimestamp",
        "status:",
        "readyReplicas",
        "deployment.kubernetes.io/revision",
    ] {
        assert!(
            !change.proposed.contains(noise),
            "{noise} in {}",
            change.proposed
        );
        assert!(
            !change.live.as_deref().unwrap().contains(noise),
            "{noise} in live"
        );
    }
    // Server defaults are shown on both sides, so they are no change.
    assert!(
        change.proposed.contains("revisionHistoryLimit: 10"),
        "{}",
        change.proposed
    );
}

#[tokio::test]
async fn a_failure_part_way_says_what_was_applied_and_what_was_not() {
    let setup = Setup::new().await;
    setup.server.fail(
        "web",
        Stage::Apply,
        Fault::Forbidden {
            user: "system:serviceaccount:ci:deployer".into(),
        },
    );
    let cluster = setup.cluster().await;
    let plan = plan_of(&cluster, &setup.todo_app()).await.unwrap();
    let report = cluster.apply(&plan.changes).await;
    assert!(!report.is_complete());
    let applied: Vec<String> = report
        .applied
        .iter()
        .map(|a| a.object.to_string())
        .collect();
    assert_eq!(
        applied,
        ["Namespace todo-app", "ConfigMap todo-app/backend-config"]
    );
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(failure.object.to_string(), "Service todo-app/web");
    let not_applied: Vec<String> = report.not_applied.iter().map(ToString::to_string).collect();
    assert_eq!(
        not_applied,
        [
            "Service todo-app/backend",
            "Deployment todo-app/web",
            "Deployment todo-app/backend"
        ]
    );
    // Nothing after the failure reached the cluster.
    assert!(
        setup
            .server
            .object("services", Some(NAMESPACE), "backend")
            .is_none()
    );
    assert!(
        setup
            .server
            .object("deployments.apps", Some(NAMESPACE), "backend")
            .is_none()
    );

    let error = report.into_result().unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("the apply stopped at Service todo-app/web ("),
        "{text}"
    );
    assert!(text.contains("web.yaml:"), "{text}");
    assert!(text.contains("forbidden: user `system:serviceaccount:ci:deployer` may not patch services in namespace `todo-app`"), "{text}");
    assert!(
        text.contains("\n  applied: Namespace todo-app, ConfigMap todo-app/backend-config\n"),
        "{text}"
    );
    assert!(text.contains("\n  not applied: Service todo-app/web, Service todo-app/backend, Deployment todo-app/web, Deployment todo-app/backend"), "{text}");
    assert!(
        error
            .hint()
            .unwrap()
            .contains("auth can-i patch services -n todo-app"),
        "{:?}",
        error.hint()
    );
    assert_eq!(error.exit_status() as u8, 3);
}

#[tokio::test]
async fn a_conflict_names_the_other_manager_and_force_takes_the_fields() {
    let setup = Setup::new().await;
    setup.apply_all(&setup.todo_app()).await;
    setup.edit("backend.yaml", "replicas: 2", "replicas: 3");
    setup.server.fail(
        "deployments/backend",
        Stage::DryRun,
        Fault::Conflict {
            manager: "kubectl-edit".into(),
            fields: vec![".spec.replicas".into()],
        },
    );
    let cluster = setup.cluster().await;
    let error = plan_of(&cluster, &setup.todo_app()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("conflict applying Deployment todo-app/backend: "),
        "{text}"
    );
    assert!(
        text.contains("field manager `kubectl-edit` owns .spec.replicas"),
        "{text}"
    );
    assert!(error.hint().unwrap().contains("--force"));
    assert_eq!(error.exit_status() as u8, 3);

    let plan = cluster
        .plan(&setup.todo_app(), PlanOptions { force: true })
        .await
        .unwrap();
    let pending: Vec<_> = plan.pending().collect();
    assert!(pending.iter().all(|c| c.force()));
    let report = cluster.apply(pending).await.into_result().unwrap();
    assert!(report.applied.iter().all(|a| a.forced));
    let last = setup
        .server
        .requests()
        .into_iter()
        .rfind(|r| r.is_apply())
        .unwrap();
    assert!(last.query.contains("force=true"), "{last:?}");
}

#[tokio::test]
async fn an_invalid_object_lists_the_fields_the_server_refused() {
    let setup = Setup::new().await;
    setup.server.fail(
        "backend-config",
        Stage::DryRun,
        Fault::Invalid {
            causes: vec![(
                "data[PORT]".into(),
                "Invalid value: \"8000x\": must be a number".into(),
            )],
        },
    );
    let error = setup.plan(&setup.todo_app()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("the cluster refused ConfigMap todo-app/backend-config as invalid"),
        "{text}"
    );
    assert!(
        text.contains("data[PORT]: Invalid value: \"8000x\": must be a number"),
        "{text}"
    );
    assert!(
        error.hint().unwrap().starts_with("fix the manifest at "),
        "{:?}",
        error.hint()
    );
    assert!(
        error.hint().unwrap().contains("backend.yaml:2"),
        "{:?}",
        error.hint()
    );
}

#[tokio::test]
async fn forbidden_reads_name_the_user_verb_and_resource() {
    let setup = Setup::new().await;
    setup.server.fail(
        "todo-app",
        Stage::Get,
        Fault::Forbidden {
            user: "jane".into(),
        },
    );
    let error = setup.plan(&setup.todo_app()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("forbidden: user `jane` may not get namespaces (cluster-wide)"),
        "{text}"
    );
}

#[tokio::test]
async fn an_unknown_kind_points_at_a_missing_crd() {
    let setup = Setup::new().await;
    let (_dir, manifests) = some_manifests(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: nightly}\nspec: {cronSpec: '* * * * */5'}\n",
    );
    let error = setup.plan(&manifests).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("unknown kind CronTab (stable.example.com/v1)"),
        "{text}"
    );
    assert!(text.contains(&setup.server.url()), "{text}");
    assert!(error.hint().unwrap().contains("CustomResourceDefinition"));

    // A kind the group does not have is just as unknown.
    let (_dir, manifests) =
        some_manifests("apiVersion: apps/v1\nkind: Widget\nmetadata: {name: w}\n");
    let error = setup.plan(&manifests).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("unknown kind Widget (apps/v1)"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_named_with_its_context() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let server = format!("http://127.0.0.1:{port}");
    let kubeconfig = write_kubeconfig(dir.path(), &server, TOKEN, "default");
    let cluster = connect(&kubeconfig).await;
    let (_manifests_dir, manifests) =
        some_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    let error = plan_of(&cluster, &manifests).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("cannot reach the cluster at {server}: ")),
        "{text}"
    );
    assert!(text.contains(&format!("context `{CONTEXT}`")), "{text}");
    assert!(error.hint().unwrap().contains("cluster-info"));
    assert_eq!(error.exit_status() as u8, 3);
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_showing_them() {
    let setup = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(
        dir.path(),
        &setup.server.url(),
        "not-the-right-token-5521",
        "default",
    );
    let cluster = connect(&kubeconfig).await;
    let error = plan_of(&cluster, &setup.todo_app()).await.unwrap_err();
    let text = format!("{error} {:?}", error.hint());
    assert!(
        text.contains("did not accept the credentials of context `fake`"),
        "{text}"
    );
    assert!(!text.contains("not-the-right-token-5521"), "{text}");
}

#[tokio::test]
async fn secret_values_never_reach_the_diff() {
    let setup = Setup::new().await;
    let secret = setup.manifest("secret.yaml");
    std::fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: backend-secrets, namespace: default}\ntype: Opaque\nstringData:\n  DATABASE_URL: postgresql://todo:pa55-first@db:5432/todo\n  API_KEY: sk-live-first-4411\n",
    )
    .unwrap();
    let manifests = Manifests::load(std::slice::from_ref(&secret)).unwrap();
    let plan = setup.apply_all(&manifests).await;
    let created = &plan.changes[0];
    assert_eq!(created.action, Action::Create);
    let diff = created.diff();
    assert!(
        diff.contains(&format!("+  DATABASE_URL: {HIDDEN}")),
        "{diff}"
    );
    assert!(
        !diff.contains("pa55-first") && !diff.contains("sk-live-first"),
        "{diff}"
    );
    assert!(!format!("{plan:?}").contains("pa55-first"));
    // What reached the cluster is the real value.
    let stored = setup
        .server
        .object("secrets", Some("default"), "backend-secrets")
        .unwrap();
    assert_eq!(stored["stringData"]["API_KEY"], json!("sk-live-first-4411"));

    std::fs::write(
        &secret,
        std::fs::read_to_string(&secret)
            .unwrap()
            .replace("pa55-first", "pa55-second"),
    )
    .unwrap();
    let manifests = Manifests::load(&[secret]).unwrap();
    let plan = setup.plan(&manifests).await.unwrap();
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    let diff = change.diff();
    assert!(
        diff.contains(&format!(
            "\n-  DATABASE_URL: {HIDDEN_OLD}\n+  DATABASE_URL: {HIDDEN_NEW}\n"
        )),
        "{diff}"
    );
    // The unchanged value is context, the same on both sides.
    assert!(
        diff.contains(&format!("\n   API_KEY: {HIDDEN}\n")),
        "{diff}"
    );
    for value in ["pa55-first", "pa55-second", "sk-live-first"] {
        assert!(!diff.contains(value), "{value} in {diff}");
    }
}

#[tokio::test]
async fn the_namespace_comes_from_the_flag_then_the_context() {
    let setup = Setup::new().await;
    let (_dir, manifests) = some_manifests(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: '1'}\n",
    );
    let plan = setup.plan(&manifests).await.unwrap();
    assert_eq!(plan.changes[0].object.namespace.as_deref(), Some("default"));

    let mut options = setup.options();
    options.namespace = Some("kube-system".into());
    let cluster = Cluster::connect(&options).await.unwrap();
    let plan = plan_of(&cluster, &manifests).await.unwrap();
    assert_eq!(
        plan.changes[0].object.namespace.as_deref(),
        Some("kube-system")
    );

    // A manifest that names another namespace than --namespace is refused, as kubectl does.
    let error = plan_of(&cluster, &setup.todo_app()).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("in namespace `todo-app`, but --namespace is `kube-system`"),
        "{error}"
    );
    assert_eq!(error.exit_status() as u8, 2);

    // Without the namespace, and without a Namespace manifest, the dry run says it is missing.
    let (_dir, manifests) = some_manifests(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nowhere}\n",
    );
    let error = setup.plan(&manifests).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("namespace `nowhere` does not exist"),
        "{error}"
    );
}

/// Applies the todo app to a fresh stand-in cluster on which Deployment `name` rolls out as
/// `script` says, then waits for the rollouts, checking every `interval` for up to `timeout`.
async fn roll_out(
    name: &str,
    script: RolloutScript,
    timeout: Duration,
    interval: Duration,
    progress: impl FnMut(&Rollout),
) -> aigen::Result<Vec<Rollout>> {
    let setup = Setup::new().await;
    setup.server.rollout(name, script);
    let plan = setup.apply_all(&setup.todo_app()).await;
    let options = RolloutOptions { timeout, interval };
    setup
        .cluster()
        .await
        .wait_for_rollouts(&objects(&plan), options, progress)
        .await
}

#[tokio::test]
async fn the_rollout_wait_reports_pod_readiness_until_ready() {
    let mut seen = Vec::new();
    let states = roll_out(
        "backend",
        RolloutScript::ReadyAfter(2),
        Duration::from_secs(30),
        Duration::from_millis(20),
        |r| seen.push(r.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(states.len(), 2);
    assert!(states.iter().all(|s| s.done));
    assert!(
        seen.contains(&"web: 2/2 ready, rolled out".to_string()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"backend: 1/2 ready (1 of 2 updated pods available)".to_string()),
        "{seen:?}"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("backend: 2/2 ready, rolled out"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_rollout_that_never_gets_ready_times_out_naming_it() {
    let error = roll_out(
        "backend",
        RolloutScript::Never,
        Duration::from_millis(300),
        Duration::from_millis(50),
        |_| {},
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("Deployment todo-app/backend not ready after 0.3s"),
        "{text}"
    );
    assert!(!text.contains("Deployment todo-app/web"), "{text}");
    assert!(text.contains("backend: 0/2 ready"), "{text}");
    assert!(text.contains("Available=False MinimumReplicasUnavailable: Deployment does not have minimum availability; Progressing=True"), "{text}");
    assert!(
        error
            .hint()
            .unwrap()
            .contains("kubectl describe deployment backend -n todo-app")
    );
}

#[tokio::test]
async fn a_rollout_past_its_deadline_fails_at_once() {
    let error = roll_out(
        "web",
        RolloutScript::DeadlineExceeded,
        Duration::from_secs(60),
        Duration::from_millis(20),
        |_| {},
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("the rollout of Deployment todo-app/web failed"),
        "{text}"
    );
    assert!(text.contains("ProgressDeadlineExceeded"), "{text}");
}

#[tokio::test]
async fn the_stand_in_serves_aggregated_discovery_too() {
    let setup = Setup::new().await;
    let cluster = setup.cluster().await;
    let _ = cluster; // the connection is proven; discovery runs on a plain kube client below
    let discovery = kube::discovery::Discovery::new(kube_client(&setup.kubeconfig).await)
        .run_aggregated()
        .await
        .unwrap();
    let apps = discovery.groups().find(|g| g.name() == "apps").unwrap();
    let (resource, _) = apps.recommended_kind("Deployment").unwrap();
    assert_eq!(resource.plural, "deployments");
    let accepts: Vec<String> = setup
        .server
        .requests()
        .into_iter()
        .filter_map(|r| r.accept)
        .collect();
    assert!(
        accepts
            .iter()
            .any(|a| a.contains("as=APIGroupDiscoveryList")),
        "{accepts:?}"
    );
}
