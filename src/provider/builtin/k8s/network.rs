//! The NetworkPolicy of one service.
//!
//! Ingress: a front end takes traffic from anywhere on its port; a backend only from the
//! application's front ends (and its other backends), or from every pod of the application when
//! it has no front end; a worker from nobody. Egress: DNS, the application's backends on their
//! ports, and the outside world except the private ranges (the database is external).

use super::{Ctx, render, workload};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml_writer::{Map, Yaml};

/// The NetworkPolicy manifest.
pub(crate) fn network_policy(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let name = &facts.name;
    let named = |port: &str| Yaml::Map(Map::new().with("protocol", "TCP").with("port", port));
    let own_port = || named(workload::port_name(facts));
    let app_pods = |component: Option<&str>| {
        let labels = Map::new().with("app.kubernetes.io/part-of", &cx.params.app);
        let labels = match component {
            Some(component) => labels.with("app.kubernetes.io/component", component),
            None => labels,
        };
        Yaml::Map(Map::new().with("podSelector", Map::new().with("matchLabels", labels)))
    };
    let has_frontend = cx.all.iter().any(|f| f.is_frontend());
    let backends: Vec<&Facts<'_>> = cx
        .all
        .iter()
        .filter(|f| !f.is_frontend() && f.serves() && f.name != facts.name)
        .collect();
    let other_backends = !backends.is_empty();

    let ingress = if !facts.serves() {
        None
    } else if facts.is_frontend() {
        Some((
            "A front end: reachable from anywhere on its port.",
            Map::new().with("ports", vec![own_port()]),
        ))
    } else if has_frontend {
        let mut from = vec![app_pods(Some("frontend"))];
        if other_backends {
            from.push(app_pods(Some("backend")));
        }
        Some((
            "A backend: reachable from the application's own pods only.",
            Map::new()
                .with("from", from)
                .with("ports", vec![own_port()]),
        ))
    } else {
        Some((
            "A backend of an application without front ends: reachable from its pods.",
            Map::new()
                .with("from", vec![app_pods(None)])
                .with("ports", vec![own_port()]),
        ))
    };

    let dns = Map::new().with_comment(
        "ports",
        "DNS.",
        vec![
            Yaml::Map(Map::new().with("protocol", "UDP").with("port", 53u16)),
            Yaml::Map(Map::new().with("protocol", "TCP").with("port", 53u16)),
        ],
    );
    let mut egress = vec![Yaml::Map(dns)];
    if other_backends {
        let mut names: Vec<&str> = backends.iter().map(|f| workload::port_name(f)).collect();
        names.sort_unstable();
        names.dedup();
        egress.push(Yaml::Map(
            Map::new()
                .with_comment(
                    "to",
                    "The application's backends.",
                    vec![app_pods(Some("backend"))],
                )
                .with("ports", names.into_iter().map(named).collect::<Vec<_>>()),
        ));
    }
    let except: Vec<Yaml> = cx
        .params
        .egress_blocked_cidrs
        .iter()
        .map(Yaml::from)
        .collect();
    let mut block = Map::new().with("cidr", "0.0.0.0/0");
    if !except.is_empty() {
        block.push("except", except);
    }
    egress.push(Yaml::Map(Map::new().with_comment(
        "to",
        "The outside world (external database, APIs), not the private ranges.",
        vec![Yaml::Map(Map::new().with("ipBlock", block))],
    )));

    let spec = Map::new()
        .with(
            "podSelector",
            Map::new().with("matchLabels", cx.selector(name)),
        )
        .with(
            "policyTypes",
            vec![Yaml::from("Ingress"), Yaml::from("Egress")],
        );
    let spec = match ingress {
        Some((comment, rule)) => spec.with_comment("ingress", comment, vec![Yaml::Map(rule)]),
        None => spec.with_comment(
            "ingress",
            "A worker: it serves no port, so nothing may reach it.",
            Vec::<Yaml>::new(),
        ),
    };
    let spec = spec.with("egress", egress);
    let body = cx
        .service_object("networking.k8s.io/v1", "NetworkPolicy", facts)
        .with("spec", spec);
    render(
        &format!(
            "NetworkPolicy of `{}`: who may reach it, and what it may reach.",
            facts.service.name
        ),
        body,
    )
}
