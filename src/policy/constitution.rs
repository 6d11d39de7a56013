//! The constitution: `policies/constitution.yaml`, the numbers and rule settings every
//! Dockerfile, manifest and chart is checked against.
//!
//! [`Constitution::load_configured`] is the entry point: it reads the file the settings name and
//! falls back to the Phase IV preset embedded in the binary ([`crate::assets::CONSTITUTION`]) only
//! when nobody named one and the default file does not exist. Reading
//! validates everything up front (unknown keys, unknown rule codes, parameters of the wrong type,
//! durations that do not parse), and every error names the file, the key and its line, so a typo
//! never silently turns a rule off.
//!
//! The file has typed sections (cluster, classes, services, deployment, probes, healthcheck,
//! secrets), the Kubernetes release the manifests are for (`kubernetes_version`), a `rules`
//! table (per rule `severity`, `enabled` and the rule's own parameters), per-service rule
//! overrides (`services.<name>.rules`) and `ignore` paths (gitignore patterns, relative to the
//! project root). After loading, [`Constitution::setting`] gives the effective
//! [`RuleSetting`] of a rule for a file of a given service.

use std::collections::{BTreeMap, HashMap};

use foldhash::HashMap as FastMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::k8s::api_versions::KubernetesVersion;
use super::registry::{self, ParamValue, Rule};
use super::severity::Severity;
use crate::error::{Error, Location, Result};
use crate::fsutil;
use crate::settings::PolicyFile;

/// The constitutions shipped inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Preset {
    /// The Todo application's constitution: its services, ports, paths, images and cluster.
    PhaseIv,
    /// General practice with no service-specific value; what a tree without a constitution
    /// is checked against.
    Baseline,
}

impl Preset {
    /// The preset's file.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::PhaseIv => crate::assets::PHASE_IV,
            Self::Baseline => crate::assets::BASELINE,
        }
    }

    /// The name messages show for the embedded preset.
    pub(crate) fn source_name(self) -> &'static str {
        match self {
            Self::PhaseIv => "<embedded Phase IV preset>",
            Self::Baseline => "<embedded baseline preset>",
        }
    }
}

/// The constitution, loaded and validated.
#[derive(Clone)]
pub struct Constitution {
    /// Where it was read from ([`Preset::source_name`] for an embedded preset).
    pub source: PathBuf,
    /// The preset's or team's name for it.
    pub name: Option<String>,
    /// The cluster the application is sized for.
    pub cluster: Option<Cluster>,
    /// Service classes (`backend`, `frontend`) and what each gets.
    pub classes: BTreeMap<String, Class>,
    /// The application's services, by name.
    pub services: BTreeMap<String, ServicePolicy>,
    /// Deployment settings.
    pub deployment: Option<DeploymentPolicy>,
    /// Liveness and readiness probes.
    pub probes: Option<Probes>,
    /// The Dockerfile `HEALTHCHECK` every image must declare.
    pub healthcheck: Option<Healthcheck>,
    /// Names of settings that are secrets (never in ARG/ENV or literal env values).
    pub secrets: Vec<String>,
    /// The Kubernetes release the manifests are for: objects must use API versions it serves
    /// (`AG-K035`). [`KubernetesVersion::COMPILED`] unless the file names one.
    pub kubernetes_version: KubernetesVersion,
    /// Where the file names the release, when it does.
    kubernetes_version_at: Option<Location>,
    /// Gitignore patterns of paths never linted, relative to the project root.
    pub ignore: Vec<String>,
    ignore_matcher: Gitignore,
    /// Looked up for every rule and object of a lint run, hence the fast hasher.
    settings: FastMap<&'static str, RuleSetting>,
    service_settings: FastMap<String, FastMap<&'static str, RuleSetting>>,
}

