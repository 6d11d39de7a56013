//! The order objects are applied in: what others depend on goes first.
//!
//! Namespaces come before anything that lives in them, CustomResourceDefinitions before the
//! custom resources they define, ServiceAccounts and RBAC before the workloads that run as them,
//! Secrets and ConfigMaps before the Pods that mount them, Services before the workloads behind
//! them, and policies that refer to workloads (autoscalers, disruption budgets, ingresses) after.
//! Kinds not in the table (custom resources) go last. The sort is stable, so objects of one kind
//! keep the order they were written in.

/// Kinds in apply order.
const ORDER: &[&str] = &[
    "Namespace",
    "CustomResourceDefinition",
    "PriorityClass",
    "ResourceQuota",
    "LimitRange",
    "StorageClass",
    "PersistentVolume",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "NetworkPolicy",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicaSet",
    "Deployment",
    "StatefulSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "IngressClass",
    "Ingress",
];

/// Where a kind goes in the apply order (lower first); unknown kinds share the last place.
pub(crate) fn rank(kind: &str) -> usize {
    ORDER
        .iter()
        .position(|known| *known == kind)
        .unwrap_or(ORDER.len())
}

/// Sorts items by the rank of their kind, keeping the written order within a kind.
pub(crate) fn sort_by_kind<T>(items: &mut [T], kind: impl Fn(&T) -> &str) {
    items.sort_by_key(|item| rank(kind(item)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_first_and_unknown_kinds_last() {
        let mut kinds = vec![
            "Ingress",
            "Deployment",
            "Widget",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "CustomResourceDefinition",
            "Namespace",
            "HorizontalPodAutoscaler",
        ];
        sort_by_kind(&mut kinds, |k| k);
        assert_eq!(
            kinds,
            [
                "Namespace",
                "CustomResourceDefinition",
                "ServiceAccount",
                "Secret",
                "ConfigMap",
                "Service",
                "Deployment",
                "HorizontalPodAutoscaler",
                "Ingress",
                "Widget",
            ]
        );
    }

    #[test]
    fn the_written_order_is_kept_within_a_kind() {
        let mut items = vec![("Deployment", "b"), ("Service", "x"), ("Deployment", "a")];
        sort_by_kind(&mut items, |(kind, _)| kind);
        assert_eq!(
            items,
            [("Service", "x"), ("Deployment", "b"), ("Deployment", "a")]
        );
    }
}
