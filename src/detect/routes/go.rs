//! Routes of Go servers with the prefixes their routers carry: gin and chi groups
//! (`v1 := r.Group("/v1")`), gorilla/mux subrouters (`r.PathPrefix("/api").Subrouter()`), chi
//! mounts (`r.Mount("/api", apiRouter)`) and closures (`r.Route("/api", func(r chi.Router)
//! {...})`), a base path joined to a literal (`r.HandleFunc(baseURL + "/_healthz", ...)`, the
//! literal kept), and a router handed to another file's method (`h.RegisterRoutes(apiRouter)`,
//! whose routes then carry the router's prefix).

use std::sync::LazyLock;

use regex::Regex;

use super::super::model::Sourced;
use super::super::regex;
use super::super::source::ServiceFile;
use super::join;
use super::mounts::Mounts;

static GROUP: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(\w+)\s*:?=\s*(\w+)\.(?:Group|PathPrefix)\(\s*"(/[^"]*)""#));
static MOUNT: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(\w+)\.Mount\(\s*"(/[^"]*)"\s*,\s*(\w+)"#));
static CLOSURE: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(\w+)\.(?:Route|Group)\(\s*"(/[^"]*)"\s*,\s*func\s*\(\s*(\w+)"#));
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\b(\w+)\.(?:HandleFunc|Handle|GET|HEAD|Any|Get|Head|Match|Method|MethodFunc)\(\s*(?:\[\]string\{[^}]*\}\s*,\s*|"[A-Z]+"\s*,\s*)?(?:[\w.]+(?:\(\))?\s*\+\s*)?"(?:(?:GET|HEAD)\s+)?(/[^"]*)""#,
    )
});
static HANDOFF: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(\w+)\.(\w+)\(\s*(\w+)\s*\)"));
static CONSTRUCTED: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(\w+)\s*:?=\s*(?:&\s*)?(?:\w+\.)?(?:New)?(\w+)\s*[({]"));

/// The routes of a service's Go files.
pub(super) fn routes(files: &[&ServiceFile]) -> Vec<Sourced<String>> {
    let mut mounts = Mounts::default();
    for (index, file) in files.iter().enumerate() {
        for caps in GROUP.captures_iter(&file.text) {
            let (Some(child), Some(parent), Some(prefix)) = (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            let child = (index, child.as_str().to_string());
            mounts.router(child.clone(), String::new());
            mounts.mount(
                child,
                (index, parent.as_str().to_string()),
                prefix.as_str().to_string(),
                false,
            );
        }
        for caps in MOUNT.captures_iter(&file.text) {
            let (Some(parent), Some(prefix), Some(child)) = (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            mounts.mount(
                (index, child.as_str().to_string()),
                (index, parent.as_str().to_string()),
                prefix.as_str().to_string(),
                false,
            );
        }
    }
    // A router handed to a method of another type: the method's parameter is that router.
    let mut handed: Vec<(usize, String, usize, std::ops::Range<usize>)> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for caps in HANDOFF.captures_iter(&file.text) {
            let (Some(receiver), Some(method), Some(router)) =
                (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            let router = (index, router.as_str().to_string());
            if mounts.prefixes(&router) == ["/"] {
                continue;
            }
            let Some(type_name) = constructed_type(files, receiver.as_str()) else {
                continue;
            };
            if let Some((target, param, body)) = method_body(files, &type_name, method.as_str()) {
                let param_router = (target, format!("{param}@{}", body.start));
                mounts.mount(param_router, router, String::new(), false);
                handed.push((target, param, body.start, body));
            }
        }
    }
    let mut found = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let closures: Vec<(std::ops::Range<usize>, String, String)> = CLOSURE
            .captures_iter(&file.text)
            .filter_map(|caps| {
                let whole = caps.get(0)?;
                let body = block_after(&file.text, whole.end())?;
                Some((
                    body,
                    caps.get(3)?.as_str().to_string(),
                    caps.get(2)?.as_str().to_string(),
                ))
            })
            .collect();
        for caps in ROUTE.captures_iter(&file.text) {
            let (Some(var), Some(path)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            let at = path.start();
            let inner: String = closures
                .iter()
                .filter(|(body, _, _)| body.contains(&at))
                .fold(String::new(), |acc, (_, _, prefix)| join(&acc, prefix));
            let router = handed
                .iter()
                .find(|(i, param, _, body)| {
                    *i == index && param == var.as_str() && body.contains(&at)
                })
                .map(|(i, param, start, _)| (*i, format!("{param}@{start}")))
                .unwrap_or_else(|| (index, var.as_str().to_string()));
            let in_closure = closures
                .iter()
                .any(|(body, param, _)| body.contains(&at) && param == var.as_str());
            for prefix in mounts.prefixes(&router) {
                let prefix = if in_closure {
                    join(&prefix, &inner)
                } else {
                    prefix
                };
                found.push(file.sourced(join(&prefix, path.as_str()), at));
            }
        }
    }
    found
}

/// The type a variable is made as: `h := api.NewHealthHandler(db)` or `h := &HealthHandler{}`
/// give `HealthHandler`.
fn constructed_type(files: &[&ServiceFile], variable: &str) -> Option<String> {
    files.iter().find_map(|file| {
        CONSTRUCTED.captures_iter(&file.text).find_map(|caps| {
            (caps.get(1)?.as_str() == variable)
                .then(|| caps.get(2).map(|t| t.as_str().to_string()))?
        })
    })
}

/// The file, parameter name and body of `func (x *TYPE) METHOD(param ...)`.
fn method_body(
    files: &[&ServiceFile],
    type_name: &str,
    method: &str,
) -> Option<(usize, String, std::ops::Range<usize>)> {
    let pattern = regex(&format!(
        r"func\s*\(\s*\w+\s+\*?{}\s*\)\s*{}\s*\(\s*(\w+)",
        regex::escape(type_name),
        regex::escape(method)
    ));
    files.iter().enumerate().find_map(|(index, file)| {
        let caps = pattern.captures(&file.text)?;
        let whole = caps.get(0)?;
        let body = block_after(&file.text, whole.end())?;
        Some((index, caps.get(1)?.as_str().to_string(), body))
    })
}

/// The range of the `{ ... }` block that opens first after `from` (strings and comments are
/// already blanked or harmless here).
fn block_after(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let open = from + text[from..].find('{')?;
    let mut depth = 0usize;
    for (offset, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open..open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    fn paths(files: &[ServiceFile]) -> Vec<String> {
        super::super::shown(files, |refs, _| routes(refs))
    }

    #[test]
    fn chi_mounts_reach_handlers_in_other_files() {
        let files = [
            file(
                "main.go",
                "func main() {\n\thealth := api.NewHealthHandler(db)\n\tapiRouter := chi.NewRouter()\n\trouter.Mount(\"/api\", apiRouter)\n\thealth.RegisterRoutes(apiRouter)\n}\n",
            ),
            file(
                "routes/api/health.go",
                "func (h *HealthHandler) RegisterRoutes(router chi.Router) {\n\trouter.Get(\"/health\", h.Get)\n}\n",
            ),
        ];
        assert_eq!(paths(&files), ["/api/health routes/api/health.go:2"]);
    }

    #[test]
    fn groups_subrouters_closures_and_base_paths() {
        let text = "v1 := r.Group(\"/v1\")\nv1.GET(\"/ready\", ready)\napi := r.PathPrefix(\"/api\").Subrouter()\napi.HandleFunc(\"/healthz\", h)\nr.Route(\"/ops\", func(r chi.Router) {\n\tr.Get(\"/livez\", live)\n})\nmux.HandleFunc(baseUrl + \"/_healthz\", h)\ng.Match([]string{\"GET\", \"HEAD\"}, \"/health\", h)\n";
        assert_eq!(
            paths(&[file("main.go", text)]),
            [
                "/v1/ready main.go:2",
                "/api/healthz main.go:4",
                "/ops/livez main.go:6",
                "/_healthz main.go:8",
                "/health main.go:9"
            ]
        );
    }
}
