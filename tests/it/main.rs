//! The integration tests, in one binary: each module below was a test file of its own and still
//! covers one command or one part of the library; `support` holds what they share. One binary
//! links once and runs every test on the same pool of threads, so a test must not change
//! anything of the process it shares (environment, current directory, signal dispositions,
//! resource limits): the binary it runs gets its settings through `support::command`, and a
//! test that must signal itself runs alone in a child process (`support::alone`).
//!
//! Run one module with `cargo test --test it apply::`, one test with its full name.

mod support;

mod apply;
mod apply_pty;
mod ask;
mod build_engine;
mod builtin_dockerfile;
mod builtin_helm;
mod builtin_inputs;
mod builtin_invariant;
mod builtin_manifests;
mod check;
mod cluster;
mod cluster_live;
mod detect;
mod detect_env;
mod detect_patterns;
mod generate_builtin;
mod generate_interrupt;
mod generate_openai;
mod generated_chart;
mod history_cli;
mod history_concurrency;
mod history_crash;
mod init;
mod layers;
mod lint_cli;
mod lint_hooks;
mod lint_k8s;
mod lint_k8s_cli;
mod lint_k8s_helm;
mod lint_k8s_input;
mod lint_k8s_robustness;
mod lint_k8s_schema;
mod lint_k8s_versions;
mod lint_phase_iv;
mod lint_robustness;
mod lint_rules;
mod lint_snapshots;
mod mcp;
mod phr_format;
mod phr_tamper;
mod provider_ctrl_c;
mod provider_openai;
mod provider_tools;
mod redact_corpus;
mod secrets;
mod settings_cli;
