//! Errors and the exit codes they map to.
//!
//! Library code returns [`Error`]; the binary prints it (with its hint, if any) and exits with the
//! code [`Error::exit_status`] gives. The codes are part of aigen's interface and documented in
//! `--help` and the README:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | findings, or a verification failed |
//! | 2 | usage or input error |
//! | 3 | an external dependency failed (LLM, tool, cluster) |

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A specialised `Result` for aigen.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a command ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything went as asked.
    Success = 0,
    /// The command ran, and found problems (lint findings, a failed verification).
    Failure = 1,
    /// The command could not run: bad arguments, unreadable or malformed input.
    Error = 2,
    /// Something outside aigen failed: an LLM, an external tool, a cluster.
    External = 3,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// A place in a file: a path, and where known a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    /// A whole file, no line known.
    pub(crate) fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// A line and column in a file (both 1-based).
    pub(crate) fn at(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Self {
            path: path.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can stop an aigen command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something that cannot be done as asked.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// A file or directory could not be read or written.
    #[error("failed to {action} `{}`: {error}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        error: io::Error,
    },
    /// Input is malformed, at a known place.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },
    /// A program, server or cluster aigen depends on failed.
    #[error("{what}: {message}")]
    External {
        what: String,
        message: String,
        hint: Option<String>,
    },
    /// A command was interrupted by the user (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// A usage error with a message.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::Usage {
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error with a message and a hint on what to do instead.
    pub(crate) fn usage_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// An I/O error on a path; `action` reads as "failed to {action} `path`".
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>, error: io::Error) -> Self {
        Self::Io {
            action,
            path: path.as_ref().to_path_buf(),
            error,
        }
    }

    /// Malformed input at a location.
    pub(crate) fn input(location: Location, message: impl Into<String>) -> Self {
        Self::Input {
            location,
            message: message.into(),
        }
    }

    /// An external dependency failed.
    pub(crate) fn external(what: impl Into<String>, message: impl Into<String>) -> Self {
        Self::External {
            what: what.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// An external dependency failed, with a hint on how to fix or work around it.
    pub(crate) fn external_with_hint(
        what: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::External {
            what: what.into(),
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// The exit status this error ends the process with.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::External { .. } => ExitStatus::External,
            Self::Interrupted => ExitStatus::External,
            Self::Usage { .. } | Self::Io { .. } | Self::Input { .. } => ExitStatus::Error,
        }
    }

    /// What the user could do about it, when aigen knows.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::Usage { hint, .. } | Self::External { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// True when the error is a closed pipe on output (`aigen ... | head`), which is not a failure.
    pub(crate) fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Io { error, .. } if error.kind() == io::ErrorKind::BrokenPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_shows_what_is_known() {
        assert_eq!(Location::file("a.toml").to_string(), "a.toml");
        assert_eq!(Location::at("a.toml", 3, 7).to_string(), "a.toml:3:7");
    }

    #[test]
    fn exit_codes_follow_the_documented_table() {
        assert_eq!(Error::usage("x").exit_status() as u8, 2);
        assert_eq!(Error::external("llm", "down").exit_status() as u8, 3);
        let io = Error::io("read", "f", io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(io.exit_status() as u8, 2);
        assert_eq!(
            io.to_string(),
            "failed to read `f`: entity not found".to_string()
        );
    }
}
