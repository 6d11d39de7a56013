//! The Service model: what aigen knows about one service of a repository, and where each fact
//! came from. Every generator and several lint rules work from this model.

use std::fmt;

use serde::{Serialize, Serializer};

/// Where a detected value came from: a line of a file, the config, or a default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// A line of a file; the path is relative to the project root, with `/` separators.
    File { path: String, line: usize },
    /// Declared in `aigen.toml`.
    Config { path: String },
    /// Nothing in the project sets it, and the program that serves it has a documented default
    /// (uvicorn listens on 8000, Spring Boot on 8080): the convention, named.
    Convention(&'static str),
    /// Nothing said otherwise; aigen's guess for the stack.
    #[default]
    Default,
}

impl Origin {
    /// A line of a file.
    pub fn file(path: impl Into<String>, line: usize) -> Self {
        Self::File {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File { path, line } => write!(f, "{path}:{line}"),
            Self::Config { path } => write!(f, "{path}"),
            Self::Convention(what) => write!(f, "convention: {what}"),
            Self::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A value and where it came from. Serialises as `{"value": ..., "source": "file:line"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    #[serde(rename = "source")]
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// A value and its origin.
    pub(crate) fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }

    /// The same origin with the value transformed.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced::new(f(self.value), self.origin)
    }

    /// A value found at a line of a file.
    pub fn at(value: T, path: impl Into<String>, line: usize) -> Self {
        Self {
            value,
            origin: Origin::file(path, line),
        }
    }

    /// A default value.
    pub fn default_value(value: T) -> Self {
        Self {
            value,
            origin: Origin::Default,
        }
    }

    /// A value a program's documented default gives (`what` names it: "uvicorn's default port").
    pub(crate) fn convention(value: T, what: &'static str) -> Self {
        Self {
            value,
            origin: Origin::Convention(what),
        }
    }

    /// True when the value was only guessed: nothing in the project, the config or a program's
    /// documented default said it.
    pub(crate) fn is_guess(&self) -> bool {
        self.origin == Origin::Default
    }
}

/// A service's programming language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Node,
    Go,
    Rust,
    Java,
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Python => "python",
            Self::Node => "node",
            Self::Go => "go",
            Self::Rust => "rust",
            Self::Java => "java",
        })
    }
}

/// The web framework a service is built on. Shown and serialised by its common name
/// (`fastapi`, `next.js`, `net/http`, `spring-boot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameworkKind {
    FastApi,
    Flask,
    Django,
    NextJs,
    Express,
    NestJs,
    NetHttp,
    Gin,
    Axum,
    Actix,
    SpringBoot,
}

impl FrameworkKind {
    /// The framework's common name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::FastApi => "fastapi",
            Self::Flask => "flask",
            Self::Django => "django",
            Self::NextJs => "next.js",
            Self::Express => "express",
            Self::NestJs => "nestjs",
            Self::NetHttp => "net/http",
            Self::Gin => "gin",
            Self::Axum => "axum",
            Self::Actix => "actix-web",
            Self::SpringBoot => "spring-boot",
        }
    }
}

impl fmt::Display for FrameworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FrameworkKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A framework and what matters about it for building an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    pub kind: FrameworkKind,
    /// The declared version (as written, e.g. `^16.0.1`), when the manifest says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The major version, when it can be read from the declared one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub major: Option<u32>,
    /// Next.js only: whether `output: 'standalone'` is set in next.config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standalone: Option<bool>,
    /// Next.js only: whether next.config is TypeScript (`next.config.ts`), which `next start`
    /// compiles with the `typescript` package at every start, so that package must stay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typescript_config: Option<bool>,
}

impl Framework {
    /// A framework with the version requirement its manifest declares, if any; the major
    /// version is read from it.
    pub(crate) fn declared(kind: FrameworkKind, version: Option<String>) -> Self {
        Self {
            kind,
            major: version.as_deref().and_then(super::manifest::major),
            version,
            standalone: None,
            typescript_config: None,
        }
    }
}

/// The tool that installs a service's dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Pip,
    Uv,
    Poetry,
    Pipenv,
    Npm,
    Pnpm,
    Yarn,
    Bun,
    Go,
    Cargo,
    Maven,
    Gradle,
}

impl fmt::Display for PackageManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&name)
    }
}

/// Whether a service is internal or faces users; decides Service type and resource class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceClass {
    /// Internal API: ClusterIP, backend resources.
    Backend,
    /// User-facing web app: NodePort, front-end resources.
    Frontend,
}