impl fmt::Debug for Constitution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Constitution")
            .field("source", &self.source)
            .field("name", &self.name)
            .field("services", &self.services.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The effective setting of one rule: on or off, its severity and its parameters.
#[derive(Clone)]
pub(crate) struct RuleSetting {
    /// Whether the rule runs.
    pub enabled: bool,
    /// The severity its findings get.
    pub severity: Severity,
    params: ParamValue,
}

impl fmt::Debug for RuleSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSetting")
            .field("enabled", &self.enabled)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

impl RuleSetting {
    /// The rule's parameters, as the type the rule declared (`None` for any other type).
    pub(crate) fn params<P: 'static>(&self) -> Option<&P> {
        self.params.downcast_ref::<P>()
    }
}

/// The cluster the application is sized for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Allocatable CPU, as a Kubernetes quantity (`"4"`, `3500m`).
    pub cpu: String,
    /// Allocatable memory, as a Kubernetes quantity (`8Gi`).
    pub memory: String,
    /// The share of the cluster the requests of all replicas may take (0.70 = 70 %).
    pub max_request_share: f64,
}

/// A service class: what every service of the class gets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Class {
    /// Allowed base images (patterns; `*` matches any run of characters).
    #[serde(default)]
    pub base_images: Vec<String>,
    /// The largest image allowed (`500MB`).
    #[serde(default)]
    pub image_size_max: Option<String>,
    /// The Kubernetes Service type (`ClusterIP`, `NodePort`).
    #[serde(default)]
    pub service_type: Option<String>,
    /// Requests and limits of each container.
    #[serde(default)]
    pub resources: Option<Resources>,
}

/// Container requests and limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    pub requests: Amounts,
    #[serde(default)]
    pub limits: Amounts,
}

/// CPU and memory amounts, as Kubernetes quantities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amounts {
    #[serde(default)]
    pub cpu: Option<String>,
    #[serde(default)]
    pub memory: Option<String>,
}

/// One service of the application.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePolicy {
    /// Its class (a key of `classes`).
    #[serde(default)]
    pub class: Option<String>,
    /// What it is to the cluster: an HTTP server (the default), a gRPC server or a worker.
    #[serde(default)]
    pub role: Option<ServiceRole>,
    /// The port the service listens on (and its image EXPOSEs).
    #[serde(default)]
    pub port: Option<u16>,
    /// The NodePort of an exposed service.
    #[serde(default)]
    pub node_port: Option<u16>,
    /// The HTTP path its liveness probe and HEALTHCHECK check, over `probes.liveness.path`.
    #[serde(default)]
    pub health_path: Option<String>,
    /// The HTTP path its readiness probe checks, over its `health_path` and
    /// `probes.readiness.path`.
    #[serde(default)]
    pub readiness_path: Option<String>,
    /// The images its Dockerfile builds on; both are allowed base images of the service.
    #[serde(default)]
    pub images: Option<StageImages>,
    /// Allowed base images for this service, replacing the class's list.
    #[serde(default)]
    pub base_images: Option<Vec<String>>,
    /// Rule settings for this service's files, over the global ones.
    #[serde(default)]
    rules: RuleEntries,
}

/// What a service is to the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceRole {
    /// Serves HTTP on its port.
    Http,
    /// Serves gRPC on its port: probed with the gRPC health protocol.
    Grpc,
    /// Listens on no port: no Service, no network probe, no HEALTHCHECK.
    Worker,
}

impl fmt::Display for ServiceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Http => "http",
            Self::Grpc => "grpc",
            Self::Worker => "worker",
        })
    }
}

/// The images a service's Dockerfile builds on: the build stages' and the runtime stage's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageImages {
    pub build: String,
    pub runtime: String,
}

/// The probe paths of one service, as the constitution gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProbePaths {
    pub liveness: Option<String>,
    pub readiness: Option<String>,
}

/// Deployment settings of every workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentPolicy {
    #[serde(default)]
    pub replicas: Option<u32>,
    /// `maxUnavailable` of the RollingUpdate strategy (a number or a percentage).
    #[serde(default)]
    pub max_unavailable: Option<IntOrString>,
    /// `maxSurge` of the RollingUpdate strategy.
    #[serde(default)]
    pub max_surge: Option<IntOrString>,
    #[serde(default)]
    pub pod_disruption_budget: Option<PodDisruptionBudgetPolicy>,
    /// The UID (and GID) containers run as: the Dockerfiles' `USER` and the pods'
    /// `runAsUser`.
    #[serde(default)]
    pub run_as_user: Option<i64>,
    /// The namespace the plain manifests go into, with a Namespace object of their own (a chart
    /// uses its release's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// A number or a string such as `25%`, as Kubernetes accepts in rolling-update settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

