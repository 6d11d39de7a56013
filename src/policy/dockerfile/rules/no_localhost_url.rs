//! `AG-D032`: no hard-coded localhost URLs in ENV or ARG.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks `ENV` and `ARG` values for URLs that point at the container itself
    /// (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`).
    ///
    /// ## Why is this bad?
    /// In Kubernetes, `localhost` is the pod: a front end configured with
    /// `API_URL=http://localhost:8000` calls itself, not the backend. The constitution puts all
    /// configuration in environment variables set at deploy time (ConfigMaps), not in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV NEXT_PUBLIC_API_URL=http://localhost:8000
    /// ```
    ///
    /// ## Use instead
    /// Leave it out of the image and set it in the Deployment from a ConfigMap
    /// (`http://backend:8000` inside the cluster).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// The constitution's "no hard-coded localhost URLs".
    pub(crate) const RULE = {
        code: "AG-D032",
        name: "no-localhost-url",
        target: Dockerfile,
        severity: Warning,
        summary: "`ENV` and `ARG` hold no `localhost` URLs",
        aliases: [],
        params: NoParams,
    };
}

const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "0.0.0.0", "[::1]"];

/// The local host a URL in `value` points at, if any.
pub(crate) fn local_host(value: &str) -> Option<&'static str> {
    value.match_indices("://").find_map(|(i, _)| {
        let rest = &value[i + 3..];
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = host.rsplit('@').next().unwrap_or(host);
        LOCAL_HOSTS.iter().copied().find(|local| {
            host == *local || host.strip_prefix(local).is_some_and(|r| r.starts_with(':'))
        })
    })
}

/// Checks every ENV and ARG value.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in &checker.file.instructions {
        if !matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
            continue;
        }
        for setting in instruction.settings(checker.source()) {
            let Some(host) = setting.value.as_deref().and_then(local_host) else {
                continue;
            };
            let name = &setting.name;
            checker
                .report(setting.word, format!("`{} {name}` points at `{host}`, which is the container itself", instruction.keyword.as_str()))
                .help("set the URL at deploy time (ConfigMap) with the service's name, e.g. `http://backend:8000`");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::local_host;
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn localhost_urls_are_reported() {
        catches(
            "AG-D032",
            "ARG API=http://localhost:8000\nFROM a:1\nENV X=1 URL=http://127.0.0.1/api\n",
            &[(1, 5), (3, 9)],
        );
        passes(
            "AG-D032",
            "FROM a:1\nENV URL=http://backend:8000 HOST=0.0.0.0\n",
        );
        assert_eq!(
            local_host("redis://user:pw@localhost:6379/0"),
            Some("localhost")
        );
        assert_eq!(local_host("http://localhost.example.com"), None);
    }
}
