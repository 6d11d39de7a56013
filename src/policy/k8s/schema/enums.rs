//! The values an enumerated string field may take, read from its description.
//!
//! Kubernetes' Go types mark enumerations (`imagePullPolicy`, `restartPolicy`, a Service's
//! `type`, `protocol`, ...) and the API server rejects other values, but the OpenAPI definitions
//! `k8s-openapi` is generated from carry the values only in the field's description, written in
//! a few fixed shapes:
//!
//! - a sentence: `One of Always, Never, IfNotPresent.`, `Must be UDP, TCP, or SCTP.`,
//!   `Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.`,
//!   `Can be "Recreate" or "RollingUpdate".`, `Valid values are 'ClusterFirstWithHostNet', ...`;
//! - a definition list after `Valid options are:`, `Valid values are:`, `Possible values are:`
//!   or `can be one of the following values:`, each value followed by ` - `, `:` or `means`
//!   (`Localhost - a profile defined in a file on the node should be used.`).
//!
//! [`from_description`] reads both, and only when every item of the list is a single word (a
//! value such as `Always`, optionally quoted and marked `(default)`): a list that says anything
//! else (`an empty string (default) or Memory`, `a valid IP address`) is not an enumeration, and
//! the field takes any string. The values read for the fields manifests set most are pinned by a
//! test below, so a change in the descriptions shows up there.

use std::sync::LazyLock;

use regex::Regex;

/// Phrases that introduce a sentence listing the values.
const SENTENCE_LEADS: &[&str] = &[
    "one of ",
    "must be one of ",
    "must be ",
    "valid values are ",
    "valid options are ",
    "can be ",
    "supported values: ",
    "supported values are ",
];

/// Phrases that introduce a definition list of the values.
const LIST_LEADS: &[&str] = &[
    "valid options are:",
    "valid values are:",
    "possible values are:",
    "supported values are:",
    "can be one of the following values:",
];

/// One value: a word, maybe quoted.
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^["'`]?([A-Za-z][A-Za-z0-9]*)["'`]?(?:\s*\(default\))?$"#).expect("valid regex")
});

