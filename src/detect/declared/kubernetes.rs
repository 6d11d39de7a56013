//! The project's own Kubernetes manifests: for each container of its workloads (Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), the workload's name, the container's
//! name and image, the literal `value:` of each of its `env` entries and the entries it takes
//! from a Secret (`valueFrom.secretKeyRef`), each at its line.
//!
//! Every `.yaml`/`.yml` file of the project is read that holds `containers:`, except Helm
//! templates (`{{`, which are not YAML until rendered), the staging area and objects aigen
//! generated (`app.kubernetes.io/managed-by: aigen`). A file that is not valid YAML is not a
//! manifest the project applies and is passed over. `valueFrom` entries give no value; of them,
//! only those taken from a Secret are kept, by name, since they say the variable is a secret.
//!
//! [`Manifests::container_for`] matches a container to a service directory by name: the
//! workload's name, the container's or the last part of its image's repository
//! (`registry.example.com/shop/checkout:v1` is `checkout`) equal to the directory's name.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYamlOwned};

use super::super::model::{Origin, Sourced};
use super::compose::scalar;
use crate::image_reference::ImageReference;
use crate::workload_kinds::pod_template_path;

/// Files larger than this are not read as manifests (rendered bundles of whole platforms).
const MAX_BYTES: u64 = 4 << 20;

/// One container of a workload of the project's manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Container {
    /// The workload's `metadata.name`.
    pub workload: String,
    pub name: String,
    pub image: Option<String>,
    /// Each variable with a literal `value:`, at the line of the value.
    pub env: Vec<(String, Sourced<String>)>,
    /// The variables taken from a Secret.
    pub secrets: Vec<SecretRef>,
}

/// A variable a container takes from a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretRef {
    pub name: String,
    /// Where the entry is.
    pub origin: Origin,
    /// `optional: true`: the container starts without it.
    pub optional: bool,
}

/// The containers of the project's manifests, in the order of their files (sorted by path) and
/// of the objects in each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Manifests {
    pub containers: Vec<Container>,
}

impl Manifests {
    /// The container that runs the service in the directory named `name`: the first whose
    /// image is named so, else the first of a workload named so, else the first container named
    /// so (a name such as `server` is shared by many workloads, so it comes last).
    pub(crate) fn container_for(&self, name: &str) -> Option<&Container> {
        let by = |matches: &dyn Fn(&Container) -> bool| self.containers.iter().find(|c| matches(c));
        by(&|c| c.image.as_deref().and_then(image_name) == Some(name))
            .or_else(|| by(&|c| c.workload == name))
            .or_else(|| by(&|c| c.name == name))
    }
}

/// The last part of an image's repository: `gcr.io/a/frontend:v1@sha256:...` is `frontend`.
fn image_name(image: &str) -> Option<&str> {
    Some(ImageReference::parse(image).name()).filter(|n| !n.is_empty())
}

/// Reads the manifests among `files` (the project's, relative to `root`), leaving out those
/// under `staging` (aigen's own staging area).
pub(crate) fn read(root: &Path, files: &[String], staging: &str) -> Manifests {
    let staging = format!("{}/", staging.trim_end_matches('/'));
    let mut manifests = Manifests::default();
    for rel in files {
        let yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
        if !yaml || rel.starts_with(&staging) {
            continue;
        }
        let path = root.join(rel);
        if std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_BYTES) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        manifests.containers.extend(parse(rel, &text));
    }
    manifests
}

/// The containers of one file's objects; none when it is not a manifest.
pub(crate) fn parse(file: &str, text: &str) -> Vec<Container> {
    if !text.contains("containers:") || text.contains("{{") {
        return Vec::new();
    }
    let Ok(docs) = MarkedYamlOwned::load_from_str(text) else {
        return Vec::new();
    };
    let mut containers = Vec::new();
    for doc in &docs {
        let kind = doc.data.as_mapping_get("kind").and_then(scalar);
        let Some(path) = kind.as_deref().and_then(pod_template_path) else {
            continue;
        };
        let metadata = doc.data.as_mapping_get("metadata");
        let managed_by = metadata
            .and_then(|m| m.data.as_mapping_get("labels"))
            .and_then(|l| l.data.as_mapping_get("app.kubernetes.io/managed-by"))
            .and_then(scalar);
        if managed_by.as_deref() == Some("aigen") {
            continue;
        }
        let workload = metadata
            .and_then(|m| m.data.as_mapping_get("name"))
            .and_then(scalar)
            .unwrap_or_default();
        let pod = path
            .iter()
            .chain(&["spec"])
            .try_fold(doc, |node, key| node.data.as_mapping_get(key));
        let listed = pod
            .and_then(|p| p.data.as_mapping_get("containers"))
            .and_then(|c| c.data.as_sequence());
        for container in listed.into_iter().flatten() {
            let get = |key: &str| container.data.as_mapping_get(key).and_then(scalar);
            containers.push(Container {
                workload: workload.clone(),
                name: get("name").unwrap_or_default(),
                image: get("image"),
                env: env(file, container),
                secrets: secret_refs(file, container),
            });
        }
    }
    containers
}

