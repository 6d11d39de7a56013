//! The invariant of the builtin generator: for every project aigen can detect, `aigen init` then
//! `aigen generate --provider builtin --yes` applies every file it writes (no error finding
//! under the constitution `init` derived for the project), and the independent judges agree:
//! hadolint with every rule on reports nothing, checkov fails only the checks kept on purpose,
//! `kubernetes-validate --strict` accepts every manifest, and no manifest or HEALTHCHECK probes
//! a path the application does not serve or sets a setting to the empty string.
//!
//! The projects are every detection fixture (`tests/fixtures/detect/*`) and the sample
//! applications (`tests/fixtures/apps/*`): a Go net/http service with a `/healthz` route, a Rust
//! axum service, a Spring Boot service built with Maven, a Python queue worker that serves no
//! port and an Express app without a health route. A new fixture joins the test by existing.
//!
//! The judges run once over every project's output (checkov and kubernetes-validate take seconds
//! to start), and the test fails with one table of what each judge said about each project.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::support::builtin::{CHECKOV_KEPT, StrictHadolint, checkov_reports, run, tool};
use crate::support::command::{Run, aigen_command};
use crate::support::files::{copy_committed, repo_path};

/// One project under test: its name (the directory's, so the application's) and where its
/// committed files are.
struct Fixture {
    name: String,
    source: PathBuf,
}

/// Every detection fixture and every sample application, sorted by name.
fn fixtures() -> Vec<Fixture> {
    let mut all = Vec::new();
    for (folder, prefix) in [
        ("tests/fixtures/detect", "detect-"),
        ("tests/fixtures/apps", "app-"),
    ] {
        let dir = repo_path(folder);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                all.push(Fixture {
                    name: format!("{prefix}{name}"),
                    source: path,
                });
            }
        }
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

/// What generation left in one project.
#[derive(Default)]
struct Output {
    dockerfiles: Vec<PathBuf>,
    manifests: Vec<PathBuf>,
}

