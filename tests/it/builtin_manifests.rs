//! The builtin Kubernetes manifests: valid objects of their kinds, the constitution's numbers,
//! secrets only as placeholders, and checkov's verdict pinned to the failures we keep on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::support::builtin::{
    CHECKOV_KEPT, checkov_reports, every_stack, phase_iv_params, seed, tool, write_files,
};
use aigen::detect::Service;
use aigen::provider::builtin::{GeneratedFile, Params, dockerfile, manifests};
use serde_json::{Value, json};

/// Parses a manifest and checks it against the typed object of its kind: a field the kind does
/// not have, or a value of the wrong type, makes the typed round trip differ.
fn parse(file: &GeneratedFile) -> Value {
    let value: Value = serde_saphyr::from_str(&file.content)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}\n{}", file.path, file.content));
    fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Value {
        serde_json::to_value(serde_saphyr::from_str::<T>(text).unwrap()).unwrap()
    }
    use k8s_openapi::api::{apps, core, networking, policy};
    let text = &file.content;
    let round_trip = match value["kind"].as_str().unwrap_or_default() {
        "Deployment" => typed::<apps::v1::Deployment>(text),
        "Service" => typed::<core::v1::Service>(text),
        "ServiceAccount" => typed::<core::v1::ServiceAccount>(text),
        "ConfigMap" => typed::<core::v1::ConfigMap>(text),
        "Secret" => typed::<core::v1::Secret>(text),
        "Namespace" => typed::<core::v1::Namespace>(text),
        "PodDisruptionBudget" => typed::<policy::v1::PodDisruptionBudget>(text),
        "NetworkPolicy" => typed::<networking::v1::NetworkPolicy>(text),
        other => panic!("{}: unexpected kind {other}", file.path),
    };
    assert_eq!(
        round_trip, value,
        "{}: fields the kind does not have",
        file.path
    );
    value
}

fn by_path(files: &[GeneratedFile]) -> BTreeMap<String, Value> {
    files.iter().map(|f| (f.path.clone(), parse(f))).collect()
}

#[test]
fn the_seed_gets_the_seed_plans_files_and_every_one_is_a_valid_object() {
    let files = manifests(&seed(), &Params::default());
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut expected = BTreeSet::from([
        "k8s/namespace.yaml",
        "k8s/configmap.yaml",
        "k8s/secret.yaml.example",
    ]);
    let per_service: Vec<String> = ["backend", "frontend-web", "frontend-chatbot"]
        .iter()
        .flat_map(|s| {
            [
                "deployment",
                "service",
                "pdb",
                "networkpolicy",
                "serviceaccount",
            ]
            .map(|k| format!("k8s/{s}-{k}.yaml"))
        })
        .collect();
    expected.extend(per_service.iter().map(String::as_str));
    assert_eq!(paths, expected);
    for file in &files {
        assert!(
            file.content.ends_with('\n') && !file.content.ends_with("\n\n"),
            "{}",
            file.path
        );
        parse(file);
    }
}

#[test]
fn every_object_carries_the_recommended_labels_and_the_namespace() {
    for (path, object) in by_path(&manifests(&every_stack(), &Params::default())) {
        let labels = &object["metadata"]["labels"];
        for key in [
            "name",
            "instance",
            "version",
            "component",
            "part-of",
            "managed-by",
        ] {
            assert!(
                labels[format!("app.kubernetes.io/{key}")].is_string(),
                "{path}: no {key} label"
            );
        }
        assert_eq!(labels["app.kubernetes.io/managed-by"], "aigen", "{path}");
        assert_eq!(labels["app.kubernetes.io/part-of"], "todo-app", "{path}");
        if object["kind"] != "Namespace" {
            assert_eq!(object["metadata"]["namespace"], "todo-app", "{path}");
        }
    }
}

