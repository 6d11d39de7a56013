//! A real cluster for the live tests: the kubeconfig `AIGEN_TEST_KUBECONFIG` names (the control
//! plane of `.ci/control-plane.sh` in CI, or minikube, kind, ...), a namespace of each test's own
//! that is deleted when the test ends, passed or not, and what the tests need besides aigen: a
//! plain kube client, another field manager, and a kubeconfig holding the token of a
//! ServiceAccount that RBAC limits.
//!
//! Start with [`run`]: it gives the test body a [`Live`] and cleans up after it.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Service, ServiceAccount};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::config::{AuthInfo, Kubeconfig, NamedAuthInfo, NamedContext};
use kube::discovery::ApiResource;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::cluster::kube_client;
use aigen::apply::cluster::{Cluster, ConnectOptions};

/// The variable naming the kubeconfig of a disposable cluster.
pub const VARIABLE: &str = "AIGEN_TEST_KUBECONFIG";

/// The kubeconfig of the cluster the live tests use; fails the test, saying what to set, when
/// there is none.
pub fn kubeconfig() -> PathBuf {
    std::env::var_os(VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "set {VARIABLE} to the kubeconfig of a disposable cluster (`eval \"$(.ci/control-plane.sh env)\"` gives one)"
            )
        })
}

/// A name no other test of this or another run uses: `aigen-<what>-<millis>-<n>`, at most 63
/// characters.
pub fn unique_name(what: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!("aigen-{what}-{}-{millis}-{n}", std::process::id());
    name.chars().take(63).collect()
}

/// What a live test works with.
pub struct Live {
    /// The admin kubeconfig.
    pub kubeconfig: PathBuf,
    /// The test's namespace: it does not exist when the test starts, and is deleted at the end.
    pub namespace: String,
    /// A scratch directory for manifests and kubeconfigs.
    pub dir: TempDir,
}

impl Live {
    /// A connection as `--kubeconfig` gives one (objects without a namespace go to the
    /// context's, `default`).
    pub async fn cluster(&self) -> Cluster {
        super::cluster::connect(&self.kubeconfig).await
    }

    /// A connection with `--namespace` set to the test's namespace.
    pub async fn cluster_in_namespace(&self) -> Cluster {
        let options = ConnectOptions::new(
            Some(self.kubeconfig.clone()),
            None,
            Some(self.namespace.clone()),
        );
        Cluster::connect(&options).await.unwrap()
    }

    /// A plain kube client as the admin.
    pub async fn client(&self) -> kube::Client {
        kube_client(&self.kubeconfig).await
    }

    /// Creates the test's namespace and connects (for tests whose manifests do not create it).
    pub async fn ready(&self) -> Cluster {
        self.create_namespace().await;
        self.cluster().await
    }

    /// Creates the test's namespace (for tests whose manifests do not).
    pub async fn create_namespace(&self) {
        let namespaces: Api<Namespace> = Api::all(self.client().await);
        let namespace =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}});
        namespaces
            .patch(
                &self.namespace,
                &PatchParams::apply("aigen-test"),
                &Patch::Apply(&namespace),
            )
            .await
            .unwrap();
    }

    /// The object `name` of `resource` in the test's namespace (`None` for a cluster-scoped
    /// resource's objects when `namespaced` is false), or `None` when it does not exist.
    pub async fn get(&self, resource: &ApiResource, namespaced: bool, name: &str) -> Option<Value> {
        let api = self.api(resource, namespaced).await;
        api.get_opt(name)
            .await
            .unwrap()
            .map(|o| serde_json::to_value(o).unwrap())
    }

    /// Applies `object` as field manager `manager`, forcing, as another tool would.
    pub async fn apply_as(&self, manager: &str, resource: &ApiResource, object: &Value) {
        let name = object["metadata"]["name"].as_str().unwrap();
        let namespaced = object["metadata"].get("namespace").is_some();
        self.api(resource, namespaced)
            .await
            .patch(
                name,
                &PatchParams::apply(manager).force(),
                &Patch::Apply(object),
            )
            .await
            .unwrap();
    }

    async fn api(&self, resource: &ApiResource, namespaced: bool) -> Api<DynamicObject> {
        let client = self.client().await;
        if namespaced {
            Api::namespaced_with(client, &self.namespace, resource)
        } else {
            Api::all_with(client, resource)
        }
    }

    /// A kubeconfig for a ServiceAccount of the test's namespace (created if needed) that RBAC
    /// allows only `verbs` on `resources` (of any API group) in that namespace, with a token
    /// valid for an hour. Its user is `system:serviceaccount:<namespace>:<account>`.
    pub async fn limited_kubeconfig(
        &self,
        account: &str,
        verbs: &[&str],
        resources: &[&str],
    ) -> PathBuf {
        self.create_namespace().await;
        let client = self.client().await;
        let rbac = |kind: &str, plural: &str| ApiResource {
            group: "rbac.authorization.k8s.io".into(),
            version: "v1".into(),
            api_version: "rbac.authorization.k8s.io/v1".into(),
            kind: kind.into(),
            plural: plural.into(),
        };
        let namespace = self.namespace.as_str();
        let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
        let account_object =
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}});
        accounts
            .patch(
                account,
                &PatchParams::apply("aigen-test"),
                &Patch::Apply(&account_object),
            )
            .await
            .unwrap();
        let role = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": account, "namespace": namespace},
            "rules": [{"apiGroups": ["*"], "resources": resources, "verbs": verbs}]
        });
        self.apply_as("aigen-test", &rbac("Role", "roles"), &role)
            .await;
        let binding = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": account, "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": account},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}]
        });
        self.apply_as("aigen-test", &rbac("RoleBinding", "rolebindings"), &binding)
            .await;
        let request = TokenRequest {
            spec: Some(TokenRequestSpec {
                expiration_seconds: Some(3600),
                ..TokenRequestSpec::default()
            }),
            ..TokenRequest::default()
        };
        let token = accounts
            .create_token_request(account, &PostParams::default(), &request)
            .await
            .unwrap()
            .status
            .and_then(|s| s.token)
            .unwrap();
        let path = self.dir.path().join(format!("{account}.kubeconfig"));
        write_token_kubeconfig(&self.kubeconfig, &path, account, &token, namespace);
        path
    }
}