/// Findings per project and judge.
#[derive(Default)]
struct Verdicts(BTreeMap<String, BTreeMap<&'static str, Vec<String>>>);

impl Verdicts {
    fn add(&mut self, project: &str, judge: &'static str, finding: String) {
        self.0
            .entry(project.to_string())
            .or_default()
            .entry(judge)
            .or_default()
            .push(finding);
    }

    /// Makes sure every project has a row, clean or not.
    fn touch(&mut self, project: &str) {
        self.0.entry(project.to_string()).or_default();
    }

    fn table(&self) -> String {
        let mut out = String::new();
        for (project, judges) in &self.0 {
            if judges.is_empty() {
                out.push_str(&format!("{project}: clean\n"));
            }
            for (judge, findings) in judges {
                out.push_str(&format!(
                    "{project} [{judge}]: {} finding(s)\n",
                    findings.len()
                ));
                for finding in findings {
                    out.push_str(&format!("    {finding}\n"));
                }
            }
        }
        out
    }

    fn is_clean(&self) -> bool {
        self.0.values().all(BTreeMap::is_empty)
    }
}

fn aigen(dir: &Path, args: &[&str]) -> Run {
    let mut command = aigen_command();
    command.current_dir(dir).args(args);
    Run::of(&mut command)
}

/// `init`, then `generate --provider builtin --yes`; what was refused or left with errors is a
/// finding of the judge `aigen`.
fn init_and_generate(project: &Path, name: &str, verdicts: &mut Verdicts) -> Output {
    let init = aigen(project, &["init"]);
    if init.code != 0 {
        verdicts.add(
            name,
            "aigen",
            format!("init exited {}: {}", init.code, init.stderr),
        );
        return Output::default();
    }
    let generate = aigen(
        project,
        &[
            "generate",
            "--provider",
            "builtin",
            "--yes",
            "--format",
            "json",
        ],
    );
    match serde_json::from_str::<Value>(&generate.stdout) {
        Ok(report) => {
            for refused in report["applied"]["refused"]
                .as_array()
                .into_iter()
                .flatten()
            {
                verdicts.add(name, "aigen", format!("refused {refused}"));
            }
            for job in report["jobs"].as_array().into_iter().flatten() {
                for staged in job["staged"].as_array().into_iter().flatten() {
                    let errors = staged["lint"]["error"].as_u64().unwrap_or(0);
                    if errors > 0 {
                        verdicts.add(
                            name,
                            "aigen",
                            format!("{} has {errors} error finding(s)", staged["target"]),
                        );
                    }
                }
            }
            if generate.code != 0
                && !verdicts
                    .0
                    .get(name)
                    .is_some_and(|j| j.contains_key("aigen"))
            {
                // Warnings alone: shown, but not a breach of the invariant.
                eprintln!(
                    "{name}: generate exited {}:\n{}",
                    generate.code, generate.stderr
                );
            }
        }
        Err(error) => verdicts.add(
            name,
            "aigen",
            format!(
                "generate exited {} without a JSON report ({error}): {}",
                generate.code, generate.stderr
            ),
        ),
    }
    let mut output = Output::default();
    for (folder, list) in [
        ("docker", &mut output.dockerfiles),
        ("k8s", &mut output.manifests),
    ] {
        let Ok(entries) = std::fs::read_dir(project.join(folder)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let wanted = if folder == "docker" {
                file.ends_with(".Dockerfile")
            } else {
                file.ends_with(".yaml") || file.ends_with(".yaml.example")
            };
            if wanted {
                list.push(path);
            }
        }
        list.sort();
    }
    if output.manifests.is_empty() {
        verdicts.add(name, "aigen", "no manifest was written".to_string());
    }
    output
}

/// The project a file of the output belongs to: the first component under `root`.
fn project_of(root: &Path, file: &str) -> String {
    let path = Path::new(file);
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn hadolint(root: &Path, outputs: &BTreeMap<String, Output>, verdicts: &mut Verdicts) {
    let hadolint = StrictHadolint::new();
    let files: Vec<&PathBuf> = outputs.values().flat_map(|o| &o.dockerfiles).collect();
    if files.is_empty() {
        return;
    }
    let (_, stdout, stderr) = hadolint.check(&files);
    for line in stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| !l.trim().is_empty())
    {
        verdicts.add(&project_of(root, line), "hadolint", line.to_string());
    }
}

fn checkov(root: &Path, outputs: &BTreeMap<String, Output>, verdicts: &mut Verdicts) {
    let checkov = tool("checkov", "pip install checkov");
    let mut command = Command::new(checkov);
    for output in outputs.values() {
        for file in output.dockerfiles.iter().chain(&output.manifests) {
            command.arg("-f").arg(file);
        }
    }
    let reports = checkov_reports(&mut command);
    for report in &reports {
        for check in report["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = check["check_id"].as_str().unwrap_or_default();
            if CHECKOV_KEPT.contains(&id) {
                continue;
            }
            let file = check["file_abs_path"]
                .as_str()
                .or_else(|| check["file_path"].as_str())
                .unwrap_or_default();
            verdicts.add(
                &project_of(root, file),
                "checkov",
                format!(
                    "{id} {} on {} ({})",
                    check["check_name"].as_str().unwrap_or_default(),
                    check["resource"].as_str().unwrap_or_default(),
                    Path::new(file)
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                ),
            );
        }
    }
}

fn kubernetes_validate(root: &Path, outputs: &BTreeMap<String, Output>, verdicts: &mut Verdicts) {
    let validate = tool("kubernetes-validate", "pip install kubernetes-validate");
    let files: Vec<&PathBuf> = outputs.values().flat_map(|o| &o.manifests).collect();
    if files.is_empty() {
        return;
    }
    let (_, stdout, stderr) = run(Command::new(validate)
        .args(["--strict", "--quiet"])
        .args(&files));
    for line in stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| !l.trim().is_empty())
    {
        let project = files
            .iter()
            .map(|f| f.to_string_lossy())
            .find(|f| line.contains(f.as_ref()))
            .map_or_else(|| "(unknown)".to_string(), |f| project_of(root, &f));
        verdicts.add(&project, "kubernetes-validate", line.to_string());
    }
}

