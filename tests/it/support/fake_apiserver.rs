//! A Kubernetes API server stand-in on loopback, for tests of cluster apply.
//!
//! [`FakeApiServer::start`] serves, over real HTTP on 127.0.0.1, enough of the Kubernetes API for
//! kube-rs: `/version`; discovery at `/api`, `/api/v1`, `/apis` and `/apis/<group>/<version>` in
//! the classic format and, when the `Accept` header asks for `APIGroupDiscoveryList`, the
//! aggregated one; GET of objects (a `NotFound` Status when absent); and server-side apply
//! (`PATCH` with `application/apply-patch+yaml`) that merges the applied fields into the stored
//! object, fills in server bookkeeping (uid, resourceVersion, generation, managedFields, a few
//! defaults, a Deployment status), honours `dryRun=All` by storing nothing, requires
//! `fieldManager`, and refuses objects whose namespace does not exist. Requests need the bearer
//! token [`TOKEN`], else 401.
//!
//! Tests script failures per object name ([`FakeApiServer::fail`]: a 409 conflict naming another
//! field manager, 403, 422 with field causes) and how a Deployment rolls out
//! ([`FakeApiServer::rollout`]), and read back the request log and the stored objects.
//! [`FakeApiServer::write_kubeconfig`] writes a kubeconfig that points at the server.
//!
//! The merge is deliberately simple (mappings merge, everything else is replaced); field
//! ownership is not tracked, so conflicts only happen when scripted.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The bearer token the server accepts.
pub const TOKEN: &str = "fake-apiserver-token-7d1e";
/// The kubeconfig context [`FakeApiServer::write_kubeconfig`] writes.
pub const CONTEXT: &str = "fake";
/// The version `/version` reports.
pub const VERSION: &str = "v1.31.0-fake";

/// A kind the server serves.
struct Kind {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        namespaced: true,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        namespaced: true,
    },
    Kind {
        group: "",
        version: "v1",
        kind: "PersistentVolumeClaim",
        plural: "persistentvolumeclaims",
        namespaced: true,
    },
    Kind {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
    },
    Kind {
        group: "apps",
        version: "v1",
        kind: "StatefulSet",
        plural: "statefulsets",
        namespaced: true,
    },
    Kind {
        group: "apps",
        version: "v1",
        kind: "DaemonSet",
        plural: "daemonsets",
        namespaced: true,
    },
    Kind {
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        namespaced: true,
    },
    Kind {
        group: "autoscaling",
        version: "v2",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
        namespaced: true,
    },
    Kind {
        group: "networking.k8s.io",
        version: "v1",
        kind: "Ingress",
        plural: "ingresses",
        namespaced: true,
    },
    Kind {
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
        namespaced: true,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        namespaced: true,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        namespaced: false,
    },
    Kind {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        namespaced: false,
    },
];

/// The request a scripted failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// GET of the object.
    Get,
    /// Server-side apply with `dryRun=All`.
    DryRun,
    /// Server-side apply for real.
    Apply,
}

/// A scripted failure.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 409: another field manager owns these fields (skipped when the apply is forced).
    Conflict {
        manager: String,
        fields: Vec<String>,
    },
    /// 403 for this user.
    Forbidden { user: String },
    /// 422 with `(field, message)` causes.
    Invalid { causes: Vec<(String, String)> },
}

/// How a Deployment's pods become ready after an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutScript {
    /// All ready after this many GETs, rising evenly (0: ready at once, the default).
    ReadyAfter(u32),
    /// Never ready: `Available=False`.
    Never,
    /// The progress deadline passes.
    DeadlineExceeded,
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub accept: Option<String>,
}

impl Logged {
    /// True for a server-side apply that was not a dry run.
    pub fn is_apply(&self) -> bool {
        self.method == "PATCH" && !self.query.contains("dryRun=All")
    }

    /// True for a dry-run server-side apply.
    pub fn is_dry_run(&self) -> bool {
        self.method == "PATCH" && self.query.contains("dryRun=All")
    }
}

/// Where an object is stored: resource (`deployments.apps`), namespace, name.
type Key = (String, Option<String>, String);

