//! `AG-D010`: no secrets in ARG or ENV.

use serde::Deserialize;

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::declare_rule;
use crate::secrets::{is_secret_setting, shape_of};

declare_rule! {
    /// ## What it does
    /// Checks `ARG` and `ENV` names against the constitution's `secrets` (`DATABASE_URL`,
    /// `BETTER_AUTH_SECRET`, `OPENAI_API_KEY` in the preset) and against names whose last word
    /// names a credential (`DB_PASSWORD`, `GITHUB_TOKEN`, `STRIPE_API_KEY`, a store's
    /// connection URL such as `REDIS_URL`), and values that are secrets by their shape whatever
    /// their name (a URL with a password, an API key, a token, a JWT). Names such as
    /// `DB_PASSWORD_FILE` or `ACCESS_TOKEN_EXPIRE_MINUTES` point at or describe a secret rather
    /// than hold one and are allowed. Detection, AG-K015 and redaction judge names the same way.
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
    /// - `patterns` (list, default empty): more lowercase words that mark a name containing one
    ///   as a secret, over the shared rules.
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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub patterns: Vec<String>,
    pub allow: Vec<String>,
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
            let lower = name.to_ascii_lowercase();
            let named = is_secret_setting(&name, secrets)
                || params.patterns.iter().any(|p| lower.contains(p.as_str()));
            if named {
                checker
                    .report(range, format!("`{keyword} {name}` puts a secret into the image"))
                    .help("give it to the container at run time (a Kubernetes Secret), or use a build secret (`RUN --mount=type=secret`)");
            } else if let Some(shape) = value.as_deref().and_then(shape_of) {
                checker
                    .report(
                        range,
                        format!(
                            "`{keyword} {name}` holds what looks like {}",
                            shape.description()
                        ),
                    )
                    .help("take the value from a Secret at run time; keep only non-secret settings in the image");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn secret_names_and_credential_urls_are_reported() {
        catches(
            "AG-D010",
            "ARG NPM_TOKEN\nFROM a:1\nENV OPENAI_API_KEY=x DEBUG=1\nENV DB_PASSWORD hunter2\nENV UPSTREAM=postgres://app:pw@db/app\n",
            &[(1, 5), (3, 5), (4, 5), (5, 5)],
        );
        passes(
            "AG-D010",
            "FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db NODE_ENV=production\nARG UPSTREAM=postgres://db/app\nENV CALLBACK=postgres://u:${PW}@h/d\n",
        );
    }
}
