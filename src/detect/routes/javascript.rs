//! Routes of JavaScript and TypeScript servers: Express (and Koa-router-like) routers with the
//! prefixes they are mounted under (`app.use('/api', router)`, across files through `require`
//! and `import`), NestJS controllers (`@Controller('health')` with `@Get()`), and a plain
//! `node:http` server comparing the request's path (`req.url === '/livez'`).

use std::sync::LazyLock;

use regex::Regex;

use super::super::model::Sourced;
use super::super::regex;
use super::super::source::ServiceFile;
use super::mounts::{Mounts, Router};
use super::{join, rooted};

static ROUTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(?:const|let|var)\s+(\w+)\s*=\s*(?:new\s+)?(?:express\.)?(Router|express)\s*\(")
});
static ROUTE: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(\w+)\s*\.\s*(?:get|head|all)\(\s*["'`](/[^"'`]*)["'`]"#));
static ROUTE_CHAIN: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"\b(\w+)\s*\.\s*route\(\s*["'`](/[^"'`]*)["'`]\s*\)\s*\.\s*(?:get|head|all)\("#)
});
static MOUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\b(\w+)\s*\.\s*use\(\s*["'`](/[^"'`]*)["'`]\s*,\s*((?:[\w$.]+(?:\([^()]*\))?\s*,\s*)*)([\w$.]+)\s*\)"#,
    )
});
static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"\b(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*["'](\.[^"']*)["']\s*\)"#)
});
static IMPORT: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\bimport\s+(\w+)\s+from\s+["'](\.[^"']*)["']"#));
static EXPORT_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:module\.exports\s*=|export\s+default)\s*(\w+)\s*;?\s*$|(?:module\.exports\s*=|export\s+default)\s*(\w+)\s*;",
    )
});
static EXPORT_REQUIRE: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"module\.exports\s*=\s*require\(\s*["'](\.[^"']*)["']\s*\)"#));
static PLAIN_HTTP: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\b(?:req|request)\.url\s*===?\s*["'`](/[^"'`?]*)["'`]|\bpathname\s*===?\s*["'`](/[^"'`?]*)["'`]"#,
    )
});
static NEST_CONTROLLER: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"@Controller\(\s*(?:\{[^}]*?path\s*:\s*)?["'`]([^"'`]*)["'`]"#));
static NEST_HANDLER: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"@(?:Get|Head|All)\(\s*(?:["'`]([^"'`]*)["'`])?\s*\)"#));

/// Receivers of `.get('/x')` that are HTTP clients or maps, not routers.
const NOT_ROUTERS: &[&str] = &[
    "axios",
    "http",
    "https",
    "got",
    "superagent",
    "client",
    "api",
    "fetch",
    "request",
    "cache",
    "map",
    "params",
    "searchParams",
    "headers",
    "redis",
    "store",
    "localStorage",
    "sessionStorage",
    "cookies",
    "config",
    "req",
    "res",
    "url",
    "ky",
    "instance",
    "$http",
];

/// The routes of a service's JavaScript and TypeScript files.
pub(super) fn routes(files: &[&ServiceFile]) -> Vec<Sourced<String>> {
    let mut mounts = Mounts::default();
    let mut routers: Vec<Router> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for caps in ROUTER.captures_iter(&file.text) {
            if let Some(name) = caps.get(1) {
                let router = (index, name.as_str().to_string());
                mounts.router(router.clone(), String::new());
                routers.push(router);
            }
        }
    }
    for (index, file) in files.iter().enumerate() {
        for caps in MOUNT.captures_iter(&file.text) {
            let (Some(parent), Some(prefix), Some(target)) =
                (caps.get(1), caps.get(2), caps.get(4))
            else {
                continue;
            };
            if let Some(child) = resolve(target.as_str(), index, files, &routers) {
                let parent = (index, parent.as_str().to_string());
                mounts.mount(child, parent, prefix.as_str().to_string(), false);
            }
        }
    }
    let mut found = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for re in [&*ROUTE, &*ROUTE_CHAIN] {
            for caps in re.captures_iter(&file.text) {
                let (Some(var), Some(path)) = (caps.get(1), caps.get(2)) else {
                    continue;
                };
                let router = (index, var.as_str().to_string());
                if NOT_ROUTERS.contains(&var.as_str()) && !routers.contains(&router) {
                    continue;
                }
                for prefix in mounts.prefixes(&router) {
                    found.push(file.sourced(join(&prefix, path.as_str()), path.start()));
                }
            }
        }
        found.extend(nest_routes(file));
        for caps in PLAIN_HTTP.captures_iter(&file.text) {
            if let Some(path) = caps.get(1).or_else(|| caps.get(2)) {
                found.push(file.sourced(path.as_str().to_string(), path.start()));
            }
        }
    }
    found
}

