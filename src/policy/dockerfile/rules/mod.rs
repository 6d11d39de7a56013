//! The Dockerfile rules, one per file.
//!
//! Each file declares its rule with [`crate::policy::registry::declare_rule!`] (the doc comment
//! is what `aigen lint --explain` prints) and a `check` function that reads the
//! [`super::checker::Checker`] and reports. Add a rule by adding a file here and its line to
//! [`crate::policy::registry::RULES`]; the tests then insist on its documentation and fixtures.

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
