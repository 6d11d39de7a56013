//! The Kubernetes rules, one per file; [`crate::policy::registry::RULES`] lists them.
//!
//! `AG-K0xx` rules check one object at a time; `AG-K1xx` rules look across every object linted
//! together; `AG-K2xx` (in [`crate::policy::helm`]) check a Helm chart's own files. A rule file
//! holds the rule's metadata and documentation (`declare_rule!`, whose doc comment is what
//! `aigen lint --explain` prints), its parameters when it has any, and its `check` function.

pub(crate) mod api_version_served;
pub(crate) mod capabilities;
pub(crate) mod cluster_request_share;
pub(crate) mod container_ports;
pub(crate) mod duplicate_object;
pub(crate) mod host_ipc;
pub(crate) mod host_network;
pub(crate) mod host_path;
pub(crate) mod host_pid;
pub(crate) mod image_tag;
pub(crate) mod literal_secrets;
pub(crate) mod liveness_probe;
pub(crate) mod manifest_yaml;
pub(crate) mod minimum_replicas;
pub(crate) mod no_privilege_escalation;
pub(crate) mod pod_disruption_budget;
pub(crate) mod privileged;
pub(crate) mod probe_port;
pub(crate) mod probe_timing;
pub(crate) mod read_only_root_filesystem;
pub(crate) mod readiness_probe;
pub(crate) mod recommended_labels;
pub(crate) mod references_exist;
pub(crate) mod resources_set;
pub(crate) mod resources_within_class;
pub(crate) mod rolling_update;
pub(crate) mod run_as_non_root;
pub(crate) mod schema_enum;
pub(crate) mod schema_required;
pub(crate) mod schema_type;
pub(crate) mod schema_unknown_field;
pub(crate) mod schema_unknown_kind;
pub(crate) mod seccomp_profile;
pub(crate) mod secret_data;
pub(crate) mod service_selects_pods;
pub(crate) mod service_target_port;
pub(crate) mod service_type;
