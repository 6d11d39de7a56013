//! `AG-D011`: COPY and ADD do not put secret files into the image.

use serde::Deserialize;

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::patterns::glob_match;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks the sources of `COPY` and `ADD` for files that hold secrets: `.env` files, private
    /// keys and certificates (`*.pem`, `*.key`, `id_rsa`), package-manager credentials
    /// (`.npmrc`, `.pypirc`, `.netrc`) and credential directories (`.ssh`, `.aws`). Example
    /// files (`.env.example`, `.env.sample`, `.env.template`) are fine.
    ///
    /// ## Why is this bad?
    /// A file copied into a layer stays in the image even if a later step deletes it; anyone who
    /// can pull the image can extract it. The constitution forbids secrets in layers.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .env /app/.env
    /// COPY id_rsa /root/.ssh/id_rsa
    /// ```
    ///
    /// ## Use instead
    /// Give settings to the container at run time (ConfigMap, Secret), and use a build secret
    /// for what the build needs: `RUN --mount=type=ssh` or `RUN --mount=type=secret,id=...`.
    ///
    /// ## Options
    /// - `patterns` (list of file-name patterns with `*`): the secret files; the default is
    ///   the list above.
    /// - `allow` (list of patterns, default `.env.example`, `.env.sample`, `.env.template`):
    ///   files that are never reported.
    ///
    /// ## References
    /// checkov secrets checks (`CKV_SECRET_*`) look at content; the constitution's "no secrets
    /// in layers".
    pub(crate) const RULE = {
        code: "AG-D011",
        name: "no-secret-file-copy",
        target: Dockerfile,
        severity: Error,
        summary: "`COPY` and `ADD` do not copy `.env` files, keys or credentials",
        aliases: [],
        params: Params,
    };
}

/// Parameters of `AG-D011`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub patterns: Vec<String>,
    pub allow: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            patterns: [
                ".env",
                ".env.*",
                "*.env",
                "*.pem",
                "*.key",
                "*.p12",
                "*.pfx",
                "id_rsa*",
                "id_ed25519*",
                "id_ecdsa*",
                ".npmrc",
                ".pypirc",
                ".netrc",
                ".ssh",
                ".aws",
                "credentials.json",
                ".git-credentials",
            ]
            .map(String::from)
            .to_vec(),
            allow: [".env.example", ".env.sample", ".env.template", "*.example"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Checks every source of every COPY and ADD.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let params = checker.params::<Params>();
    for instruction in &checker.file.instructions {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) {
            continue;
        }
        let sources = match instruction.words.split_last() {
            Some((_, sources)) => sources,
            None => continue,
        };
        for source in sources {
            let name = source
                .value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(&source.value);
            if name.starts_with("<<") {
                continue;
            }
            let matches = |patterns: &[String]| patterns.iter().any(|p| glob_match(p, name));
            if matches(&params.patterns) && !matches(&params.allow) {
                checker
                    .report(
                        source.range.clone(),
                        format!("`{}` copies `{}`, a file with secrets, into the image", instruction.keyword.as_str(), source.value),
                    )
                    .help("give it at run time (Secret, ConfigMap) or to the build as a secret mount; list it in `.dockerignore`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn secret_files_are_reported() {
        catches(
            "AG-D011",
            "FROM a:1\nCOPY .env config/id_rsa ./\nADD certs/tls.key /etc/\nCOPY --from=b /src/.env.production /app/\n",
            &[(2, 6), (2, 11), (3, 5), (4, 15)],
        );
        passes(
            "AG-D011",
            "FROM a:1\nCOPY .env.example requirements.txt ./\nCOPY . .\n",
        );
    }
}
