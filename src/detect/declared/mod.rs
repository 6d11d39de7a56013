//! What the project already says about running a service, read before anything is guessed: its
//! own Dockerfile ([`dockerfile`]), its compose file ([`compose`]), its `Procfile`
//! ([`procfile`]), its Kubernetes manifests ([`kubernetes`], for the values of variables) and
//! the example settings file its Dockerfile makes the app's `.env` (its default configuration,
//! read with [`interpolate::dotenv`]).
//! [`Declared`] gathers them for one service directory and answers in that order: the command,
//! the port, the health path, whether the health check speaks gRPC, the values of variables,
//! the services it depends on, the other processes (workers) run from the same code, and what
//! the project mounts into its container.

pub(super) mod command;
pub(super) mod compose;
pub(super) mod dockerfile;
pub(super) mod interpolate;
pub(super) mod kubernetes;
pub(super) mod procfile;

use compose::{Compose, ComposeService};
use dockerfile::DockerfileFacts;
use kubernetes::{Container, Manifests, SecretRef};
use procfile::Process;

use super::env::name_ends_with_word;
use super::model::{FileProblem, ImportedFile, Language, Origin, Peer, Sourced};
use super::source::{ServiceDir, ServiceFile};
use crate::image_reference::ImageReference;

/// Programs that consume a queue rather than serve requests, with the word that makes them a
/// worker (`celery -A app worker`, `rq worker`); `None` when the program alone does.
const WORKER_PROGRAMS: &[(&str, Option<&str>)] = &[
    ("celery", Some("worker")),
    ("rq", Some("worker")),
    ("rqworker", None),
    ("dramatiq", None),
    ("huey_consumer", None),
    ("huey_consumer.py", None),
    ("arq", None),
    ("faust", Some("worker")),
    ("taskiq", Some("worker")),
];

/// What the project declares for one service directory.
#[derive(Debug, Clone, Default)]
pub(super) struct Declared {
    pub dockerfile: Option<DockerfileFacts>,
    /// The compose services that build this directory, the main one first.
    pub compose: Vec<ComposeService>,
    /// When no compose service builds it: the one that runs the project's own published image
    /// (`image: example/<name>:2` for the directory `<name>`), read for its mounts, its
    /// `environment` and its peers.
    pub published: Option<ComposeService>,
    /// The Procfile's processes.
    pub procfile: Vec<Process>,
    /// The services of the compose file the main one depends on.
    pub depends_on: Vec<Sourced<Peer>>,
    /// The container of the project's Kubernetes manifests that runs this directory.
    pub container: Option<Container>,
    /// The values of the example settings file the project's Dockerfile copies to the app's
    /// `.env` ([`DockerfileFacts::default_env`]), each at its line; an empty one leaves the
    /// variable unset.
    pub default_env: Vec<(String, Sourced<String>)>,
}

/// A process run from the service's code besides its server: a queue worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Worker {
    /// What the project calls it (`worker`, `celery`).
    pub name: String,
    pub command: Sourced<Vec<String>>,
}

impl Declared {
    /// Reads what `dir` (named `name`) declares: the compose services given (those that build
    /// it), the Dockerfile they name or the service's own, its Procfile, and the container of
    /// `manifests` that runs it.
    pub(super) fn gather(
        dir: &ServiceDir,
        name: &str,
        mut building: Vec<ComposeService>,
        sources: (Option<&Compose>, &Manifests),
        problems: &mut Vec<FileProblem>,
    ) -> Self {
        let (compose, manifests) = sources;
        // The main compose service builds the directory's own Dockerfile and publishes a port;
        // workers built from the same code do not, nor do helpers built from other Dockerfiles.
        building.sort_by_key(|s| {
            let own_dockerfile = s
                .dockerfile
                .as_deref()
                .and_then(|path| dir.relative(path))
                .is_some_and(|rel| dockerfile::NAMES.contains(&rel.as_str()));
            (
                !own_dockerfile,
                s.ports.is_empty(),
                is_worker_command(command_of(s)),
            )
        });
        let named = building
            .first()
            .and_then(|s| s.dockerfile.as_deref())
            .and_then(|path| dir.relative(path))
            .filter(|rel| dir.has(rel));
        let rel = named.or_else(|| {
            dockerfile::NAMES
                .iter()
                .find(|n| dir.has(n))
                .map(|n| n.to_string())
        });
        let dockerfile = rel.and_then(|rel| match dockerfile::read(dir, &rel) {
            Ok(facts) => facts,
            Err(problem) => {
                problems.push(problem);
                None
            }
        });
        let default_env = dockerfile
            .as_ref()
            .and_then(|d| d.default_env.as_ref())
            .and_then(|f| dir.read_if_present(&f.value, problems))
            .map(|file| default_values(&file))
            .unwrap_or_default();
        let procfile = dir
            .read_if_present("Procfile", problems)
            .map(|file| procfile::parse(&file))
            .unwrap_or_default();
        let published = match (building.is_empty(), compose) {
            (true, Some(compose)) => compose
                .services
                .iter()
                .find(|s| {
                    s.dockerfile.is_none()
                        && s.image.as_deref().is_some_and(|i| runs_own_image(i, name))
                })
                .cloned(),
            _ => None,
        };
        let depends_on = match (building.first().or(published.as_ref()), compose) {
            (Some(main), Some(compose)) => peers(main, &default_env, compose),
            _ => Vec::new(),
        };
        Self {
            dockerfile,
            published,
            compose: building,
            procfile,
            depends_on,
            container: manifests.container_for(name).cloned(),
            default_env,
        }
    }

