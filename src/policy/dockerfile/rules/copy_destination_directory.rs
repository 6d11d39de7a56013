//! `AG-D033`: a COPY of several sources goes to a directory.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `COPY` and `ADD` with more than one source end their destination with `/`.
    ///
    /// ## Why is this bad?
    /// With several sources the destination must be a directory; without the trailing slash
    /// the build fails (`When using COPY with more than one source file, the destination must be
    /// a directory and end with a /`).
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3021`.
    pub(crate) const RULE = {
        code: "AG-D033",
        name: "copy-destination-directory",
        target: Dockerfile,
        severity: Error,
        summary: "`COPY` of several sources ends its destination with `/`",
        aliases: [Hadolint("DL3021")],
        params: NoParams,
    };
}

/// Checks every COPY and ADD.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in &checker.file.instructions {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add)
            || instruction.words.len() < 3
        {
            continue;
        }
        let Some(destination) = instruction.words.last() else {
            continue;
        };
        let dest = destination.value.as_str();
        if !dest.ends_with('/') && !dest.contains('$') && dest != "." && dest != ".." {
            checker
                .report(
                    destination.range.clone(),
                    format!(
                        "`{dest}` receives {} sources but is not written as a directory",
                        instruction.words.len() - 1
                    ),
                )
                .help(format!("write `{dest}/`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn several_sources_need_a_directory() {
        catches("AG-D033", "FROM a:1\nCOPY a b /app\n", &[(2, 10)]);
        passes(
            "AG-D033",
            "FROM a:1\nCOPY a b /app/\nCOPY a b ./\nCOPY a b .\nCOPY a /app\n",
        );
    }
}