/// The `env` entries of a container.
fn entries(container: &MarkedYamlOwned) -> impl Iterator<Item = &MarkedYamlOwned> {
    container
        .data
        .as_mapping_get("env")
        .and_then(|e| e.data.as_sequence())
        .into_iter()
        .flatten()
}

/// The `env` entries of a container that take their value from a Secret.
fn secret_refs(file: &str, container: &MarkedYamlOwned) -> Vec<SecretRef> {
    entries(container)
        .filter_map(|entry| {
            let name = entry.data.as_mapping_get("name").and_then(scalar)?;
            let reference = entry
                .data
                .as_mapping_get("valueFrom")?
                .data
                .as_mapping_get("secretKeyRef")?;
            let optional = reference
                .data
                .as_mapping_get("optional")
                .and_then(scalar)
                .is_some_and(|o| o == "true");
            Some(SecretRef {
                name,
                origin: Origin::file(file, entry.span.start.line()),
                optional,
            })
        })
        .collect()
}

/// The `env` entries of a container that have a literal `value:`.
fn env(file: &str, container: &MarkedYamlOwned) -> Vec<(String, Sourced<String>)> {
    entries(container)
        .filter_map(|entry| {
            let name = entry.data.as_mapping_get("name").and_then(scalar)?;
            let value = entry.data.as_mapping_get("value")?;
            let origin = Origin::file(file, value.span.start.line());
            Some((name, Sourced::new(scalar(value)?, origin)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: migrate
      containers:
        - name: server
          image: registry.example.com/shop/checkout:v1@sha256:abc
          env:
            - name: CART_ADDR
              value: \"cart:7070\"
            - name: TIMEOUT
              value: 30s
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef: { name: db, key: url }
        - name: proxy
          image: envoyproxy/envoy:v1.30
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  ports: [{ port: 80 }]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  labels:
    app.kubernetes.io/name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report
              env: [{ name: MODE, value: nightly }]
";

    #[test]
    fn containers_and_their_literal_values() {
        let found = parse("k8s/app.yaml", FILE);
        let shown: Vec<String> = found
            .iter()
            .map(|c| {
                let env: Vec<String> = c
                    .env
                    .iter()
                    .map(|(n, v)| format!("{n}={} @ {}", v.value, v.origin))
                    .collect();
                let secrets: Vec<String> = c
                    .secrets
                    .iter()
                    .map(|r| format!("{} optional={} @ {}", r.name, r.optional, r.origin))
                    .collect();
                format!(
                    "{}/{} {:?} {env:?} {secrets:?}",
                    c.workload, c.name, c.image
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "checkout/server Some(\"registry.example.com/shop/checkout:v1@sha256:abc\") \
                 [\"CART_ADDR=cart:7070 @ k8s/app.yaml:16\", \"TIMEOUT=30s @ k8s/app.yaml:18\"] \
                 [\"DATABASE_URL optional=false @ k8s/app.yaml:19\"]",
                "checkout/proxy Some(\"envoyproxy/envoy:v1.30\") [] []",
                "report/report Some(\"report\") [\"MODE=nightly @ k8s/app.yaml:46\"] []",
            ]
        );
        let manifests = Manifests { containers: found };
        assert_eq!(manifests.container_for("checkout").unwrap().name, "server");
        assert_eq!(manifests.container_for("envoy").unwrap().name, "proxy");
        assert_eq!(
            manifests.container_for("report").unwrap().workload,
            "report"
        );
        assert!(manifests.container_for("migrate").is_none());
    }

    #[test]
    fn templates_generated_objects_and_other_yaml_are_not_read() {
        assert!(
            parse(
                "chart/templates/d.yaml",
                "kind: Deployment\n# containers:\n{{ .Values }}\n"
            )
            .is_empty()
        );
        let generated = FILE.replace(
            "app.kubernetes.io/name: report",
            "app.kubernetes.io/managed-by: aigen",
        );
        assert_eq!(parse("k8s/app.yaml", &generated).len(), 2);
        assert!(parse("ci.yml", "jobs:\n  containers: [\n").is_empty());
    }
}