impl ServiceClass {
    /// Parses the `kind` of a service in `aigen.toml`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "backend" => Some(Self::Backend),
            "frontend" => Some(Self::Frontend),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Backend => "backend",
            Self::Frontend => "frontend",
        })
    }
}

/// An environment variable the service's code reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// True when the value must come from a Secret: the name says so
    /// ([`crate::secrets::is_secret_name`]), or the constitution lists it.
    pub secret: bool,
    /// False when the code reads it with a fallback (`os.getenv("X", "a")`,
    /// `process.env.X ?? "a"`), so the app starts without it.
    pub required: bool,
    /// A value the project itself gives: the fallback in the code, `.env.example`, a compose
    /// file. `None` when nothing says what it should be; then aigen sets nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Sourced<String>>,
    /// For a secret, the project's value with its password replaced by `****`
    /// ([`crate::secrets::template`]): `postgres://app:****@db/app`. A run fills the hole with a
    /// throwaway password, so the app connects where the project says. `None` when the project
    /// gives no value of a known shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<Sourced<String>>,
    #[serde(rename = "source")]
    pub origin: Origin,
}

impl EnvVar {
    /// Withholds the value of a variable that is a secret: it belongs in a Secret the user
    /// fills, never in generated files; only its shape is kept, when it has one.
    pub(crate) fn withhold_value(&mut self) {
        if let Some(value) = self.value.take() {
            self.shape = secret_shape(&value).or(self.shape.take());
        }
    }
}

/// The shape of a secret's value (its password replaced by `****`) with the value's source, when
/// it is a connection string of a known shape ([`crate::secrets::template`]).
pub(crate) fn secret_shape(value: &Sourced<String>) -> Option<Sourced<String>> {
    crate::secrets::template::without_credentials(&value.value)
        .map(|shape| Sourced::new(shape, value.origin.clone()))
}

/// What a service is to the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    /// Serves HTTP on its port.
    Http,
    /// Serves gRPC on its port: probes use the gRPC health protocol, not an HTTP path.
    Grpc,
    /// Listens on no port (a queue consumer, a scheduler): no Service object, no network probe.
    Worker,
}

impl ServiceKind {
    /// Parses the `role` of a service in `aigen.toml`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "http" => Some(Self::Http),
            "grpc" => Some(Self::Grpc),
            "worker" => Some(Self::Worker),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Http => "http",
            Self::Grpc => "grpc",
            Self::Worker => "worker",
        })
    }
}

/// One service of a repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// Its name: the config's, else the directory's (`backend`, `frontend-web`).
    pub name: String,
    /// Its directory relative to the project root, with `/` separators (`.` for the root).
    pub path: String,
    /// The manifest that made it a service (`pyproject.toml`, `package.json`, ...).
    pub manifest: String,
    pub class: Sourced<ServiceClass>,
    /// HTTP server, gRPC server or worker.
    pub kind: Sourced<ServiceKind>,
    pub language: Sourced<Language>,
    /// Language version (`3.13`, `20`, `1.22`), when declared.
    pub language_version: Option<Sourced<String>>,
    pub framework: Option<Sourced<Framework>>,
    pub package_manager: Sourced<PackageManager>,
    /// The lockfile, relative to the service directory (`package-lock.json`, `uv.lock`).
    pub lockfile: Option<Sourced<String>>,
    /// The command that starts the service in production, as argv.
    pub start_command: Sourced<Vec<String>>,
    /// What the project runs before the server starts, each to completion and in order, as argv:
    /// database migrations and schema set-up (`npm run migrate`, `flask db upgrade`), from the
    /// command it chains them to, its entrypoint script, or its Procfile's `release` process.
    pub prestart: Vec<Sourced<Vec<String>>>,
    /// The build command, for stacks that build (`npm run build`, `go build`), as argv.
    pub build_command: Option<Sourced<Vec<String>>>,
    /// The application object or entry module (`src.api.main:app`, `cmd/server`).
    pub entrypoint: Option<Sourced<String>>,
    /// The port it listens on; `None` for a worker, or when nothing says which.
    pub port: Option<Sourced<u16>>,
    /// Liveness endpoint (`/health`, `/healthz`, `/api/health`).
    pub health_path: Option<Sourced<String>>,
    /// Readiness endpoint (`/ready`, `/readyz`).
    pub readiness_path: Option<Sourced<String>>,
    /// Environment variables the code reads, sorted by name.
    pub env: Vec<EnvVar>,
    /// The directories the app writes at run time (its database file, uploads), as the app sees
    /// them: relative to its working directory (`data`), or absolute in its container
    /// (`/var/lib/app`). A read-only root file system must leave each writable.
    pub data_dirs: Vec<Sourced<String>>,
    /// Other services of the project's compose file this one needs (`depends_on`), with the
    /// image each runs when it is not built from this repository (`postgres:16`).
    pub depends_on: Vec<Sourced<Peer>>,
    /// What building the image needs beyond the manifest and the source.
    pub inputs: BuildInputs,
    /// The facts detection could not determine, and why.
    pub undetermined: Vec<Undetermined>,
}

