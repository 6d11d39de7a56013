//! `AG-D022`: a `.dockerignore` keeps `.git`, `node_modules` and `.env` out of the build context.

use serde::Deserialize;

use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::dockerignore::Dockerignore;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that a `.dockerignore` goes with the Dockerfile and that it excludes `.git`,
    /// `node_modules` and `.env`. The file is looked for where Docker looks: next to the
    /// Dockerfile as `<name>.dockerignore`, then `.dockerignore` in the Dockerfile's directory
    /// and its parents up to the project root.
    ///
    /// Text linted from memory (generated artifacts before they are written) is checked only
    /// when the generator passes the `.dockerignore` it generated with it.
    ///
    /// ## Why is this bad?
    /// Without it, `COPY . .` sends the whole directory to the builder and into the image: the
    /// Git history, local `node_modules` built for another platform, and `.env` files with real
    /// secrets. The constitution requires a `.dockerignore` that excludes them.
    ///
    /// ## Example
    /// A `docker/` directory with `backend.Dockerfile` and no `.dockerignore`, or one that only
    /// lists `__pycache__`.
    ///
    /// ## Use instead
    /// ```text
    /// # .dockerignore
    /// .git
    /// node_modules
    /// .env
    /// .env.*
    /// !.env.example
    /// ```
    ///
    /// ## Options
    /// - `required` (list, default `.git`, `node_modules`, `.env`): paths the file must exclude.
    ///
    /// ## References
    /// The constitution's `.dockerignore` clause; BuildKit `CopyIgnoredFile` is the opposite
    /// check.
    pub(crate) const RULE = {
        code: "AG-D022",
        name: "dockerignore",
        target: Dockerfile,
        severity: Error,
        summary: "a `.dockerignore` excludes `.git`, `node_modules` and `.env`",
        aliases: [],
        params: Params,
    };
}

/// Parameters of `AG-D022`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub required: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            required: [".git", "node_modules", ".env"].map(String::from).to_vec(),
        }
    }
}

/// Checks the `.dockerignore` found with the Dockerfile.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let required = &checker.params::<Params>().required;
    let listed = |entries: &[String]| {
        entries
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match checker.dockerignore {
        Dockerignore::NotChecked => {}
        Dockerignore::Missing { expected } => {
            let expected = crate::fsutil::slash_path(expected);
            checker
                .report_file("no `.dockerignore` goes with this Dockerfile")
                .help(format!(
                    "create `{expected}` excluding {}",
                    listed(required)
                ));
        }
        Dockerignore::Found { path, file } => {
            let missing: Vec<String> = file.missing(required).into_iter().cloned().collect();
            if !missing.is_empty() {
                let shown = crate::fsutil::slash_path(path);
                checker
                    .report_file(format!("`{shown}` does not exclude {}", listed(&missing)))
                    .help(format!(
                        "add {} to `{shown}`, one per line",
                        listed(&missing)
                    ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::dockerfile::dockerignore::DockerignoreFile;

    fn required() -> Vec<String> {
        Params::default().required
    }

    fn missing_entries(text: &str, required: &[String]) -> Vec<String> {
        DockerignoreFile::parse(text)
            .missing(required)
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn entries_are_matched_like_docker() {
        assert!(
            missing_entries(".git\nnode_modules/\n.env*\n!.env.example\n", &required()).is_empty()
        );
        assert!(missing_entries("**/node_modules\n/.git\n./.env\n", &required()).is_empty());
        assert!(missing_entries("*\n!src\n", &required()).is_empty());
        assert_eq!(
            missing_entries("# nothing\n__pycache__\n", &required()),
            required()
        );
        assert_eq!(
            missing_entries(".git\n.env\n", &required()),
            vec!["node_modules".to_string()]
        );
    }
}