/// The PodDisruptionBudget every Deployment gets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodDisruptionBudgetPolicy {
    #[serde(default)]
    pub min_available: Option<IntOrString>,
    #[serde(default)]
    pub max_unavailable: Option<IntOrString>,
}

/// Liveness and readiness probes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    #[serde(default)]
    pub liveness: Option<Probe>,
    #[serde(default)]
    pub readiness: Option<Probe>,
}

/// One probe: its timing, and the HTTP path every service's probe checks when the
/// constitution says one (a service's own `health_path` and `readiness_path` come first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub initial_delay_seconds: Option<u32>,
    #[serde(default)]
    pub period_seconds: Option<u32>,
}

/// The Dockerfile `HEALTHCHECK` options every image must use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
    pub start_period: Option<Duration>,
    pub retries: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthcheckFile {
    #[serde(default)]
    interval: Option<Spanned<String>>,
    #[serde(default)]
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    start_period: Option<Spanned<String>>,
    #[serde(default)]
    retries: Option<u32>,
}

/// The file as written, before rule settings are resolved.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstitutionFile {
    version: Spanned<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    cluster: Option<Cluster>,
    #[serde(default)]
    classes: BTreeMap<String, Class>,
    #[serde(default)]
    services: BTreeMap<String, ServicePolicy>,
    #[serde(default)]
    deployment: Option<DeploymentPolicy>,
    #[serde(default)]
    probes: Option<Probes>,
    #[serde(default)]
    healthcheck: Option<HealthcheckFile>,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    kubernetes_version: Option<Spanned<String>>,
    #[serde(default)]
    rules: RuleEntries,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

/// The constitution format version this build reads.
pub(crate) const VERSION: u32 = 1;

/// `rules:` as written: rule code (or name) → entry, with the position of each key.
#[derive(Debug, Clone, Default)]
struct RuleEntries(Vec<(Spanned<String>, RuleEntry)>);

/// One rule's entry: `severity`, `enabled` and its parameters.
#[derive(Debug, Clone, Default)]
struct RuleEntry {
    severity: Option<Spanned<String>>,
    enabled: Option<bool>,
    params: Vec<(Spanned<String>, serde_json::Value)>,
}

impl<'de> Deserialize<'de> for RuleEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer
            .deserialize_map(SpannedMapVisitor::<RuleEntry>(PhantomData))
            .map(RuleEntries)
    }
}

impl<'de> Deserialize<'de> for RuleEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let pairs =
            deserializer.deserialize_map(SpannedMapVisitor::<serde_json::Value>(PhantomData))?;
        let mut entry = RuleEntry::default();
        for (key, value) in pairs {
            match key.value.as_str() {
                "severity" => match value {
                    serde_json::Value::String(s) => {
                        entry.severity = Some(Spanned {
                            value: s,
                            referenced: key.referenced,
                            defined: key.defined,
                        });
                    }
                    // YAML 1.1 reads a bare `off` as false.
                    serde_json::Value::Bool(false) => {
                        entry.severity = Some(Spanned {
                            value: "off".to_string(),
                            referenced: key.referenced,
                            defined: key.defined,
                        });
                    }
                    _ => {
                        return Err(de::Error::custom(
                            "`severity` must be one of `error`, `warning`, `info`, `off`",
                        ));
                    }
                },
                "enabled" => match value {
                    serde_json::Value::Bool(b) => entry.enabled = Some(b),
                    _ => return Err(de::Error::custom("`enabled` must be `true` or `false`")),
                },
                _ => entry.params.push((key, value)),
            }
        }
        Ok(entry)
    }
}

