//! Helpers for the cluster apply tests: manifests written to a file and loaded, a kubeconfig for
//! a server and a token, a connection through a kubeconfig, a plan with the default options, and
//! a plain kube client for what aigen does not do itself. The real cluster the live tests use is
//! [`super::live_cluster`].
//!
//! Start with [`write_manifests`], then [`connect`] and [`plan_of`].

use std::path::Path;

use aigen::apply::cluster::{Cluster, ConnectOptions, Manifests, ObjectRef, Plan, PlanOptions};

/// Writes `text` to `dir/name` and loads it as the manifests to apply.
pub fn write_manifests(dir: &Path, name: &str, text: &str) -> Manifests {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    Manifests::load(&[path]).unwrap()
}

/// Writes `dir/kubeconfig`: context `context` pointing at `server` with a bearer token.
pub fn write_kubeconfig(
    dir: &Path,
    context: &str,
    server: &str,
    token: &str,
) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1
kind: Config
current-context: {context}
clusters:
- name: {context}
  cluster:
    server: {server}
contexts:
- name: {context}
  context:
    cluster: {context}
    user: tester
users:
- name: tester
  user:
    token: {token}
"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A connection through the current context of `kubeconfig`, as `--kubeconfig` gives one.
pub async fn connect(kubeconfig: &Path) -> Cluster {
    let options = ConnectOptions::new(Some(kubeconfig.to_path_buf()), None, None);
    Cluster::connect(&options).await.unwrap()
}

/// The plan for `manifests` with the default options (no force).
pub async fn plan_of(cluster: &Cluster, manifests: &Manifests) -> aigen::Result<Plan> {
    cluster.plan(manifests, PlanOptions::default()).await
}

/// The objects a plan covers, in plan order.
pub fn objects(plan: &Plan) -> Vec<ObjectRef> {
    plan.changes.iter().map(|c| c.object.clone()).collect()
}

/// A kube client for the current context of `kubeconfig`.
pub async fn kube_client(kubeconfig: &Path) -> kube::Client {
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(kubeconfig).unwrap(),
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    kube::Client::try_from(config).unwrap()
}