/// Writes a copy of `admin`'s current context to `path` with a user holding `token` instead of
/// the admin's credentials.
pub fn write_token_kubeconfig(admin: &Path, path: &Path, user: &str, token: &str, namespace: &str) {
    let config = Kubeconfig::read_from(admin).unwrap();
    let current = config.current_context.clone().unwrap();
    let context = config
        .contexts
        .iter()
        .find(|c| c.name == current)
        .and_then(|c| c.context.clone())
        .unwrap();
    let cluster = config
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .cloned()
        .unwrap();
    let limited = Kubeconfig {
        clusters: vec![cluster],
        auth_infos: vec![NamedAuthInfo {
            name: user.to_string(),
            auth_info: Some(AuthInfo {
                token: Some(token.to_string().into()),
                ..AuthInfo::default()
            }),
            ..NamedAuthInfo::default()
        }],
        contexts: vec![NamedContext {
            name: user.to_string(),
            context: Some(kube::config::Context {
                user: Some(user.to_string()),
                namespace: Some(namespace.to_string()),
                ..context
            }),
            ..NamedContext::default()
        }],
        current_context: Some(user.to_string()),
        ..Kubeconfig::default()
    };
    // JSON is YAML: kubectl and kube read it as a kubeconfig.
    let text = serde_json::to_string_pretty(&limited).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `body` against the live cluster in a namespace of its own (named after `what`), then
/// deletes that namespace (its Services at once, which frees their node ports) and every
/// cluster-scoped object `cleanup` names (resource, name), whether the body passed or not; a
/// failure of the body fails the test.
pub async fn run<F, Fut>(what: &str, cleanup: &[(ApiResource, String)], body: F)
where
    F: FnOnce(Live) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let kubeconfig = kubeconfig();
    let namespace = unique_name(what);
    let live = Live {
        kubeconfig: kubeconfig.clone(),
        namespace: namespace.clone(),
        dir: tempfile::tempdir().unwrap(),
    };
    let outcome = tokio::spawn(body(live)).await;
    let client = kube_client(&kubeconfig).await;
    for (resource, name) in cleanup {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
        if let Err(error) = api.delete(name, &DeleteParams::default()).await
            && !matches!(&error, kube::Error::Api(s) if s.code == 404)
        {
            eprintln!("could not delete {} {name}: {error}", resource.kind);
        }
    }
    // Node ports are the cluster's, not the namespace's: free them now rather than when the
    // namespace is finally gone, so that the next run can take them again.
    let services: Api<Service> = Api::namespaced(client.clone(), &namespace);
    if let Err(error) = services
        .delete_collection(&DeleteParams::default(), &ListParams::default())
        .await
        && !matches!(&error, kube::Error::Api(s) if s.code == 404)
    {
        eprintln!("could not delete the Services of {namespace}: {error}");
    }
    let namespaces: Api<Namespace> = Api::all(client);
    if let Err(error) = namespaces
        .delete(&namespace, &DeleteParams::default())
        .await
        && !matches!(&error, kube::Error::Api(s) if s.code == 404)
    {
        eprintln!("could not delete namespace {namespace}: {error}");
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
