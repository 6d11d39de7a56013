//! The settings a command runs with, resolved in one step from its flags, `AIGEN_*` environment
//! variables, `aigen.toml` and defaults, before the command does anything else.
//!
//! The command line gives two sets of flags: the global ones ([`GlobalOptions`]: `-C`,
//! `--config`, `--provider` before the command) and the command's own ([`Flags`]: `--provider`,
//! `--model`, `--base-url`, `--feature`, `--max-rounds`, `--policy`, ...). [`Settings::resolve`]
//! merges them with the environment and the config file; commands read [`Settings`], never the
//! raw clap structs or the environment, so the precedence lives in this one place:
//!
//! | setting | command flag | global flag | environment | `aigen.toml` | default |
//! |---|---|---|---|---|---|
//! | provider | `--provider`, `ask --tool` | `--provider` | `AIGEN_PROVIDER` | `provider` | `openai` with `OPENAI_API_KEY`, else `builtin` |
//! | model | `--model` | | `AIGEN_MODEL` | `model` | the provider's |
//! | base URL | `--base-url` | | `AIGEN_BASE_URL`, then `OPENAI_BASE_URL` after the file | `base_url` | the provider's |
//! | feature | `--feature` | | `AIGEN_FEATURE`, then `SPECIFY_FEATURE` after the file | `feature` | none (`general`) |
//! | fix rounds | `--max-rounds` | | | `[generate] max_rounds` | 3 |
//! | timeout | `ask --timeout` | | | `[generate] timeout_secs` | 120 s |
//! | constitution | `lint --policy` | | `AIGEN_POLICY` | `policy` | `policies/constitution.yaml`, else the baseline preset |
//!
//! A provider name is checked where it is read: clap refuses an unknown `--provider`, the config
//! parser an unknown `provider` (with its line), and [`Settings::resolve`] an unknown
//! `AIGEN_PROVIDER`, all before detection or the trail are touched.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{self, Config, ProviderKind};
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
    /// `--provider` before the command: the provider of every generating command.
    pub provider: Option<ProviderKind>,
}

