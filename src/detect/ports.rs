//! The port a service's code listens on, when the code says: a listen call with a number
//! (`app.listen(4000)`, `.run(port=5000)`), an address literal (`":8080"`), or the default of the
//! service's own port variable (`os.getenv("PORT", "8080")`, `process.env.PORT || 3000`,
//! `const listenPort = "5050"`, clap's `env = "APP_PORT", default_value_t = 8080`, a struct tag
//! `default:"3000" env:"APP_PORT"`).
//!
//! Two rules keep other programs' ports out. A named port counts only when the name is the
//! service's own (`PORT`, `<SERVICE>_PORT`, `APP_PORT`, `listenPort`, `defaultPort`), not a
//! peer's (`REDIS_PORT`, `MCP_PORT` in the agent that calls the MCP server). An address literal
//! does not count next to words of a client (`RemoteAddr`, `dial`, `redis`, `dsn`). The entry
//! file is read first, and test code, clients and tool configurations are not read at all.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::model::{Language, Sourced};
use super::regex;
use super::source::ServiceFile;

/// Words before a port variable's `PORT` that still make it the service's own.
const OWN_PREFIXES: &[&str] = &[
    "", "app", "server", "http", "https", "listen", "web", "api", "grpc", "service", "default",
    "svc", "main", "bind", "public",
];

/// Words that, just before an address literal, make it another program's address.
const CLIENT_WORDS: &[&str] = &[
    "remote",
    "client",
    "peer",
    "redis",
    "mysql",
    "postgres",
    "database",
    "dsn",
    "proxy",
    "upstream",
    "dial",
    "connect",
    "collector",
    "otlp",
    "endpoint",
    "target",
    "mongo",
    "broker",
    "amqp",
    "kafka",
    "smtp",
    "memcache",
];

static PYTHON: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(
            r#"(?:getenv|environ\.get|environ\.setdefault)\(\s*["'](?P<name>\w*PORT)["']\s*,\s*["']?(?P<port>\d{2,5})"#,
        ),
        regex(r#"\.run\([^)]*?\bport\s*=\s*["']?(?P<port>\d{2,5})"#),
        regex(r#"\bbind\s*=\s*["'][\w.]*:(?P<port>\d{2,5})["']"#),
        regex(r#"add_(?:insecure|secure)_port\(\s*f?["'][^"'{]*:(?P<port>\d{2,5})["']"#),
        regex(r#"(?m)^(?P<name>[A-Z_]*PORT)\s*(?::\s*int\s*)?=\s*(?P<port>\d{2,5})\s*$"#),
    ]
});
static JAVASCRIPT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(
            r#"process\.env\.(?P<name>\w*PORT)\s*(?:\|\||\?\?)\s*(?:process\.env\.\w+\s*(?:\|\||\?\?)\s*)*["']?(?P<port>\d{2,5})\b"#,
        ),
        regex(
            r#"process\.env\.(?P<name>\w*PORT)\s*\?[^:;]*:\s*(?:process\.env\.\w+\s*\?[^:;]*:\s*)*(?P<port>\d{2,5})\b"#,
        ),
        regex(
            r#"process\.env\.(?P<name>\w*PORT)\s*,\s*(?:process\.env\.\w+\s*,\s*)*(?P<port>\d{2,5})\s*\]"#,
        ),
        regex(
            r#"\b(?P<name>\w*PORT)\s*:\s*(?:num|port)\(\s*\{[^}]*?\bdefault\s*:\s*(?P<port>\d{2,5})"#,
        ),
        regex(r#"\.listen\(\s*(?P<port>\d{2,5})\b"#),
        regex(
            r#"\b(?:const|let|var)\s+(?P<name>PORT|port)\s*(?::\s*\w+\s*)?=\s*(?P<port>\d{2,5})\b"#,
        ),
    ]
});
static GO: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"(?i)\b(?P<name>\w*port)\s*(?:string\s*)?(?::=|=)\s*"(?::)?(?P<port>\d{2,5})""#),
        regex(r#"default:\\?"(?P<port>\d{2,5})\\?"[^`\n]*\benv:\\?"(?P<name>\w*PORT)\\?""#),
        regex(r#"\benv:\\?"(?P<name>\w*PORT)\\?"[^`\n]*\bdefault:\\?"(?P<port>\d{2,5})\\?""#),
        regex(r#"\bPort\s*:\s*(?P<port>\d{2,5})\b"#),
        regex(
            r#"(?P<before>.{0,40})"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\])?:(?P<port>\d{2,5})""#,
        ),
    ]
});
static RUST: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(
            r#"\benv\s*=\s*"(?P<name>\w*PORT)"[^\]]*?\bdefault_value(?:_t)?\s*=\s*"?(?P<port>\d{2,5})"#,
        ),
        regex(
            r#"\bdefault_value(?:_t)?\s*=\s*"?(?P<port>\d{2,5})"?[^\]]*?\benv\s*=\s*"(?P<name>\w*PORT)""#,
        ),
        regex(
            r#"(?P<before>.{0,40})"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\])?:(?P<port>\d{2,5})""#,
        ),
        regex(r#"\(\s*"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|::)"\s*,\s*(?P<port>\d{2,5})\s*\)"#),
        regex(r#"\(\s*\[\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\]\s*,\s*(?P<port>\d{2,5})\s*\)"#),
    ]
});
static JAVA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"getOrDefault\(\s*"(?P<name>\w*PORT)"\s*,\s*"(?P<port>\d{2,5})""#),
        regex(r#"ServerBuilder\.forPort\(\s*(?P<port>\d{2,5})\b"#),
    ]
});