    /// The commands the project gives the main process, in the order they are believed: the
    /// Dockerfile's, the compose file's, the Procfile's `web`.
    fn commands(&self) -> Vec<Sourced<Vec<String>>> {
        let mut commands = Vec::new();
        commands.extend(self.dockerfile.as_ref().and_then(|d| d.command.clone()));
        commands.extend(self.compose.first().and_then(|s| s.command.clone()));
        commands.extend(
            self.procfile
                .iter()
                .find(|p| p.kind == "web")
                .map(|p| p.command.clone().map(|c| command::argv(&c))),
        );
        commands
    }

    /// The packages the project's own Dockerfile installs with pip by name.
    pub(super) fn pip_installs(&self) -> &[Sourced<String>] {
        self.dockerfile
            .as_ref()
            .map_or(&[], |d| d.pip_installs.as_slice())
    }

    /// The steps the project runs before its server, migrations and schema set-up: every step
    /// of the Procfile's `release` process first (Heroku runs it before each release starts;
    /// what only prints or waits left out, [`command::is_idle`]),
    /// then those of the Dockerfile (chained before its command, or in its entrypoint script),
    /// else those a compose `command` (`sh -c "..."`) or the Procfile's `web` line chains
    /// before the server. The same command twice is run once.
    pub(super) fn prestart(&self) -> Vec<Sourced<Vec<String>>> {
        let mut steps: Vec<Sourced<Vec<String>>> = Vec::new();
        for release in self.procfile.iter().filter(|p| p.kind == "release") {
            let origin = &release.command.origin;
            let release_steps = command::steps_argv(&release.command.value)
                .into_iter()
                .filter(|step| !command::is_idle(step))
                .collect();
            steps.extend(sourced_each(release_steps, origin));
        }
        let dockerfile = self
            .dockerfile
            .as_ref()
            .map(|d| d.prestart.clone())
            .unwrap_or_default();
        let compose = || {
            self.compose
                .first()
                .and_then(|s| s.command.as_ref())
                .and_then(|c| {
                    let script = command::shell_script(&c.value)?;
                    Some(sourced_each(command::schema_steps(script), &c.origin))
                })
                .unwrap_or_default()
        };
        let web = || {
            self.procfile
                .iter()
                .find(|p| p.kind == "web")
                .map(|p| sourced_each(command::schema_steps(&p.command.value), &p.command.origin))
                .unwrap_or_default()
        };
        let chained = [dockerfile, compose(), web()]
            .into_iter()
            .find(|steps| !steps.is_empty())
            .unwrap_or_default();
        steps.extend(chained);
        for step in &mut steps {
            step.value = command::program_on_path(std::mem::take(&mut step.value));
        }
        let mut seen: Vec<Vec<String>> = Vec::new();
        steps.retain(|step| {
            let new = !step.value.is_empty() && !seen.contains(&step.value);
            seen.push(step.value.clone());
            new
        });
        steps
    }

    /// The first declared command an interpreted service can run as it is: not a development
    /// server, and every file it names exists in the service (or is build output).
    pub(super) fn start(&self, dir: &ServiceDir) -> Option<Sourced<Vec<String>>> {
        self.commands()
            .into_iter()
            .find(|c| runnable(dir, &c.value))
    }

