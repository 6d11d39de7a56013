//! [`ObjectSet`]: every object of the files linted together, each tied to its file and to the
//! constitution service it belongs to, so cross-object rules can look others up.
//!
//! An object belongs to a service of the constitution when (in this order) the
//! `app.kubernetes.io/name` label, then the `app` label, of its metadata, its pod template or its
//! selector names the service; its own name is the service's, possibly with a suffix such as
//! `-service` or `-pdb`; or its name ends with `-<service>` (`todo-app-backend`, as Helm release
//! prefixes make it). The longest matching service name wins.

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::manifest::Manifest;
use super::object::{Labels, Object, objects_of};
use super::yaml_tree::Node;
use crate::policy::constitution::Constitution;

/// One object and where it comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub object: Object<'a>,
    /// Index of its file in [`ObjectSet::manifests`].
    pub file: usize,
    /// The constitution service it belongs to.
    pub service: Option<&'a str>,
    /// First and last line of the object, for suppressions.
    pub lines: (u32, u32),
    /// When another file of the set defines the same object (kind, namespace and name), the
    /// index of the first definition in [`ObjectSet::items`]: cross-object rules count the
    /// object once, from its first definition.
    pub copy_of: Option<usize>,
}

impl<'a> Item<'a> {
    /// The node findings about the object as a whole point at: `metadata.name`, else `kind`,
    /// else the object's start.
    pub(crate) fn anchor(&self) -> &'a Node {
        let node = self.object.node;
        node.path(&["metadata", "name"])
            .or_else(|| node.get("kind"))
            .unwrap_or(node)
    }
}

/// A namespace, a label key and its value: the key of the label index.
type LabelKey<'a> = (Option<&'a str>, &'a str, &'a str);

/// All objects of a lint run, indexed once so that cross-object rules run in time linear in the
/// number of objects: by kind, by name, workloads by the labels of their pods (within
/// their namespace), PodDisruptionBudgets by the workloads they cover and autoscalers by their
/// target. An object defined again in another file (the same kind, namespace and name) is
/// indexed once, at its first definition; [`Item::copy_of`] ties the copies to it.
#[derive(Debug)]
pub(crate) struct ObjectSet<'a> {
    pub manifests: &'a [Manifest<'a>],
    pub items: Vec<Item<'a>>,
    pub constitution: &'a Constitution,
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    workloads: Vec<usize>,
    /// Workloads by each label of their pod template.
    pods_by_label: HashMap<LabelKey<'a>, Vec<usize>>,
    /// The PodDisruptionBudgets whose selector matches each workload's pods.
    budgets: HashMap<usize, Vec<usize>>,
    /// The `minReplicas` of the autoscaler of each (namespace, kind, name).
    autoscalers: HashMap<(Option<&'a str>, &'a str, &'a str), i64>,
    /// The copies of each object defined more than once, by the index of its first definition.
    copies: HashMap<usize, Vec<usize>>,
    /// The kinds each namespace has objects of.
    kinds: HashSet<(&'a str, Option<&'a str>)>,
}

