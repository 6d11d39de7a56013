//! Health and readiness paths, found in the routes a service declares.
//!
//! [`declared`] lists the route paths of a service's code as a client requests them: each under
//! the prefixes of the routers it is declared on ([`mounts`]): FastAPI and Flask in [`python`],
//! Express and NestJS in [`javascript`], gin, chi, gorilla/mux and net/http in [`go`], and here
//! actix and axum, Spring (`@RequestMapping` on the class) and Django's `urls.py`. Ecosystems
//! add routes that come from elsewhere (Next.js route files, Spring Boot Actuator).
//! [`Probes::pick`] then chooses the liveness and readiness paths among them by the last segment
//! of the path.

use std::sync::LazyLock;

use regex::Regex;

mod go;
mod javascript;
mod mounts;
mod python;

use super::model::Sourced;
use super::regex;
use super::source::{FileKind, ServiceFile};

/// Last path segments that name a liveness endpoint, most conventional first.
const HEALTH: &[&str] = &[
    "health",
    "healthz",
    "livez",
    "liveness",
    "live",
    "healthcheck",
    "health-check",
    "alive",
];

/// Last path segments that name a readiness endpoint, most conventional first.
const READY: &[&str] = &["ready", "readyz", "readiness"];

/// The liveness and readiness paths of a service.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Probes {
    pub health: Option<Sourced<String>>,
    pub readiness: Option<Sourced<String>>,
}

impl Probes {
    /// Picks the probe paths among `routes`: the most conventional name, then the shortest path,
    /// then the first found.
    pub(super) fn pick(routes: &[Sourced<String>]) -> Self {
        Self {
            health: best(routes, HEALTH),
            readiness: best(routes, READY),
        }
    }
}

fn best(routes: &[Sourced<String>], names: &[&str]) -> Option<Sourced<String>> {
    routes
        .iter()
        .enumerate()
        .filter_map(|(index, route)| {
            let rank = names
                .iter()
                .position(|n| *n == last_segment(&route.value))?;
            Some(((rank, route.value.len(), index), route))
        })
        .min_by_key(|(key, _)| *key)
        .map(|(_, route)| route.clone())
}

/// The last segment of a path, without the underscores that mark internal routes
/// (`/_healthz` reads as `healthz`).
fn last_segment(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_start_matches('_')
        .to_ascii_lowercase()
}

static DJANGO: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(?:re_)?path\(\s*r?["']\^?([^"'$]*)\$?["']"#));
static RUST: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"\.route\(\s*"(/[^"]*)""#),
        regex(r#"#\[(?:get|head|route)\(\s*"(/[^"]*)""#),
        regex(r#"\bweb::resource\(\s*"(/[^"]*)""#),
    ]
});
static JAVA_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"@RequestMapping\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*"(/?[^"]*)"[^)]*\)\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:public\s+|final\s+|abstract\s+)*class\b"#,
    )
});
static JAVA: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"@(?:GetMapping|RequestMapping)\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*"(/?[^"]*)""#)
});

/// The route paths declared in `files`, in file order within each language.
pub(super) fn declared(files: &[ServiceFile]) -> Vec<Sourced<String>> {
    let of = |kind: FileKind| -> Vec<&ServiceFile> {
        files.iter().filter(|f| f.kind() == kind).collect()
    };
    let python: Vec<&ServiceFile> = of(FileKind::Python)
        .into_iter()
        .filter(|f| f.name() != "urls.py")
        .collect();
    let mut routes = python::routes(&python, files);
    routes.extend(javascript::routes(&of(FileKind::JavaScript)));
    routes.extend(go::routes(&of(FileKind::Go)));
    for file in files {
        match file.kind() {
            FileKind::Python if file.name() == "urls.py" => {
                routes.extend(matches(file, &DJANGO, ""));
            }
            FileKind::Rust => {
                for re in RUST.iter() {
                    routes.extend(matches(file, re, ""));
                }
            }
            FileKind::Java => {
                let class = JAVA_CLASS.captures(&file.text).and_then(|c| c.get(1));
                let base = class.map_or("", |m| m.as_str());
                routes.extend(
                    JAVA.captures_iter(&file.text)
                        .filter_map(|caps| caps.get(1))
                        // The class's own mapping is its routes' prefix, not a route.
                        .filter(|path| class.is_none_or(|c| c.start() != path.start()))
                        .map(|path| file.sourced(join(base, path.as_str()), path.start())),
                );
            }
            _ => {}
        }
    }
    routes
}

