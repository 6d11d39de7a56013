//! The `aigen` binary: parse the command line, run the command, turn the outcome into an exit code.
//!
//! Everything of substance lives in the library (`aigen::cli::run` is the place to start reading).

use std::process::ExitCode;

fn main() -> ExitCode {
    aigen::cli::main()
}