/// Every text file the project's authors wrote, for the search of the paths it serves.
fn sources(source: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![source.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path.strip_prefix(source).unwrap();
                out.push((relative.to_string_lossy().replace('\\', "/"), text));
            }
        }
    }
    out
}

/// Whether the application in `source` serves `path`: the path is a string the code (or
/// `aigen.toml`, where a person declares it) writes, or two such strings joined (a router's
/// prefix and a route: `@Controller('health')` and `@Get('ready')`, a Next.js `basePath` and a
/// file route), where file-system routes count as strings too (Next.js `app/**/route.ts`,
/// `pages/`); or it is the Actuator's health endpoint of a Spring Boot app that declares the
/// Actuator.
fn serves(files: &[(String, String)], path: &str) -> bool {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["'`](?:[A-Z]+ )?(/?[A-Za-z0-9_\-./]*)["'`]"#).unwrap());
    static GROUP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"/\([^/)]*\)").unwrap());
    let normal = |text: &str| {
        text.trim_start_matches('^')
            .trim_end_matches('$')
            .trim_matches('/')
            .to_string()
    };
    let wanted = normal(path.split('?').next().unwrap_or(path));
    let mut fragments: BTreeSet<String> = BTreeSet::new();
    for (name, text) in files {
        for caps in LITERAL.captures_iter(text) {
            fragments.insert(normal(&caps[1]));
        }
        let name = GROUP.replace_all(&format!("/{name}"), "").into_owned();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        for base in ["/app", "/src/app"] {
            if let Some(route) = stem
                .strip_prefix(base)
                .and_then(|r| r.strip_suffix("/route"))
            {
                fragments.insert(normal(route));
            }
        }
        for base in ["/pages", "/src/pages"] {
            if let Some(route) = stem.strip_prefix(base) {
                fragments.insert(normal(route.strip_suffix("/index").unwrap_or(route)));
            }
        }
    }
    fragments.remove("");
    let joined = fragments.contains(&wanted)
        || fragments.iter().any(|prefix| {
            wanted
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| fragments.contains(rest))
        });
    let actuator = path.starts_with("/actuator/health")
        && files.iter().any(|(name, text)| {
            (name.ends_with("pom.xml") || name.contains("build.gradle"))
                && text.contains("spring-boot-starter-actuator")
        });
    joined || actuator
}

static HEALTHCHECK_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://127\.0\.0\.1:\d+(/[^'\x22\s,)\]]*)").unwrap());
static HEALTHCHECK_GET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"GET %s HTTP/1\.[01].*?'(/[^']*)'").unwrap());

/// Probe paths that the application does not serve, and settings set to the empty string.
fn invented(project: &str, source: &Path, output: &Output, verdicts: &mut Verdicts) {
    let files = sources(source);
    for dockerfile in &output.dockerfiles {
        let text = std::fs::read_to_string(dockerfile).unwrap();
        let Some(check) = text
            .lines()
            .skip_while(|l| !l.starts_with("HEALTHCHECK --"))
            .nth(1)
        else {
            continue;
        };
        for caps in HEALTHCHECK_URL
            .captures_iter(check)
            .chain(HEALTHCHECK_GET.captures_iter(check))
        {
            let path = &caps[1];
            if !serves(&files, path) {
                verdicts.add(
                    project,
                    "invented",
                    format!(
                        "{} checks `{path}`, which the app does not serve",
                        file_name(dockerfile)
                    ),
                );
            }
        }
    }
    for manifest in &output.manifests {
        let text = std::fs::read_to_string(manifest).unwrap();
        let Ok(value) = serde_saphyr::from_str::<Value>(&text) else {
            verdicts.add(
                project,
                "invented",
                format!("{} is not YAML", file_name(manifest)),
            );
            continue;
        };
        let mut found = Vec::new();
        walk(&value, &mut Vec::new(), &mut found);
        for (at, what) in found {
            match what {
                Found::ProbePath(path) if !serves(&files, &path) => verdicts.add(
                    project,
                    "invented",
                    format!(
                        "{} {at}: `{path}`, which the app does not serve",
                        file_name(manifest)
                    ),
                ),
                Found::EmptySetting => verdicts.add(
                    project,
                    "invented",
                    format!("{} {at}: an empty-string setting", file_name(manifest)),
                ),
                Found::ProbePath(_) => {}
            }
        }
    }
}

