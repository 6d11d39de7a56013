//! Finding the engine: `DOCKER_HOST` as the Docker CLI reads it, else the local Docker socket,
//! else Podman's Docker-compatible socket (rootless, then system). A connection is only made
//! when the engine answers a ping within a few seconds; otherwise the error says how to start one
//! (exit 3), never a hang.

use std::path::Path;
use std::time::Duration;

use bollard::Docker;

use super::{Engine, engine_error};
use crate::env_vars::DOCKER_HOST;
use crate::error::{Error, Result};

/// How long the first answer may take.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// The local Docker socket.
const DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// What to do when no engine answers.
const HINT: &str = "start a Docker Engine (`sudo systemctl start docker`, Docker Desktop, or \
`podman system service` for Podman's Docker-compatible API) or point DOCKER_HOST at one; in \
aigen's own repository: `bash .ci/engine.sh start && eval \"$(bash .ci/engine.sh env)\"`";

impl Engine {
    /// Connects to the engine and checks that it answers.
    pub fn connect() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| engine_error(format!("could not start the async runtime: {e}")))?;
        let (host, docker) = client()?;
        let answered = runtime.block_on(async {
            let docker = tokio::time::timeout(PING_TIMEOUT, docker.negotiate_version())
                .await
                .map_err(|_| format!("no answer within {} s", PING_TIMEOUT.as_secs()))?
                .map_err(|e| e.to_string())?;
            let version = tokio::time::timeout(PING_TIMEOUT, docker.version())
                .await
                .map_err(|_| format!("no answer within {} s", PING_TIMEOUT.as_secs()))?
                .map_err(|e| e.to_string())?;
            let networks = docker
                .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((docker, version, networks))
        });
        let (docker, version, networks) =
            answered.map_err(|reason| not_answering(&host, &reason))?;
        let product = version
            .components
            .as_ref()
            .and_then(|c| c.first())
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "Docker Engine".to_string());
        let server = format!(
            "{product} {}, API {}",
            version.version.as_deref().unwrap_or("?"),
            version.api_version.as_deref().unwrap_or("?")
        );
        let has_bridge = networks
            .iter()
            .any(|n| matches!(n.name.as_deref(), Some("bridge" | "podman")));
        Ok(Self {
            docker,
            runtime,
            host,
            server,
            build_network: (!has_bridge).then(|| "host".to_string()),
        })
    }
}

/// The client for the first place an engine may be, and that place.
fn client() -> Result<(String, Docker)> {
    if let Some(host) = std::env::var(DOCKER_HOST).ok().filter(|h| !h.is_empty()) {
        let docker =
            Docker::connect_with_host(&host).map_err(|e| not_answering(&host, &e.to_string()))?;
        return Ok((host, docker));
    }
    let socket = if Path::new(DOCKER_SOCKET).exists() {
        DOCKER_SOCKET.to_string()
    } else {
        podman_socket().unwrap_or_else(|| DOCKER_SOCKET.to_string())
    };
    let host = format!("unix://{socket}");
    if !Path::new(&socket).exists() {
        return Err(not_answering(&host, "there is no socket there"));
    }
    let docker = Docker::connect_with_unix(&host, 120, bollard::API_DEFAULT_VERSION)
        .map_err(|e| not_answering(&host, &e.to_string()))?;
    Ok((host, docker))
}

/// Podman's Docker-compatible socket: the user's (`$XDG_RUNTIME_DIR/podman/podman.sock`), then
/// the system's.
fn podman_socket() -> Option<String> {
    let rootless = std::env::var("XDG_RUNTIME_DIR")
        .ok()
        .map(|dir| format!("{dir}/podman/podman.sock"));
    rootless
        .into_iter()
        .chain(["/run/podman/podman.sock".to_string()])
        .find(|path| Path::new(path).exists())
}

fn not_answering(host: &str, reason: &str) -> Error {
    Error::external_with_hint(
        "docker engine",
        format!("no Docker Engine answers at {host}: {reason}"),
        HINT,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hint_says_how_to_start_an_engine() {
        let error = super::not_answering("unix:///nowhere.sock", "there is no socket there");
        assert_eq!(error.exit_status(), crate::error::ExitStatus::External);
        assert!(error.to_string().contains("unix:///nowhere.sock"));
        assert!(error.hint().unwrap().contains("DOCKER_HOST"));
    }
}
