//! The Dockerfile rules, one per file, and the table that lists them in code order.
//!
//! Each file declares its rule with [`crate::policy::registry::declare_rule!`] (the doc comment
//! is what `aigen lint --explain` prints) and a `check` function that reads the
//! [`Checker`] and reports. Add a rule by adding a file and a line to [`RULES`]; the registry
//! test then insists on its documentation and its fixtures.

use super::checker::Checker;
use crate::policy::registry::Rule;

pub mod allowed_base_image;
pub mod expose_service_port;
pub mod healthcheck;
pub mod healthcheck_options;
pub mod multi_stage;
pub mod non_root_user;
pub mod pinned_base_image;
pub mod syntax;
pub mod user_exists;

#[cfg(test)]
pub(crate) mod test_support;

/// A Dockerfile rule: its metadata and its check.
#[derive(Debug)]
pub struct DockerfileRule {
    pub rule: &'static Rule,
    pub check: fn(&mut Checker<'_>),
}

macro_rules! table {
    ($($module:ident),* $(,)?) => {
        /// Every Dockerfile rule, in code order.
        pub static RULES: &[DockerfileRule] = &[
            $(DockerfileRule { rule: &$module::RULE, check: $module::check }),*
        ];
    };
}

table![
    syntax,
    multi_stage,
    allowed_base_image,
    pinned_base_image,
    non_root_user,
    user_exists,
    healthcheck,
    healthcheck_options,
    expose_service_port,
];
