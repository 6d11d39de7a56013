//! Kubernetes Secrets in free text: the values under `data:` and `stringData:` of a `kind: Secret` document,
//! in YAML (block or flow) and in JSON (`kubectl get secret -o json`), are replaced; keys stay,
//! so a reader still sees which entries the Secret has.
//!
//! A document is what lies between `---` lines or code fences. Templated values
//! (`{{ .Values.x | b64enc }}`), references (`${X}`) and empty values are left alone.

use std::sync::LazyLock;

use regex::Regex;

use super::decode_base64;
use crate::secrets::marker::Kind;
use crate::secrets::placeholder::is_placeholder;
use crate::secrets::rules::Found;

static KIND_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[ \t]*(?:-[ \t]+)?["']?kind["']?[ \t]*:[ \t]*["']?Secret["']?[ \t]*,?[ \t]*$"#)
        .expect("kind pattern compiles")
});

static DATA_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?P<indent>[ \t]*)(?:-[ \t]+)?["']?(?:data|stringData)["']?[ \t]*:[ \t]*(?P<rest>.*?)[ \t]*$"#)
        .expect("data pattern compiles")
});

static JSON_KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""kind"[ \t]*:[ \t]*"Secret""#).expect("json kind pattern compiles")
});

static JSON_DATA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""(?:data|stringData)"\s*:\s*\{"#).expect("json data pattern compiles")
});

/// `text` with the data of every Secret it holds redacted, or `None` when nothing changed. The
/// values replaced are added to `found`, with the text of base64 `data` decoded as well.
pub(crate) fn redact_secret_data(text: &str, found: &mut Found) -> Option<String> {
    let yaml = redact_yaml(text, found);
    let current = yaml.as_deref().unwrap_or(text);
    match redact_json(current, found) {
        Some(json) => Some(json),
        None => yaml,
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// `0` for a top-level `apiVersion:` line, `1` for a top-level `kind:` line.
fn top_level_key(line: &str) -> Option<usize> {
    if line.starts_with("apiVersion:") {
        Some(0)
    } else if line.starts_with("kind:") {
        Some(1)
    } else {
        None
    }
}

/// The column where a line's key starts (after indentation and a list dash).
fn key_column(line: &str) -> usize {
    let indent = indent_of(line);
    let rest = &line[indent..];
    match rest.strip_prefix('-') {
        Some(after) => {
            let after_dash = after.trim_start_matches([' ', '\t']);
            indent + rest.len() - after_dash.len()
        }
        None => indent,
    }
}

fn is_boundary(line: &str) -> bool {
    let t = line.trim();
    t == "---" || t.starts_with("```") || t.starts_with("~~~")
}

/// Adds a replaced value to `found`, and its decoded text when it is base64 of text.
fn note(found: &mut Found, value: &str) {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if is_placeholder(value) {
        return;
    }
    found.push((value.to_string(), Kind::K8sSecretData));
    if let Some(decoded) = decode_base64(value)
        && !decoded.contains(char::is_control)
    {
        found.push((decoded, Kind::K8sSecretData));
    }
}

fn keep_value(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.starts_with('#') || v == "{}" || v == "\"\"" || v == "''" || is_placeholder(v)
}

fn redact_yaml(text: &str, found: &mut Found) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let marker = Kind::K8sSecretData.marker();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        let mut seen = [false; 2];
        while end < lines.len() {
            if end > start && is_boundary(lines[end]) {
                break;
            }
            // Objects pasted one after another without `---`: a second top-level `apiVersion:`
            // or `kind:` starts the next one.
            if let Some(key) = top_level_key(lines[end]) {
                if end > start && seen[key] {
                    break;
                }
                seen[key] = true;
            }
            end += 1;
        }
        let document = &lines[start..end];
        let kind_column = document.iter().find_map(|l| {
            let line = l.trim_end_matches(['\n', '\r']);
            KIND_SECRET.is_match(line).then(|| key_column(line))
        });
        let is_secret = kind_column.is_some();
        if !is_secret {
            document.iter().for_each(|l| out.push_str(l));
            start = end;
            continue;
        }
        let mut i = 0;
        while i < document.len() {
            let line = document[i];
            out.push_str(line);
            i += 1;
            let content = line.trim_end_matches(['\n', '\r']);
            let Some(caps) = DATA_KEY.captures(content) else {
                continue;
            };
            if Some(key_column(content)) != kind_column {
                // `data:` of a nested object, not of the Secret.
                continue;
            }
            let rest = caps.name("rest").map_or("", |m| m.as_str());
            if !keep_value(rest) {
                // `data: {a: b}` or a scalar: the whole value goes.
                note(found, rest);
                let at = out.len() - line.len() + caps.name("rest").map_or(0, |m| m.start());
                let tail = &line[caps.name("rest").map_or(0, |m| m.end())..];
                out.truncate(at);
                out.push_str(&marker);
                out.push_str(tail);
                changed = true;
                continue;
            }
            let data_indent = indent_of(content);
            while i < document.len() {
                let entry = document[i];
                let body = entry.trim_end_matches(['\n', '\r']);
                if body.trim().is_empty() {
                    out.push_str(entry);
                    i += 1;
                    continue;
                }
                let entry_indent = indent_of(body);
                if entry_indent <= data_indent {
                    break;
                }
                i += 1;
                // A comment line between entries holds no value.
                let Some(colon) = body
                    .find(':')
                    .filter(|_| !body.trim_start().starts_with('#'))
                else {
                    out.push_str(entry);
                    continue;
                };
                let value = body[colon + 1..].trim();
                if value.starts_with('|') || value.starts_with('>') {
                    out.push_str(entry);
                    let mut first = true;
                    while i < document.len() {
                        let next = document[i].trim_end_matches(['\n', '\r']);
                        if !next.trim().is_empty() && indent_of(next) <= entry_indent {
                            break;
                        }
                        note(found, next);
                        if first && !next.trim().is_empty() {
                            out.push_str(&next[..indent_of(next)]);
                            out.push_str(&marker);
                            out.push('\n');
                            first = false;
                            changed = true;
                        }
                        i += 1;
                    }
                } else if keep_value(value) {
                    out.push_str(entry);
                } else {
                    note(found, value);
                    out.push_str(&body[..colon + 1]);
                    out.push(' ');
                    out.push_str(&marker);
                    out.push_str(&entry[body.len()..]);
                    changed = true;
                }
            }
        }
        start = end;
    }
    changed.then_some(out)
}

