//! Turning an object into the text a person reviews: server bookkeeping removed, keys sorted,
//! rendered as YAML.
//!
//! What the API server adds to every object (managed fields, resource version, generation, uid,
//! creation time, self link, `status`, the revision and last-applied annotations) changes on its
//! own and says nothing about what an apply does, so [`strip_noise`] removes it from both sides
//! of a diff. Keys are sorted so that the same object always renders the same text.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// `metadata` fields the server maintains.
const NOISY_METADATA: [&str; 6] = [
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
];

/// Annotations the server or older clients maintain.
const NOISY_ANNOTATIONS: [&str; 2] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
];

/// Removes server bookkeeping and `status` from an object, in place.
pub(crate) fn strip_noise(object: &mut Value) {
    let Some(fields) = object.as_object_mut() else {
        return;
    };
    fields.remove("status");
    let Some(metadata) = fields.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for key in NOISY_METADATA {
        metadata.remove(key);
    }
    let empty = match metadata.get_mut("annotations") {
        Some(Value::Object(annotations)) => {
            for key in NOISY_ANNOTATIONS {
                annotations.remove(key);
            }
            annotations.is_empty()
        }
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        metadata.remove("annotations");
    }
}

/// The same value with every mapping's keys in sorted order.
pub(crate) fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::with_capacity(map.len());
            for key in keys {
                out.insert(key.clone(), sorted(&map[key.as_str()]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Renders an object as YAML with sorted keys, ending in a newline.
pub(crate) fn to_yaml(value: &Value) -> Result<String> {
    let mut text = serde_saphyr::to_string(&sorted(value))
        .map_err(|e| Error::usage(format!("cannot render an object as YAML: {e}")))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bookkeeping_and_status_are_removed() {
        let mut object = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "backend",
                "uid": "1234",
                "resourceVersion": "99",
                "generation": 3,
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "managedFields": [{"manager": "aigen"}],
                "annotations": {
                    "deployment.kubernetes.io/revision": "3",
                    "kubectl.kubernetes.io/last-applied-configuration": "{}"
                },
                "labels": {"app": "backend"}
            },
            "spec": {"replicas": 2},
            "status": {"readyReplicas": 2}
        });
        strip_noise(&mut object);
        assert_eq!(
            object,
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "backend", "labels": {"app": "backend"}},
                "spec": {"replicas": 2}
            })
        );
    }

    #[test]
    fn annotations_of_the_user_are_kept() {
        let mut object = json!({"metadata": {"annotations": {"team": "web", "deployment.kubernetes.io/revision": "1"}}});
        strip_noise(&mut object);
        assert_eq!(
            object,
            json!({"metadata": {"annotations": {"team": "web"}}})
        );
    }

    #[test]
    fn yaml_is_rendered_with_sorted_keys() {
        let text = to_yaml(
            &json!({"kind": "ConfigMap", "apiVersion": "v1", "data": {"b": "2", "a": "1"}}),
        )
        .unwrap();
        let a = text.find("apiVersion").unwrap();
        let k = text.find("kind").unwrap();
        assert!(a < k, "{text}");
        assert!(
            text.find("a:").unwrap() < text.find("b:").unwrap(),
            "{text}"
        );
        assert!(text.ends_with('\n'));
        // Strings that look like numbers stay strings.
        let reparsed: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(reparsed["data"]["a"], json!("1"));
    }
}
