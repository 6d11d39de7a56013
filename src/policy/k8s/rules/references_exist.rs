//! `AG-K104`: the Secrets and ConfigMaps that workloads read exist, with the keys they read.

use std::collections::HashMap;

use crate::policy::Severity;
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::validate::closest;
use crate::policy::k8s::set::{Item, ObjectSet};
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, across all files linted together, that every Secret and ConfigMap a workload
    /// reads exists in its namespace, and has the key read. A name is only looked for when the
    /// set defines some object of its kind in that namespace: a set with no ConfigMap at all
    /// leaves them to be created another way (a README's `kubectl create configmap`). The
    /// references read are `env[].valueFrom.secretKeyRef` and `configMapKeyRef`,
    /// `envFrom[].secretRef` and `configMapRef`, and `secret` and `configMap` volumes (with
    /// their `items[].key`). References marked `optional: true` are skipped. A Secret defined
    /// in a `*.example` template (`secret.yaml.example`) counts as existing: the real one is
    /// created in the cluster from it.
    ///
    /// How sure a finding is decides its severity. A key missing from a Secret or ConfigMap
    /// the files define, and a name one or two edits away from one they define in the
    /// namespace (`todo-secret` for `todo-secrets`), are reported at the rule's severity: they
    /// are almost always typos. A name that resembles none of them is reported as
    /// information only: the set manages some objects of the kind but this one may be created
    /// another way (a README's `kubectl create configmap`, an operator, a sealed secret), and
    /// a linter that cannot see the cluster cannot tell; the finding names it so that a
    /// reviewer checks it is created before the pods start.
    ///
    /// ## Why is this bad?
    /// A missing Secret or key is only found when the pod starts: it stays in
    /// `CreateContainerConfigError` and the rollout stalls. A key name that differs by a
    /// character (`OPENAI_KEY` and `OPENAI_API_KEY`) is a classic of generated manifests.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: OPENAI_API_KEY
    ///     valueFrom:
    ///       secretKeyRef: { name: todo-secret, key: OPENAI_KEY }
    /// # secret.yaml.example defines todo-secrets with key OPENAI_API_KEY
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: OPENAI_API_KEY
    ///     valueFrom:
    ///       secretKeyRef: { name: todo-secrets, key: OPENAI_API_KEY }
    /// ```
    ///
    /// ## Options
    /// None. The rule is a warning because the set linted may be partial; lint the whole
    /// manifest directory to get the full picture.
    ///
    /// ## References
    /// kube-linter `env-value-from`.
    pub(crate) const RULE = {
        code: "AG-K104",
        name: "references-exist",
        target: Kubernetes,
        severity: Warning,
        summary: "referenced Secrets, ConfigMaps and keys exist in the linted set",
        aliases: [KubeLinter("env-value-from")],
        params: NoParams,
    };
}

/// One reference: the kind and name it reads, the key (if one), and the nodes to point at.
struct Reference<'a> {
    kind: &'static str,
    name: &'a Node,
    key: Option<&'a Node>,
    via: &'static str,
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    let mut near = NearMisses::default();
    for workload in set.workloads() {
        for reference in references(workload) {
            let Some(name) = reference.name.as_str() else {
                continue;
            };
            let Some(target) = set.find(reference.kind, name, workload) else {
                // A set without any object of the kind in this namespace does not manage
                // them: they are created some other way (a README's `kubectl create`).
                if !set.has_kind_in_namespace(reference.kind, workload) {
                    continue;
                }
                let close = near.of(set, reference.kind, workload.object.namespace, name);
                report_missing(cx, workload, &reference, name, close);
                continue;
            };
            let Some(key_node) = reference.key else {
                continue;
            };
            let Some(key) = key_node.as_str() else {
                continue;
            };
            if !has_key(target, key) {
                cx.report(
                    &RULE,
                    workload,
                    key_node,
                    format!("{} `{name}` has no key `{key}`", reference.kind),
                )
                .help(format!(
                    "use one of its keys ({}) or add `{key}` to it",
                    keys(target).join(", ")
                ));
            }
        }
    }
}

/// The defined name nearest to a missing one, per kind and namespace, worked out once for
/// each missing name (many workloads often read the same one) over the names of that kind and
/// namespace, listed once.
#[derive(Default)]
struct NearMisses<'a> {
    names: HashMap<(&'static str, Option<&'a str>), Vec<&'a str>>,
    found: HashMap<(&'static str, Option<&'a str>, &'a str), Option<&'a str>>,
}

