//! [`ObjectRef`]: an object as the cluster knows it, once discovery has said which resource
//! serves its kind and whether that resource lives in a namespace.

use std::fmt;

use kube::discovery::ApiResource;

/// An object in a cluster: its kind, resource, namespace (for namespaced kinds) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    /// The plural resource name that serves the kind (`deployments`).
    pub resource: String,
    /// The namespace the object is applied in; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// The API group (empty for the core group).
    pub(crate) fn group(&self) -> &str {
        split_api_version(&self.api_version).0
    }

    /// The resource with its group, the way kubectl names it (`deployments.apps`, `services`).
    pub(crate) fn resource_with_group(&self) -> String {
        match self.group() {
            "" => self.resource.clone(),
            group => format!("{}.{group}", self.resource),
        }
    }

    /// A path-like name for diff headers: `apps.v1.Deployment.shop.backend`, the form
    /// `kubectl diff` uses.
    pub(crate) fn diff_path(&self) -> String {
        let mut parts = vec![self.api_version.replace('/', ".")];
        parts.push(self.kind.clone());
        if let Some(namespace) = &self.namespace {
            parts.push(namespace.clone());
        }
        parts.push(self.name.clone());
        parts.join(".")
    }

    /// The kube resource description for this object's kind.
    pub(crate) fn api_resource(&self) -> ApiResource {
        let (group, version) = split_api_version(&self.api_version);
        ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            plural: self.resource.clone(),
        }
    }
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`).
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_like_kubectl() {
        let deployment = ObjectRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            resource: "deployments".into(),
            namespace: Some("shop".into()),
            name: "backend".into(),
        };
        assert_eq!(deployment.to_string(), "Deployment shop/backend");
        assert_eq!(deployment.resource_with_group(), "deployments.apps");
        assert_eq!(deployment.diff_path(), "apps.v1.Deployment.shop.backend");
        assert_eq!(deployment.api_resource().group, "apps");

        let namespace = ObjectRef {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            resource: "namespaces".into(),
            namespace: None,
            name: "shop".into(),
        };
        assert_eq!(namespace.to_string(), "Namespace shop");
        assert_eq!(namespace.resource_with_group(), "namespaces");
        assert_eq!(namespace.diff_path(), "v1.Namespace.shop");
        assert_eq!(namespace.api_resource().version, "v1");
    }
}