#[derive(Default)]
struct State {
    objects: BTreeMap<Key, Value>,
    faults: Vec<(String, Stage, Fault)>,
    rollouts: HashMap<String, RolloutScript>,
    polls: HashMap<Key, u32>,
    log: Vec<Logged>,
    version: u64,
}

/// The running stand-in. Dropping it stops the server.
pub struct FakeApiServer {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FakeApiServer {
    /// Starts a server on a free loopback port with the namespaces `default` and `kube-system`.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        {
            let mut state = lock(&state);
            for name in ["default", "kube-system"] {
                let namespace =
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
                state
                    .objects
                    .insert(("namespaces".into(), None, name.into()), namespace);
            }
        }
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(Handler {
                state: Arc::clone(&state),
            })
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// Writes a kubeconfig (context [`CONTEXT`], token [`TOKEN`], the given default namespace)
    /// into `dir` and returns its path.
    pub fn write_kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        write_kubeconfig(dir, &self.url(), TOKEN, namespace)
    }

    /// Scripts a failure at `stage` for `object`: a name (`backend`, any kind) or a resource and
    /// a name (`deployments/backend`).
    pub fn fail(&self, object: &str, stage: Stage, fault: Fault) {
        lock(&self.state)
            .faults
            .push((object.to_string(), stage, fault));
    }

    /// Scripts how the Deployment called `name` rolls out after its next apply.
    pub fn rollout(&self, name: &str, script: RolloutScript) {
        lock(&self.state).rollouts.insert(name.to_string(), script);
    }

    /// The stored object (`resource` as `deployments.apps` or `configmaps`).
    pub fn object(&self, resource: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let key = (
            resource.to_string(),
            namespace.map(str::to_string),
            name.to_string(),
        );
        lock(&self.state).objects.get(&key).cloned()
    }

    /// How many objects are stored (the two initial namespaces included).
    pub fn object_count(&self) -> usize {
        lock(&self.state).objects.len()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        lock(&self.state).log.clone()
    }
}

/// Writes a kubeconfig pointing at `server` with a bearer token.
pub fn write_kubeconfig(dir: &Path, server: &str, token: &str, namespace: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1
kind: Config
current-context: {CONTEXT}
clusters:
- name: {CONTEXT}
  cluster:
    server: {server}
contexts:
- name: {CONTEXT}
  context:
    cluster: {CONTEXT}
    user: tester
    namespace: {namespace}
users:
- name: tester
  user:
    token: {token}
"
    );
    std::fs::write(&path, text).expect("write the kubeconfig");
    path
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Handler {
    state: Arc<Mutex<State>>,
}

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let mut state = lock(&self.state);
        state.log.push(Logged {
            method: request.method.to_string(),
            path: request.url.path().to_string(),
            query: request.url.query().unwrap_or_default().to_string(),
            content_type: header("content-type"),
            accept: header("accept"),
        });
        if header("authorization").as_deref() != Some(&format!("Bearer {TOKEN}")) {
            return status(401, "Unauthorized", "Unauthorized", None);
        }
        let segments: Vec<&str> = request
            .url
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let aggregated = header("accept").is_some_and(|a| a.contains("as=APIGroupDiscoveryList"));
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["version"]) => ResponseTemplate::new(200).set_body_json(json!({
                "major": "1", "minor": "31", "gitVersion": VERSION, "gitCommit": "0000000",
                "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24",
                "compiler": "gc", "platform": "linux/amd64"
            })),
            ("GET", ["api"]) if aggregated => aggregated_discovery(|k| k.group.is_empty()),
            ("GET", ["apis"]) if aggregated => aggregated_discovery(|k| !k.group.is_empty()),
            ("GET", ["api"]) => ResponseTemplate::new(200).set_body_json(json!({
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]
            })),
            ("GET", ["apis"]) => group_list(),
            ("GET", ["api", version]) => resource_list("", version),
            ("GET", ["apis", group, version]) => resource_list(group, version),
            (method, rest) => match ObjectPath::parse(rest) {
                Some(path) => match method {
                    "GET" => get(&mut state, &path),
                    "PATCH" => apply(&mut state, &path, request),
                    _ => status(405, "MethodNotAllowed", "the stand-in serves GET and PATCH only", None),
                },
                None => not_found_text(),
            },
        }
    }
}

/// A Status object with a reason, like the API server sends.
fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> ResponseTemplate {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    ResponseTemplate::new(code).set_body_json(body)
}

