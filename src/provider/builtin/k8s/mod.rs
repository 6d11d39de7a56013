//! Kubernetes objects, one module per kind, and the plain manifests under `k8s/`.
//!
//! Each builder returns a [`Yaml`] tree. The same builders write the Helm chart's templates: in
//! [`Mode::Chart`] the values a team tunes per environment (replicas, image, resources, probes,
//! security contexts, Service type) become references into `values.yaml`, and the release's name
//! and namespace come from Helm. So the plain manifests and the rendered chart are the same
//! objects, and a fix to one is a fix to both.
//!
//! Per service: Deployment ([`workload`]), Service ([`service`]), PodDisruptionBudget
//! ([`disruption`]), NetworkPolicy ([`network`]) and ServiceAccount ([`account`]); shared: the
//! ConfigMap and the Secret template ([`config`]) and the Namespace ([`namespace`]).

pub(crate) mod account;
pub(crate) mod config;
pub(crate) mod disruption;
pub(crate) mod ingress;
pub(crate) mod namespace;
pub(crate) mod network;
pub(crate) mod service;
pub(crate) mod workload;

use std::collections::BTreeMap;

use super::facts::{self, Facts};
use super::yaml_writer::{self, Map, Yaml};
use super::{GeneratedFile, Params};
use crate::detect::Service;

/// Whether objects are written as plain manifests or as chart templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode<'a> {
    /// Literal values from the [`Params`].
    Plain,
    /// References into the chart's values; `chart` names the helpers in `_helpers.tpl`.
    /// Per-service templates bind `$svc` to the service's block of values.
    Chart { chart: &'a str },
}

/// What every builder needs.
pub(crate) struct Ctx<'a> {
    pub params: &'a Params,
    pub mode: Mode<'a>,
    /// Every service, for the objects that depend on the others (NetworkPolicy, ConfigMap).
    pub all: &'a [Facts<'a>],
    /// nodePort per front end.
    pub node_ports: BTreeMap<String, u16>,
}

impl<'a> Ctx<'a> {
    /// A context over `all` in `mode`.
    pub(super) fn new(params: &'a Params, mode: Mode<'a>, all: &'a [Facts<'a>]) -> Self {
        Self {
            params,
            mode,
            all,
            node_ports: facts::node_ports(all, params),
        }
    }

    /// `literal` in a plain manifest, the template expression `expr` in a chart.
    pub(super) fn pick(&self, literal: impl Into<Yaml>, expr: &str) -> Yaml {
        match self.mode {
            Mode::Plain => literal.into(),
            Mode::Chart { .. } => Yaml::Raw(format!("{{{{ {expr} }}}}")),
        }
    }

    /// `literal` in a plain manifest; in a chart, the values at `expr` rendered as a block.
    pub(super) fn block(&self, literal: impl Into<Yaml>, expr: &str) -> Yaml {
        match self.mode {
            Mode::Plain => literal.into(),
            Mode::Chart { .. } => Yaml::Block(format!("toYaml {expr}")),
        }
    }

    /// The head of an object: `apiVersion`, `kind` and [`metadata`](Self::metadata).
    pub(super) fn object(
        &self,
        api_version: &str,
        kind: &str,
        name: &str,
        component: &str,
        per_service: bool,
    ) -> Map {
        Map::new()
            .with("apiVersion", api_version)
            .with("kind", kind)
            .with("metadata", self.metadata(name, component, per_service))
    }

    /// The head of an object of one service, named after it, its class as component.
    pub(super) fn service_object(&self, api_version: &str, kind: &str, facts: &Facts<'_>) -> Map {
        self.object(
            api_version,
            kind,
            &facts.name,
            &facts.class.to_string(),
            true,
        )
    }

    /// `metadata` of an object: name, namespace, the recommended labels.
    pub(super) fn metadata(&self, name: &str, component: &str, per_service: bool) -> Map {
        let namespace = match self.mode {
            Mode::Plain => self.params.namespace.as_ref().map(Yaml::from),
            Mode::Chart { .. } => Some(Yaml::Raw("{{ .Release.Namespace }}".into())),
        };
        Map::new()
            .with("name", name)
            .with_opt("namespace", namespace)
            .with("labels", self.labels(name, component, per_service))
    }

    /// The recommended labels (`app.kubernetes.io/*`); in a chart, also `helm.sh/chart`.
    /// `per_service` objects carry their image's tag as version, shared ones the app's.
    pub(super) fn labels(&self, name: &str, component: &str, per_service: bool) -> Map {
        let params = self.params;
        let (instance, version, managed_by) = match self.mode {
            Mode::Plain => (
                Yaml::from(&params.app),
                Yaml::from(&params.image.tag),
                Yaml::from("aigen"),
            ),
            Mode::Chart { .. } => (
                Yaml::Raw("{{ .Release.Name }}".into()),
                Yaml::Raw(if per_service {
                    "{{ $svc.image.tag | quote }}".into()
                } else {
                    "{{ .Chart.AppVersion | quote }}".into()
                }),
                Yaml::Raw("{{ .Release.Service }}".into()),
            ),
        };
        let labels = Map::new()
            .with("app.kubernetes.io/name", name)
            .with("app.kubernetes.io/instance", instance)
            .with("app.kubernetes.io/version", version)
            .with("app.kubernetes.io/component", component)
            .with("app.kubernetes.io/part-of", &params.app)
            .with("app.kubernetes.io/managed-by", managed_by);
        match self.mode {
            Mode::Plain => labels,
            Mode::Chart { chart } => labels.with(
                "helm.sh/chart",
                Yaml::Raw(format!("{{{{ include \"{chart}.chart\" . }}}}")),
            ),
        }
    }

    /// The labels that select a service's pods: name and instance, which never change.
    pub(super) fn selector(&self, name: &str) -> Map {
        let instance = match self.mode {
            Mode::Plain => Yaml::from(&self.params.app),
            Mode::Chart { .. } => Yaml::Raw("{{ .Release.Name }}".into()),
        };
        Map::new()
            .with("app.kubernetes.io/name", name)
            .with("app.kubernetes.io/instance", instance)
    }

    /// The Secret's name: fixed in manifests; in a chart, an existing Secret when one is named.
    pub(super) fn secret_name(&self) -> Yaml {
        let name = self.params.secret_name();
        self.pick(
            name.as_str(),
            &format!(
                "{} | default {}",
                ".Values.secrets.existingSecret",
                crate::yaml_scalar::double_quoted(&name)
            ),
        )
    }
}

