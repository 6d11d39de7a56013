//! Which Kubernetes release serves which `apiVersion` of a kind: the release a constitution
//! names ([`KubernetesVersion`], `kubernetes_version` in the file), the release whose schemas
//! this build carries ([`KubernetesVersion::COMPILED`]), and [`served`], the verdict `AG-K035`
//! reports and `AG-K034` defers to.
//!
//! The table ([`APIS`]) holds every API version the Kubernetes deprecation guide lists as removed
//! (from 1.16 on) and every version that guide names as the replacement, with the release it
//! became available in. An `apiVersion` and kind the table does not hold is served by every
//! release from 1.16 on, as far as this module knows (the core `v1` kinds, `apps/v1`,
//! `batch/v1` Jobs, `rbac.authorization.k8s.io/v1`, ...); whether a kind exists at all is the
//! schema catalog's question, not this one's.

use std::fmt;
use std::str::FromStr;

/// A Kubernetes release, `1.<minor>` (patch releases serve the same APIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubernetesVersion {
    minor: u16,
}

/// The minor version of the release whose types `k8s-openapi` was built for (its `latest`
/// feature): one release's schemas are compiled in, and the catalog validates against them.
const COMPILED_MINOR: u16 = compiled_minor();

const fn compiled_minor() -> u16 {
    #[allow(unused_mut, unused_assignments)]
    let mut minor = 0;
    k8s_openapi::k8s_if_1_33! { minor = 33; }
    k8s_openapi::k8s_if_1_34! { minor = 34; }
    k8s_openapi::k8s_if_1_35! { minor = 35; }
    k8s_openapi::k8s_if_1_36! { minor = 36; }
    k8s_openapi::k8s_if_1_37! { minor = 37; }
    minor
}

impl KubernetesVersion {
    /// The release whose schemas this build carries, the default of a constitution that names
    /// none.
    pub const COMPILED: Self = Self {
        minor: COMPILED_MINOR,
    };

    /// The oldest release the table of [`APIS`] describes completely.
    pub const OLDEST: Self = Self { minor: 16 };

    const fn new(minor: u16) -> Self {
        Self { minor }
    }

    /// True for a release newer than the one whose schemas are compiled in.
    pub fn is_newer_than_compiled(self) -> bool {
        self > Self::COMPILED
    }
}

impl fmt::Display for KubernetesVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

impl FromStr for KubernetesVersion {
    type Err = String;

    /// `1.30`, `v1.30` or `1.30.4` (the patch is ignored); releases before 1.16 are refused,
    /// since the table does not describe them.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let shape = || {
            format!("`{text}` is not a Kubernetes release: write `major.minor`, such as `\"1.33\"`")
        };
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let mut parts = bare.split('.');
        let (Some(major), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(shape());
        };
        let patch = parts.next();
        if parts.next().is_some() {
            return Err(shape());
        }
        let number = |part: &str| {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u16>().ok())
                .flatten()
        };
        if major != "1" || patch.is_some_and(|p| number(p).is_none()) {
            return Err(shape());
        }
        let version = Self::new(number(minor).ok_or_else(shape)?);
        if version < Self::OLDEST {
            return Err(format!(
                "Kubernetes {version} is older than aigen knows the APIs of (from {} on)",
                Self::OLDEST
            ));
        }
        Ok(version)
    }
}

/// One `apiVersion` of some kinds, and the releases that serve it.
#[derive(Debug)]
pub(crate) struct Api {
    pub api_version: &'static str,
    pub kinds: &'static [&'static str],
    /// The first release that serves it (`None`: 1.16 or earlier).
    pub since: Option<u16>,
    /// The first release that no longer serves it.
    pub removed_in: Option<u16>,
    /// What to use once it is removed, best first (the first one the release serves is offered).
    pub successors: &'static [&'static str],
    /// What to use before it is served, best first.
    pub predecessors: &'static [&'static str],
}

const fn removed(
    api_version: &'static str,
    kinds: &'static [&'static str],
    removed_in: u16,
    successors: &'static [&'static str],
) -> Api {
    Api {
        api_version,
        kinds,
        since: None,
        removed_in: Some(removed_in),
        successors,
        predecessors: &[],
    }
}