/// Reads a mapping into key/value pairs, keeping each key's position.
struct SpannedMapVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for SpannedMapVisitor<V> {
    type Value = Vec<(Spanned<String>, V)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<V>()?;
            pairs.push((key, value));
        }
        Ok(pairs)
    }
}

impl Constitution {
    /// The embedded Phase IV preset.
    pub fn preset() -> Result<Self> {
        Self::embedded(Preset::PhaseIv)
    }

    /// The embedded baseline preset.
    pub(crate) fn baseline() -> Result<Self> {
        Self::embedded(Preset::Baseline)
    }

    /// An embedded preset.
    pub(crate) fn embedded(preset: Preset) -> Result<Self> {
        Self::parse(preset.text(), Path::new(preset.source_name()))
    }

    /// The embedded preset this constitution is, when no constitution file was found.
    pub(crate) fn embedded_preset(&self) -> Option<Preset> {
        [Preset::PhaseIv, Preset::Baseline]
            .into_iter()
            .find(|preset| self.source == Path::new(preset.source_name()))
    }

    /// True for an embedded preset (no constitution file was found).
    pub(crate) fn is_preset(&self) -> bool {
        self.embedded_preset().is_some()
    }

    /// The constitution as written: its file, or the embedded preset's text.
    pub(crate) fn text(&self) -> Result<String> {
        match self.embedded_preset() {
            Some(preset) => Ok(preset.text().to_string()),
            None => fsutil::read_to_string(&self.source),
        }
    }

