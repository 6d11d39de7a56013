//! The settings a container needs to start, as the manifests give them to the service's pod:
//! the environment (ConfigMap defaults and literal values as written; a throwaway value, made
//! now, for every required Secret reference, while an `optional: true` one is left unset as a
//! cluster leaves it when the Secret lacks the key), the user (`runAsUser`/`runAsGroup`) and the writable
//! mounts (each `emptyDir` volume becomes a tmpfs at its mount path). Without manifests, the
//! detected service says what it can: the values the project gives its variables, throwaway
//! values for its required secrets, and `/tmp` and its data directories writable (a relative
//! one under the image's working directory).
//!
//! A throwaway value keeps the shape the project gives the secret (detection's
//! [`crate::detect::EnvVar::shape`]: `postgres://app:****@db/app` becomes the same URL with a
//! random password), so the app connects to the peer the run starts beside it; a secret with a
//! shape is set even when the code reads it with a fallback, as the project sets it.
//! Throwaway values are told to the redactor as they are made: they are never shown, recorded
//! or written, and a log line that echoes one is masked.

use serde_json::Value;

use crate::detect::Service;
use crate::secrets::{Redactor, template};

/// One variable of the container's environment.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum EnvValue {
    /// A value as the manifests (or the project) give it.
    Plain(String),
    /// A Secret's value: made up for this run, never shown.
    Throwaway(String),
}

impl std::fmt::Debug for EnvValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(value) => write!(f, "Plain({value:?})"),
            Self::Throwaway(_) => f.write_str("Throwaway(****)"),
        }
    }
}

/// How a container of a service is started.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunSettings {
    /// `NAME` and value, in the manifests' order.
    pub env: Vec<(String, EnvValue)>,
    /// `uid[:gid]` from the pod's or container's security context; `None`: the image's `USER`.
    pub user: Option<String>,
    /// Paths that get a writable tmpfs; a relative one is under the image's working directory.
    pub writable: Vec<String>,
    /// The commands run to completion before the server: the init containers' `command` and
    /// `args`, or the detected steps.
    pub prestart: Vec<Vec<String>>,
}

impl RunSettings {
    /// The settings of `service` from manifest texts (`(path, text)`, any number of YAML
    /// documents each), or from the detection when no Deployment of that name is among them.
    pub(crate) fn for_service(
        service: &Service,
        manifests: &[(String, String)],
        redactor: &Redactor,
    ) -> Self {
        let documents: Vec<(String, Value)> = manifests
            .iter()
            .flat_map(|(path, text)| {
                serde_saphyr::from_multiple::<Value>(text)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |doc| (path.clone(), doc))
            })
            .collect();
        let deployment = documents.iter().find(|(_, doc)| {
            doc["kind"] == "Deployment" && doc["metadata"]["name"] == service.name.as_str()
        });
        match deployment {
            Some((_, deployment)) => from_deployment(service, deployment, &documents, redactor),
            None => from_detection(service, redactor),
        }
    }

    /// The names that got a throwaway value.
    pub(crate) fn throwaway_names(&self) -> Vec<String> {
        self.env
            .iter()
            .filter(|(_, value)| matches!(value, EnvValue::Throwaway(_)))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// `NAME=value` strings for the engine.
    pub(crate) fn env_strings(&self) -> Vec<String> {
        self.env
            .iter()
            .map(|(name, value)| match value {
                EnvValue::Plain(v) | EnvValue::Throwaway(v) => format!("{name}={v}"),
            })
            .collect()
    }
}

fn from_deployment(
    service: &Service,
    deployment: &Value,
    documents: &[(String, Value)],
    redactor: &Redactor,
) -> RunSettings {
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let config_value = |name: &str, key: &str| -> Option<String> {
        documents
            .iter()
            .find(|(_, doc)| doc["kind"] == "ConfigMap" && doc["metadata"]["name"] == name)
            .and_then(|(_, doc)| scalar(&doc["data"][key]))
    };
    let mut env = Vec::new();
    for var in container["env"].as_array().into_iter().flatten() {
        let Some(name) = var["name"].as_str() else {
            continue;
        };
        let from = &var["valueFrom"];
        let value = if let Some(value) = scalar(&var["value"]) {
            Some(EnvValue::Plain(value))
        } else if from["secretKeyRef"].is_object() {
            // An optional key is left out, as a cluster does when the Secret lacks it, unless
            // the project gives the value a shape; a required one gets a throwaway value.
            let shape = shape_of(service, name);
            (from["secretKeyRef"]["optional"] != true || shape.is_some())
                .then(|| EnvValue::Throwaway(throwaway(name, shape, redactor)))
        } else if let (Some(map), Some(key)) = (
            from["configMapKeyRef"]["name"].as_str(),
            from["configMapKeyRef"]["key"].as_str(),
        ) {
            config_value(map, key).map(EnvValue::Plain)
        } else {
            None
        };
        if let Some(value) = value {
            env.push((name.to_string(), value));
        }
    }
    let security = |field: &str| -> Option<i64> {
        container["securityContext"][field]
            .as_i64()
            .or_else(|| pod["securityContext"][field].as_i64())
    };
    let user = security("runAsUser").map(|uid| match security("runAsGroup") {
        Some(gid) => format!("{uid}:{gid}"),
        None => uid.to_string(),
    });
    let empty_dirs: Vec<&str> = pod["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["emptyDir"].is_object())
        .filter_map(|v| v["name"].as_str())
        .collect();
    let writable = container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["name"].as_str().is_some_and(|n| empty_dirs.contains(&n)))
        .filter_map(|m| m["mountPath"].as_str().map(str::to_string))
        .collect();
    let prestart = pod["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|init| {
            ["command", "args"]
                .iter()
                .flat_map(|key| init[*key].as_array().cloned().unwrap_or_default())
                .filter_map(|word| scalar(&word))
                .collect::<Vec<String>>()
        })
        .filter(|step| !step.is_empty())
        .collect();
    RunSettings {
        env,
        user,
        writable,
        prestart,
    }
}

