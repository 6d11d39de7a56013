//! `AG-D001`: images are built in more than one stage.

use serde::Deserialize;

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that the Dockerfile has at least two build stages: one that builds, one that
    /// runs.
    ///
    /// ## Why is this bad?
    /// A single-stage image ships its compilers, package caches, dev dependencies and source
    /// history. The Phase IV constitution requires multi-stage builds and caps image sizes
    /// (500 MB for the backend, 300 MB for the front ends) that single-stage images rarely meet.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci && npm run build
    /// CMD ["npm", "start"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:20-alpine AS build
    /// WORKDIR /app
    /// COPY package*.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
    ///
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY --from=build --chown=node:node /app/.next/standalone ./
    /// USER node
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Options
    /// - `min_stages` (integer, default 2): the fewest stages a Dockerfile may have.
    ///
    /// ## References
    /// No hadolint rule; the constitution's "multi-stage builds" clause.
    pub(crate) const RULE = {
        code: "AG-D001",
        name: "multi-stage-build",
        target: Dockerfile,
        severity: Error,
        summary: "images are built in at least two stages",
        aliases: [],
        params: Params,
    };
}

/// Parameters of `AG-D001`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub min_stages: usize,
}

impl Default for Params {
    fn default() -> Self {
        Self { min_stages: 2 }
    }
}

/// Counts the stages.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let min = checker.params::<Params>().min_stages;
    let count = checker.model.stages.len();
    if count == 0 || count >= min {
        return;
    }
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    let from = &checker.file.instructions[last.from];
    let range = from.keyword_range.start..last.image.range.end;
    let stages = if count == 1 {
        "one stage".to_string()
    } else {
        format!("{count} stages")
    };
    checker
        .report(range, format!("the image is built in {stages}; the constitution asks for at least {min}"))
        .help("build in a first stage (`FROM ... AS build`) and copy only what runs into a final stage");
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn a_single_stage_is_reported_at_its_from() {
        catches(
            "AG-D001",
            "# c\nFROM python:3.13-slim\nCMD [\"x\"]\n",
            &[(2, 1)],
        );
        passes(
            "AG-D001",
            "FROM python:3.13-slim AS build\nFROM python:3.13-slim\n",
        );
        passes("AG-D001", "");
    }
}
