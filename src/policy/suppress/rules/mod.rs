//! The rules about suppressions themselves, one per file: a suppression without a reason
//! (`AG-S001`), one that silenced nothing (`AG-S002`) and one naming an unknown code (`AG-S003`).
//! [`super::apply`] reports them.

pub(crate) mod suppression_reason;
pub(crate) mod unknown_suppressed_rule;
pub(crate) mod unused_suppression;
