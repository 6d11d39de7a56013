//! A connection string with its credentials taken out: the shape of a secret's value, which may
//! be shown and kept, and which a run fills with a password of its own.
//!
//! A secret variable such as `DATABASE_URL` keeps no value (a Secret the user fills holds it),
//! yet what the project gives it says where the app connects: the scheme, the user, the host,
//! the database, the options. [`without_credentials`] keeps all of that and puts [`HOLE`] where
//! the password was:
//!
//! - a URL of a store (`postgres`, `postgresql+psycopg`, `mysql`, `redis`, `rediss`, `mongodb`,
//!   `amqp`, `sqlite`, …): `postgres://app:s3cret@db/app?sslmode=disable` becomes
//!   `postgres://app:****@db/app?sslmode=disable`; a query parameter named like a secret
//!   (`password=…`) gets the hole too; a URL without a password (`redis://cache:6379/0`) is
//!   its own shape;
//! - a key/value string naming a host or a database (`host=db user=app password=s3cret
//!   dbname=app`, `Host=db;Username=app;Password=s3cret;Database=app`): the value of every key
//!   named like a secret (`password`, `pwd`) is the hole.
//!
//! Anything else (a token, an API key, a webhook URL, a URL whose user part is itself the key,
//! as in a Sentry DSN) has no shape to keep: `None`. So does a result that still holds something
//! shaped like a secret.

use super::names::is_secret_name;
use super::shapes::shape_of;

/// What stands where a credential was.
pub(crate) const HOLE: &str = "****";

/// URL schemes of stores whose connection URLs carry a user and a password; a SQLAlchemy
/// driver suffix (`postgresql+psycopg`) is allowed after them.
const STORE_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "pgsql",
    "mysql",
    "mariadb",
    "redis",
    "rediss",
    "valkey",
    "mongodb",
    "amqp",
    "amqps",
    "sqlite",
    "clickhouse",
];

/// Keys of a key/value connection string that say it is one.
const CONNECTION_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "server",
    "data source",
    "dbname",
    "database",
    "initial catalog",
];

/// Keys of a key/value connection string whose value is a password, besides the names
/// [`is_secret_name`] says are secrets.
const PASSWORD_KEYS: &[&str] = &["pwd", "pass", "passwd"];

/// `value` with its credentials replaced by [`HOLE`], when it is a connection string of a known
/// shape; `None` otherwise.
pub(crate) fn without_credentials(value: &str) -> Option<String> {
    let value = value.trim();
    let shaped = url_shape(value).or_else(|| key_value_shape(value))?;
    shape_of(&shaped).is_none().then_some(shaped)
}

/// True when `value` is a connection string of a known shape that carries no credential at all
/// (`redis://cache:6379/0`, `postgres://app@127.0.0.1:5432/app`): it is its own shape, so
/// nothing in it needs hiding, whatever the name of the variable that holds it.
pub(crate) fn carries_no_credential(value: &str) -> bool {
    without_credentials(value).is_some_and(|shape| shape == value.trim())
}

/// `template` with every [`HOLE`] replaced by `password`.
pub(crate) fn fill(template: &str, password: &str) -> String {
    template.replace(HOLE, password)
}

fn url_shape(value: &str) -> Option<String> {
    let (scheme, rest) = value.split_once("://")?;
    let base = scheme.split('+').next().unwrap_or(scheme);
    if !STORE_SCHEMES.contains(&base.to_ascii_lowercase().as_str()) {
        return None;
    }
    // The authority ends at the first `/`, `?` or `#` after its last `@`: a password may hold
    // those characters (`app:p#ss@db`), and cutting before the `@` would keep it whole.
    let from = rest.rfind('@').map_or(0, |at| at + 1);
    let authority_end = rest[from..]
        .find(['/', '?', '#'])
        .map_or(rest.len(), |end| from + end);
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{HOLE}@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let path = match path.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if is_password_key(key) => format!("{key}={HOLE}"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => path.to_string(),
    };
    Some(format!("{scheme}://{authority}{path}"))
}

fn key_value_shape(value: &str) -> Option<String> {
    let separator = if value.contains(';') { ";" } else { " " };
    let pairs: Vec<&str> = value.split(separator).filter(|p| !p.is_empty()).collect();
    if pairs.len() < 2 {
        return None;
    }
    let mut names_a_connection = false;
    let mut shaped = Vec::with_capacity(pairs.len());
    for pair in &pairs {
        let (key, _) = pair.split_once('=')?;
        let key_lower = key.trim().to_ascii_lowercase();
        if key_lower.is_empty() || (separator == " " && key_lower.contains(' ')) {
            return None;
        }
        names_a_connection |= CONNECTION_KEYS.contains(&key_lower.as_str());
        shaped.push(if is_password_key(key) {
            format!("{key}={HOLE}")
        } else {
            (*pair).to_string()
        });
    }
    names_a_connection.then(|| shaped.join(separator))
}

fn is_password_key(key: &str) -> bool {
    let key = key.trim();
    is_secret_name(key) || PASSWORD_KEYS.contains(&key.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_url_keeps_everything_but_its_password() {
        assert_eq!(
            without_credentials("postgres://astro:s3cr3t-pw@astro-db/astro?sslmode=disable")
                .as_deref(),
            Some("postgres://astro:****@astro-db/astro?sslmode=disable")
        );
        assert_eq!(
            without_credentials("postgresql+psycopg://u:p@db:5433/app").as_deref(),
            Some("postgresql+psycopg://u:****@db:5433/app")
        );
        assert_eq!(
            without_credentials("mysql://app@db/app?password=hunter22&charset=utf8").as_deref(),
            Some("mysql://app@db/app?password=****&charset=utf8")
        );
        assert_eq!(
            without_credentials("redis://cache:6379/0").as_deref(),
            Some("redis://cache:6379/0")
        );
        assert_eq!(
            without_credentials("redis://:longpassword@cache:6379").as_deref(),
            Some("redis://:****@cache:6379")
        );
        assert_eq!(
            without_credentials("sqlite:///data/app.db").as_deref(),
            Some("sqlite:///data/app.db")
        );
    }

    #[test]
    fn key_value_strings_keep_everything_but_their_password() {
        assert_eq!(
            without_credentials("host=db user=app password=s3cret dbname=app sslmode=disable")
                .as_deref(),
            Some("host=db user=app password=**** dbname=app sslmode=disable")
        );
        assert_eq!(
            without_credentials("Host=db;Username=astro;Password=pw;Database=astro").as_deref(),
            Some("Host=db;Username=astro;Password=****;Database=astro")
        );
    }

    #[test]
    fn other_secrets_have_no_shape() {
        for value in [
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "https://publickey@o0.ingest.sentry.io/0",
            "https://hooks.example.com/services/T000/B000/XXXX",
            "plainpassword",
            "a=b c=d",
            "",
        ] {
            assert_eq!(without_credentials(value), None, "{value}");
        }
    }

    #[test]
    fn filling_puts_the_password_where_the_hole_is() {
        let template = without_credentials("postgres://u:old@db/app").unwrap_or_default();
        assert_eq!(fill(&template, "new"), "postgres://u:new@db/app");
    }
}
