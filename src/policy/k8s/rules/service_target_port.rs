//! `AG-K102`: every Service port targets a port its pods declare.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::PortRef;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, for every Service that selects workloads linted with it, that the `targetPort`
    /// of each of its ports (its `port` when `targetPort` is unset) is declared by a container
    /// of every selected workload, by number (`containerPort`) or by name.
    ///
    /// ## Why is this bad?
    /// A Service forwarding to a port nothing listens on answers every request with a refused
    /// connection; a named `targetPort` no container declares leaves the Service without
    /// endpoints. Generated manifests often disagree on the port (8000 in the Dockerfile, 8080
    /// in the Service).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports: [{ port: 8000, targetPort: 8080 }]
    /// # the Deployment's container declares containerPort 8000
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports: [{ port: 8000, targetPort: http }]
    /// # the container declares - { name: http, containerPort: 8000 }
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `invalid-target-ports`, kube-score `service-targets-pod`.
    pub(crate) const RULE = {
        code: "AG-K102",
        name: "service-target-port",
        target: Kubernetes,
        severity: Error,
        summary: "Service ports target a port the selected containers declare",
        aliases: [KubeLinter("invalid-target-ports")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    for service in set.of_kind("Service") {
        let selected = set.selected_by_service(service);
        if selected.is_empty() {
            continue;
        }
        let ports = service
            .object
            .node
            .path(&["spec", "ports"])
            .map(Node::items)
            .unwrap_or_default();
        for port in ports {
            let Some(node) = port.get("targetPort").or_else(|| port.get("port")) else {
                continue;
            };
            let Some(target) = PortRef::of(node) else {
                continue;
            };
            let undeclared: Vec<usize> = selected
                .iter()
                .copied()
                .filter(|&index| !declares(&set.items[index], &target))
                .collect();
            let Some(&first) = undeclared.first() else {
                continue;
            };
            let more = match undeclared.len() - 1 {
                0 => String::new(),
                1 => " (nor does 1 more selected workload)".to_string(),
                n => format!(" (nor do {n} more selected workloads)"),
            };
            cx.report(
                &RULE,
                service,
                node,
                format!(
                    "Service `{}` targets port {target}, which no container of `{}` declares{more}",
                    service.object.name,
                    set.items[first].object.display()
                ),
            )
            .help("set `targetPort` to a port listed under the containers' `ports` (by name or number)");
        }
    }
}

fn declares(workload: &Item<'_>, target: &PortRef<'_>) -> bool {
    workload.object.pod_spec().is_some_and(|spec| {
        spec.containers()
            .filter(|c| !c.init)
            .any(|c| c.declares_port(target))
    })
}
