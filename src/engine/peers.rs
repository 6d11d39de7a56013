//! The peers a service connects to at start (a PostgreSQL or Redis server its compose file names
//! in `depends_on`), started beside it for a run: the first peer with no network and the host
//! names the service may use for it (its compose name and the common `db`, `postgres`,
//! `postgresql`, `redis`, …) mapped to 127.0.0.1, every other peer and then the service joining
//! its network namespace, so that the service reaches each peer on loopback (127.0.0.1 and ::1)
//! and nothing else.
//! A PostgreSQL peer gets `trust` authentication (the password the run invents is accepted) and
//! the user and database the service's own settings name (`DATABASE_URL`, `…DB_USER`,
//! `…DB_NAME`). The image is the one compose names when the engine has it, else the engine's
//! `postgres:latest` / `redis:latest` (on CI, the stand-ins of docs/engine.md). A peer is
//! removed after the run, whatever happened.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};

use super::probe::exec;
use super::run_settings::{EnvValue, RunSettings};
use super::{Engine, SERVICE_LABEL, create_container, remove_container, seconds, start_container};
use crate::detect::Peer;
use crate::error::{Error, Result};
use crate::image_reference::ImageReference;

/// How long a peer may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Host names a service commonly gives its database or cache, mapped to loopback besides the
/// peers' own compose names.
const COMMON_NAMES: [&str; 6] = ["db", "database", "postgres", "postgresql", "redis", "cache"];

/// What kind of server a peer is, told by its image's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerKind {
    Postgres,
    Redis,
}

impl PeerKind {
    /// `postgres:16`, `bitnami/postgresql`, `postgis/postgis:16-3.4` → PostgreSQL;
    /// `redis:7-alpine`, `valkey/valkey` → Redis; anything else → `None`.
    fn of_image(image: &str) -> Option<Self> {
        let name = ImageReference::parse(image).name();
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "postgis" => Some(Self::Postgres),
            "redis" | "valkey" | "redis-stack-server" => Some(Self::Redis),
            _ => None,
        }
    }

    /// The image run when the engine lacks the one compose names.
    fn fallback_image(self) -> &'static str {
        match self {
            Self::Postgres => "postgres:latest",
            Self::Redis => "redis:latest",
        }
    }

    /// A command in the peer that exits 0 once it accepts connections on loopback.
    fn ready_command(self) -> Vec<String> {
        let words: &[&str] = match self {
            Self::Postgres => &["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"],
            Self::Redis => &["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"],
        };
        words.iter().map(|w| (*w).to_string()).collect()
    }

    /// The peer's environment, from the service's settings.
    fn env(self, settings: &RunSettings) -> Vec<String> {
        match self {
            Self::Postgres => {
                let (user, database) = postgres_identity(&settings.env);
                let mut env = vec!["POSTGRES_HOST_AUTH_METHOD=trust".to_string()];
                env.extend(user.map(|u| format!("POSTGRES_USER={u}")));
                env.extend(database.map(|d| format!("POSTGRES_DB={d}")));
                env
            }
            Self::Redis => Vec::new(),
        }
    }
}

/// The user and database a service's settings name for PostgreSQL: from a connection URL
/// (`postgres://user:password@db/name`) or a key/value string (`user=… dbname=…`), else from
/// variables named like `WAKAPI_DB_USER` / `WAKAPI_DB_NAME`. A connection string wins over a
/// named variable, whatever their order: it is what a client given one connects with
/// (`DATABASE_NAME=bakerydemodb` is a fallback for when `DATABASE_URL` is unset).
fn postgres_identity(env: &[(String, EnvValue)]) -> (Option<String>, Option<String>) {
    const USER_SUFFIXES: [&str; 6] = [
        "DB_USER",
        "DB_USERNAME",
        "DATABASE_USER",
        "DATABASE_USERNAME",
        "POSTGRES_USER",
        "PGUSER",
    ];
    const NAME_SUFFIXES: [&str; 5] = [
        "DB_NAME",
        "DB_DATABASE",
        "DATABASE_NAME",
        "POSTGRES_DB",
        "PGDATABASE",
    ];
    let mut user = None;
    let mut database = None;
    let value_of = |value: &EnvValue| {
        let (EnvValue::Plain(value) | EnvValue::Throwaway(value)) = value;
        value.clone()
    };
    for (_, value) in env {
        let (from_url_user, from_url_database) = connection_string_identity(&value_of(value));
        user = user.or(from_url_user);
        database = database.or(from_url_database);
    }
    for (name, value) in env {
        let value = value_of(value);
        let name = name.to_ascii_uppercase();
        let plain = !value.is_empty() && !value.contains(char::is_whitespace);
        if plain && USER_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            user = user.or_else(|| Some(value.clone()));
        }
        if plain && NAME_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            database = database.or_else(|| Some(value.clone()));
        }
    }
    (user, database)
}

