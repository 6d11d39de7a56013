//! The policy engine: the constitution, findings, the rule registry, suppressions, reports, and
//! the Dockerfile and Kubernetes rules.
//!
//! Start at [`lint_paths`], which lints the files and charts under some paths as `aigen lint` and
//! `aigen check` do, or [`lint_text`], which lints one file's text (artifacts that are not on
//! disk yet go through [`crate::staging::lint_artifacts`]). The pieces:
//!
//! - [`constitution`]: `policies/constitution.yaml`, loaded and validated, rule settings resolved;
//! - [`registry`]: every rule by code, with its documentation;
//! - [`finding`], [`severity`], [`source`]: what rules report and where;
//! - [`suppress`]: `aigen:ignore` suppressions and the findings about them;
//! - [`report`]: text, JSON and SARIF output;
//! - [`dockerfile`]: the Dockerfile parser and rules;
//! - [`k8s`]: the manifest loader and the Kubernetes rules; [`helm`]: Helm charts;
//! - [`image`]: rules on built images (their size).

pub mod constitution;
pub(crate) mod context;
pub mod dockerfile;
pub(crate) mod finding;
pub mod helm;
pub(crate) mod image;
pub mod k8s;
pub mod kind;
pub mod registry;
pub mod report;
pub(crate) mod severity;
pub(crate) mod source;
pub(crate) mod suppress;
pub mod walk;

use std::path::Path;

pub use constitution::Constitution;
pub use finding::{Finding, Position, Span};
pub use kind::FileKind;
pub use registry::Rule;
pub use severity::Severity;
pub use source::Excerpts;
pub(crate) use walk::lint_paths;

#[cfg(test)]
/// Lints one file's text against a constitution. The kind is picked from the path and the
/// content ([`FileKind::detect`]); the service from the path ([`kind::service_for_path`]).
/// Findings are sorted. Files that are neither Dockerfiles nor manifests get no findings.
pub(crate) fn lint_text(path: &Path, text: &str, constitution: &Constitution) -> Vec<Finding> {
    let kind = FileKind::detect(path, text);
    lint_text_as(kind, path, text, constitution)
}

#[cfg(test)]
/// Lints a Dockerfile's text together with the `.dockerignore` meant for it (both in memory, as
/// the generator has them before they are written), so `AG-D022` checks that file. `None` for
/// `dockerignore` reports it as missing. Findings are sorted.
pub(crate) fn lint_dockerfile_text(
    path: &Path,
    text: &str,
    dockerignore: Option<(&Path, &str)>,
    constitution: &Constitution,
) -> Vec<Finding> {
    let service = kind::service_for_path(path, constitution);
    let ignore = match dockerignore {
        Some((ignore_path, ignore_text)) => {
            dockerfile::Dockerignore::from_text(ignore_path, ignore_text)
        }
        None => dockerfile::Dockerignore::Missing {
            expected: crate::fsutil::parent_dir(path).join(".dockerignore"),
        },
    };
    let mut findings = dockerfile::lint_with(path, text, constitution, service.as_deref(), &ignore);
    findings.sort_by(Finding::report_order);
    findings
}

/// Lints one file's text as the given kind.
pub fn lint_text_as(
    kind: FileKind,
    path: &Path,
    text: &str,
    constitution: &Constitution,
) -> Vec<Finding> {
    let service = kind::service_for_path(path, constitution);
    let mut findings = match kind {
        FileKind::Dockerfile => dockerfile::lint(path, text, constitution, service.as_deref()),
        FileKind::Kubernetes => lint_kubernetes(path, text, constitution, service.as_deref()),
        FileKind::Other => Vec::new(),
    };
    findings.sort_by(Finding::report_order);
    findings
}

/// Lints the manifests of one run together (paths as shown, texts), so cross-object rules see
/// every object (the walker, which owns its texts, runs [`k8s::first_pass`] on each file as it
/// reads it and [`k8s::lint_passed`] on them all).
pub(crate) fn lint_manifests(files: &[(&Path, &str)], constitution: &Constitution) -> Vec<Finding> {
    let texts: Vec<k8s::ManifestText<'_>> = files
        .iter()
        .map(|(path, text)| k8s::ManifestText::new(path, text))
        .collect();
    k8s::lint_documents(&texts, constitution)
}

/// Kubernetes manifests, one file on its own. The service of each object is found from the
/// object itself ([`k8s::set::service_of`]), not from the path; to let cross-object rules see
/// several files together, use [`lint_manifests`].
fn lint_kubernetes(
    path: &Path,
    text: &str,
    constitution: &Constitution,
    _service: Option<&str>,
) -> Vec<Finding> {
    k8s::lint(path, text, constitution)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKERFILE: &str = "FROM python:3.13-slim AS build\nFROM python:3.13-slim\nUSER 1000\nEXPOSE 8000\n\
        HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD [\"curl\", \"-f\", \"http://localhost:8000/health\"]\n\
        CMD [\"python\", \"-m\", \"app\"]\n";

    #[test]
    fn generated_text_is_linted_before_it_is_written() {
        let constitution = Constitution::preset().unwrap();
        let path = Path::new("docker/backend.Dockerfile");
        assert!(lint_text(path, DOCKERFILE, &constitution).is_empty());
        let broken = DOCKERFILE.replace("EXPOSE 8000", "EXPOSE 80");
        let codes: Vec<&str> = lint_text(path, &broken, &constitution)
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, vec!["AG-D008", "AG-D008"]);
    }

    #[test]
    fn a_generated_dockerignore_is_checked_with_its_dockerfile() {
        let constitution = Constitution::preset().unwrap();
        let path = Path::new("docker/backend.Dockerfile");
        let ignore = Path::new("docker/.dockerignore");
        let good = lint_dockerfile_text(
            path,
            DOCKERFILE,
            Some((ignore, ".git\nnode_modules\n.env\n")),
            &constitution,
        );
        assert!(good.is_empty(), "{good:?}");
        let partial =
            lint_dockerfile_text(path, DOCKERFILE, Some((ignore, ".git\n")), &constitution);
        assert_eq!(
            partial[0].message,
            "`docker/.dockerignore` does not exclude `node_modules`, `.env`"
        );
        let missing = lint_dockerfile_text(path, DOCKERFILE, None, &constitution);
        assert_eq!(
            missing[0].message,
            "no `.dockerignore` goes with this Dockerfile"
        );
    }
}
