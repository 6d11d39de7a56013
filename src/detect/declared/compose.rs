//! The project's compose file: for each of its services, what it builds (the context and the
//! Dockerfile), the image it runs otherwise, its `command`, the container ports it publishes,
//! its `environment`, the path its `healthcheck` asks for, its `depends_on`, and what it mounts
//! into the container (`volumes`, `tmpfs`).
//!
//! The file read is the first of `compose.yaml`, `compose.yml`, `docker-compose.yaml` and
//! `docker-compose.yml` at the project root, as `docker compose` picks it (overrides and other
//! variants are development or alternative setups). A project without one may keep its compose
//! examples in a folder of their own: then the first YAML file in path order in a folder named
//! `docker-compose` or `compose` (`contrib/docker-compose/basic.yml`), or named as above under
//! `contrib/`, `deploy/`, `deployment/` or `docker/`, is read, its relative paths (build
//! contexts, bind mounts) taken from its own folder. `${NAME}` is filled from the `.env` beside
//! it, as compose fills it.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use super::super::model::{FileProblem, Origin, Sourced};
use super::command;
use super::interpolate::Vars;
use crate::fsutil::normalize_relative;

/// The compose file names `docker compose` looks for, in its order.
pub(crate) const NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// One service of a compose file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ComposeService {
    pub name: String,
    /// Where the service is declared.
    pub origin: Origin,
    /// The Dockerfile it builds, relative to the project root (`backend/Dockerfile`).
    pub dockerfile: Option<String>,
    /// The build context, relative to the project root.
    pub context: Option<String>,
    pub image: Option<String>,
    pub command: Option<Sourced<Vec<String>>>,
    /// The container side of each published port.
    pub ports: Vec<Sourced<u16>>,
    /// Variables and the values compose gives them (`None` when it passes one through unset).
    pub environment: Vec<(String, Sourced<Option<String>>)>,
    pub health: Option<Sourced<String>>,
    pub grpc_check: Option<Origin>,
    pub depends_on: Vec<Sourced<String>>,
    /// What compose mounts into the container: `volumes` and `tmpfs`.
    pub mounts: Vec<Mount>,
}

/// A mount into a compose service's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    /// The path in the container, with its line.
    pub target: Sourced<String>,
    pub source: MountSource,
    /// Mounted `:ro` (or `read_only: true`): the app does not write it.
    pub read_only: bool,
}

/// What a mount puts at its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MountSource {
    /// A named volume (`data:/app/data`), an anonymous one (`/app/data`) or a `tmpfs`: storage
    /// that starts empty or with the image's content.
    Volume,
    /// A host path (`./data:/app/data`), as written.
    Bind(String),
}

/// The services of the project's compose file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compose {
    pub services: Vec<ComposeService>,
}

