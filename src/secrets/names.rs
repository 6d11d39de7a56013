//! Which names say their value is a secret: environment variables (`DB_PASSWORD`), keys of
//! configuration files (`apiKey`, `client_secret`), Kubernetes `env` entries and ConfigMap keys,
//! Dockerfile `ARG`/`ENV` settings. One rule answers for all of them; see the module
//! documentation of [`crate::secrets`] for why it is the rule it is.
//!
//! A name is split into lowercase words (`NEXTAUTH_SECRET` → `nextauth secret`, `apiKey` →
//! `api key`), and its *head*, the last word, decides: a name is a secret when the head names a
//! credential (`password`, `secret`, `token`, `salt`, a `key` of something, a connection URL of a
//! store). Settings *about* a secret end in another word (`ACCESS_TOKEN_EXPIRE_MINUTES`,
//! `SECRET_KEY_FILE`, `TOKEN_URL`) and are not secrets; nor are flags (`ALLOW_EMPTY_PASSWORD`,
//! `INTEGRATIONS_ALLOW_PRIVATE_IPS`, `REPO_PRIVATE`), names of Secret objects (`existingSecret`,
//! `imagePullSecrets`) or variables a front-end build ships to every browser (`NEXT_PUBLIC_*`).

/// Heads that name a credential whatever comes before them. A head that merely ends in one of
/// these (`PGPASSWORD`, `APITOKEN`) counts too.
const CREDENTIALS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "credential",
    "credentials",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
];

/// Heads that are a credential on their own.
const CREDENTIAL_HEADS: &[&str] = &["creds", "salt", "dsn"];

/// Words before `key` that make it a name rather than a credential (`primary_key`, `sortKey`,
/// `topologyKey`, `PUBLIC_KEY`).
const NOT_SECRET_KEYS: &[&str] = &[
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "routing",
    "public",
    "publishable",
    "lookup",
    "index",
    "row",
    "hash",
    "map",
    "object",
    "idempotency",
    "unique",
    "composite",
    "shard",
    "group",
    "dedup",
    "dedupe",
    "label",
    "config",
    "topology",
    "s3",
];

/// Words before `key` that make it a credential beyond doubt (`API_KEY`, `secretKey`,
/// `SSH_KEY`). Other `<word>_key` names (`STRIPE_KEY`, `LICENSE_KEY`) are secrets too, but weakly:
/// see [`is_weak_secret_name`].
const CREDENTIAL_KEYS: &[&str] = &[
    "api",
    "secret",
    "private",
    "access",
    "auth",
    "encryption",
    "signing",
    "master",
    "client",
    "app",
    "consumer",
    "webhook",
    "license",
    "session",
    "jwt",
    "hmac",
    "ssh",
    "gpg",
    "pgp",
    "account",
    "storage",
    "admin",
    "service",
];

/// Words naming a store whose connection URL conventionally carries a user and a password,
/// `|`-separated.
const STORES: &str = stores!();

/// First words of flags: `ALLOW_EMPTY_PASSWORD=yes` says whether, not what.
const FLAG_VERBS: &[&str] = &[
    "allow", "enable", "enabled", "disable", "disabled", "use", "require", "requires", "skip",
    "is", "has", "no", "should", "must", "force",
];

/// Prefixes of variables a front-end build inlines into the bundle every browser downloads:
/// whatever they hold is public.
const PUBLIC_PREFIXES: &[&[&str]] = &[
    &["next", "public"],
    &["nuxt", "public"],
    &["expo", "public"],
    &["react", "app"],
    &["vite"],
];

/// Words that count something, before `tokens` or `keys` (`MAX_TOKENS`).
const QUANTITIES: &[&str] = &["max", "min", "num", "number", "total", "count", "limit"];