const fn introduced(
    api_version: &'static str,
    kinds: &'static [&'static str],
    since: u16,
    predecessors: &'static [&'static str],
) -> Api {
    Api {
        api_version,
        kinds,
        since: Some(since),
        removed_in: None,
        successors: &[],
        predecessors,
    }
}

const FLOW_CONTROL: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];
const HPA: &[&str] = &["HorizontalPodAutoscaler"];
const WEBHOOKS: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];
const RBAC: &[&str] = &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
const ACCESS_REVIEWS: &[&str] = &[
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SubjectAccessReview",
];
const APPS: &[&str] = &["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"];

/// API versions removed from Kubernetes and the versions that replace them, with the release
/// each became available in.
///
/// Source: the Kubernetes "Deprecated API Migration Guide",
/// <https://kubernetes.io/docs/reference/using-api/deprecation-guide/> ("Removed APIs by
/// release", v1.16 to v1.32, with the "available since" release of each replacement). Add a
/// release's removals here when the guide lists them.
pub(crate) static APIS: &[Api] = &[
    // v1.32
    Api {
        since: Some(26),
        predecessors: &["flowcontrol.apiserver.k8s.io/v1beta1"],
        ..removed(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            FLOW_CONTROL,
            32,
            &["flowcontrol.apiserver.k8s.io/v1"],
        )
    },
    introduced(
        "flowcontrol.apiserver.k8s.io/v1",
        FLOW_CONTROL,
        29,
        // v1beta2 is left out: the guide does not say when it became available.
        &[
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "flowcontrol.apiserver.k8s.io/v1beta1",
        ],
    ),
    // v1.29
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        FLOW_CONTROL,
        29,
        &["flowcontrol.apiserver.k8s.io/v1"],
    ),
    // v1.27
    removed(
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        27,
        &["storage.k8s.io/v1"],
    ),
    introduced(
        "storage.k8s.io/v1",
        &["CSIStorageCapacity"],
        24,
        &["storage.k8s.io/v1beta1"],
    ),
    // v1.26
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        FLOW_CONTROL,
        26,
        &[
            "flowcontrol.apiserver.k8s.io/v1",
            "flowcontrol.apiserver.k8s.io/v1beta3",
        ],
    ),
    removed("autoscaling/v2beta2", HPA, 26, &["autoscaling/v2"]),
    introduced("autoscaling/v2", HPA, 23, &["autoscaling/v2beta2"]),
    // v1.25
    removed("batch/v1beta1", &["CronJob"], 25, &["batch/v1"]),
    introduced("batch/v1", &["CronJob"], 21, &["batch/v1beta1"]),
    removed(
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        25,
        &["discovery.k8s.io/v1"],
    ),
    introduced(
        "discovery.k8s.io/v1",
        &["EndpointSlice"],
        21,
        &["discovery.k8s.io/v1beta1"],
    ),
    removed(
        "events.k8s.io/v1beta1",
        &["Event"],
        25,
        &["events.k8s.io/v1"],
    ),
    introduced(
        "events.k8s.io/v1",
        &["Event"],
        19,
        &["events.k8s.io/v1beta1"],
    ),
    removed("autoscaling/v2beta1", HPA, 25, &["autoscaling/v2"]),
    removed(
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        25,
        &["policy/v1"],
    ),
    introduced(
        "policy/v1",
        &["PodDisruptionBudget"],
        21,
        &["policy/v1beta1"],
    ),
    // No successor: Pod Security Admission replaces PodSecurityPolicy.
    removed("policy/v1beta1", &["PodSecurityPolicy"], 25, &[]),
    removed(
        "node.k8s.io/v1beta1",
        &["RuntimeClass"],
        25,
        &["node.k8s.io/v1"],
    ),
    introduced(
        "node.k8s.io/v1",
        &["RuntimeClass"],
        20,
        &["node.k8s.io/v1beta1"],
    ),
    // v1.22
    removed(
        "admissionregistration.k8s.io/v1beta1",
        WEBHOOKS,
        22,
        &["admissionregistration.k8s.io/v1"],
    ),
    removed(
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        22,
        &["apiextensions.k8s.io/v1"],
    ),
    removed(
        "apiregistration.k8s.io/v1beta1",
        &["APIService"],
        22,
        &["apiregistration.k8s.io/v1"],
    ),
    removed(
        "authentication.k8s.io/v1beta1",
        &["TokenReview"],
        22,
        &["authentication.k8s.io/v1"],
    ),
    removed(
        "authorization.k8s.io/v1beta1",
        ACCESS_REVIEWS,
        22,
        &["authorization.k8s.io/v1"],
    ),
    removed(
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        22,
        &["certificates.k8s.io/v1"],
    ),
    introduced(
        "certificates.k8s.io/v1",
        &["CertificateSigningRequest"],
        19,
        &["certificates.k8s.io/v1beta1"],
    ),
    removed(
        "coordination.k8s.io/v1beta1",
        &["Lease"],
        22,
        &["coordination.k8s.io/v1"],
    ),
    removed(
        "extensions/v1beta1",
        &["Ingress"],
        22,
        &["networking.k8s.io/v1"],
    ),
    removed(
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        22,
        &["networking.k8s.io/v1"],
    ),
    introduced(
        "networking.k8s.io/v1",
        &["Ingress", "IngressClass"],
        19,
        &["networking.k8s.io/v1beta1"],
    ),
    removed(
        "rbac.authorization.k8s.io/v1beta1",
        RBAC,
        22,
        &["rbac.authorization.k8s.io/v1"],
    ),
    removed(
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        22,
        &["scheduling.k8s.io/v1"],
    ),
    removed(
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        22,
        &["storage.k8s.io/v1"],
    ),
    introduced(
        "storage.k8s.io/v1",
        &["CSIDriver"],
        19,
        &["storage.k8s.io/v1beta1"],
    ),
    introduced(
        "storage.k8s.io/v1",
        &["CSINode"],
        17,
        &["storage.k8s.io/v1beta1"],
    ),
    // v1.16
    removed(
        "extensions/v1beta1",
        &["NetworkPolicy"],
        16,
        &["networking.k8s.io/v1"],
    ),
    removed(
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        16,
        &["policy/v1beta1"],
    ),
    removed(
        "extensions/v1beta1",
        &["DaemonSet", "Deployment", "ReplicaSet"],
        16,
        &["apps/v1"],
    ),
    removed("apps/v1beta2", APPS, 16, &["apps/v1"]),
    removed(
        "apps/v1beta1",
        &["Deployment", "ReplicaSet", "StatefulSet"],
        16,
        &["apps/v1"],
    ),
];