impl Compose {
    /// The service of this name.
    pub(crate) fn service(&self, name: &str) -> Option<&ComposeService> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// Reads the compose file among `files` (the project's, relative to `root`), if there is one.
pub(crate) fn read(
    root: &std::path::Path,
    files: &[String],
) -> Result<Option<Compose>, FileProblem> {
    let at_root = NAMES
        .iter()
        .find(|n| files.binary_search_by(|f| f.as_str().cmp(n)).is_ok())
        .map(|n| (*n).to_string());
    let Some(name) = at_root.or_else(|| files.iter().find(|f| is_example(f)).cloned()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(root.join(&name))
        .map_err(|e| FileProblem::new(&name, format!("cannot read the file: {e}")))?;
    let vars = std::fs::read_to_string(root.join(base_of(&name)).join(".env"))
        .map(|env| Vars::from_dotenv(&env))
        .unwrap_or_default();
    parse(&name, &text, &vars).map(Some)
}

/// Folders that hold a project's deployment examples.
const EXAMPLE_FOLDERS: &[&str] = &["contrib", "deploy", "deployment", "docker"];

/// Whether `path` (relative to the project root) is a compose file kept in a folder of examples:
/// any YAML file in a folder named `docker-compose` or `compose`, or one named as compose names
/// its files in a folder of [`EXAMPLE_FOLDERS`].
fn is_example(path: &str) -> bool {
    let Some((folder, name)) = path.rsplit_once('/') else {
        return false;
    };
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    let parent = folder.rsplit('/').next().unwrap_or(folder);
    let first = folder.split('/').next().unwrap_or(folder);
    yaml && (matches!(parent, "docker-compose" | "compose")
        || (NAMES.contains(&name) && EXAMPLE_FOLDERS.contains(&first)))
}

/// The folder of a file relative to the project root (`""` at the root).
fn base_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// How many closing brackets [`lenient`] re-indents before giving up.
const MAX_REINDENTS: usize = 64;

/// Parses a compose file's text; a YAML error is a problem at its line and column.
pub(crate) fn parse(file: &str, text: &str, vars: &Vars) -> Result<Compose, FileProblem> {
    let docs = lenient(text).map_err(|e| {
        let marker = e.marker();
        FileProblem::at(
            file,
            marker.line(),
            marker.col() + 1,
            format!("invalid YAML: {}", e.info()),
        )
    })?;
    let mut compose = Compose::default();
    let Some(services) = docs
        .first()
        .and_then(|doc| doc.data.as_mapping_get("services"))
        .and_then(|s| s.data.as_mapping())
    else {
        return Ok(compose);
    };
    let reader = Reader {
        file,
        base: base_of(file),
        vars,
    };
    for (key, node) in services {
        let Some(name) = scalar(key) else { continue };
        let mut service = reader.service(name, node);
        service.origin = reader.origin(key);
        compose.services.push(service);
    }
    Ok(compose)
}

/// Loads the YAML as `docker compose` reads it: go-yaml accepts the closing bracket of a flow
/// sequence at its key's indentation (`command: [` ... `]`), which YAML's grammar and saphyr
/// do not; such a line is indented like the one before it and the text loaded again. Lines
/// keep their numbers. Any other error is the first one.
fn lenient(text: &str) -> Result<Vec<MarkedYamlOwned>, saphyr::ScanError> {
    let mut current = text.to_string();
    let mut first_error = None;
    for _ in 0..MAX_REINDENTS {
        match MarkedYamlOwned::load_from_str(&current) {
            Ok(docs) => return Ok(docs),
            Err(error) => {
                let line = error.marker().line();
                let first = first_error.get_or_insert(error);
                let mut lines: Vec<String> = current.lines().map(str::to_string).collect();
                let index = line.saturating_sub(1);
                let closing = lines
                    .get(index)
                    .is_some_and(|l| l.trim_start().starts_with([']', '}']));
                let previous = lines[..index.min(lines.len())]
                    .iter()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len());
                match (closing, previous) {
                    (true, Some(indent))
                        if indent > lines[index].len() - lines[index].trim_start().len() =>
                    {
                        lines[index] =
                            format!("{}{}", " ".repeat(indent), lines[index].trim_start());
                        current = lines.join("\n");
                    }
                    _ => return Err(first.clone()),
                }
            }
        }
    }
    Err(first_error.expect("the loop runs at least once"))
}

struct Reader<'a> {
    file: &'a str,
    /// The compose file's folder: its relative paths are relative to it.
    base: &'a str,
    vars: &'a Vars,
}