    /// Reads a constitution file.
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let text = fsutil::read_to_string(path)?;
        Self::parse(&text, path)
    }

    /// The constitution a command runs with, the one way every command loads it: the file the
    /// settings name, else the embedded baseline preset when nobody named a file and the default
    /// one does not exist (so nothing in such a tree is held to another project's services). A file someone named (`--policy`, `AIGEN_POLICY`, `policy` in `aigen.toml`) that
    /// does not exist is an error, whichever command reads it.
    pub fn load_configured(policy: &PolicyFile) -> Result<Self> {
        if policy.path.exists() {
            return Self::load(&policy.path);
        }
        if policy.is_required() {
            return Err(Error::usage_with_hint(
                format!("constitution `{}` does not exist", policy.path.display()),
                format!(
                    "it is named by {}; fix the path, or write one with `aigen init`",
                    policy.origin
                ),
            ));
        }
        Self::baseline()
    }

    /// Parses and validates constitution text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file: ConstitutionFile =
            serde_saphyr::from_str(text).map_err(|error| yaml_error(&error, path))?;
        let locate = |line: u64, column: u64| Location::at(path, line as usize, column as usize);
        if file.version.value != VERSION {
            let place = file.version.referenced;
            return Err(Error::input(
                locate(place.line(), place.column()),
                format!(
                    "`version: {}` is not supported; this aigen reads version {VERSION}",
                    file.version.value
                ),
            ));
        }
        let (kubernetes_version, kubernetes_version_at) =
            kubernetes_version_field(file.kubernetes_version.as_ref(), path)?;
        let healthcheck = match file.healthcheck {
            Some(raw) => Some(Healthcheck {
                interval: duration_field(raw.interval.as_ref(), "interval", path)?,
                timeout: duration_field(raw.timeout.as_ref(), "timeout", path)?,
                start_period: duration_field(raw.start_period.as_ref(), "start_period", path)?,
                retries: raw.retries,
            }),
            None => None,
        };
        for (name, service) in &file.services {
            if let Some(class) = &service.class
                && !file.classes.contains_key(class)
            {
                return Err(Error::input(
                    Location::file(path),
                    format!(
                        "service `{name}` has class `{class}`, which `classes` does not define"
                    ),
                ));
            }
        }

        let mut settings: FastMap<&'static str, RuleSetting> = FastMap::default();
        let global_entries = resolve_entries(&file.rules, path)?;
        for rule in registry::rules() {
            let entry = global_entries.get(rule.code).copied();
            settings.insert(rule.code, setting_for(rule, entry, None, path)?);
        }
        let mut service_settings = FastMap::default();
        for (name, service) in &file.services {
            let entries = resolve_entries(&service.rules, path)?;
            let mut overrides = FastMap::default();
            for (code, entry) in entries {
                let Some(rule) = registry::find(code) else {
                    continue;
                };
                let base = global_entries.get(code).copied();
                overrides.insert(rule.code, setting_for(rule, base, Some(entry), path)?);
            }
            service_settings.insert(name.clone(), overrides);
        }

        let mut builder = GitignoreBuilder::new("");
        for pattern in &file.ignore {
            if let Err(error) = builder.add_line(None, &pattern.value) {
                let place = pattern.referenced;
                return Err(Error::input(
                    locate(place.line(), place.column()),
                    format!("`ignore` pattern `{}` is not valid: {error}", pattern.value),
                ));
            }
        }
        let ignore_matcher = builder.build().map_err(|error| {
            Error::input(
                Location::file(path),
                format!("`ignore` patterns are not valid: {error}"),
            )
        })?;

        Ok(Self {
            source: path.to_path_buf(),
            name: file.name,
            cluster: file.cluster,
            classes: file.classes,
            services: file.services,
            deployment: file.deployment,
            probes: file.probes,
            healthcheck,
            secrets: file.secrets,
            kubernetes_version,
            kubernetes_version_at,
            ignore: file.ignore.into_iter().map(|p| p.value).collect(),
            ignore_matcher,
            settings,
            service_settings,
        })
    }

    /// The warning a command prints once when the constitution names a Kubernetes release newer
    /// than the one whose schemas this aigen carries: manifests are then validated against the
    /// older schemas, and API versions against the table of removals it knows.
    pub fn kubernetes_version_warning(&self) -> Option<String> {
        let named = self.kubernetes_version;
        if !named.is_newer_than_compiled() {
            return None;
        }
        let compiled = KubernetesVersion::COMPILED;
        let at = self
            .kubernetes_version_at
            .as_ref()
            .map_or_else(String::new, |at| format!(" ({at})"));
        Some(format!(
            "the constitution names Kubernetes {named}{at}, newer than this aigen knows: \
             manifests are validated against the schemas of Kubernetes {compiled}, and API \
             versions removed after {compiled} are not reported"
        ))
    }

    /// The effective setting of a rule for a file of `service` (`None` for unknown codes).
    pub(crate) fn setting(&self, code: &str, service: Option<&str>) -> Option<&RuleSetting> {
        if let Some(service) = service
            && let Some(setting) = self
                .service_settings
                .get(service)
                .and_then(|overrides| overrides.get(code))
        {
            return Some(setting);
        }
        self.settings.get(code)
    }

    /// The policy of a service, by name.
    pub(crate) fn service(&self, name: &str) -> Option<&ServicePolicy> {
        self.services.get(name)
    }

    /// What a service is to the cluster, when the constitution says.
    pub(crate) fn role(&self, service: &str) -> Option<ServiceRole> {
        self.service(service).and_then(|s| s.role)
    }

    /// The probe paths of a file of `service` (`None`: a file of no known service): the
    /// service's own paths first, then the `probes` section's. Readiness falls back to the
    /// service's health path before the section's readiness path, since an app that serves one
    /// health route answers readiness on it too. A service with neither gets `None`: any probe
    /// handler will do (a TCP check of its port, a gRPC health check).
    pub(crate) fn probe_paths(&self, service: Option<&str>) -> ProbePaths {
        let own = service.and_then(|name| self.service(name));
        let section = |pick: fn(&Probes) -> Option<&Probe>| {
            self.probes
                .as_ref()
                .and_then(pick)
                .and_then(|p| p.path.clone())
        };
        let health = own.and_then(|s| s.health_path.clone());
        ProbePaths {
            liveness: health.clone().or_else(|| section(|p| p.liveness.as_ref())),
            readiness: own
                .and_then(|s| s.readiness_path.clone())
                .or(health)
                .or_else(|| section(|p| p.readiness.as_ref())),
        }
    }

    /// The class of a service, when it has one.
    pub(crate) fn class_of(&self, service: &str) -> Option<&Class> {
        self.service(service)
            .and_then(|s| s.class.as_deref())
            .and_then(|class| self.classes.get(class))
    }

    /// The base images allowed for a service: its own list, else its class's; for an unknown
    /// service (`None`), the images of every class and service.
    pub(crate) fn base_images(&self, service: Option<&str>) -> Vec<&str> {
        if let Some(name) = service
            && let Some(policy) = self.service(name)
        {
            let listed = match (&policy.base_images, self.class_of(name)) {
                (Some(images), _) => images.as_slice(),
                (None, Some(class)) => class.base_images.as_slice(),
                (None, None) => &[],
            };
            let mut allowed: Vec<&str> = listed.iter().map(String::as_str).collect();
            if let Some(images) = &policy.images {
                allowed.extend([images.build.as_str(), images.runtime.as_str()]);
            }
            if !allowed.is_empty() {
                allowed.dedup();
                return allowed;
            }
        }
        let mut all: Vec<&str> = self
            .classes
            .values()
            .flat_map(|class| class.base_images.iter().map(String::as_str))
            .chain(
                self.services
                    .values()
                    .filter_map(|s| s.base_images.as_ref())
                    .flatten()
                    .map(String::as_str),
            )
            .chain(
                self.services
                    .values()
                    .filter_map(|s| s.images.as_ref())
                    .flat_map(|i| [i.build.as_str(), i.runtime.as_str()]),
            )
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// True when a path (relative to the project root) matches an `ignore` pattern.
    pub(crate) fn is_ignored(&self, relative: &Path, is_dir: bool) -> bool {
        !self.ignore_matcher.is_empty()
            && self
                .ignore_matcher
                .matched_path_or_any_parents(relative, is_dir)
                .is_ignore()
    }
}

