//! The Kubernetes rules, one per file, and [`TABLE`], the one list of them.
//!
//! `AG-K0xx` rules check one object at a time; `AG-K1xx` rules look across every object linted
//! together; `AG-K2xx` (in [`crate::policy::helm`]) check a Helm chart's own files. A rule file
//! holds the rule's metadata and documentation (`declare_rule!`, whose doc comment is what
//! `aigen lint --explain` prints), its parameters when it has any, and its `check` function.

use super::check::{Check, Entry};

mod capabilities;
mod cluster_request_share;
mod host_ipc;
mod host_namespace;
mod host_network;
mod host_path;
mod host_pid;
mod image_tag;
mod literal_secrets;
mod liveness_probe;
mod manifest_yaml;
mod minimum_replicas;
mod no_privilege_escalation;
mod pod_disruption_budget;
mod privileged;
mod probe;
mod probe_port;
mod probe_timing;
mod read_only_root_filesystem;
mod readiness_probe;
mod recommended_labels;
mod references_exist;
mod resources_set;
mod resources_within_class;
mod rolling_update;
mod run_as_non_root;
mod seccomp_profile;
mod secret_data;
mod security_flag;
mod service_selects_pods;
mod service_target_port;
mod service_type;

pub(crate) use manifest_yaml::RULE as MANIFEST_YAML;

/// Every Kubernetes rule and how it runs, in code order.
pub static TABLE: &[Entry] = &[
    builtin(&manifest_yaml::RULE),
    object(&minimum_replicas::RULE, minimum_replicas::check),
    object(&rolling_update::RULE, rolling_update::check),
    object(&resources_set::RULE, resources_set::check),
    object(&resources_within_class::RULE, resources_within_class::check),
    object(&liveness_probe::RULE, liveness_probe::check),
    object(&readiness_probe::RULE, readiness_probe::check),
    object(&probe_port::RULE, probe_port::check),
    object(&run_as_non_root::RULE, run_as_non_root::check),
    object(
        &no_privilege_escalation::RULE,
        no_privilege_escalation::check,
    ),
    object(
        &read_only_root_filesystem::RULE,
        read_only_root_filesystem::check,
    ),
    object(&capabilities::RULE, capabilities::check),
    object(&privileged::RULE, privileged::check),
    object(&seccomp_profile::RULE, seccomp_profile::check),
    object(&image_tag::RULE, image_tag::check),
    object(&literal_secrets::RULE, literal_secrets::check),
    object(&secret_data::RULE, secret_data::check),
    object(&service_type::RULE, service_type::check),
    object(&recommended_labels::RULE, recommended_labels::check),
    object(&host_network::RULE, host_network::check),
    object(&host_pid::RULE, host_pid::check),
    object(&host_ipc::RULE, host_ipc::check),
    object(&host_path::RULE, host_path::check),
    object(&probe_timing::RULE, probe_timing::check),
    set(&service_selects_pods::RULE, service_selects_pods::check),
    set(&service_target_port::RULE, service_target_port::check),
    set(&pod_disruption_budget::RULE, pod_disruption_budget::check),
    set(&references_exist::RULE, references_exist::check),
    set(&cluster_request_share::RULE, cluster_request_share::check),
];

const fn object(
    rule: &'static crate::policy::registry::Rule,
    check: fn(&mut super::check::Checker<'_, '_>, &super::set::Item<'_>),
) -> Entry {
    Entry {
        rule,
        check: Check::Object(check),
    }
}

const fn set(
    rule: &'static crate::policy::registry::Rule,
    check: fn(&mut super::check::Checker<'_, '_>),
) -> Entry {
    Entry {
        rule,
        check: Check::Set(check),
    }
}

const fn builtin(rule: &'static crate::policy::registry::Rule) -> Entry {
    Entry {
        rule,
        check: Check::Builtin,
    }
}
