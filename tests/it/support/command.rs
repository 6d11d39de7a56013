//! The `aigen` binary as every test runs it: [`aigen_command`] (a clean environment), then
//! [`run_in`] and [`Run`] (what a run did).

use std::path::Path;
use std::process::Output;

/// What a run of the binary inherits from the test process: the programs it may start (`PATH`),
/// where temporary files go, and what makes a failure readable or a coverage run count.
const INHERITED: &[&str] = &[
    "PATH",
    "TMPDIR",
    "RUST_BACKTRACE",
    "RUST_LIB_BACKTRACE",
    "LLVM_PROFILE_FILE",
];

/// The `aigen` binary with a clean environment: nothing of the caller's but [`INHERITED`], so
/// none of aigen's own variables, OpenAI's, the kubeconfig, the editor, Spec-Kit's feature,
/// Docker's host, or a secret of whoever runs the tests changes what it does or what it redacts;
/// `HOME` is an empty directory of the build's and git's system configuration is off (no
/// `~/.kube/config`, no git identity), and colour is off. Every test that runs the binary starts
/// from here and adds what it is about.
pub fn aigen_command() -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut command = std::process::Command::cargo_bin("aigen").unwrap();
    command.env_clear();
    for name in INHERITED {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
    std::fs::create_dir_all(&home).unwrap();
    command.env("HOME", home);
    command.env("GIT_CONFIG_NOSYSTEM", "1");
    command.env("NO_COLOR", "1");
    command
}

/// `aigen -C <dir>` with `args`, from [`aigen_command`], run to the end.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut command = aigen_command();
    command.arg("-C").arg(dir).args(args);
    Run::of(&mut command)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` to the end.
    pub fn of(command: &mut std::process::Command) -> Self {
        Self::from(command.output().expect("run aigen"))
    }

    /// Panics, showing the output, unless the run exited with `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit {} instead of {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