/// A service a compose file says this one depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    /// Its name in the compose file, which is also its host name there (`db`, `redis`).
    pub name: String,
    /// The image it runs, when it is not built from the repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// A fact detection could not determine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undetermined {
    /// The fact: `port`, `start`, `health`, `kind`, `prestart` (a step left out).
    pub fact: &'static str,
    /// Why, in a sentence.
    pub reason: String,
}

/// What building a service's image needs beyond its manifest and its source: the facts the
/// generators read to write a Dockerfile that builds and starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildInputs {
    /// Files the installer reads besides the manifest, relative to the service directory: the
    /// `-r` and `-c` includes of `requirements.txt`, followed through every file they name.
    pub requirement_files: Vec<Sourced<String>>,
    /// Dependency groups or extras a production install must include because the server comes
    /// from one (`prod` holding gunicorn).
    pub groups: Vec<Sourced<String>>,
    /// Local path dependencies (`-e ../lib`, `path = "../lib"`, `file:../lib`, a `replace` to
    /// a directory), relative to the project root: the build context must hold them.
    pub local_paths: Vec<Sourced<String>>,
    /// The workspace the service is a member of, whose lockfile is at the workspace's root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<Workspace>,
    /// `packageManager` of `package.json` as declared (`yarn@3.6.1`, `pnpm@9.1.0`): the
    /// version corepack must provide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_manager_version: Option<Sourced<String>>,
    /// When `packageManager` names no release: the one whose lockfile format the lockfile has
    /// (`pnpm@10` for `lockfileVersion: '9.0'`), which corepack is told to provide instead of
    /// its newest, whose defaults may refuse the lockfile's project (a newer pnpm stops on
    /// dependencies' build scripts nobody allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile_release: Option<Sourced<String>>,
    /// Files the package manager reads that must be copied with the manifest (`.npmrc`,
    /// `.yarnrc.yml`, `.yarn/releases/yarn-3.6.1.cjs`, `pip.conf`), relative to the project
    /// root.
    pub config_files: Vec<Sourced<String>>,
    /// The settings of `.npmrc` that hold no credential (`legacy-peer-deps=true`), each with
    /// its line: they reach npm as `npm_config_*` variables, so the file itself (which may hold
    /// a token) never enters an image. Credentials (`//registry/:_authToken=…`, `_auth`,
    /// passwords) are left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub npm_settings: Vec<Sourced<(String, String)>>,
    /// Packages the project's own Dockerfile installs with pip besides its requirement files
    /// (`uwsgi`, `psycopg[c]`), as written, each at its `RUN`: the generated image installs
    /// them too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_packages: Vec<Sourced<String>>,
    /// Dependencies that compile native code or link system libraries.
    pub native: Vec<NativeDependency>,
    /// The newest Python the exact pins of compiled packages have wheels for, when one has none
    /// for a newer Python (`multidict==6.0.4`: 3.11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wheels_up_to: Option<WheelLimit>,
    /// Packages whose install downloads a browser or a binary from outside the registry
    /// (`puppeteer`, `cypress`, `playwright`), each with the `package.json` or lockfile line
    /// that installs it: the build turns the downloads off.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub install_downloads: Vec<Sourced<String>>,
    /// What the app reads from its working directory at run time (`templates/`, `static/`,
    /// `migrations/`, `products.json`), relative to the service directory; a trailing `/` marks
    /// a directory.
    pub runtime_assets: Vec<Sourced<String>>,
    /// What the compiler embeds (`//go:embed build/*`), relative to the service directory: it
    /// must exist when the code is compiled, so whatever produces it builds first.
    pub embedded: Vec<Sourced<String>>,
    /// The directories of the service the source does not hold and a user interface's build
    /// writes: a `//go:embed` directory, or the place another package's build puts its output
    /// (`outDir: "../backend/app/frontend"`). Each comes with the package that builds it when
    /// one is found; the image must hold it before the compiler or the app reads it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub built_ui: Vec<BuiltUi>,
    /// True when the manifest declares no runtime dependency (a `package.json` without
    /// `dependencies`): a production install creates nothing to copy.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_runtime_dependencies: bool,
    /// The source files `Cargo.toml` names for its targets (`[[bin]] path = "src/healthcheck.rs"`,
    /// a `[[bin]]` named otherwise than the package, `[lib] path`), relative to the service: a
    /// build of the dependencies alone needs a placeholder at each, or cargo stops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cargo_targets: Vec<Sourced<String>>,
    /// Files the project's own Dockerfile copies into its final image from outside the service
    /// directory (`COPY src/shared/tools.py src/agents`, `COPY ./pb/demo.proto demo.proto`):
    /// code or data the service reads at run time that its own folder does not hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imported_files: Vec<Sourced<ImportedFile>>,
    /// Queries the compiler checks against a live PostgreSQL database (sqlx's `query!` macros,
    /// with no offline query data in the project): the build runs one, with the migrations
    /// applied, for the compile only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_checks: Option<Sourced<QueryChecks>>,
}

