//! `AG-D003`: base images are pinned to a version.

use serde::Deserialize;

use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::Base;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every image a `FROM` pulls names a version: a tag other than `latest`, or a
    /// digest. With `require_digest`, a digest (`@sha256:...`) is required too. An image that
    /// depends on an `ARG` with no default is reported, since nothing pins it.
    ///
    /// ## Why is this bad?
    /// `latest` and a missing tag (which means `latest`) change under you: the same Dockerfile
    /// builds a different image next week, and a rollback does not roll back the base. The
    /// constitution asks for pinned dependencies.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// FROM node:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// FROM node:20-alpine@sha256:<digest>
    /// ```
    ///
    /// ## Options
    /// - `require_digest` (boolean, default false): also require a digest.
    ///
    /// ## References
    /// hadolint `DL3006` (untagged), `DL3007` (`latest`); checkov `CKV_DOCKER_7`; BuildKit
    /// `InvalidDefaultArgInFrom`.
    pub(crate) const RULE = {
        code: "AG-D003",
        name: "pinned-base-image",
        target: Dockerfile,
        severity: Error,
        summary: "base images name a version (a tag other than `latest`, or a digest)",
        aliases: [Hadolint("DL3006"), Hadolint("DL3007"), Checkov("CKV_DOCKER_7"), BuildKit("InvalidDefaultArgInFrom")],
        params: Params,
    };
}

/// Parameters of `AG-D003`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub require_digest: bool,
}

/// Checks the tag and digest of each external image.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let require_digest = checker.params::<Params>().require_digest;
    for stage in &checker.model.stages {
        let image = &stage.image;
        if image.base != Base::External {
            continue;
        }
        let range = image.range.clone();
        if image.unresolved {
            checker
                .report(range, format!("base image `{}` depends on an `ARG` without a default", image.text))
                .help("give the `ARG` a default before the first `FROM`, e.g. `ARG PYTHON_VERSION=3.13`");
            continue;
        }
        match (&image.tag, &image.digest) {
            (None, None) => {
                checker
                    .report(range, format!("base image `{}` has no tag", image.resolved))
                    .help("pin a release tag, e.g. `python:3.13-slim`");
            }
            (Some(tag), None) if tag == "latest" => {
                checker
                    .report(
                        range,
                        format!("base image `{}` uses the `latest` tag", image.resolved),
                    )
                    .help("pin a release tag instead of `latest`");
            }
            (_, None) if require_digest => {
                checker
                    .report(
                        range,
                        format!("base image `{}` is not pinned by digest", image.resolved),
                    )
                    .help("append the digest: `@sha256:<digest>`");
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, messages, passes};

    #[test]
    fn unpinned_images_are_reported() {
        catches(
            "AG-D003",
            "FROM python\nFROM node:latest AS b\nFROM b\n",
            &[(1, 6), (2, 6)],
        );
        catches("AG-D003", "ARG V\nFROM python:${V}\n", &[(2, 6)]);
        passes(
            "AG-D003",
            "ARG V=3.13\nFROM python:${V}-slim\nFROM ghcr.io/x/y@sha256:0\nFROM scratch\n",
        );
        assert_eq!(
            messages("AG-D003", "Dockerfile", "FROM node:latest\n"),
            vec!["base image `node:latest` uses the `latest` tag"]
        );
    }
}
