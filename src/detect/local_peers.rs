//! Peers the code's own defaults name when no compose file does: a variable the code falls back
//! to a connection string of a store on the local host (`os.environ.get('REDIS_URL') or
//! 'redis://'`, `postgres://app@localhost/app`, `host=localhost dbname=app`) says the app
//! connects to that store at start unless told otherwise. Such a store becomes a peer named
//! after its image (`redis`, `postgres`), sourced at the default, so that a run starts it
//! beside the service as it starts a compose peer. Only when the project names no peer itself.

use super::model::{EnvVar, Peer, Sourced};

/// The peers the defaults of `env` name, one per store, in the variables' order.
pub(super) fn from_defaults(env: &[EnvVar]) -> Vec<Sourced<Peer>> {
    let mut peers: Vec<Sourced<Peer>> = Vec::new();
    for var in env {
        let Some(given) = var.value.as_ref().or(var.shape.as_ref()) else {
            continue;
        };
        let Some(image) = local_store(&given.value) else {
            continue;
        };
        if peers.iter().all(|p| p.value.name != image) {
            peers.push(Sourced::new(
                Peer {
                    name: image.to_string(),
                    image: Some(image.to_string()),
                },
                given.origin.clone(),
            ));
        }
    }
    peers
}

/// Host names of the local host.
const LOCAL_HOSTS: &[&str] = &["", "localhost", "127.0.0.1", "[::1]", "::1"];

/// The image of the store a connection string names on the local host (`postgres`, `redis`),
/// or `None` for a remote host or another kind of value. A key/value string is libpq's, local
/// when it names a database and no other host.
fn local_store(value: &str) -> Option<&'static str> {
    let connection = crate::connection_string::parse(value)?;
    let image = match connection.scheme.as_deref() {
        Some("postgres" | "postgresql") => "postgres",
        Some("redis") => "redis",
        None if connection.database.is_some() => "postgres",
        _ => return None,
    };
    LOCAL_HOSTS
        .contains(&connection.host.as_str())
        .then_some(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_on_the_local_host_are_peers() {
        assert_eq!(local_store("redis://"), Some("redis"));
        assert_eq!(local_store("redis://localhost:6379/0"), Some("redis"));
        assert_eq!(
            local_store("postgres://app:****@127.0.0.1:5432/app"),
            Some("postgres")
        );
        assert_eq!(
            local_store("user=postgres password=**** dbname=app sslmode=disable"),
            Some("postgres")
        );
        assert_eq!(local_store("host=localhost dbname=app"), Some("postgres"));
    }

    #[test]
    fn remote_stores_and_other_values_are_not() {
        assert_eq!(local_store("redis://cache:6379"), None);
        assert_eq!(local_store("postgres://app@db/app"), None);
        assert_eq!(local_store("host=db dbname=app"), None);
        assert_eq!(local_store("sqlite:////data/app.db"), None);
        assert_eq!(local_store("http://localhost:8080"), None);
        assert_eq!(local_store("info"), None);
    }
}
