//! Node.js services: a `package.json`.
//!
//! [`detect`] reads the dependencies for the framework (Next.js with its major version, NestJS,
//! Express) and whether the app is a user interface, `engines.node` / `.nvmrc` for the version,
//! the lockfile or `packageManager` for npm, pnpm, Yarn or Bun (and the workspace whose lockfile
//! it installs from), and the start and build scripts. The start is what the project declares
//! when it runs as written, else a production script (followed through `npm run x` to a plain
//! `node file`), else the file that listens; never a development server, never a file that does
//! not exist. The code gives the port, the routes and the variables. Next.js details live in
//! [`super::nextjs`].

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::built_ui;
use super::data_dirs;
use super::declared::{Declared, command};
use super::manifest::{json_line, major, parse_json};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, NativeDependency, Origin, PackageManager,
    Service, ServiceClass, ServiceKind, SkipReason, Sourced,
};
use super::nextjs;
use super::routes::{self, Probes};
use super::service_set::{Described, Verdict};
use super::source::{JS_EXTENSIONS, ServiceDir, ServiceFile, has_extension, is_env_example};
use super::{argv, downloads, env, frontend, inputs, ports, regex, workspace};

/// Dependencies that make a package a user interface rather than a server.
const UI_DEPENDENCIES: &[&str] = &[
    "react-scripts",
    "vite",
    "nuxt",
    "@angular/core",
    "vue",
    "svelte",
    "@sveltejs/kit",
    "astro",
    "gatsby",
    "@remix-run/react",
    "react-dom",
];

/// Dependencies that make a package a server, besides the frameworks aigen names.
const SERVER_DEPENDENCIES: &[&str] = &[
    "express",
    "@nestjs/core",
    "next",
    "fastify",
    "koa",
    "@hapi/hapi",
    "hapi",
    "restify",
    "socket.io",
    "@grpc/grpc-js",
    "grpc",
    "apollo-server",
    "@apollo/server",
    "hono",
    "polka",
    "micro",
];

/// Dependencies of mobile apps.
const MOBILE_DEPENDENCIES: &[&str] = &["react-native", "expo"];

/// Files a package manager reads beside `package.json`.
const CONFIG_FILES: &[&str] = &[
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pnpmfile.cjs",
    "bunfig.toml",
];

/// `package.json`, parsed, with the lines of its keys.
struct Package<'a> {
    file: &'a ServiceFile,
    json: Value,
}