    /// For a compiled service, whose program is the binary its own build makes: the arguments
    /// the first declared command passes that binary (`serve` of `./gotify-app serve`).
    pub(super) fn binary_arguments(&self, language: Language) -> Option<Sourced<Vec<String>>> {
        self.commands().into_iter().find_map(|c| {
            if let Some(args) = run_arguments(&c.value) {
                return Some(Sourced::new(args, c.origin));
            }
            let (program, args) = c.value.split_first()?;
            if command::is_development(&c.value) || !is_own_binary(program, language) {
                return None;
            }
            Some(Sourced::new(args.to_vec(), c.origin))
        })
    }

    /// The port: the Dockerfile's `EXPOSE`, the compose file's published container port, else a
    /// port flag of a declared command (`gunicorn -b :5000`).
    pub(super) fn port(&self) -> Option<Sourced<u16>> {
        self.dockerfile
            .as_ref()
            .and_then(|d| d.port.clone())
            .or_else(|| self.compose.first().and_then(|s| s.ports.first().cloned()))
            .or_else(|| {
                self.commands().into_iter().find_map(|c| {
                    let port = command::port(&c.value)?;
                    Some(Sourced::new(port, c.origin))
                })
            })
    }

    /// The language release the project's own Dockerfile builds with: the tag of its first
    /// stage on the language's official image (`FROM node:20.20.2-alpine` is Node 20). The one
    /// place a release is read from a Dockerfile; [`super::assemble::finish`] says for which
    /// languages it counts.
    pub(super) fn dockerfile_release(&self, language: Language) -> Option<Sourced<String>> {
        let images: &[&str] = match language {
            Language::Node => &["node"],
            Language::Python => &["python"],
            Language::Go => &["golang"],
            Language::Rust => &["rust"],
            Language::Java => &["eclipse-temurin", "openjdk", "amazoncorretto"],
        };
        self.dockerfile.as_ref()?.release_of(images)
    }

    /// The path the project's own health check asks for.
    pub(super) fn health(&self) -> Option<Sourced<String>> {
        self.dockerfile
            .as_ref()
            .and_then(|d| d.health.clone())
            .or_else(|| self.compose.first().and_then(|s| s.health.clone()))
    }

    /// What the project's Dockerfile copies into the image from outside the service directory.
    pub(super) fn imported_files(&self) -> Vec<Sourced<ImportedFile>> {
        self.dockerfile
            .as_ref()
            .map(|d| d.imported.clone())
            .unwrap_or_default()
    }

    /// Where the project's health check speaks the gRPC health protocol.
    pub(super) fn grpc_check(&self) -> Option<Origin> {
        self.dockerfile
            .as_ref()
            .and_then(|d| d.grpc_check.clone())
            .or_else(|| self.compose.first().and_then(|s| s.grpc_check.clone()))
    }

    /// The values the default configuration (the example file the Dockerfile copies to
    /// `.env`), the Dockerfile's `ENV`, the compose file's `environment` and the Kubernetes
    /// container's `env` give variables, in that order (a later one wins), with the names
    /// compose passes through unset.
    pub(super) fn env(&self) -> Vec<(String, Sourced<Option<String>>)> {
        let mut values: Vec<(String, Sourced<Option<String>>)> = self
            .default_env
            .iter()
            .filter(|(_, value)| !value.value.is_empty())
            .map(|(name, value)| (name.clone(), value.clone().map(Some)))
            .collect();
        if let Some(dockerfile) = &self.dockerfile {
            for (name, value) in &dockerfile.env {
                values.push((name.clone(), value.clone().map(Some)));
            }
        }
        if let Some(main) = self.compose.first().or(self.published.as_ref()) {
            values.extend(main.environment.iter().cloned());
        }
        if let Some(container) = &self.container {
            for (name, value) in &container.env {
                values.push((name.clone(), value.clone().map(Some)));
            }
        }
        values
    }

    /// The variables the project's default configuration leaves empty: the app runs without
    /// them (`DATABASE_URL=` beside `DATABASE_HOST=db`).
    pub(super) fn unset_by_default(&self) -> impl Iterator<Item = &str> {
        self.default_env
            .iter()
            .filter(|(_, value)| value.value.is_empty())
            .map(|(name, _)| name.as_str())
    }

