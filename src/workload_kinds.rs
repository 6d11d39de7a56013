//! The Kubernetes kinds that run pods, and where each keeps its pod template: one table for
//! the manifest lint (`policy::k8s::object`) and for reading the project's own manifests
//! (`detect::declared::kubernetes`).

/// Each kind that runs pods from a template, with the path from the object to the template
/// (`metadata` + `spec` of the pods). A Pod is its own template and is not listed.
const POD_TEMPLATE_PATHS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("ReplicationController", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
];

/// The path from an object of `kind` to its pod template: empty for a Pod (the object itself),
/// `None` for a kind that runs no pods.
pub(crate) fn pod_template_path(kind: &str) -> Option<&'static [&'static str]> {
    if kind == "Pod" {
        return Some(&[]);
    }
    POD_TEMPLATE_PATHS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, path)| *path)
}

#[cfg(test)]
mod tests {
    use super::pod_template_path;

    #[test]
    fn pods_are_their_own_template_and_other_kinds_run_none() {
        assert_eq!(pod_template_path("Pod"), Some(&[][..]));
        assert_eq!(
            pod_template_path("CronJob"),
            Some(&["spec", "jobTemplate", "spec", "template"][..])
        );
        assert_eq!(pod_template_path("Service"), None);
        assert_eq!(pod_template_path("deployment"), None);
    }
}
