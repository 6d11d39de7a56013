//! What went wrong talking to the cluster, said so a person can act on it.
//!
//! Every failed request becomes a [`crate::Error::External`] (exit code 3) that names what aigen
//! was doing, the object and its manifest where there is one, and the context and server. The
//! Status the API server sends back is read for the details that matter: the field manager and
//! fields of a conflict, the user and verb of a forbidden request, the field causes of an invalid
//! object, the namespace that does not exist. A request that never got an answer (refused
//! connection, unknown host, timeout) names the server URL and context.

use std::error::Error as _;
use std::sync::LazyLock;

use kube::core::Status;
use regex::Regex;

use super::connect::Endpoint;
use super::manifest::Source;
use super::object::ObjectRef;
use crate::error::Error;

/// What aigen was doing when a request failed.
#[derive(Debug)]
pub(crate) enum Doing<'a> {
    /// Asking the server for its version.
    Connect,
    /// Looking up which resource serves a kind.
    Discover { api_version: &'a str, kind: &'a str },
    /// Reading the live object.
    Read(&'a ObjectRef),
    /// The server-side dry run of an apply.
    DryRun(&'a ObjectRef, &'a Source),
    /// The apply itself.
    Apply(&'a ObjectRef, &'a Source),
    /// Reading a workload's rollout status.
    Watch(&'a ObjectRef),
}

impl Doing<'_> {
    fn verb(&self) -> &'static str {
        match self {
            Self::Connect | Self::Discover { .. } => "discover",
            Self::Read(_) | Self::Watch(_) => "get",
            Self::DryRun(..) | Self::Apply(..) => "patch",
        }
    }

    fn object(&self) -> Option<&ObjectRef> {
        match self {
            Self::Read(o) | Self::Watch(o) | Self::DryRun(o, _) | Self::Apply(o, _) => Some(o),
            Self::Connect | Self::Discover { .. } => None,
        }
    }

    fn source(&self) -> Option<&Source> {
        match self {
            Self::DryRun(_, s) | Self::Apply(_, s) => Some(s),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Connect => "ask for the server version".to_string(),
            Self::Discover { api_version, kind } => {
                format!("look up kind {kind} in {api_version}")
            }
            Self::Read(o) => format!("read {o}"),
            Self::DryRun(o, _) => format!("dry-run the apply of {o}"),
            Self::Apply(o, _) => format!("apply {o}"),
            Self::Watch(o) => format!("read the rollout status of {o}"),
        }
    }
}

/// Turns a failed kube request into an error that says what failed and what to do.
pub(crate) fn from_kube(error: kube::Error, doing: &Doing<'_>, endpoint: &Endpoint) -> Error {
    match error {
        kube::Error::Api(status) => from_status(&status, doing, endpoint),
        kube::Error::Discovery(_) => match doing {
            Doing::Discover { api_version, kind } => unknown_kind(api_version, kind, endpoint),
            _ => unreachable_server(&error, doing, endpoint),
        },
        kube::Error::Auth(e) => Error::external_with_hint(
            format!("cannot get credentials for context `{}`", endpoint.context),
            e.to_string(),
            "check the user of this context in the kubeconfig (token, client certificate or exec plugin)",
        ),
        other => unreachable_server(&other, doing, endpoint),
    }
}

fn unreachable_server(error: &kube::Error, doing: &Doing<'_>, endpoint: &Endpoint) -> Error {
    Error::external_with_hint(
        format!("cannot reach the cluster at {}", endpoint.server),
        format!(
            "{} (context `{}`, while trying to {})",
            cause_chain(error),
            endpoint.context,
            doing.describe()
        ),
        format!(
            "check that the cluster is running and reachable: `kubectl --context {} cluster-info`",
            endpoint.context
        ),
    )
}