/// Resolves the keys of a `rules` table to registered rule codes.
fn resolve_entries<'a>(
    entries: &'a RuleEntries,
    path: &Path,
) -> Result<HashMap<&'static str, &'a RuleEntry>> {
    let mut resolved = HashMap::new();
    for (key, entry) in &entries.0 {
        let Some(rule) = registry::find(&key.value) else {
            return Err(Error::input(
                spanned_location(path, key),
                format!(
                    "`rules` names `{}`, which is not a rule of this aigen (see `aigen lint --list-rules`)",
                    key.value
                ),
            ));
        };
        if resolved.insert(rule.code, entry).is_some() {
            return Err(Error::input(
                spanned_location(path, key),
                format!("`rules` sets `{}` twice", rule.code),
            ));
        }
    }
    Ok(resolved)
}

/// The setting of a rule from its defaults, the global entry and a service's entry.
fn setting_for(
    rule: &Rule,
    global: Option<&RuleEntry>,
    service: Option<&RuleEntry>,
    path: &Path,
) -> Result<RuleSetting> {
    let mut enabled = true;
    let mut severity = rule.severity;
    let mut params = serde_json::Map::new();
    let mut param_keys: Vec<&Spanned<String>> = Vec::new();
    let mut first_key = None;
    for entry in [global, service].into_iter().flatten() {
        if let Some(enabled_value) = entry.enabled {
            enabled = enabled_value;
        }
        if let Some(level) = &entry.severity {
            if level.value.eq_ignore_ascii_case("off") {
                enabled = false;
            } else {
                severity = level.value.parse().map_err(|message: String| {
                    Error::input(
                        spanned_location(path, level),
                        format!("`{}` severity: {message} or `off`", rule.code),
                    )
                })?;
                if entry.enabled.is_none() {
                    enabled = true;
                }
            }
        }
        for (key, value) in &entry.params {
            first_key.get_or_insert(key);
            params.insert(key.value.clone(), value.clone());
            param_keys.push(key);
        }
    }
    let raw = (!params.is_empty()).then(|| serde_json::Value::Object(params));
    let params = rule.params.parse(raw.as_ref()).map_err(|message| {
        let key = param_keys
            .iter()
            .find(|key| message.contains(&format!("`{}`", key.value)))
            .copied()
            .or(first_key);
        let location = key.map_or_else(|| Location::file(path), |k| spanned_location(path, k));
        Error::input(location, format!("`{}` parameters: {message}", rule.code))
    })?;
    Ok(RuleSetting {
        enabled,
        severity,
        params,
    })
}

