//! aigen generates container and Kubernetes infrastructure with AI, records every exchange as a
//! Prompt History Record, checks what it generates against a written constitution, and writes
//! only what a person approved.
//!
//! Start with [`cli`], which parses the command line and dispatches to one function per command.
//! The building blocks each have a module of their own:
//!
//! - [`config`] and [`settings`]: `aigen.toml` discovery and the merge of flags, environment and file;
//! - [`detect`]: the [`detect::Service`] model of a repository's services;
//! - [`derive`]: the constitution `aigen init` derives from those services;
//! - [`printer`]: all terminal output, honouring `--quiet`, `--verbose` and `--color`;
//! - [`error`]: typed errors and the documented exit codes;
//! - [`fsutil`]: atomic writes and other file-system care;
//! - [`line_index`], [`yaml_scalar`], [`finding_counts`]: byte offsets to lines and columns, how
//!   a string is written as YAML, and lint findings counted by severity, for every module above.
//!
//! Items are `pub(crate)` unless the binary or the integration tests use them, so the compiler
//! reports what nothing uses; the modules nothing outside needs are private, and
//! `unreachable_pub` keeps their items from claiming more than they have.
#![warn(unreachable_pub)]

pub mod apply;
pub mod assets;
pub mod cli;
pub mod config;
mod connection_string;
mod derive;
pub mod detect;
mod dockerfile_syntax;
pub mod engine;
mod env_vars;
mod error;
pub mod finding_counts;
mod fsutil;
pub mod generate;
pub mod hash;
mod image_reference;
mod line_index;
mod mcp;
pub mod phr;
pub mod policy;
pub mod printer;
mod project;
pub mod provider;
pub mod secrets;
pub mod settings;
pub mod staging;
mod version;
mod workload_kinds;
mod yaml_scalar;

pub use error::{Error, ExitStatus, Result};
