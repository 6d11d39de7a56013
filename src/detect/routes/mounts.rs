//! Routers mounted in routers: the graph of `include_router`, `register_blueprint`,
//! `app.use('/api', router)`, `r.Mount("/api", sub)` and the like, and the full prefix of every
//! router it gives, so that a route declared on a router reads as the path a client requests.

use std::collections::BTreeMap;

use super::join;

/// A router: the index of the file that declares it and its variable's name there.
pub(super) type Router = (usize, String);

/// How deep mounts are followed; real applications nest a few levels.
const MAX_DEPTH: usize = 8;

/// The mount graph.
#[derive(Debug, Default)]
pub(super) struct Mounts {
    /// A router's own prefix (`APIRouter(prefix="/utils")`, `Blueprint(url_prefix="/api")`).
    own: BTreeMap<Router, String>,
    /// `(child, parent, prefix, replaces_own)`: `parent` mounts `child` under `prefix`; when
    /// `replaces_own`, the mount's prefix stands instead of the child's own (Flask's
    /// `register_blueprint(bp, url_prefix=...)`).
    edges: Vec<(Router, Router, String, bool)>,
}

impl Mounts {
    /// Declares a router and its own prefix.
    pub(super) fn router(&mut self, router: Router, prefix: String) {
        self.own.insert(router, prefix);
    }

    /// `parent` mounts `child` under `prefix`.
    pub(super) fn mount(
        &mut self,
        child: Router,
        parent: Router,
        prefix: String,
        replaces_own: bool,
    ) {
        self.edges.push((child, parent, prefix, replaces_own));
    }

    /// Every full prefix of `router`: through each chain of mounts up to a router nothing mounts
    /// (an application). A router nothing mounts keeps its own prefix.
    pub(super) fn prefixes(&self, router: &Router) -> Vec<String> {
        let mut found = Vec::new();
        self.walk(router, "", 0, &mut Vec::new(), &mut found);
        found.sort();
        found.dedup();
        found
    }

    fn walk(
        &self,
        router: &Router,
        below: &str,
        depth: usize,
        seen: &mut Vec<Router>,
        found: &mut Vec<String>,
    ) {
        let own = self.own.get(router).map_or("", String::as_str);
        let parents: Vec<&(Router, Router, String, bool)> = self
            .edges
            .iter()
            .filter(|(child, ..)| child == router)
            .collect();
        if parents.is_empty() || depth >= MAX_DEPTH || seen.contains(router) {
            found.push(join(own, below));
            return;
        }
        seen.push(router.clone());
        for (_, parent, prefix, replaces_own) in parents {
            let here = if *replaces_own {
                join(prefix, below)
            } else {
                join(prefix, &join(own, below))
            };
            self.walk(parent, &here, depth + 1, seen, found);
        }
        seen.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(file: usize, name: &str) -> Router {
        (file, name.to_string())
    }

    #[test]
    fn prefixes_follow_every_chain() {
        let mut mounts = Mounts::default();
        mounts.router(r(0, "app"), String::new());
        mounts.router(r(1, "api"), String::new());
        mounts.router(r(2, "router"), "/utils".into());
        mounts.mount(r(2, "router"), r(1, "api"), String::new(), false);
        mounts.mount(r(1, "api"), r(0, "app"), "/api/v1".into(), false);
        mounts.mount(r(1, "api"), r(0, "app"), "/api/v2".into(), false);
        assert_eq!(
            mounts.prefixes(&r(2, "router")),
            ["/api/v1/utils", "/api/v2/utils"]
        );
        assert_eq!(mounts.prefixes(&r(3, "alone")), ["/"]);
    }

    #[test]
    fn cycles_end() {
        let mut mounts = Mounts::default();
        mounts.mount(r(0, "a"), r(0, "b"), "/x".into(), false);
        mounts.mount(r(0, "b"), r(0, "a"), "/y".into(), false);
        assert!(!mounts.prefixes(&r(0, "a")).is_empty());
    }
}