    /// What the project's compose file mounts into this service's container: the main service
    /// that builds it, else the one that runs its published image.
    pub(super) fn mounts(&self) -> &[compose::Mount] {
        self.compose
            .first()
            .or(self.published.as_ref())
            .map_or(&[], |s| s.mounts.as_slice())
    }

    /// The variables the project's Kubernetes manifests take from a Secret for this service.
    pub(super) fn secret_refs(&self) -> &[SecretRef] {
        self.container
            .as_ref()
            .map_or(&[], |c| c.secrets.as_slice())
    }

    /// Evidence that the project runs this directory as a program: a compose service builds it,
    /// or its Procfile has a `web` or worker process.
    pub(super) fn runs(&self) -> Option<Origin> {
        self.compose.first().map(|s| s.origin.clone()).or_else(|| {
            self.procfile
                .iter()
                .find(|p| p.kind == "web" || self.is_worker(p))
                .map(|p| p.command.origin.clone())
        })
    }

    /// True when the Procfile's only server process is a worker: no `web` process, and a
    /// worker process.
    pub(super) fn only_workers(&self) -> bool {
        !self.procfile.iter().any(|p| p.kind == "web")
            && self.procfile.iter().any(|p| self.is_worker(p))
            && self.dockerfile.as_ref().is_none_or(|d| d.port.is_none())
    }

    /// The queue workers run from this code besides the server: Procfile processes and other
    /// compose services built from the same directory whose command is a worker's.
    pub(super) fn workers(&self) -> Vec<Worker> {
        let mut workers: Vec<Worker> = self
            .procfile
            .iter()
            .filter(|p| self.is_worker(p))
            .map(|p| Worker {
                name: p.kind.clone(),
                command: p.command.clone().map(|c| command::argv(&c)),
            })
            .collect();
        for service in self.compose.iter().skip(1) {
            let Some(command) = &service.command else {
                continue;
            };
            let known = workers.iter().any(|w| w.command.value == command.value);
            if is_worker_command(Some(&command.value)) && !known {
                workers.push(Worker {
                    name: service.name.clone(),
                    command: command.clone(),
                });
            }
        }
        workers
    }

    fn is_worker(&self, process: &Process) -> bool {
        let name = process.kind.to_ascii_lowercase();
        name != "web"
            && name != "release"
            && (name.contains("worker")
                || is_worker_command(Some(&command::argv(&process.command.value))))
    }
}

/// Each command, with the same source.
fn sourced_each(commands: Vec<Vec<String>>, origin: &Origin) -> Vec<Sourced<Vec<String>>> {
    commands
        .into_iter()
        .map(|c| Sourced::new(c, origin.clone()))
        .collect()
}

/// True when `image` (`registry/owner/name:tag`) is named after the directory `name`: the
/// project's own image, published.
fn runs_own_image(image: &str, name: &str) -> bool {
    let own = ImageReference::parse(image).name();
    !own.is_empty() && own.eq_ignore_ascii_case(name)
}

fn command_of(service: &ComposeService) -> Option<&Vec<String>> {
    service.command.as_ref().map(|c| &c.value)
}

