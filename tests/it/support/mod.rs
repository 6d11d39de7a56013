//! What the integration tests share, one module per concern. Start with [`command`] (the binary
//! with a clean environment, and what a run did) and [`files`] (copies of the repository's
//! examples and fixtures as committed); then the module of the group a test belongs to:
//! [`example`] (a copy of `examples/todo-app` and readers for what a run leaves in it), [`phr`]
//! (a project with a trail), [`lint`], [`builtin`] (a service per stack, hadolint), [`provider`]
//! (stand-in tools and OpenAI-compatible servers), [`secret_values`] (secret values made at run
//! time, and finding them in output), [`cluster`] (manifests, kubeconfigs and connections) and
//! [`live_cluster`] (a real cluster, a namespace per test), and [`alone`] for a test that must
//! have its process to itself.

pub mod alone;
pub mod builtin;
pub mod cluster;
pub mod command;
pub mod engine;
pub mod example;
pub mod files;
pub mod lint;
pub mod live_cluster;
pub mod phr;
pub mod provider;
pub mod secret_values;
