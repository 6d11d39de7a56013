//! The builtin Helm chart: the seed plan's layout, Chart.yaml and values files that parse, every
//! value a template reads present in values.yaml, overrides that only override, and no secret
//! value anywhere.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::builtin::{every_stack, phase_iv_params, seed};
use aigen::provider::builtin::{GeneratedFile, Params, helm_chart};
use regex::Regex;
use serde_json::Value;

fn chart(params: &Params) -> BTreeMap<String, String> {
    helm_chart(&seed(), params)
        .into_iter()
        .map(|GeneratedFile { path, content }| (path, content))
        .collect()
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

/// Follows a dotted path (`services.backend.image.tag`) in a values tree.
fn lookup<'a>(root: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, key| node.get(*key))
}

#[test]
fn the_chart_has_the_seed_plans_layout() {
    let files = chart(&Params::default());
    let mut expected: BTreeSet<String> = [
        "Chart.yaml",
        "values.yaml",
        "values-dev.yaml",
        "values-prod.yaml",
        ".helmignore",
        "templates/_helpers.tpl",
        "templates/configmap.yaml",
        "templates/secret.yaml",
        "templates/NOTES.txt",
    ]
    .iter()
    .map(|f| format!("helm-charts/todo-app/{f}"))
    .collect();
    for service in ["backend", "frontend-web", "frontend-chatbot"] {
        for kind in [
            "deployment",
            "service",
            "pdb",
            "networkpolicy",
            "serviceaccount",
        ] {
            expected.insert(format!(
                "helm-charts/todo-app/templates/{service}-{kind}.yaml"
            ));
        }
    }
    assert_eq!(files.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(files.values().all(|text| text.ends_with('\n')));
}

#[test]
fn chart_yaml_has_the_constitutions_metadata() {
    let files = chart(&Params::default());
    let meta = yaml(&files["helm-charts/todo-app/Chart.yaml"]);
    assert_eq!(meta["apiVersion"], "v2");
    assert_eq!(meta["name"], "todo-app");
    assert_eq!(meta["version"], "1.0.0");
    // The version the plain manifests label shared objects with: the image tag.
    assert_eq!(meta["appVersion"], "1.0.0");
    assert_eq!(meta["type"], "application");
}

#[test]
fn values_hold_the_constitution_preset() {
    let files = chart(&phase_iv_params());
    let values = yaml(&files["helm-charts/todo-app/values.yaml"]);
    let backend = &values["services"]["backend"];
    assert_eq!(backend["replicas"], 2);
    assert_eq!(backend["image"]["repository"], "todo-app/backend");
    assert_eq!(backend["image"]["tag"], "1.0.0");
    assert_eq!(backend["service"]["type"], "ClusterIP");
    assert_eq!(backend["resources"]["limits"]["memory"], "512Mi");
    assert_eq!(backend["livenessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(
        values["services"]["frontend-web"]["service"]["nodePort"],
        30000
    );
    assert_eq!(
        values["services"]["frontend-chatbot"]["service"]["nodePort"],
        30001
    );
    assert_eq!(values["rollingUpdate"]["maxUnavailable"], 0);
    assert_eq!(values["podDisruptionBudget"]["minAvailable"], 1);
    assert_eq!(values["securityContext"]["readOnlyRootFilesystem"], true);
    let secrets = values["secrets"]["values"].as_object().unwrap();
    assert_eq!(secrets.len(), 3);
    assert!(
        secrets.values().all(|v| v == ""),
        "secret values must be empty"
    );
    // No value aigen knows: no key (the app keeps its default); values.yaml names it in a comment.
    assert!(values["config"].get("LOG_LEVEL").is_none(), "{values}");
    assert!(
        files["helm-charts/todo-app/values.yaml"].contains("LOG_LEVEL"),
        "LOG_LEVEL is not named in values.yaml"
    );
    let prod = yaml(&files["helm-charts/todo-app/values-prod.yaml"]);
    assert_eq!(prod["services"]["backend"]["image"]["pullPolicy"], "Always");
    let dev = yaml(&files["helm-charts/todo-app/values-dev.yaml"]);
    assert_eq!(
        dev["services"]["frontend-web"]["image"]["pullPolicy"],
        "IfNotPresent"
    );
}

#[test]
fn every_value_a_template_reads_is_in_values_yaml() {
    let bind = Regex::new(r#"\$svc := index \.Values\.services "([^"]+)""#).unwrap();
    let svc_ref = Regex::new(r"\$svc((?:\.[A-Za-z_][A-Za-z0-9_]*)+)").unwrap();
    let values_ref = Regex::new(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)").unwrap();
    let index_ref = Regex::new(r#"index \.Values\.([A-Za-z.]+) "([^"]+)""#).unwrap();
    for params in [Params::default(), {
        let mut p = Params::default();
        p.chart.ingress = true;
        p
    }] {
        let files = chart(&params);
        let values = yaml(&files["helm-charts/todo-app/values.yaml"]);
        let mut checked = 0;
        for (path, text) in files.iter().filter(|(p, _)| p.contains("/templates/")) {
            let service = bind.captures(text).map(|c| c[1].to_string());
            for found in svc_ref.captures_iter(text) {
                let service = service
                    .as_deref()
                    .unwrap_or_else(|| panic!("{path}: $svc used but not bound"));
                let mut keys = vec!["services", service];
                keys.extend(found[1].trim_start_matches('.').split('.'));
                assert!(
                    lookup(&values, &keys).is_some(),
                    "{path}: $svc{} is not in values.yaml",
                    &found[1]
                );
                checked += 1;
            }
            for found in values_ref.captures_iter(text) {
                let keys: Vec<&str> = found[1].trim_start_matches('.').split('.').collect();
                assert!(
                    lookup(&values, &keys).is_some(),
                    "{path}: .Values{} is not in values.yaml",
                    &found[1]
                );
                checked += 1;
            }
            for found in index_ref.captures_iter(text) {
                let mut keys: Vec<&str> = found[1].split('.').collect();
                keys.push(&found[2]);
                assert!(
                    lookup(&values, &keys).is_some(),
                    "{path}: index .Values.{} {:?} is not in values.yaml",
                    &found[1],
                    &found[2]
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} references found");
    }
}

/// Every key path of a values tree, down to the leaves (and empty maps).
fn key_paths(node: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match node.as_object() {
        Some(map) if !map.is_empty() => {
            for (key, child) in map {
                key_paths(child, &format!("{prefix}.{key}"), out);
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

#[test]
fn environment_overrides_only_override() {
    let mut params = Params::default();
    params.chart.ingress = true;
    let files = chart(&params);
    let mut known = BTreeSet::new();
    key_paths(
        &yaml(&files["helm-charts/todo-app/values.yaml"]),
        "",
        &mut known,
    );
    for name in ["values-dev.yaml", "values-prod.yaml"] {
        let mut overridden = BTreeSet::new();
        key_paths(
            &yaml(&files[&format!("helm-charts/todo-app/{name}")]),
            "",
            &mut overridden,
        );
        let unknown: Vec<_> = overridden.difference(&known).collect();
        assert!(
            unknown.is_empty(),
            "{name} sets keys values.yaml does not have: {unknown:?}"
        );
    }
}

#[test]
fn the_ingress_is_optional_and_routes_each_front_end() {
    assert!(
        !chart(&Params::default())
            .keys()
            .any(|p| p.ends_with("ingress.yaml"))
    );
    let mut params = Params::default();
    params.chart.ingress = true;
    let files = chart(&params);
    let ingress = &files["helm-charts/todo-app/templates/ingress.yaml"];
    assert!(
        ingress.starts_with("{{- if .Values.ingress.enabled }}\n"),
        "{ingress}"
    );
    assert!(ingress.contains("name: frontend-web") && ingress.contains("name: frontend-chatbot"));
    assert!(!ingress.contains("name: backend\n"));
    let values = yaml(&files["helm-charts/todo-app/values.yaml"]);
    assert_eq!(values["ingress"]["enabled"], false);
    assert_eq!(
        values["ingress"]["hosts"]["frontend-web"],
        "frontend-web.todo-app.local"
    );
    let prod = yaml(&files["helm-charts/todo-app/values-prod.yaml"]);
    assert_eq!(prod["ingress"]["enabled"], true);
}

#[test]
fn no_secret_value_is_written_and_the_secret_template_yields_to_an_existing_one() {
    let files = chart(&Params::default());
    let secret = &files["helm-charts/todo-app/templates/secret.yaml"];
    assert!(
        secret.starts_with("{{- if not .Values.secrets.existingSecret }}\n"),
        "{secret}"
    );
    assert!(
        secret.contains("{{- toYaml .Values.secrets.values | nindent 2 }}"),
        "{secret}"
    );
    let deployment = &files["helm-charts/todo-app/templates/backend-deployment.yaml"];
    assert!(
        deployment
            .contains(r#"name: {{ .Values.secrets.existingSecret | default "todo-app-secrets" }}"#),
        "{deployment}"
    );
    for (path, text) in &files {
        assert!(!text.contains("REPLACE_ME"), "{path}");
    }
}

#[test]
fn per_service_templates_bind_their_values_and_optional_objects_are_guarded() {
    let files = chart(&Params::default());
    for service in ["backend", "frontend-web"] {
        for kind in ["deployment", "service", "serviceaccount"] {
            let text = &files[&format!("helm-charts/todo-app/templates/{service}-{kind}.yaml")];
            assert!(
                text.starts_with(&format!(
                    "{{{{- $svc := index .Values.services \"{service}\" }}}}\n"
                )),
                "{text}"
            );
        }
        let pdb = &files[&format!("helm-charts/todo-app/templates/{service}-pdb.yaml")];
        assert!(
            pdb.starts_with("{{- if .Values.podDisruptionBudget.enabled }}\n")
                && pdb.ends_with("{{- end }}\n"),
            "{pdb}"
        );
        let policy =
            &files[&format!("helm-charts/todo-app/templates/{service}-networkpolicy.yaml")];
        assert!(
            policy.starts_with("{{- if .Values.networkPolicy.enabled }}\n"),
            "{policy}"
        );
    }
    let deployment = &files["helm-charts/todo-app/templates/frontend-web-deployment.yaml"];
    for expr in [
        "replicas: {{ $svc.replicas }}",
        r#"image: "{{ $svc.image.repository }}:{{ $svc.image.tag }}""#,
        "{{- toYaml $svc.resources | nindent 12 }}",
        "{{- toYaml .Values.podSecurityContext | nindent 8 }}",
        "namespace: {{ .Release.Namespace }}",
    ] {
        assert!(
            deployment.contains(expr),
            "missing {expr:?} in\n{deployment}"
        );
    }
}

#[test]
fn the_chart_is_named_after_the_app_and_deterministic() {
    let params = Params::for_app("shop");
    let services = every_stack();
    let files = helm_chart(&services, &params);
    assert_eq!(files, helm_chart(&services, &params));
    assert!(
        files
            .iter()
            .all(|f| f.path.starts_with("helm-charts/shop/"))
    );
    let helpers = files
        .iter()
        .find(|f| f.path.ends_with("_helpers.tpl"))
        .unwrap();
    assert!(helpers.content.contains(r#"define "shop.chart""#));
    let deployment = files
        .iter()
        .find(|f| f.path.ends_with("backend-deployment.yaml"))
        .unwrap();
    assert!(
        deployment
            .content
            .contains(r#"{{ include "shop.chart" . }}"#)
    );
}
