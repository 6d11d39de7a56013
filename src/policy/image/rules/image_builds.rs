//! `AG-D102`: the image of a service's Dockerfile builds.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a Dockerfile whose image did not build when `aigen build` (or the `--verify` of
    /// `aigen dockerfile` and `aigen generate`, or `aigen check --images`) built it through the
    /// Docker Engine, with the build context aigen plans: the project root filtered by the
    /// Dockerfile's own ignore file. The finding points at the step that failed and carries the
    /// end of its log.
    ///
    /// ## Why is this bad?
    /// A Dockerfile that does not build is no Dockerfile, however clean its lint: a `COPY` of a
    /// file the context does not hold, a dependency file not copied before the install, a build
    /// tool removed before it is needed all pass every linter and fail the first build.
    ///
    /// ## Example
    /// `COPY backend/requirements-prod.txt ./` when the file is `backend/requirements.txt`:
    /// `COPY failed: file not found in build context`.
    ///
    /// ## Use instead
    /// Copy what the context holds (and what its ignore file lets in), in the order the build
    /// needs it; the log excerpt of the finding says what the builder saw.
    ///
    /// ## Options
    /// None. Reported only where an engine built the image.
    pub(crate) const RULE = {
        code: "AG-D102",
        name: "image-builds",
        target: Image,
        severity: Error,
        summary: "the image of the Dockerfile builds",
        aliases: [],
        params: NoParams,
    };
}