/// Every path `re` captures in a file, under `prefix`.
fn matches(file: &ServiceFile, re: &Regex, prefix: &str) -> Vec<Sourced<String>> {
    re.captures_iter(&file.text)
        .filter_map(|caps| caps.get(1))
        .map(|path| file.sourced(join(prefix, path.as_str()), path.start()))
        .collect()
}

/// A path with exactly one leading `/`.
pub(super) fn rooted(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Two path parts joined with one `/` (`/api` and `health/` give `/api/health/`).
pub(super) fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let path = path.trim_start_matches('/');
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => rooted(path),
        (false, true) => rooted(prefix),
        (false, false) => format!("/{prefix}/{path}"),
    }
}

/// The routes `routes` finds in `files`, as `path file:line`, for the routers' tests.
#[cfg(test)]
pub(super) fn shown(
    files: &[ServiceFile],
    routes: impl Fn(&[&ServiceFile], &[ServiceFile]) -> Vec<Sourced<String>>,
) -> Vec<String> {
    let refs: Vec<&ServiceFile> = files.iter().collect();
    routes(&refs, files)
        .into_iter()
        .map(|r| format!("{} {}", r.value, r.origin))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    fn picked(files: &[ServiceFile]) -> (Option<String>, Option<String>) {
        let probes = Probes::pick(&declared(files));
        let show = |s: Option<Sourced<String>>| s.map(|s| format!("{} {}", s.value, s.origin));
        (show(probes.health), show(probes.readiness))
    }

    #[test]
    fn fastapi_routes() {
        let text = "@app.get(\"/\")\ndef root(): ...\n@app.get(\"/api/health\")\n@app.get(\"/health\")\n@router.get('/ready')\n";
        assert_eq!(
            picked(&[file("main.py", text)]),
            (
                Some("/health main.py:4".into()),
                Some("/ready main.py:5".into())
            )
        );
    }

    #[test]
    fn django_urls() {
        let text = "urlpatterns = [\n    path(\"admin/\", admin.site.urls),\n    path(\"healthz/\", views.health),\n]\n";
        assert_eq!(
            picked(&[file("mysite/urls.py", text)]).0,
            Some("/healthz/ mysite/urls.py:3".into())
        );
    }

    #[test]
    fn go_patterns_with_methods() {
        let text = "mux.HandleFunc(\"GET /livez\", live)\nmux.HandleFunc(\"/readyz\", ready)\n";
        assert_eq!(
            picked(&[file("main.go", text)]),
            (
                Some("/livez main.go:1".into()),
                Some("/readyz main.go:2".into())
            )
        );
    }

    #[test]
    fn nest_controllers() {
        let text = "@Controller('health')\nexport class H {\n  @Get()\n  live() {}\n  @Get('ready')\n  ready() {}\n}\n";
        assert_eq!(
            picked(&[file("src/health.controller.ts", text)]),
            (
                Some("/health src/health.controller.ts:3".into()),
                Some("/health/ready src/health.controller.ts:5".into())
            )
        );
    }

    #[test]
    fn joins() {
        assert_eq!(join("/api/", "/health"), "/api/health");
        assert_eq!(join("", ""), "/");
        assert_eq!(join("health", ""), "/health");
        assert_eq!(rooted("healthz/"), "/healthz/");
    }
}