/// In JSON text that declares `"kind": "Secret"`, the string values of `"data"` and
/// `"stringData"` objects.
fn redact_json(text: &str, found: &mut Found) -> Option<String> {
    if !JSON_KIND.is_match(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut values: Vec<std::ops::Range<usize>> = Vec::new();
    for data in JSON_DATA.find_iter(text) {
        let mut pos = data.end();
        loop {
            pos = skip_ws(text, pos);
            if bytes.get(pos) != Some(&b'"') {
                break;
            }
            let Some(key_end) = string_end(text, pos) else {
                break;
            };
            pos = skip_ws(text, key_end);
            if bytes.get(pos) != Some(&b':') {
                break;
            }
            pos = skip_ws(text, pos + 1);
            if bytes.get(pos) != Some(&b'"') {
                break;
            }
            let Some(value_end) = string_end(text, pos) else {
                break;
            };
            if !keep_value(&text[pos + 1..value_end - 1]) {
                note(found, &text[pos + 1..value_end - 1]);
                values.push(pos + 1..value_end - 1);
            }
            pos = skip_ws(text, value_end);
            if bytes.get(pos) != Some(&b',') {
                break;
            }
            pos += 1;
        }
    }
    if values.is_empty() {
        return None;
    }
    let marker = Kind::K8sSecretData.marker();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for range in values {
        out.push_str(&text[copied..range.start]);
        out.push_str(&marker);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    while text
        .as_bytes()
        .get(pos)
        .is_some_and(|b| b.is_ascii_whitespace())
    {
        pos += 1;
    }
    pos
}

/// The offset just past the closing quote of the JSON string starting at `start`.
fn string_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_between_entries_stay() {
        let text = "apiVersion: v1\nkind: Secret\nstringData:\n  # Read by backend (src/settings.py:35)\n  DATABASE_URL: REPLACE_ME\n  # The signing key\n  SIGNING_KEY: q8Zr2LmX9vTw4Kp7\n";
        let out = redact_secret_data(text, &mut Found::new()).unwrap();
        assert!(
            out.contains("  # Read by backend (src/settings.py:35)\n"),
            "{out}"
        );
        assert!(out.contains("  DATABASE_URL: REPLACE_ME\n"), "{out}");
        assert!(
            out.contains("  SIGNING_KEY: [REDACTED:k8s-secret-data]\n"),
            "{out}"
        );
    }

    #[test]
    fn yaml_secret_values_go_and_keys_stay() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: aHVudGVyMg==\n  empty: \"\"\nstringData:\n  DATABASE_URL: postgres://u:p@db/x\n  cert: |\n    line1\n    line2\n---\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\n";
        let out = redact_secret_data(text, &mut Found::new()).unwrap();
        assert!(
            out.contains("  password: [REDACTED:k8s-secret-data]\n"),
            "{out}"
        );
        assert!(out.contains("  empty: \"\"\n"), "{out}");
        assert!(
            out.contains("  DATABASE_URL: [REDACTED:k8s-secret-data]\n"),
            "{out}"
        );
        assert!(
            out.contains("  cert: |\n    [REDACTED:k8s-secret-data]\n---"),
            "{out}"
        );
        assert!(out.contains("LOG_LEVEL: info"), "{out}");
        assert!(
            !out.contains("aHVudGVyMg") && !out.contains("line1"),
            "{out}"
        );
    }

    #[test]
    fn json_secrets_and_templates() {
        let json = r#"{"apiVersion":"v1","kind":"Secret","data":{"token":"c2VjcmV0","tpl":"{{ .Values.x }}"}}"#;
        let out = redact_secret_data(json, &mut Found::new()).unwrap();
        assert_eq!(
            out,
            r#"{"apiVersion":"v1","kind":"Secret","data":{"token":"[REDACTED:k8s-secret-data]","tpl":"{{ .Values.x }}"}}"#
        );
        let helm = "kind: Secret\nstringData:\n  password: {{ .Values.db.password | quote }}\n";
        assert_eq!(redact_secret_data(helm, &mut Found::new()), None);
    }

    #[test]
    fn only_the_secret_object_loses_its_data() {
        // Objects pasted without `---`, a Secret listed after a ConfigMap, and a `data:` key
        // nested inside another object of the Secret's document.
        let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info\napiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    data: visible\ndata:\n  token: c2VjcmV0\n";
        let out = redact_secret_data(text, &mut Found::new()).unwrap();
        assert!(out.contains("LOG_LEVEL: info"), "{out}");
        assert!(out.contains("    data: visible"), "{out}");
        assert!(out.contains("  token: [REDACTED:k8s-secret-data]"), "{out}");
        let listed = "items:\n  - kind: Secret\n    data:\n      a: YWJj\n";
        let out = redact_secret_data(listed, &mut Found::new()).unwrap();
        assert!(out.contains("      a: [REDACTED:k8s-secret-data]"), "{out}");
    }
}
