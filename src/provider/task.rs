//! What a request asks for, in structured form.
//!
//! Providers that talk to a model (OpenAI-compatible servers, external tools) answer from the
//! prompt text and ignore the [`Task`]. The offline builtin provider answers from the task alone,
//! so the task must carry everything the prompt was rendered from: the [`Service`] model, the
//! files to fix and the findings against them.

use serde::Serialize;

use crate::detect::Service;

/// What a request asks the provider to produce.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Task {
    /// A Dockerfile (and `.dockerignore`) for one service, written to `targets`.
    Dockerfile {
        service: Box<Service>,
        targets: Vec<String>,
    },
    /// Kubernetes manifests for the services, written to `targets`.
    Manifests {
        services: Vec<Service>,
        targets: Vec<String>,
    },
    /// A Helm chart named `chart` for the services, written to `targets`.
    Helm {
        chart: String,
        services: Vec<Service>,
        targets: Vec<String>,
    },
    /// Corrected versions of `files` (path, content) that resolve `findings`.
    Fix {
        files: Vec<(String, String)>,
        findings: Vec<String>,
    },
    /// A review of existing `files` (path, content), given the policy `findings` against them.
    Review {
        files: Vec<(String, String)>,
        findings: Vec<String>,
    },
    /// A free-form question (`aigen ask`): only the prompt text matters.
    Free,
}

impl Task {
    /// A short lowercase name of the task (`dockerfile`, `manifests`, `helm`, `fix`, `review`,
    /// `free`), for records and messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Dockerfile { .. } => "dockerfile",
            Self::Manifests { .. } => "manifests",
            Self::Helm { .. } => "helm",
            Self::Fix { .. } => "fix",
            Self::Review { .. } => "review",
            Self::Free => "free",
        }
    }

    #[cfg(test)]
    /// The files the answer may write: the targets of a generating task, the paths of the files
    /// being fixed, nothing for a review or a free question.
    pub(crate) fn targets(&self) -> Vec<&str> {
        match self {
            Self::Dockerfile { targets, .. }
            | Self::Manifests { targets, .. }
            | Self::Helm { targets, .. } => targets.iter().map(String::as_str).collect(),
            Self::Fix { files, .. } => files.iter().map(|(path, _)| path.as_str()).collect(),
            Self::Review { .. } | Self::Free => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_targets_are_the_files_being_fixed() {
        let task = Task::Fix {
            files: vec![("docker/api.Dockerfile".into(), "FROM x\n".into())],
            findings: vec!["AG-D001 ...".into()],
        };
        assert_eq!(task.name(), "fix");
        assert_eq!(task.targets(), ["docker/api.Dockerfile"]);
        assert!(Task::Free.targets().is_empty());
    }

    #[test]
    fn serialises_with_its_kind() {
        let task = Task::Review {
            files: vec![("k8s/a.yaml".into(), "kind: Service\n".into())],
            findings: vec![],
        };
        let json = serde_json::to_value(&task).unwrap();
        assert_eq!(json["kind"], "review");
        assert_eq!(json["files"][0][0], "k8s/a.yaml");
    }
}
