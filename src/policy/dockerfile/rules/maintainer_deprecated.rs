//! `AG-D029`: MAINTAINER is replaced by a label.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports the deprecated `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13; tools read the OCI label
    /// `org.opencontainers.image.authors` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Platform Team <platform@example.com>
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Platform Team <platform@example.com>"
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL4000`; BuildKit `MaintainerDeprecated`.
    pub(crate) const RULE = {
        code: "AG-D029",
        name: "maintainer-deprecated",
        target: Dockerfile,
        severity: Warning,
        summary: "authors are a `LABEL`, not `MAINTAINER`",
        aliases: [Hadolint("DL4000"), BuildKit("MaintainerDeprecated")],
        params: NoParams,
    };
}

/// Reports every MAINTAINER.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in checker.instructions(Keyword::Maintainer) {
        let authors = instruction.args().replace('"', "\\\"");
        checker
            .report(
                instruction.keyword_range.clone(),
                "`MAINTAINER` is deprecated",
            )
            .help(format!(
                "write `LABEL org.opencontainers.image.authors=\"{authors}\"`"
            ));
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn maintainer_is_reported() {
        catches("AG-D029", "FROM a:1\nMAINTAINER me\n", &[(2, 1)]);
        passes(
            "AG-D029",
            "FROM a:1\nLABEL org.opencontainers.image.authors=me\n",
        );
    }
}