static PORT_NAME: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b\w*port\b"));

/// The port the code of a service named `service` listens on, reading `entry` (relative to the
/// service) first.
pub(super) fn find(
    files: &[ServiceFile],
    language: Language,
    service: &str,
    entry: Option<&str>,
) -> Option<Sourced<u16>> {
    let patterns: &[Regex] = match language {
        Language::Python => &PYTHON,
        Language::Node => &JAVASCRIPT,
        Language::Go => &GO,
        Language::Rust => &RUST,
        Language::Java => &JAVA,
    };
    let mut ordered: Vec<&ServiceFile> = files.iter().collect();
    ordered.sort_by_key(|f| Some(f.rel.as_str()) != entry);
    let own = own_names(service);
    ordered.into_iter().find_map(|file| {
        let mut best: Option<(usize, u16)> = None;
        for re in patterns {
            for caps in re.captures_iter(&file.text) {
                if let Some((at, port)) = accept(&caps, &own)
                    && best.is_none_or(|(b, _)| at < b)
                {
                    best = Some((at, port));
                    break;
                }
            }
        }
        best.map(|(at, port)| file.sourced(port, at))
    })
}

/// The byte offset and port of a match, when it is the service's own.
fn accept(caps: &Captures<'_>, own: &[String]) -> Option<(usize, u16)> {
    let port = caps.name("port")?;
    if caps.name("name").is_some() {
        // Any port variable of a fallback chain may be the service's own
        // (`process.env.PORT || process.env.OPENSHIFT_NODEJS_PORT || 8080`).
        let whole = caps.get(0)?.as_str();
        let is_own = PORT_NAME.find_iter(whole).any(|name| {
            let name = name.as_str().to_ascii_lowercase().replace('_', "");
            own.contains(&name)
        });
        if !is_own {
            return None;
        }
    }
    if let Some(before) = caps.name("before") {
        let before = before.as_str().to_ascii_lowercase();
        if CLIENT_WORDS.iter().any(|w| before.contains(w)) || before.contains("://") {
            return None;
        }
    }
    let number: u16 = port.as_str().parse().ok().filter(|p| *p > 0)?;
    Some((port.start(), number))
}

/// True when `variable` names the port of the service named `service` (`PORT`, `APP_PORT`,
/// `CHECKOUT_PORT` in `checkout`), not a peer's (`REDIS_PORT`).
pub(super) fn is_own_variable(variable: &str, service: &str) -> bool {
    let name = variable.to_ascii_lowercase().replace('_', "");
    own_names(service).contains(&name)
}

