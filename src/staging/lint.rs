//! Linting artifacts before they touch disk: a provider's answer before it is staged, a staged
//! file edited during review.
//!
//! Artifacts are linted as the files they will become: a Dockerfile finds its `.dockerignore`
//! among the other artifacts of the same answer first, then on disk; manifests are linted
//! together, so the cross-object rules see the whole set. Chart templates are not YAML until Helm
//! renders them and are left to `aigen lint` on the applied chart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding_counts::FindingCounts;
use crate::policy::dockerfile::{self, dockerignore};
use crate::policy::{self, Constitution, FileKind, Finding};

/// One file on its way to disk: taken from an answer, staged, or edited during review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Artifact {
    /// Target path relative to the project root, `/`-separated.
    pub path: String,
    /// The file's content, ending with a newline.
    pub content: String,
}

/// The findings of one artifact.
#[derive(Debug, Clone)]
pub(crate) struct Linted {
    pub artifact: Artifact,
    pub findings: Vec<Finding>,
}

impl Linted {
    /// Its findings counted by severity, as the staging index keeps them.
    pub(crate) fn counts(&self) -> FindingCounts {
        FindingCounts::of(&self.findings)
    }
}

/// Lints every artifact of an answer; `root` is the project root the paths are relative to.
pub(crate) fn lint_artifacts(
    artifacts: Vec<Artifact>,
    root: &Path,
    constitution: &Constitution,
) -> Vec<Linted> {
    let in_answer = |path: &Path| -> Option<String> {
        let relative = path.strip_prefix(root).ok()?;
        let wanted = crate::fsutil::slash_path(relative);
        artifacts
            .iter()
            .find(|a| a.path == wanted)
            .map(|a| a.content.clone())
    };
    let read = |path: &Path| {
        in_answer(path)
            .map(|text| Arc::new(dockerignore::DockerignoreFile::parse(&text)))
            .or_else(|| dockerignore::read_file(path))
    };
    let display = |path: &Path| crate::fsutil::relative_to(path, root);

    let manifests: Vec<(PathBuf, &str)> = artifacts
        .iter()
        .filter(|a| kind_of(a) == FileKind::Kubernetes)
        .map(|a| (PathBuf::from(&a.path), a.content.as_str()))
        .collect();
    let manifest_refs: Vec<(&Path, &str)> = manifests
        .iter()
        .map(|(path, text)| (path.as_path(), *text))
        .collect();
    let manifest_findings = policy::lint_manifests(&manifest_refs, constitution);

    artifacts
        .iter()
        .map(|artifact| {
            let path = Path::new(&artifact.path);
            let findings = match kind_of(artifact) {
                FileKind::Dockerfile => {
                    let found = dockerignore::find(&root.join(path), root, &read, &display);
                    let service = policy::kind::service_for_path(path, constitution);
                    let mut findings = dockerfile::lint_with(
                        path,
                        &artifact.content,
                        constitution,
                        service.as_deref(),
                        &found,
                    );
                    findings.sort_by(Finding::report_order);
                    findings
                }
                FileKind::Kubernetes => manifest_findings
                    .iter()
                    .filter(|f| f.path == path)
                    .cloned()
                    .collect(),
                FileKind::Other => Vec::new(),
            };
            Linted {
                artifact: artifact.clone(),
                findings,
            }
        })
        .collect()
}

/// What kind of file an artifact is; chart templates count as neither.
fn kind_of(artifact: &Artifact) -> FileKind {
    if artifact.path.contains("/templates/") {
        return FileKind::Other;
    }
    FileKind::detect(Path::new(&artifact.path), &artifact.content)
}