fn from_detection(service: &Service, redactor: &Redactor) -> RunSettings {
    let env = service
        .env
        .iter()
        .filter_map(|var| {
            if var.secret {
                let shape = var.shape.as_ref().map(|s| s.value.as_str());
                (var.required || shape.is_some()).then(|| {
                    (
                        var.name.clone(),
                        EnvValue::Throwaway(throwaway(&var.name, shape, redactor)),
                    )
                })
            } else {
                var.value
                    .as_ref()
                    .map(|v| (var.name.clone(), EnvValue::Plain(v.value.clone())))
            }
        })
        .collect();
    let mut writable = vec!["/tmp".to_string()];
    writable.extend(service.data_dirs.iter().map(|d| d.value.clone()));
    RunSettings {
        env,
        user: None,
        writable,
        prestart: service.prestart.iter().map(|s| s.value.clone()).collect(),
    }
}

/// A YAML scalar as the string Kubernetes would pass.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The shape the project gives the secret `name` of `service` (`postgres://app:****@db/app`).
fn shape_of<'a>(service: &'a Service, name: &str) -> Option<&'a str> {
    service
        .env
        .iter()
        .find(|var| var.name == name)
        .and_then(|var| var.shape.as_ref())
        .map(|shape| shape.value.as_str())
}

/// A value made up for a Secret: the shape the project gives it with a random password in its
/// hole (`postgres://app:<random>@db/app`, so the app connects where the project says), else
/// random and shaped like what the name asks for (a URL for `*_URL`, `*_URI` and `*_DSN`,
/// pointing nowhere reachable); remembered by the redactor.
fn throwaway(name: &str, shape: Option<&str>, redactor: &Redactor) -> String {
    let mut bytes = [0u8; 16];
    // Without the system's random source the values are still unique to the run.
    if getrandom::fill(&mut bytes).is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = now.to_le_bytes();
    }
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    redactor.remember(&token);
    if let Some(shape) = shape {
        // A shape without a hole (`redis://cache:6379`) carries no credential to mask.
        if shape.contains(template::HOLE) {
            let value = template::fill(shape, &token);
            redactor.remember(&value);
            return value;
        }
        return shape.to_string();
    }
    let upper = name.to_ascii_uppercase();
    let value = if ["_URL", "_URI", "_DSN"].iter().any(|s| upper.ends_with(s)) {
        let scheme = if upper.contains("REDIS") {
            "redis"
        } else if upper.contains("MONGO") {
            "mongodb"
        } else if upper.contains("AMQP") || upper.contains("RABBIT") {
            "amqp"
        } else if upper.contains("DATABASE") || upper.contains("POSTGRES") || upper.contains("DB_")
        {
            "postgresql"
        } else {
            "https"
        };
        format!("{scheme}://verify:{token}@127.0.0.1:9/verify")
    } else {
        token.clone()
    };
    redactor.remember(&value);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFESTS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config }
data:
  LOG_LEVEL: info
  PORT: 8000
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  template:
    spec:
      securityContext: { runAsUser: 1000, runAsGroup: 1000 }
      containers:
        - name: api
          env:
            - { name: LOG_LEVEL, valueFrom: { configMapKeyRef: { name: app-config, key: LOG_LEVEL } } }
            - { name: PORT, valueFrom: { configMapKeyRef: { name: app-config, key: PORT } } }
            - { name: DATABASE_URL, valueFrom: { secretKeyRef: { name: s, key: DATABASE_URL } } }
            - { name: SENTRY_DSN, valueFrom: { secretKeyRef: { name: s, key: SENTRY_DSN, optional: true } } }
            - { name: MODE, value: production }
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            - { name: config, mountPath: /etc/app }
      volumes:
        - { name: tmp, emptyDir: {} }
        - { name: config, configMap: { name: app-config } }
