//! Routes of FastAPI and Flask code, with their routers' prefixes: `APIRouter(prefix=...)`
//! included with `include_router(router, prefix=...)`, Flask blueprints with their `url_prefix`
//! registered with `register_blueprint(bp, url_prefix=...)`. A prefix written as a setting
//! (`settings.API_V1_STR`) is read where the setting gets its value.

use std::sync::LazyLock;

use regex::Regex;

use super::super::model::Sourced;
use super::super::regex;
use super::super::source::ServiceFile;
use super::join;
use super::mounts::{Mounts, Router};

static ROUTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?m)^\s*(\w+)\s*(?::\s*[\w.\[\]]+\s*)?=\s*(?:\w+\.)?(APIRouter|Blueprint|FastAPI|Flask)\(",
    )
});
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(\w+)\.(?:get|head|api_route|route|add_api_route)\(\s*(?:path\s*=\s*)?f?["'](/[^"']*)["']"#,
    )
});
static INCLUDE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(\w+)\.(include_router|register_blueprint)\(\s*([\w.]+)"));
static PREFIX_ARG: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(?:url_)?prefix\s*=\s*(f?["'][^"']*["']|[\w.]+)"#));

/// The routes of a service's Python files, each under every prefix its router is mounted at.
pub(super) fn routes(files: &[&ServiceFile], all: &[ServiceFile]) -> Vec<Sourced<String>> {
    let mut mounts = Mounts::default();
    let mut routers: Vec<(Router, &str)> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for caps in ROUTER.captures_iter(&file.text) {
            let (Some(name), Some(kind), Some(whole)) = (caps.get(1), caps.get(2), caps.get(0))
            else {
                continue;
            };
            let args = call_args(&file.text, whole.end());
            let own = PREFIX_ARG
                .captures(args)
                .and_then(|c| prefix_value(c.get(1)?.as_str(), all))
                .unwrap_or_default();
            let router = (index, name.as_str().to_string());
            mounts.router(router.clone(), own);
            routers.push((router, kind.as_str()));
        }
    }
    for (index, file) in files.iter().enumerate() {
        for caps in INCLUDE.captures_iter(&file.text) {
            let (Some(parent), Some(call), Some(child), Some(whole)) =
                (caps.get(1), caps.get(2), caps.get(3), caps.get(0))
            else {
                continue;
            };
            let Some(child) = resolve(child.as_str(), index, files, &routers) else {
                continue;
            };
            let args = call_args(&file.text, whole.end());
            let prefix = PREFIX_ARG
                .captures(args)
                .and_then(|c| prefix_value(c.get(1)?.as_str(), all));
            let flask = call.as_str() == "register_blueprint";
            let parent = (index, parent.as_str().to_string());
            match prefix {
                Some(prefix) => mounts.mount(child, parent, prefix, flask),
                None => mounts.mount(child, parent, String::new(), false),
            }
        }
    }
    let mut found = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for caps in ROUTE.captures_iter(&file.text) {
            let (Some(var), Some(path)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            let router = (index, var.as_str().to_string());
            for prefix in mounts.prefixes(&router) {
                found.push(file.sourced(join(&prefix, path.as_str()), path.start()));
            }
        }
    }
    found
}

/// The text of a call's arguments, from after its `(` to the matching `)`.
fn call_args(text: &str, open: usize) -> &str {
    let mut depth = 1;
    for (offset, c) in text[open..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open..open + offset];
                }
            }
            _ => {}
        }
    }
    &text[open..]
}

/// A prefix argument's value: a string literal, or a setting (`settings.API_V1_STR`) whose
/// value is a literal where it is defined.
fn prefix_value(expression: &str, files: &[ServiceFile]) -> Option<String> {
    let expression = expression.trim();
    let unprefixed = expression
        .strip_prefix('f')
        .filter(|rest| rest.starts_with(['"', '\'']))
        .unwrap_or(expression);
    if let Some(quote) = unprefixed
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))
    {
        let value = unprefixed.trim_matches(quote);
        return (!value.contains('{')).then(|| value.to_string());
    }
    let name = expression.rsplit('.').next()?;
    let definition = regex(&format!(
        r#"(?m)^\s*{}\s*(?::[^=\n]+)?=\s*["']([^"']*)["']"#,
        regex::escape(name)
    ));
    files.iter().find_map(|file| {
        Some(
            definition
                .captures(&file.text)?
                .get(1)?
                .as_str()
                .to_string(),
        )
    })
}

/// The router an `include_router` argument names: a router of the same file, `module.router`
/// (a file whose name is the module's), or a router of that name in another file.
fn resolve(
    expression: &str,
    file: usize,
    files: &[&ServiceFile],
    routers: &[(Router, &str)],
) -> Option<Router> {
    let (module, name) = match expression.rsplit_once('.') {
        Some((module, name)) => (Some(module.rsplit('.').next().unwrap_or(module)), name),
        None => (None, expression),
    };
    let named = |router: &&(Router, &str)| router.0.1 == name;
    if module.is_none()
        && let Some(((index, var), _)) = routers.iter().find(|r| named(r) && r.0.0 == file)
    {
        return Some((*index, var.clone()));
    }
    let in_module = |index: usize| {
        module.is_none_or(|module| {
            let rel = &files[index].rel;
            let stem = rel.trim_end_matches(".py");
            stem.rsplit('/').next() == Some(module)
                || stem
                    .strip_suffix("/__init__")
                    .and_then(|s| s.rsplit('/').next())
                    == Some(module)
        })
    };
    routers
        .iter()
        .filter(named)
        .find(|r| in_module(r.0.0))
        .map(|r| r.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    fn paths(files: &[ServiceFile]) -> Vec<String> {
        super::super::shown(files, routes)
    }

    #[test]
    fn fastapi_prefixes_add_up() {
        let files = [
            file(
                "app/core/config.py",
                "class Settings(BaseSettings):\n    API_V1_STR: str = \"/api/v1\"\n",
            ),
            file(
                "app/main.py",
                "app = FastAPI()\napp.include_router(api_router, prefix=settings.API_V1_STR)\n",
            ),
            file(
                "app/api/main.py",
                "api_router = APIRouter()\napi_router.include_router(utils.router)\n",
            ),
            file(
                "app/api/routes/utils.py",
                "router = APIRouter(prefix=\"/utils\", tags=[\"utils\"])\n\n@router.get(\"/health-check/\")\nasync def health(): ...\n",
            ),
        ];
        assert_eq!(
            paths(&files),
            ["/api/v1/utils/health-check/ app/api/routes/utils.py:3"]
        );
    }

    #[test]
    fn flask_blueprints_take_the_registered_prefix() {
        let files = [
            file(
                "app/__init__.py",
                "def create_app():\n    app = Flask(__name__)\n    app.register_blueprint(api_bp, url_prefix='/api')\n    app.register_blueprint(main_bp)\n",
            ),
            file(
                "app/api.py",
                "api_bp = Blueprint('api', __name__, url_prefix='/ignored')\n@api_bp.route('/health')\ndef h(): ...\n",
            ),
            file(
                "app/main.py",
                "main_bp = Blueprint('main', __name__, url_prefix='/site')\n@main_bp.get('/ready')\ndef r(): ...\n",
            ),
        ];
        assert_eq!(
            paths(&files),
            ["/api/health app/api.py:2", "/site/ready app/main.py:2"]
        );
    }
}
