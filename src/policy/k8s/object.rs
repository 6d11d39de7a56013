//! Kubernetes objects over the YAML tree: what kind an object is, where its pod spec lives, its
//! containers, and the security settings Kubernetes resolves between pod and container.
//!
//! Start with [`Object::from_node`], which reads the identity of one object (flattening `List`
//! kinds is done by [`objects_of`]), and [`Object::pod_spec`], which finds the pod spec at the
//! path its kind keeps it: `spec` for a Pod, `spec.template.spec` for Deployment, StatefulSet,
//! DaemonSet, ReplicaSet, ReplicationController and Job, `spec.jobTemplate.spec.template.spec`
//! for a CronJob. Objects of other kinds (CRDs included) pass through untouched: rules that do
//! not know them never see a pod spec.

use super::yaml_tree::Node;
use crate::workload_kinds::pod_template_path;

/// One Kubernetes object of a manifest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Object<'a> {
    /// The object's mapping.
    pub node: &'a Node,
    /// `kind`, or `""` when missing.
    pub kind: &'a str,
    /// `apiVersion`, or `""` when missing.
    pub api_version: &'a str,
    /// `metadata.name`, or `""` when missing (or `generateName`).
    pub name: &'a str,
    /// `metadata.namespace`, when set.
    pub namespace: Option<&'a str>,
    /// The pod spec of a workload, found once (every workload rule asks for it).
    pod: Option<PodSpec<'a>>,
}

/// The objects of one document: the document itself, or the items of a `List` kind.
pub(crate) fn objects_of(root: &Node) -> Vec<Object<'_>> {
    let Some(object) = Object::from_node(root) else {
        return Vec::new();
    };
    if object.is_list() {
        root.get("items")
            .map(|items| items.items().iter().flat_map(objects_of).collect())
            .unwrap_or_default()
    } else {
        vec![object]
    }
}

impl<'a> Object<'a> {
    /// Reads an object's identity; `None` when the node is not a mapping.
    pub(crate) fn from_node(node: &'a Node) -> Option<Self> {
        if !node.is_map() {
            return None;
        }
        let text = |path: &[&str]| node.path(path).and_then(Node::as_str);
        let mut object = Self {
            node,
            kind: text(&["kind"]).unwrap_or(""),
            api_version: text(&["apiVersion"]).unwrap_or(""),
            name: text(&["metadata", "name"])
                .or_else(|| text(&["metadata", "generateName"]))
                .unwrap_or(""),
            namespace: text(&["metadata", "namespace"]),
            pod: None,
        };
        object.pod = object.find_pod_spec();
        Some(object)
    }

    /// True for `List` and `<Kind>List` objects holding `items`.
    pub(crate) fn is_list(&self) -> bool {
        self.kind.ends_with("List") && self.node.get("items").is_some_and(Node::is_seq)
    }

    /// `Kind/name` for messages.
    pub(crate) fn display(&self) -> String {
        if self.name.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}/{}", self.kind, self.name)
        }
    }

    /// The `metadata` mapping, when present.
    pub(crate) fn metadata(&self) -> Option<&'a Node> {
        self.node.get("metadata")
    }

    /// The object's labels.
    pub(crate) fn labels(&self) -> Labels<'a> {
        Labels(self.node.path(&["metadata", "labels"]))
    }

    /// True for the kinds that run pods.
    pub(crate) fn is_workload(&self) -> bool {
        pod_template_path(self.kind).is_some()
    }

    /// The pod template (`metadata` + `spec`) of a workload; for a Pod, the Pod itself.
    pub(crate) fn pod_template(&self) -> Option<&'a Node> {
        self.node.path(pod_template_path(self.kind)?)
    }

    /// True when the object's `spec`, or a workload's pod template or pod spec, is there but
    /// is not a mapping (a list, a string): the schema rules report the shape; other rules
    /// cannot read such a spec and do not guess at it.
    pub(crate) fn has_malformed_spec(&self) -> bool {
        let malformed = |node: Option<&Node>| node.is_some_and(|n| !n.is_null() && !n.is_map());
        let template = if self.kind == "Pod" {
            None
        } else {
            pod_template_path(self.kind).and_then(|path| self.node.path(path))
        };
        malformed(self.node.get("spec"))
            || malformed(template)
            || malformed(template.and_then(|t| t.get("spec")))
    }

    /// The pod spec of a workload.
    pub(crate) fn pod_spec(&self) -> Option<PodSpec<'a>> {
        self.pod
    }

    fn find_pod_spec(&self) -> Option<PodSpec<'a>> {
        let template = self.pod_template()?;
        let spec = template.get("spec").filter(|s| s.is_map())?;
        Some(PodSpec { node: spec })
    }

    /// `spec.replicas` as Kubernetes reads it: the number, or 1 when unset. `None` for kinds
    /// without replicas.
    pub(crate) fn replicas(&self) -> Option<i64> {
        match self.kind {
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => Some(
                self.node
                    .path(&["spec", "replicas"])
                    .and_then(Node::as_int)
                    .unwrap_or(1),
            ),
            _ => None,
        }
    }

    /// How many pods of this workload run at once in the steady state: replicas, a Job's
    /// `parallelism`, one for a Pod, a CronJob or a DaemonSet (per node).
    pub(crate) fn pod_count(&self) -> i64 {
        if let Some(replicas) = self.replicas() {
            return replicas.max(0);
        }
        let parallelism = match self.kind {
            "Job" => self.node.path(&["spec", "parallelism"]),
            "CronJob" => self
                .node
                .path(&["spec", "jobTemplate", "spec", "parallelism"]),
            _ => None,
        };
        parallelism.and_then(Node::as_int).unwrap_or(1).max(0)
    }

    /// The selector of a Deployment-like object's pods (`spec.selector.matchLabels`).
    pub(crate) fn match_labels(&self) -> Labels<'a> {
        Labels(self.node.path(&["spec", "selector", "matchLabels"]))
    }
}