/// What a build that checks queries at compile time prepares its database with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryChecks {
    /// The migrations that create the schema, relative to the service, in the order they apply
    /// (`migrations/1_setup.sql`, `migrations/2_user.sql`, ...; the `.down.sql` halves left
    /// out).
    pub migrations: Vec<String>,
}

/// The newest Python release a pin of a compiled package has wheels for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WheelLimit {
    /// That release (`3.11`).
    pub release: String,
    /// The release after it, which has no wheel for the pin (`3.12`).
    pub next: String,
    /// The pin, as `name==version`, where the project writes it.
    pub pin: Sourced<String>,
}

/// A file or directory from elsewhere in the repository that the project's Dockerfile places
/// in the service's image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFile {
    /// Where it is, relative to the project root (`src/shared/tools.py`).
    pub path: String,
    /// Where that Dockerfile puts it, relative to its working directory (`src/agents`), which
    /// holds the service directory's files; absolute when it lies elsewhere (`/etc/app.conf`).
    pub dest: String,
}

/// A directory of the service missing from the source that a user interface's build writes: it
/// must be built before the compiler embeds it or the app serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuiltUi {
    /// The directory, relative to the service (`ui/build`, `app/frontend`); its origin is the
    /// line that asks for it (`//go:embed`) or that writes it (`outDir`).
    pub path: Sourced<String>,
    /// The package that builds it, when one is found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer: Option<UiProducer>,
}

/// A Node package whose `build` script produces a user interface's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UiProducer {
    /// Its directory, relative to the project root (`ui`, `frontend`, `.`).
    pub dir: String,
    /// The package manager its lockfile belongs to (npm when it has none).
    pub manager: PackageManager,
    /// Its lockfile, relative to the project root, when it has one: its own, or its
    /// workspace's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile: Option<String>,
    /// The root of the workspace it is a member of (`.`), relative to the project root: the
    /// install there reads that root's `package.json` and lockfile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_root: Option<String>,
    /// What its install downloads from outside the registry (see
    /// [`BuildInputs::install_downloads`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub downloads: Vec<Sourced<String>>,
    /// The `build` script's line.
    #[serde(rename = "source")]
    pub origin: Origin,
}

/// The workspace a service belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workspace {
    /// The workspace's root directory, relative to the project root (`.` for the root).
    pub root: String,
    /// The package manager that owns the workspace and its lockfile.
    pub manager: Sourced<PackageManager>,
    /// The lockfile, relative to the project root (`uv.lock`, `bun.lock`, `pnpm-lock.yaml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile: Option<Sourced<String>>,
}

/// A dependency that needs more than the language's toolchain to build or run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeDependency {
    /// The package, module or crate (`github.com/mattn/go-sqlite3`, `openssl-sys`, `psycopg`).
    pub name: String,
    /// What it needs from the system.
    pub needs: Vec<SystemNeed>,
    #[serde(rename = "source")]
    pub origin: Origin,
}

