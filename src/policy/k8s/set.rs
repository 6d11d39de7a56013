//! [`ObjectSet`]: every object of the files linted together, each tied to its file and to the
//! constitution service it belongs to, so cross-object rules can look others up.
//!
//! An object belongs to a service of the constitution when (in this order) the
//! `app.kubernetes.io/name` label, then the `app` label, of its metadata, its pod template or its
//! selector names the service; its own name is the service's, possibly with a suffix such as
//! `-service` or `-pdb`; or its name ends with `-<service>` (`todo-app-backend`, as Helm release
//! prefixes make it). The longest matching service name wins.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::manifest::Manifest;
use super::object::{Labels, Object, objects_of};
use super::yaml_tree::Node;
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

/// A namespace and a label selector (sorted pairs), as a memo key.
type SelectorKey<'a> = (Option<&'a str>, Vec<(&'a str, &'a str)>);

/// All objects of a lint run, indexed by kind and by name, with the selector matches the
/// cross-object rules ask for remembered (a run of 10,000 files holds thousands of Services with
/// the same few selectors).
#[derive(Debug)]
pub struct ObjectSet<'a> {
    pub manifests: &'a [Manifest<'a>],
    pub items: Vec<Item<'a>>,
    pub constitution: &'a Constitution,
    /// The range of `items` each file's objects occupy.
    by_file: Vec<std::ops::Range<usize>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    workloads: Vec<usize>,
    selections: Mutex<HashMap<SelectorKey<'a>, Arc<[usize]>>>,
    budgets: Mutex<HashMap<SelectorKey<'a>, Arc<[usize]>>>,
}

impl<'a> ObjectSet<'a> {
    /// Collects and indexes the objects of every manifest.
    pub fn new(manifests: &'a [Manifest<'a>], constitution: &'a Constitution) -> Self {
        let mut items = Vec::new();
        let mut by_file = Vec::with_capacity(manifests.len());
        for (file, manifest) in manifests.iter().enumerate() {
            let first = items.len();
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
            by_file.push(first..items.len());
        }
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut by_name = HashMap::new();
        let mut workloads = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let object = item.object;
            by_kind.entry(object.kind).or_default().push(index);
            by_name
                .entry((object.kind, object.namespace, object.name))
                .or_insert(index);
            if object.is_workload() {
                workloads.push(index);
            }
        }
        Self {
            manifests,
            items,
            constitution,
            by_file,
            by_kind,
            by_name,
            workloads,
            selections: Mutex::default(),
            budgets: Mutex::default(),
        }
    }

    /// The file an item comes from.
    pub fn manifest(&self, item: &Item<'_>) -> &'a Manifest<'a> {
        &self.manifests[item.file]
    }

    /// The objects of one file.
    pub fn items_of(&self, file: usize) -> &[Item<'a>] {
        self.by_file
            .get(file)
            .map_or(&[], |range| &self.items[range.clone()])
    }

    /// The objects of one kind.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Item<'a>> {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&index| &self.items[index])
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

    /// The workloads in the same namespace whose pods a Service's `spec.selector` selects, as
    /// indices into [`ObjectSet::items`].
    pub fn selected_by_service(&self, service: &Item<'a>) -> Arc<[usize]> {
        let selector = Labels(service.object.node.path(&["spec", "selector"]));
        let key = (service.object.namespace, sorted(selector));
        let memo = |key: &SelectorKey<'a>| {
            self.workloads
                .iter()
                .copied()
                .filter(|&index| {
                    let workload = &self.items[index];
                    workload.object.namespace == key.0
                        && template_labels(workload).matched_by(&selector)
                })
                .collect()
        };
        remembered(&self.selections, key, memo)
    }

    /// The PodDisruptionBudgets in the same namespace whose selector matches the pods of a
    /// workload, as indices into [`ObjectSet::items`].
    pub fn budgets_for(&self, workload: &Item<'a>) -> Arc<[usize]> {
        let labels = template_labels(workload);
        let key = (workload.object.namespace, sorted(labels));
        let memo = |key: &SelectorKey<'a>| {
            self.by_kind
                .get("PodDisruptionBudget")
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .copied()
                .filter(|&index| {
                    let budget = &self.items[index];
                    let selector =
                        Labels(
                            budget
                                .object
                                .node
                                .path(&["spec", "selector", "matchLabels"]),
                        );
                    budget.object.namespace == key.0 && labels.matched_by(&selector)
                })
                .collect()
        };
        remembered(&self.budgets, key, memo)
    }

    /// An object of a kind and name in the same namespace as `near`.
    pub fn find(&self, kind: &str, name: &str, near: &Item<'_>) -> Option<&Item<'a>> {
        self.by_name
            .get(&(kind, near.object.namespace, name))
            .map(|&index| &self.items[index])
    }

    /// The workloads (objects that run pods).
    pub fn workloads(&self) -> impl Iterator<Item = &Item<'a>> {
        self.workloads.iter().map(|&index| &self.items[index])
    }
}

/// The labels of a workload's pod template.
fn template_labels<'a>(workload: &Item<'a>) -> Labels<'a> {
    Labels(
        workload
            .object
            .pod_template()
            .and_then(|t| t.path(&["metadata", "labels"])),
    )
}

/// A label map as sorted pairs.
fn sorted<'a>(labels: Labels<'a>) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<_> = labels.iter().collect();
    pairs.sort_unstable();
    pairs
}

/// The remembered value of `key`, computed by `compute` the first time.
fn remembered<'a>(
    memo: &Mutex<HashMap<SelectorKey<'a>, Arc<[usize]>>>,
    key: SelectorKey<'a>,
    compute: impl FnOnce(&SelectorKey<'a>) -> Arc<[usize]>,
) -> Arc<[usize]> {
    if let Some(found) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return found;
    }
    let value = compute(&key);
    if let Ok(mut memo) = memo.lock() {
        memo.insert(key, Arc::clone(&value));
    }
    value
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
    use super::super::yaml_tree::load;
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
