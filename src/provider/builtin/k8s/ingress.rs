//! The Ingress of the chart (optional): each front end at its own host, `<service>.<domain>`.
//!
//! [`ingress`] writes the template (`aigen helm --ingress`); the chart renders it only when
//! `ingress.enabled` is set.

use super::{Ctx, render};
use crate::provider::builtin::yaml::{Map, Yaml};

/// The Ingress manifest, routing each front end's host to its Service.
pub(crate) fn ingress(cx: &Ctx<'_>) -> String {
    let params = cx.params;
    let rules: Vec<Yaml> = cx
        .all
        .iter()
        .filter(|f| f.is_frontend())
        .map(|f| {
            let host = format!("{}.{}", f.name, params.chart.ingress_domain);
            let backend = Map::new().with(
                "service",
                Map::new()
                    .with("name", f.name.as_str())
                    .with("port", Map::new().with("name", "http")),
            );
            let path = Map::new()
                .with("path", "/")
                .with("pathType", "Prefix")
                .with("backend", backend);
            Yaml::Map(
                Map::new()
                    .with(
                        "host",
                        cx.pick(
                            host,
                            &format!(
                                "index .Values.ingress.hosts {}",
                                crate::provider::builtin::quote::double(&f.name)
                            ),
                        ),
                    )
                    .with("http", Map::new().with("paths", vec![Yaml::Map(path)])),
            )
        })
        .collect();
    let spec = Map::new()
        .with(
            "ingressClassName",
            cx.pick(
                params.chart.ingress_class.as_str(),
                ".Values.ingress.className",
            ),
        )
        .with("rules", rules);
    let body = cx
        .object(
            "networking.k8s.io/v1",
            "Ingress",
            &params.app,
            "ingress",
            false,
        )
        .with("spec", spec);
    render("Ingress: each front end at its own host.", body)
}