/// What a command's own flags say about its settings; `None` leaves the choice to the global
/// flags, the environment, `aigen.toml` and the defaults, in that order.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--provider` (or `ask --tool`).
    pub provider: Option<ProviderKind>,
    /// `--model`.
    pub model: Option<String>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--feature`.
    pub feature: Option<String>,
    /// `--max-rounds`.
    pub max_rounds: Option<u32>,
    /// `ask --timeout`, in seconds.
    pub timeout_secs: Option<u64>,
    /// `ask --agent`: the kagent agent.
    pub agent: Option<String>,
    /// `lint --policy`: the constitution file, relative to the working directory.
    pub policy: Option<PathBuf>,
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
    /// Feature the records are filed under.
    pub feature: Option<String>,
    /// The provider generating commands use.
    pub provider: ProviderKind,
    /// The model to ask for; `None` lets the provider choose.
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server.
    pub base_url: Option<String>,
    /// Rounds of lint-guided fixing, at least 1.
    pub max_rounds: u32,
    /// The longest a provider request (or a tool run) may take, at least a second.
    pub timeout: Duration,
    /// The kagent agent to invoke (`None`: kagent's default for aigen, `k8s-agent`).
    pub agent: Option<String>,
    /// The constitution file, and who chose it.
    pub policy: PolicyFile,
    /// `OPENAI_API_KEY`, never printed.
    pub openai_api_key: Option<Secret>,
}

/// The default constitution path, relative to the project root.
pub(crate) const DEFAULT_POLICY: &str = "policies/constitution.yaml";

/// The constitution file a command reads, and where that choice came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    /// Absolute (or relative to the process's working directory).
    pub path: PathBuf,
    pub origin: PolicyOrigin,
}

/// Who chose the constitution file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// `--policy`.
    Flag,
    /// `AIGEN_POLICY`.
    Environment,
    /// `policy` in `aigen.toml`.
    Config,
    /// Nobody: `policies/constitution.yaml` under the root, which may not exist (the embedded
    /// preset is used then).
    Default,
}

impl PolicyFile {
    /// True when someone named the file, so a missing file is an error rather than a reason to
    /// use the preset.
    pub(crate) fn is_required(&self) -> bool {
        self.origin != PolicyOrigin::Default
    }
}

impl fmt::Display for PolicyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "`--policy`",
            Self::Environment => "`AIGEN_POLICY`",
            Self::Config => "`policy` in aigen.toml",
            Self::Default => "the default",
        })
    }
}

impl Settings {
    /// Resolves settings from the global options, the command's flags and the process
    /// environment.
    pub(crate) fn from_env(options: &GlobalOptions, flags: &Flags) -> Result<Self> {
        Self::resolve(options, flags, |name| std::env::var(name).ok())
    }

    /// Resolves settings with `env` standing in for the process environment.
    pub fn resolve(
        options: &GlobalOptions,
        flags: &Flags,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
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
        let policy = if let Some(path) = &flags.policy {
            PolicyFile {
                path: cwd.join(path),
                origin: PolicyOrigin::Flag,
            }
        } else if let Some(path) = env(env_vars::AIGEN_POLICY) {
            PolicyFile {
                path: cwd.join(path),
                origin: PolicyOrigin::Environment,
            }
        } else if let Some(path) = &config.policy {
            PolicyFile {
                path: root.join(path),
                origin: PolicyOrigin::Config,
            }
        } else {
            PolicyFile {
                path: root.join(DEFAULT_POLICY),
                origin: PolicyOrigin::Default,
            }
        };
        let openai_api_key = env(env_vars::OPENAI_API_KEY).map(Secret::new);
        let provider = match flags.provider.or(options.provider) {
            Some(kind) => kind,
            None => match env(env_vars::AIGEN_PROVIDER) {
                Some(name) => name.parse().map_err(|e: config::UnknownProvider| {
                    Error::usage_with_hint(
                        format!("{}: unknown provider `{}`", env_vars::AIGEN_PROVIDER, e.0),
                        e.hint(),
                    )
                })?,
                None => config.provider.unwrap_or(if openai_api_key.is_some() {
                    ProviderKind::OpenAi
                } else {
                    ProviderKind::Builtin
                }),
            },
        };
        let generate = &config.generate;
        Ok(Self {
            feature: flags
                .feature
                .clone()
                .or_else(|| env(env_vars::AIGEN_FEATURE))
                .or_else(|| config.feature.clone())
                .or_else(|| env(env_vars::SPECIFY_FEATURE)),
            provider,
            model: flags
                .model
                .clone()
                .or_else(|| env(env_vars::AIGEN_MODEL))
                .or_else(|| config.model.clone()),
            base_url: flags
                .base_url
                .clone()
                .or_else(|| env(env_vars::AIGEN_BASE_URL))
                .or_else(|| config.base_url.clone())
                .or_else(|| env(env_vars::OPENAI_BASE_URL)),
            max_rounds: flags.max_rounds.unwrap_or(generate.max_rounds).max(1),
            timeout: Duration::from_secs(
                flags.timeout_secs.unwrap_or(generate.timeout_secs).max(1),
            ),
            agent: flags.agent.clone(),
            openai_api_key,
            policy,
            app_name,
            cwd,
            root,
            config_path,
            config,
        })
    }

    /// A path relative to the project root.
    pub(crate) fn in_root(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// The root of the Prompt History Records (`history/prompts` unless configured).
    pub(crate) fn history_root(&self) -> PathBuf {
        self.in_root(&self.config.paths.history)
    }

    /// The staging directory (`generated` unless configured).
    pub(crate) fn staging_dir(&self) -> PathBuf {
        self.in_root(&self.config.paths.staging)
    }

    /// The prompt templates that override the built-in ones (`prompts` unless configured).
    pub(crate) fn prompts_dir(&self) -> PathBuf {
        self.in_root(&self.config.paths.prompts)
    }
}

/// A directory's last component, made into a name fit for Kubernetes (`My App` → `my-app`).
pub(crate) fn directory_name(dir: &Path) -> String {
    dns_label(
        &dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// `text` as a DNS-1123 label: lower case, runs of other characters turned into one `-`, no
/// leading or trailing `-`, at most 63 characters; `app` when nothing is left.
pub(crate) fn dns_label(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "app".into()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve_with(dir: &Path, flags: &Flags, vars: &[(&str, &str)]) -> Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let options = GlobalOptions {
            directory: Some(dir.to_path_buf()),
            ..GlobalOptions::default()
        };
        Settings::resolve(&options, flags, |k| vars.get(k).cloned())
    }

    fn resolve_in(dir: &Path, vars: &[(&str, &str)]) -> Result<Settings> {
        resolve_with(dir, &Flags::default(), vars)
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
        assert_eq!(settings.provider, ProviderKind::Builtin);
        let flags = Flags {
            provider: Some(ProviderKind::OpenAi),
            model: Some("m3".into()),
            ..Flags::default()
        };
        let settings = resolve_with(&sub, &flags, &[("AIGEN_MODEL", "m2")]).unwrap();
        assert_eq!(settings.provider, ProviderKind::OpenAi);
        assert_eq!(settings.model.as_deref(), Some("m3"));
    }

    #[test]
    fn provider_defaults_on_the_api_key() {
        let dir = tempfile::tempdir().unwrap();
        let without = resolve_in(dir.path(), &[]).unwrap();
        assert_eq!(without.provider, ProviderKind::Builtin);
        let with = resolve_in(dir.path(), &[("OPENAI_API_KEY", "sk-test-abc")]).unwrap();
        assert_eq!(with.provider, ProviderKind::OpenAi);
        assert!(!format!("{with:?}").contains("sk-test-abc"));
    }

    #[test]
    fn a_command_flag_beats_the_global_one_which_beats_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("AIGEN_PROVIDER", "kagent")];
        assert_eq!(
            resolve_in(dir.path(), &env).unwrap().provider,
            ProviderKind::Kagent
        );
        let options = GlobalOptions {
            directory: Some(dir.path().to_path_buf()),
            provider: Some(ProviderKind::Gordon),
            ..GlobalOptions::default()
        };
        let kagent = |name: &str| (name == "AIGEN_PROVIDER").then(|| "kagent".to_string());
        let global = Settings::resolve(&options, &Flags::default(), kagent).unwrap();
        assert_eq!(global.provider, ProviderKind::Gordon);
        let flags = Flags {
            provider: Some(ProviderKind::Command),
            ..Flags::default()
        };
        let command = Settings::resolve(&options, &flags, kagent).unwrap();
        assert_eq!(command.provider, ProviderKind::Command);
    }

    #[test]
    fn an_unknown_provider_in_the_environment_is_a_usage_error_listing_the_choices() {
        let dir = tempfile::tempdir().unwrap();
        let error = resolve_in(dir.path(), &[("AIGEN_PROVIDER", "nope")]).unwrap_err();
        assert_eq!(error.to_string(), "AIGEN_PROVIDER: unknown provider `nope`");
        assert!(
            error
                .hint()
                .unwrap()
                .contains("builtin, openai, kubectl-ai")
        );
        assert_eq!(error.exit_status(), crate::ExitStatus::Error);
    }

    #[test]
    fn rounds_and_timeouts_come_from_flags_then_the_file_and_are_at_least_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aigen.toml"),
            "[generate]\nmax_rounds = 5\ntimeout_secs = 0\n",
        )
        .unwrap();
        let from_file = resolve_in(dir.path(), &[]).unwrap();
        assert_eq!(from_file.max_rounds, 5);
        assert_eq!(from_file.timeout, Duration::from_secs(1));
        let flags = Flags {
            max_rounds: Some(0),
            timeout_secs: Some(9),
            ..Flags::default()
        };
        let from_flags = resolve_with(dir.path(), &flags, &[]).unwrap();
        assert_eq!(from_flags.max_rounds, 1);
        assert_eq!(from_flags.timeout, Duration::from_secs(9));
    }

    #[test]
    fn the_constitution_file_says_who_chose_it() {
        let dir = tempfile::tempdir().unwrap();
        let default = resolve_in(dir.path(), &[]).unwrap().policy;
        assert_eq!(default.path, dir.path().join(DEFAULT_POLICY));
        assert!(!default.is_required());
        let from_env = resolve_in(dir.path(), &[("AIGEN_POLICY", "p.yaml")])
            .unwrap()
            .policy;
        assert_eq!(from_env.origin, PolicyOrigin::Environment);
        assert!(from_env.is_required());
        let flags = Flags {
            policy: Some("q.yaml".into()),
            ..Flags::default()
        };
        let from_flag = resolve_with(dir.path(), &flags, &[("AIGEN_POLICY", "p.yaml")])
            .unwrap()
            .policy;
        assert_eq!(from_flag.path, dir.path().join("q.yaml"));
        assert_eq!(from_flag.origin, PolicyOrigin::Flag);
    }

    #[test]
    fn directory_names_become_kubernetes_names() {
        assert_eq!(directory_name(Path::new("/x/Todo App_2")), "todo-app-2");
        assert_eq!(directory_name(Path::new("/")), "app");
    }
}