/// What the server answers for a path it does not serve (an API group that is not installed).
fn not_found_text() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_raw("404 page not found\n", "text/plain; charset=utf-8")
}

fn kinds_in(group: &str, version: &str) -> Vec<&'static Kind> {
    KINDS
        .iter()
        .filter(|k| k.group == group && k.version == version)
        .collect()
}

fn resource_json(kind: &Kind) -> Value {
    json!({
        "name": kind.plural, "singularName": kind.kind.to_lowercase(), "namespaced": kind.namespaced,
        "kind": kind.kind, "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]
    })
}

fn resource_list(group: &str, version: &str) -> ResponseTemplate {
    let kinds = kinds_in(group, version);
    if kinds.is_empty() {
        return not_found_text();
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let mut resources: Vec<Value> = kinds.iter().map(|k| resource_json(k)).collect();
    for kind in kinds
        .iter()
        .filter(|k| k.kind == "Deployment" || k.kind == "StatefulSet")
    {
        resources.push(json!({"name": format!("{}/status", kind.plural), "singularName": "", "namespaced": true, "kind": kind.kind, "verbs": ["get", "patch", "update"]}));
    }
    ResponseTemplate::new(200).set_body_json(json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources
    }))
}

fn groups() -> Vec<(&'static str, &'static str)> {
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for kind in KINDS.iter().filter(|k| !k.group.is_empty()) {
        if !groups.contains(&(kind.group, kind.version)) {
            groups.push((kind.group, kind.version));
        }
    }
    groups
}

fn group_list() -> ResponseTemplate {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|(group, version)| {
            let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
            json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}))
}

fn aggregated_discovery(wanted: impl Fn(&Kind) -> bool) -> ResponseTemplate {
    let mut items: Vec<Value> = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for kind in KINDS.iter().filter(|k| wanted(k)) {
        if seen.contains(&(kind.group, kind.version)) {
            continue;
        }
        seen.push((kind.group, kind.version));
        let resources: Vec<Value> = kinds_in(kind.group, kind.version)
            .into_iter()
            .map(|k| {
                json!({
                    "resource": k.plural,
                    "responseKind": {"group": k.group, "version": k.version, "kind": k.kind},
                    "scope": if k.namespaced { "Namespaced" } else { "Cluster" },
                    "singularResource": k.kind.to_lowercase(),
                    "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]
                })
            })
            .collect();
        items.push(json!({
            "metadata": {"name": kind.group},
            "versions": [{"version": kind.version, "resources": resources, "freshness": "Current"}]
        }));
    }
    ResponseTemplate::new(200)
        .set_body_raw(
            serde_json::to_vec(&json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}))
                .unwrap_or_default(),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        )
}

/// An object URL taken apart.
struct ObjectPath {
    kind: &'static Kind,
    namespace: Option<String>,
    name: String,
}

impl ObjectPath {
    fn parse(segments: &[&str]) -> Option<Self> {
        let (group, version, rest) = match segments {
            ["api", version, rest @ ..] => ("", *version, rest),
            ["apis", group, version, rest @ ..] => (*group, *version, rest),
            _ => return None,
        };
        let (namespace, plural, name) = match rest {
            ["namespaces", namespace, plural, name] => {
                (Some(namespace.to_string()), *plural, *name)
            }
            [plural, name] => (None, *plural, *name),
            _ => return None,
        };
        let kind = KINDS
            .iter()
            .find(|k| k.group == group && k.version == version && k.plural == plural)?;
        (kind.namespaced == namespace.is_some()).then(|| Self {
            kind,
            namespace,
            name: name.to_string(),
        })
    }

    fn resource(&self) -> String {
        if self.kind.group.is_empty() {
            self.kind.plural.to_string()
        } else {
            format!("{}.{}", self.kind.plural, self.kind.group)
        }
    }

    fn key(&self) -> Key {
        (self.resource(), self.namespace.clone(), self.name.clone())
    }

    fn details(&self) -> Value {
        json!({"name": self.name, "group": self.kind.group, "kind": self.kind.plural})
    }

    fn not_found(&self) -> ResponseTemplate {
        status(
            404,
            "NotFound",
            &format!("{} \"{}\" not found", self.resource(), self.name),
            Some(self.details()),
        )
    }
}

