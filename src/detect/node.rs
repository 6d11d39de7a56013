//! Node.js services: a `package.json`.
//!
//! [`detect`] reads the dependencies for the framework (Next.js with its major version, NestJS,
//! Express) and whether the app is a user interface, `engines.node` / `.nvmrc` for the version,
//! the lockfile or `packageManager` for npm, pnpm or yarn, and the `start` and `build` scripts for
//! the commands; the code gives the port, the routes and the variables. Next.js details live in
//! [`super::nextjs`].

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::env;
use super::manifest::{json_line, major, parse_json};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, Origin, PackageManager, Service, ServiceClass,
    ServiceKind, Sourced,
};
use super::nextjs;
use super::routes::{self, Probes};
use super::source::{
    JS_EXTENSIONS, ServiceDir, ServiceFile, find_port, has_extension, is_env_example,
};
use super::{argv, regex};

/// The default port of a Node.js web service.
const DEFAULT_PORT: u16 = 3000;

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
}

/// Detects the Node.js service in `dir`.
pub fn detect(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Result<Service, FileProblem> {
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
    let run = Runner(package_manager.value);
    let start_script = package.string(&["scripts", "start"]);

    // A port in the start script wins; Next.js apps have no other place to say it.
    let script_port = start_script.as_ref().and_then(|script| {
        Some(Sourced::new(
            script_port(&script.value)?,
            script.origin.clone(),
        ))
    });
    let port = if kind == Some(FrameworkKind::NextJs) {
        script_port
    } else {
        script_port.or_else(|| find_port(&sources, &PORT))
    }
    .unwrap_or(Sourced::default_value(DEFAULT_PORT));

    let mut routes = routes::declared(&sources);
    if kind == Some(FrameworkKind::NextJs) {
        routes.extend(nextjs::file_routes(&sources));
    }
    let probes = Probes::pick(&routes);
    let class = class(&package, framework.as_ref());
    let frontend = class.value == ServiceClass::Frontend;
    let start_command = start_command(&package, &run, &sources, kind, frontend, port.value);
    let build_command = package
        .string(&["scripts", "build"])
        .map(|script| Sourced::new(run.script("build"), script.origin));

    Ok(Service {
        kind: Sourced::default_value(ServiceKind::Http),
        name: String::new(),
        path: dir.path.clone(),
        manifest: "package.json".to_string(),
        class,
        language: Sourced::new(Language::Node, dir.file_origin("package.json")),
        language_version: node_version(dir, &package, problems),
        entrypoint: entrypoint(&package, &sources, kind),
        framework,
        package_manager,
        lockfile,
        start_command,
        build_command,
        port: Some(port),
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
    })
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
        let standalone = (*kind == FrameworkKind::NextJs)
            .then(|| nextjs::standalone(nextjs::config(sources)).is_some());
        Some(Sourced::new(
            Framework {
                standalone,
                ..Framework::declared(*kind, Some(spec.value))
            },
            spec.origin,
        ))
    })
}

/// Front end for Next.js and for UI toolkits without a server framework; back end otherwise.
fn class(package: &Package<'_>, framework: Option<&Sourced<Framework>>) -> Sourced<ServiceClass> {
    match framework {
        Some(f) if f.value.kind == FrameworkKind::NextJs => {
            Sourced::new(ServiceClass::Frontend, f.origin.clone())
        }
        Some(f) => Sourced::new(ServiceClass::Backend, f.origin.clone()),
        None => match UI_DEPENDENCIES.iter().find_map(|d| package.dependency(d)) {
            Some(dependency) => Sourced::new(ServiceClass::Frontend, dependency.origin),
            None => Sourced::default_value(ServiceClass::Backend),
        },
    }
}

