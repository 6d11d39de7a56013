//! `AG-K007`: probes point at a port the container declares.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::PortRef;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the `port` of every `httpGet`, `tcpSocket` or `grpc` probe (liveness,
    /// readiness and startup) is one the container declares in `ports`, by number
    /// (`containerPort`) or by name, and declares for TCP: all three probes connect over TCP,
    /// so a port declared only with `protocol: UDP` (or `SCTP`) is reported.
    ///
    /// ## Why is this bad?
    /// A probe on a port nothing listens on fails from the first check: liveness restarts the
    /// container in a loop, readiness keeps it out of its Service for ever. A TCP probe on a
    /// UDP-only port (a DNS or syslog server) fails the same way: nothing accepts the
    /// connection. A named port that the container does not declare is rejected when the pod
    /// is created. All are common in generated manifests, where the probe and the ports are
    /// written apart.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - { name: http, containerPort: 8000 }
    /// livenessProbe:
    ///   httpGet: { path: /health, port: 8080 }
    /// ```
    /// or a TCP probe on a port declared only for UDP:
    /// ```yaml
    /// ports:
    ///   - { name: dns, containerPort: 53, protocol: UDP }
    /// livenessProbe:
    ///   tcpSocket: { port: dns }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ports:
    ///   - { name: http, containerPort: 8000 }
    /// livenessProbe:
    ///   httpGet: { path: /health, port: http }
    /// ```
    /// and for a UDP server, an `exec` probe or a TCP port declared beside the UDP one:
    /// ```yaml
    /// ports:
    ///   - { name: dns, containerPort: 53, protocol: UDP }
    ///   - { name: dns-tcp, containerPort: 53, protocol: TCP }
    /// livenessProbe:
    ///   tcpSocket: { port: dns-tcp }
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `liveness-port`, `readiness-port`, `startup-port`.
    pub(crate) const RULE = {
        code: "AG-K007",
        name: "probe-port-declared",
        target: Kubernetes,
        severity: Error,
        summary: "probes target a port the container declares",
        aliases: [
            KubeLinter("liveness-port"),
            KubeLinter("readiness-port"),
            KubeLinter("startup-port"),
        ],
        params: NoParams,
    };
}

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];
const HANDLERS: [&str; 3] = ["httpGet", "tcpSocket", "grpc"];

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for container in spec.containers().filter(|c| !c.init) {
        for probe_key in PROBES {
            let Some(probe) = container.probe(probe_key) else {
                continue;
            };
            for handler_key in HANDLERS {
                let Some(handler) = probe.entry(handler_key) else {
                    continue;
                };
                let Some(port_node) = handler.value.get("port") else {
                    cx.report(
                        &RULE,
                        item,
                        &handler.key,
                        format!(
                            "`{probe_key}.{handler_key}` of container `{}` names no port",
                            container.name
                        ),
                    )
                    .help("set `port` to a declared container port, by number or name");
                    continue;
                };
                let Some(port) = PortRef::of(port_node) else {
                    continue;
                };
                let protocols = container.protocols_of(&port);
                if protocols.is_empty() {
                    cx.report(
                        &RULE,
                        item,
                        port_node,
                        format!(
                            "`{probe_key}` targets port {port}, which container `{}` does not declare",
                            container.name
                        ),
                    )
                    .help("point the probe at a port listed under the container's `ports`, or declare it there");
                } else if !protocols.contains(&"TCP") {
                    cx.report(
                        &RULE,
                        item,
                        port_node,
                        format!(
                            "`{probe_key}.{handler_key}` connects over TCP to port {port}, which \
                             container `{}` declares only for {}",
                            container.name,
                            protocols.join(", ")
                        ),
                    )
                    .help("probe a TCP port of the container, or use an `exec` probe for a UDP service");
                }
            }
        }
    }
}
