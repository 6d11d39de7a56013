//! `AG-K017`: Services have the type and ports their class and the constitution give them.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every Service that belongs to a service of the constitution (by its
    /// `app.kubernetes.io/name` label or its name): its `type` must be its class's
    /// `service_type` (`ClusterIP` for the backend, `NodePort` for the front ends in the Phase
    /// IV preset), one of its ports must be the service's `port`, and a NodePort Service must
    /// pin that port's `nodePort` to the configured `node_port` (30000 and 30001).
    ///
    /// ## Why is this bad?
    /// A backend exposed as NodePort or LoadBalancer is reachable from outside the cluster,
    /// around the front ends that were meant to guard it. A front end whose nodePort is left
    /// to chance moves at every re-creation, and the documented URL stops working. A port
    /// other than the one the other services are configured to call breaks them silently.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata: { name: frontend-web }
    /// spec:
    ///   type: LoadBalancer
    ///   ports: [{ port: 80, targetPort: 3000 }]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// metadata: { name: frontend-web }
    /// spec:
    ///   type: NodePort
    ///   ports: [{ port: 3000, targetPort: http, nodePort: 30000 }]
    /// ```
    ///
    /// ## Options
    /// None; the numbers are `classes.<class>.service_type` and `services.<name>.port` and
    /// `node_port` of the constitution.
    ///
    /// ## References
    /// kube-score `service-type`, kube-linter `exposed-services`.
    pub(crate) const RULE = {
        code: "AG-K017",
        name: "service-type-and-ports",
        target: Kubernetes,
        severity: Error,
        summary: "Services use their class's type and the configured port and nodePort",
        aliases: [KubeScore("service-type"), KubeLinter("exposed-services")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let object = item.object;
    let (true, Some(service)) = (object.kind == "Service", item.service) else {
        return;
    };
    let constitution = cx.set.constitution;
    let Some(policy) = constitution.service(service) else {
        return;
    };
    let spec = object.node.get("spec");
    let type_node = spec.and_then(|s| s.get("type"));
    let actual_type = type_node.and_then(Node::as_str).unwrap_or("ClusterIP");
    let class = policy.class.as_deref().unwrap_or(service);
    let expected_type = constitution
        .class_of(service)
        .and_then(|c| c.service_type.as_deref());
    if let Some(expected) = expected_type
        && expected != actual_type
    {
        let at = type_node.unwrap_or_else(|| item.anchor());
        let how = if type_node.is_some() {
            ""
        } else {
            " (no `type`)"
        };
        cx.report(
            &RULE,
            item,
            at,
            format!(
                "Service `{}` is `{actual_type}`{how}; the `{class}` class makes it `{expected}`",
                object.name
            ),
        )
        .help(format!("set `spec.type: {expected}`"));
    }
    let Some(port) = policy.port else {
        return;
    };
    let ports = spec.and_then(|s| s.get("ports"));
    let entries = ports.map(Node::items).unwrap_or_default();
    let Some(matching) = entries
        .iter()
        .find(|p| p.get("port").and_then(Node::as_int) == Some(i64::from(port)))
    else {
        let listed: Vec<String> = entries
            .iter()
            .filter_map(|p| p.get("port").and_then(Node::as_str).map(str::to_string))
            .collect();
        let what = if listed.is_empty() {
            "no port".to_string()
        } else {
            format!("port {}", listed.join(", "))
        };
        cx.report(
            &RULE,
            item,
            ports.unwrap_or_else(|| item.anchor()),
            format!(
                "Service `{}` exposes {what}; the constitution gives `{service}` port {port}",
                object.name
            ),
        )
        .help(format!("add `- port: {port}` to `spec.ports`"));
        return;
    };
    let (Some(node_port), "NodePort") = (policy.node_port, actual_type) else {
        return;
    };
    match matching.get("nodePort") {
        Some(node) if node.as_int() == Some(i64::from(node_port)) => {}
        Some(node) => cx
            .report(
                &RULE,
                item,
                node,
                format!(
                    "`nodePort: {}` of Service `{}`; the constitution says {node_port}",
                    node.as_str().unwrap_or("?"),
                    object.name
                ),
            )
            .help(format!("set `nodePort: {node_port}`")),
        None => cx
            .report(
                &RULE,
                item,
                matching.get("port").unwrap_or(matching),
                format!(
                    "port {port} of Service `{}` leaves `nodePort` to chance; the constitution \
                     says {node_port}",
                    object.name
                ),
            )
            .help(format!("set `nodePort: {node_port}` on this port")),
    }
}