/// The user and database of a PostgreSQL connection string, when `value` is one.
fn connection_string_identity(value: &str) -> (Option<String>, Option<String>) {
    match crate::connection_string::parse(value) {
        Some(c)
            if matches!(c.scheme.as_deref(), Some("postgres" | "postgresql"))
                || (c.scheme.is_none() && c.database.is_some()) =>
        {
            (c.user, c.database)
        }
        _ => (None, None),
    }
}

/// The peers started for one run.
#[derive(Debug, Default)]
pub(crate) struct Peers {
    /// The containers, first the one whose network namespace the others share.
    containers: Vec<String>,
    /// What was started, one line a peer (`db: postgres:latest for postgres:16, ready after
    /// 1.2 s`), or why not.
    pub report: Vec<String>,
}

impl Peers {
    /// The container whose network namespace the service joins, when a peer was started.
    pub(crate) fn network(&self) -> Option<&str> {
        self.containers.first().map(String::as_str)
    }

    /// Starts the PostgreSQL and Redis peers of `service` and waits until each accepts
    /// connections. A peer that cannot be started is reported, not an error: the run then shows
    /// what the service does without it. Interrupted (Ctrl-C), it removes what it started.
    pub(crate) fn start(
        engine: &Engine,
        service: &str,
        peers: &[Peer],
        settings: &RunSettings,
    ) -> Result<Self> {
        let mut started = Self::default();
        let wanted: Vec<(&Peer, PeerKind)> = peers
            .iter()
            .filter_map(|peer| Some((peer, PeerKind::of_image(peer.image.as_deref()?)?)))
            .collect();
        let mut names: Vec<String> = wanted.iter().map(|(peer, _)| peer.name.clone()).collect();
        names.extend(COMMON_NAMES.iter().map(|n| (*n).to_string()));
        names.sort();
        names.dedup();
        let mut kinds_started: Vec<PeerKind> = Vec::new();
        for (peer, kind) in wanted {
            let declared = peer.image.as_deref().unwrap_or_default();
            if kinds_started.contains(&kind) {
                started.report.push(format!(
                    "{}: not started ({declared}: a second server of its kind would take the same port)",
                    peer.name
                ));
                continue;
            }
            let line = engine.block_on(async {
                let starting =
                    started.start_one(engine.docker(), service, peer, kind, &names, settings);
                tokio::select! {
                    line = starting => Some(line),
                    _ = tokio::signal::ctrl_c() => None,
                }
            });
            let Some(line) = line else {
                started.remove(engine);
                return Err(Error::Interrupted);
            };
            kinds_started.push(kind);
            started.report.push(line);
        }
        Ok(started)
    }

