//! `AG-D010`: no secrets in ARG or ENV.

use serde::Deserialize;

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks `ARG` and `ENV` names against the constitution's `secrets` (`DATABASE_URL`,
    /// `BETTER_AUTH_SECRET`, `OPENAI_API_KEY` in the preset) and against words that mark
    /// secrets (`password`, `secret`, `token`, `api_key`, ...), and values that carry
    /// credentials in a URL (`postgres://user:password@host`). Names ending in `_FILE`, `_PATH`
    /// or `_DIR` point at secrets rather than hold them and are allowed.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image config and `ARG` values in its history: anyone who
    /// can pull the image can read them with `docker history` or `docker inspect`. The
    /// constitution keeps secrets in Kubernetes Secrets, given to the container at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// ENV OPENAI_API_KEY=sk-...
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
    /// ```
    /// and give `OPENAI_API_KEY` to the container from a Secret (`secretKeyRef`).
    ///
    /// ## Options
    /// - `patterns` (list, default `password`, `passwd`, `secret`, `token`, `api_key`,
    ///   `apikey`, `private_key`, `access_key`, `credential`): lowercase words that mark a name
    ///   as a secret.
    /// - `allow` (list, default empty): names that are never reported.
    ///
    /// ## References
    /// hadolint `DL3064`; BuildKit `SecretsUsedInArgOrEnv`.
    pub(crate) const RULE = {
        code: "AG-D010",
        name: "no-secret-in-arg-env",
        target: Dockerfile,
        severity: Error,
        summary: "`ARG` and `ENV` hold no secrets",
        aliases: [Hadolint("DL3064"), BuildKit("SecretsUsedInArgOrEnv")],
        params: Params,
    };
}

/// Parameters of `AG-D010`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    pub patterns: Vec<String>,
    pub allow: Vec<String>,
}

/// The words that mark a name as a secret by default.
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "access_key",
    "credential",
];

impl Default for Params {
    fn default() -> Self {
        Self {
            patterns: SECRET_WORDS.iter().map(|w| w.to_string()).collect(),
            allow: Vec::new(),
        }
    }
}

/// True when a URL in `value` carries a password (`scheme://user:password@host`).
pub fn has_url_credentials(value: &str) -> bool {
    let Some(scheme_end) = value.find("://") else {
        return false;
    };
    let rest = &value[scheme_end + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    match authority.rsplit_once('@') {
        Some((userinfo, _)) => userinfo
            .split_once(':')
            .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('$')),
        None => false,
    }
}

/// Checks each name and value.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let params = checker.params::<Params>();
    let secrets = &checker.cx.constitution.secrets;
    for instruction in &checker.file.instructions {
        if !matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
            continue;
        }
        let keyword = instruction.keyword.as_str();
        for setting in instruction.settings(checker.source()) {
            let (name, value, range) = (setting.name, setting.value, setting.name_range);
            if params.allow.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let upper = name.to_ascii_uppercase();
            if ["_FILE", "_PATH", "_DIR"]
                .iter()
                .any(|s| upper.ends_with(s))
            {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            let named = secrets.iter().any(|s| s.eq_ignore_ascii_case(&name))
                || params.patterns.iter().any(|p| lower.contains(p.as_str()));
            if named {
                checker
                    .report(range, format!("`{keyword} {name}` puts a secret into the image"))
                    .help("give it to the container at run time (a Kubernetes Secret), or use a build secret (`RUN --mount=type=secret`)");
            } else if value.as_deref().is_some_and(has_url_credentials) {
                checker
                    .report(range, format!("`{keyword} {name}` holds a URL with a password"))
                    .help("take the URL from a Secret at run time; keep only non-secret settings in the image");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::has_url_credentials;
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn secret_names_and_credential_urls_are_reported() {
        catches(
            "AG-D010",
            "ARG NPM_TOKEN\nFROM a:1\nENV OPENAI_API_KEY=x DEBUG=1\nENV DB_PASSWORD hunter2\nENV DSN=postgres://app:pw@db/app\n",
            &[(1, 5), (3, 5), (4, 5), (5, 5)],
        );
        passes(
            "AG-D010",
            "FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db NODE_ENV=production\nARG DSN=postgres://db/app\n",
        );
    }

    #[test]
    fn url_credentials_need_a_password() {
        assert!(has_url_credentials("postgresql://u:p@h:5432/d"));
        assert!(!has_url_credentials("postgresql://u@h/d"));
        assert!(!has_url_credentials("postgresql://u:${PW}@h/d"));
        assert!(!has_url_credentials("http://h/a@b"));
    }
}
