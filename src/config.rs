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

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::fsutil;
use crate::line_index::line_column;

/// The config file's name.
pub const FILE_NAME: &str = "aigen.toml";

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
    pub provider: Option<String>,
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
    /// The project's services. When empty, services are detected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceConfig>,
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
    pub fn dockerfile_for(&self, service: &str) -> String {
        self.dockerfiles.replace("{service}", service)
    }

    /// The chart directory for an application.
    pub fn chart_for(&self, app: &str) -> String {
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
    /// The port it listens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Liveness path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_path: Option<String>,
    /// Readiness path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_path: Option<String>,
}

/// A config file as loaded: where it is, and what it said.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The file, or `None` when no `aigen.toml` was found and defaults are used.
    pub path: Option<PathBuf>,
    pub config: Config,
}

/// Finds `aigen.toml` in `start` or its nearest ancestor.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and parses a config file.
pub fn load(path: &Path) -> Result<Config> {
    let text = fsutil::read_to_string(path)?;
    parse(&text, path)
}

/// Parses config text; `path` is used in error messages only.
pub fn parse(text: &str, path: &Path) -> Result<Config> {
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
}
