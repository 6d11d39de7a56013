//! A store's connection string read into the parts its clients connect with: the scheme, the
//! user, the host and the database of a URL (`postgres://app:secret@db:5432/shop?sslmode=off`),
//! or of libpq's key/value form (`host=db user=app dbname=shop`). The one reader of where a
//! connection string points; what it hides is [`crate::secrets::template`]'s.

/// Where a connection string points. The password is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Connection {
    /// The URL's scheme in lowercase, without a driver suffix (`postgresql` of
    /// `postgresql+psycopg://`); `None` for the key/value form.
    pub scheme: Option<String>,
    pub user: Option<String>,
    /// The host without its port; empty when none is named (`redis://`, a key/value string
    /// without `host`).
    pub host: String,
    pub database: Option<String>,
}

/// `value` read as a URL (`scheme://…`) or as a key/value string that names a database or a
/// host; `None` for anything else.
pub(crate) fn parse(value: &str) -> Option<Connection> {
    let value = value.trim();
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    if let Some((scheme, rest)) = value.split_once("://") {
        // The authority ends at the first `/`, `?` or `#` after its last `@`: a password may
        // hold those characters.
        let from = rest.rfind('@').map_or(0, |at| at + 1);
        let end = rest[from..]
            .find(['/', '?', '#'])
            .map_or(rest.len(), |end| from + end);
        let (authority, path) = rest.split_at(end);
        let (user, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => (userinfo.split(':').next().and_then(non_empty), host),
            None => (None, authority),
        };
        let host = match host_port.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            _ => host_port,
        };
        let database = path
            .strip_prefix('/')
            .map(|p| p.split(['?', '#']).next().unwrap_or(p))
            .and_then(non_empty);
        let scheme = scheme
            .split('+')
            .next()
            .unwrap_or(scheme)
            .to_ascii_lowercase();
        return Some(Connection {
            scheme: Some(scheme),
            user,
            host: host.to_string(),
            database,
        });
    }
    let pairs: Vec<(&str, &str)> = value
        .split_whitespace()
        .map(|pair| pair.split_once('='))
        .collect::<Option<_>>()?;
    let field = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let database = field("dbname").and_then(non_empty);
    let host = field("host").unwrap_or_default();
    (database.is_some() || !host.is_empty()).then(|| Connection {
        scheme: None,
        user: field("user").and_then(non_empty),
        host: host.to_string(),
        database,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(
        scheme: Option<&str>,
        user: Option<&str>,
        host: &str,
        db: Option<&str>,
    ) -> Connection {
        Connection {
            scheme: scheme.map(str::to_string),
            user: user.map(str::to_string),
            host: host.to_string(),
            database: db.map(str::to_string),
        }
    }

    #[test]
    fn urls_and_key_value_strings() {
        assert_eq!(
            parse("postgresql+psycopg://app:p#ss/w@db:5432/shop?sslmode=disable"),
            Some(connection(
                Some("postgresql"),
                Some("app"),
                "db",
                Some("shop")
            ))
        );
        assert_eq!(
            parse("redis://"),
            Some(connection(Some("redis"), None, "", None))
        );
        assert_eq!(
            parse("redis://[::1]:6379/0"),
            Some(connection(Some("redis"), None, "[::1]", Some("0")))
        );
        assert_eq!(
            parse("host=localhost user=app password=x dbname=shop"),
            Some(connection(None, Some("app"), "localhost", Some("shop")))
        );
        assert_eq!(parse("sslmode=disable"), None);
        assert_eq!(parse("info"), None);
        assert_eq!(parse("a b"), None);
    }
}
