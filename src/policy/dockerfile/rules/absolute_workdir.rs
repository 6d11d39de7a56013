//! `AG-D013`: WORKDIR paths are absolute.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every `WORKDIR` is an absolute path (or starts with a variable).
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the previous one, which may come from the base
    /// image; the same Dockerfile then works in a different directory when the base changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3000`; BuildKit `WorkdirRelativePath`.
    pub(crate) const RULE = {
        code: "AG-D013",
        name: "absolute-workdir",
        target: Dockerfile,
        severity: Error,
        summary: "`WORKDIR` paths are absolute",
        aliases: [Hadolint("DL3000"), BuildKit("WorkdirRelativePath")],
        params: NoParams,
    };
}

/// True for `/x`, `$VAR/x`, `C:\x`, `C:/x` and `\x`.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('$')
        || path.starts_with('\\')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'\\' | b'/'))
}

/// Checks every WORKDIR.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in checker.instructions(Keyword::Workdir) {
        let Some(word) = instruction.words.first() else {
            continue;
        };
        if !is_absolute(&word.value) {
            checker
                .report(
                    word.range.clone(),
                    format!("`WORKDIR {}` is a relative path", word.value),
                )
                .help(format!(
                    "write the absolute path, e.g. `WORKDIR /{}`",
                    word.value.trim_start_matches("./")
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn relative_workdirs_are_reported() {
        catches(
            "AG-D013",
            "FROM a:1\nWORKDIR app\nWORKDIR \"./src\"\n",
            &[(2, 9), (3, 9)],
        );
        passes(
            "AG-D013",
            "FROM a:1\nWORKDIR /app\nWORKDIR $HOME/x\nWORKDIR C:\\\\app\n",
        );
    }
}