/// A label map (possibly absent).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Labels<'a>(pub Option<&'a Node>);

impl<'a> Labels<'a> {
    /// The value of one label.
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.0.and_then(|n| n.get(key)).and_then(Node::as_str)
    }

    /// Every label with its value.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.0
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.as_str().unwrap_or(""))))
    }

    /// True when there is no label.
    pub(crate) fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// True when every label of `selector` is among these labels (an empty selector matches
    /// nothing, as a Service without selector selects no pod).
    pub(crate) fn matched_by(&self, selector: &Labels<'_>) -> bool {
        !selector.is_empty() && selector.iter().all(|(k, v)| self.get(k) == Some(v))
    }
}

/// A pod spec (`spec` of a Pod, of a workload's pod template).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodSpec<'a> {
    pub node: &'a Node,
}

/// One container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container<'a> {
    pub node: &'a Node,
    /// `name`, or `""`.
    pub name: &'a str,
    /// True for `initContainers` (and ephemeral ones).
    pub init: bool,
    pub pod: PodSpec<'a>,
}

/// A security setting as Kubernetes resolves it, with the node that set it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved<'a> {
    pub node: &'a Node,
}

impl<'a> PodSpec<'a> {
    /// The regular containers, then the init containers.
    pub(crate) fn containers(&self) -> impl Iterator<Item = Container<'a>> + use<'a> {
        let pod = *self;
        let list = |key: &str| pod.node.get(key).map(Node::items).unwrap_or_default();
        let regular = list("containers").iter().map(move |n| (n, false));
        let init = list("initContainers").iter().map(move |n| (n, true));
        regular
            .chain(init)
            .filter(|(n, _)| n.is_map())
            .map(move |(node, init)| Container {
                node,
                name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                init,
                pod,
            })
    }

    /// A field of the pod's `securityContext`.
    pub(crate) fn security(&self, key: &str) -> Option<&'a Node> {
        self.node.path(&["securityContext", key])
    }

    /// A boolean field of the pod spec itself (`hostNetwork`), when true.
    pub(crate) fn flag(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key).filter(|n| n.as_bool() == Some(true))
    }

    /// The volumes.
    pub(crate) fn volumes(&self) -> &'a [Node] {
        self.node
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
    }
}