impl<'a> ObjectSet<'a> {
    /// Collects and indexes the objects of every manifest.
    pub(crate) fn new(manifests: &'a [Manifest<'a>], constitution: &'a Constitution) -> Self {
        let per_file: Vec<Vec<Item<'a>>> = manifests
            .par_iter()
            .enumerate()
            .map(|(file, manifest)| {
                let objects = manifest
                    .loaded
                    .documents
                    .iter()
                    .flat_map(|document| objects_of(&document.root));
                objects
                    .map(|object| {
                        let start = object.node.mark;
                        Item {
                            object,
                            file,
                            service: service_of(&object, constitution),
                            lines: (start.line, Manifest::last_line(start, object.node.end)),
                            copy_of: None,
                        }
                    })
                    .collect()
            })
            .collect();
        let items = per_file.into_iter().flatten().collect();
        let mut set = Self {
            manifests,
            items,
            constitution,
            by_kind: HashMap::default(),
            by_name: HashMap::default(),
            workloads: Vec::new(),
            pods_by_label: HashMap::default(),
            budgets: HashMap::default(),
            autoscalers: HashMap::default(),
            copies: HashMap::default(),
            kinds: HashSet::default(),
        };
        set.index();
        set
    }

    /// Builds the indexes, each in one pass over the objects.
    fn index(&mut self) {
        for index in 0..self.items.len() {
            let object = self.items[index].object;
            let key = (object.kind, object.namespace, object.name);
            let first = *self.by_name.entry(key).or_insert(index);
            if first != index && !object.name.is_empty() {
                self.items[index].copy_of = Some(first);
                self.copies.entry(first).or_default().push(index);
                continue;
            }
            self.by_kind.entry(object.kind).or_default().push(index);
            self.kinds.insert((object.kind, object.namespace));
            if object.is_workload() {
                self.workloads.push(index);
                let labels = template_labels(&self.items[index]);
                for (key, value) in labels.iter() {
                    self.pods_by_label
                        .entry((object.namespace, key, value))
                        .or_default()
                        .push(index);
                }
            }
        }
        for budget in self
            .by_kind
            .get("PodDisruptionBudget")
            .cloned()
            .unwrap_or_default()
        {
            let item = &self.items[budget];
            let selector = Labels(item.object.node.path(&["spec", "selector", "matchLabels"]));
            for workload in self.selected(item.object.namespace, selector) {
                self.budgets.entry(workload).or_default().push(budget);
            }
        }
        for hpa in self
            .by_kind
            .get("HorizontalPodAutoscaler")
            .cloned()
            .unwrap_or_default()
        {
            let node = self.items[hpa].object.node;
            let target = |key: &str| {
                node.path(&["spec", "scaleTargetRef", key])
                    .and_then(Node::as_str)
            };
            if let (Some(kind), Some(name)) = (target("kind"), target("name")) {
                let minimum = node
                    .path(&["spec", "minReplicas"])
                    .and_then(Node::as_int)
                    .unwrap_or(1);
                self.autoscalers
                    .entry((self.items[hpa].object.namespace, kind, name))
                    .or_insert(minimum);
            }
        }
    }

    /// The workloads of a namespace whose pods carry every label of `selector` (none for an
    /// empty selector): the workloads with the selector's rarest label, checked for the others.
    fn selected(&self, namespace: Option<&'a str>, selector: Labels<'a>) -> Vec<usize> {
        let pairs: Vec<(&str, &str)> = selector.iter().collect();
        let candidates = pairs
            .iter()
            .map(|&(key, value)| {
                self.pods_by_label
                    .get(&(namespace, key, value))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
            })
            .min_by_key(|list| list.len());
        let Some(candidates) = candidates else {
            return Vec::new();
        };
        candidates
            .iter()
            .copied()
            .filter(|&index| template_labels(&self.items[index]).matched_by(&selector))
            .collect()
    }

    /// The file an item comes from.
    pub(crate) fn manifest(&self, item: &Item<'_>) -> &'a Manifest<'a> {
        &self.manifests[item.file]
    }

    /// The objects of one kind, each once (copies in other files left out).
    pub(crate) fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Item<'a>> {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&index| &self.items[index])
    }

    /// The `minReplicas` of a HorizontalPodAutoscaler of the set that scales `item` (1 when the
    /// autoscaler leaves it unset).
    pub(crate) fn autoscaler_minimum(&self, item: &Item<'_>) -> Option<i64> {
        self.autoscalers
            .get(&(item.object.namespace, item.object.kind, item.object.name))
            .copied()
    }

    /// The workloads in the same namespace whose pods a Service's `spec.selector` selects, as
    /// indices into [`ObjectSet::items`].
    pub(crate) fn selected_by_service(&self, service: &Item<'a>) -> Vec<usize> {
        let selector = Labels(service.object.node.path(&["spec", "selector"]));
        self.selected(service.object.namespace, selector)
    }

    /// The PodDisruptionBudgets in the same namespace whose selector matches the pods of a
    /// workload, as indices into [`ObjectSet::items`].
    pub(crate) fn budgets_for(&self, workload: &Item<'a>) -> &[usize] {
        let index = workload_index(self, workload);
        index
            .and_then(|index| self.budgets.get(&index))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// An object of a kind and name in the same namespace as `near` (its first definition).
    pub(crate) fn find(&self, kind: &str, name: &str, near: &Item<'_>) -> Option<&Item<'a>> {
        self.by_name
            .get(&(kind, near.object.namespace, name))
            .map(|&index| &self.items[index])
    }

    /// True when the set defines some object of `kind` in the namespace of `near`.
    pub(crate) fn has_kind_in_namespace(&self, kind: &str, near: &Item<'_>) -> bool {
        self.kinds.contains(&(kind, near.object.namespace))
    }

    /// The workloads (objects that run pods), each once.
    pub(crate) fn workloads(&self) -> impl Iterator<Item = &Item<'a>> {
        self.workloads.iter().map(|&index| &self.items[index])
    }

    /// The objects defined in more than one file: each first definition with its copies.
    pub(crate) fn copies(&self) -> impl Iterator<Item = (&Item<'a>, Vec<&Item<'a>>)> {
        let mut firsts: Vec<usize> = self.copies.keys().copied().collect();
        firsts.sort_unstable();
        firsts.into_iter().map(|first| {
            let copies = self.copies[&first]
                .iter()
                .map(|&i| &self.items[i])
                .collect();
            (&self.items[first], copies)
        })
    }
}

/// The index of a workload in the set's items, found by identity.
fn workload_index(set: &ObjectSet<'_>, workload: &Item<'_>) -> Option<usize> {
    let key = (
        workload.object.kind,
        workload.object.namespace,
        workload.object.name,
    );
    set.by_name
        .get(&key)
        .copied()
        .filter(|&index| std::ptr::eq(set.items[index].object.node, workload.object.node))
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
pub(crate) fn service_of<'c>(
    object: &Object<'_>,
    constitution: &'c Constitution,
) -> Option<&'c str> {
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
