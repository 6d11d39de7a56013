//! The settings a command runs with: command-line flags, then `AIGEN_*` environment variables,
//! then `aigen.toml`, then defaults, merged once before any command starts.
//!
//! Commands read [`Settings`], never the raw clap structs or the environment, so the precedence
//! lives in this one place.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::env_vars;
use crate::error::{Error, Result};
use crate::secrets::Secret;

/// The global options every command accepts.
#[derive(Debug, Clone, Default)]
pub struct GlobalOptions {
    /// `-C <dir>`: run as if started there.
    pub directory: Option<PathBuf>,
    /// `--config <file>`: use this config file instead of discovering one.
    pub config: Option<PathBuf>,
}

/// Everything a command needs to know about where it runs and how it is configured.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The working directory (after `-C`), absolute.
    pub cwd: PathBuf,
    /// The project root: the directory of `aigen.toml`, or the working directory without one.
    pub root: PathBuf,
    /// The config file in use, if any.
    pub config_path: Option<PathBuf>,
    /// The parsed config (defaults when there is no file).
    pub config: Config,
    /// The application name (config `name`, else the root directory's name).
    pub app_name: String,
    /// Feature for PHRs: `AIGEN_FEATURE`, config `feature`, then `SPECIFY_FEATURE`.
    pub feature: Option<String>,
    /// Provider from `AIGEN_PROVIDER` or config (a `--provider` flag overrides it per command).
    pub provider: Option<String>,
    /// Model from `AIGEN_MODEL` or config.
    pub model: Option<String>,
    /// Base URL: `AIGEN_BASE_URL`, config `base_url`, then `OPENAI_BASE_URL`.
    pub base_url: Option<String>,
    /// The constitution file: `AIGEN_POLICY`, config `policy`, else `policies/constitution.yaml`
    /// under the root (which may not exist; the embedded preset is used then).
    pub policy: PathBuf,
    /// `OPENAI_API_KEY`, never printed.
    pub openai_api_key: Option<Secret>,
}

/// The default constitution path, relative to the project root.
pub const DEFAULT_POLICY: &str = "policies/constitution.yaml";

impl Settings {
    /// Resolves settings from the global options and the process environment.
    pub fn from_env(options: &GlobalOptions) -> Result<Self> {
        Self::resolve(options, |name| std::env::var(name).ok())
    }

    /// Resolves settings with `env` standing in for the process environment.
    pub fn resolve(options: &GlobalOptions, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        let process_cwd =
            std::env::current_dir().map_err(|e| Error::io("read the working directory", ".", e))?;
        let cwd = match &options.directory {
            Some(dir) => {
                let dir = process_cwd.join(dir);
                if !dir.is_dir() {
                    return Err(Error::usage(format!(
                        "`-C {}`: no such directory",
                        dir.display()
                    )));
                }
                dir
            }
            None => process_cwd,
        };
        let explicit = options
            .config
            .clone()
            .or_else(|| env(env_vars::AIGEN_CONFIG).map(PathBuf::from))
            .map(|path| cwd.join(path));
        let config_path = match explicit {
            Some(path) if !path.is_file() => {
                return Err(Error::usage(format!(
                    "config file `{}` does not exist",
                    path.display()
                )));
            }
            Some(path) => Some(path),
            None => config::discover(&cwd),
        };
        let config = match &config_path {
            Some(path) => config::load(path)?,
            None => Config::default(),
        };
        let root = config_path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone());
        let app_name = config.name.clone().unwrap_or_else(|| directory_name(&root));
        let policy = env(env_vars::AIGEN_POLICY)
            .map(|p| cwd.join(p))
            .or_else(|| config.policy.as_ref().map(|p| root.join(p)))
            .unwrap_or_else(|| root.join(DEFAULT_POLICY));
        Ok(Self {
            feature: env(env_vars::AIGEN_FEATURE)
                .or_else(|| config.feature.clone())
                .or_else(|| env(env_vars::SPECIFY_FEATURE)),
            provider: env(env_vars::AIGEN_PROVIDER).or_else(|| config.provider.clone()),
            model: env(env_vars::AIGEN_MODEL).or_else(|| config.model.clone()),
            base_url: env(env_vars::AIGEN_BASE_URL)
                .or_else(|| config.base_url.clone())
                .or_else(|| env(env_vars::OPENAI_BASE_URL)),
            openai_api_key: env(env_vars::OPENAI_API_KEY).map(Secret::new),
            policy,
            app_name,
            cwd,
            root,
            config_path,
            config,
        })
    }

    /// The provider to use: the flag, else the configured one, else `openai` when an API key is
    /// set and `builtin` otherwise.
    pub fn provider_name(&self, flag: Option<&str>) -> String {
        flag.map(str::to_string)
            .or_else(|| self.provider.clone())
            .unwrap_or_else(|| {
                if self.openai_api_key.is_some() {
                    "openai".to_string()
                } else {
                    "builtin".to_string()
                }
            })
    }

    /// A path relative to the project root.
    pub fn in_root(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// The root of the Prompt History Records (`history/prompts` unless configured).
    pub fn history_root(&self) -> PathBuf {
        self.in_root(&self.config.paths.history)
    }

    /// The staging directory (`generated` unless configured).
    pub fn staging_dir(&self) -> PathBuf {
        self.in_root(&self.config.paths.staging)
    }
}

/// A directory's last component, made into a name fit for Kubernetes (`My App` → `my-app`).
pub fn directory_name(dir: &Path) -> String {
    let raw = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve_in(dir: &Path, vars: &[(&str, &str)]) -> Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let options = GlobalOptions {
            directory: Some(dir.to_path_buf()),
            config: None,
        };
        Settings::resolve(&options, |k| vars.get(k).cloned())
    }

    #[test]
    fn config_is_found_in_a_parent_and_env_overrides_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aigen.toml"),
            "name = \"shop\"\nprovider = \"builtin\"\nmodel = \"m1\"\n",
        )
        .unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let settings = resolve_in(&sub, &[("AIGEN_MODEL", "m2")]).unwrap();
        assert_eq!(settings.root, dir.path());
        assert_eq!(settings.app_name, "shop");
        assert_eq!(settings.model.as_deref(), Some("m2"));
        assert_eq!(settings.provider_name(None), "builtin");
        assert_eq!(settings.provider_name(Some("openai")), "openai");
    }

    #[test]
    fn provider_defaults_on_the_api_key() {
        let dir = tempfile::tempdir().unwrap();
        let without = resolve_in(dir.path(), &[]).unwrap();
        assert_eq!(without.provider_name(None), "builtin");
        let with = resolve_in(dir.path(), &[("OPENAI_API_KEY", "sk-test-abc")]).unwrap();
        assert_eq!(with.provider_name(None), "openai");
        assert!(!format!("{with:?}").contains("sk-test-abc"));
    }

    #[test]
    fn directory_names_become_kubernetes_names() {
        assert_eq!(directory_name(Path::new("/x/Todo App_2")), "todo-app-2");
        assert_eq!(directory_name(Path::new("/")), "app");
    }
}