impl<'a> Container<'a> {
    /// A field of the container's `securityContext`.
    pub(crate) fn security(&self, key: &str) -> Option<&'a Node> {
        self.node.path(&["securityContext", key])
    }

    /// A security field Kubernetes takes from the container, else from the pod (`runAsUser`,
    /// `runAsNonRoot`, `runAsGroup`, `seccompProfile`, `seLinuxOptions`).
    pub(crate) fn resolved(&self, key: &str) -> Option<Resolved<'a>> {
        if let Some(node) = self.security(key).filter(|n| !n.is_null()) {
            return Some(Resolved { node });
        }
        self.pod
            .security(key)
            .filter(|n| !n.is_null())
            .map(|node| Resolved { node })
    }

    /// The node findings about the container as a whole point at: its `name`, else the
    /// container's mapping.
    pub(crate) fn anchor(&self) -> &'a Node {
        self.node.get("name").unwrap_or(self.node)
    }

    /// `image`, when set.
    pub(crate) fn image(&self) -> Option<&'a Node> {
        self.node.get("image")
    }

    /// The entries of the container's `ports`.
    pub(crate) fn ports(&self) -> &'a [Node] {
        self.node.get("ports").map(Node::items).unwrap_or_default()
    }

    /// The protocols the container declares a port with, by number (`containerPort`) or by
    /// name: `TCP` unless the entry's `protocol` says otherwise; none when it does not declare
    /// the port.
    pub(crate) fn protocols_of(&self, port: &PortRef<'_>) -> Vec<&'a str> {
        self.ports()
            .iter()
            .filter(|entry| match port {
                PortRef::Number(n) => entry.get("containerPort").and_then(Node::as_int) == Some(*n),
                PortRef::Name(wanted) => entry.get("name").and_then(Node::as_str) == Some(*wanted),
            })
            .map(|entry| {
                entry
                    .get("protocol")
                    .and_then(Node::as_str)
                    .unwrap_or("TCP")
            })
            .collect()
    }

    /// True when the container declares this port, by number or by name.
    pub(crate) fn declares_port(&self, port: &PortRef<'_>) -> bool {
        !self.protocols_of(port).is_empty()
    }

    /// The `env` entries.
    pub(crate) fn env(&self) -> &'a [Node] {
        self.node.get("env").map(Node::items).unwrap_or_default()
    }

    /// Where a probe is: `livenessProbe`, `readinessProbe`, `startupProbe`.
    pub(crate) fn probe(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key).filter(|n| n.is_map())
    }
}

/// A port reference: a number, or the name of a container port (`targetPort: http`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

impl<'a> PortRef<'a> {
    /// Reads a port reference: plain integers are numbers, anything else is a name.
    pub(crate) fn of(node: &'a Node) -> Option<Self> {
        match node.as_int() {
            Some(n) => Some(Self::Number(n)),
            None => node.as_str().map(Self::Name),
        }
    }
}

impl std::fmt::Display for PortRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Name(name) => write!(f, "`{name}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::yaml_tree::load;
    use super::*;

    fn first(text: &str) -> Node {
        load(text).documents.remove(0).root
    }

    #[test]
    fn lists_are_flattened_and_unknown_kinds_pass_through() {
        let root = first(
            "apiVersion: v1\nkind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n\
             - {kind: Widget, apiVersion: example.com/v1, metadata: {name: w}}\n",
        );
        let objects = objects_of(&root);
        let names: Vec<_> = objects.iter().map(Object::display).collect();
        assert_eq!(names, vec!["Service/a", "Widget/w"]);
        assert!(!objects[1].is_workload());
        assert!(objects[1].pod_spec().is_none());
    }

    #[test]
    fn pod_specs_are_found_per_kind() {
        let cron = first(
            "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      parallelism: 3\n      template:\n\
             \x20       metadata: {labels: {app: x}}\n        spec:\n          containers: [{name: c}]\n",
        );
        let object = Object::from_node(&cron).unwrap();
        let spec = object.pod_spec().unwrap();
        assert_eq!(spec.containers().map(|c| c.name).collect::<Vec<_>>(), ["c"]);
        assert_eq!(object.pod_count(), 3);
        let pod =
            first("kind: Pod\nspec:\n  containers: [{name: a}]\n  initContainers: [{name: b}]\n");
        let object = Object::from_node(&pod).unwrap();
        let names: Vec<_> = object
            .pod_spec()
            .unwrap()
            .containers()
            .map(|c| (c.name, c.init))
            .collect();
        assert_eq!(names, [("a", false), ("b", true)]);
        let deployment = first("kind: Deployment\nspec: {}\n");
        assert_eq!(Object::from_node(&deployment).unwrap().replicas(), Some(1));
    }

    #[test]
    fn container_security_overrides_the_pod() {
        let root = first(
            "kind: Pod\nspec:\n  securityContext: {runAsUser: 1000, runAsNonRoot: true}\n  \
             containers:\n  - name: a\n    securityContext: {runAsUser: 0}\n  - name: b\n",
        );
        let object = Object::from_node(&root).unwrap();
        let containers: Vec<_> = object.pod_spec().unwrap().containers().collect();
        let a = containers[0].resolved("runAsUser").unwrap();
        assert_eq!(a.node.as_int(), Some(0));
        let b = containers[1].resolved("runAsUser").unwrap();
        assert_eq!(b.node.as_int(), Some(1000));
        assert!(containers[0].resolved("seccompProfile").is_none());
    }

    #[test]
    fn selectors_match_labels() {
        let root = first("a: {app: x, tier: web}\nb: {app: x}\nc: {}\n");
        let labels = Labels(root.get("a"));
        assert!(labels.matched_by(&Labels(root.get("b"))));
        assert!(!Labels(root.get("b")).matched_by(&labels));
        assert!(!labels.matched_by(&Labels(root.get("c"))));
    }
}
