//! Go services: a `go.mod`.
//!
//! [`detect`] reads `go.mod` line by line (its grammar is small: directives, and blocks in
//! parentheses) for the module path, the `go` directive, the required modules (gin, cgo
//! drivers) and `replace`s to directories, then the code for the `main` package (a module
//! without one is a library), the port (a declared one first), whether it serves gRPC, the
//! routes, the variables, what `//go:embed` compiles in and what it reads at run time.

use std::sync::LazyLock;

use regex::Regex;

use super::data_dirs;
use super::declared::Declared;
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, NativeDependency, Origin, PackageManager,
    Service, ServiceClass, ServiceKind, Sourced,
};
use super::routes::{self, Probes};
use super::service_set::Described;
use super::source::{ServiceDir, ServiceFile, is_env_example};
use super::{argv, backend, env, frontend, inputs, ports, regex};

/// The binary `go build` writes, and the start command runs.
const BINARY: &str = "server";

/// The directives `go.mod` may hold.
const DIRECTIVES: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
];

/// What `go.mod` says.
#[derive(Debug, Default)]
struct GoMod {
    module: Option<Sourced<String>>,
    go: Option<Sourced<String>>,
    /// Required module paths with their version, each with its line.
    requires: Vec<Sourced<(String, String)>>,
    /// `replace` targets that are directories (`=> ../lib`), each with its line.
    replaces: Vec<Sourced<String>>,
}

impl GoMod {
    /// The directories `replace` points at, from the project root.
    fn replaced_by_directory(&self, dir: &ServiceDir) -> Vec<Sourced<String>> {
        self.replaces
            .iter()
            .map(|r| Sourced::new(dir.rooted(&r.value), r.origin.clone()))
            .collect()
    }
}

/// Detects the Go service in `dir`.
pub(super) fn detect(
    dir: &ServiceDir,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
    let file = dir.read("go.mod")?;
    let module = parse_go_mod(&file)?;
    let sources = dir.sources(|rel| rel.ends_with(".go") || is_env_example(rel), problems);
    let framework = framework(&module, &sources);
    let entrypoint = main_package(&sources);
    let package = entrypoint
        .as_ref()
        .map_or(".".to_string(), |e| e.value.clone());
    let command_origin = entrypoint
        .as_ref()
        .map_or(Origin::Default, |e| e.origin.clone());
    let probes = Probes::pick(&routes::declared(&sources));
    let main_file = entrypoint
        .as_ref()
        .and_then(|e| main_file(&sources, &e.value));
    let port = declared.port().or_else(|| {
        ports::find(
            &sources,
            Language::Go,
            &super::directory_label(dir),
            main_file.as_deref(),
        )
    });
    let mut start = Sourced::new(vec![format!("./{BINARY}")], command_origin.clone());
    if let Some(args) = declared.binary_arguments(Language::Go) {
        start.value.extend(args.value);
        start.origin = args.origin;
    }
    let grpc = find(&sources, &GRPC_SERVER);
    let kind = match (&grpc, find(&sources, &HTTP_SERVER)) {
        (Some(origin), None) => Sourced::new(ServiceKind::Grpc, origin.clone()),
        _ => Sourced::default_value(ServiceKind::Http),
    };
    let class = match frontend::serves_pages(&sources) {
        Some(origin) => Sourced::new(ServiceClass::Frontend, origin),
        None => backend(framework.as_ref()),
    };
    let runs = entrypoint
        .as_ref()
        .map(|e| e.origin.clone())
        .ok_or_else(|| "no `main` package".to_string());

    let embedded = inputs::go_embeds(dir, problems);
    let mut service = Service {
        kind,
        name: String::new(),
        path: dir.path.clone(),
        manifest: "go.mod".to_string(),
        class,
        language: Sourced::new(
            Language::Go,
            module
                .module
                .as_ref()
                .map_or(dir.file_origin("go.mod"), |m| m.origin.clone()),
        ),
        language_version: module.go.clone(),
        framework,
        package_manager: Sourced::new(PackageManager::Go, dir.file_origin("go.mod")),
        lockfile: dir.present("go.sum"),
        start_command: start,
        prestart: Vec::new(),
        build_command: Some(Sourced::new(
            argv(&["go", "build", "-o", BINARY, &package]),
            command_origin,
        )),
        entrypoint,
        port,
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
        data_dirs: Vec::new(),
        depends_on: Vec::new(),
        inputs: Default::default(),
        undetermined: Vec::new(),
    };
    service.inputs.native = module
        .requires
        .iter()
        .filter_map(|r| {
            Some(NativeDependency {
                needs: inputs::needs(Language::Go, &r.value.0, &r.value.1)?,
                name: r.value.0.clone(),
                origin: r.origin.clone(),
            })
        })
        .collect();
    service.inputs.local_paths = module.replaced_by_directory(dir);
    service.inputs.runtime_assets = inputs::runtime_assets(dir, &sources, Language::Go, &embedded);
    service.data_dirs = data_dirs::flag_defaults(&sources);
    service.inputs.built_ui = inputs::built_ui(dir, &embedded, problems);
    service.inputs.embedded = embedded;
    Ok(Described::program(service, runs))
}

