//! The environment variables aigen reads, in one list so that help texts, the README and the code
//! agree on their names.

/// Path of the config file to use instead of discovering `aigen.toml`.
pub(crate) const AIGEN_CONFIG: &str = "AIGEN_CONFIG";
/// Provider to generate with (`builtin`, `openai`, `kubectl-ai`, `gordon`, `kagent`, `command`).
pub(crate) const AIGEN_PROVIDER: &str = "AIGEN_PROVIDER";
/// Model name passed to the provider.
pub(crate) const AIGEN_MODEL: &str = "AIGEN_MODEL";
/// Base URL of an OpenAI-compatible server; takes precedence over `OPENAI_BASE_URL`.
pub(crate) const AIGEN_BASE_URL: &str = "AIGEN_BASE_URL";
/// Spec-Kit feature the records are filed under (e.g. `003-k8s-deployment`).
pub(crate) const AIGEN_FEATURE: &str = "AIGEN_FEATURE";
/// Constitution file to lint against.
pub(crate) const AIGEN_POLICY: &str = "AIGEN_POLICY";
/// API key of the OpenAI-compatible server. Read, never printed.
pub(crate) const OPENAI_API_KEY: &str = "OPENAI_API_KEY";
/// Base URL of the OpenAI-compatible server.
pub(crate) const OPENAI_BASE_URL: &str = "OPENAI_BASE_URL";
/// Disables colour when set to any non-empty value (<https://no-color.org>).
pub(crate) const NO_COLOR: &str = "NO_COLOR";
/// Kubeconfig files for `aigen apply --cluster`, a list as kubectl reads it.
pub(crate) const KUBECONFIG: &str = "KUBECONFIG";
/// The Docker Engine `aigen build` talks to (`unix://…`, `tcp://…`), as the Docker CLI reads it.
pub(crate) const DOCKER_HOST: &str = "DOCKER_HOST";
/// Spec-Kit's feature variable, honoured as the last fallback for the feature name.
pub(crate) const SPECIFY_FEATURE: &str = "SPECIFY_FEATURE";
