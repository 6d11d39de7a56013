//! Container requests and limits read as exact [`Quantity`]s, and a pod's effective requests the
//! way the scheduler computes them.

use super::object::{Container, PodSpec};
use super::quantity::{Quantity, QuantityError};
use super::yaml_tree::Node;

/// The two resources the constitution governs.
pub(crate) const RESOURCES: [&str; 2] = ["cpu", "memory"];

/// The two sections of `resources`.
pub(crate) const SECTIONS: [&str; 2] = ["requests", "limits"];

/// One amount as written: `resources.<section>.<resource>`.
#[derive(Debug, Clone)]
pub(crate) struct Amount<'a> {
    pub key: &'a Node,
    pub node: &'a Node,
    pub value: Result<Quantity, QuantityError>,
}

impl Amount<'_> {
    /// The text as written, for messages.
    pub(crate) fn text(&self) -> &str {
        self.node.as_str().unwrap_or("")
    }
}

/// `resources.<section>.<resource>` of a container, when set.
pub(crate) fn amount<'a>(
    container: &Container<'a>,
    section: &str,
    resource: &str,
) -> Option<Amount<'a>> {
    let entry = container
        .node
        .path(&["resources", section])?
        .entry(resource)
        .filter(|e| !e.value.is_null())?;
    let value = match entry.value.as_str() {
        Some(text) => Quantity::parse(text),
        None => Err(QuantityError::Malformed),
    };
    Some(Amount {
        key: &entry.key,
        node: &entry.value,
        value,
    })
}

/// What a container requests of a resource, as the scheduler sees it: its request, else its
/// limit (Kubernetes copies a limit into an unset request), else nothing.
pub(crate) fn effective_request(container: &Container<'_>, resource: &str) -> Quantity {
    ["requests", "limits"]
        .iter()
        .find_map(|section| amount(container, section, resource)?.value.ok())
        .unwrap_or(Quantity::ZERO)
}

/// What one pod requests of a resource: the sum over its containers, or the largest init
/// container's request when that is more (init containers run one at a time, before the rest).
pub(crate) fn pod_request(spec: &PodSpec<'_>, resource: &str) -> Quantity {
    let mut regular = Quantity::ZERO;
    let mut init = Quantity::ZERO;
    for container in spec.containers() {
        let request = effective_request(&container, resource);
        if container.init {
            init = init.max(request);
        } else {
            regular = regular.saturating_add(request);
        }
    }
    regular.max(init)
}

#[cfg(test)]
mod tests {
    use super::super::object::Object;
    use super::super::yaml_tree::load;
    use super::*;

    #[test]
    fn pod_requests_count_limits_and_init_containers_like_the_scheduler() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    resources: {requests: {cpu: 250m}}\n  \
                    - name: b\n    resources: {limits: {cpu: 500m, memory: 1Gi}}\n  initContainers:\n  \
                    - name: i\n    resources: {requests: {cpu: '2', memory: 64Mi}}\n";
        let root = load(text).documents.remove(0).root;
        let object = Object::from_node(&root).unwrap();
        let spec = object.pod_spec().unwrap();
        assert_eq!(pod_request(&spec, "cpu"), Quantity::from_units(2));
        assert_eq!(pod_request(&spec, "memory"), Quantity::from_units(1 << 30));
    }
}