/// The port variable names that are the service's own, lower-cased without `_`.
fn own_names(service: &str) -> Vec<String> {
    let service = service.to_ascii_lowercase().replace(['-', '_', '.'], "");
    OWN_PREFIXES
        .iter()
        .map(|p| format!("{p}port"))
        .chain([format!("{service}port"), format!("{service}serviceport")])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory;

    fn port(language: Language, service: &str, text: &str) -> Option<u16> {
        find(&[in_memory("main", text)], language, service, None).map(|p| p.value)
    }

    #[test]
    fn own_port_variable_names() {
        assert!(is_own_variable("PORT", "checkout"));
        assert!(is_own_variable("APP_PORT", "checkout"));
        assert!(is_own_variable("CHECKOUT_PORT", "checkout"));
        assert!(!is_own_variable("REDIS_PORT", "checkout"));
        assert!(!is_own_variable("PORTAL", "checkout"));
    }

    #[test]
    fn own_port_variables_and_not_peers() {
        let agent = "url = f\"http://x:{os.getenv('MCP_PORT', '8011')}/mcp\"\nagent_port = int(os.getenv(\"AGENT_PORT\", \"8010\"))\n";
        assert_eq!(port(Language::Python, "agent", agent), Some(8010));
        assert_eq!(
            port(
                Language::Python,
                "svc",
                "port = os.environ.get('PORT', \"8080\")"
            ),
            Some(8080)
        );
        assert_eq!(port(Language::Python, "svc", "REDIS_PORT = 6379\n"), None);
    }

    #[test]
    fn javascript_fallback_chains_and_envalid() {
        assert_eq!(
            port(
                Language::Node,
                "app",
                "const port = process.env.PORT || process.env.OPENSHIFT_NODEJS_PORT || 8080;"
            ),
            Some(8080)
        );
        assert_eq!(
            port(Language::Node, "app", "PORT: num({ default: 3000 }),"),
            Some(3000)
        );
        assert_eq!(
            port(Language::Node, "app", "app.listen(process.env.PORT)"),
            None
        );
        assert_eq!(
            port(
                Language::Node,
                "app",
                "port: process.env.APP_PORT\n  ? parseInt(process.env.APP_PORT, 10)\n  : process.env.PORT\n    ? parseInt(process.env.PORT, 10)\n    : 3000,"
            ),
            Some(3000)
        );
        assert_eq!(
            port(
                Language::Node,
                "kuma",
                "const port = [args.port, process.env.UPTIME_KUMA_PORT, process.env.PORT, 3001]"
            ),
            Some(3001)
        );
    }

    #[test]
    fn go_constants_tags_and_addresses() {
        assert_eq!(
            port(
                Language::Go,
                "checkout",
                "const (\n\tlistenPort = \"5050\"\n)"
            ),
            Some(5050)
        );
        assert_eq!(
            port(Language::Go, "shipping", "defaultPort = \"50051\""),
            Some(50051)
        );
        assert_eq!(port(Language::Go, "x", "redisPort := \"6379\""), None);
        assert_eq!(
            port(
                Language::Go,
                "x",
                "Port int `default:\"3000\" env:\"WAKAPI_PORT\"`"
            ),
            None
        );
        assert_eq!(
            port(
                Language::Go,
                "wakapi",
                "Port int `default:\"3000\" env:\"WAKAPI_PORT\"`"
            ),
            Some(3000)
        );
        assert_eq!(
            port(
                Language::Go,
                "x",
                "ctx.Request.RemoteAddr = \"127.0.0.1:65535\""
            ),
            None
        );
        assert_eq!(
            port(Language::Go, "x", "http.ListenAndServe(\":8081\", nil)"),
            Some(8081)
        );
        assert_eq!(
            port(
                Language::Go,
                "x",
                "dsn := \"postgres://u@localhost:5432/db\""
            ),
            None
        );
    }

    #[test]
    fn rust_clap_defaults_and_binds() {
        let clap = "#[clap(long, env = \"MICROBIN_PORT\", default_value_t = 8080)]\nport: u16,";
        assert_eq!(port(Language::Rust, "microbin", clap), Some(8080));
        assert_eq!(
            port(Language::Rust, "x", ".bind((\"0.0.0.0\", 8081))?"),
            Some(8081)
        );
        assert_eq!(
            port(Language::Rust, "x", "let url = \"redis://localhost:6379\";"),
            None
        );
    }
}
