//! The Dockerfile rules, one per file, and the table that lists them in code order.
//!
//! Each file declares its rule with [`crate::policy::registry::declare_rule!`] (the doc comment
//! is what `aigen lint --explain` prints) and a `check` function that reads the
//! [`Checker`] and reports. Add a rule by adding a file and a line to [`RULES`]; the registry
//! test then insists on its documentation and its fixtures.

use super::checker::Checker;
use crate::policy::registry::Rule;

pub mod absolute_workdir;
pub mod allowed_base_image;
pub mod apk_no_cache;
pub mod apt_get_not_apt;
pub mod apt_get_yes;
pub mod apt_lists_cleanup;
pub mod apt_no_install_recommends;
pub mod consecutive_run;
pub mod copy_chown;
pub mod copy_destination_directory;
pub mod copy_from_stage;
pub mod copy_instead_of_add;
pub mod copy_relative_without_workdir;
pub mod dockerignore;
pub mod exec_form;
pub mod expose_service_port;
pub mod healthcheck;
pub mod healthcheck_options;
pub mod lockfile_install;
pub mod maintainer_deprecated;
pub mod multi_stage;
pub mod no_cd_in_run;
pub mod no_localhost_url;
pub mod no_sudo;
pub mod non_root_user;
pub mod pinned_base_image;
pub mod pip_no_cache_dir;
pub mod pipefail;
pub mod repeated_instruction;
pub mod secret_file_copy;
pub mod secret_in_arg_env;
pub mod syntax;
pub mod unique_stage_names;
pub mod unknown_instruction;
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
    exec_form,
    secret_in_arg_env,
    secret_file_copy,
    copy_instead_of_add,
    absolute_workdir,
    apt_no_install_recommends,
    apt_lists_cleanup,
    apk_no_cache,
    pip_no_cache_dir,
    lockfile_install,
    apt_get_yes,
    apt_get_not_apt,
    no_sudo,
    dockerignore,
    copy_chown,
    copy_from_stage,
    unique_stage_names,
    no_cd_in_run,
    consecutive_run,
    pipefail,
    maintainer_deprecated,
    unknown_instruction,
    repeated_instruction,
    no_localhost_url,
    copy_destination_directory,
    copy_relative_without_workdir,
];