impl Reader<'_> {
    /// A relative path of the compose file, relative to the project root.
    fn root_relative(&self, path: &str) -> String {
        if self.base.is_empty() {
            path.to_string()
        } else {
            normalize_relative(&format!("{}/{path}", self.base))
        }
    }

    fn origin(&self, node: &MarkedYamlOwned) -> Origin {
        Origin::file(self.file, node.span.start.line())
    }

    fn service(&self, name: String, node: &MarkedYamlOwned) -> ComposeService {
        let get = |key: &str| node.data.as_mapping_get(key);
        let mut service = ComposeService {
            name,
            origin: self.origin(node),
            image: get("image")
                .and_then(scalar)
                .and_then(|i| self.vars.fill(&i)),
            ..ComposeService::default()
        };
        if let Some(build) = get("build") {
            self.build(&mut service, build);
        }
        service.command = self.command(get("entrypoint"), get("command"));
        for port in get("ports")
            .and_then(|p| p.data.as_sequence())
            .into_iter()
            .flatten()
        {
            if let Some(number) = self.container_port(port) {
                service.ports.push(Sourced::new(number, self.origin(port)));
            }
        }
        if let Some(environment) = get("environment") {
            service.environment = self.environment(environment);
        }
        if let Some(test) = get("healthcheck").and_then(|h| h.data.as_mapping_get("test")) {
            let text = words(test).join(" ");
            let text = self.vars.fill(&text).unwrap_or(text);
            if command::is_grpc_check(&text) {
                service.grpc_check = Some(self.origin(test));
            }
            service.health =
                command::health_path(&text).map(|path| Sourced::new(path, self.origin(test)));
        }
        for volume in get("volumes")
            .and_then(|v| v.data.as_sequence())
            .into_iter()
            .flatten()
        {
            service.mounts.extend(self.volume(volume));
        }
        if let Some(tmpfs) = get("tmpfs") {
            let nodes = match &tmpfs.data {
                YamlDataOwned::Sequence(items) => items.iter().collect(),
                _ => vec![tmpfs],
            };
            for node in nodes {
                if let Some(target) = scalar(node).and_then(|t| self.vars.fill(&t)) {
                    let target = target.split(':').next().unwrap_or_default().to_string();
                    service.mounts.push(Mount {
                        target: Sourced::new(target, self.origin(node)),
                        source: MountSource::Volume,
                        read_only: false,
                    });
                }
            }
        }
        if let Some(depends) = get("depends_on") {
            service.depends_on = match &depends.data {
                YamlDataOwned::Sequence(items) => items
                    .iter()
                    .filter_map(|item| Some(Sourced::new(scalar(item)?, self.origin(item))))
                    .collect(),
                YamlDataOwned::Mapping(map) => map
                    .keys()
                    .filter_map(|key| Some(Sourced::new(scalar(key)?, self.origin(key))))
                    .collect(),
                _ => Vec::new(),
            };
        }
        service
    }

    /// `build: ./dir` or `build: {context: ., dockerfile: backend/Dockerfile}`.
    fn build(&self, service: &mut ComposeService, build: &MarkedYamlOwned) {
        let (context, dockerfile) = match scalar(build) {
            Some(context) => (Some(context), None),
            None => (
                build.data.as_mapping_get("context").and_then(scalar),
                build.data.as_mapping_get("dockerfile").and_then(scalar),
            ),
        };
        let context = context
            .and_then(|c| self.vars.fill(&c))
            .unwrap_or_else(|| ".".into());
        if context.contains("://") {
            return;
        }
        let context = normalize_relative(&self.root_relative(&context));
        let dockerfile = dockerfile
            .and_then(|d| self.vars.fill(&d))
            .unwrap_or_else(|| "Dockerfile".into());
        service.dockerfile = Some(normalize_relative(&format!("{context}/{dockerfile}")));
        service.context = Some(context);
    }

    /// `entrypoint` and `command`, each a string or a list, as one argv.
    fn command(
        &self,
        entrypoint: Option<&MarkedYamlOwned>,
        command: Option<&MarkedYamlOwned>,
    ) -> Option<Sourced<Vec<String>>> {
        let argv = |node: &MarkedYamlOwned| -> Vec<String> {
            match scalar(node) {
                Some(text) => command::argv(&text),
                None => words(node),
            }
        };
        let origin = command.or(entrypoint).map(|n| self.origin(n))?;
        let mut all = entrypoint.map(argv).unwrap_or_default();
        all.extend(command.map(argv).unwrap_or_default());
        let all: Vec<String> = all
            .into_iter()
            .map(|w| self.vars.fill(&w).unwrap_or(w))
            .collect();
        (!all.is_empty()).then(|| Sourced::new(all, origin))
    }

    /// A `volumes` entry: `source:target[:mode]`, a bare `target` (an anonymous volume), or the
    /// long form (`{type: bind, source: ./data, target: /app/data, read_only: true}`).
    fn volume(&self, node: &MarkedYamlOwned) -> Option<Mount> {
        let (source, target, read_only) = match scalar(node) {
            Some(text) => {
                let text = self.vars.fill(&text)?;
                let parts: Vec<&str> = text.split(':').collect();
                match parts.as_slice() {
                    [target] => (None, target.to_string(), false),
                    [source, target] => (Some(source.to_string()), target.to_string(), false),
                    [source, target, mode] => (
                        Some(source.to_string()),
                        target.to_string(),
                        mode.split(',').any(|m| m == "ro"),
                    ),
                    _ => return None,
                }
            }
            None => {
                let get = |key: &str| {
                    node.data
                        .as_mapping_get(key)
                        .and_then(scalar)
                        .and_then(|v| self.vars.fill(&v))
                };
                let kind = get("type").unwrap_or_else(|| "volume".into());
                let source = get("source").filter(|_| kind == "bind");
                let read_only = get("read_only").is_some_and(|r| r == "true");
                (source, get("target")?, read_only)
            }
        };
        let source = match source {
            Some(path) if path.starts_with(['/', '~']) => MountSource::Bind(path),
            Some(path) if path.starts_with('.') || path.contains(['/', '\\']) => {
                MountSource::Bind(self.root_relative(&path))
            }
            _ => MountSource::Volume,
        };
        Some(Mount {
            target: Sourced::new(target, self.origin(node)),
            source,
            read_only,
        })
    }

    /// The container port of a `ports` entry: `"8080:80"` gives 80, `"9555"` 9555,
    /// `{target: 80}` 80.
    fn container_port(&self, port: &MarkedYamlOwned) -> Option<u16> {
        let text = match port.data.as_mapping_get("target") {
            Some(target) => scalar(target)?,
            None => scalar(port)?,
        };
        let text = self.vars.fill(&text)?;
        let container = text.split('/').next()?.rsplit(':').next()?;
        container.parse::<u16>().ok().filter(|p| *p > 0)
    }

    /// `environment` as a map or as a list of `NAME=value` (or bare `NAME`, passed through from
    /// the environment compose runs in, which `.env` fills).
    fn environment(&self, node: &MarkedYamlOwned) -> Vec<(String, Sourced<Option<String>>)> {
        let entry = |name: String, value: Option<String>, origin: Origin| {
            let value = match value {
                Some(v) => self.vars.fill(&v),
                None => self.vars.get(&name).map(str::to_string),
            };
            (name, Sourced::new(value, origin))
        };
        match &node.data {
            YamlDataOwned::Mapping(map) => map
                .iter()
                .filter_map(|(key, value)| {
                    Some(entry(scalar(key)?, scalar(value), self.origin(key)))
                })
                .collect(),
            YamlDataOwned::Sequence(items) => items
                .iter()
                .filter_map(|item| {
                    let text = scalar(item)?;
                    let (name, value) = match text.split_once('=') {
                        Some((name, value)) => (name.to_string(), Some(value.to_string())),
                        None => (text, None),
                    };
                    Some(entry(name, value, self.origin(item)))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A scalar's text (strings, numbers and booleans as written); `None` for null, collections
/// and aliases.
pub(super) fn scalar(node: &MarkedYamlOwned) -> Option<String> {
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.to_string()),
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlDataOwned::Representation(text, _, _) => Some(text.to_string()),
        YamlDataOwned::Tagged(_, inner) => scalar(inner),
        _ => None,
    }
}

/// The scalars of a list (a health check's `["CMD", "curl", ...]`), or the one scalar.
fn words(node: &MarkedYamlOwned) -> Vec<String> {
    match &node.data {
        YamlDataOwned::Sequence(items) => items.iter().filter_map(scalar).collect(),
        _ => scalar(node).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
services:
  api:
    build:
      context: .
      dockerfile: backend/Dockerfile
    command: ["fastapi", "run", "--port", "8000"]
    ports: ["8000:80", "${EXTRA_PORT}"]
    environment:
      DEBUG: "false"
      DATABASE_URL: postgres://app@db/app
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/api/health"]
    depends_on:
      db:
        condition: service_healthy
  worker:
    build: ./worker/
    command: celery -A app worker
    environment:
      - LOG_LEVEL=info
      - EXTRA_PORT
  db:
    image: postgres:${PG:-16}
"#;

    #[test]
    fn services_are_read_with_their_lines() {
        let vars = Vars::from_dotenv("EXTRA_PORT=9555\n");
        let compose = parse("compose.yaml", FILE, &vars).unwrap();
        let api = compose.service("api").unwrap();
        assert_eq!(api.dockerfile.as_deref(), Some("backend/Dockerfile"));
        assert_eq!(
            api.command.as_ref().unwrap().value,
            ["fastapi", "run", "--port", "8000"]
        );
        let ports: Vec<u16> = api.ports.iter().map(|p| p.value).collect();
        assert_eq!(ports, [80, 9555]);
        assert_eq!(api.environment[0].0, "DEBUG");
        assert_eq!(api.environment[0].1.value.as_deref(), Some("false"));
        assert_eq!(api.environment[0].1.origin.to_string(), "compose.yaml:10");
        assert_eq!(api.health.as_ref().unwrap().value, "/api/health");
        assert_eq!(api.depends_on[0].value, "db");
        let worker = compose.service("worker").unwrap();
        assert_eq!(worker.dockerfile.as_deref(), Some("worker/Dockerfile"));
        assert_eq!(
            worker.command.as_ref().unwrap().value,
            ["celery", "-A", "app", "worker"]
        );
        assert_eq!(worker.environment[1].1.value.as_deref(), Some("9555"));
        assert_eq!(
            compose.service("db").unwrap().image.as_deref(),
            Some("postgres:16")
        );
    }

    #[test]
    fn mounts_say_what_they_put_where() {
        let file = r#"
services:
  app:
    image: example/app:1
    volumes:
      - ./data:/app/data
      - uploads:/app/uploads
      - /app/cache
      - ./conf:/etc/app:ro
      - type: bind
        source: ./static
        target: /app/static
        read_only: true
    tmpfs: [/run/app]
"#;
        let compose = parse("compose.yaml", file, &Vars::default()).unwrap();
        let mounts = &compose.service("app").unwrap().mounts;
        let seen: Vec<(&str, &MountSource, bool)> = mounts
            .iter()
            .map(|m| (m.target.value.as_str(), &m.source, m.read_only))
            .collect();
        let bind = |path: &str| MountSource::Bind(path.to_string());
        assert_eq!(
            seen,
            [
                ("/app/data", &bind("./data"), false),
                ("/app/uploads", &MountSource::Volume, false),
                ("/app/cache", &MountSource::Volume, false),
                ("/etc/app", &bind("./conf"), true),
                ("/app/static", &bind("./static"), true),
                ("/run/app", &MountSource::Volume, false),
            ]
        );
        assert_eq!(mounts[0].target.origin.to_string(), "compose.yaml:6");
    }

    #[test]
    fn yaml_errors_have_a_position() {
        let problem = parse("compose.yaml", "services:\n  a: [\n", &Vars::default()).unwrap_err();
        assert_eq!(problem.path, "compose.yaml");
        assert!(problem.line.is_some());
    }

    #[test]
    fn compose_examples_are_read_from_their_folders_with_their_paths() {
        assert!(is_example("contrib/docker-compose/basic.yml"));
        assert!(is_example("deploy/compose/prod.yaml"));
        assert!(is_example("docker/docker-compose.yml"));
        assert!(!is_example("docker-compose.yml"));
        assert!(!is_example("contrib/k8s/deployment.yaml"));
        assert!(!is_example("docs/docker-compose.yml"));
        let file = "services:\n  app:\n    build: ../..\n    volumes:\n      - ./data:/app/data\n      - /srv/x:/x\n";
        let compose = parse("contrib/docker-compose/basic.yml", file, &Vars::default()).unwrap();
        let app = &compose.services[0];
        assert_eq!(app.context.as_deref(), Some("."));
        assert_eq!(app.dockerfile.as_deref(), Some("Dockerfile"));
        assert_eq!(
            app.mounts[0].source,
            MountSource::Bind("contrib/docker-compose/data".into())
        );
        assert_eq!(app.mounts[1].source, MountSource::Bind("/srv/x".into()));
    }
}
