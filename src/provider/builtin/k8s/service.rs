//! The Service of one service: ClusterIP for a backend, NodePort with its configured nodePort
//! for a front end; one port named `http` that targets the container port of the same name.

use super::{Ctx, render};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml::{Map, Yaml};

/// The Service manifest.
pub(crate) fn service(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let name = &facts.name;
    let node_port = cx.node_ports.get(name).copied();
    let kind = if node_port.is_some() {
        "NodePort"
    } else {
        "ClusterIP"
    };
    let mut port = Map::new()
        .with("name", "http")
        .with("port", cx.pick(facts.port, "$svc.port"))
        .with("targetPort", "http")
        .with("protocol", "TCP");
    if let Some(node_port) = node_port {
        port.push("nodePort", cx.pick(node_port, "$svc.service.nodePort"));
    }
    let spec = Map::new()
        .with("type", cx.pick(kind, "$svc.service.type"))
        .with("selector", cx.selector(name))
        .with("ports", vec![Yaml::Map(port)]);
    let body = cx.service_object("v1", "Service", facts).with("spec", spec);
    let what = match node_port {
        Some(node_port) => format!(
            "Service of `{}`: NodePort {node_port} to port {}.",
            facts.service.name, facts.port
        ),
        None => format!(
            "Service of `{}`: ClusterIP on port {}, reachable inside the cluster only.",
            facts.service.name, facts.port
        ),
    };
    render(&what, body)
}