/// The package manager: `packageManager` in `package.json`, else the lockfile, else npm.
fn package_manager(
    dir: &ServiceDir,
    package: &Package<'_>,
) -> (Sourced<PackageManager>, Option<Sourced<String>>) {
    const LOCKS: &[(&str, PackageManager)] = &[
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

static PLAIN_NODE: LazyLock<Regex> = LazyLock::new(|| regex(r"^node\s+[^&|;<>$`]+$"));

/// The production command: `node server.js` for a standalone Next.js build; a script that is a
/// plain `node <file>` runs node directly (signals then reach the app, not npm); other scripts run
/// through the package manager; without them, a front end's `preview` script, `main` or
/// `index.js`.
fn start_command(
    package: &Package<'_>,
    run: &Runner,
    sources: &[ServiceFile],
    kind: Option<FrameworkKind>,
    frontend: bool,
    port: u16,
) -> Sourced<Vec<String>> {
    let standalone = nextjs::standalone(nextjs::config(sources));
    if let (Some(FrameworkKind::NextJs), Some(origin)) = (kind, standalone) {
        return Sourced::new(argv(&["node", "server.js"]), origin);
    }
    for name in ["start:prod", "start"] {
        if let Some(script) = package.string(&["scripts", name]) {
            let value = if PLAIN_NODE.is_match(script.value.trim()) {
                script
                    .value
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            } else {
                run.script(name)
            };
            return Sourced::new(value, script.origin);
        }
    }
    if kind == Some(FrameworkKind::NextJs) {
        let port = port.to_string();
        return Sourced::default_value(argv(&["npx", "next", "start", "-p", &port]));
    }
    // A single-page app built with Vite and the like serves its build with `preview`.
    if let Some(script) = package.string(&["scripts", "preview"]).filter(|_| frontend) {
        return Sourced::new(run.script("preview"), script.origin);
    }
    match package.string(&["main"]) {
        Some(main) => Sourced::new(argv(&["node", &main.value]), main.origin),
        None => Sourced::default_value(argv(&["node", "index.js"])),
    }
}

static NEST_BOOTSTRAP: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(NestFactory)\.create\b"));
static EXPRESS_APP: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(express)\(\s*\)"));

/// The file that starts the server: NestJS's bootstrap, the file that creates the Express app,
/// else `main`. Next.js apps have none of their own.
fn entrypoint(
    package: &Package<'_>,
    sources: &[ServiceFile],
    kind: Option<FrameworkKind>,
) -> Option<Sourced<String>> {
    let pattern: &Regex = match kind {
        Some(FrameworkKind::NextJs) => return None,
        Some(FrameworkKind::NestJs) => &NEST_BOOTSTRAP,
        Some(FrameworkKind::Express) => &EXPRESS_APP,
        _ => return package.string(&["main"]),
    };
    sources
        .iter()
        .find_map(|file| {
            let found = file.find(pattern)?.get(1)?;
            Some(file.sourced(file.rel.clone(), found.start()))
        })
        .or_else(|| package.string(&["main"]))
}

static SCRIPT_PORT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:(?:^|\s)(?:-p|--port)(?:\s+|=)(\d{2,5})\b|\bPORT=(\d{2,5})\b)"));

/// The port a script passes (`next start -p 3001`, `PORT=3001 node server.js`).
fn script_port(script: &str) -> Option<u16> {
    let caps = SCRIPT_PORT.captures(script)?;
    let group = caps.iter().skip(1).flatten().next()?;
    group.as_str().parse().ok().filter(|p| *p > 0)
}

static PORT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:process\.env\.PORT\s*(?:\|\||\?\?)\s*["']?(\d{2,5})|\.listen\(\s*(\d{2,5})\b|\b(?:const|let|var)\s+(?:PORT|port)\s*(?::\s*\w+\s*)?=\s*(\d{2,5})\b)"#,
    )
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::port_in;

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
    fn port_patterns() {
        let port = |text: &str| port_in(text, &PORT);
        assert_eq!(port("app.listen(process.env.PORT || 4000)"), Some(4000));
        assert_eq!(
            port("await app.listen(process.env.PORT ?? 3005);"),
            Some(3005)
        );
        assert_eq!(port("server.listen(8081, () => {})"), Some(8081));
        assert_eq!(port("const PORT = 5000;\napp.listen(PORT)"), Some(5000));
        assert_eq!(port("app.listen(port)"), None);
    }
}
