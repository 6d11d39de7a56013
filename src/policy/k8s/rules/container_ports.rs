//! `AG-K024`: containers declare ports the API server accepts.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::ports;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the `ports` of every container (init containers included) for the values the
    /// API server rejects although the OpenAPI schema lets them through: a `containerPort`, or
    /// a `hostPort` other than 0, outside 1 to 65535, and a `name` that is not an IANA service
    /// name (at most 15 characters, only lowercase letters, digits and `-`, at least one
    /// letter, no `-` at either end or twice in a row). A value of the wrong type
    /// (`containerPort: "8000"`) is the schema's (`AG-K031`) and is not reported again here;
    /// Service ports are `AG-K102`'s.
    ///
    /// ## Why is this bad?
    /// The workload is refused when it is applied (`spec.template.spec.containers[0].ports[0].name:
    /// Invalid value: ... must be no more than 15 characters`), and `kubernetes-validate` and
    /// other schema checkers, which only know the types, say nothing. Long descriptive port
    /// names (`metrics-exporter`, `grpc-health-check`) are a common slip.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - { name: metrics-exporter, containerPort: 9100 }
    ///   - { name: api, containerPort: 80800 }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ports:
    ///   - { name: metrics, containerPort: 9100 }
    ///   - { name: api, containerPort: 8080 }
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// Kubernetes API validation (`IsValidPortNum`, `IsValidPortName`).
    pub(crate) const RULE = {
        code: "AG-K024",
        name: "container-ports",
        target: Kubernetes,
        severity: Error,
        summary: "container port numbers and names are ones the API server accepts",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for container in spec.containers() {
        for entry in container.ports() {
            let numbers = [
                ("containerPort", entry.get("containerPort"), false),
                ("hostPort", entry.get("hostPort"), true),
            ];
            for (field, node, zero_unset) in numbers {
                let Some((node, number)) = node.and_then(|n| n.as_int().map(|i| (n, i))) else {
                    continue;
                };
                if zero_unset && number == 0 {
                    continue;
                }
                if let Some(problem) = ports::int32_number_problem(number) {
                    report(cx, item, node, field, container.name, &problem);
                }
            }
            let name = entry
                .get("name")
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
            if let Some(node) = name
                && let Some(problem) = node.as_str().and_then(ports::name_problem)
            {
                report(cx, item, node, "name", container.name, &problem);
            }
        }
    }
}

fn report(
    cx: &mut Checker<'_, '_>,
    item: &Item<'_>,
    node: &Node,
    field: &str,
    container: &str,
    problem: &str,
) {
    cx.report(
        &RULE,
        item,
        node,
        format!(
            "`{field}` of a port of container `{container}`: {problem}; the API server rejects \
             `{}`",
            item.object.display()
        ),
    )
    .help(if field == "name" {
        "name it with at most 15 lowercase letters, digits and `-`: `http`, `metrics`, `grpc`"
    } else {
        "use a port number from 1 to 65535"
    });
}