/// What a native dependency needs from the system, named by purpose: generators map each to the
/// packages of their base image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemNeed {
    /// A C (and C++) compiler and `make`.
    CCompiler,
    /// Go: `CGO_ENABLED=1` with a C compiler, and a C library at run time.
    Cgo,
    /// OpenSSL headers and `pkg-config` to build, the library to run.
    Openssl,
    /// Perl and `make`, to build a vendored OpenSSL from source.
    Perl,
    /// PostgreSQL's client library (`libpq`) headers to build, the library to run.
    Libpq,
    /// MySQL's client library headers to build, the library to run.
    Mysqlclient,
    /// PCRE headers (uWSGI's routing).
    Pcre,
    /// Python 3, for `node-gyp` to build a Node addon from source.
    Python,
    /// `git`, for a dependency fetched from a repository.
    Git,
    /// The protobuf compiler `protoc` and the well-known `.proto` files, for a build script
    /// that generates code from `.proto` files (`prost-build`, `tonic-build`).
    Protoc,
    /// A PostgreSQL server in the build stage, for macros that check queries against a live
    /// database while the code compiles (sqlx's `query!` without offline data).
    PostgresServer,
}

impl fmt::Display for SystemNeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CCompiler => "c-compiler",
            Self::Cgo => "cgo",
            Self::Openssl => "openssl",
            Self::Perl => "perl",
            Self::Libpq => "libpq",
            Self::Mysqlclient => "mysqlclient",
            Self::Pcre => "pcre",
            Self::Python => "python",
            Self::Git => "git",
            Self::Protoc => "protoc",
            Self::PostgresServer => "postgres-server",
        })
    }
}

/// Why a directory with a manifest, or a stack aigen cannot generate for, is not described as a
/// service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Under a directory of tests, examples, documentation, scripts or fixtures.
    Aside,
    /// A library: no program to run (no `main` package, no binary, no server).
    Library,
    /// Tooling: a package of build or lint tools with no runtime dependencies.
    Tooling,
    /// A client or test program that talks to a server of the project.
    TestClient,
    /// A load generator (locust, k6).
    LoadGenerator,
    /// E-mail templates rendered at build time.
    EmailTemplates,
    /// A mobile app, built for phones.
    MobileApp,
    /// A user interface built into another service, which serves it.
    BuiltIntoAnother,
    /// The root of a workspace whose members are the services.
    WorkspaceRoot,
    /// A stack aigen cannot generate for (C#, Ruby, PHP, Elixir, C++).
    Unsupported,
    /// Only a Dockerfile: built from an upstream image with configuration, no source manifest.
    DockerfileOnly,
    /// Listed in `exclude` under `[detect]` in `aigen.toml`.
    Excluded,
}

impl SkipReason {
    /// The reason's name, as `--format json` and the text output show it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Aside => "aside",
            Self::Library => "library",
            Self::Tooling => "tooling",
            Self::TestClient => "test-client",
            Self::LoadGenerator => "load-generator",
            Self::EmailTemplates => "email-templates",
            Self::MobileApp => "mobile-app",
            Self::BuiltIntoAnother => "built-into-another",
            Self::WorkspaceRoot => "workspace-root",
            Self::Unsupported => "unsupported",
            Self::DockerfileOnly => "dockerfile-only",
            Self::Excluded => "excluded",
        }
    }

    /// True when `include` under `[detect]` can bring the directory back as a service: it has a
    /// manifest aigen can describe.
    pub(crate) fn can_include(self) -> bool {
        !matches!(self, Self::Unsupported | Self::DockerfileOnly)
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A directory that is not described as a service, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The directory, relative to the project root.
    pub path: String,
    pub reason: SkipReason,
    /// The reason in a sentence (`C# (.NET): aigen generates for Python, Node.js, Go, Rust and Java`).
    pub detail: String,
    /// The file that shows it.
    #[serde(rename = "source")]
    pub origin: Origin,
}

/// A manifest or source file that could not be read or understood. Detection of the other
/// services goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The file, relative to the project root.
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl FileProblem {
    /// A problem with a whole file.
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a line and column (1-based) of a file.
    pub(crate) fn at(
        path: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// What detection found in a repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detection {
    pub services: Vec<Service>,
    /// Directories with a manifest (or a stack aigen cannot generate for) that are not services,
    /// each with its reason, sorted by path.
    pub skipped: Vec<Skipped>,
    pub problems: Vec<FileProblem>,
}

impl Detection {
    /// The service with this name.
    pub(crate) fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Marks the variables named in `listed` (a constitution's `secrets`) as secrets, whatever
    /// their names say, so what is generated keeps them in a Secret as the lint rules expect.
    pub(crate) fn mark_secrets(&mut self, listed: &[String]) {
        for var in self.services.iter_mut().flat_map(|s| &mut s.env) {
            var.secret |= listed.iter().any(|s| s.eq_ignore_ascii_case(&var.name));
            if var.secret {
                // A secret's value belongs in a Secret the user fills, never in generated files.
                var.withhold_value();
            }
        }
    }
}