/// Header comment of a manifest: what the object is and that aigen wrote it.
pub(crate) fn header(what: &str) -> String {
    format!("{what}\nGenerated by aigen's builtin provider.")
}

/// The plain manifests: per service `<svc>-deployment.yaml`, `-service.yaml`, `-pdb.yaml`,
/// `-networkpolicy.yaml` and `-serviceaccount.yaml`; shared `configmap.yaml`,
/// `secret.yaml.example` (placeholders only) and, when a namespace is set, `namespace.yaml`.
pub fn manifests(services: &[Service], params: &Params) -> Vec<GeneratedFile> {
    let all: Vec<Facts<'_>> = services.iter().map(|s| Facts::of(s, params)).collect();
    let cx = Ctx::new(params, Mode::Plain, &all);
    let dir = params.manifest_dir();
    let file = |name: &str, text: String| GeneratedFile::new(format!("{dir}/{name}"), text);
    let mut files = Vec::new();
    if let Some(ns) = &params.namespace {
        files.push(file("namespace.yaml", namespace::namespace(&cx, ns)));
    }
    files.push(file("configmap.yaml", config::config_map(&cx)));
    files.push(file("secret.yaml.example", config::secret_example(&cx)));
    for facts in &all {
        for (suffix, text) in per_service(&cx, facts) {
            files.push(file(&format!("{}-{suffix}.yaml", facts.name), text));
        }
    }
    files
}

/// The objects of one service, by file suffix (a worker has no Service).
pub(crate) fn per_service(cx: &Ctx<'_>, facts: &Facts<'_>) -> Vec<(&'static str, String)> {
    let mut objects = vec![
        ("serviceaccount", account::service_account(cx, facts)),
        ("deployment", workload::deployment(cx, facts)),
    ];
    if let Some(service) = service::service(cx, facts) {
        objects.push(("service", service));
    }
    objects.push(("pdb", disruption::pod_disruption_budget(cx, facts)));
    objects.push(("networkpolicy", network::network_policy(cx, facts)));
    objects
}

/// An object's document: header comment and body.
pub(crate) fn render(what: &str, body: Map) -> String {
    yaml_writer::document(&header(what), &Yaml::Map(body))
}