impl<'a> NearMisses<'a> {
    fn of(
        &mut self,
        set: &ObjectSet<'a>,
        kind: &'static str,
        namespace: Option<&'a str>,
        name: &'a str,
    ) -> Option<&'a str> {
        let names = self.names.entry((kind, namespace)).or_insert_with(|| {
            set.of_kind(kind)
                .filter(|item| item.object.namespace == namespace)
                .map(|item| item.object.name)
                .collect()
        });
        *self
            .found
            .entry((kind, namespace, name))
            .or_insert_with(|| {
                // Names whose lengths differ by more than two are more than two edits apart.
                let similar = names
                    .iter()
                    .copied()
                    .filter(|n| n.len().abs_diff(name.len()) <= 2);
                closest(name, similar)
            })
    }
}

/// Reports a Secret or ConfigMap the linted files do not define although they define others
/// of its kind in the namespace: as the rule's severity when the name is one or two edits from
/// one they define (`near`, a typo), as information otherwise (it may well be created another
/// way).
fn report_missing(
    cx: &mut Checker<'_, '_>,
    workload: &Item<'_>,
    reference: &Reference<'_>,
    name: &str,
    near: Option<&str>,
) {
    let kind = reference.kind;
    let via = reference.via;
    match near {
        Some(near) => cx
            .report(
                &RULE,
                workload,
                reference.name,
                format!(
                    "{kind} `{name}` read through `{via}` is not among the linted files, which \
                     define `{near}`"
                ),
            )
            .help(format!(
                "did you mean `{near}`? If `{name}` is another {kind} created outside these \
                 files, mark the reference `optional: true` or lint it with them"
            )),
        None => cx
            .report(
                &RULE,
                workload,
                reference.name,
                format!(
                    "{kind} `{name}` read through `{via}` is not among the linted files; it may \
                     be created outside them"
                ),
            )
            .at_most(Severity::Info)
            .help(format!(
                "make sure it exists before the pods start (`kubectl create {} {name} ...`), or \
                 lint its manifest with these files",
                if kind == "Secret" {
                    "secret generic"
                } else {
                    "configmap"
                }
            )),
    }
}

/// The data keys of a Secret or ConfigMap.
fn keys<'a>(target: &Item<'a>) -> Vec<&'a str> {
    ["data", "stringData", "binaryData"]
        .iter()
        .filter_map(|section| target.object.node.get(section))
        .flat_map(|map| map.entries().iter().filter_map(|e| e.key.as_str()))
        .collect()
}

fn has_key(target: &Item<'_>, key: &str) -> bool {
    keys(target).contains(&key)
}

fn is_optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

/// Every non-optional reference of a workload's containers and volumes.
fn references<'a>(workload: &Item<'a>) -> Vec<Reference<'a>> {
    let mut found = Vec::new();
    let Some(spec) = workload.object.pod_spec() else {
        return found;
    };
    let mut push = |kind, holder: &'a Node, name_key: &str, key: Option<&'a Node>, via| {
        if is_optional(holder) {
            return;
        }
        if let Some(name) = holder.get(name_key) {
            found.push(Reference {
                kind,
                name,
                key,
                via,
            });
        }
    };
    for container in spec.containers() {
        for env in container.env() {
            if let Some(r) = env.path(&["valueFrom", "secretKeyRef"]) {
                push("Secret", r, "name", r.get("key"), "secretKeyRef");
            }
            if let Some(r) = env.path(&["valueFrom", "configMapKeyRef"]) {
                push("ConfigMap", r, "name", r.get("key"), "configMapKeyRef");
            }
        }
        let env_from = container
            .node
            .get("envFrom")
            .map(Node::items)
            .unwrap_or_default();
        for source in env_from {
            if let Some(r) = source.get("secretRef") {
                push("Secret", r, "name", None, "envFrom.secretRef");
            }
            if let Some(r) = source.get("configMapRef") {
                push("ConfigMap", r, "name", None, "envFrom.configMapRef");
            }
        }
    }
    for volume in spec.volumes() {
        let sources = [
            ("Secret", "secret", "secretName", "a secret volume"),
            ("ConfigMap", "configMap", "name", "a configMap volume"),
        ];
        for (kind, key, name_key, via) in sources {
            let Some(source) = volume.get(key) else {
                continue;
            };
            let items = source.get("items").map(Node::items).unwrap_or_default();
            if items.is_empty() {
                push(kind, source, name_key, None, via);
            }
            for item in items {
                push(kind, source, name_key, item.get("key"), via);
            }
        }
    }
    found
}
