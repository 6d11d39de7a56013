//! The Helm chart aigen generates, checked with the real Helm (Helm 4 from `.ci/go-tools.sh`, on
//! PATH; the test fails saying so when it is missing) for the example and for every sample app of
//! `tests/fixtures/detect` (a sample added there is checked too).
//!
//! For each app the builtin generator writes the manifests (`aigen manifest --all`) and the chart
//! (`aigen helm`); then, for each values file (the default `values.yaml`, `values-dev.yaml`,
//! `values-prod.yaml`):
//!
//! - `helm lint --strict` passes;
//! - `helm template` renders the same objects as the generated `k8s/` manifests, object by object,
//!   with what each values file changes applied to the manifests ([`apply_values`]) and without
//!   what Helm adds: the `helm.sh/chart` label, `app.kubernetes.io/managed-by: Helm` (aigen in the
//!   manifests) and the release namespace the manifests leave to the apply. A Secret is compared
//!   by its keys: both sides hold placeholders (`REPLACE_ME` in `secret.yaml.example`, empty
//!   values in the chart);
//! - `kubernetes-validate --strict` (the Kubernetes 1.37 schemas) accepts the rendered objects and
//!   the manifests.
//!
//! `aigen lint` of the chart (which renders it with the same helm) reports the same findings as
//! `aigen lint` of the manifests; for the example there are none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::builtin::tool;
use crate::support::example::Project;
use crate::support::files::repo_path;

const HELM_INSTALL: &str = "`.ci/go-tools.sh`, then put `$(.ci/go-tools.sh --bin-dir)` on PATH";
const VALIDATE_INSTALL: &str = "pip install kubernetes-validate";
/// The namespace the charts are rendered into.
const NAMESPACE: &str = "release-ns";
/// The values files the generator writes besides `values.yaml`.
const ENVIRONMENTS: [Option<&str>; 3] = [None, Some("values-dev.yaml"), Some("values-prod.yaml")];

/// The apps: the example, then every sample app.
fn apps() -> Vec<(PathBuf, String)> {
    let mut apps = vec![(repo_path("examples/todo-app"), "todo-app".to_string())];
    let samples = repo_path("tests/fixtures/detect");
    let mut names: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    apps.extend(names.into_iter().map(|n| (samples.join(&n), n)));
    apps
}

/// What checking one app found.
struct Checked {
    name: String,
    /// Files for kubernetes-validate: the manifests and each rendering.
    to_validate: Vec<PathBuf>,
    /// `aigen lint` findings as `CODE message`, for the manifests and for the chart.
    manifest_findings: Vec<String>,
    chart_findings: Vec<String>,
    /// Kept until kubernetes-validate has read the renderings in its directory.
    _project: Project,
}