/// One entry of a definition list: a value followed by ` - `, `:` or ` means`.
static LIST_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s;.])(?:[-*]\s*)?["`]?([A-Z][A-Za-z0-9]*)["`]?(?:\s*\(default\))?(?:\s-\s|:\s|\smeans\s)"#,
    )
    .expect("valid regex")
});

/// The values a description enumerates, in the order it gives them; `None` when it does not
/// enumerate values.
pub(super) fn from_description(description: &str) -> Option<Vec<String>> {
    let lower = description.to_ascii_lowercase();
    for lead in LIST_LEADS {
        if let Some(at) = lower.find(lead) {
            let rest = &description[at + lead.len()..];
            let values: Vec<String> = LIST_ENTRY
                .captures_iter(rest)
                .map(|c| c[1].to_string())
                .collect();
            return (values.len() >= 2).then(|| dedup(values));
        }
    }
    // Only the leads the description holds at all are looked for sentence by sentence: the
    // catalog reads thousands of descriptions as every lint run starts.
    let present: Vec<&str> = SENTENCE_LEADS
        .iter()
        .copied()
        .filter(|lead| lower.contains(lead))
        .collect();
    if present.is_empty() {
        return None;
    }
    for sentence in sentences(description) {
        // ASCII lower-casing keeps every byte where it was: the sentence's lower-case text is
        // the same range of `lower`.
        let start = sentence.as_ptr() as usize - description.as_ptr() as usize;
        let lower = &lower[start..start + sentence.len()];
        for lead in &present {
            let Some(at) = lower.find(lead) else {
                continue;
            };
            // The lead starts the sentence or follows a word ending a clause ("type. Valid").
            if at > 0 && !lower[..at].ends_with(' ') {
                continue;
            }
            if let Some(values) = list(&sentence[at + lead.len()..]) {
                return Some(values);
            }
        }
    }
    None
}

/// The sentences of a description (split at `. ` and line ends).
fn sentences(description: &str) -> impl Iterator<Item = &str> {
    description
        .split(['\n'])
        .flat_map(|line| line.split(". "))
        .map(|s| s.trim().trim_end_matches('.'))
}

/// Reads `A, B, or C` / `A or B` / `either A or B` as values; `None` when an item is not a
/// single word.
fn list(text: &str) -> Option<Vec<String>> {
    let text = text.trim().strip_prefix("either ").unwrap_or(text.trim());
    let normalised = text
        .replace(", and ", ", ")
        .replace(", or ", ", ")
        .replace(" and ", ", ")
        .replace(" or ", ", ");
    let mut values = Vec::new();
    for item in normalised.split(", ") {
        let captures = VALUE.captures(item.trim())?;
        values.push(captures[1].to_string());
    }
    (values.len() >= 2).then(|| dedup(values))
}

fn dedup(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(description: &str) -> Option<Vec<String>> {
        from_description(description)
    }

    #[test]
    fn sentences_listing_values_are_enumerations() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if \
                 :latest tag is specified, or IfNotPresent otherwise.",
                &["Always", "Never", "IfNotPresent"],
            ),
            (
                "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\".",
                &["UDP", "TCP", "SCTP"],
            ),
            (
                "type determines how the Service is exposed. Defaults to ClusterIP. Valid \
                 options are ExternalName, ClusterIP, NodePort, and LoadBalancer.",
                &["ExternalName", "ClusterIP", "NodePort", "LoadBalancer"],
            ),
            (
                "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is \
                 RollingUpdate.",
                &["Recreate", "RollingUpdate"],
            ),
            (
                "Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are \
                 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'.",
                &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
            ),
            (
                "completionMode specifies how Pod completions are tracked. It can be \
                 `NonIndexed` (default) or `Indexed`.\n\n`NonIndexed` means that ...",
                &["NonIndexed", "Indexed"],
            ),
        ];
        for (description, expected) in cases {
            assert_eq!(
                values(description).as_deref(),
                Some(*expected)
                    .map(|e| {
                        // Compare as owned strings.
                        let owned: Vec<String> = e.iter().map(|s| s.to_string()).collect();
                        owned
                    })
                    .as_deref(),
                "{description}"
            );
        }
    }

    #[test]
    fn definition_lists_are_enumerations() {
        let seccomp = "type indicates which kind of seccomp profile will be applied. Valid \
                       options are:\n\nLocalhost - a profile defined in a file on the node \
                       should be used. RuntimeDefault - the container runtime default profile \
                       should be used. Unconfined - no profile should be applied.";
        assert_eq!(
            values(seccomp).unwrap(),
            ["Localhost", "RuntimeDefault", "Unconfined"]
        );
        let concurrency = "Specifies how to treat concurrent executions of a Job. Valid values \
                           are:\n\n- \"Allow\" (default): allows CronJobs to run concurrently; \
                           - \"Forbid\": forbids concurrent runs, skipping next run if previous \
                           run hasn't finished yet; - \"Replace\": cancels currently running job";
        assert_eq!(values(concurrency).unwrap(), ["Allow", "Forbid", "Replace"]);
    }

    #[test]
    fn lists_of_anything_but_values_are_not() {
        for description in [
            "medium represents what type of storage medium should back this directory. The \
             default is \"\" which means to use the node's default medium. Must be an empty \
             string (default) or Memory.",
            "clusterIP is the IP address of the service. Valid values are \"None\", empty \
             string (\"\"), or a valid IP address.",
            "Name of the container specified as a DNS_LABEL. Must be a DNS_LABEL.",
            "One of `name` or `selector` must be set, but `name` and `selector` are mutually \
             exclusive properties.",
            "Filesystem type to mount. Must be a filesystem type supported by the host \
             operating system.",
            "The image.",
        ] {
            assert_eq!(values(description), None, "{description}");
        }
    }
}
