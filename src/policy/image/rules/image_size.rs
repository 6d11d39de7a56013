//! `AG-D101`: a built image is no larger than its class's `image_size_max`.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an image, built from a service's Dockerfile by `aigen build`, whose size is above
    /// the `image_size_max` of the service's class in the constitution (`classes.<class>.
    /// image_size_max`, e.g. `500MB`). The finding points at the `FROM` of the Dockerfile's last
    /// stage, the image the service runs. Sizes are counted as Docker shows them (1 MB = 10^6
    /// bytes); an image built on one of aigen's CI stand-in base images says so, since its size
    /// is not the official base image's.
    ///
    /// ## Why is this bad?
    /// Every node pulls the image before a pod starts: a large image slows rollouts, scaling
    /// and recovery, costs registry storage, and usually carries build tools and caches that
    /// widen what an attacker can use.
    ///
    /// ## Example
    /// A Next.js front end whose runtime stage copies the whole build directory,
    /// `node_modules` with its development dependencies included: 486 MB against a 300 MB
    /// limit.
    ///
    /// ## Use instead
    /// A multi-stage build whose runtime stage copies only what runs: Next.js's standalone
    /// output, a virtual environment without build tools, a static binary on a distroless or
    /// slim base; production dependencies only (`npm prune --omit=dev`); caches removed in the
    /// layer that made them.
    ///
    /// ## Options
    /// None of its own: the limit is `image_size_max` of the service's class. A class without
    /// one has no limit.
    pub(crate) const RULE = {
        code: "AG-D101",
        name: "image-size",
        target: Image,
        severity: Error,
        summary: "a built image is no larger than its class's `image_size_max`",
        aliases: [],
        params: NoParams,
    };
}