/// The router a mount names: a router of the same file, or the router a required file exports
/// (`module.exports = router`, `export default router`, `module.exports = { api: apiRouter }`
/// for `routes.api`), following `module.exports = require('./routes')`.
fn resolve(
    target: &str,
    file: usize,
    files: &[&ServiceFile],
    routers: &[Router],
) -> Option<Router> {
    let (name, property) = match target.split_once('.') {
        Some((name, property)) => (name, Some(property)),
        None => (target, None),
    };
    if property.is_none()
        && let Some(local) = routers.iter().find(|(i, n)| *i == file && n == name)
    {
        return Some(local.clone());
    }
    let text = &files[file].text;
    let path = REQUIRE
        .captures_iter(text)
        .chain(IMPORT.captures_iter(text))
        .find(|c| c.get(1).is_some_and(|m| m.as_str() == name))?
        .get(2)?
        .as_str()
        .to_string();
    let mut target_file = locate(&files[file].rel, &path, files)?;
    for _ in 0..3 {
        let Some(next) = EXPORT_REQUIRE
            .captures(&files[target_file].text)
            .and_then(|c| locate(&files[target_file].rel, c.get(1)?.as_str(), files))
        else {
            break;
        };
        target_file = next;
    }
    let text = &files[target_file].text;
    let var = match property {
        Some(property) => {
            let pattern = regex(&format!(
                r"(?:\b{p}\s*:\s*(\w+)|exports\.{p}\s*=\s*(\w+))",
                p = regex::escape(property)
            ));
            let caps = pattern.captures(text)?;
            caps.get(1).or(caps.get(2))?.as_str().to_string()
        }
        None => match EXPORT_DEFAULT.captures_iter(text).last() {
            Some(caps) => caps.get(1).or(caps.get(2))?.as_str().to_string(),
            None => {
                let own: Vec<&Router> = routers.iter().filter(|(i, _)| *i == target_file).collect();
                match own.as_slice() {
                    [only] => only.1.clone(),
                    _ => return None,
                }
            }
        },
    };
    routers
        .iter()
        .find(|(i, n)| *i == target_file && *n == var)
        .cloned()
}

/// The file a relative module path names from the file `from` (`./routes` may be
/// `routes.js`, `routes.ts` or `routes/index.js`).
fn locate(from: &str, path: &str, files: &[&ServiceFile]) -> Option<usize> {
    let base = from.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    let stem = joined
        .strip_suffix(".js")
        .or_else(|| joined.strip_suffix(".ts"))
        .unwrap_or(&joined);
    let candidates = ["", ".js", ".ts", ".mjs", ".cjs", "/index.js", "/index.ts"]
        .map(|suffix| format!("{stem}{suffix}"));
    candidates
        .iter()
        .find_map(|candidate| files.iter().position(|f| f.rel == *candidate))
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
            file.sourced(rooted(&join(prefix.as_str(), sub)), whole)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    fn paths(files: &[ServiceFile]) -> Vec<String> {
        super::super::shown(files, |refs, _| routes(refs))
    }

    #[test]
    fn plain_http_servers_compare_the_path() {
        let files = [file(
            "server.mjs",
            "createServer((req, res) => {\n  if (req.url === '/livez') return ok(res);\n  const { pathname } = new URL(req.url, base);\n  if (pathname == \"/readyz\") return ok(res);\n});\n",
        )];
        assert_eq!(
            paths(&files),
            ["/livez server.mjs:2", "/readyz server.mjs:4"]
        );
    }

    #[test]
    fn express_mounts_across_files() {
        let files = [
            file(
                "server/server.js",
                "const express = require(\"express\");\nconst routes = require(\"./routes\");\nconst app = express();\napp.use(\"/api/v2\", routes.api);\napp.use(\"/api\", routes.api);\napp.get(\"/:id\", go);\n",
            ),
            file(
                "server/routes/index.js",
                "module.exports = require(\"./routes\");\n",
            ),
            file(
                "server/routes/routes.js",
                "const health = require(\"./health.routes\");\nconst apiRouter = Router();\napiRouter.use(\"/health\", health);\nmodule.exports = {\n  api: apiRouter,\n};\n",
            ),
            file(
                "server/routes/health.routes.js",
                "const router = Router();\nrouter.get(\"/\", (_, res) => res.send(\"OK\"));\nmodule.exports = router;\n",
            ),
        ];
        assert_eq!(
            paths(&files),
            [
                "/:id server/server.js:6",
                "/api/health server/routes/health.routes.js:2",
                "/api/v2/health server/routes/health.routes.js:2"
            ]
        );
    }

    #[test]
    fn express_mounts_with_middleware_and_imports() {
        let files = [
            file(
                "src/app.ts",
                "import api from './api';\nconst app = express();\napp.use('/api', auth(), api);\n",
            ),
            file(
                "src/api.ts",
                "const r = express.Router();\nr.route('/ready').get(ready);\nexport default r;\n",
            ),
        ];
        assert_eq!(paths(&files), ["/api/ready src/api.ts:2"]);
    }
}