#[test]
fn the_generated_chart_renders_what_the_manifests_hold_for_every_app() {
    let helm = tool("helm", HELM_INSTALL);
    let validate = tool("kubernetes-validate", VALIDATE_INSTALL);
    let apps = apps();
    assert!(apps.len() >= 15, "{} apps", apps.len());
    // Two at a time: the machine has two cores, and each app runs aigen and helm a dozen times.
    let checked: Vec<Checked> = apps
        .chunks(apps.len().div_ceil(2))
        .map(|chunk| chunk.to_vec())
        .map(|chunk| {
            let helm = helm.clone();
            std::thread::spawn(move || {
                chunk
                    .iter()
                    .filter_map(|(source, name)| check_app(&helm, source, name))
                    .collect::<Vec<_>>()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(checked.len() >= 15, "{} apps had a chart", checked.len());

    // One kubernetes-validate run for everything (it takes a while to start).
    let files: Vec<&PathBuf> = checked.iter().flat_map(|c| &c.to_validate).collect();
    succeeded(
        Command::new(&validate)
            .args(["--strict", "--quiet", "--kubernetes-version", "1.37.0"])
            .args(&files),
        "kubernetes-validate --strict",
    );

    for app in &checked {
        assert_eq!(
            app.chart_findings, app.manifest_findings,
            "{}: aigen lint of the chart and of the manifests differ",
            app.name
        );
        if app.name == "todo-app" {
            assert_eq!(app.manifest_findings, Vec::<String>::new());
        }
        eprintln!(
            "{}: chart and manifests agree for 3 values files; aigen lint: {}",
            app.name,
            if app.manifest_findings.is_empty() {
                "clean".to_string()
            } else {
                app.manifest_findings.join("; ")
            }
        );
    }
}

/// Generates, lints and renders one app; `None` when aigen detects no service in it.
fn check_app(helm: &Path, source: &Path, name: &str) -> Option<Checked> {
    let project = Project::copy_of(source, name);
    let manifest = project.run(&["manifest", "--all", "--yes", "--provider", "builtin"]);
    if manifest.stderr.contains("no services") || !project.path("k8s").is_dir() {
        eprintln!("{name}: no service detected; skipped\n{}", manifest.all());
        return None;
    }
    // Manifests with error findings are left staged; write them all the same, to compare.
    project.run(&["apply", "--yes", "--force"]).expect(0);
    project
        .run(&["helm", "--yes", "--provider", "builtin"])
        .expect(0);
    let charts = project.path("helm-charts");
    let chart = std::fs::read_dir(&charts)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let release = chart.file_name().unwrap().to_string_lossy().into_owned();

    let mut manifests = objects_of_dir(&project.path("k8s"));
    let mut to_validate: Vec<PathBuf> = std::fs::read_dir(project.path("k8s"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    normalise_all(&mut manifests, None);
    let base_values = read_yaml(&chart.join("values.yaml"));
    for environment in ENVIRONMENTS {
        let label = environment.unwrap_or("values.yaml");
        let with_values = |command: &mut Command| {
            if let Some(file) = environment {
                command.arg("-f").arg(chart.join(file));
            }
        };
        let mut lint = Command::new(helm);
        lint.args(["lint", "--strict"]).arg(&chart);
        with_values(&mut lint);
        succeeded(&mut lint, &format!("{name} ({label}): helm lint --strict"));
        let mut template = Command::new(helm);
        template
            .args(["template", &release])
            .arg(&chart)
            .args(["--namespace", NAMESPACE]);
        with_values(&mut template);
        let text = succeeded(&mut template, &format!("{name} ({label}): helm template"));
        let file = project
            .scratch()
            .join(format!("{release}-{label}.rendered.yaml"));
        std::fs::write(&file, &text).unwrap();
        to_validate.push(file);

        let mut chart_objects = objects_of_text(&text);
        normalise_all(&mut chart_objects, Some(NAMESPACE));
        let mut expected = manifests.clone();
        if let Some(file) = environment {
            apply_values(
                &mut expected,
                &base_values,
                &read_yaml(&chart.join(file)),
                file,
            );
        }
        compare(name, label, &expected, &chart_objects);
    }
    let manifest_findings = lint_findings(&project, "k8s");
    let chart_path = format!("helm-charts/{release}");
    let chart_findings = lint_findings(&project, &chart_path);
    Some(Checked {
        name: name.to_string(),
        to_validate,
        manifest_findings,
        chart_findings,
        _project: project,
    })
}

/// `(kind, name)` → object.
type Objects = BTreeMap<(String, String), Value>;

fn objects_of_text(text: &str) -> Objects {
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
    documents
        .into_iter()
        .filter(|d| !d.is_null())
        .map(|d| {
            let key = (
                d["kind"].as_str().unwrap().to_string(),
                d["metadata"]["name"].as_str().unwrap().to_string(),
            );
            (key, d)
        })
        .collect()
}

fn objects_of_dir(dir: &Path) -> Objects {
    let mut objects = Objects::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        objects.extend(objects_of_text(&text));
    }
    objects
}

fn read_yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Takes away what Helm adds and what is a placeholder on both sides.
fn normalise_all(objects: &mut Objects, release_namespace: Option<&str>) {
    for object in objects.values_mut() {
        for pointer in ["/metadata/labels", "/spec/template/metadata/labels"] {
            if let Some(labels) = object.pointer_mut(pointer).and_then(Value::as_object_mut) {
                labels.remove("helm.sh/chart");
                labels.remove("app.kubernetes.io/managed-by");
            }
        }
        if let Some(namespace) = release_namespace {
            let metadata = object["metadata"].as_object_mut().unwrap();
            assert_eq!(
                metadata.remove("namespace"),
                Some(json!(namespace)),
                "a chart object not in the release namespace: {object}"
            );
        }
        if object["kind"] == "Secret" {
            for field in ["data", "stringData"] {
                if let Some(values) = object.get_mut(field).and_then(Value::as_object_mut) {
                    for value in values.values_mut() {
                        *value = json!("(placeholder)");
                    }
                }
            }
        }
    }
}

/// What a values file changes, applied to the manifests: the keys the generated values files
/// set, each where the chart's templates put it. A key the test does not know fails it, so a new
/// kind of setting cannot slip through unchecked.
fn apply_values(objects: &mut Objects, base: &Value, values: &Value, file: &str) {
    let merged = |service: &str, path: &[&str]| -> Option<Value> {
        let find = |root: &Value| {
            let mut at = &root["services"][service];
            for key in path {
                at = at.get(*key)?;
            }
            Some(at.clone())
        };
        find(values).or_else(|| find(base))
    };
    for (key, value) in values.as_object().unwrap() {
        match key.as_str() {
            "config" => {
                let (_, configmap) = objects
                    .iter_mut()
                    .find(|((kind, _), _)| kind == "ConfigMap")
                    .expect("a ConfigMap");
                for (name, setting) in value.as_object().unwrap() {
                    let text = match setting {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    configmap["data"][name] = json!(text);
                }
            }
            "secrets" => {} // placeholders on both sides
            "services" => {
                for (service, settings) in value.as_object().unwrap() {
                    for (setting, _) in settings.as_object().unwrap() {
                        match setting.as_str() {
                            "image" => {
                                let deployment = object(objects, "Deployment", service);
                                let repository = merged(service, &["image", "repository"]).unwrap();
                                let tag = merged(service, &["image", "tag"]).unwrap();
                                let policy = merged(service, &["image", "pullPolicy"]).unwrap();
                                // The server and the steps run before it share the image.
                                let pod = &mut deployment["spec"]["template"]["spec"];
                                for list in ["initContainers", "containers"] {
                                    let containers =
                                        pod.get_mut(list).and_then(Value::as_array_mut);
                                    for container in containers.into_iter().flatten() {
                                        container["image"] = json!(format!(
                                            "{}:{}",
                                            repository.as_str().unwrap(),
                                            tag.as_str().unwrap()
                                        ));
                                        container["imagePullPolicy"] = policy.clone();
                                    }
                                }
                            }
                            "replicas" => {
                                object(objects, "Deployment", service)["spec"]["replicas"] =
                                    merged(service, &["replicas"]).unwrap();
                            }
                            "service" => {
                                let svc = object(objects, "Service", service);
                                svc["spec"]["type"] =
                                    merged(service, &["service", "type"]).unwrap();
                                if let Some(port) = merged(service, &["service", "nodePort"]) {
                                    svc["spec"]["ports"][0]["nodePort"] = port;
                                }
                            }
                            other => panic!(
                                "{file}: the test does not know how `services.{service}.{other}` changes the manifests"
                            ),
                        }
                    }
                }
            }
            other => panic!("{file}: the test does not know how `{other}` changes the manifests"),
        }
    }
}

fn object<'a>(objects: &'a mut Objects, kind: &str, name: &str) -> &'a mut Value {
    objects
        .get_mut(&(kind.to_string(), name.to_string()))
        .unwrap_or_else(|| panic!("no {kind} {name} in the manifests"))
}

fn compare(app: &str, values: &str, expected: &Objects, rendered: &Objects) {
    let expected_keys: Vec<_> = expected.keys().collect();
    let rendered_keys: Vec<_> = rendered.keys().collect();
    assert_eq!(
        rendered_keys, expected_keys,
        "{app} ({values}): the chart renders other objects than the manifests hold"
    );
    for (key, object) in expected {
        let got = &rendered[key];
        assert!(
            got == object,
            "{app} ({values}): {} {} differs\n--- manifests (with the values applied)\n{}\n--- chart\n{}",
            key.0,
            key.1,
            serde_json::to_string_pretty(object).unwrap(),
            serde_json::to_string_pretty(got).unwrap()
        );
    }
}

/// `aigen lint <path>` as `CODE message` lines, sorted, without positions (a finding on the
/// chart names the rendered line when it cannot name the template's).
fn lint_findings(project: &Project, path: &str) -> Vec<String> {
    let run = project.run(&["lint", "--format", "json", path]);
    let report = run.json();
    let mut findings: Vec<String> = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", run.all()))
        .iter()
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            // Where a chart's finding was found is said in its message; the rest is the same.
            let message = [" (line ", " (set in "]
                .iter()
                .fold(message, |m, cut| m.split(cut).next().unwrap_or(m))
                .to_string();
            format!("{} {message}", f["code"].as_str().unwrap())
        })
        .collect();
    findings.sort();
    findings
}

/// Runs `command`, which must succeed; its stdout.
fn succeeded(command: &mut Command, what: &str) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