/// True when a command runs a queue worker (`celery -A app worker`, `rq worker`, `dramatiq`).
pub(super) fn is_worker_command(argv: Option<&Vec<String>>) -> bool {
    let Some(argv) = argv else { return false };
    let mut words = argv.iter().map(String::as_str);
    // `python -m celery ...`, `python manage.py rqworker`
    let mut program = words.next().unwrap_or_default();
    if program.starts_with("python") {
        program = match words.next() {
            Some("-m") => words.next().unwrap_or_default(),
            Some("manage.py") => {
                return words.next().is_some_and(|w| {
                    matches!(w, "rqworker" | "qcluster" | "process_tasks" | "celery")
                });
            }
            _ => return false,
        };
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    WORKER_PROGRAMS
        .iter()
        .any(|(name, word)| *name == program && word.is_none_or(|w| argv.iter().any(|a| a == w)))
}

/// Extensions of files a command line names that must be in the image.
const FILE_EXTENSIONS: &[&str] = &["py", "js", "mjs", "cjs", "ts", "ini", "sh", "toml", "cfg"];

/// Directories a build writes, whose files a command may name before they exist.
const BUILD_OUTPUT: &[&str] = &["dist/", "build/", "out/", ".next/", "target/", "lib/"];

/// True when an interpreted service can run `argv` from its source: not a development server,
/// a program given by name or as a file the service has, and every file argument present.
fn runnable(dir: &ServiceDir, argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    if command::is_development(argv) {
        return false;
    }
    if matches!(program.as_str(), "sh" | "bash") && argv.get(1).is_some_and(|a| a == "-c") {
        return argv
            .get(2)
            .is_some_and(|inner| runnable(dir, &command::argv(inner)));
    }
    let present = |word: &str| {
        let rel = word.trim_start_matches("./");
        BUILD_OUTPUT.iter().any(|out| rel.starts_with(out)) || dir.has(rel)
    };
    if (program.contains('/') || program.ends_with(".sh")) && !present(program) {
        return false;
    }
    argv[1..].iter().all(|word| {
        let names_file = !word.starts_with('-')
            && !word.contains(['=', ':', '$'])
            && word
                .rsplit_once('.')
                .is_some_and(|(_, ext)| FILE_EXTENSIONS.contains(&ext));
        !names_file || present(word)
    })
}

/// The arguments a toolchain's "build and run" passes the program: `go run main.go server` and
/// `go run ./cmd/app -- serve` pass `server` and `serve` (what follows the package, past a
/// `--`), `cargo run --release -- serve` passes `serve`.
fn run_arguments(argv: &[String]) -> Option<Vec<String>> {
    let (program, rest) = argv.split_first()?;
    let program = program.rsplit('/').next().unwrap_or(program);
    let rest = rest.strip_prefix(&["run".to_string()])?;
    let after_dashes = |words: &[String]| {
        words
            .iter()
            .position(|w| w == "--")
            .map(|at| words[at + 1..].to_vec())
    };
    match program {
        "go" => {
            // Build flags, and the value of those that take one as the next word.
            const VALUED: [&str; 5] = ["-tags", "-ldflags", "-gcflags", "-mod", "-exec"];
            let mut at = 0;
            while let Some(word) = rest.get(at).filter(|w| w.starts_with('-')) {
                at += if VALUED.contains(&word.as_str()) {
                    2
                } else {
                    1
                };
            }
            // The package, and any more of its files (`go run main.go handlers.go serve`).
            let files = rest[at..]
                .iter()
                .skip(1)
                .take_while(|w| w.ends_with(".go"))
                .count();
            let args = rest.get(at + 1 + files..)?;
            Some(after_dashes(args).unwrap_or_else(|| args.to_vec()))
        }
        "cargo" => after_dashes(rest),
        _ => None,
    }
    // A run that passes nothing says nothing: a later command may name the arguments.
    .filter(|args| !args.is_empty())
}

/// True when a declared command's program is the binary the service's own build makes, not a
/// tool run beside it (`java`, `sh`, `dotnet`).
fn is_own_binary(program: &str, language: Language) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    let tool = matches!(
        name,
        "java"
            | "sh"
            | "bash"
            | "dotnet"
            | "node"
            | "python"
            | "python3"
            | "env"
            | "tini"
            | "go"
            | "cargo"
    );
    !tool && language != Language::Java && !program.ends_with(".sh")
}

/// The values of a `.env`-style file, each at its line.
fn default_values(file: &ServiceFile) -> Vec<(String, Sourced<String>)> {
    interpolate::dotenv(&file.text)
        .into_iter()
        .map(|entry| {
            let origin = Origin::file(&file.path, entry.line);
            (entry.name, Sourced::new(entry.value, origin))
        })
        .collect()
}

/// Words a variable's name ends with when its value names a host: `DATABASE_HOST`, `REDIS_URL`.
const HOST_WORDS: &[&str] = &[
    "HOST", "HOSTNAME", "URL", "URI", "ADDR", "ADDRESS", "SERVER", "DSN",
];

