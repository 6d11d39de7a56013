//! Every answer to "is this a secret", in one place: names, values, placeholders, the redactor,
//! Kubernetes Secret data, and masking. Detection, the lint rules, the records, the providers and
//! the cluster diff all ask this module; none keeps a list of its own.
//!
//! Where to start:
//!
//! - [`names`]: whether a name (`DB_PASSWORD`, `apiKey`, `ACCESS_TOKEN_EXPIRE_MINUTES`) says its
//!   value is a secret: [`is_secret_name`], and [`is_secret_setting`] with a constitution's list.
//! - [`shapes`]: values that are secrets by their shape whatever their name (API keys, tokens,
//!   JWTs, private keys, URL passwords): [`shape_of`].
//! - [`placeholder`]: values that stand for a secret (`<your-key>`, `${X}`, `changeme`):
//!   [`is_placeholder`].
//! - [`Redactor`] ([`redactor`], with the rules in [`rules`] and its memory in [`memory`]): what
//!   every text passes through before it is written or shown; [`StreamRedactor`] for text that
//!   arrives in pieces.
//! - [`k8s`]: the `data`/`stringData` of Kubernetes Secrets, in text and in cluster diffs.
//! - [`mask`]: `*` over secrets in source lines shown with findings.
//! - [`template`]: a connection string with its password taken out, the shape a run fills
//!   with a throwaway password.
//! - [`Secret`]: a string that never prints.
//!
//! # The decisions
//!
//! **A name is a secret when its last word names a credential.** `DB_PASSWORD`, `GITHUB_TOKEN`,
//! `BETTER_AUTH_SECRET`, `OPENAI_API_KEY`, `PGPASSWORD`, `PASSWORD_SALT`, `SENTRY_DSN` are;
//! settings about a secret end in another word and are not: `ACCESS_TOKEN_EXPIRE_MINUTES`,
//! `SECRET_KEY_FILE`, `PASSWORD_MIN_LENGTH`, `TOKEN_URL`, `JWT_ALGORITHM`. A word inside a name
//! is not enough: `INTEGRATIONS_ALLOW_PRIVATE_IPS` and `REPO_PRIVATE` are switches, not keys
//! (`PRIVATE_KEY` is a key). Flags (`ALLOW_EMPTY_PASSWORD`, `USE_SECRET_MANAGER`), names of
//! Secret objects (`existingSecret`, `imagePullSecrets`), and variables a front-end build inlines
//! into every browser's bundle (`NEXT_PUBLIC_*`, `VITE_*`, `REACT_APP_*`) are not secrets. A
//! bare `key` counts after any word but the ones that make it a name (`primary_key`, `sortKey`,
//! `PUBLIC_KEY`, `topologyKey`).
//!
//! **A connection URL of a store is a secret by name; any URL with a password is a secret by
//! value.** Detection must decide before any value exists whether a variable goes into a Secret
//! or a ConfigMap, so `DATABASE_URL`, `REDIS_URL`, `MONGODB_URI`, `CELERY_BROKER_URL`,
//! `*_CONNECTION_STRING` and webhook URLs are secrets by name: by convention they carry a user
//! and a password (or are the credential, for a webhook). Other `*_URL` names
//! (`BETTER_AUTH_URL`, `NEXT_PUBLIC_API_URL`) are addresses, not secrets; but a value of the form
//! `scheme://user:password@host` is a secret whatever name it is under, and the lint rules
//! report it as such.
//!
//! **A constitution may name more secrets** (its `secrets` list, AG-K015's `names`): a listed
//! name is a secret for the rules that read the constitution, over what its words say.
//!
//! **Keys are at least 20 characters after their prefix.** `sk-abc123` is an example, a test
//! stand-in or already masked; every real provider key is longer.
//!
//! **What was redacted once is masked everywhere after.** A value the rules find by its context
//! (`token: …`, a URL password, a Secret's data) is remembered by the [`Redactor`] and its
//! clones, and masked wherever it recurs in the command: in the response that echoes it, in the
//! staged files, in error text, in every view of the record. So are the values of secret
//! environment variables in aigen's environment (`OPENAI_API_KEY`, the project's secret
//! variables). A value is masked by itself only when it is at least
//! [`memory::MIN_REMEMBERED_LEN`] characters (letters-only values at least
//! [`memory::MIN_LETTERS_ONLY_LEN`]): a password `postgres` must not blank out every
//! `postgres:16` image in a manifest; where its context shows it, it is still redacted.
//!
//! **Streams are redacted a line at a time with the lines before them** (see [`stream`]), so a
//! value split across pieces is masked whole and a line that is secret because of an earlier one
//! (`kind: Secret` … `data:`) is masked too.

/// The words naming a store whose connection URL conventionally carries a user and a password,
/// as one alternation: [`names`] reads it word by word, and the redaction patterns ([`rules`])
/// use it to look closer only at names such as `DATABASE_URL`.
macro_rules! stores {
    () => {
        "database|db|postgres|postgresql|pg|mysql|mariadb|mongo|mongodb|redis|valkey|amqp|rabbitmq|broker|celery|smtp|neon|supabase|elasticsearch|clickhouse|connection|conn"
    };
}

pub mod k8s;
mod marker;
pub(crate) mod mask;
pub(crate) mod memory;
pub(crate) mod names;
pub(crate) mod placeholder;
mod redactor;
pub(crate) mod rules;
mod secret;
pub(crate) mod shapes;
pub(crate) mod stream;
pub(crate) mod template;

pub(crate) use names::{is_secret_name, is_secret_setting};
pub(crate) use placeholder::is_placeholder;
pub(crate) use redactor::redact;
pub use redactor::{Redactor, SecretValue};
pub use secret::Secret;
pub(crate) use shapes::shape_of;
pub(crate) use stream::StreamRedactor;
