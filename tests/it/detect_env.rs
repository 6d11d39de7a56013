//! Where the values of a service's variables come from, through the binary, on
//! `tests/fixtures/detect/env-sources` (a Python, a Node and a Go service of our own): fallbacks
//! the code gives (`os.getenv("X", "a")`, `process.env.X ?? "a"`, Go's `if v == "" { v = "a" }`)
//! make a variable optional with that value; compose's values are filled from `.env`, whose
//! own values are filled from the lines above them; the literal `env` values of the project's
//! own Kubernetes manifests (`deploy/kubernetes/`) win over the code; and the ConfigMap
//! `generate` writes carries those values, never a secret's.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::detect::{copy_fixture, detect_clean};
use crate::support::command::run_in;
use crate::support::files::list_dir;

/// `NAME [secret] required|optional [= value @ source]` of each variable of a service.
fn variables(json: &Value, service: &str) -> Vec<String> {
    let service = json["services"]
        .as_array()
        .expect("services is a list")
        .iter()
        .find(|s| s["name"] == service)
        .unwrap_or_else(|| panic!("no service `{service}` in {json}"));
    service["env"]
        .as_array()
        .expect("env is a list")
        .iter()
        .map(|var| {
            let need = if var["required"] == true {
                "required"
            } else {
                "optional"
            };
            let secret = if var["secret"] == true { " secret" } else { "" };
            let mut line = format!("{}{secret} {need}", var["name"].as_str().unwrap());
            if !var["value"].is_null() {
                line.push_str(&format!(
                    " = {} @ {}",
                    var["value"]["value"].as_str().unwrap(),
                    var["value"]["source"].as_str().unwrap()
                ));
            }
            line
        })
        .collect()
}

