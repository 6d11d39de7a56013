//! What a build and a run of an image come to: the reports shown, recorded and sent back to a
//! model, and the one-line summary a review shows beside a diff
//! (`builds: yes, 212 MB; healthy after 4 s`).

use serde::Serialize;

use super::{megabytes, seconds};
use std::time::Duration;

/// The step a build failed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FailedStep {
    /// 1-based step number, as the builder counts them.
    pub number: u32,
    /// Steps in all.
    pub total: u32,
    /// The instruction as the builder shows it (`COPY backend/requirements.txt ./`).
    pub instruction: String,
    /// The Dockerfile line it starts on, when it could be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// One build.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BuildReport {
    pub service: String,
    /// The Dockerfile built, relative to the project root.
    pub dockerfile: String,
    /// `staged` or `applied`: where the Dockerfile's text came from.
    pub source: String,
    /// The tag given to the image.
    pub tag: String,
    /// The builder used (`classic`) and why.
    pub builder: String,
    pub builder_reason: String,
    /// The ignore file applied to the context, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_file: Option<String>,
    pub context_files: usize,
    pub context_bytes: u64,
    pub built: bool,
    /// The image ID (the digest of its configuration, `sha256:…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// True when the image rests on a stand-in base image (its size is not the real one's).
    pub stand_in: bool,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<FailedStep>,
    /// The builder's error message (redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The last lines of the build log (redacted); for a failed build, the failing step's.
    pub log_tail: Vec<String>,
    /// True when `--timeout` cancelled the build.
    pub cancelled: bool,
    /// The partial image a cancelled build left, removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_image: Option<String>,
}

impl BuildReport {
    /// `yes, 212 MB (stand-in base)` or `no: step 5/9 COPY … failed`.
    pub(crate) fn summary(&self) -> String {
        if self.built {
            let size = self.size_bytes.map(megabytes).unwrap_or_default();
            let stand_in = if self.stand_in {
                " (on a stand-in base image)"
            } else {
                ""
            };
            format!("yes, {size}{stand_in}")
        } else if self.cancelled {
            format!(
                "no: cancelled after {}",
                seconds(Duration::from_millis(self.duration_ms))
            )
        } else if let Some(step) = &self.failed_step {
            format!(
                "no: step {}/{} `{}` failed",
                step.number, step.total, step.instruction
            )
        } else {
            format!(
                "no: {}",
                self.error.as_deref().unwrap_or("the build failed")
            )
        }
    }
}

/// A probe of a path from inside the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ProbeResult {
    /// `liveness` or `readiness`.
    pub probe: String,
    pub path: String,
    /// The HTTP status answered; `None` when nothing answered.
    pub status: Option<u16>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RunVerdict {
    /// Up, listening (when it has a port), healthy (when it has a HEALTHCHECK), its liveness path
    /// answering.
    Healthy,
    /// Up, but a check failed (HEALTHCHECK unhealthy, not listening, liveness failing).
    Unhealthy,
    /// The process ended.
    Exited,
    /// It could not be started.
    NotStarted,
}

impl RunVerdict {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::Exited => "exited",
            Self::NotStarted => "not started",
        }
    }
}

/// One run of an image.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RunReport {
    pub verdict: RunVerdict,
    /// `http`, `grpc` or `worker`: what was judged.
    pub kind: String,
    /// The user it ran as (`1000:1000`).
    pub user: String,
    /// From the start until it was judged healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthy_after_ms: Option<u64>,
    /// The HEALTHCHECK's last status, or `none` when the image declares none.
    pub healthcheck: String,
    /// Whether something listened on the declared port (`None`: no port to listen on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listening: Option<bool>,
    pub probes: Vec<ProbeResult>,
    /// How the checks were made (`exec python3 in the container`).
    pub probed_with: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// What failed, in words.
    pub problems: Vec<String>,
    /// Settings given a throwaway value (names only; the values are never shown or recorded).
    pub throwaway_secrets: Vec<String>,
    /// Writable mounts it got.
    pub writable: Vec<String>,
    /// The peers started beside it (`db: postgres:17, ready after 1.2 s`), one line a peer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<String>,
    /// The steps run before the server (init containers), in order; the server starts only
    /// when every one exits 0.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prestart: Vec<StepReport>,
    /// The end of its logs (redacted).
    pub logs: Vec<String>,
    pub duration_ms: u64,
}

/// One step run before the server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StepReport {
    /// Its command line (redacted).
    pub command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// What went wrong, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The end of its logs when it failed (redacted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
    pub duration_ms: u64,
}

impl RunReport {
    pub(crate) fn passed(&self) -> bool {
        self.verdict == RunVerdict::Healthy
    }

    /// `healthy after 4 s` or `exited with code 1`.
    pub(crate) fn summary(&self) -> String {
        match self.verdict {
            RunVerdict::Healthy => match self.healthy_after_ms {
                Some(ms) => format!("healthy after {}", seconds(Duration::from_millis(ms))),
                None => "healthy".to_string(),
            },
            RunVerdict::Exited => match self.exit_code {
                Some(code) => format!("exited with code {code}"),
                None => "exited".to_string(),
            },
            verdict => {
                let first = self.problems.first().map(String::as_str).unwrap_or("");
                if first.is_empty() {
                    verdict.as_str().to_string()
                } else {
                    format!("{}: {first}", verdict.as_str())
                }
            }
        }
    }

    /// [`Self::summary`] followed by every problem it does not already name, `; `-separated.
    pub(crate) fn details(&self) -> String {
        let summary = self.summary();
        let named_in_summary = usize::from(
            !matches!(self.verdict, RunVerdict::Healthy | RunVerdict::Exited)
                && self.problems.first().is_some_and(|p| !p.is_empty()),
        );
        self.problems
            .iter()
            .skip(named_in_summary)
            .fold(summary, |text, problem| format!("{text}; {problem}"))
    }
}

/// A build and, when asked and built, a run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ImageVerdict {
    pub build: BuildReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunReport>,
}

impl ImageVerdict {
    /// True when it built and, when it was run, the run passed.
    pub(crate) fn passed(&self) -> bool {
        self.build.built && self.run.as_ref().is_none_or(RunReport::passed)
    }

    /// `builds: yes, 212 MB; healthy after 4 s`.
    pub(crate) fn summary(&self) -> String {
        let mut text = format!("builds: {}", self.build.summary());
        if let Some(run) = &self.run {
            text.push_str("; ");
            text.push_str(&run.summary());
        }
        text
    }
}
