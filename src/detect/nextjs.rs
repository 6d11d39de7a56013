//! What matters about a Next.js app beyond its `package.json`: whether `next.config` asks for a
//! standalone build, its `basePath`, and the routes its files
//! declare (`app/health/route.ts` serves `/health`, `pages/api/health.ts` serves `/api/health`).

use std::sync::LazyLock;

use regex::Regex;

use super::model::{Origin, Sourced};
use super::regex;
use super::routes;
use super::source::{ServiceFile, has_extension};

/// The config files Next.js reads, in the order it looks for them.
const CONFIG_FILES: &[&str] = &[
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "next.config.cjs",
    "next.config.mts",
];

static STANDALONE: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\boutput\s*:\s*["'`]standalone["'`]"#));
static BASE_PATH: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\bbasePath\s*:\s*["'`](/[^"'`]*)["'`]"#));
static ROUTE_HANDLER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?m)^export\s+(?:async\s+function\s+|function\s+|const\s+)(?:GET|HEAD)\b")
});
static DEFAULT_EXPORT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^export\s+default\b"));

/// The app's `next.config`, when it has one among `sources`.
pub(super) fn config(sources: &[ServiceFile]) -> Option<&ServiceFile> {
    CONFIG_FILES
        .iter()
        .find_map(|name| sources.iter().find(|f| f.rel == *name))
}

/// Whether the config is TypeScript (`next.config.ts`, `next.config.mts`).
pub(super) fn is_typescript(config: &ServiceFile) -> bool {
    config.rel.ends_with(".ts") || config.rel.ends_with(".mts")
}

/// Whether `output: 'standalone'` is set, and where.
pub(super) fn standalone(config: Option<&ServiceFile>) -> Option<Origin> {
    let config = config?;
    let found = config.find(&STANDALONE)?.get(0)?;
    Some(config.origin(found.start()))
}

/// The routes the app's files declare, under its `basePath`.
pub(super) fn file_routes(sources: &[ServiceFile]) -> Vec<Sourced<String>> {
    let base = config(sources)
        .and_then(|c| c.find(&BASE_PATH))
        .and_then(|caps| caps.get(1))
        .map_or(String::new(), |m| m.as_str().to_string());
    sources
        .iter()
        .filter_map(|file| {
            let (path, handler) = route_of(&file.rel)?;
            let offset = file
                .find(handler)
                .and_then(|c| c.get(0))
                .map_or(0, |m| m.start());
            Some(file.sourced(routes::join(&base, &path), offset))
        })
        .collect()
}

/// The URL path a file serves, and the pattern of its handler: app-router `route.ts` files and
/// `pages/api` files. Route groups (`(ops)`) add nothing to the path; dynamic, private and
/// parallel segments are left out.
fn route_of(rel: &str) -> Option<(String, &'static Regex)> {
    let rel = rel.strip_prefix("src/").unwrap_or(rel);
    if !has_extension(rel, &["ts", "js", "tsx", "jsx", "mjs", "mts"]) {
        return None;
    }
    let (stem, _) = rel.rsplit_once('.')?;
    let mut segments: Vec<&str> = stem.split('/').collect();
    let handler: &'static Regex = match segments.first() {
        Some(&"app") if segments.last() == Some(&"route") => {
            segments.remove(0);
            segments.pop();
            &ROUTE_HANDLER
        }
        Some(&"pages") if segments.get(1) == Some(&"api") => {
            segments.remove(0);
            if segments.last() == Some(&"index") {
                segments.pop();
            }
            &DEFAULT_EXPORT
        }
        _ => return None,
    };
    let mut path = Vec::new();
    for segment in segments {
        if segment.starts_with('(') && segment.ends_with(')') {
            continue;
        }
        if segment.starts_with(['[', '_', '@']) {
            return None;
        }
        path.push(segment);
    }
    Some((routes::rooted(&path.join("/")), handler))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_routes_map_to_paths() {
        let path = |rel: &str| route_of(rel).map(|(p, _)| p);
        assert_eq!(path("app/health/route.ts").as_deref(), Some("/health"));
        assert_eq!(
            path("src/app/api/health/route.js").as_deref(),
            Some("/api/health")
        );
        assert_eq!(path("app/(ops)/ready/route.ts").as_deref(), Some("/ready"));
        assert_eq!(path("pages/api/health.ts").as_deref(), Some("/api/health"));
        assert_eq!(
            path("pages/api/ready/index.js").as_deref(),
            Some("/api/ready")
        );
        assert_eq!(path("app/users/[id]/route.ts"), None);
        assert_eq!(path("app/health/page.tsx"), None);
        assert_eq!(path("pages/index.tsx"), None);
    }
}
