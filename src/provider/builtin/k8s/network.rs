//! The NetworkPolicy of one service.
//!
//! Ingress: a front end takes traffic from anywhere on its `http` port; a backend only from the
//! application's front ends (and its other backends), or from every pod of the application when
//! it has no front end. Egress: DNS, the application's backends, and the outside world except the
//! private ranges (the database is external).

use super::{Ctx, render};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml::{Map, Yaml};

/// The NetworkPolicy manifest.
pub(crate) fn network_policy(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let name = &facts.name;
    let http = || Yaml::Map(Map::new().with("protocol", "TCP").with("port", "http"));
    let app_pods = |component: Option<&str>| {
        let labels = Map::new().with("app.kubernetes.io/part-of", &cx.params.app);
        let labels = match component {
            Some(component) => labels.with("app.kubernetes.io/component", component),
            None => labels,
        };
        Yaml::Map(Map::new().with("podSelector", Map::new().with("matchLabels", labels)))
    };
    let has_frontend = cx.all.iter().any(|f| f.is_frontend());
    let other_backends = cx
        .all
        .iter()
        .any(|f| !f.is_frontend() && f.name != facts.name);

    let (ingress_comment, ingress) = if facts.is_frontend() {
        (
            "A front end: reachable from anywhere on its http port.",
            Map::new().with("ports", vec![http()]),
        )
    } else if has_frontend {
        let mut from = vec![app_pods(Some("frontend"))];
        if other_backends {
            from.push(app_pods(Some("backend")));
        }
        (
            "A backend: reachable from the application's own pods only.",
            Map::new().with("from", from).with("ports", vec![http()]),
        )
    } else {
        (
            "A backend of an application without front ends: reachable from its pods.",
            Map::new()
                .with("from", vec![app_pods(None)])
                .with("ports", vec![http()]),
        )
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
    if cx
        .all
        .iter()
        .any(|f| !f.is_frontend() && f.name != facts.name)
    {
        egress.push(Yaml::Map(
            Map::new()
                .with_comment(
                    "to",
                    "The application's backends.",
                    vec![app_pods(Some("backend"))],
                )
                .with("ports", vec![http()]),
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
        )
        .with_comment("ingress", ingress_comment, vec![Yaml::Map(ingress)])
        .with("egress", egress);
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
