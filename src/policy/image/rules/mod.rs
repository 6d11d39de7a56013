//! The rules of built images, one per file: `AG-D101` checks an image's size against the
//! constitution. They are reported by `aigen build` (and `--verify`, `check --images`) once an
//! image exists; [`crate::policy::registry::RULES`] lists them.

pub(crate) mod image_size;
