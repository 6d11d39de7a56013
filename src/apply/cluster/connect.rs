//! Connecting to a cluster the way kubectl does: which kubeconfig, which context, which namespace.
//!
//! The kubeconfig is `--kubeconfig` when given, else the files listed in `KUBECONFIG` (merged,
//! first one wins, missing ones ignored), else `~/.kube/config`. The context is `--context`, else
//! the kubeconfig's current context. Objects that do not name a namespace go to `--namespace`,
//! else the context's namespace, else `default`. [`Cluster::connect`] does not talk to the server;
//! the first request does, and an unreachable server is reported then, with its URL and context.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::discovery::{ApiResource, Scope};

use super::errors::{self, Doing};
use crate::env_vars::KUBECONFIG;
use crate::error::{Error, Location, Result};

/// How to reach a cluster.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `--kubeconfig`: this file only.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: this context instead of the current one.
    pub context: Option<String>,
    /// `--namespace`: for objects that do not name one.
    pub namespace: Option<String>,
    /// The value of `KUBECONFIG`.
    pub kubeconfig_env: Option<OsString>,
    /// The home directory, for `~/.kube/config`.
    pub home: Option<PathBuf>,
    /// How long to wait for a connection and for each answer.
    pub timeout: Duration,
}

impl ConnectOptions {
    /// Options from the command line, with `KUBECONFIG` and the home directory taken from the
    /// process environment.
    pub fn new(
        kubeconfig: Option<PathBuf>,
        context: Option<String>,
        namespace: Option<String>,
    ) -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        Self {
            kubeconfig,
            context,
            namespace,
            kubeconfig_env: std::env::var_os(KUBECONFIG),
            home,
            timeout: Duration::from_secs(30),
        }
    }

    /// The kubeconfig files to read, in precedence order.
    pub(crate) fn kubeconfig_files(&self) -> Result<Vec<PathBuf>> {
        if let Some(path) = &self.kubeconfig {
            if !path.is_file() {
                return Err(Error::usage(format!(
                    "kubeconfig `{}` does not exist",
                    path.display()
                )));
            }
            return Ok(vec![path.clone()]);
        }
        if let Some(list) = self.kubeconfig_env.as_ref().filter(|v| !v.is_empty()) {
            let listed: Vec<PathBuf> = std::env::split_paths(list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            let present: Vec<PathBuf> = listed.iter().filter(|p| p.is_file()).cloned().collect();
            if present.is_empty() {
                return Err(Error::usage_with_hint(
                    format!(
                        "none of the kubeconfig files in {KUBECONFIG} exist: {}",
                        listed
                            .iter()
                            .map(|p| format!("`{}`", p.display()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "fix KUBECONFIG or pass --kubeconfig",
                ));
            }
            return Ok(present);
        }
        let default = self
            .home
            .as_ref()
            .map(|home| home.join(".kube").join("config"))
            .filter(|p| p.is_file());
        default.map(|p| vec![p]).ok_or_else(|| {
            Error::usage_with_hint(
                "no kubeconfig found: --kubeconfig is not given, KUBECONFIG is not set and ~/.kube/config does not exist",
                "point --kubeconfig or KUBECONFIG at the kubeconfig of your cluster (minikube writes ~/.kube/config)",
            )
        })
    }
}

/// Where requests go; named in every error about the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The kubeconfig context in use.
    pub context: String,
    /// The API server URL.
    pub server: String,
}

/// Resource and scope per (apiVersion, kind), as discovery found them.
type ResourceCache = Arc<Mutex<HashMap<(String, String), (ApiResource, Scope)>>>;

/// A connection to one cluster, with what discovery has learnt so far.
#[derive(Clone)]
pub struct Cluster {
    pub(crate) client: kube::Client,
    endpoint: Endpoint,
    namespace: String,
    namespace_from_flag: bool,
    resources: ResourceCache,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("endpoint", &self.endpoint)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

static CRYPTO_PROVIDER: Once = Once::new();

impl Cluster {
    /// Reads the kubeconfig and prepares a client for the chosen context.
    pub async fn connect(options: &ConnectOptions) -> Result<Self> {
        CRYPTO_PROVIDER.call_once(|| {
            // Another part of the program may have installed one already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let files = options.kubeconfig_files()?;
        let mut merged = Kubeconfig::default();
        for file in &files {
            let config = Kubeconfig::read_from(file).map_err(|e| kubeconfig_error(e, file))?;
            merged = merged
                .merge(config)
                .map_err(|e| kubeconfig_error(e, file))?;
        }
        let context = choose_context(&merged, options.context.as_deref(), &files)?;
        let kube_options = KubeConfigOptions {
            context: Some(context.clone()),
            ..KubeConfigOptions::default()
        };
        let mut config = kube::Config::from_custom_kubeconfig(merged, &kube_options)
            .await
            .map_err(|e| kubeconfig_error(e, &files[0]))?;
        config.connect_timeout = Some(options.timeout);
        config.read_timeout = Some(options.timeout);
        config.write_timeout = Some(options.timeout);
        let endpoint = Endpoint {
            context,
            server: config
                .cluster_url
                .to_string()
                .trim_end_matches('/')
                .to_string(),
        };
        let (namespace, namespace_from_flag) = match &options.namespace {
            Some(namespace) => (namespace.clone(), true),
            None => (config.default_namespace.clone(), false),
        };
        let client = kube::Client::try_from(config).map_err(|e| {
            Error::external_with_hint(
                format!("cannot set up a client for context `{}`", endpoint.context),
                e.to_string(),
                "check the cluster's certificate authority and the user's credentials in the kubeconfig",
            )
        })?;
        Ok(Self {
            client,
            endpoint,
            namespace,
            namespace_from_flag,
            resources: Arc::default(),
        })
    }

    /// The context and server in use.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The namespace for objects that do not name one.
    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Whether the namespace was chosen with `--namespace` (then a manifest naming another
    /// namespace is refused, as kubectl does).
    pub(crate) fn namespace_from_flag(&self) -> bool {
        self.namespace_from_flag
    }

    /// The server's version (`v1.31.2`): the cheapest request that proves the cluster is there.
    pub async fn server_version(&self) -> Result<String> {
        let info = self
            .client
            .apiserver_version()
            .await
            .map_err(|e| errors::from_kube(e, &Doing::Connect, &self.endpoint))?;
        Ok(info.git_version)
    }

    /// The resource that serves `kind` in `api_version`, and its scope; asked once per kind.
    pub(crate) async fn resource_for(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<(ApiResource, Scope)> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(found) = self.lock_resources().get(&key) {
            return Ok(found.clone());
        }
        let (group, version) = super::object::split_api_version(api_version);
        let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .map_err(|e| {
                errors::from_kube(e, &Doing::Discover { api_version, kind }, &self.endpoint)
            })?;
        let found = (resource, capabilities.scope);
        self.lock_resources().insert(key, found.clone());
        Ok(found)
    }

    fn lock_resources(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), (ApiResource, Scope)>> {
        // A panic while the lock was held cannot leave the cache inconsistent: entries are
        // inserted whole.
        self.resources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn choose_context(config: &Kubeconfig, asked: Option<&str>, files: &[PathBuf]) -> Result<String> {
    let available: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
    let listing = || {
        if available.is_empty() {
            "the kubeconfig defines no contexts".to_string()
        } else {
            format!("available contexts: {}", available.join(", "))
        }
    };
    let files_text = files
        .iter()
        .map(|f| format!("`{}`", f.display()))
        .collect::<Vec<_>>()
        .join(", ");
    match asked
        .map(str::to_string)
        .or_else(|| config.current_context.clone())
    {
        Some(name) if available.contains(&name.as_str()) => Ok(name),
        Some(name) => Err(Error::usage_with_hint(
            format!("context `{name}` is not defined in {files_text}"),
            listing(),
        )),
        None => Err(Error::usage_with_hint(
            format!("{files_text} sets no current context"),
            format!("pass --context; {}", listing()),
        )),
    }
}

/// Kubeconfig problems are the user's input: exit 2, with the file named. A parse error shows
/// only where it is, not the line, which may hold a token.
fn kubeconfig_error(error: KubeconfigError, file: &Path) -> Error {
    match error {
        KubeconfigError::ReadConfig(e, path) => Error::io("read", path, e),
        KubeconfigError::Parse(e) => {
            let location = e.location().map_or_else(
                || Location::file(file),
                |l| Location::at(file, l.line() as usize, l.column() as usize),
            );
            Error::input(
                location,
                "the kubeconfig is not valid YAML or not a kubeconfig",
            )
        }
        other => Error::usage_with_hint(
            format!("cannot use the kubeconfig `{}`: {other}", file.display()),
            "check it with `kubectl config view`",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn options(dir: &Path) -> ConnectOptions {
        ConnectOptions {
            kubeconfig: None,
            context: None,
            namespace: None,
            kubeconfig_env: None,
            home: Some(dir.to_path_buf()),
            timeout: Duration::from_secs(5),
        }
    }

    const CONFIG: &str = "\
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: 'http://127.0.0.1:1'}
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: shop}
- name: other
  context: {cluster: dev, user: dev}
users:
- name: dev
  user: {token: kubeconfig-token-value}
";

    #[test]
    fn files_are_found_as_kubectl_finds_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = options(dir.path());
        assert!(options.kubeconfig_files().is_err());

        let home_config = dir.path().join(".kube/config");
        fs::create_dir_all(home_config.parent().unwrap()).unwrap();
        fs::write(&home_config, CONFIG).unwrap();
        assert_eq!(options.kubeconfig_files().unwrap(), [home_config.as_path()]);

        let listed = dir.path().join("listed.yaml");
        fs::write(&listed, CONFIG).unwrap();
        let missing = dir.path().join("missing.yaml");
        options.kubeconfig_env = Some(std::env::join_paths([&missing, &listed]).unwrap());
        assert_eq!(options.kubeconfig_files().unwrap(), [listed.as_path()]);

        options.kubeconfig_env = Some(missing.clone().into_os_string());
        let error = options.kubeconfig_files().unwrap_err();
        assert!(error.to_string().contains("missing.yaml"), "{error}");

        options.kubeconfig = Some(home_config.clone());
        assert_eq!(options.kubeconfig_files().unwrap(), [home_config]);
        options.kubeconfig = Some(missing);
        assert!(options.kubeconfig_files().is_err());
    }

    #[tokio::test]
    async fn context_and_namespace_follow_the_flags_then_the_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        fs::write(&file, CONFIG).unwrap();
        let mut options = options(dir.path());
        options.kubeconfig = Some(file);

        let cluster = Cluster::connect(&options).await.unwrap();
        assert_eq!(cluster.endpoint().context, "dev");
        assert_eq!(cluster.endpoint().server, "http://127.0.0.1:1");
        assert_eq!(cluster.namespace(), "shop");
        assert!(!cluster.namespace_from_flag());
        assert!(!format!("{cluster:?}").contains("kubeconfig-token-value"));

        options.context = Some("other".into());
        let cluster = Cluster::connect(&options).await.unwrap();
        assert_eq!(cluster.namespace(), "default");

        options.namespace = Some("web".into());
        let cluster = Cluster::connect(&options).await.unwrap();
        assert_eq!(cluster.namespace(), "web");
        assert!(cluster.namespace_from_flag());

        options.context = Some("prod".into());
        let error = Cluster::connect(&options).await.unwrap_err();
        assert!(
            error.to_string().contains("context `prod` is not defined"),
            "{error}"
        );
        assert_eq!(error.hint(), Some("available contexts: dev, other"));
    }

    #[tokio::test]
    async fn a_broken_kubeconfig_is_located_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        fs::write(
            &file,
            "users:\n- name: dev\n  user: {token: 'kubeconfig-token-value\n",
        )
        .unwrap();
        let mut options = options(dir.path());
        options.kubeconfig = Some(file);
        let error = Cluster::connect(&options).await.unwrap_err();
        let text = error.to_string();
        assert!(text.contains("config:"), "{text}");
        assert!(!text.contains("kubeconfig-token-value"), "{text}");
        assert_eq!(error.exit_status() as u8, 2);
    }
}
