//! `AG-D002`: base images come from the constitution's list.

use serde::Deserialize;

use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::Base;
use crate::policy::dockerfile::patterns::image_matches;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every image a `FROM` pulls matches the base images the constitution allows
    /// for the service: the service's own `base_images`, else its class's (`backend`:
    /// `python:3.13-slim`, `frontend`: `node:20-alpine` in the preset). For a file of no known
    /// service, any image the constitution lists is allowed.
    ///
    /// Patterns are image references; `*` matches any run of characters, a pattern without a
    /// tag matches every tag, and a digest in the image is ignored unless the pattern has one.
    /// Docker Hub prefixes (`docker.io/library/`) do not matter.
    ///
    /// ## Why is this bad?
    /// Base images decide the image's size, its patch cadence and what a scanner finds in it.
    /// A team that standardised on two images cannot keep them patched if each Dockerfile picks
    /// its own.
    ///
    /// ## Example
    /// ```dockerfile
    /// # docker/backend.Dockerfile
    /// FROM python:3.12-bookworm
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// ```
    ///
    /// ## Options
    /// - `extra` (list of patterns, default empty): images allowed for every service on top of
    ///   the constitution's lists (e.g. `gcr.io/distroless/*` for final stages).
    ///
    /// ## References
    /// hadolint `DL3026` (trusted registries) checks registries only; checkov `CKV_DOCKER_7`.
    pub(crate) const RULE = {
        code: "AG-D002",
        name: "allowed-base-image",
        target: Dockerfile,
        severity: Error,
        summary: "base images match the constitution's allowed images",
        aliases: [Hadolint("DL3026")],
        params: Params,
    };
}

/// Parameters of `AG-D002`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub extra: Vec<String>,
}

/// Checks each external image against the patterns.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let service = checker.cx.service;
    let mut allowed: Vec<&str> = checker.cx.constitution.base_images(service);
    if allowed.is_empty() {
        return;
    }
    allowed.extend(checker.params::<Params>().extra.iter().map(String::as_str));
    for stage in &checker.model.stages {
        let image = &stage.image;
        if image.base != Base::External || image.unresolved {
            continue;
        }
        let normalized = image.normalized();
        if allowed
            .iter()
            .any(|pattern| image_matches(pattern, &normalized))
        {
            continue;
        }
        let listed = allowed
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = match service {
            Some(name) => format!(
                "base image `{}` is not allowed for service `{name}`",
                image.resolved
            ),
            None => format!(
                "base image `{}` is not one of the constitution's base images",
                image.resolved
            ),
        };
        checker
            .report(image.range.clone(), message)
            .help(format!("use {listed}"));
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches_at, passes_at};

    #[test]
    fn images_outside_the_list_are_reported() {
        let src = "FROM python:3.12 AS build\nFROM build AS test\nFROM python:3.13-slim\n";
        catches_at("AG-D002", "docker/backend.Dockerfile", src, &[(1, 6)]);
        catches_at(
            "AG-D002",
            "docker/frontend-web.Dockerfile",
            "FROM python:3.13-slim\n",
            &[(1, 6)],
        );
        passes_at(
            "AG-D002",
            "docker/backend.Dockerfile",
            "FROM docker.io/library/python:3.13-slim@sha256:ab AS b\nFROM scratch\n",
        );
        passes_at("AG-D002", "Dockerfile", "FROM node:20-alpine\n");
        passes_at("AG-D002", "Dockerfile", "ARG V\nFROM python:$V\n");
    }
}