/// Whether a release serves an `apiVersion` of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Served {
    /// Served, or not in the table (then served by every release it covers).
    Yes,
    /// No longer served: removed in `release`; `instead` is what the release serves in its
    /// place, if anything.
    Removed {
        release: KubernetesVersion,
        instead: Option<&'static str>,
    },
    /// Not served yet: first served in `release`; `instead` is what the release serves.
    NotYet {
        release: KubernetesVersion,
        instead: Option<&'static str>,
    },
}

/// The table's row of an `apiVersion` and kind.
fn row(api_version: &str, kind: &str) -> Option<&'static Api> {
    APIS.iter()
        .find(|api| api.api_version == api_version && api.kinds.contains(&kind))
}

/// Whether `version` serves `api_version` for `kind`.
pub(crate) fn served(api_version: &str, kind: &str, version: KubernetesVersion) -> Served {
    let Some(api) = row(api_version, kind) else {
        return Served::Yes;
    };
    let first_served = |candidates: &'static [&'static str]| {
        candidates
            .iter()
            .copied()
            .find(|candidate| served(candidate, kind, version) == Served::Yes)
    };
    if let Some(removed_in) = api.removed_in
        && version.minor >= removed_in
    {
        return Served::Removed {
            release: KubernetesVersion::new(removed_in),
            instead: first_served(api.successors),
        };
    }
    if let Some(since) = api.since
        && version.minor < since
    {
        return Served::NotYet {
            release: KubernetesVersion::new(since),
            instead: first_served(api.predecessors),
        };
    }
    Served::Yes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::k8s::schema::catalog;

    fn v(text: &str) -> KubernetesVersion {
        text.parse().unwrap()
    }

    #[test]
    fn versions_parse_as_releases() {
        assert_eq!(v("1.30").to_string(), "1.30");
        assert_eq!(v("v1.25"), v("1.25"));
        assert_eq!(v("1.30.4"), v("1.30"));
        for bad in [
            "", "1", "1.", "2.30", "1.x", "1.30.1.2", "1.3a", "1.-1", " ",
        ] {
            let err = bad.parse::<KubernetesVersion>().unwrap_err();
            assert!(err.contains("is not a Kubernetes release"), "{bad}: {err}");
        }
        let old = "1.15".parse::<KubernetesVersion>().unwrap_err();
        assert!(old.contains("from 1.16 on"), "{old}");
        assert_eq!(KubernetesVersion::COMPILED.to_string(), "1.37");
        assert!(v("1.40").is_newer_than_compiled());
        assert!(!KubernetesVersion::COMPILED.is_newer_than_compiled());
    }

    #[test]
    fn removals_name_what_the_release_serves_instead() {
        assert_eq!(
            served("policy/v1beta1", "PodSecurityPolicy", v("1.30")),
            Served::Removed {
                release: v("1.25"),
                instead: None
            }
        );
        assert_eq!(
            served("policy/v1beta1", "PodSecurityPolicy", v("1.24")),
            Served::Yes
        );
        assert_eq!(
            served("autoscaling/v2beta2", "HorizontalPodAutoscaler", v("1.26")),
            Served::Removed {
                release: v("1.26"),
                instead: Some("autoscaling/v2")
            }
        );
        // In 1.27 and 1.28 flowcontrol v1 is not served yet: v1beta3 is what replaces v1beta1.
        assert_eq!(
            served(
                "flowcontrol.apiserver.k8s.io/v1beta1",
                "FlowSchema",
                v("1.27")
            ),
            Served::Removed {
                release: v("1.26"),
                instead: Some("flowcontrol.apiserver.k8s.io/v1beta3")
            }
        );
        assert_eq!(
            served(
                "flowcontrol.apiserver.k8s.io/v1beta3",
                "PriorityLevelConfiguration",
                v("1.32")
            ),
            Served::Removed {
                release: v("1.32"),
                instead: Some("flowcontrol.apiserver.k8s.io/v1")
            }
        );
    }

    #[test]
    fn introductions_name_what_the_release_served_before() {
        assert_eq!(
            served("autoscaling/v2", "HorizontalPodAutoscaler", v("1.22")),
            Served::NotYet {
                release: v("1.23"),
                instead: Some("autoscaling/v2beta2")
            }
        );
        assert_eq!(
            served("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", v("1.24")),
            Served::NotYet {
                release: v("1.29"),
                instead: Some("flowcontrol.apiserver.k8s.io/v1beta1")
            }
        );
        // Kinds of a group version that were always there are not affected.
        assert_eq!(served("batch/v1", "Job", v("1.16")), Served::Yes);
        assert_eq!(
            served("networking.k8s.io/v1", "NetworkPolicy", v("1.16")),
            Served::Yes
        );
    }

    #[test]
    fn the_compiled_release_serves_every_schema_and_replaces_every_removal() {
        let catalog = catalog();
        for api in APIS {
            for kind in api.kinds {
                let verdict = served(api.api_version, kind, KubernetesVersion::COMPILED);
                if catalog.root(api.api_version, kind).is_some() {
                    assert_eq!(verdict, Served::Yes, "{} {kind}", api.api_version);
                }
                if api.removed_in.is_some() && *kind != "PodSecurityPolicy" {
                    let Served::Removed { instead, .. } = verdict else {
                        panic!("{} {kind}: {verdict:?}", api.api_version);
                    };
                    assert!(instead.is_some(), "{} {kind}", api.api_version);
                }
            }
        }
    }
}
