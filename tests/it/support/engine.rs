//! What the tests that build and run images share: the engine they need (`AIGEN_TEST_DOCKER=1`
//! with `DOCKER_HOST` naming an engine that answers, as `.ci/run` sets them; they fail, never
//! skip, without one), the binary's command pointed at it, and a look for secrets in text.

use std::path::Path;

/// The `DOCKER_HOST` of the engine the tests use. Panics, saying how to start one, when the tests
/// were not told there is one or it does not answer.
pub fn host() -> String {
    let start = "start one with `bash .ci/engine.sh start && bash .ci/engine.sh images --list .ci/standins/test-images.txt && eval \"$(bash .ci/engine.sh env)\"` and run with AIGEN_TEST_DOCKER=1";
    assert_eq!(
        std::env::var("AIGEN_TEST_DOCKER").as_deref(),
        Ok("1"),
        "these tests build and run images on a real Docker Engine: {start}"
    );
    let host = std::env::var("DOCKER_HOST")
        .unwrap_or_else(|_| panic!("AIGEN_TEST_DOCKER=1 but DOCKER_HOST is not set: {start}"));
    if let Err(error) = aigen::engine::Engine::connect() {
        panic!("AIGEN_TEST_DOCKER=1 but no engine answers at {host}: {error}; {start}");
    }
    host
}

/// The binary in `dir`, pointed at the engine.
pub fn aigen_in(dir: &Path, host: &str) -> std::process::Command {
    let mut command = crate::support::command::aigen_command();
    command.current_dir(dir).env("DOCKER_HOST", host);
    command
}

/// Debian's docker client (or the one on `PATH`) pointed at the engine, for what the tests check
/// behind aigen's back.
pub fn docker(host: &str) -> std::process::Command {
    let client = std::env::var("AIGEN_DOCKER_CLI").unwrap_or_else(|_| "docker".to_string());
    let mut command = std::process::Command::new(client);
    command.env("DOCKER_HOST", host);
    command
}

/// Runs of 32 hexadecimal digits (what a throwaway secret value is made of) in `text`: an image
/// ID is 64 digits and a short one 12, so a run of exactly 32 is a leaked value.
pub fn hex_secrets(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|run| run.len() == 32)
        .map(str::to_string)
        .collect()
}
