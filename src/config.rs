//! `aigen.toml`: where it is found and what it may contain.
//!
//! The file is found like `Cargo.toml`: in the working directory or the nearest parent that has
//! one. Every table rejects keys it does not know, and the error names the key, the file and the
//! line, because a misspelt key that is silently ignored is worse than one that stops the run.
//!
//! ```toml
//! name = "todo-app"
//! feature = "003-k8s-deployment"
//! provider = "builtin"
//!
//! [[services]]
//! name = "backend"
//! path = "backend"
//! kind = "backend"
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::fsutil;
use crate::line_index::line_column;

/// The config file's name.
pub(crate) const FILE_NAME: &str = "aigen.toml";

/// The contents of `aigen.toml`. Every field is optional; [`Default`] is an empty file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Application name: the Helm chart's name, the namespace and the `app.kubernetes.io/part-of`
    /// label. Defaults to the project directory's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Spec-Kit feature the PHRs are filed under (e.g. `003-k8s-deployment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// Provider to generate with when `--provider` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderKind>,
    /// Model name passed to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The constitution file, relative to the project root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PathBuf>,
    /// Where generated and recorded files go.
    #[serde(default, skip_serializing_if = "Paths::is_default")]
    pub paths: Paths,
    /// How generation runs.
    #[serde(default, skip_serializing_if = "GenerateConfig::is_default")]
    pub generate: GenerateConfig,
    /// How services are detected when none are declared.
    #[serde(default, skip_serializing_if = "DetectConfig::is_default")]
    pub detect: DetectConfig,
    /// The project's services. When empty, services are detected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceConfig>,
}

/// `[detect]`: corrections to the set of services detection finds, for projects whose layout
/// its rules read wrongly. Applies when no `[[services]]` are declared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    /// Directories, relative to the project root, to describe as services although detection
    /// set them aside (`detect` lists them under "not services" with the reason).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<PathBuf>,
    /// Directories not to describe as services although detection found them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<PathBuf>,
}

impl DetectConfig {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Output and working paths, relative to the project root. `{service}` and `{app}` are replaced
/// by the service and application names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    /// Dockerfile per service (default `docker/{service}.Dockerfile`).
    pub dockerfiles: String,
    /// Directory of Kubernetes manifests (default `k8s`).
    pub manifests: String,
    /// Helm chart directory (default `helm-charts/{app}`).
    pub chart: String,
    /// Staging area for generated artifacts awaiting review (default `generated`).
    pub staging: String,
    /// Root of the Prompt History Records (default `history/prompts`).
    pub history: String,
    /// Prompt templates that override the built-in ones (default `prompts`).
    pub prompts: String,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            dockerfiles: "docker/{service}.Dockerfile".into(),
            manifests: "k8s".into(),
            chart: "helm-charts/{app}".into(),
            staging: "generated".into(),
            history: "history/prompts".into(),
            prompts: "prompts".into(),
        }
    }
}

impl Paths {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The Dockerfile path for a service.
    pub(crate) fn dockerfile_for(&self, service: &str) -> String {
        self.dockerfiles.replace("{service}", service)
    }

    /// The chart directory for an application.
    pub(crate) fn chart_for(&self, app: &str) -> String {
        self.chart.replace("{app}", app)
    }
}

/// Settings of the generation loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenerateConfig {
    /// Rounds of lint-guided fixing before giving up (default 3).
    pub max_rounds: u32,
    /// Timeout of one provider request, in seconds (default 120).
    pub timeout_secs: u64,
    /// Retries of a failed provider request (default 3).
    pub retries: u32,
    /// Program run by the `command` provider: the prompt on stdin, the answer on stdout.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        Self {
            max_rounds: 3,
            timeout_secs: 120,
            retries: 3,
            command: Vec::new(),
        }
    }
}

impl GenerateConfig {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// One service, as declared in `aigen.toml`. Declared values override detected ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The service's name (`backend`, `frontend-web`).
    pub name: String,
    /// Its directory, relative to the project root.
    pub path: PathBuf,
    /// Its class: `backend` (internal, ClusterIP) or `frontend` (exposed, NodePort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// What it is to the cluster: `http` (the default), `grpc` (probed with gRPC health) or
    /// `worker` (serves no port: no Service, no probes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The port it listens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Liveness path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_path: Option<String>,
    /// Readiness path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_path: Option<String>,
    /// The command that starts it, as argv; replaces the detected one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
}

