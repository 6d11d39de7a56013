//! A test that must have its process to itself (it sends a signal to the process, for one) runs
//! in a child process: the test binary started again with a filter that selects only that test.
//! Every other test shares the process and its threads, so changing anything process-wide in
//! place would reach them.

use std::process::Command;

/// Set in the child to the full name of the test it runs.
const ALONE: &str = "AIGEN_TEST_ALONE";

/// Runs `body` as the test `name` of the module `module` (pass `module_path!()`): in a child
/// process running only this test, or, in that child, right here. The child's output is shown
/// when it fails; a filter that selects no test fails too, so a renamed test cannot pass by
/// running nothing.
#[track_caller]
pub fn in_own_process(module: &str, name: &str, body: impl FnOnce()) {
    let module = module.split_once("::").map_or("", |(_, rest)| rest);
    let full = format!("{module}::{name}");
    if std::env::var_os(ALONE).is_some_and(|value| value == full.as_str()) {
        body();
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([&full, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, &full)
        .output()
        .expect("start the test binary again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed;"),
        "{full} in a process of its own: {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
}
