//! `AG-D012`: COPY rather than ADD for local files.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `ADD` is used only for what `COPY` cannot do: extracting a local tar archive,
    /// or fetching a URL with `--checksum`. Local files and directories that are not archives
    /// should be copied with `COPY`; a URL fetched without `--checksum` is reported too.
    ///
    /// ## Why is this bad?
    /// `ADD` silently extracts archives and downloads URLs, so what lands in the image depends
    /// on a file's name and on a remote server. `COPY` does one thing. A download without a
    /// checksum is not reproducible and not verified.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ADD https://example.com/tool.tar.gz /opt/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3020`; checkov `CKV_DOCKER_4`.
    pub(crate) const RULE = {
        code: "AG-D012",
        name: "copy-instead-of-add",
        target: Dockerfile,
        severity: Error,
        summary: "`ADD` only extracts local archives or fetches URLs with `--checksum`",
        aliases: [Hadolint("DL3020"), Checkov("CKV_DOCKER_4")],
        params: NoParams,
    };
}

/// Archive suffixes `ADD` extracts.
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tb2", ".tar.xz", ".txz", ".tar.zst",
    ".tar.lz", ".tlz", ".tar.z", ".tz", ".gz", ".bz2", ".xz",
];

fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// Checks every ADD.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in checker.instructions(Keyword::Add) {
        let Some((_, sources)) = instruction.words.split_last() else {
            continue;
        };
        let has_checksum = instruction.flag("checksum").is_some();
        for source in sources {
            let value = source.value.as_str();
            if value.contains('$') || value.starts_with("<<") {
                continue;
            }
            if is_url(value) {
                if !has_checksum {
                    checker
                        .report(source.range.clone(), format!("`ADD` downloads `{value}` without `--checksum`"))
                        .help("add `--checksum=sha256:<digest>`, or download in a `RUN` that verifies it");
                }
                continue;
            }
            let lower = value.to_ascii_lowercase();
            if ARCHIVES.iter().any(|suffix| lower.ends_with(suffix)) {
                continue;
            }
            checker
                .report(source.range.clone(), format!("`ADD` copies the local file `{value}`"))
                .help("use `COPY`: `ADD` also extracts archives and fetches URLs, which this does not need");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn add_is_for_archives_and_verified_urls() {
        catches(
            "AG-D012",
            "FROM a:1\nADD app.py req.txt /app/\nADD https://x/y.tgz /opt/\n",
            &[(2, 5), (2, 12), (3, 5)],
        );
        passes(
            "AG-D012",
            "FROM a:1\nADD vendor.tar.gz /opt/\nADD --checksum=sha256:00 https://x/y /opt/\nCOPY a /b\n",
        );
    }
}
