//! [`ObjectSet`]: every object of the files linted together, each tied to its file and to the
//! constitution service it belongs to, so cross-object rules can look others up.
//!
//! An object belongs to a service of the constitution when (in this order) the
//! `app.kubernetes.io/name` label, then the `app` label, of its metadata, its pod template or its
//! selector names the service; its own name is the service's, possibly with a suffix such as
//! `-service` or `-pdb`; or its name ends with `-<service>` (`todo-app-backend`, as Helm release
//! prefixes make it). The longest matching service name wins.

use super::manifest::Manifest;
use super::object::{Labels, Object, objects_of};
use super::yaml::Node;
use crate::policy::constitution::Constitution;

/// One object and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub object: Object<'a>,
    /// Index of its file in [`ObjectSet::manifests`].
    pub file: usize,
    /// The constitution service it belongs to.
    pub service: Option<&'a str>,
    /// First and last line of the object, for suppressions.
    pub lines: (u32, u32),
}

impl<'a> Item<'a> {
    /// The node findings about the object as a whole point at: `metadata.name`, else `kind`,
    /// else the object's start.
    pub fn anchor(&self) -> &'a Node {
        let node = self.object.node;
        node.path(&["metadata", "name"])
            .or_else(|| node.get("kind"))
            .unwrap_or(node)
    }

    /// True when the two objects share a namespace (an unset namespace is the same everywhere:
    /// the one the set is applied to).
    pub fn same_namespace(&self, other: &Item<'_>) -> bool {
        self.object.namespace == other.object.namespace
    }
}

/// All objects of a lint run.
#[derive(Debug)]
pub struct ObjectSet<'a> {
    pub manifests: &'a [Manifest<'a>],
    pub items: Vec<Item<'a>>,
    pub constitution: &'a Constitution,
}

impl<'a> ObjectSet<'a> {
    /// Collects the objects of every manifest.
    pub fn new(manifests: &'a [Manifest<'a>], constitution: &'a Constitution) -> Self {
        let mut items = Vec::new();
        for (file, manifest) in manifests.iter().enumerate() {
            for document in &manifest.loaded.documents {
                for object in objects_of(&document.root) {
                    let start = object.node.mark;
                    let last = Manifest::last_line(start, object.node.end);
                    items.push(Item {
                        object,
                        file,
                        service: service_of(&object, constitution),
                        lines: (start.line, last),
                    });
                }
            }
        }
        Self {
            manifests,
            items,
            constitution,
        }
    }

    /// The file an item comes from.
    pub fn manifest(&self, item: &Item<'_>) -> &'a Manifest<'a> {
        &self.manifests[item.file]
    }

    /// The objects of one kind.
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Item<'a>> + 's {
        self.items
            .iter()
            .filter(move |item| item.object.kind == kind)
    }

    /// The `minReplicas` of a HorizontalPodAutoscaler of the set that scales `item` (1 when the
    /// autoscaler leaves it unset).
    pub fn autoscaler_minimum(&self, item: &Item<'_>) -> Option<i64> {
        self.of_kind("HorizontalPodAutoscaler")
            .filter(|hpa| hpa.same_namespace(item))
            .find(|hpa| {
                let target = |key: &str| {
                    hpa.object
                        .node
                        .path(&["spec", "scaleTargetRef", key])
                        .and_then(Node::as_str)
                };
                target("kind") == Some(item.object.kind) && target("name") == Some(item.object.name)
            })
            .map(|hpa| {
                hpa.object
                    .node
                    .path(&["spec", "minReplicas"])
                    .and_then(Node::as_int)
                    .unwrap_or(1)
            })
    }

    /// The workloads in the same namespace whose pods a Service's `spec.selector` selects.
    pub fn selected_by_service(&self, service: &Item<'_>) -> Vec<&Item<'a>> {
        let selector = Labels(service.object.node.path(&["spec", "selector"]));
        self.workloads()
            .filter(|w| w.same_namespace(service))
            .filter(|w| {
                w.object
                    .pod_spec()
                    .is_some_and(|spec| spec.labels.matched_by(&selector))
            })
            .collect()
    }

    /// An object of a kind and name in the same namespace as `near`.
    pub fn find(&self, kind: &str, name: &str, near: &Item<'_>) -> Option<&Item<'a>> {
        self.items.iter().find(|item| {
            item.object.kind == kind && item.object.name == name && item.same_namespace(near)
        })
    }

    /// The workloads (objects that run pods).
    pub fn workloads(&self) -> impl Iterator<Item = &Item<'a>> {
        self.items.iter().filter(|item| item.object.is_workload())
    }
}

/// Suffixes generated names often add to a service's name (`backend-service`, `backend-pdb`).
const NAME_SUFFIXES: [&str; 8] = [
    "-service",
    "-svc",
    "-deployment",
    "-deploy",
    "-pdb",
    "-hpa",
    "-config",
    "-netpol",
];

/// The constitution service an object belongs to.
pub fn service_of<'c>(object: &Object<'_>, constitution: &'c Constitution) -> Option<&'c str> {
    let known = |name: &str| {
        constitution
            .services
            .get_key_value(name)
            .map(|(k, _)| k.as_str())
    };
    let template = Labels(
        object
            .pod_template()
            .and_then(|t| t.path(&["metadata", "labels"])),
    );
    let selector = if object.kind == "Service" {
        Labels(object.node.path(&["spec", "selector"]))
    } else {
        object.match_labels()
    };
    let label_sets = [object.labels(), template, selector];
    let by_label = |key: &str| {
        label_sets
            .iter()
            .find_map(|labels| labels.get(key).and_then(known))
    };
    let bare = NAME_SUFFIXES
        .iter()
        .find_map(|suffix| object.name.strip_suffix(suffix))
        .unwrap_or(object.name);
    by_label("app.kubernetes.io/name")
        .or_else(|| by_label("app"))
        .or_else(|| known(object.name))
        .or_else(|| known(bare))
        .or_else(|| {
            constitution
                .services
                .keys()
                .filter(|service| {
                    bare.strip_suffix(service.as_str())
                        .is_some_and(|prefix| prefix.ends_with('-'))
                })
                .max_by_key(|service| service.len())
                .map(String::as_str)
        })
}

#[cfg(test)]
mod tests {
    use super::super::yaml::load;
    use super::*;

    #[test]
    fn objects_find_their_service() {
        let constitution = Constitution::preset().unwrap();
        let text = "kind: Deployment\nmetadata: {name: api, labels: {app.kubernetes.io/name: backend}}\n\
                    ---\nkind: Service\nmetadata: {name: frontend-web}\n\
                    ---\nkind: Deployment\nmetadata: {name: todo-app-frontend-chatbot}\n\
                    ---\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    metadata: {labels: {app: backend}}\n\
                    ---\nkind: ConfigMap\nmetadata: {name: settings}\n\
                    ---\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: backend}}\n\
                    ---\nkind: Service\nmetadata: {name: frontend-web-service}\n";
        let services: Vec<_> = load(text)
            .documents
            .iter()
            .flat_map(|d| objects_of(&d.root))
            .map(|o| service_of(&o, &constitution))
            .collect();
        assert_eq!(
            services,
            [
                Some("backend"),
                Some("frontend-web"),
                Some("frontend-chatbot"),
                Some("backend"),
                None,
                Some("backend"),
                Some("frontend-web"),
            ]
        );
    }
}