#[test]
fn deployments_follow_the_constitution() {
    let objects = by_path(&manifests(&seed(), &phase_iv_params()));
    let cases = [
        (
            "backend",
            8000,
            "/health",
            "/ready",
            ("250m", "256Mi", "500m", "512Mi"),
            vec!["/tmp"],
        ),
        (
            "frontend-web",
            3000,
            "/api/health",
            "/api/health",
            ("100m", "128Mi", "200m", "256Mi"),
            vec!["/tmp", "/app/.next/cache"],
        ),
        (
            "frontend-chatbot",
            3001,
            "/health",
            "/ready",
            ("100m", "128Mi", "200m", "256Mi"),
            vec!["/tmp", "/app/.next/cache"],
        ),
    ];
    for (name, port, live, ready, (rc, rm, lc, lm), dirs) in cases {
        let d = &objects[&format!("k8s/{name}-deployment.yaml")];
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], 2, "{name}");
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
        );
        let selector = &spec["selector"]["matchLabels"];
        let pod = &spec["template"]["spec"];
        for (key, value) in selector.as_object().unwrap() {
            assert_eq!(
                &spec["template"]["metadata"]["labels"][key], value,
                "{name}: selector does not match the pod"
            );
        }
        assert_eq!(pod["automountServiceAccountToken"], false);
        assert_eq!(pod["serviceAccountName"], name);
        assert_eq!(
            pod["securityContext"],
            json!({"runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}})
        );
        let c = &pod["containers"][0];
        assert_eq!(c["image"], format!("todo-app/{name}:1.0.0"));
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(
            c["ports"],
            json!([{"name": "http", "containerPort": port, "protocol": "TCP"}])
        );
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"path": live, "port": "http"}, "initialDelaySeconds": 10, "periodSeconds": 30, "timeoutSeconds": 3, "failureThreshold": 3}),
            "{name}"
        );
        assert_eq!(
            c["readinessProbe"],
            json!({"httpGet": {"path": ready, "port": "http"}, "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 3}),
            "{name}"
        );
        assert_eq!(
            c["resources"],
            json!({"requests": {"cpu": rc, "memory": rm}, "limits": {"cpu": lc, "memory": lm}}),
            "{name}"
        );
        let sc = &c["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false);
        assert_eq!(sc["readOnlyRootFilesystem"], true);
        assert_eq!(sc["runAsNonRoot"], true);
        assert_eq!(sc["capabilities"], json!({"drop": ["ALL"]}));
        let mounts: Vec<&str> = c["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["mountPath"].as_str().unwrap())
            .collect();
        assert_eq!(mounts, dirs, "{name}");
        let volumes: BTreeSet<&str> = pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                assert!(v["emptyDir"].is_object());
                v["name"].as_str().unwrap()
            })
            .collect();
        let mounted: BTreeSet<&str> = c["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(volumes, mounted, "{name}");
    }
}

#[test]
fn environment_comes_from_the_config_map_and_the_secret() {
    let objects = by_path(&manifests(&seed(), &Params::default()));
    let env =
        &objects["k8s/backend-deployment.yaml"]["spec"]["template"]["spec"]["containers"][0]["env"];
    let refs: BTreeMap<&str, (&str, &str)> = env
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let from = e["valueFrom"].as_object().unwrap();
            let (kind, source) = from.iter().next().unwrap();
            assert_eq!(source["key"], e["name"]);
            (
                e["name"].as_str().unwrap(),
                (kind.as_str(), source["name"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(refs["DATABASE_URL"], ("secretKeyRef", "todo-app-secrets"));
    assert_eq!(refs["OPENAI_API_KEY"], ("secretKeyRef", "todo-app-secrets"));
    assert_eq!(
        refs["BETTER_AUTH_SECRET"],
        ("secretKeyRef", "todo-app-secrets")
    );
    assert_eq!(refs["LOG_LEVEL"], ("configMapKeyRef", "todo-app-config"));
    assert_eq!(refs.len(), 5);
    // LOG_LEVEL has no value aigen knows: no key, so the app keeps its own default, and an
    // optional reference, so adding the key later sets it.
    let log_level = env
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "LOG_LEVEL")
        .unwrap();
    assert_eq!(log_level["valueFrom"]["configMapKeyRef"]["optional"], true);

    let config = &objects["k8s/configmap.yaml"]["data"];
    assert!(config.get("LOG_LEVEL").is_none(), "{config}");
    assert_eq!(config["BACKEND_URL"], "http://backend:8000");
    for secret in ["DATABASE_URL", "OPENAI_API_KEY", "BETTER_AUTH_SECRET"] {
        assert!(config.get(secret).is_none(), "{secret} in the ConfigMap");
    }
    let secret = &objects["k8s/secret.yaml.example"];
    assert_eq!(secret["type"], "Opaque");
    let data = secret["stringData"].as_object().unwrap();
    assert_eq!(
        data.keys().map(String::as_str).collect::<Vec<_>>(),
        ["BETTER_AUTH_SECRET", "DATABASE_URL", "OPENAI_API_KEY"]
    );
    assert!(data.values().all(|v| v == "REPLACE_ME"));
    assert!(secret.get("data").is_none());
}

#[test]
fn services_pdbs_and_network_policies() {
    let objects = by_path(&manifests(&seed(), &Params::default()));
    let port_of = |name: &str| objects[&format!("k8s/{name}-service.yaml")]["spec"].clone();
    let backend = port_of("backend");
    assert_eq!(backend["type"], "ClusterIP");
    assert_eq!(
        backend["ports"],
        json!([{"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}])
    );
    assert_eq!(port_of("frontend-web")["type"], "NodePort");
    assert_eq!(port_of("frontend-web")["ports"][0]["nodePort"], 30000);
    assert_eq!(port_of("frontend-chatbot")["ports"][0]["nodePort"], 30001);
    assert_eq!(port_of("frontend-chatbot")["ports"][0]["port"], 3001);
    for name in ["backend", "frontend-web", "frontend-chatbot"] {
        let pdb = &objects[&format!("k8s/{name}-pdb.yaml")]["spec"];
        assert_eq!(pdb["minAvailable"], 1);
        assert_eq!(
            pdb["selector"]["matchLabels"]["app.kubernetes.io/name"],
            name
        );
    }
    let backend_policy = &objects["k8s/backend-networkpolicy.yaml"]["spec"];
    assert_eq!(backend_policy["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(
        backend_policy["ingress"][0]["from"],
        json!([{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "todo-app", "app.kubernetes.io/component": "frontend"}}}])
    );
    let web_policy = &objects["k8s/frontend-web-networkpolicy.yaml"]["spec"];
    assert!(
        web_policy["ingress"][0].get("from").is_none(),
        "front ends take traffic from anywhere"
    );
    let egress = web_policy["egress"].as_array().unwrap();
    assert_eq!(
        egress[0]["ports"][0],
        json!({"protocol": "UDP", "port": 53})
    );
    assert_eq!(
        egress[1]["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"],
        "backend"
    );
    assert_eq!(egress[2]["to"][0]["ipBlock"]["cidr"], "0.0.0.0/0");
}

#[test]
fn namespace_and_node_ports_follow_the_params() {
    let mut params = Params::for_app("shop");
    params.namespace = None;
    params.node_ports.clear();
    let mut services = seed();
    services.push({
        let mut extra = services[1].clone();
        extra.name = "admin".into();
        extra
    });
    let objects = by_path(&manifests(&services, &params));
    assert!(!objects.contains_key("k8s/namespace.yaml"));
    assert!(
        objects
            .values()
            .all(|o| o["metadata"].get("namespace").is_none())
    );
    let node_port = |name: &str| {
        objects[&format!("k8s/{name}-service.yaml")]["spec"]["ports"][0]["nodePort"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        [
            node_port("frontend-web"),
            node_port("frontend-chatbot"),
            node_port("admin")
        ],
        [30000, 30001, 30002]
    );
    assert_eq!(
        objects["k8s/backend-deployment.yaml"]["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/backend:1.0.0"
    );
}

#[test]
fn generation_is_deterministic() {
    let services: Vec<Service> = every_stack();
    assert_eq!(
        manifests(&services, &Params::default()),
        manifests(&services, &Params::default())
    );
}

#[test]
fn checkov_fails_only_the_checks_kept_on_purpose() {
    let checkov = tool("checkov", "pip install checkov");
    // checkov skips hidden directories, and tempdir's default names start with a dot.
    let dir = tempfile::Builder::new()
        .prefix("aigen-checkov-")
        .tempdir()
        .unwrap();
    let services = every_stack();
    let params = Params::default();
    let mut files = manifests(&services, &params);
    files.extend(services.iter().flat_map(|s| dockerfile(s, &params)));
    write_files(dir.path(), &files);
    let reports = checkov_reports(Command::new(checkov).arg("-d").arg(dir.path()));
    let mut failed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut passed = 0;
    for report in &reports {
        passed += report["summary"]["passed"].as_u64().unwrap_or(0);
        for check in report["results"]["failed_checks"].as_array().unwrap() {
            failed
                .entry(check["check_id"].as_str().unwrap().to_string())
                .or_default()
                .insert(check["resource"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(reports.len(), 2, "checkov ran {} frameworks", reports.len());
    let ids: Vec<&str> = failed.keys().map(String::as_str).collect();
    assert_eq!(ids, CHECKOV_KEPT, "{failed:#?}");
    for (id, resources) in &failed {
        assert!(
            resources.iter().all(|r| r.starts_with("Deployment.")),
            "{id} fails on {resources:?}"
        );
        let expected = if id == "CKV_K8S_35" {
            services
                .iter()
                .filter(|s| s.env.iter().any(|v| v.secret))
                .count()
        } else {
            services.len()
        };
        assert_eq!(resources.len(), expected, "{id}: {resources:?}");
    }
    assert!(passed > 1000, "checkov ran only {passed} checks");
}
