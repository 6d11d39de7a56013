//! `AG-K102`: every Service port targets a port its pods declare.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::PortRef;
use crate::policy::k8s::ports;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, for every Service that selects workloads linted with it, that the `targetPort`
    /// of each of its ports (its `port` when `targetPort` is unset) is declared by a container
    /// of every selected workload, by number (`containerPort`) or by name.
    ///
    /// It also checks every Service, selecting or not, for the port values the API server
    /// rejects: a `port` or numeric `targetPort` outside 1 to 65535 (a `targetPort` of 0 means
    /// `port`), and a named `targetPort` that is not an IANA service name (at most 15
    /// characters, only lowercase letters, digits and `-`, at least one letter, no `-` at either
    /// end or twice in a row; a quoted number such as `"8080"` is a name, and not a valid one).
    /// A Service with more than one port must also name each of them. The OpenAPI schema (and
    /// so `kubernetes-validate`) accepts all of these; the API server's validation does not.
    /// Container ports are `AG-K024`'s.
    ///
    /// ## Why is this bad?
    /// A Service forwarding to a port nothing listens on answers every request with a refused
    /// connection; a named `targetPort` no container declares leaves the Service without
    /// endpoints. Generated manifests often disagree on the port (8000 in the Dockerfile, 8080
    /// in the Service).
    /// A port out of range or a name over 15 characters (`targetPort: metrics-exporter`) is
    /// refused when the Service is applied.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports: [{ port: 8000, targetPort: 8080 }]
    /// # the Deployment's container declares containerPort 8000
    /// ---
    /// kind: Service
    /// spec:
    ///   ports: [{ port: 9100, targetPort: metrics-exporter }]  # 16 characters
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
        summary: "Service ports are valid and target a port the selected containers declare",
        aliases: [KubeLinter("invalid-target-ports")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    // Every definition is checked for values the API server rejects, copies included: each
    // file is applied on its own.
    for service in set.items.iter().filter(|i| i.object.kind == "Service") {
        let ports = ports_of(service);
        for port in ports {
            report_invalid(cx, service, port);
            if ports.len() > 1 && port.get("name").and_then(Node::as_str).is_none() {
                cx.report(
                    &RULE,
                    service,
                    port,
                    format!(
                        "Service `{}` has {} ports and this one has no `name`; the API server \
                         rejects the Service",
                        service.object.name,
                        ports.len()
                    ),
                )
                .help("name every port of a Service that has more than one (`http`, `metrics`)");
            }
        }
    }
    for service in set.of_kind("Service") {
        let selected = set.selected_by_service(service);
        if selected.is_empty() {
            continue;
        }
        for port in ports_of(service) {
            let Some(node) = target_node(port) else {
                continue;
            };
            let Some(target) = PortRef::of(node).filter(|t| invalid(t).is_none()) else {
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

/// The node naming the port a Service port forwards to: `targetPort`, or `port` when
/// `targetPort` is unset or 0 (which the API server defaults to `port`).
fn target_node(port: &Node) -> Option<&Node> {
    port.get("targetPort")
        .filter(|target| target.as_int() != Some(0))
        .or_else(|| port.get("port"))
}

/// The entries of a Service's `spec.ports`.
fn ports_of<'a>(service: &Item<'a>) -> &'a [Node] {
    service
        .object
        .node
        .path(&["spec", "ports"])
        .map(Node::items)
        .unwrap_or_default()
}

/// Why the API server rejects a port reference: a number outside 1..65535 or a name that is
/// not an IANA service name.
fn invalid(target: &PortRef<'_>) -> Option<String> {
    match target {
        PortRef::Number(number) => ports::number_problem(*number),
        PortRef::Name(name) => ports::name_problem(name),
    }
}

/// Reports a `port` that is not a port number and a `targetPort` that is neither a port
/// number nor a port name. A `port` that is not a 32-bit integer at all is the schema's
/// (`AG-K031`).
fn report_invalid(cx: &mut Checker<'_, '_>, service: &Item<'_>, port: &Node) {
    let number = port.get("port").and_then(|node| {
        let problem = ports::int32_number_problem(node.as_int()?)?;
        Some((node, problem))
    });
    let target = port
        .get("targetPort")
        .filter(|t| t.as_int() != Some(0))
        .and_then(|node| Some((node, invalid(&PortRef::of(node)?)?)));
    for (field, found) in [("port", number), ("targetPort", target)] {
        let Some((node, problem)) = found else {
            continue;
        };
        cx.report(
            &RULE,
            service,
            node,
            format!(
                "`{field}` of Service `{}`: {problem}; the API server rejects the Service",
                service.object.name
            ),
        )
        .help(if field == "port" {
            "use a port number from 1 to 65535"
        } else {
            "target a port number from 1 to 65535, or a container port's name (at most 15 \
             lowercase letters, digits and `-`)"
        });
    }
}

fn declares(workload: &Item<'_>, target: &PortRef<'_>) -> bool {
    workload.object.pod_spec().is_some_and(|spec| {
        spec.containers()
            .filter(|c| !c.init)
            .any(|c| c.declares_port(target))
    })
}
