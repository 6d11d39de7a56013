//! Masking Secret values in the objects a cluster apply diffs, before the diff is shown.
//!
//! A Secret's `data` and `stringData` values never reach the screen. Each value is replaced with a
//! fixed marker; when the live object and the proposed one hold different values under the same
//! key, the two sides get different markers, so the diff still shows that the value changes
//! without showing either value. Keys stay visible: they are names, not secrets.

use std::collections::HashSet;

use serde_json::Value;

/// Marker for a value that is the same on both sides (or exists on one side only).
pub const HIDDEN: &str = "(hidden)";
/// Marker for the live side of a value that changes.
pub const HIDDEN_OLD: &str = "(hidden, current value)";
/// Marker for the proposed side of a value that changes.
pub const HIDDEN_NEW: &str = "(hidden, new value)";

const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// Whether an object is a core `Secret`.
pub(crate) fn is_secret_object(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Secret")
        && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Masks the values of a Secret (and of its live counterpart, when there is one) in place.
/// Objects that are not Secrets are left alone.
pub(crate) fn mask_secret_values(mut live: Option<&mut Value>, proposed: &mut Value) {
    if !is_secret_object(proposed) {
        return;
    }
    for field in SECRET_FIELDS {
        let changed = changed_keys(live.as_deref(), proposed, field);
        if let Some(live) = live.as_deref_mut() {
            mask_field(live, field, &changed, HIDDEN_OLD);
        }
        mask_field(proposed, field, &changed, HIDDEN_NEW);
    }
}

/// Keys present on both sides of `field` with different values.
fn changed_keys(live: Option<&Value>, proposed: &Value, field: &str) -> HashSet<String> {
    let old = live.and_then(|l| l.get(field)).and_then(Value::as_object);
    let new = proposed.get(field).and_then(Value::as_object);
    match (old, new) {
        (Some(old), Some(new)) => new
            .iter()
            .filter(|(key, value)| old.get(*key).is_some_and(|o| o != *value))
            .map(|(key, _)| key.clone())
            .collect(),
        _ => HashSet::new(),
    }
}

/// Replaces every value of `field` with [`HIDDEN`], or `changed_marker` for changed keys.
fn mask_field(object: &mut Value, field: &str, changed: &HashSet<String>, changed_marker: &str) {
    match object.get_mut(field) {
        Some(Value::Object(values)) => {
            for (key, value) in values.iter_mut() {
                let marker = if changed.contains(key) {
                    changed_marker
                } else {
                    HIDDEN
                };
                *value = Value::String(marker.to_string());
            }
        }
        Some(Value::Null) | None => {}
        // Malformed (the server will say so); still nothing of it is shown.
        Some(other) => *other = Value::String(HIDDEN.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": data})
    }

    #[test]
    fn a_new_secret_shows_its_keys_only() {
        let mut proposed = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
            "stringData": {"password": "s3cret-value"}, "data": {"user": "YWRtaW4="}});
        mask_secret_values(None, &mut proposed);
        let text = proposed.to_string();
        assert!(
            !text.contains("s3cret-value") && !text.contains("YWRtaW4="),
            "{text}"
        );
        assert_eq!(proposed["stringData"]["password"], json!(HIDDEN));
        assert_eq!(proposed["data"]["user"], json!(HIDDEN));
    }

    #[test]
    fn changed_values_show_as_changed_without_either_value() {
        let mut live = secret(json!({"password": "b2xk", "user": "YWRtaW4=", "gone": "eA=="}));
        let mut proposed = secret(json!({"password": "bmV3", "user": "YWRtaW4=", "added": "eQ=="}));
        mask_secret_values(Some(&mut live), &mut proposed);
        assert_eq!(live["data"]["password"], json!(HIDDEN_OLD));
        assert_eq!(proposed["data"]["password"], json!(HIDDEN_NEW));
        assert_eq!(live["data"]["user"], proposed["data"]["user"]);
        assert_eq!(live["data"]["gone"], json!(HIDDEN));
        assert_eq!(proposed["data"]["added"], json!(HIDDEN));
        let text = format!("{live}{proposed}");
        for value in ["b2xk", "bmV3", "YWRtaW4=", "eA==", "eQ=="] {
            assert!(!text.contains(value), "{text}");
        }
    }

    #[test]
    fn other_kinds_are_untouched() {
        let mut proposed = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}});
        let before = proposed.clone();
        mask_secret_values(None, &mut proposed);
        assert_eq!(proposed, before);
    }
}
