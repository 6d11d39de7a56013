//! Which values of a manifest must never be shown: every value of a Secret, and literal env
//! values and ConfigMap values that are secrets by name or by shape. Findings on their lines are
//! rendered with the value masked ([`mask_excerpt`]). The answers themselves come from
//! [`crate::secrets`].

use super::object::Object;
use super::yaml_tree::Node;
use crate::policy::finding::Excerpt;
use crate::secrets::k8s::decode_base64;
use crate::secrets::mask::{Cells, mask_cells};
use crate::secrets::{is_secret_setting, shape_of};

/// The value of a Secret's `data` (decoded) or `stringData` entry.
pub(crate) fn secret_value(node: &Node, base64: bool) -> Option<String> {
    let text = node.as_str()?;
    if base64 {
        decode_base64(text)
    } else {
        Some(text.to_string())
    }
}

/// The nodes of an object whose text must not be shown: every value of a Secret, and literal
/// env values and ConfigMap values that are secrets by name or shape.
fn sensitive_nodes<'a>(object: &Object<'a>, listed: &[String]) -> Vec<&'a Node> {
    let mut nodes = Vec::new();
    match object.kind {
        "Secret" => {
            for key in ["data", "stringData"] {
                if let Some(map) = object.node.get(key) {
                    nodes.extend(map.entries().iter().map(|e| &e.value));
                }
            }
        }
        "ConfigMap" => {
            if let Some(map) = object.node.get("data") {
                for entry in map.entries() {
                    let name = entry.key.as_str().unwrap_or_default();
                    let value = entry.value.as_str().unwrap_or_default();
                    if is_secret_setting(name, listed) || shape_of(value).is_some() {
                        nodes.push(&entry.value);
                    }
                }
            }
        }
        _ => {}
    }
    if let Some(spec) = object.pod_spec() {
        for container in spec.containers() {
            for env in container.env() {
                let Some(value) = env.get("value") else {
                    continue;
                };
                let name = env.get("name").and_then(Node::as_str).unwrap_or_default();
                let text = value.as_str().unwrap_or_default();
                if is_secret_setting(name, listed) || shape_of(text).is_some() {
                    nodes.push(value);
                }
            }
        }
    }
    nodes
}

/// Where the text of [`sensitive_nodes`] sits: what [`mask_excerpt`] masks. Kept apart from the
/// tree, so findings reported after the tree is gone are masked too.
pub(crate) fn sensitive_cells(object: &Object<'_>, listed: &[String]) -> Vec<Cells> {
    sensitive_nodes(object, listed)
        .into_iter()
        .map(|node| Cells {
            start: (node.mark.line as usize, node.mark.column as usize),
            end: (node.end.line as usize, node.end.column as usize),
        })
        .collect()
}

/// Masks, in an excerpt, the given stretches of text with `*` (so columns stay true).
pub(crate) fn mask_excerpt(excerpt: &mut Excerpt, cells: &[Cells]) {
    if let Some(masked) = mask_cells(&excerpt.text, excerpt.first_line, cells) {
        excerpt.text = masked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_masked_in_place() {
        let loaded =
            super::super::yaml_tree::load("env:\n  - name: API_KEY\n    value: \"sk-123\"\n");
        let value = loaded.documents[0].root.get("env").unwrap().items()[0]
            .get("value")
            .unwrap();
        let cells = Cells {
            start: (value.mark.line as usize, value.mark.column as usize),
            end: (value.end.line as usize, value.end.column as usize),
        };
        let mut excerpt = Excerpt {
            first_line: 3,
            text: "    value: \"sk-123\"".to_string(),
        };
        mask_excerpt(&mut excerpt, &[cells]);
        assert_eq!(excerpt.text, "    value: ********");
    }
}
