//! Docker's ignore-file rules, as the Docker CLI applies them to a build context: patterns
//! anchored at the context root, `*` and `?` within one path segment, `**` across segments, `!`
//! bringing back what an earlier pattern left out, the last matching pattern deciding, and a
//! pattern that matches a directory matching everything below it.
//!
//! aigen sends the build context itself (see [`super::context`]), so the classic builder, which
//! reads no per-Dockerfile ignore file, and BuildKit, which does, are sent the same files.

use globset::{GlobBuilder, GlobMatcher};

/// One pattern of an ignore file.
#[derive(Debug, Clone)]
struct Pattern {
    /// The pattern as written, cleaned (`./`, leading and trailing `/` removed).
    text: String,
    matcher: GlobMatcher,
    /// `!pattern`: brings back what earlier patterns excluded.
    exception: bool,
}

/// The patterns of one ignore file (`X.Dockerfile.dockerignore` or `.dockerignore`).
#[derive(Debug, Clone, Default)]
pub(crate) struct IgnoreRules {
    patterns: Vec<Pattern>,
}

impl IgnoreRules {
    /// Reads the patterns of an ignore file's text. Comments and blank lines are skipped, and so
    /// is a pattern Docker could not use either (an unbalanced `[`).
    pub(crate) fn parse(text: &str) -> Self {
        let patterns = text
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    return None;
                }
                let (exception, body) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let text = clean(body);
                if text.is_empty() {
                    return None;
                }
                let matcher = GlobBuilder::new(&text)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .ok()?
                    .compile_matcher();
                Some(Pattern {
                    text,
                    matcher,
                    exception,
                })
            })
            .collect();
        Self { patterns }
    }

    /// True when the rules keep `path` (relative to the context root, `/`-separated) out of
    /// the context: the last pattern that matches it or one of its parent directories decides.
    pub(crate) fn excludes(&self, path: &str) -> bool {
        let parents: Vec<&str> = path
            .char_indices()
            .filter(|&(_, c)| c == '/')
            .map(|(i, _)| &path[..i])
            .collect();
        let mut excluded = false;
        for pattern in &self.patterns {
            // Only a pattern that could change the answer is looked at.
            if pattern.exception != excluded {
                continue;
            }
            let matched = pattern.matcher.is_match(path)
                || parents
                    .iter()
                    .any(|parent| pattern.matcher.is_match(parent));
            if matched {
                excluded = !pattern.exception;
            }
        }
        excluded
    }

    /// True when an excluded directory must still be walked, because an exception could bring
    /// back something below it.
    pub(crate) fn may_include_below(&self, dir: &str) -> bool {
        let depth = dir.split('/').count();
        self.patterns.iter().filter(|p| p.exception).any(|p| {
            let segments: Vec<&str> = p.text.split('/').collect();
            if segments.len() <= depth {
                // `!a/b` under an excluded `a/b/c` cannot bring anything back below it, but
                // `!**` patterns can.
                return p.text.contains("**");
            }
            dir.split('/').zip(&segments).all(|(name, segment)| {
                segment.contains("**")
                    || GlobBuilder::new(segment)
                        .literal_separator(true)
                        .backslash_escape(true)
                        .build()
                        .is_ok_and(|g| g.compile_matcher().is_match(name))
            })
        })
    }

    #[cfg(test)]
    /// True when there are no patterns.
    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// A pattern as Docker cleans it: no leading `./` or `/`, no trailing `/`, no `.` segments.
fn clean(pattern: &str) -> String {
    let segments: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_but_one_directory() {
        let rules =
            IgnoreRules::parse("# only the service\n*\n!backend\n**/__pycache__\n**/.env\n");
        assert!(!rules.excludes("backend"));
        assert!(!rules.excludes("backend/src/api/main.py"));
        assert!(rules.excludes("backend/src/__pycache__/main.pyc"));
        assert!(rules.excludes("backend/.env"));
        assert!(rules.excludes("frontend-web"));
        assert!(rules.excludes("frontend-web/package.json"));
        assert!(rules.excludes("README.md"));
        assert!(!rules.may_include_below("frontend-web"));
        let nested = IgnoreRules::parse("*\n!backend/src\n");
        assert!(nested.excludes("backend"));
        assert!(nested.may_include_below("backend"));
        assert!(!nested.excludes("backend/src/main.py"));
        assert!(nested.excludes("backend/setup.py"));
    }

    #[test]
    fn patterns_are_anchored_at_the_root() {
        let rules = IgnoreRules::parse("node_modules\n/dist/\n*.log\n");
        assert!(rules.excludes("node_modules/a/index.js"));
        assert!(!rules.excludes("web/node_modules/a/index.js"));
        assert!(rules.excludes("dist/app.js"));
        assert!(rules.excludes("debug.log"));
        assert!(!rules.excludes("logs/debug.log"));
    }

    #[test]
    fn double_star_crosses_directories_and_the_last_match_wins() {
        let rules = IgnoreRules::parse("**/*.md\n!docs/**/keep.md\n");
        assert!(rules.excludes("README.md"));
        assert!(rules.excludes("a/b/c.md"));
        assert!(!rules.excludes("docs/x/keep.md"));
        assert!(!rules.excludes("src/main.rs"));
    }

    #[test]
    fn nothing_is_excluded_without_patterns() {
        let rules = IgnoreRules::parse("\n# nothing\n");
        assert!(rules.is_empty());
        assert!(!rules.excludes("anything/at/all"));
    }
}