";

    pub(crate) fn service(name: &str) -> Service {
        use crate::detect::{Language, PackageManager, ServiceClass, ServiceKind, Sourced};
        Service {
            name: name.into(),
            path: name.into(),
            manifest: "pyproject.toml".into(),
            class: Sourced::default_value(ServiceClass::Backend),
            kind: Sourced::default_value(ServiceKind::Http),
            language: Sourced::default_value(Language::Python),
            language_version: None,
            framework: None,
            package_manager: Sourced::default_value(PackageManager::Pip),
            lockfile: None,
            start_command: Sourced::default_value(vec!["python".into()]),
            prestart: Vec::new(),
            build_command: None,
            entrypoint: None,
            port: Some(Sourced::default_value(8000)),
            health_path: None,
            readiness_path: None,
            env: Vec::new(),
            data_dirs: Vec::new(),
            depends_on: Vec::new(),
            inputs: Default::default(),
            undetermined: Vec::new(),
        }
    }

    #[test]
    fn the_deployment_gives_env_user_and_writable_mounts() {
        let service = service("api");
        let redactor = Redactor::builtin();
        let settings = RunSettings::for_service(
            &service,
            &[("k8s/all.yaml".into(), MANIFESTS.into())],
            &redactor,
        );
        assert_eq!(settings.user.as_deref(), Some("1000:1000"));
        assert_eq!(settings.writable, ["/tmp"]);
        // The optional key is left unset, as the cluster leaves it without that key.
        assert_eq!(settings.throwaway_names(), ["DATABASE_URL"]);
        assert!(
            !settings
                .env_strings()
                .iter()
                .any(|e| e.starts_with("SENTRY_DSN"))
        );
        let env = settings.env_strings();
        assert_eq!(env[0], "LOG_LEVEL=info");
        assert_eq!(env[1], "PORT=8000");
        assert!(env[2].starts_with("DATABASE_URL=postgresql://verify:"));
        assert_eq!(env[3], "MODE=production");
        let secret = env[2].trim_start_matches("DATABASE_URL=");
        assert!(
            !redactor
                .redact_string(&format!("url {secret}"))
                .contains(secret)
        );
        assert!(!format!("{:?}", settings.env).contains(secret));
    }

    #[test]
    fn a_secret_with_a_shape_keeps_it_with_a_password_of_the_run() {
        use crate::detect::{EnvVar, Origin, Sourced};
        let mut service = service("api");
        let var = |name: &str, shape: &str| EnvVar {
            name: name.into(),
            secret: true,
            required: false,
            value: None,
            shape: Some(Sourced::new(shape.into(), Origin::file("compose.yaml", 6))),
            origin: Origin::file("compose.yaml", 6),
        };
        service.env = vec![
            var(
                "DATABASE_URL",
                "postgres://shop:****@db/shop?sslmode=disable",
            ),
            var("REDIS_URL", "redis://"),
        ];
        let redactor = Redactor::builtin();
        // From the detection, and from a Deployment that takes both from a Secret, optional.
        let deployment = "kind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      \
                          containers:\n        - name: api\n          env:\n            \
                          - {name: DATABASE_URL, valueFrom: {secretKeyRef: {name: s, key: DATABASE_URL, optional: true}}}\n            \
                          - {name: REDIS_URL, valueFrom: {secretKeyRef: {name: s, key: REDIS_URL, optional: true}}}\n";
        for manifests in [
            vec![],
            vec![("k8s/api.yaml".to_string(), deployment.to_string())],
        ] {
            let settings = RunSettings::for_service(&service, &manifests, &redactor);
            let env = settings.env_strings();
            let url = env[0].trim_start_matches("DATABASE_URL=");
            let password = url
                .strip_prefix("postgres://shop:")
                .and_then(|rest| rest.strip_suffix("@db/shop?sslmode=disable"))
                .unwrap_or_else(|| panic!("{env:?}"));
            assert_eq!(password.len(), 32);
            assert!(!redactor.redact_string(url).contains(password));
            assert_eq!(env[1], "REDIS_URL=redis://");
        }
    }

    #[test]
    fn init_containers_give_the_steps_before_the_server_and_detection_does_without_them() {
        let mut service = service("api");
        let redactor = Redactor::builtin();
        let manifest = "kind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      \
                        initContainers:\n        - {name: prestart-1, command: [flask, db], args: [upgrade]}\n        \
                        - {name: prestart-2, command: [flask, seed]}\n      containers:\n        - {name: api}\n";
        let settings = RunSettings::for_service(
            &service,
            &[("k8s/api.yaml".into(), manifest.into())],
            &redactor,
        );
        assert_eq!(
            settings.prestart,
            [vec!["flask", "db", "upgrade"], vec!["flask", "seed"]]
        );
        service.prestart = vec![crate::detect::Sourced::default_value(vec![
            "npm".to_string(),
            "run".to_string(),
            "migrate".to_string(),
        ])];
        let settings = RunSettings::for_service(&service, &[], &redactor);
        assert_eq!(settings.prestart, [vec!["npm", "run", "migrate"]]);
    }
}