/// The `data` of the ConfigMap and the `stringData` keys of the Secret template that
/// `generate --provider builtin --yes` writes in `dir`.
fn generated_settings(dir: &Path) -> (BTreeMap<String, String>, Vec<String>, String) {
    run_in(dir, &["generate", "--provider", "builtin", "--yes"]).expect(0);
    let read = |path: &str| {
        std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let config: Value = serde_saphyr::from_str(&read("k8s/configmap.yaml")).unwrap();
    let data = config["data"]
        .as_object()
        .expect("the ConfigMap has data")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let secret_text = read("k8s/secret.yaml.example");
    let secret: Value = serde_saphyr::from_str(&secret_text).unwrap();
    let secrets = secret["stringData"]
        .as_object()
        .map(|data| data.keys().cloned().collect())
        .unwrap_or_default();
    (data, secrets, secret_text)
}

#[test]
fn fallbacks_in_the_code_make_a_variable_optional_with_that_value() {
    let (_temp, dir) = copy_fixture("env-sources");
    let json = detect_clean(&dir);
    assert_eq!(
        variables(&json, "api"),
        [
            // compose's `- BANNER=${GREETING_TEXT}` and `- UPSTREAM_ADDR`, filled from `.env`,
            // whose values are filled from the lines above them, as compose does.
            "BANNER optional = hi from upstream:9000 @ compose.yaml:8",
            "DB_HOST required",
            "GREETING optional = hello @ api/app.py:7",
            "REGION optional = eu-west-1 @ api/app.py:12",
            "REQUEST_TIMEOUT optional = 30s @ api/app.py:8",
            // A secret read with a fallback is optional, and its fallback is never its value.
            "SESSION_SECRET secret optional",
            "UPSTREAM_ADDR optional = upstream:9000 @ compose.yaml:7",
            // A number is not the string the variable would hold: optional, no value.
            "WORKERS optional",
        ]
    );
    let web = variables(&json, "web");
    assert!(web.contains(&"API_ADDR optional = http://api:8000 @ web/server.js:3".to_string()));
    assert!(
        web.contains(&"API_TOKEN secret optional".to_string()),
        "{web:?}"
    );
    let checkout = variables(&json, "checkout");
    assert!(
        checkout.contains(&"LOG_LEVEL optional = info @ checkout/main.go:29".to_string()),
        "{checkout:?}"
    );

    let (config, secrets, secret_text) = generated_settings(&dir);
    assert_eq!(config["GREETING"], "hello");
    assert_eq!(config["REQUEST_TIMEOUT"], "30s");
    assert_eq!(config["API_ADDR"], "http://api:8000");
    assert_eq!(config["LOG_LEVEL"], "info");
    assert_eq!(config["UPSTREAM_ADDR"], "upstream:9000");
    for unset in ["WORKERS", "DB_HOST", "SESSION_SECRET", "API_TOKEN"] {
        assert!(!config.contains_key(unset), "{unset} in the ConfigMap");
    }
    // Secrets read with a fallback get no placeholder to fill: the app starts without them.
    for optional in ["SESSION_SECRET", "API_TOKEN"] {
        assert!(!secrets.contains(&optional.to_string()), "{secrets:?}");
    }
    assert!(!secret_text.contains("dev-only-secret") && !secret_text.contains("local-token"));
}

#[test]
fn the_projects_own_kubernetes_manifests_give_values_above_the_code() {
    let (_temp, dir) = copy_fixture("env-sources");
    let json = detect_clean(&dir);
    // The Deployment `checkout` runs `registry.example.com/shop/checkout`: its literal values,
    // each at its line, above the code's fallback (CURRENCY_ADDR). CART_ADDR and PAYMENT_ADDR
    // are read through the code's own helper `mustMapEnv`, with no fallback: required.
    assert_eq!(
        variables(&json, "checkout"),
        [
            "CART_ADDR required = cart:7070 @ deploy/kubernetes/checkout.yaml:21",
            "CURRENCY_ADDR optional = currency.shop.svc:7000 @ deploy/kubernetes/checkout.yaml:25",
            // Taken from a Secret by the manifest: a secret the app is run with, so required.
            "DATABASE_URL secret required",
            "LOG_LEVEL optional = info @ checkout/main.go:29",
            "PAYMENT_ADDR required = payment:50051 @ deploy/kubernetes/checkout.yaml:23",
            // A secret's literal in a manifest is never taken.
            "PAYMENT_API_KEY secret optional",
        ]
    );
    // The Deployment `storefront` runs the image `web`: matched by its image.
    let web = variables(&json, "web");
    assert!(
        web.contains(&"THEME optional = light @ deploy/kubernetes/web.yaml:19".to_string()),
        "{web:?}"
    );
    assert!(
        web.contains(
            &"FEATURE_FLAGS optional = reviews,wishlist @ deploy/kubernetes/web.yaml:21"
                .to_string()
        ),
        "{web:?}"
    );
    // No manifest runs `api`.
    assert!(
        !variables(&json, "api")
            .iter()
            .any(|v| v.contains("deploy/"))
    );

    let text = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(
        text.contains("CART_ADDR (plain) = cart:7070")
            && text.contains("deploy/kubernetes/checkout.yaml:21"),
        "{text}"
    );

    let (config, secrets, _) = generated_settings(&dir);
    assert_eq!(secrets, ["DATABASE_URL"]);
    assert_eq!(config["CART_ADDR"], "cart:7070");
    assert_eq!(config["CURRENCY_ADDR"], "currency.shop.svc:7000");
    assert_eq!(config["THEME"], "light");
    for absent in ["PAYMENT_API_KEY", "DATABASE_URL", "POD_NAME"] {
        assert!(!config.contains_key(absent), "{absent} in the ConfigMap");
    }
    // The generated objects are not read back as the project's own: detection is unchanged.
    assert_eq!(detect_clean(&dir), json);
    for name in list_dir(&dir.join("k8s")) {
        let text = std::fs::read_to_string(dir.join("k8s").join(&name)).unwrap();
        assert!(!text.contains("not-for-a-configmap"), "{name}");
    }
}