static GRPC_SERVER: LazyLock<Regex> = LazyLock::new(|| regex(r"\bgrpc\.NewServer\("));
static HTTP_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\bhttp\.ListenAndServe(?:TLS)?\(|\bhttp\.Server\s*\{|\bgin\.(?:Default|New)\(|\bchi\.NewRouter\(|\bmux\.NewRouter\(|\becho\.New\(|\bfiber\.New\(|\.ListenAndServe\(",
    )
});

/// Where `re` first matches in the files.
fn find(files: &[ServiceFile], re: &Regex) -> Option<Origin> {
    files
        .iter()
        .find_map(|file| Some(file.origin(re.find(&file.text)?.start())))
}

/// The file of the main package that holds `func main`.
fn main_file(sources: &[ServiceFile], package: &str) -> Option<String> {
    let dir = package.trim_start_matches("./").trim_start_matches('.');
    sources
        .iter()
        .filter(|f| f.rel.rsplit_once('/').map_or("", |(d, _)| d) == dir)
        .find(|f| FUNC_MAIN.is_match(&f.text))
        .map(|f| f.rel.clone())
}

/// Reads `go.mod`: an unknown directive, an unclosed block or a missing `module` line is an
/// error at its line, as `go` itself reports it.
fn parse_go_mod(file: &ServiceFile) -> Result<GoMod, FileProblem> {
    let mut parsed = GoMod::default();
    let mut block: Option<(&str, usize)> = None;
    let mut offset = 0;
    for (index, raw) in file.text.split_inclusive('\n').enumerate() {
        let at = offset;
        offset += raw.len();
        let line_number = index + 1;
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some((directive, _)) = block {
            if line == ")" {
                block = None;
            } else if directive == "require" {
                push_require(&mut parsed, file, line, at);
            } else if directive == "replace" {
                push_replace(&mut parsed, file, line, at);
            }
            continue;
        }
        let (directive, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if !DIRECTIVES.contains(&directive) {
            let column = raw.len() - raw.trim_start().len() + 1;
            return Err(FileProblem::at(
                &file.path,
                line_number,
                column,
                format!("unknown directive `{directive}`"),
            ));
        }
        if rest == "(" {
            block = Some((directive, line_number));
            continue;
        }
        let value = rest.trim_matches('"').to_string();
        match directive {
            "module" => parsed.module = Some(file.sourced(value, at)),
            "go" => parsed.go = Some(file.sourced(value, at)),
            "require" => push_require(&mut parsed, file, rest, at),
            "replace" => push_replace(&mut parsed, file, rest, at),
            _ => {}
        }
    }
    if let Some((directive, line)) = block {
        return Err(FileProblem::at(
            &file.path,
            line,
            1,
            format!("the `{directive} (` block is never closed"),
        ));
    }
    if parsed.module.as_ref().is_none_or(|m| m.value.is_empty()) {
        return Err(FileProblem::at(
            &file.path,
            1,
            1,
            "no `module` directive: go.mod must start by naming its module",
        ));
    }
    Ok(parsed)
}

fn push_require(parsed: &mut GoMod, file: &ServiceFile, spec: &str, at: usize) {
    let mut parts = spec.split_whitespace();
    if let (Some(path), Some(version)) = (parts.next(), parts.next()) {
        parsed
            .requires
            .push(file.sourced((path.to_string(), version.to_string()), at));
    }
}

/// A `replace old => new` whose target is a directory (`./x`, `../x`).
fn push_replace(parsed: &mut GoMod, file: &ServiceFile, spec: &str, at: usize) {
    if let Some((_, target)) = spec.split_once("=>") {
        let target = target.split_whitespace().next().unwrap_or_default();
        if target.starts_with("./") || target.starts_with("../") {
            parsed.replaces.push(file.sourced(target.to_string(), at));
        }
    }
}

static NET_HTTP: LazyLock<Regex> = LazyLock::new(|| regex(r#""(net/http)""#));

/// gin when `go.mod` requires it, else net/http when the code imports it.
fn framework(module: &GoMod, sources: &[ServiceFile]) -> Option<Sourced<Framework>> {
    if let Some(gin) = module
        .requires
        .iter()
        .find(|r| r.value.0 == "github.com/gin-gonic/gin")
    {
        let version = Some(gin.value.1.clone());
        return Some(Sourced::new(
            Framework::declared(FrameworkKind::Gin, version),
            gin.origin.clone(),
        ));
    }
    let import = super::source::find_in(sources, &NET_HTTP)?;
    Some(Sourced::new(
        Framework::declared(FrameworkKind::NetHttp, None),
        import.origin,
    ))
}

static PACKAGE_MAIN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^package\s+main\b"));
static FUNC_MAIN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^func\s+main\s*\(\s*\)"));

/// The package with `func main()`: the module root (`.`) first, else the first under `cmd/`,
/// else the first found.
fn main_package(sources: &[ServiceFile]) -> Option<Sourced<String>> {
    let mut mains: Vec<Sourced<String>> = sources
        .iter()
        .filter(|file| PACKAGE_MAIN.is_match(&file.text))
        .filter_map(|file| {
            let func = file.find(&FUNC_MAIN)?.get(0)?;
            let package = match file.rel.rsplit_once('/') {
                Some((dir, _)) => format!("./{dir}"),
                None => ".".to_string(),
            };
            Some(file.sourced(package, func.start()))
        })
        .collect();
    mains.sort_by_key(|main| {
        (
            main.value != ".",
            !main.value.starts_with("./cmd/"),
            main.value.clone(),
        )
    });
    mains.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ServiceFile {
        ServiceFile {
            path: "svc/go.mod".into(),
            rel: "go.mod".into(),
            text: text.into(),
        }
    }

    #[test]
    fn go_mod_is_read() {
        let parsed = parse_go_mod(&file(
            "// comment\nmodule example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0 // indirect\n)\nrequire golang.org/x/net v0.1.0\n",
        ))
        .unwrap();
        assert_eq!(parsed.module.unwrap().value, "example.com/api");
        let go = parsed.go.unwrap();
        assert_eq!(
            (go.value.as_str(), go.origin.to_string()),
            ("1.22", "svc/go.mod:4".into())
        );
        assert_eq!(parsed.requires.len(), 2);
        assert_eq!(parsed.requires[0].origin.to_string(), "svc/go.mod:7");
    }

    #[test]
    fn go_mod_errors_have_a_line() {
        let missing = parse_go_mod(&file("go 1.22\n")).unwrap_err();
        assert_eq!(missing.line, Some(1));
        assert!(missing.message.contains("module"));
        let unknown = parse_go_mod(&file("module x\n  gone 1.22\n")).unwrap_err();
        assert_eq!((unknown.line, unknown.column), (Some(2), Some(3)));
        let open = parse_go_mod(&file("module x\nrequire (\n a v1\n")).unwrap_err();
        assert_eq!(open.line, Some(2));
    }
}
