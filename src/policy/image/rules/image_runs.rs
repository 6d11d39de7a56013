//! `AG-D103`: a container of the built image starts and is judged healthy.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an image whose container, started by `aigen verify` (or `aigen build --run`, the
    /// `--verify` of the generating commands, `aigen check --images`) as the Kubernetes manifests
    /// would start it, was not judged healthy: as its non-root user, with a read-only root
    /// filesystem and only the manifests' writable mounts, without network, with the ConfigMap's
    /// settings and throwaway values for its secrets. Healthy means the process stays up,
    /// something listens on the service's port, the image's `HEALTHCHECK` turns healthy and the
    /// liveness path answers below 400. The finding points at the `CMD` (or `ENTRYPOINT`) of the
    /// last stage and carries the end of the container's logs, redacted.
    ///
    /// ## Why is this bad?
    /// An image that builds but does not start — a start file that is not there, a module left in
    /// the build stage, a write to the read-only filesystem, a port that does not match — fails
    /// every pod that runs it, after the rollout began.
    ///
    /// ## Example
    /// `CMD ["node", "index.js"]` where the application starts from `src/server.js`:
    /// `Error: Cannot find module '/app/index.js'`, exit code 1.
    ///
    /// ## Use instead
    /// Start what the project starts (its `start` script, its entry module), copy into the last
    /// stage everything it reads at run time, write only below the mounts the manifests give it,
    /// and listen on the declared port.
    ///
    /// ## Options
    /// None. Reported only where an engine ran the image.
    pub(crate) const RULE = {
        code: "AG-D103",
        name: "image-runs",
        target: Image,
        severity: Error,
        summary: "a container of the image starts and is judged healthy",
        aliases: [],
        params: NoParams,
    };
}
