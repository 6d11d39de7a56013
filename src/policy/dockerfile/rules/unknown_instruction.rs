//! `AG-D030`: every instruction is one Docker knows.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports instructions Docker does not know (`FORM`, `COPPY`, a stray line of a broken
    /// continuation), with the closest known instruction as a suggestion.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at the first unknown instruction. A line that lost its
    /// continuation backslash also shows up here, as the next line's first word.
    ///
    /// ## Example
    /// ```dockerfile
    /// FORM python:3.13-slim
    /// RUN apt-get update &&
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN apt-get update && \
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// BuildKit reports `unknown instruction`; hadolint fails to parse (`DL1000`).
    pub(crate) const RULE = {
        code: "AG-D030",
        name: "unknown-instruction",
        target: Dockerfile,
        severity: Error,
        summary: "every instruction is a Dockerfile instruction",
        aliases: [],
        params: NoParams,
    };
}

const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Reports every unknown keyword.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let unknown: Vec<_> = checker
        .file
        .instructions
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.trigger.as_deref()))
        .filter_map(|i| match &i.keyword {
            Keyword::Unknown(word) => Some((word.clone(), i.keyword_range.clone())),
            _ => None,
        })
        .collect();
    for (word, range) in unknown {
        let shown: String = word.chars().take(40).collect();
        let closest = KNOWN
            .iter()
            .map(|k| (strsim::levenshtein(&word, k), *k))
            .min()
            .filter(|(d, _)| *d <= 2);
        let reported = checker.report(range, format!("`{shown}` is not a Dockerfile instruction"));
        match closest {
            Some((_, known)) => reported.help(format!("did you mean `{known}`?")),
            None => {
                reported.help("if this line continues the previous one, end that line with `\\`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, messages, passes};

    #[test]
    fn unknown_keywords_are_reported() {
        catches(
            "AG-D030",
            "FORM a:1\nFROM a:1\nRUN a &&\n  b\nONBUILD COPPY x y\n",
            &[(1, 1), (4, 3), (5, 9)],
        );
        passes("AG-D030", "from a:1\nrun x\n");
        assert_eq!(
            messages("AG-D030", "Dockerfile", "FROM a:1\nFORM b\n"),
            vec!["`FORM` is not a Dockerfile instruction"]
        );
    }
}
