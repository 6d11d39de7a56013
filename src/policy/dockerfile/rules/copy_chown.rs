//! `AG-D023`: application files belong to the non-root user.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::is_root;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// In a final stage that runs as a non-root user, checks that `COPY` and `ADD` into the
    /// application directory (a relative destination, or one under the `WORKDIR` in effect) set
    /// `--chown`.
    ///
    /// ## Why is this bad?
    /// `COPY` writes files owned by root whatever the `USER` is. The application then cannot
    /// write its own cache, uploads or generated files, and the usual fix, a `RUN chown -R`,
    /// duplicates every file into another layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR /app
    /// COPY --from=build /app/dist ./dist
    /// USER appuser
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// COPY --from=build --chown=appuser:appuser /app/dist ./dist
    /// USER appuser
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// The constitution's non-root clause; hadolint has no such rule.
    pub(crate) const RULE = {
        code: "AG-D023",
        name: "copy-chown",
        target: Dockerfile,
        severity: Warning,
        summary: "in a non-root image, `COPY` into the app directory sets `--chown`",
        aliases: [],
        params: NoParams,
    };
}

/// Checks the final stage's COPY and ADD.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    let Some(user) = checker.final_user() else {
        return;
    };
    let user_name = user.value;
    if user.unresolved || is_root(&user_name) {
        return;
    }
    let mut workdir = checker
        .inherited(last.index, Keyword::Workdir)
        .and_then(|(_, i)| i.words.first())
        .map(|w| w.value.clone());
    for instruction in checker.model.body(checker.file, last) {
        match instruction.keyword {
            Keyword::Workdir => {
                if let Some(w) = instruction.words.first() {
                    workdir = Some(w.value.clone());
                }
            }
            Keyword::Copy | Keyword::Add => {
                if instruction.flag("chown").is_some() {
                    continue;
                }
                let Some(destination) = instruction.words.last() else {
                    continue;
                };
                let dest = destination.value.as_str();
                let in_app = !dest.starts_with('/')
                    || workdir.as_deref().is_some_and(|w| {
                        w != "/"
                            && (dest == w
                                || dest.starts_with(&format!("{}/", w.trim_end_matches('/'))))
                    });
                if in_app {
                    let owner = if user_name.contains(':') {
                        user_name.clone()
                    } else {
                        format!("{user_name}:{user_name}")
                    };
                    checker
                        .report(
                            instruction.keyword_range.start..destination.range.end,
                            format!("`{}` leaves `{dest}` owned by root in an image that runs as `{user_name}`", instruction.keyword.as_str()),
                        )
                        .help(format!("add `--chown={owner}`"));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn app_files_are_owned_by_the_user() {
        catches(
            "AG-D023",
            "FROM a:1\nWORKDIR /app\nCOPY . .\nCOPY x /app/y\nCOPY conf /etc/conf\nUSER app\n",
            &[(3, 1), (4, 1)],
        );
        passes(
            "AG-D023",
            "FROM a:1\nWORKDIR /app\nCOPY --chown=app:app . .\nUSER app\n",
        );
        passes("AG-D023", "FROM a:1\nWORKDIR /app\nCOPY . .\n");
    }
}
