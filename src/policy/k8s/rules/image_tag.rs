//! `AG-K014`: container images are pinned to a version.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that the `image` of every container and init container names a tag other than
    /// `latest`, or a digest (`@sha256:...`). With `require_digest`, a digest is required.
    ///
    /// ## Why is this bad?
    /// An image without a tag is `:latest`, which moves: two pods of the same Deployment may run
    /// different code, a rollback rolls back nothing, and what was reviewed is not what runs.
    ///
    /// ## Example
    /// ```yaml
    /// image: todo/backend:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: todo/backend:1.4.2
    /// ```
    ///
    /// ## Options
    /// - `require_digest`: require `@sha256:` digests (default `false`).
    ///
    /// ## References
    /// kube-linter `latest-tag`, checkov `CKV_K8S_14` (and `CKV_K8S_43` for digests), Polaris
    /// `tagNotSpecified`, kube-score `container-image-tag`.
    pub(crate) const RULE = {
        code: "AG-K014",
        name: "pinned-image-tag",
        target: Kubernetes,
        severity: Error,
        summary: "images are pinned to a tag other than `latest` or a digest",
        aliases: [
            KubeLinter("latest-tag"),
            Checkov("CKV_K8S_14"),
            Polaris("tagNotSpecified"),
            KubeScore("container-image-tag"),
        ],
        params: Params,
    };
}

/// Parameters of `AG-K014`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    #[serde(default)]
    require_digest: bool,
}

/// The tag and digest of an image reference (`registry:5000/a/b:tag@sha256:...`).
pub(crate) fn tag_and_digest(image: &str) -> (Option<&str>, Option<&str>) {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.split_once(':').map(|(_, tag)| tag);
    (tag, digest)
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    let params: Params = cx.params(&RULE, item);
    for container in spec.containers() {
        let Some(image_node) = container.image().filter(|n| n.as_str().is_some()) else {
            cx.report(
                &RULE,
                item,
                container.anchor(),
                format!("container `{}` has no `image`", container.name),
            )
            .help("set `image` to a pinned reference such as `name:1.2.3`");
            continue;
        };
        let image = image_node.as_str().unwrap_or_default();
        let (tag, digest) = tag_and_digest(image);
        let problem = match (tag, digest) {
            (_, None) if params.require_digest => {
                Some(format!("image `{image}` is not pinned by digest"))
            }
            (_, Some(_)) => None,
            (None | Some(""), None) => {
                Some(format!("image `{image}` has no tag, so it pulls `latest`"))
            }
            (Some(tag), None) if tag.eq_ignore_ascii_case("latest") => {
                Some(format!("image `{image}` uses the moving tag `latest`"))
            }
            _ => None,
        };
        if let Some(message) = problem {
            cx.report(&RULE, item, image_node, message)
                .help(if params.require_digest {
                    "pin the image as `name@sha256:<digest>`"
                } else {
                    "pin the image to a release tag such as `name:1.2.3`"
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tag_and_digest;

    #[test]
    fn references_split_into_tag_and_digest() {
        assert_eq!(tag_and_digest("nginx"), (None, None));
        assert_eq!(tag_and_digest("nginx:1.27"), (Some("1.27"), None));
        assert_eq!(tag_and_digest("registry:5000/team/app"), (None, None));
        assert_eq!(
            tag_and_digest("registry:5000/team/app:v2"),
            (Some("v2"), None)
        );
        assert_eq!(tag_and_digest("app@sha256:abc"), (None, Some("sha256:abc")));
    }
}
