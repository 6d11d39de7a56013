//! The addresses a server listens on, as its variables give them. A server in a container is
//! reached through the container's interfaces, so a listen address on the loopback alone
//! (`127.0.0.1`, `localhost`, `::1`), which is what many servers default to outside containers,
//! leaves it unreachable; and an IPv6 loopback beside an IPv4 wildcard makes a second socket that
//! may take the port first from the IPv4 one (a dual-stack socket bound to `::1` conflicts with
//! `0.0.0.0` on Linux). A variable that names the server's listen address (`*_LISTEN_IPV4`,
//! `*_LISTEN_IPV6`, `*_LISTEN_ADDR(ESS)`, `*_LISTEN_HOST`, `*_BIND_ADDR(ESS)`, `*_BIND_HOST`,
//! `HOST`, `SERVER_HOST`) whose value is a loopback address therefore gets the wildcard of the
//! same family, its port kept: `127.0.0.1` → `0.0.0.0`, `::1` → `::`, `localhost:8080` →
//! `0.0.0.0:8080`, `[::1]:8080` → `[::]:8080`. A server given both wildcards listens once, on
//! the dual-stack `::`, when it knows to (wakapi does), and on both otherwise.

use super::model::{EnvVar, Origin, Sourced};

/// The last words of a variable that names where the service itself listens.
const LISTEN_SUFFIXES: &[&str] = &[
    "LISTEN_IPV4",
    "LISTEN_IPV6",
    "LISTEN_IP",
    "LISTEN_ADDR",
    "LISTEN_ADDRESS",
    "LISTEN_HOST",
    "BIND_ADDR",
    "BIND_ADDRESS",
    "BIND_HOST",
    "BIND_IP",
];

/// Whole names of such variables.
const LISTEN_NAMES: &[&str] = &["HOST", "SERVER_HOST", "LISTEN", "BIND"];

/// What the source says when a loopback address was opened.
const OPENED: &str =
    "a server in a container listens on all its interfaces, not the loopback its default names";

/// Gives every listen address variable of `env` whose value is a loopback address the wildcard
/// of its family.
pub(super) fn open_loopback_addresses(env: &mut [EnvVar]) {
    for var in env.iter_mut().filter(|var| is_listen_name(&var.name)) {
        let Some(opened) = var.value.as_ref().and_then(|v| wildcard_for(&v.value)) else {
            continue;
        };
        var.value = Some(Sourced::new(opened, Origin::Convention(OPENED)));
    }
}

fn is_listen_name(name: &str) -> bool {
    LISTEN_NAMES.contains(&name.to_ascii_uppercase().as_str())
        || super::env::name_ends_with_word(name, LISTEN_SUFFIXES)
}

/// The wildcard address that stands for a loopback `address` (with its port, if any); `None`
/// when `address` is not a loopback address.
fn wildcard_for(address: &str) -> Option<String> {
    let address = address.trim();
    let (host, port) = split_port(address);
    let wildcard = match host {
        "127.0.0.1" | "localhost" => "0.0.0.0",
        "::1" | "[::1]" => "::",
        _ => return None,
    };
    Some(match (port, wildcard) {
        (None, _) => wildcard.to_string(),
        (Some(port), "::") => format!("[::]:{port}"),
        (Some(port), _) => format!("{wildcard}:{port}"),
    })
}

/// `host:port` split at the port, for `127.0.0.1:8080`, `localhost:8080` and `[::1]:8080`; a bare
/// IPv6 address (`::1`) has no port.
fn split_port(address: &str) -> (&str, Option<&str>) {
    if let Some(rest) = address.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        let port = after.strip_prefix(':').filter(|p| is_port(p));
        return (host, port);
    }
    match address.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && is_port(port) => (host, Some(port)),
        _ => (address, None),
    }
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_become_wildcards_of_their_family() {
        assert_eq!(wildcard_for("127.0.0.1").as_deref(), Some("0.0.0.0"));
        assert_eq!(
            wildcard_for("localhost:8080").as_deref(),
            Some("0.0.0.0:8080")
        );
        assert_eq!(wildcard_for("::1").as_deref(), Some("::"));
        assert_eq!(wildcard_for("[::1]:3000").as_deref(), Some("[::]:3000"));
        assert_eq!(wildcard_for("0.0.0.0"), None);
        assert_eq!(wildcard_for("::"), None);
        assert_eq!(wildcard_for("10.0.0.5:80"), None);
        assert_eq!(wildcard_for("db"), None);
    }

    #[test]
    fn only_the_services_own_listen_variables_are_read() {
        for name in [
            "WAKAPI_LISTEN_IPV6",
            "LISTEN_ADDR",
            "HOST",
            "APP_BIND_ADDRESS",
        ] {
            assert!(is_listen_name(name), "{name}");
        }
        for name in [
            "DB_HOST",
            "REDIS_HOST",
            "SMTP_HOST",
            "HOSTNAME",
            "PUBLIC_URL",
        ] {
            assert!(!is_listen_name(name), "{name}");
        }
    }
}