fn spanned_location<T>(path: &Path, spanned: &Spanned<T>) -> Location {
    let place = spanned.referenced;
    if place.line() == 0 {
        Location::file(path)
    } else {
        Location::at(path, place.line() as usize, place.column() as usize)
    }
}

/// `kubernetes_version`: the release it names and where, or the compiled release.
fn kubernetes_version_field(
    value: Option<&Spanned<String>>,
    path: &Path,
) -> Result<(KubernetesVersion, Option<Location>)> {
    let Some(value) = value else {
        return Ok((KubernetesVersion::COMPILED, None));
    };
    let location = spanned_location(path, value);
    let version = value.value.parse().map_err(|message: String| {
        Error::input(location.clone(), format!("`kubernetes_version`: {message}"))
    })?;
    Ok((version, Some(location)))
}

fn duration_field(
    value: Option<&Spanned<String>>,
    key: &str,
    path: &Path,
) -> Result<Option<Duration>> {
    let Some(value) = value else {
        return Ok(None);
    };
    parse_duration(&value.value).map(Some).ok_or_else(|| {
        Error::input(
            spanned_location(path, value),
            format!(
                "`healthcheck.{key}`: `{}` is not a duration (write e.g. `30s`, `1m30s`)",
                value.value
            ),
        )
    })
}

/// Parses a Docker/Go duration: `30s`, `1m30s`, `500ms`, `1h`. `None` when it does not parse.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(number * seconds).ok()?;
    }
    Some(total)
}