impl Package<'_> {
    /// The string at a key path, with its line.
    fn string(&self, keys: &[&str]) -> Option<Sourced<String>> {
        let value = keys
            .iter()
            .try_fold(&self.json, |v, k| v.get(k))?
            .as_str()?;
        let line = json_line(&self.file.text, keys).unwrap_or(1);
        Some(Sourced::new(
            value.to_string(),
            Origin::file(&self.file.path, line),
        ))
    }

    /// A dependency's version requirement, from `dependencies` or `devDependencies`.
    fn dependency(&self, name: &str) -> Option<Sourced<String>> {
        ["dependencies", "devDependencies"]
            .iter()
            .find_map(|section| self.string(&[section, name]))
    }

    /// A runtime dependency's version requirement (from `dependencies` only).
    fn runtime_dependency(&self, name: &str) -> Option<Sourced<String>> {
        self.string(&["dependencies", name])
    }

    /// The names and requirements of the runtime dependencies.
    fn runtime_dependencies(&self) -> Vec<(String, String)> {
        self.json
            .get("dependencies")
            .and_then(Value::as_object)
            .map(|deps| {
                deps.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// True when the `package.json` in `dir` is a server's (a server framework among its
/// dependencies, or a production start script), not a front end's or tools'.
pub(super) fn is_server_package(dir: &ServiceDir) -> bool {
    let Ok(file) = dir.read("package.json") else {
        return false;
    };
    let Ok(json) = parse_json(&file) else {
        return false;
    };
    let package = Package { file: &file, json };
    SERVER_DEPENDENCIES
        .iter()
        .any(|d| package.runtime_dependency(d).is_some())
        || production_script(&package).is_some()
}

/// Detects the Node.js service in `dir`.
pub(super) fn detect(
    dir: &ServiceDir,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
    let file = dir.read("package.json")?;
    let package = Package {
        json: parse_json(&file)?,
        file: &file,
    };
    let sources = dir.sources(
        |rel| has_extension(rel, JS_EXTENSIONS) || is_env_example(rel),
        problems,
    );
    let framework = framework(&package, &sources);
    let kind = framework.as_ref().map(|f| f.value.kind);
    let (package_manager, lockfile) = package_manager(dir, &package);
    let workspace = workspace::node(dir, problems);
    let (package_manager, lockfile) = match &workspace {
        Some(ws) if lockfile.is_none() => (ws.manager.clone(), None),
        _ => (package_manager, lockfile),
    };
    let run = Runner(package_manager.value);
    let class = class(&package, framework.as_ref(), &sources);
    let frontend = class.value == ServiceClass::Frontend;
    let ui_bundle = frontend && kind.is_none() && !listens(&sources);

    let start_script = production_script(&package);
    let declared_start = declared
        .start(dir)
        .map(|c| through_script(&package, dir, c.map(with_node)));
    let start_command = declared_start
        .clone()
        .unwrap_or_else(|| start_command(&package, &run, dir, &sources, kind, ui_bundle));
    let entry = entry_file(&start_command.value, dir).or_else(|| listening_file(&sources));

    // A port in a declared command or a start script wins; Next.js apps have no other place
    // to say it.
    let script_port = start_script.as_ref().and_then(|(_, script)| {
        Some(Sourced::new(
            script_port(&script.value)?,
            script.origin.clone(),
        ))
    });
    let code_port = (kind != Some(FrameworkKind::NextJs))
        .then(|| {
            ports::find(
                &sources,
                Language::Node,
                &super::directory_label(dir),
                entry.as_deref(),
            )
        })
        .flatten();
    let port = declared.port().or(script_port).or(code_port).or_else(|| {
        (kind == Some(FrameworkKind::NextJs))
            .then(|| Sourced::convention(3000, "Next.js's default port"))
    });

    let mut routes = routes::declared(&sources);
    if kind == Some(FrameworkKind::NextJs) {
        routes.extend(nextjs::file_routes(&sources));
    }
    let probes = Probes::pick(&routes);
    let build_command = package
        .string(&["scripts", "build"])
        .map(|script| Sourced::new(run.script("build"), script.origin));
    let grpc = GRPC_SERVER.find_in(&sources);
    let service_kind = match (&grpc, kind) {
        (Some(origin), None | Some(FrameworkKind::Express)) if !serves_http(&sources) => {
            Sourced::new(ServiceKind::Grpc, origin.clone())
        }
        _ => Sourced::default_value(ServiceKind::Http),
    };
    let runs = runs(
        &package,
        framework.as_ref(),
        &sources,
        declared_start.as_ref(),
        ui_bundle,
        start_script.as_ref().map(|(_, s)| s),
    );
    let verdict = verdict(dir, &package, kind, ui_bundle, &sources);

    let mut service = Service {
        kind: service_kind,
        name: String::new(),
        path: dir.path.clone(),
        manifest: "package.json".to_string(),
        class,
        language: Sourced::new(Language::Node, dir.file_origin("package.json")),
        language_version: node_version(dir, &package, problems),
        entrypoint: entrypoint(&package, &sources, kind, entry.as_deref()),
        framework,
        package_manager,
        lockfile,
        start_command,
        prestart: Vec::new(),
        build_command,
        port,
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
        data_dirs: data_dirs::flag_defaults(&sources),
        depends_on: Vec::new(),
        inputs: Default::default(),
        undetermined: Vec::new(),
    };
    service.inputs.package_manager_version = package
        .string(&["packageManager"])
        .filter(|v| v.value.contains('@'));
    if service.inputs.package_manager_version.is_none()
        && service.package_manager.value == PackageManager::Pnpm
    {
        service.inputs.lockfile_release = service
            .lockfile
            .as_ref()
            .and_then(|lock| dir.read_if_present(&lock.value, problems))
            .and_then(|lock| pnpm_release(&lock));
    }
    let configs = config_files(dir, workspace.as_ref().map(|w| w.root.as_str()));
    let (npmrc, configs): (Vec<_>, Vec<_>) = configs
        .into_iter()
        .partition(|f| f.value.rsplit('/').next() == Some(".npmrc"));
    service.inputs.config_files = configs;
    service.inputs.npm_settings = npmrc
        .iter()
        .flat_map(|file| npm_settings(&dir.root, &file.value))
        .collect();
    service.inputs.workspace = workspace;
    service.inputs.local_paths = local_paths(dir, &package);
    service.inputs.no_runtime_dependencies = package.runtime_dependencies().is_empty();
    service.inputs.native = package
        .runtime_dependencies()
        .into_iter()
        .filter_map(|(name, spec)| {
            Some(NativeDependency {
                needs: inputs::needs(Language::Node, &name, &spec)?,
                origin: package.string(&["dependencies", &name])?.origin,
                name,
            })
        })
        .collect();
    service.inputs.install_downloads = downloads::find(dir, "", &file, &package.json, problems);
    service.inputs.runtime_assets = inputs::runtime_assets(dir, &sources, Language::Node, &[]);

    let builds_into = writes_elsewhere(ui_bundle, &sources)
        .and_then(|out| built_ui::Output::of_package(&service, out));
    Ok(Described {
        service,
        runs,
        verdict,
        ui_bundle,
        builds_into,
        workspace_root: package.json.get("workspaces").is_some() || dir.has("pnpm-workspace.yaml"),
    })
}

/// Evidence the package runs: a server framework or a production start, something that
/// listens, or (for a user interface) a build to serve.
fn runs(
    package: &Package<'_>,
    framework: Option<&Sourced<Framework>>,
    sources: &[ServiceFile],
    declared: Option<&Sourced<Vec<String>>>,
    ui_bundle: bool,
    start_script: Option<&Sourced<String>>,
) -> Result<Origin, String> {
    if let Some(origin) = declared
        .map(|d| d.origin.clone())
        .or_else(|| framework.map(|f| f.origin.clone()))
        .or_else(|| {
            SERVER_DEPENDENCIES
                .iter()
                .find_map(|d| package.runtime_dependency(d))
                .map(|d| d.origin)
        })
        .or_else(|| start_script.map(|s| s.origin.clone()))
        .or_else(|| LISTEN.find_in(sources))
    {
        return Ok(origin);
    }
    if ui_bundle && let Some(build) = package.string(&["scripts", "build"]) {
        return Ok(build.origin);
    }
    Err("no start script, no server framework and nothing listens".to_string())
}

/// Why a package is not a service whatever it runs: a mobile app, e-mail templates, a user
/// interface its build writes into another directory, a package of tools.
fn verdict(
    dir: &ServiceDir,
    package: &Package<'_>,
    kind: Option<FrameworkKind>,
    ui_bundle: bool,
    sources: &[ServiceFile],
) -> Option<Verdict> {
    if let Some(mobile) = MOBILE_DEPENDENCIES
        .iter()
        .find_map(|d| package.runtime_dependency(d))
    {
        return Some(Verdict::new(
            SkipReason::MobileApp,
            "a mobile app (React Native): built for phones, not deployed to the cluster",
            mobile.origin,
        ));
    }
    let email = package
        .dependency("react-email")
        .or_else(|| package.dependency("@react-email/components"))
        .or_else(|| package.dependency("mjml"));
    if let (Some(email), None) = (email, kind) {
        return Some(Verdict::new(
            SkipReason::EmailTemplates,
            "e-mail templates rendered to HTML at build time, not a server",
            email.origin,
        ));
    }
    if let Some(out) = writes_elsewhere(ui_bundle, sources) {
        return Some(Verdict::new(
            SkipReason::BuiltIntoAnother,
            format!(
                "a user interface whose build writes into `{}`, served by the service there",
                out.value
            ),
            out.origin,
        ));
    }
    let no_dependencies = package.runtime_dependencies().is_empty();
    let no_start = production_script(package).is_none() && package.string(&["main"]).is_none();
    let workspace_root = package.json.get("workspaces").is_some();
    if no_dependencies
        && no_start
        && kind.is_none()
        && !workspace_root
        && LISTEN.find_in(sources).is_none()
    {
        return Some(Verdict::new(
            SkipReason::Tooling,
            "a package of build or lint tools: no runtime dependencies and nothing to start",
            dir.file_origin("package.json"),
        ));
    }
    None
}

/// Where a user interface's build writes its output when that is outside its own directory
/// (`outDir: "../backend/app/frontend"`), as the configuration spells it.
fn writes_elsewhere(ui_bundle: bool, sources: &[ServiceFile]) -> Option<Sourced<String>> {
    if !ui_bundle {
        return None;
    }
    OUT_DIR
        .find_sourced_in(sources)
        .filter(|out| out.value.starts_with(".."))
}

/// Next.js, NestJS or Express, in that order; Next.js also says whether it builds standalone.
fn framework(package: &Package<'_>, sources: &[ServiceFile]) -> Option<Sourced<Framework>> {
    const KNOWN: &[(&str, FrameworkKind)] = &[
        ("next", FrameworkKind::NextJs),
        ("@nestjs/core", FrameworkKind::NestJs),
        ("express", FrameworkKind::Express),
    ];
    KNOWN.iter().find_map(|(name, kind)| {
        let spec = package.dependency(name)?;
        let next = *kind == FrameworkKind::NextJs;
        let config = nextjs::config(sources);
        let standalone = next.then(|| nextjs::standalone(config).is_some());
        let typescript_config = next.then(|| config.is_some_and(nextjs::is_typescript));
        Some(Sourced::new(
            Framework {
                standalone,
                typescript_config,
                ..Framework::declared(*kind, Some(spec.value))
            },
            spec.origin,
        ))
    })
}

/// Front end for Next.js, for UI toolkits without a server framework, and for servers that
/// render pages or serve a built user interface; back end otherwise.
fn class(
    package: &Package<'_>,
    framework: Option<&Sourced<Framework>>,
    sources: &[ServiceFile],
) -> Sourced<ServiceClass> {
    match framework {
        Some(f) if f.value.kind == FrameworkKind::NextJs => {
            Sourced::new(ServiceClass::Frontend, f.origin.clone())
        }
        Some(f) => match frontend::serves_pages(sources) {
            Some(origin) => Sourced::new(ServiceClass::Frontend, origin),
            None => Sourced::new(ServiceClass::Backend, f.origin.clone()),
        },
        None => match UI_DEPENDENCIES.iter().find_map(|d| package.dependency(d)) {
            Some(dependency) if !listens(sources) => {
                Sourced::new(ServiceClass::Frontend, dependency.origin)
            }
            _ => match frontend::serves_pages(sources) {
                Some(origin) => Sourced::new(ServiceClass::Frontend, origin),
                None => Sourced::default_value(ServiceClass::Backend),
            },
        },
    }
}

/// The package manager: `packageManager` in `package.json`, else the lockfile, else npm.
fn package_manager(
    dir: &ServiceDir,
    package: &Package<'_>,
) -> (Sourced<PackageManager>, Option<Sourced<String>>) {
    const LOCKS: &[(&str, PackageManager)] = &[
        ("bun.lock", PackageManager::Bun),
        ("bun.lockb", PackageManager::Bun),
        ("pnpm-lock.yaml", PackageManager::Pnpm),
        ("yarn.lock", PackageManager::Yarn),
        ("package-lock.json", PackageManager::Npm),
        ("npm-shrinkwrap.json", PackageManager::Npm),
    ];
    let lock_of = |manager: PackageManager| {
        LOCKS
            .iter()
            .filter(|(_, m)| *m == manager)
            .find_map(|(lock, _)| dir.present(lock))
    };
    let declared = package.string(&["packageManager"]).and_then(|field| {
        let name = field.value.split('@').next().unwrap_or_default();
        let manager = match name {
            "pnpm" => PackageManager::Pnpm,
            "yarn" => PackageManager::Yarn,
            "npm" => PackageManager::Npm,
            "bun" => PackageManager::Bun,
            _ => return None,
        };
        Some(Sourced::new(manager, field.origin))
    });
    if let Some(manager) = declared {
        let lockfile = lock_of(manager.value);
        return (manager, lockfile);
    }
    match LOCKS.iter().find(|(lock, _)| dir.has(lock)) {
        Some((lock, manager)) => (
            Sourced::new(*manager, dir.file_origin(lock)),
            lock_of(*manager),
        ),
        None => (Sourced::default_value(PackageManager::Npm), None),
    }
}

/// The pnpm major that writes a `pnpm-lock.yaml`'s `lockfileVersion` (`9.0`: pnpm 9 and 10,
/// and 10 is asked for; `6.0`: pnpm 8; `5.4`: pnpm 7; `5.3`: pnpm 6).
fn pnpm_release(lock: &ServiceFile) -> Option<Sourced<String>> {
    const RELEASES: &[(&str, &str)] = &[
        ("9.", "pnpm@10"),
        ("6.", "pnpm@8"),
        ("5.4", "pnpm@7"),
        ("5.3", "pnpm@6"),
    ];
    let mut offset = 0;
    for line in lock.text.split_inclusive('\n').take(5) {
        let at = offset;
        offset += line.len();
        let Some(version) = line.trim().strip_prefix("lockfileVersion:") else {
            continue;
        };
        let version = version.trim().trim_matches(['\'', '"']);
        return RELEASES
            .iter()
            .find(|(prefix, _)| {
                version.starts_with(prefix) || version == prefix.trim_end_matches('.')
            })
            .map(|(_, release)| lock.sourced((*release).to_string(), at));
    }
    None
}

/// The Node.js major version: `.nvmrc` or `.node-version`, else `engines.node`.
fn node_version(
    dir: &ServiceDir,
    package: &Package<'_>,
    problems: &mut Vec<FileProblem>,
) -> Option<Sourced<String>> {
    let from_file = [".nvmrc", ".node-version"].iter().find_map(|name| {
        let file = dir.read_if_present(name, problems)?;
        let line = file.first_line()?;
        Some(Sourced::new(major(line.value)?.to_string(), line.origin))
    });
    from_file.or_else(|| {
        let engines = package.string(&["engines", "node"])?;
        Some(Sourced::new(
            major(&engines.value)?.to_string(),
            engines.origin,
        ))
    })
}

/// How scripts are run with a package manager.
struct Runner(PackageManager);

impl Runner {
    fn program(&self) -> &'static str {
        match self.0 {
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
            PackageManager::Bun => "bun",
            _ => "npm",
        }
    }

    /// The command that runs a script (`npm start`, `pnpm run build`).
    fn script(&self, name: &str) -> Vec<String> {
        if name == "start" {
            vec![self.program().to_string(), "start".to_string()]
        } else {
            vec![
                self.program().to_string(),
                "run".to_string(),
                name.to_string(),
            ]
        }
    }
}

/// The production start script: `start:prod`, else `start`, unless it runs a development
/// server; with its name.
fn production_script(package: &Package<'_>) -> Option<(&'static str, Sourced<String>)> {
    ["start:prod", "start"].into_iter().find_map(|name| {
        let script = package.string(&["scripts", name])?;
        (!command::is_development(&command::argv(&script.value))).then_some((name, script))
    })
}

static PLAIN_NODE: LazyLock<Regex> = LazyLock::new(|| regex(r"^node\s+[^&|;<>$`]+$"));
static RUN_SCRIPT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?([\w:.-]+)$"));

/// A declared `npm start` (`npm run x`, `yarn start`) as the plain `node <file>` its script
/// runs, with every argument the script passes (`node server/server.js --production`), when it
/// is one and the file exists; else the command as declared.
fn through_script(
    package: &Package<'_>,
    dir: &ServiceDir,
    command: Sourced<Vec<String>>,
) -> Sourced<Vec<String>> {
    let text = Sourced::new(command.value.join(" "), command.origin.clone());
    plain_node(package, &text)
        .filter(|c| c.value.get(1).is_some_and(|f| exists(dir, f)))
        .unwrap_or(command)
}

/// A script as the command it runs: a plain `node <file>` as is (signals then reach the app,
/// not npm), followed through one `npm run x`; `None` for anything else.
fn plain_node(package: &Package<'_>, script: &Sourced<String>) -> Option<Sourced<Vec<String>>> {
    let text = script.value.trim();
    if PLAIN_NODE.is_match(text) {
        return Some(Sourced::new(
            text.split_whitespace().map(str::to_string).collect(),
            script.origin.clone(),
        ));
    }
    let target = RUN_SCRIPT.captures(text)?.get(1)?.as_str();
    let next = package.string(&["scripts", target])?;
    PLAIN_NODE.is_match(next.value.trim()).then(|| {
        Sourced::new(
            next.value.split_whitespace().map(str::to_string).collect(),
            next.origin.clone(),
        )
    })
}

/// A declared command as node runs it: distroless images run `CMD ["index.js"]` with node as
/// their entrypoint.
fn with_node(words: Vec<String>) -> Vec<String> {
    match words.first() {
        Some(first) if first.starts_with('-') || has_extension(first, &["js", "mjs", "cjs"]) => {
            std::iter::once("node".to_string()).chain(words).collect()
        }
        _ => words,
    }
}

/// The production command when the project declares none: `node server.js` for a standalone
/// Next.js build; a production script (as plain `node <file>` when it is one); `next start`;
/// for a single-page app, `preview` only when its tool is a runtime dependency; `main` or the
/// file that listens, when it exists. Without any, nothing: a guess would name a file that is not
/// there.
fn start_command(
    package: &Package<'_>,
    run: &Runner,
    dir: &ServiceDir,
    sources: &[ServiceFile],
    kind: Option<FrameworkKind>,
    ui_bundle: bool,
) -> Sourced<Vec<String>> {
    let standalone = nextjs::standalone(nextjs::config(sources));
    if let (Some(FrameworkKind::NextJs), Some(origin)) = (kind, standalone) {
        return Sourced::new(argv(&["node", "server.js"]), origin);
    }
    if let Some((name, script)) = production_script(package) {
        return plain_node(package, &script)
            .filter(|c| c.value.get(1).is_none_or(|f| exists(dir, f)))
            .unwrap_or_else(|| Sourced::new(run.script(name), script.origin));
    }
    if kind == Some(FrameworkKind::NextJs) {
        return Sourced::default_value(argv(&["npx", "next", "start"]));
    }
    if ui_bundle {
        let preview = package.string(&["scripts", "preview"]);
        let tool = preview
            .as_ref()
            .and_then(|p| p.value.split_whitespace().next().map(str::to_string));
        return match (preview, tool) {
            (Some(script), Some(tool)) if package.runtime_dependency(&tool).is_some() => {
                Sourced::new(run.script("preview"), script.origin)
            }
            _ => Sourced::default_value(Vec::new()),
        };
    }
    if let Some(main) = package.string(&["main"]).filter(|m| exists(dir, &m.value)) {
        return Sourced::new(argv(&["node", &main.value]), main.origin);
    }
    match listening_file(sources) {
        Some(file) => {
            let origin = sources
                .iter()
                .find(|f| f.rel == file)
                .and_then(|f| Some(f.origin(LISTEN.find(&f.text)?.start())))
                .unwrap_or(Origin::Default);
            Sourced::new(argv(&["node", &file]), origin)
        }
        None => Sourced::default_value(Vec::new()),
    }
}

/// True when a file a command names is in the service, or is what the build writes.
fn exists(dir: &ServiceDir, file: &str) -> bool {
    let rel = file.trim_start_matches("./");
    let built = ["dist/", "build/", "out/", ".next/", "lib/"]
        .iter()
        .any(|out| rel.starts_with(out));
    built
        || dir.has(rel)
        || ["js", "mjs", "cjs", "ts"]
            .iter()
            .any(|ext| dir.has(&format!("{rel}.{ext}")))
}

/// The file a `node <file>` command runs.
fn entry_file(command: &[String], dir: &ServiceDir) -> Option<String> {
    if command.first().map(String::as_str) != Some("node") {
        return None;
    }
    command[1..]
        .iter()
        .find(|w| !w.starts_with('-'))
        .map(|f| f.trim_start_matches("./").to_string())
        .filter(|f| exists(dir, f))
}

static LISTEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(?:app|server|srv|httpServer|httpsServer|instance|fastify|api)\.listen\(|\.listen\(\s*(?:\d|process\.env|[\w.]*(?:port|PORT)\b|config\b|options\b|opts\b|\{)|\bcreateServer\(|\bnew\s+(?:grpc\.)?Server\(|\bNestFactory\.create\b|\.bindAsync\(|\bserve\(\s*\{",
    )
});
static GRPC_SERVER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bnew\s+grpc\.Server\(|\.bindAsync\("));
static HTTP_SERVER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bexpress\(\s*\)|\bhttp\.createServer\(|\bfastify\(|\bnew\s+Koa\("));
static OUT_DIR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\boutDir\s*:\s*["'`]([^"'`]+)["'`]|\bpath\s*:\s*path\.resolve\(\s*__dirname\s*,\s*["'`](\.\.[^"'`]*)["'`]"#,
    )
});

/// True when the package's code starts a server.
fn listens(sources: &[ServiceFile]) -> bool {
    LISTEN.find_in(sources).is_some()
}

/// True when the code serves HTTP beside whatever else.
fn serves_http(sources: &[ServiceFile]) -> bool {
    HTTP_SERVER.find_in(sources).is_some()
}

/// The file whose code starts the server, shallowest first (`server.js` before
/// `src/lib/server.js`).
fn listening_file(sources: &[ServiceFile]) -> Option<String> {
    let mut files: Vec<&ServiceFile> = sources
        .iter()
        .filter(|f| !is_env_example(&f.rel) && LISTEN.is_match(&f.text))
        .collect();
    files.sort_by_key(|f| (f.rel.matches('/').count(), f.rel.clone()));
    files.first().map(|f| f.rel.clone())
}

/// Finding a pattern in any file.
trait FindIn {
    fn find_in(&self, files: &[ServiceFile]) -> Option<Origin>;
    fn find_sourced_in(&self, files: &[ServiceFile]) -> Option<Sourced<String>>;
}

impl FindIn for Regex {
    fn find_in(&self, files: &[ServiceFile]) -> Option<Origin> {
        files
            .iter()
            .filter(|f| !is_env_example(&f.rel))
            .find_map(|file| Some(file.origin(self.find(&file.text)?.start())))
    }

    fn find_sourced_in(&self, files: &[ServiceFile]) -> Option<Sourced<String>> {
        super::source::find_in(files, self)
    }
}

/// The file that starts the server: the one the start command runs, NestJS's bootstrap, the
/// file that listens, else `main`. Next.js apps have none of their own.
fn entrypoint(
    package: &Package<'_>,
    sources: &[ServiceFile],
    kind: Option<FrameworkKind>,
    entry: Option<&str>,
) -> Option<Sourced<String>> {
    if kind == Some(FrameworkKind::NextJs) {
        return None;
    }
    let located = |rel: &str| {
        let file = sources.iter().find(|f| f.rel == rel)?;
        let at = LISTEN.find(&file.text).map_or(0, |m| m.start());
        Some(file.sourced(rel.to_string(), at))
    };
    entry
        .and_then(located)
        .or_else(|| {
            sources.iter().find_map(|file| {
                let found = NEST_BOOTSTRAP.find(&file.text)?;
                Some(file.sourced(file.rel.clone(), found.start()))
            })
        })
        .or_else(|| listening_file(sources).and_then(|f| located(&f)))
        .or_else(|| package.string(&["main"]))
}

static NEST_BOOTSTRAP: LazyLock<Regex> = LazyLock::new(|| regex(r"\bNestFactory\.create\b"));

/// The package manager's files the install reads: in the service, and at the root of its
/// workspace; Yarn Berry's release under `.yarn/releases/`. Paths from the project root.
fn config_files(dir: &ServiceDir, workspace_root: Option<&str>) -> Vec<Sourced<String>> {
    let mut found = Vec::new();
    let mut places = vec![dir.path.clone()];
    if let Some(root) = workspace_root.filter(|r| *r != dir.path) {
        places.push(root.to_string());
    }
    for place in places {
        let base = dir.root.join(&place);
        let path = |name: &str| {
            if place == "." {
                name.to_string()
            } else {
                format!("{place}/{name}")
            }
        };
        for name in CONFIG_FILES {
            if base.join(name).is_file() {
                found.push(Sourced::at(path(name), path(name), 1));
            }
        }
        if let Ok(entries) = std::fs::read_dir(base.join(".yarn/releases")) {
            let mut releases: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect();
            releases.sort();
            for release in releases {
                let rel = path(&format!(".yarn/releases/{release}"));
                found.push(Sourced::at(rel.clone(), rel, 1));
            }
        }
    }
    found
}

/// The settings of an `.npmrc` (relative to the project root) that are not credentials.
fn npm_settings(root: &std::path::Path, rel: &str) -> Vec<Sourced<(String, String)>> {
    let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
        return Vec::new();
    };
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let (key, value) = (key.trim(), value.trim());
            let lower = key.to_ascii_lowercase();
            let credential = key.starts_with("//")
                || ["_auth", "token", "password", "cert", "key", "email"]
                    .iter()
                    .any(|word| lower.contains(word))
                || value.contains("${");
            let plain = key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            (!credential && plain && !key.is_empty()).then(|| {
                Sourced::at(
                    (key.to_string(), value.to_string()),
                    rel.to_string(),
                    index + 1,
                )
            })
        })
        .collect()
}

/// Dependencies on local directories (`file:../lib`, `link:../lib`), from the project root.
fn local_paths(dir: &ServiceDir, package: &Package<'_>) -> Vec<Sourced<String>> {
    let mut found = Vec::new();
    for section in ["dependencies", "devDependencies"] {
        let Some(deps) = package.json.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let Some(spec) = spec.as_str() else { continue };
            let Some(local) = spec
                .strip_prefix("file:")
                .or_else(|| spec.strip_prefix("link:"))
            else {
                continue;
            };
            let origin = package
                .string(&[section, name])
                .map_or(Origin::Default, |s| s.origin);
            found.push(Sourced::new(dir.rooted(local), origin));
        }
    }
    found
}

static SCRIPT_PORT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:(?:^|\s)(?:-p|--port)(?:\s+|=)(\d{2,5})\b|\bPORT=(\d{2,5})\b)"));

/// The port a script passes (`next start -p 3001`, `PORT=3001 node server.js`).
fn script_port(script: &str) -> Option<u16> {
    let caps = SCRIPT_PORT.captures(script)?;
    let group = caps.iter().skip(1).flatten().next()?;
    group.as_str().parse().ok().filter(|p| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runners() {
        assert_eq!(
            Runner(PackageManager::Npm).script("start"),
            ["npm", "start"]
        );
        assert_eq!(
            Runner(PackageManager::Pnpm).script("build"),
            ["pnpm", "run", "build"]
        );
    }

    #[test]
    fn ports_in_start_scripts() {
        assert_eq!(script_port("next start -p 3001"), Some(3001));
        assert_eq!(script_port("next start --port=4000"), Some(4000));
        assert_eq!(script_port("PORT=3002 next start"), Some(3002));
        assert_eq!(script_port("next start"), None);
        assert_eq!(script_port("next-app-p 3001"), None);
    }

    #[test]
    fn distroless_commands_get_node() {
        assert_eq!(with_node(argv(&["index.js"])), ["node", "index.js"]);
        assert_eq!(
            with_node(argv(&["--require=./i.js", "server.js"])),
            ["node", "--require=./i.js", "server.js"]
        );
        assert_eq!(with_node(argv(&["npm", "start"])), ["npm", "start"]);
    }
}
