//! The rules of built images, one per file: `AG-D101` checks an image's size against the
//! constitution, `AG-D102` that it builds, `AG-D103` that it runs healthy. They are reported by `aigen build` (and `--verify`, `check --images`) once an
//! image exists; [`crate::policy::registry::RULES`] lists them.

pub(crate) mod image_builds;
pub(crate) mod image_runs;
pub(crate) mod image_size;
