//! `AG-D000`: the Dockerfile parses.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports what makes a Dockerfile invalid: an instruction without the arguments it needs,
    /// a heredoc without its closing line, a bad `# escape=` directive, an instruction before
    /// the first `FROM`, a file with no `FROM` at all, or a file that is not text.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at these, often after minutes of earlier steps, or, worse, reads
    /// them differently from what the author meant. Every other rule assumes the file parses.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN <<EOF
    /// pip install --no-cache-dir -r requirements.txt
    /// COPY . /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN <<EOF
    /// pip install --no-cache-dir -r requirements.txt
    /// EOF
    /// COPY . /app
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint reports parse errors as `DL1000`; `DL3061` (instruction before `FROM`);
    /// `DL3043` (`ONBUILD` triggering `FROM`, `ONBUILD` or `MAINTAINER`).
    pub(crate) const RULE = {
        code: "AG-D000",
        name: "dockerfile-syntax",
        target: Dockerfile,
        severity: Error,
        summary: "the Dockerfile parses",
        aliases: [Hadolint("DL1000"), Hadolint("DL3061"), Hadolint("DL3043")],
        params: NoParams,
    };
}

/// Reports the parser's errors.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for error in &checker.file.errors {
        // The parser's message says what is wrong; there is no one fix to suggest.
        let _ = checker.report(error.range.clone(), error.message.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn syntax_errors_are_located() {
        catches("AG-D000", "FROM a:1\nRUN <<EOF\necho\n", &[(2, 5)]);
        catches("AG-D000", "", &[(1, 1)]);
        catches("AG-D000", "FROM a:1\nCOPY onlyone\n", &[(2, 6)]);
        passes("AG-D000", "FROM a:1\nCOPY a /b\n");
    }
}
