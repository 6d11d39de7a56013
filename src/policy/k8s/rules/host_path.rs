//! `AG-K022`: pods do not mount directories of the node.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no volume of a workload's pod spec is a `hostPath` volume.
    ///
    /// ## Why is this bad?
    /// A `hostPath` volume gives the container a directory of the node: the container runtime
    /// socket, the kubelet's credentials, `/etc`. Even read-only, it leaks what other pods run;
    /// writable, it is a way out of the container. It also ties the pod to one node's disk.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     hostPath: { path: /var/lib/todo }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     persistentVolumeClaim: { claimName: todo-data }
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `sensitive-host-mounts`, `docker-sock`, `writable-host-mount`; checkov
    /// `CKV_K8S_27`; Polaris `hostPathSet`.
    pub(crate) const RULE = {
        code: "AG-K022",
        name: "no-host-path",
        target: Kubernetes,
        severity: Error,
        summary: "pods mount no `hostPath` volumes",
        aliases: [
            KubeLinter("sensitive-host-mounts"),
            KubeLinter("docker-sock"),
            KubeLinter("writable-host-mount"),
            Checkov("CKV_K8S_27"),
            Polaris("hostPathSet"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for volume in spec.volumes() {
        let Some(entry) = volume.entry("hostPath") else {
            continue;
        };
        let path = entry
            .value
            .get("path")
            .and_then(Node::as_str)
            .unwrap_or("?");
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
        cx.report(
            &RULE,
            item,
            &entry.key,
            format!("volume `{name}` mounts `{path}` from the node (`hostPath`)"),
        )
        .help("use an `emptyDir`, a ConfigMap or a PersistentVolumeClaim instead");
    }
}
