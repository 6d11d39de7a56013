//! The Dockerfile rules, one per file.
//!
//! Each file declares its rule with [`crate::policy::registry::declare_rule!`] (the doc comment
//! is what `aigen lint --explain` prints) and a `check` function that reads the
//! [`super::checker::Checker`] and reports. Add a rule by adding a file here and its line to
//! [`crate::policy::registry::RULES`]; the tests then insist on its documentation and fixtures.

pub(crate) mod absolute_workdir;
pub(crate) mod allowed_base_image;
pub(crate) mod apk_no_cache;
pub(crate) mod apt_get_not_apt;
pub(crate) mod apt_get_yes;
pub(crate) mod apt_lists_cleanup;
pub(crate) mod apt_no_install_recommends;
pub(crate) mod consecutive_run;
pub(crate) mod copy_chown;
pub(crate) mod copy_destination_directory;
pub(crate) mod copy_from_stage;
pub(crate) mod copy_instead_of_add;
pub(crate) mod copy_relative_without_workdir;
pub(crate) mod dockerignore;
pub(crate) mod exec_form;
pub(crate) mod expose_service_port;
pub(crate) mod healthcheck;
pub(crate) mod healthcheck_options;
pub(crate) mod lockfile_install;
pub(crate) mod maintainer_deprecated;
pub(crate) mod multi_stage;
pub(crate) mod no_cd_in_run;
pub(crate) mod no_localhost_url;
pub(crate) mod no_sudo;
pub(crate) mod non_root_user;
pub(crate) mod pinned_base_image;
pub(crate) mod pip_no_cache_dir;
pub(crate) mod pipefail;
pub(crate) mod repeated_instruction;
pub(crate) mod secret_file_copy;
pub(crate) mod secret_in_arg_env;
pub(crate) mod syntax;
pub(crate) mod unique_stage_names;
pub(crate) mod unknown_instruction;
pub(crate) mod user_exists;