/// `a: b: c` from an error's sources (the error itself when it has none), without repeats.
fn cause_chain(error: &kube::Error) -> String {
    let Some(first) = error.source() else {
        return error.to_string();
    };
    let mut parts: Vec<String> = Vec::new();
    let mut source = Some(first);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn unknown_kind(api_version: &str, kind: &str, endpoint: &Endpoint) -> Error {
    Error::external_with_hint(
        format!("unknown kind {kind} ({api_version})"),
        format!(
            "the cluster at {} (context `{}`) does not serve {kind} in {api_version}",
            endpoint.server, endpoint.context
        ),
        format!(
            "if {kind} is a custom resource, install its CustomResourceDefinition first; otherwise check the apiVersion (`kubectl api-resources` lists what the cluster serves)"
        ),
    )
}

fn from_status(status: &Status, doing: &Doing<'_>, endpoint: &Endpoint) -> Error {
    if let Doing::Discover { api_version, kind } = doing
        && is(status, "NotFound", 404)
    {
        return unknown_kind(api_version, kind, endpoint);
    }
    let object = doing
        .object()
        .map_or_else(|| "the request".to_string(), ToString::to_string);
    let fix_manifest = doing.source().map_or_else(
        || "fix the manifest".to_string(),
        |s| format!("fix the manifest at {s}"),
    );
    let server_message = if status.message.is_empty() {
        format!("{} {}", status.code, status.reason)
    } else {
        status.message.clone()
    };
    if is(status, "Unauthorized", 401) {
        return Error::external_with_hint(
            format!(
                "the cluster at {} did not accept the credentials of context `{}`",
                endpoint.server, endpoint.context
            ),
            server_message,
            "log in again or refresh the credentials in the kubeconfig",
        );
    }
    if is(status, "Forbidden", 403) {
        return forbidden(status, doing, endpoint);
    }
    if is(status, "NotFound", 404)
        && let Some(namespace) = missing_namespace(status)
    {
        return Error::external_with_hint(
            format!("namespace `{namespace}` does not exist"),
            format!("{object} goes into it (context `{}`)", endpoint.context),
            format!(
                "add a Namespace manifest, create it with `kubectl create namespace {namespace}`, or choose another with --namespace"
            ),
        );
    }
    if is(status, "Conflict", 409) {
        return conflict(status, &object, &server_message);
    }
    if let Some(fields) = schema_errors(&status.message) {
        return Error::external_with_hint(
            format!("the cluster refused {object} as invalid"),
            fields.join("; "),
            format!(
                "{fix_manifest}: a field the API does not declare is misspelt, misplaced or from \
                 another apiVersion (`kubectl explain` shows the fields)"
            ),
        );
    }
    if is(status, "Invalid", 422) {
        let causes = causes(status);
        return Error::external_with_hint(
            format!("the cluster refused {object} as invalid"),
            if causes.is_empty() {
                server_message
            } else {
                causes.join("; ")
            },
            fix_manifest,
        );
    }
    if is(status, "BadRequest", 400) {
        return Error::external_with_hint(
            format!("the cluster refused {object}"),
            server_message,
            fix_manifest,
        );
    }
    Error::external(
        format!(
            "the cluster at {} answered {} {} when aigen tried to {}",
            endpoint.server,
            status.code,
            if status.reason.is_empty() {
                "Failure"
            } else {
                status.reason.as_str()
            },
            doing.describe()
        ),
        server_message,
    )
}

/// Whether a Status has this reason or this code. (A body that is not a Status, such as the
/// plain `404 page not found` of an unknown API group, only has the code.)
fn is(status: &Status, reason: &str, code: u16) -> bool {
    status.reason == reason || status.code == code
}

static USER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"User "([^"]+)""#).expect("the pattern is valid"));

static MANAGER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"conflict with "([^"]+)""#).expect("the pattern is valid"));

fn forbidden(status: &Status, doing: &Doing<'_>, endpoint: &Endpoint) -> Error {
    let who = USER
        .captures(&status.message)
        .and_then(|c| c.get(1))
        .map_or_else(
            || format!("the user of context `{}`", endpoint.context),
            |user| format!("user `{}`", user.as_str()),
        );
    let verb = doing.verb();
    let (resource, scope, namespace_flag) = match doing.object() {
        Some(object) => {
            let resource = object.resource_with_group();
            match &object.namespace {
                Some(ns) => (
                    resource,
                    format!(" in namespace `{ns}`"),
                    format!(" -n {ns}"),
                ),
                None => (resource, " (cluster-wide)".to_string(), String::new()),
            }
        }
        None => ("the API".to_string(), String::new(), String::new()),
    };
    Error::external_with_hint(
        format!("forbidden: {who} may not {verb} {resource}{scope}"),
        status.message.clone(),
        format!(
            "ask a cluster administrator for RBAC permission to {verb} {resource}{scope}, or use a context that has it; check with `kubectl --context {} auth can-i {verb} {resource}{namespace_flag}`",
            endpoint.context
        ),
    )
}

fn conflict(status: &Status, object: &str, server_message: &str) -> Error {
    // Group the conflicting fields by the manager that owns them.
    let mut owners: Vec<(String, Vec<String>)> = Vec::new();
    for cause in status.details.iter().flat_map(|d| d.causes.iter()) {
        let Some(manager) = MANAGER
            .captures(&cause.message)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
        else {
            continue;
        };
        match owners.iter_mut().find(|(m, _)| *m == manager) {
            Some((_, fields)) => fields.push(cause.field.clone()),
            None => owners.push((manager, vec![cause.field.clone()])),
        }
    }
    if owners.is_empty() {
        return Error::external_with_hint(
            format!("conflict applying {object}"),
            server_message.to_string(),
            "the object changed while aigen applied it; run the apply again to see the new diff",
        );
    }
    let owned = owners
        .iter()
        .map(|(manager, fields)| format!("field manager `{manager}` owns {}", fields.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let managers = owners
        .iter()
        .map(|(m, _)| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Error::external_with_hint(
        format!("conflict applying {object}"),
        owned,
        format!(
            "server-side apply does not take over fields another manager set: drop those fields from the manifest, change them with {managers}, or apply with --force to take ownership (the force is recorded)"
        ),
    )
}

/// The fields a server-side apply was refused for because the object does not fit the kind's
/// schema (an unknown field, a string where a number belongs), one `path: reason` each.
///
/// The API server answers these with a 500 and no reason, whatever `fieldValidation` asks for:
/// `failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.bogus: field
/// not declared in schema`, or, for several fields, `...: errors:` and one indented line each.
fn schema_errors(message: &str) -> Option<Vec<String>> {
    let rest = message.strip_prefix("failed to create typed patch object (")?;
    let (_, fields) = rest.split_once("): ")?;
    let fields = fields.strip_prefix("errors:").unwrap_or(fields);
    let fields: Vec<String> = fields
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (!fields.is_empty()).then_some(fields)
}

/// `field: message` for each cause of an invalid object.
fn causes(status: &Status) -> Vec<String> {
    status
        .details
        .iter()
        .flat_map(|d| d.causes.iter())
        .map(|cause| {
            if cause.field.is_empty() {
                cause.message.clone()
            } else {
                format!("{}: {}", cause.field, cause.message)
            }
        })
        .collect()
}

/// The namespace a 404 is about, when it is about a namespace.
fn missing_namespace(status: &Status) -> Option<String> {
    let details = status.details.as_ref()?;
    (details.kind == "namespaces" && !details.name.is_empty()).then(|| details.name.clone())
}

/// True when a failed request was a 404 about a namespace that does not exist.
pub(crate) fn is_missing_namespace(error: &kube::Error, namespace: &str) -> bool {
    matches!(error, kube::Error::Api(status)
        if is(status, "NotFound", 404) && missing_namespace(status).as_deref() == Some(namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::response::{StatusCause, StatusDetails};
    use std::path::PathBuf;

    fn endpoint() -> Endpoint {
        Endpoint {
            context: "dev".into(),
            server: "https://k8s.example:6443".into(),
        }
    }

    fn deployment() -> ObjectRef {
        ObjectRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            resource: "deployments".into(),
            namespace: Some("shop".into()),
            name: "backend".into(),
        }
    }

    fn source() -> Source {
        Source {
            path: PathBuf::from("k8s/backend.yaml"),
            document: 1,
            line: 1,
            column: 1,
        }
    }

    fn status(code: u16, reason: &str, message: &str, causes: Vec<StatusCause>) -> kube::Error {
        let mut status = Status::failure(message, reason).with_code(code);
        status.details = Some(StatusDetails {
            name: "backend".into(),
            group: "apps".into(),
            kind: "deployments".into(),
            uid: String::new(),
            causes,
            retry_after_seconds: 0,
        });
        kube::Error::Api(status.boxed())
    }

    fn cause(reason: &str, message: &str, field: &str) -> StatusCause {
        StatusCause {
            reason: reason.into(),
            message: message.into(),
            field: field.into(),
        }
    }

    #[test]
    fn conflicts_name_the_manager_and_fields() {
        let error = status(
            409,
            "Conflict",
            "Apply failed with 2 conflicts",
            vec![
                cause(
                    "FieldManagerConflict",
                    r#"conflict with "kubectl-edit" using apps/v1"#,
                    ".spec.replicas",
                ),
                cause(
                    "FieldManagerConflict",
                    r#"conflict with "kubectl-edit" using apps/v1"#,
                    ".spec.template.spec.containers[name=\"api\"].image",
                ),
            ],
        );
        let (o, s) = (deployment(), source());
        let error = from_kube(error, &Doing::DryRun(&o, &s), &endpoint());
        let text = error.to_string();
        assert!(
            text.starts_with("conflict applying Deployment shop/backend"),
            "{text}"
        );
        assert!(
            text.contains("field manager `kubectl-edit` owns .spec.replicas, .spec.template"),
            "{text}"
        );
        assert!(error.hint().unwrap().contains("--force"));
        assert_eq!(error.exit_status() as u8, 3);
    }

    #[test]
    fn forbidden_names_user_verb_resource_and_namespace() {
        let message = r#"deployments.apps "backend" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "shop""#;
        let (o, s) = (deployment(), source());
        let error = from_kube(
            status(403, "Forbidden", message, vec![]),
            &Doing::Apply(&o, &s),
            &endpoint(),
        );
        let text = error.to_string();
        assert!(
            text.starts_with("forbidden: user `system:serviceaccount:ci:deployer` may not patch deployments.apps in namespace `shop`"),
            "{text}"
        );
        assert!(
            error
                .hint()
                .unwrap()
                .contains("auth can-i patch deployments.apps -n shop")
        );
    }

    #[test]
    fn invalid_objects_list_their_field_causes() {
        let (o, s) = (deployment(), source());
        let error = status(
            422,
            "Invalid",
            "Deployment.apps \"backend\" is invalid",
            vec![cause(
                "FieldValueInvalid",
                "Invalid value: -1: must be greater than or equal to 0",
                "spec.replicas",
            )],
        );
        let error = from_kube(error, &Doing::DryRun(&o, &s), &endpoint());
        assert!(
            error
                .to_string()
                .contains("spec.replicas: Invalid value: -1"),
            "{error}"
        );
        assert_eq!(
            error.hint(),
            Some("fix the manifest at k8s/backend.yaml:1 (document 1)")
        );
    }

    #[test]
    fn fields_outside_the_schema_are_invalid_and_named() {
        let (o, s) = (deployment(), source());
        let one = r#"failed to create typed patch object (shop/backend; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="api"].bogusField: field not declared in schema"#;
        let error = from_kube(
            status(500, "", one, vec![]),
            &Doing::DryRun(&o, &s),
            &endpoint(),
        );
        assert_eq!(
            error.to_string(),
            "the cluster refused Deployment shop/backend as invalid: .spec.template.spec.containers[name=\"api\"].bogusField: field not declared in schema"
        );
        assert!(
            error
                .hint()
                .unwrap()
                .starts_with("fix the manifest at k8s/backend.yaml:1 (document 1): a field"),
            "{:?}",
            error.hint()
        );
        assert_eq!(error.exit_status() as u8, 3);
        let two = "failed to create typed patch object (shop/backend; apps/v1, Kind=Deployment): errors:\n  .spec.replicas: expected numeric (int or float), got string\n  .bogusTop: field not declared in schema";
        let error = from_kube(
            status(500, "", two, vec![]),
            &Doing::Apply(&o, &s),
            &endpoint(),
        );
        assert!(
            error.to_string().ends_with(
                "as invalid: .spec.replicas: expected numeric (int or float), got string; .bogusTop: field not declared in schema"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_404_in_discovery_is_an_unknown_kind() {
        let error = kube::Error::Api(
            Status::failure("404 page not found", "Failed to parse error data")
                .with_code(404)
                .boxed(),
        );
        let doing = Doing::Discover {
            api_version: "example.com/v1",
            kind: "Widget",
        };
        let error = from_kube(error, &doing, &endpoint());
        assert!(
            error
                .to_string()
                .starts_with("unknown kind Widget (example.com/v1)"),
            "{error}"
        );
        assert!(error.hint().unwrap().contains("CustomResourceDefinition"));
    }

    #[test]
    fn a_missing_namespace_is_named() {
        let mut status =
            Status::failure("namespaces \"shop\" not found", "NotFound").with_code(404);
        status.details = Some(StatusDetails {
            name: "shop".into(),
            group: String::new(),
            kind: "namespaces".into(),
            uid: String::new(),
            causes: vec![],
            retry_after_seconds: 0,
        });
        let error = kube::Error::Api(status.boxed());
        assert!(is_missing_namespace(&error, "shop"));
        let (o, s) = (deployment(), source());
        let error = from_kube(error, &Doing::DryRun(&o, &s), &endpoint());
        assert!(
            error
                .to_string()
                .starts_with("namespace `shop` does not exist"),
            "{error}"
        );
    }

    #[test]
    fn other_statuses_carry_the_server_message() {
        let (o, _) = (deployment(), source());
        let error = status(
            500,
            "InternalError",
            "etcdserver: request timed out",
            vec![],
        );
        let error = from_kube(error, &Doing::Read(&o), &endpoint());
        let text = error.to_string();
        assert!(
            text.contains(
                "answered 500 InternalError when aigen tried to read Deployment shop/backend"
            ),
            "{text}"
        );
        assert!(text.ends_with("etcdserver: request timed out"), "{text}");
    }
}