/// The peers of a compose service: those its `depends_on` names, then the compose services its
/// environment names as a host (`WAKAPI_DB_HOST: db`, `DATABASE_URL: postgres://u@db/app`)
/// without a `depends_on`, then those a variable of the project's default configuration named
/// like a host or URL ([`HOST_WORDS`]) names (`DATABASE_HOST=postgres`, where
/// `DATABASE_TYPE=postgres` names a kind); each with the image it runs when not built from the
/// repository.
fn peers(
    main: &ComposeService,
    default_env: &[(String, Sourced<String>)],
    compose: &Compose,
) -> Vec<Sourced<Peer>> {
    let peer = |name: &str, origin: &Origin| {
        let image = compose
            .service(name)
            .filter(|s| s.dockerfile.is_none())
            .and_then(|s| s.image.clone());
        Sourced::new(
            Peer {
                name: name.to_string(),
                image,
            },
            origin.clone(),
        )
    };
    let mut peers: Vec<Sourced<Peer>> = main
        .depends_on
        .iter()
        .map(|name| peer(&name.value, &name.origin))
        .collect();
    let environment = main
        .environment
        .iter()
        .filter_map(|(_, value)| Some((value.value.as_deref()?, &value.origin)));
    let defaults = default_env
        .iter()
        .filter(|(name, _)| name_ends_with_word(name, HOST_WORDS))
        .map(|(_, value)| (value.value.as_str(), &value.origin));
    for (value, origin) in environment.chain(defaults) {
        let Some(host) = named_host(value) else {
            continue;
        };
        let known = peers.iter().any(|p| p.value.name == host);
        if !known && host != main.name && compose.service(&host).is_some() {
            peers.push(peer(&host, origin));
        }
    }
    peers
}

/// The host a variable's value names: the value itself when it is one word of a host name's
/// letters (`db`), or the host of a URL (`redis://cache:6379/0` → `cache`).
fn named_host(value: &str) -> Option<String> {
    let host = if value.contains("://") {
        crate::connection_string::parse(value)?.host
    } else {
        value.to_string()
    };
    let word = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    word.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toolchain_run_passes_what_follows_the_package() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            run_arguments(&words(&["go", "run", "main.go", "server"])),
            Some(words(&["server"]))
        );
        assert_eq!(
            run_arguments(&words(&[
                "go",
                "run",
                "-tags",
                "x",
                "./cmd/app",
                "--",
                "serve"
            ])),
            Some(words(&["serve"]))
        );
        assert_eq!(
            run_arguments(&words(&["cargo", "run", "--release", "--", "serve"])),
            Some(words(&["serve"]))
        );
        assert_eq!(run_arguments(&words(&["go", "build", "."])), None);
        assert_eq!(
            run_arguments(&words(&["go", "run", "main.go", "handlers.go", "serve"])),
            Some(words(&["serve"]))
        );
        assert_eq!(run_arguments(&words(&["go", "run", "."])), None);
        assert_eq!(run_arguments(&words(&["cargo", "run"])), None);
        assert_eq!(run_arguments(&words(&["./server", "run"])), None);
    }

    #[test]
    fn a_value_names_a_host_when_it_is_one_or_a_urls() {
        assert_eq!(named_host("db").as_deref(), Some("db"));
        assert_eq!(
            named_host("postgres://u:p@db:5432/app?x=1").as_deref(),
            Some("db")
        );
        assert_eq!(named_host("redis://cache:6379/0").as_deref(), Some("cache"));
        assert_eq!(named_host("/run/secrets/db_password"), None);
        assert_eq!(named_host("user=x dbname=y"), None);
        assert_eq!(named_host(""), None);
    }

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_published_image_is_named_after_the_directory() {
        assert!(runs_own_image("louislam/uptime-kuma:2", "uptime-kuma"));
        assert!(runs_own_image(
            "ghcr.io/acme/MicroBin@sha256:ab",
            "microbin"
        ));
        assert!(!runs_own_image("postgres:16", "uptime-kuma"));
        assert!(!runs_own_image("acme/uptime-kuma-push:1", "uptime-kuma"));
    }

    #[test]
    fn workers_are_told_by_their_program() {
        assert!(is_worker_command(Some(&words(&["rq", "worker", "tasks"]))));
        assert!(is_worker_command(Some(&words(&[
            "celery", "-A", "app", "worker", "-l", "info"
        ]))));
        assert!(is_worker_command(Some(&words(&[
            "python", "-m", "dramatiq", "tasks"
        ]))));
        assert!(is_worker_command(Some(&words(&[
            "python",
            "manage.py",
            "rqworker"
        ]))));
        assert!(!is_worker_command(Some(&words(&[
            "celery", "-A", "app", "flower"
        ]))));
        assert!(!is_worker_command(Some(&words(&["gunicorn", "app:app"]))));
    }
}