/// Whether a name says its value is a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(head) = words.last().map(String::as_str) else {
        return false;
    };
    let n = words.len();
    let prev = n.checked_sub(2).map(|i| words[i].as_str());
    let first = words[0].as_str();
    let starts_with = |prefix: &[&str]| {
        words.len() > prefix.len() && prefix.iter().zip(&words).all(|(p, w)| p == w)
    };
    if PUBLIC_PREFIXES.iter().any(|p| starts_with(p))
        || FLAG_VERBS.contains(&first)
        // `existingSecret`, `imagePullSecrets`: names of Secret objects, not their content.
        || first == "existing"
        || words.iter().any(|w| w == "pull")
    {
        return false;
    }
    if CREDENTIAL_HEADS.contains(&head) || CREDENTIALS.iter().any(|c| head.ends_with(c)) {
        return true;
    }
    match head {
        "pass" | "pwd" => prev.is_some(),
        "key" | "keys" => {
            prev.is_some_and(|p| !NOT_SECRET_KEYS.contains(&p) && !QUANTITIES.contains(&p))
        }
        "tokens" => prev.is_some_and(|p| !QUANTITIES.contains(&p)),
        // Rails' `SECRET_KEY_BASE`.
        "base" => n >= 3 && words[n - 2] == "key" && words[n - 3] == "secret",
        // `AWS_ACCESS_KEY_ID`: half of a credential pair, kept with its other half.
        "id" => n >= 3 && words[n - 2] == "key" && words[n - 3] == "access",
        // Connection URLs of stores carry a password; a webhook URL is its own credential.
        "url" | "uri" => {
            prev == Some("webhook")
                || words[..n - 1]
                    .iter()
                    .any(|w| STORES.split('|').any(|store| store == w))
        }
        "string" => prev == Some("connection"),
        "str" => prev == Some("conn"),
        _ => false,
    }
}

/// Whether a setting holds a secret: its name says so, or it is in `listed` (the constitution's
/// `secrets`, a rule's extra names), compared without regard to case.
pub(crate) fn is_secret_setting(name: &str, listed: &[String]) -> bool {
    listed.iter().any(|s| s.eq_ignore_ascii_case(name)) || is_secret_name(name)
}

/// A secret name whose only evidence is a bare `key` after a word that is not a credential's
/// (`STRIPE_KEY`, `LICENSE_KEY`, `mappingKey`): configuration formats are full of keys that are
/// names, so in free text such a name's value counts as a secret only when it looks like key
/// material.
pub(crate) fn is_weak_secret_name(name: &str) -> bool {
    let words = words(name);
    let n = words.len();
    is_secret_name(name)
        && words.last().is_some_and(|w| w == "key" || w == "keys")
        && !(n >= 2 && CREDENTIAL_KEYS.contains(&words[n - 2].as_str()))
}

/// Splits a name into lowercase words at separators and camelCase boundaries, without trailing
/// version numbers: `NEXTAUTH_SECRET` → `nextauth secret`, `apiKey` → `api key`, `APIKey` →
/// `api key`, `API_KEY_2` → `api key`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    while words.len() > 1 && words.last().is_some_and(|w| is_version(w)) {
        words.pop();
    }
    words
}

/// `2`, `v2`: a version or index at the end of a name.
fn is_version(word: &str) -> bool {
    let digits = word.strip_prefix('v').unwrap_or(word);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table every consumer is checked against through the binary (detection, AG-D010,
    /// AG-K015, redaction); here, the rule itself.
    #[test]
    fn the_shared_table_of_names() {
        let table = include_str!("../../tests/fixtures/secrets/names.txt");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split_whitespace();
            let (Some(name), Some(verdict)) = (fields.next(), fields.next()) else {
                continue;
            };
            assert_eq!(is_secret_name(name), verdict == "secret", "{name}");
            checked += 1;
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("NEXTAUTH_SECRET"), ["nextauth", "secret"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("API_KEY_2"), ["api", "key"]);
        assert_eq!(words("SECRET_V2"), ["secret"]);
        assert!(words("__").is_empty());
    }

    #[test]
    fn weak_names_are_bare_keys() {
        assert!(is_weak_secret_name("STRIPE_KEY"));
        assert!(is_weak_secret_name("mappingKey"));
        assert!(!is_weak_secret_name("API_KEY"));
        assert!(!is_weak_secret_name("DB_PASSWORD"));
        assert!(!is_weak_secret_name("sortKey"));
    }

    #[test]
    fn listed_names_are_secrets_whatever_they_say() {
        let listed = vec!["MY_CONN".to_string()];
        assert!(is_secret_setting("my_conn", &listed));
        assert!(is_secret_setting("DB_PASSWORD", &listed));
        assert!(!is_secret_setting("LOG_LEVEL", &listed));
    }
}
