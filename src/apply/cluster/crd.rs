//! Custom resources whose CustomResourceDefinition comes in the same apply.
//!
//! Until its CustomResourceDefinition is stored and *established*, the API server does not serve a
//! custom kind: discovery does not know it, so neither a dry run nor an apply of the custom
//! resource can go through. [`DefinedKinds::from_manifests`] reads the kinds the manifests'
//! CustomResourceDefinitions define (group, served versions, kind, plural, scope), so that the plan
//! can name the resource of such an object without asking the server, show it as written, and the
//! apply can wait for the definition to be established ([`Cluster::wait_established`]) before
//! sending it. The apply order puts CustomResourceDefinitions before everything but Namespaces
//! ([`super::order`]).

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject};
use kube::discovery::{ApiResource, Scope};
use serde_json::Value;

use super::connect::Cluster;
use super::errors::{self, Doing};
use super::manifest::Manifests;
use super::object::ObjectRef;
use crate::error::{Error, Result};

/// The `apiVersion` of the CustomResourceDefinitions aigen reads.
const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";

/// How long an apply waits for a new CustomResourceDefinition to be established.
pub(crate) const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(60);

/// A kind defined by a CustomResourceDefinition of the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DefinedKind {
    /// `group/version`, one entry per served version.
    pub api_version: String,
    pub kind: String,
    /// `spec.names.plural`.
    pub plural: String,
    pub scope: Scope,
    /// The CustomResourceDefinition's name (`crontabs.stable.example.com`).
    pub definition: String,
}

/// Every kind the manifests' CustomResourceDefinitions define.
#[derive(Debug, Clone, Default)]
pub(crate) struct DefinedKinds(Vec<DefinedKind>);

impl DefinedKinds {
    /// Reads the CustomResourceDefinitions among `manifests`; definitions that leave out the
    /// group, the kind, the plural or the versions define nothing here (the server will refuse
    /// them with its own message).
    pub(crate) fn from_manifests(manifests: &Manifests) -> Self {
        let mut kinds = Vec::new();
        for manifest in &manifests.objects {
            let key = manifest.key();
            if key.kind != "CustomResourceDefinition" || key.api_version != CRD_API_VERSION {
                continue;
            }
            let spec = &manifest.object()["spec"];
            let text = |pointer: &str| spec.pointer(pointer).and_then(Value::as_str);
            let (Some(group), Some(kind), Some(plural)) =
                (text("/group"), text("/names/kind"), text("/names/plural"))
            else {
                continue;
            };
            let scope = match text("/scope") {
                Some("Cluster") => Scope::Cluster,
                _ => Scope::Namespaced,
            };
            let versions = spec["versions"].as_array().into_iter().flatten();
            for version in versions {
                let served = version["served"].as_bool().unwrap_or(true);
                if let (Some(name), true) = (version["name"].as_str(), served) {
                    kinds.push(DefinedKind {
                        api_version: format!("{group}/{name}"),
                        kind: kind.to_string(),
                        plural: plural.to_string(),
                        scope: scope.clone(),
                        definition: key.name.clone(),
                    });
                }
            }
        }
        Self(kinds)
    }

    /// The definition of `kind` in `api_version`, when the manifests hold one.
    pub(crate) fn find(&self, api_version: &str, kind: &str) -> Option<&DefinedKind> {
        self.0
            .iter()
            .find(|d| d.api_version == api_version && d.kind == kind)
    }
}

impl DefinedKind {
    /// The resource that will serve the kind, and its scope, as discovery would give them.
    pub(crate) fn resource(&self) -> (ApiResource, Scope) {
        let (group, version) = super::object::split_api_version(&self.api_version);
        let resource = ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        };
        (resource, self.scope.clone())
    }
}

/// The CustomResourceDefinition called `name`, as an object to read.
fn definition_ref(name: &str) -> ObjectRef {
    ObjectRef {
        api_version: CRD_API_VERSION.to_string(),
        kind: "CustomResourceDefinition".to_string(),
        resource: "customresourcedefinitions".to_string(),
        namespace: None,
        name: name.to_string(),
    }
}

/// True when a CustomResourceDefinition's status says `Established=True`.
fn is_established(object: &Value) -> bool {
    object["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Established" && c["status"] == "True")
}

impl Cluster {
    /// Waits until the CustomResourceDefinition `name` is established (the server serves its
    /// kind), reading it every `interval`, for at most `timeout`.
    pub(crate) async fn wait_established(
        &self,
        name: &str,
        timeout: Duration,
        interval: Duration,
    ) -> Result<()> {
        let object = definition_ref(name);
        let api: Api<DynamicObject> = self.api_for(&object);
        let deadline = Instant::now() + timeout;
        loop {
            let found = api
                .get_opt(name)
                .await
                .map_err(|e| errors::from_kube(e, &Doing::Read(&object), self.endpoint()))?;
            let established = found
                .as_ref()
                .map(super::plan::to_value)
                .transpose()?
                .is_some_and(|value| is_established(&value));
            if established {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::external_with_hint(
                    format!("{object} is not established"),
                    format!(
                        "the server did not report Established=True within {}s, so the custom resources it defines were not applied",
                        timeout.as_secs()
                    ),
                    format!(
                        "look at its conditions with `kubectl --context {} get crd {name} -o yaml`",
                        self.endpoint().context
                    ),
                ));
            }
            tokio::time::sleep(interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Cluster
  names: {kind: CronTab, plural: crontabs}
  versions:
    - {name: v1, served: true, storage: true}
    - {name: v1beta1, served: false, storage: false}
";

    #[test]
    fn served_versions_of_a_definition_are_known_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crd.yaml");
        std::fs::write(&path, CRD).unwrap();
        let kinds = DefinedKinds::from_manifests(&Manifests::load(&[path]).unwrap());
        let crontab = kinds.find("stable.example.com/v1", "CronTab").unwrap();
        assert_eq!(crontab.plural, "crontabs");
        assert_eq!(crontab.scope, Scope::Cluster);
        assert_eq!(crontab.definition, "crontabs.stable.example.com");
        assert_eq!(crontab.resource().0.plural, "crontabs");
        assert!(
            kinds
                .find("stable.example.com/v1beta1", "CronTab")
                .is_none()
        );
        assert!(kinds.find("stable.example.com/v1", "Other").is_none());
    }

    #[test]
    fn established_is_read_from_the_conditions() {
        let pending =
            json!({"status": {"conditions": [{"type": "NamesAccepted", "status": "True"}]}});
        assert!(!is_established(&pending));
        let done = json!({"status": {"conditions": [{"type": "Established", "status": "True"}]}});
        assert!(is_established(&done));
        assert!(!is_established(&json!({})));
    }
}
