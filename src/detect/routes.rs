//! Health and readiness paths, found in the routes a service declares.
//!
//! [`declared`] lists the route paths of a service's code (`@app.get("/health")`,
//! `app.get('/healthz', ...)`, `http.HandleFunc("/readyz", ...)`, `.route("/health", ...)`,
//! `@GetMapping("/health")`, NestJS controllers); ecosystems add routes that come from elsewhere
//! (Next.js route files, Spring Boot Actuator). [`Probes::pick`] then chooses the liveness and
//! readiness paths among them by the last segment of the path.

use std::sync::LazyLock;

use regex::Regex;

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
pub struct Probes {
    pub health: Option<Sourced<String>>,
    pub readiness: Option<Sourced<String>>,
}

impl Probes {
    /// Picks the probe paths among `routes`: the most conventional name, then the shortest path,
    /// then the first found.
    pub fn pick(routes: &[Sourced<String>]) -> Self {
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

fn last_segment(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

static PYTHON: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![regex(
        r#"\.(?:get|head|api_route|route)\(\s*["'](/[^"']*)["']"#,
    )]
});
static DJANGO: LazyLock<Vec<Regex>> =
    LazyLock::new(|| vec![regex(r#"\b(?:re_)?path\(\s*r?["']\^?([^"'$]*)\$?["']"#)]);
static JAVASCRIPT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![regex(
        r#"\.(?:get|head|all|use|route)\(\s*["'`](/[^"'`]*)["'`]"#,
    )]
});
static GO: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![regex(
        r#"\.(?:HandleFunc|Handle|GET|HEAD|Any|Get|Head|Match)\(\s*"(?:(?:GET|HEAD)\s+)?(/[^"]*)""#,
    )]
});
static RUST: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"\.route\(\s*"(/[^"]*)""#),
        regex(r#"#\[(?:get|head|route)\(\s*"(/[^"]*)""#),
        regex(r#"\bweb::resource\(\s*"(/[^"]*)""#),
    ]
});
static JAVA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![regex(
        r#"@(?:GetMapping|RequestMapping)\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*"(/?[^"]*)""#,
    )]
});
static NEST_CONTROLLER: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"@Controller\(\s*(?:\{[^}]*?path\s*:\s*)?["'`]([^"'`]*)["'`]"#));
static NEST_HANDLER: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"@(?:Get|Head|All)\(\s*(?:["'`]([^"'`]*)["'`])?\s*\)"#));

/// The route paths declared in `files`, in file order.
pub fn declared(files: &[ServiceFile]) -> Vec<Sourced<String>> {
    let mut routes = Vec::new();
    for file in files {
        let patterns: &[Regex] = match file.kind() {
            FileKind::Python if file.name() == "urls.py" => &DJANGO,
            FileKind::Python => &PYTHON,
            FileKind::JavaScript => &JAVASCRIPT,
            FileKind::Go => &GO,
            FileKind::Rust => &RUST,
            FileKind::Java => &JAVA,
            _ => &[],
        };
        for re in patterns {
            for caps in re.captures_iter(&file.text) {
                if let Some(path) = caps.get(1) {
                    routes.push(file.sourced(rooted(path.as_str()), path.start()));
                }
            }
        }
        if file.kind() == FileKind::JavaScript {
            routes.extend(nest_routes(file));
        }
    }
    routes
}

/// NestJS: `@Controller('health')` and `@Get()` or `@Get('ready')` in the same file.
fn nest_routes(file: &ServiceFile) -> Vec<Sourced<String>> {
    let Some(prefix) = NEST_CONTROLLER.captures(&file.text).and_then(|c| c.get(1)) else {
        return Vec::new();
    };
    NEST_HANDLER
        .captures_iter(&file.text)
        .map(|caps| {
            let whole = caps.get(0).map_or(0, |m| m.start());
            let sub = caps.get(1).map_or("", |m| m.as_str());
            file.sourced(join(prefix.as_str(), sub), whole)
        })
        .collect()
}

/// A path with exactly one leading `/`.
pub fn rooted(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Two path parts joined with one `/` (`/api` and `health/` give `/api/health/`).
pub fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let path = path.trim_start_matches('/');
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => rooted(path),
        (false, true) => rooted(prefix),
        (false, false) => format!("/{prefix}/{path}"),
    }
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