fn fault_for(state: &State, path: &ObjectPath, stage: Stage, forced: bool) -> Option<Fault> {
    let qualified = format!("{}/{}", path.kind.plural, path.name);
    state
        .faults
        .iter()
        .filter(|(target, s, _)| (*target == path.name || *target == qualified) && *s == stage)
        .map(|(_, _, f)| f.clone())
        .find(|f| !(forced && matches!(f, Fault::Conflict { .. })))
}

fn fault_response(path: &ObjectPath, fault: &Fault, verb: &str) -> ResponseTemplate {
    match fault {
        Fault::Conflict { manager, fields } => {
            let causes: Vec<Value> = fields
                .iter()
                .map(|field| json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with \"{manager}\" using {}", path.kind.version),
                    "field": field
                }))
                .collect();
            let mut details = path.details();
            details["causes"] = Value::Array(causes);
            let message = format!(
                "Apply failed with {} conflict{}: conflict with \"{manager}\": {}",
                fields.len(),
                if fields.len() == 1 { "" } else { "s" },
                fields.join(", ")
            );
            status(409, "Conflict", &message, Some(details))
        }
        Fault::Forbidden { user } => {
            let scope = path.namespace.as_ref().map_or_else(
                || " at the cluster scope".to_string(),
                |ns| format!(" in the namespace \"{ns}\""),
            );
            let message = format!(
                "{} \"{}\" is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\"{scope}",
                path.resource(),
                path.name,
                path.kind.plural,
                path.kind.group
            );
            status(403, "Forbidden", &message, Some(path.details()))
        }
        Fault::Invalid { causes } => {
            let mut details = path.details();
            details["kind"] = json!(path.kind.kind);
            details["causes"] = causes
                .iter()
                .map(|(field, message)| json!({"reason": "FieldValueInvalid", "message": message, "field": field}))
                .collect();
            let summary: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            let message = format!(
                "{}.{} \"{}\" is invalid: {}",
                path.kind.kind,
                path.kind.group,
                path.name,
                summary.join(", ")
            );
            status(422, "Invalid", &message, Some(details))
        }
    }
}

fn get(state: &mut State, path: &ObjectPath) -> ResponseTemplate {
    if let Some(fault) = fault_for(state, path, Stage::Get, false) {
        return fault_response(path, &fault, "get");
    }
    let key = path.key();
    if !state.objects.contains_key(&key) {
        return path.not_found();
    }
    if path.kind.kind == "Deployment" {
        let polls = state.polls.entry(key.clone()).or_insert(0);
        *polls += 1;
        let polls = *polls;
        let script = state.rollouts.get(&path.name).copied();
        if let Some(object) = state.objects.get_mut(&key) {
            set_deployment_status(object, script, polls);
        }
    }
    ResponseTemplate::new(200).set_body_json(state.objects[&key].clone())
}