enum Found {
    ProbePath(String),
    EmptySetting,
}

/// Finds `httpGet.path` values and empty settings (a ConfigMap's `data` value or an `env`
/// entry's `value` that is `""`).
fn walk(value: &Value, at: &mut Vec<String>, found: &mut Vec<(String, Found)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(path)) = map.get("httpGet").and_then(|h| h.get("path")) {
                found.push((at.join("."), Found::ProbePath(path.clone())));
            }
            let parent = at.last().map(String::as_str);
            if parent == Some("data") {
                for (key, _) in map.iter().filter(|(_, v)| v.as_str() == Some("")) {
                    found.push((format!("{}.{key}", at.join(".")), Found::EmptySetting));
                }
            }
            if parent == Some("env[]") && map.get("value").and_then(Value::as_str) == Some("") {
                let name = map.get("name").and_then(Value::as_str).unwrap_or("?");
                found.push((format!("{}.{name}", at.join(".")), Found::EmptySetting));
            }
            for (key, child) in map {
                at.push(key.clone());
                walk(child, at, found);
                at.pop();
            }
        }
        Value::Array(items) => {
            let key = at.pop().unwrap_or_default();
            at.push(format!("{key}[]"));
            for item in items {
                walk(item, at, found);
            }
            at.pop();
            at.push(key);
        }
        _ => {}
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_detectable_project_passes_its_own_constitution_and_the_judges() {
    // checkov skips hidden directories, and tempdir's default names start with a dot.
    let root = tempfile::Builder::new()
        .prefix("aigen-invariant-")
        .tempdir()
        .unwrap();
    let mut verdicts = Verdicts::default();
    let mut outputs: BTreeMap<String, Output> = BTreeMap::new();
    let fixtures = fixtures();
    for fixture in &fixtures {
        let project = root.path().join(&fixture.name);
        copy_committed(&fixture.source, &project);
        verdicts.touch(&fixture.name);
        let output = init_and_generate(&project, &fixture.name, &mut verdicts);
        invented(&fixture.name, &fixture.source, &output, &mut verdicts);
        outputs.insert(fixture.name.clone(), output);
    }
    hadolint(root.path(), &outputs, &mut verdicts);
    checkov(root.path(), &outputs, &mut verdicts);
    kubernetes_validate(root.path(), &outputs, &mut verdicts);

    let dockerfiles: usize = outputs.values().map(|o| o.dockerfiles.len()).sum();
    let manifests: usize = outputs.values().map(|o| o.manifests.len()).sum();
    let judged: BTreeSet<&str> = [
        "aigen",
        "hadolint",
        "checkov",
        "kubernetes-validate",
        "invented",
    ]
    .into_iter()
    .collect();
    eprintln!(
        "{} projects, {dockerfiles} Dockerfiles, {manifests} manifests, judged by {judged:?}:\n{}",
        fixtures.len(),
        verdicts.table()
    );
    assert!(fixtures.len() >= 22, "the fixtures were not found");
    assert!(verdicts.is_clean(), "{}", verdicts.table());
}