/// The kinds of provider, as `--provider`, `AIGEN_PROVIDER` and `provider` in `aigen.toml` name
/// them. Names are matched without regard to case; `docker-ai` and `docker` mean `gordon`,
/// `kubectl_ai` means `kubectl-ai`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "kebab-case", try_from = "String")]
pub enum ProviderKind {
    /// The offline generator.
    Builtin,
    /// An OpenAI-compatible server.
    #[serde(rename = "openai")]
    #[value(name = "openai")]
    OpenAi,
    /// `kubectl-ai --quiet`.
    #[value(alias = "kubectl_ai")]
    KubectlAi,
    /// Docker AI, `docker ai`.
    #[value(aliases = ["docker-ai", "docker"])]
    Gordon,
    /// `kagent invoke`.
    Kagent,
    /// Any program from `command` under `[generate]`.
    Command,
}

impl ProviderKind {
    /// Every kind, in the order the help lists them.
    pub(crate) const ALL: [ProviderKind; 6] = [
        Self::Builtin,
        Self::OpenAi,
        Self::KubectlAi,
        Self::Gordon,
        Self::Kagent,
        Self::Command,
    ];

    /// The name `--provider` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Builtin => "builtin",
            Self::OpenAi => "openai",
            Self::KubectlAi => "kubectl-ai",
            Self::Gordon => "gordon",
            Self::Kagent => "kagent",
            Self::Command => "command",
        }
    }

    /// True for the kinds that run a program (`kubectl-ai`, `gordon`, `kagent`, `command`).
    pub(crate) fn is_tool(self) -> bool {
        !matches!(self, Self::Builtin | Self::OpenAi)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProviderKind {
    type Err = UnknownProvider;

    fn from_str(name: &str) -> std::result::Result<Self, Self::Err> {
        <Self as ValueEnum>::from_str(name.trim(), true).map_err(|_| UnknownProvider(name.into()))
    }
}

impl TryFrom<String> for ProviderKind {
    type Error = UnknownProvider;

    fn try_from(name: String) -> std::result::Result<Self, Self::Error> {
        name.parse()
    }
}

/// A name that is not a provider's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider(pub String);

impl UnknownProvider {
    /// What to write instead.
    pub(crate) fn hint(&self) -> String {
        format!(
            "choose one of: {}",
            ProviderKind::ALL.map(ProviderKind::name).join(", ")
        )
    }
}

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown provider `{}`; {}", self.0, self.hint())
    }
}

impl std::error::Error for UnknownProvider {}

/// Finds `aigen.toml` in `start` or its nearest ancestor.
pub(crate) fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and parses a config file.
pub(crate) fn load(path: &Path) -> Result<Config> {
    let text = fsutil::read_to_string(path)?;
    parse(&text, path)
}

/// Parses config text; `path` is used in error messages only.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Config> {
    toml::from_str(text).map_err(|error| {
        let location = match error.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                Location::at(path, line, column)
            }
            None => Location::file(path),
        };
        Error::input(location, error.message().trim_end().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(
            parse("", Path::new("aigen.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_names_key_file_and_line() {
        let text = "name = \"x\"\n\n[paths]\nmanifests = \"k8s\"\nchrat = \"c\"\n";
        let err = parse(text, Path::new("dir/aigen.toml")).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("dir/aigen.toml:5:1:"), "{message}");
        assert!(message.contains("chrat"), "{message}");
    }

    #[test]
    fn services_parse() {
        let text =
            "[[services]]\nname = \"api\"\npath = \"backend\"\nkind = \"backend\"\nport = 8000\n";
        let config = parse(text, Path::new("aigen.toml")).unwrap();
        assert_eq!(config.services[0].port, Some(8000));
        assert_eq!(config.paths.dockerfile_for("api"), "docker/api.Dockerfile");
    }

    #[test]
    fn provider_names_round_trip_and_unknown_ones_list_the_choices() {
        for kind in ProviderKind::ALL {
            assert_eq!(kind.name().parse::<ProviderKind>().unwrap(), kind);
        }
        assert_eq!(
            "Docker-AI".parse::<ProviderKind>().unwrap(),
            ProviderKind::Gordon
        );
        assert_eq!(
            " kubectl_ai".parse::<ProviderKind>().unwrap(),
            ProviderKind::KubectlAi
        );
        let error = "gpt".parse::<ProviderKind>().unwrap_err();
        assert!(error.to_string().starts_with("unknown provider `gpt`"));
        assert!(error.hint().contains("kubectl-ai, gordon, kagent"));
    }

    #[test]
    fn an_unknown_provider_in_the_file_names_its_line() {
        let text = "name = \"x\"\nprovider = \"nope\"\n";
        let message = parse(text, Path::new("aigen.toml"))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("aigen.toml:2:12:"), "{message}");
        assert!(message.contains("unknown provider `nope`"), "{message}");
        let config = parse("provider = \"Kubectl_AI\"\n", Path::new("aigen.toml")).unwrap();
        assert_eq!(config.provider, Some(ProviderKind::KubectlAi));
    }
}