    /// Starts one peer and waits for it; returns its report line.
    async fn start_one(
        &mut self,
        docker: &Docker,
        service: &str,
        peer: &Peer,
        kind: PeerKind,
        names: &[String],
        settings: &RunSettings,
    ) -> String {
        let declared = peer.image.as_deref().unwrap_or_default();
        let image = if docker.inspect_image(declared).await.is_ok() {
            declared.to_string()
        } else if docker.inspect_image(kind.fallback_image()).await.is_ok() {
            kind.fallback_image().to_string()
        } else {
            return format!(
                "{}: not started (neither {declared} nor {} is on the engine)",
                peer.name,
                kind.fallback_image()
            );
        };
        // The namespace's owner maps the host names and turns IPv6 on for loopback (`::1`, as a
        // pod has it; the engine's `none` network leaves it off), for the peers and the service.
        let (network_mode, extra_hosts, sysctls) = match self.network() {
            Some(first) => (format!("container:{first}"), None, None),
            None => (
                "none".to_string(),
                Some(names.iter().map(|n| format!("{n}:127.0.0.1")).collect()),
                Some(HashMap::from(["all", "lo"].map(|i| {
                    (format!("net.ipv6.conf.{i}.disable_ipv6"), "0".into())
                }))),
            ),
        };
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            env: Some(kind.env(settings)),
            labels: Some(HashMap::from([(
                SERVICE_LABEL.to_string(),
                format!("{service} (peer {})", peer.name),
            )])),
            host_config: Some(HostConfig {
                network_mode: Some(network_mode),
                extra_hosts,
                sysctls,
                tmpfs: Some(HashMap::from([("/tmp".to_string(), String::new())])),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = match create_container(docker, body).await {
            Ok(id) => id,
            Err(error) => return format!("{}: {image} could not be created: {error}", peer.name),
        };
        self.containers.push(id.clone());
        if let Err(error) = start_container(docker, &id).await {
            return format!("{}: {image} could not be started: {error}", peer.name);
        }
        let begun = Instant::now();
        let source = if image == declared {
            image.clone()
        } else {
            format!("{image} for {declared}")
        };
        while begun.elapsed() < READY_TIMEOUT {
            let ran = exec(docker, &id, kind.ready_command()).await;
            if ran.is_some_and(|r| r.exit_code == Some(0)) {
                return format!(
                    "{}: {source}, ready after {}",
                    peer.name,
                    seconds(begun.elapsed())
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        format!(
            "{}: {source}, not ready within {}",
            peer.name,
            seconds(READY_TIMEOUT)
        )
    }

    /// Removes the peers' containers (the ones sharing a namespace first).
    pub(crate) fn remove(&self, engine: &Engine) {
        for id in self.containers.iter().rev() {
            engine.block_on(remove_container(engine.docker(), id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_told_by_the_image_name() {
        assert_eq!(PeerKind::of_image("postgres:16"), Some(PeerKind::Postgres));
        assert_eq!(
            PeerKind::of_image("bitnami/postgresql:15"),
            Some(PeerKind::Postgres)
        );
        assert_eq!(
            PeerKind::of_image("localhost:5000/redis"),
            Some(PeerKind::Redis)
        );
        assert_eq!(PeerKind::of_image("redis:7-alpine"), Some(PeerKind::Redis));
        assert_eq!(PeerKind::of_image("mysql:8"), None);
    }

    #[test]
    fn user_and_database_come_from_a_url_or_named_variables() {
        let plain = |n: &str, v: &str| (n.to_string(), EnvValue::Plain(v.to_string()));
        let url = [plain(
            "DATABASE_URL",
            "postgres://miniflux:secret@db/miniflux?sslmode=disable",
        )];
        assert_eq!(
            postgres_identity(&url),
            (Some("miniflux".into()), Some("miniflux".into()))
        );
        let named = [
            plain("WAKAPI_DB_HOST", "db"),
            plain("WAKAPI_DB_USER", "wakapi"),
            plain("WAKAPI_DB_NAME", "wakapi_db"),
        ];
        assert_eq!(
            postgres_identity(&named),
            (Some("wakapi".into()), Some("wakapi_db".into()))
        );
        let dsn = [plain("DSN", "host=db user=app dbname=shop sslmode=disable")];
        assert_eq!(
            postgres_identity(&dsn),
            (Some("app".into()), Some("shop".into()))
        );
        assert_eq!(postgres_identity(&[plain("PORT", "8080")]), (None, None));
        // The URL wins over a name read as its fallback, listed before it.
        let both = [
            plain("DATABASE_NAME", "bakerydemodb"),
            plain("DATABASE_URL", "postgres://app_user:x@db/app_db"),
        ];
        assert_eq!(
            postgres_identity(&both),
            (Some("app_user".into()), Some("app_db".into()))
        );
    }
}
