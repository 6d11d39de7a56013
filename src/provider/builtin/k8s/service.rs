//! The Service of one service that serves a port: ClusterIP for a backend, NodePort with its
//! configured nodePort for a front end; one port named `http` (`grpc` for a gRPC server) that
//! targets the container port of the same name. A worker gets none.

use super::{Ctx, render, workload};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml_writer::{Map, Yaml};

/// The Service manifest; `None` for a worker.
pub(crate) fn service(cx: &Ctx<'_>, facts: &Facts<'_>) -> Option<String> {
    let name = &facts.name;
    let port_number = facts.port?;
    let port_name = workload::port_name(facts);
    let node_port = cx.node_ports.get(name).copied();
    let kind = if node_port.is_some() {
        "NodePort"
    } else {
        "ClusterIP"
    };
    let mut port = Map::new()
        .with("name", port_name)
        .with("port", cx.pick(port_number, "$svc.port"))
        .with("targetPort", port_name)
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
            "Service of `{}`: NodePort {node_port} to port {port_number}.",
            facts.service.name
        ),
        None => format!(
            "Service of `{}`: ClusterIP on port {port_number}, reachable inside the cluster only.",
            facts.service.name
        ),
    };
    Some(render(&what, body))
}
