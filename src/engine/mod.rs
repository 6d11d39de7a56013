//! The Docker Engine: building the images of what aigen generates and running them, so that
//! reality judges the output, not only the linters.
//!
//! [`Engine::connect`] finds the engine as the Docker CLI does (`DOCKER_HOST`, else the local
//! socket, else Podman's Docker-compatible socket) and fails at once, with how to start one, when
//! nothing answers. [`context`] plans and packs the build context (the project root filtered by
//! the Dockerfile's own ignore file, [`ignore`]); [`build`] builds it and reports the image or the
//! failing step with the tail of its log; [`run`] starts the image with the settings the
//! manifests give it ([`run_settings`]) and judges it from inside ([`probe`]); [`verdict`] holds
//! what is reported and recorded. Every text that comes back from the engine (build logs,
//! container logs) passes the caller's redactor before it is shown or recorded.

use std::future::Future;
use std::time::Duration;

use bollard::Docker;

use crate::error::Error;

pub(crate) mod build;
pub(crate) mod connect;
pub(crate) mod context;
pub(crate) mod ignore;
pub(crate) mod peers;
pub(crate) mod prestart;
pub(crate) mod probe;
pub(crate) mod run;
pub(crate) mod run_settings;
pub(crate) mod verdict;
pub mod verify;

pub(crate) use build::{BuildRequest, build_image};
pub(crate) use run::{RunRequest, run_image};
pub(crate) use verify::{CheckOptions, CheckedImage, Checker, ImageSource};

/// The label the stand-in base images of this repository's CI carry (`.ci/engine.sh`); images
/// built on them inherit it, so their sizes are marked as stand-in sizes.
pub(crate) const STAND_IN_LABEL: &str = "org.aigen.ci.definition";

/// The label aigen puts on the images it builds: the service.
pub(crate) const SERVICE_LABEL: &str = "org.aigen.service";

/// A connection to a Docker Engine (or Podman's Docker-compatible API), with the runtime its
/// calls run on.
pub struct Engine {
    docker: Docker,
    runtime: tokio::runtime::Runtime,
    /// Where it was reached (`unix:///var/run/docker.sock`).
    pub host: String,
    /// What answered (`Docker Engine 20.10.24, API 1.41`).
    pub server: String,
    /// The network builds use: `host` when the engine has no default bridge (as on an engine
    /// started with `--bridge=none`), else the engine's default.
    pub build_network: Option<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("host", &self.host)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Runs a future of this engine's calls to completion.
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The bollard client.
    fn docker(&self) -> &Docker {
        &self.docker
    }
}

/// Creates a container from `body`; its ID.
async fn create_container(
    docker: &Docker,
    body: bollard::models::ContainerCreateBody,
) -> std::result::Result<String, bollard::errors::Error> {
    docker
        .create_container(
            None::<bollard::query_parameters::CreateContainerOptions>,
            body,
        )
        .await
        .map(|created| created.id)
}

/// Starts a created container.
async fn start_container(
    docker: &Docker,
    id: &str,
) -> std::result::Result<(), bollard::errors::Error> {
    docker
        .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
        .await
}

/// Removes a container and its anonymous volumes, running or not; one already gone is no error.
async fn remove_container(docker: &Docker, id: &str) {
    let options = bollard::query_parameters::RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    let _ = docker.remove_container(id, Some(options)).await;
}

/// An engine error as aigen reports it (exit 3).
fn engine_error(message: impl Into<String>) -> Error {
    Error::external("docker engine", message)
}

/// A duration in whole seconds, for messages: `4 s`, `0.7 s` under ten seconds.
pub(crate) fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}

pub(crate) use crate::policy::image::megabytes;