fn apply(state: &mut State, path: &ObjectPath, request: &Request) -> ResponseTemplate {
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != "application/apply-patch+yaml" {
        return status(
            415,
            "UnsupportedMediaType",
            &format!("the stand-in only takes server-side apply, not {content_type}"),
            None,
        );
    }
    let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
    let Some(manager) = query.get("fieldManager").cloned() else {
        return status(
            400,
            "BadRequest",
            "PATCH requests with apply-patch+yaml require fieldManager",
            None,
        );
    };
    let dry_run = query.get("dryRun").is_some_and(|v| v == "All");
    let forced = query.get("force").is_some_and(|v| v == "true");
    let stage = if dry_run { Stage::DryRun } else { Stage::Apply };
    if let Some(fault) = fault_for(state, path, stage, forced) {
        return fault_response(path, &fault, "patch");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return status(400, "BadRequest", "the body is not JSON", None);
    };
    if body.pointer("/metadata/name").and_then(Value::as_str) != Some(path.name.as_str()) {
        return status(
            400,
            "BadRequest",
            "the name of the object does not match the name in the URL",
            None,
        );
    }
    if let Some(namespace) = &path.namespace
        && !state
            .objects
            .contains_key(&("namespaces".to_string(), None, namespace.clone()))
    {
        return status(
            404,
            "NotFound",
            &format!("namespaces \"{namespace}\" not found"),
            Some(json!({"name": namespace, "kind": "namespaces"})),
        );
    }
    let key = path.key();
    let existing = state.objects.get(&key).cloned();
    let created = existing.is_none();
    let mut object = existing.clone().unwrap_or_else(|| json!({}));
    merge(&mut object, &body);
    object["metadata"]["name"] = json!(path.name);
    if let Some(namespace) = &path.namespace {
        object["metadata"]["namespace"] = json!(namespace);
    }
    state.version += 1;
    let old_generation = existing
        .as_ref()
        .and_then(|e| e.pointer("/metadata/generation"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let spec_changed = existing.as_ref().map(|e| e.get("spec")) != Some(object.get("spec"));
    let generation = if spec_changed {
        old_generation + 1
    } else {
        old_generation
    };
    let metadata = &mut object["metadata"];
    metadata["uid"] = existing
        .as_ref()
        .and_then(|e| e.pointer("/metadata/uid").cloned())
        .unwrap_or_else(|| json!(format!("00000000-0000-0000-0000-{:012}", state.version)));
    metadata["resourceVersion"] = json!(state.version.to_string());
    metadata["generation"] = json!(generation);
    metadata["creationTimestamp"] = existing
        .as_ref()
        .and_then(|e| e.pointer("/metadata/creationTimestamp").cloned())
        .unwrap_or_else(|| json!("2026-01-01T00:00:00Z"));
    metadata["managedFields"] = json!([{
        "manager": manager, "operation": "Apply", "apiVersion": body["apiVersion"],
        "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}
    }]);
    add_defaults(&mut object, path.kind.kind, state.version);
    if path.kind.kind == "Deployment" {
        object["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
            json!(generation.to_string());
        if !dry_run {
            state.polls.insert(key.clone(), 0);
            let script = state.rollouts.get(&path.name).copied();
            set_deployment_status(&mut object, script, 0);
        }
    }
    if !dry_run {
        state.objects.insert(key, object.clone());
    }
    ResponseTemplate::new(if created { 201 } else { 200 }).set_body_json(object)
}

/// Mappings merge key by key; anything else is replaced.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// A few of the defaults a real server fills in, so new objects differ from their manifest.
fn add_defaults(object: &mut Value, kind: &str, version: u64) {
    match kind {
        "Deployment" => {
            let spec = &mut object["spec"];
            if spec.get("revisionHistoryLimit").is_none() {
                spec["revisionHistoryLimit"] = json!(10);
            }
            if spec.get("progressDeadlineSeconds").is_none() {
                spec["progressDeadlineSeconds"] = json!(600);
            }
        }
        "Service" => {
            let spec = &mut object["spec"];
            if spec.get("type").is_none() {
                spec["type"] = json!("ClusterIP");
            }
            if spec.get("clusterIP").is_none() {
                spec["clusterIP"] = json!(format!("10.96.0.{}", version % 250 + 2));
            }
        }
        _ => {}
    }
}

fn set_deployment_status(object: &mut Value, script: Option<RolloutScript>, polls: u32) {
    let desired = object
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let generation = object
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "reason": reason, "message": message,
               "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"})
    };
    let (ready, conditions) = match script.unwrap_or(RolloutScript::ReadyAfter(0)) {
        RolloutScript::ReadyAfter(0) => (desired, vec![]),
        RolloutScript::ReadyAfter(after) => {
            let ready = (desired * i64::from(polls) / i64::from(after)).min(desired);
            (ready, vec![])
        }
        RolloutScript::Never => (
            0,
            vec![
                condition(
                    "Available",
                    "False",
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.",
                ),
                condition(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    "ReplicaSet is progressing.",
                ),
            ],
        ),
        RolloutScript::DeadlineExceeded => (
            0,
            vec![condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                "ReplicaSet has timed out progressing.",
            )],
        ),
    };
    let mut status = json!({
        "observedGeneration": generation, "replicas": desired, "updatedReplicas": desired,
        "readyReplicas": ready, "availableReplicas": ready
    });
    if ready == desired && conditions.is_empty() {
        status["conditions"] = json!([condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability."
        )]);
    } else if !conditions.is_empty() {
        status["conditions"] = Value::Array(conditions);
    }
    object["status"] = status;
}