/// Formats a duration the way Docker flags write it: `30s`, `1m30s`, `500ms`, `1h`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_string();
    }
    if !millis.is_multiple_of(1000) {
        return format!("{millis}ms");
    }
    let mut seconds = millis / 1000;
    let mut out = String::new();
    for (unit, size) in [("h", 3600), ("m", 60)] {
        if seconds >= size {
            out.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    if seconds > 0 {
        out.push_str(&format!("{seconds}s"));
    }
    out
}

/// Turns a serde-saphyr error into an input error at its position, without the rendered snippet.
fn yaml_error(error: &serde_saphyr::Error, path: &Path) -> Error {
    let location = match error.location() {
        Some(place) if place.line() > 0 => {
            Location::at(path, place.line() as usize, place.column() as usize)
        }
        _ => Location::file(path),
    };
    let text = error.to_string();
    let message = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("the constitution is not valid YAML")
        .trim()
        .to_string();
    Error::input(location, strip_location_prefix(&message))
}

/// serde-saphyr starts messages with `error: line L column C: `; the location is reported
/// separately.
fn strip_location_prefix(message: &str) -> String {
    let message = message.strip_prefix("error: ").unwrap_or(message);
    if message.starts_with("line ")
        && let Some(index) = message.find(": ")
    {
        return message[index + 2..].to_string();
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Constitution> {
        Constitution::parse(text, Path::new("policies/constitution.yaml"))
    }

    #[test]
    fn the_preset_loads_with_its_numbers() {
        let preset = Constitution::preset().unwrap();
        assert_eq!(preset.service("backend").and_then(|s| s.port), Some(8000));
        assert_eq!(
            preset.base_images(Some("frontend-web")),
            vec!["node:20-alpine"]
        );
        let healthcheck = preset.healthcheck.clone().unwrap();
        assert_eq!(healthcheck.interval, Some(Duration::from_secs(30)));
        assert_eq!(healthcheck.timeout, Some(Duration::from_secs(3)));
        assert_eq!(healthcheck.retries, Some(3));
        assert!(preset.secrets.iter().any(|s| s == "OPENAI_API_KEY"));
        for rule in registry::rules() {
            let setting = preset.setting(rule.code, None).unwrap();
            assert!(setting.enabled, "{} is on in the preset", rule.code);
        }
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = parse("version: 1\nhealthcheck:\n  interval: 30s\n  retires: 3\n").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("policies/constitution.yaml:4:"),
            "{message}"
        );
        assert!(message.contains("retires"), "{message}");
        assert!(!message.contains('\n'), "{message}");
        assert!(!message.contains("error: line"), "{message}");
    }

    #[test]
    fn an_unknown_rule_is_named_with_its_line() {
        let err = parse("version: 1\nrules:\n  AG-S001: { severity: info }\n  AG-X123: {}\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "policies/constitution.yaml:4:3: `rules` names `AG-X123`, which is not a rule of \
             this aigen (see `aigen lint --list-rules`)"
        );
    }

    #[test]
    fn a_bad_severity_and_a_bad_parameter_are_located() {
        let err = parse("version: 1\nrules:\n  AG-S001:\n    severity: fatal\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("policies/constitution.yaml:4:5:"),
            "{err}"
        );
        let err = parse("version: 1\nrules:\n  AG-S001:\n    colour: red\n").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("policies/constitution.yaml:4:5:"),
            "{message}"
        );
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn severity_off_disables_and_services_override() {
        let twice = "version: 1\nrules:\n  AG-S002: { severity: off }\n  unused-suppression: {}\n";
        let err = parse(twice).unwrap_err();
        assert_eq!(
            err.to_string(),
            "policies/constitution.yaml:4:3: `rules` sets `AG-S002` twice"
        );
        let text = "version: 1\nclasses:\n  backend: {}\nservices:\n  api:\n    class: backend\n    \
                    rules:\n      AG-S002: { severity: error }\nrules:\n  AG-S002: { severity: off }\n";
        let constitution = parse(text).unwrap();
        assert!(!constitution.setting("AG-S002", None).unwrap().enabled);
        let api = constitution.setting("AG-S002", Some("api")).unwrap();
        assert!(api.enabled);
        assert_eq!(api.severity, Severity::Error);
        assert!(
            !constitution
                .setting("AG-S002", Some("web"))
                .unwrap()
                .enabled
        );
    }

    #[test]
    fn a_wrong_version_and_a_bad_duration_are_rejected() {
        let err = parse("version: 2\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("policies/constitution.yaml:1:10:"),
            "{err}"
        );
        let err = parse("version: 1\nhealthcheck: { interval: soon }\n").unwrap_err();
        assert!(
            err.to_string().contains("`soon` is not a duration"),
            "{err}"
        );
    }

    #[test]
    fn the_kubernetes_release_defaults_to_the_compiled_one_and_is_located() {
        let preset = Constitution::preset().unwrap();
        assert_eq!(preset.kubernetes_version, KubernetesVersion::COMPILED);
        assert!(preset.kubernetes_version_warning().is_none());
        let named = parse("version: 1\nkubernetes_version: \"1.30\"\n").unwrap();
        assert_eq!(named.kubernetes_version.to_string(), "1.30");
        assert!(named.kubernetes_version_warning().is_none());
        let newer = parse("version: 1\nkubernetes_version: \"1.99\"\n").unwrap();
        let warning = newer.kubernetes_version_warning().unwrap();
        assert!(
            warning.contains("1.99 (policies/constitution.yaml:2:21)"),
            "{warning}"
        );
        let err = parse("version: 1\nkubernetes_version: \"1.x\"\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("policies/constitution.yaml:2:21: `kubernetes_version`: "),
            "{err}"
        );
    }

    #[test]
    fn ignore_patterns_match_relative_paths() {
        let constitution =
            parse("version: 1\nignore: [\"vendor/\", \"*.generated.Dockerfile\"]\n").unwrap();
        assert!(constitution.is_ignored(Path::new("vendor/x/Dockerfile"), false));
        assert!(constitution.is_ignored(Path::new("a/b.generated.Dockerfile"), false));
        assert!(!constitution.is_ignored(Path::new("docker/backend.Dockerfile"), false));
    }

    #[test]
    fn durations_parse_like_docker() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(parse_duration(""), None);
    }
}
