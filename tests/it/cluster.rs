//! Cluster apply where no cluster answers: the one case the live suite (`cluster_live`, against a
//! real API server) cannot show, since it needs a server that is *not* there. A kubeconfig points
//! at a loopback port nothing listens on; the plan fails naming the server and the context, and
//! the credentials stay out of the message.
//!
//! There is no Kubernetes API stand-in any more: everything else a cluster apply does (dry run,
//! diff, conflicts, 403/401/422, CRDs, rollouts) is tested against the real API server of
//! `.ci/control-plane.sh` in `cluster_live`.

use crate::support::cluster::{connect, plan_of, write_kubeconfig, write_manifests};

#[tokio::test]
async fn an_unreachable_server_is_named_with_its_context() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let server = format!("https://127.0.0.1:{port}");
    let token = "unreachable-cluster-token-7d1e";
    let kubeconfig = write_kubeconfig(dir.path(), "nowhere", &server, token);
    let cluster = connect(&kubeconfig).await;
    let manifests = write_manifests(
        dir.path(),
        "objects.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    let error = plan_of(&cluster, &manifests).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("cannot reach the cluster at {server}: ")),
        "{text}"
    );
    assert!(text.contains("context `nowhere`"), "{text}");
    assert!(
        error
            .hint()
            .unwrap()
            .contains("kubectl --context nowhere cluster-info")
    );
    assert_eq!(error.exit_status() as u8, 3);
    assert!(!text.contains(token) && !error.hint().unwrap().contains(token));
}
