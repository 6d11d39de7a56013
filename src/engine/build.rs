//! Building an image: the context aigen planned ([`super::context`]) sent to the engine, the
//! builder's progress followed step by step, and a [`BuildReport`]: the image's ID and size, or
//! the step that failed with the tail of its log. A build that outlives its timeout is cancelled
//! and the image it had got to removed.
//!
//! The builder is the classic one (the Engine API's builder version 1), which every engine
//! speaking the Docker API has, Podman's included: it ignores the `# syntax=` line aigen writes
//! (that line makes BuildKit pull its frontend image from a registry, which fails on an engine
//! that cannot pull), and the per-Dockerfile ignore file, which aigen applies itself while packing
//! the context, BuildKit's way. The report names the builder and why.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::context::{ContextPlan, pack};
use super::verdict::{BuildReport, FailedStep};
use super::{Engine, SERVICE_LABEL, STAND_IN_LABEL, engine_error};
use crate::error::Result;
use crate::policy::dockerfile::parser;
use crate::secrets::Redactor;

/// Lines of a log kept for the report.
const TAIL: usize = 30;

/// One image to build.
pub(crate) struct BuildRequest<'a> {
    pub service: &'a str,
    pub plan: &'a ContextPlan,
    /// `staged` or `applied`.
    pub source: &'a str,
    pub tag: &'a str,
    /// Cancel the build after this long.
    pub timeout: Duration,
    /// Build every step afresh instead of reusing cached layers.
    pub no_cache: bool,
    /// Masks secrets in everything the engine sends back.
    pub redactor: &'a Redactor,
    /// Called with each step as the builder starts it (`Step 3/9 : COPY …`).
    pub progress: &'a dyn Fn(&str),
}

/// Builds one image. An engine that stops answering is an error (exit 3); a build that fails is
/// a report with `built: false`.
pub(crate) fn build_image(engine: &Engine, request: &BuildRequest<'_>) -> Result<BuildReport> {
    let plan = request.plan;
    let context = pack(plan)?;
    let parsed = parser::parse(&plan.dockerfile_text);
    let syntax = parsed
        .directives
        .iter()
        .find(|d| d.name == "syntax")
        .map(|d| d.value.clone());
    let builder_reason = match &syntax {
        Some(frontend) => format!(
            "the classic builder ignores the `# syntax={frontend}` line, which would make BuildKit pull its frontend image; the context is filtered by aigen as BuildKit would"
        ),
        None => "the classic builder, which every Docker-compatible engine has; the context is filtered by aigen as BuildKit would".to_string(),
    };
    let mut report = BuildReport {
        service: request.service.to_string(),
        dockerfile: plan.dockerfile.clone(),
        source: request.source.to_string(),
        tag: request.tag.to_string(),
        builder: "classic".to_string(),
        builder_reason,
        ignore_file: plan.ignore.as_ref().map(|(path, _)| path.clone()),
        context_files: context.files,
        context_bytes: context.bytes,
        built: false,
        image_id: None,
        size_bytes: None,
        stand_in: false,
        duration_ms: 0,
        failed_step: None,
        error: None,
        log_tail: Vec::new(),
        cancelled: false,
        removed_image: None,
    };
    let options = bollard::query_parameters::BuildImageOptions {
        dockerfile: plan.dockerfile.clone(),
        t: Some(request.tag.to_string()),
        rm: true,
        forcerm: true,
        nocache: request.no_cache,
        networkmode: engine.build_network.clone(),
        labels: Some(HashMap::from([(
            SERVICE_LABEL.to_string(),
            request.service.to_string(),
        )])),
        ..Default::default()
    };
    let started = Instant::now();
    let mut log = Log::default();
    let outcome = engine.block_on(async {
        let docker = engine.docker();
        let mut stream =
            docker.build_image(options, None, Some(bollard::body_full(context.tar.into())));
        let follow = async {
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(text) = info.stream {
                            log.push(&text, request.progress);
                        }
                        if let Some(id) = info.aux.and_then(|aux| aux.id) {
                            log.image = Some(id);
                        }
                    }
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        return Outcome::Failed(error);
                    }
                    Err(error) => return Outcome::Engine(error.to_string()),
                }
            }
            Outcome::Done
        };
        tokio::select! {
            outcome = tokio::time::timeout(request.timeout, follow) => {
                outcome.unwrap_or(Outcome::TimedOut)
            }
            _ = tokio::signal::ctrl_c() => Outcome::Interrupted,
        }
    });
    report.duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Outcome::Done => {
            let reference = log.image.clone().unwrap_or_else(|| request.tag.to_string());
            let image = engine
                .block_on(engine.docker().inspect_image(&reference))
                .map_err(|e| {
                    engine_error(format!("the built image {reference} cannot be read: {e}"))
                })?;
            report.built = true;
            report.image_id = image.id;
            report.size_bytes = image.size.map(|s| s.max(0) as u64);
            report.stand_in = image
                .config
                .and_then(|c| c.labels)
                .is_some_and(|labels| labels.contains_key(STAND_IN_LABEL));
            report.log_tail = request.redactor_lines(log.tail(10));
        }
        Outcome::Failed(error) => {
            report.error = Some(request.redactor.redact_string(error.trim()));
            report.failed_step = log
                .step
                .clone()
                .map(|(number, total, instruction)| FailedStep {
                    line: step_line(&parsed, number),
                    number,
                    total,
                    instruction: request.redactor.redact_string(&instruction),
                });
            report.log_tail = request.redactor_lines(log.since_step(TAIL));
        }
        Outcome::TimedOut | Outcome::Interrupted => {
            report.cancelled = true;
            report.error = Some(match outcome {
                Outcome::TimedOut => format!(
                    "cancelled after the timeout of {} s",
                    request.timeout.as_secs()
                ),
                _ => "interrupted".to_string(),
            });
            report.log_tail = request.redactor_lines(log.since_step(TAIL));
            report.removed_image = remove_partial(engine, &log);
            if matches!(outcome, Outcome::Interrupted) {
                return Err(crate::error::Error::Interrupted);
            }
        }
        Outcome::Engine(error) => {
            return Err(engine_error(format!(
                "the build of {} stopped: {}",
                plan.dockerfile,
                request.redactor.redact_string(&error)
            )));
        }
    }
    Ok(report)
}

impl BuildRequest<'_> {
    fn redactor_lines(&self, lines: Vec<String>) -> Vec<String> {
        lines
            .into_iter()
            .map(|line| self.redactor.redact_string(&line))
            .collect()
    }
}

enum Outcome {
    Done,
    Failed(String),
    TimedOut,
    Interrupted,
    Engine(String),
}

/// The build log as it arrives: lines, the step being run, the last image a step made.
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    pending: String,
    /// `(number, total, instruction)` of the step being run.
    step: Option<(u32, u32, String)>,
    /// Index in `lines` where the current step started.
    step_start: usize,
    /// The last image ID the builder named (an intermediate one while building, the image at
    /// the end).
    image: Option<String>,
    /// Intermediate images made so far.
    intermediates: Vec<String>,
}

impl Log {
    fn push(&mut self, text: &str, progress: &dyn Fn(&str)) {
        self.pending.push_str(text);
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            let line = line.trim_end().to_string();
            if let Some(step) = parse_step(&line) {
                progress(&line);
                self.step = Some(step);
                self.step_start = self.lines.len();
            } else if let Some(id) = line.trim().strip_prefix("---> ")
                && !id.contains(' ')
                && id.bytes().all(|b| b.is_ascii_hexdigit())
            {
                self.intermediates.push(id.to_string());
            }
            self.lines.push(line);
        }
    }

    fn tail(&self, n: usize) -> Vec<String> {
        let start = self.lines.len().saturating_sub(n);
        self.lines[start..].to_vec()
    }

    /// The lines of the current step, at most `n` (its last ones).
    fn since_step(&self, n: usize) -> Vec<String> {
        let mut lines = self.lines[self.step_start.min(self.lines.len())..].to_vec();
        if !self.pending.trim().is_empty() {
            lines.push(self.pending.trim_end().to_string());
        }
        let start = lines.len().saturating_sub(n);
        lines.split_off(start)
    }
}

/// `Step 3/9 : COPY a b` → `(3, 9, "COPY a b")`.
fn parse_step(line: &str) -> Option<(u32, u32, String)> {
    let rest = line.strip_prefix("Step ")?;
    let (counts, instruction) = rest.split_once(" : ")?;
    let (number, total) = counts.split_once('/')?;
    Some((
        number.parse().ok()?,
        total.parse().ok()?,
        instruction.trim().to_string(),
    ))
}

/// The line the `number`th instruction starts on: the classic builder counts every instruction
/// (an `ARG` before the first `FROM` included) as a step.
fn step_line(parsed: &crate::policy::dockerfile::ast::Dockerfile, number: u32) -> Option<usize> {
    parsed
        .instructions
        .get((number as usize).checked_sub(1)?)
        .map(|instruction| instruction.first_line)
}

/// Removes what a cancelled build left: the last intermediate image (and with it the untagged
/// images it rests on that nothing else uses).
///
/// The engine ends the step that was running once the connection is gone, and removes its
/// container; until then the image is in use, so removal is tried again for a while.
fn remove_partial(engine: &Engine, log: &Log) -> Option<String> {
    let id = log.intermediates.last()?;
    engine.block_on(async {
        for _ in 0..60 {
            let options = bollard::query_parameters::RemoveImageOptions {
                force: true,
                noprune: false,
                ..Default::default()
            };
            match engine.docker().remove_image(id, Some(options), None).await {
                Ok(_) => return Some(id.clone()),
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => return Some(id.clone()),
                Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_read_from_the_classic_builders_log() {
        assert_eq!(
            parse_step("Step 3/9 : COPY backend/requirements.txt ./"),
            Some((3, 9, "COPY backend/requirements.txt ./".into()))
        );
        assert_eq!(parse_step(" ---> Running in 1234"), None);
    }

    #[test]
    fn the_log_keeps_the_current_steps_lines() {
        let mut log = Log::default();
        let seen = std::cell::RefCell::new(Vec::new());
        let progress = |line: &str| seen.borrow_mut().push(line.to_string());
        log.push(
            "Step 1/2 : FROM x\n ---> 0123abcd\nStep 2/2 : RUN ",
            &progress,
        );
        log.push("false\n ---> Running in 99ff\nboom\n", &progress);
        assert_eq!(seen.borrow().len(), 2);
        assert_eq!(log.step, Some((2, 2, "RUN false".into())));
        assert_eq!(
            log.since_step(10),
            ["Step 2/2 : RUN false", " ---> Running in 99ff", "boom"]
        );
        assert_eq!(log.intermediates, ["0123abcd"]);
    }

    #[test]
    fn a_step_is_found_on_its_line() {
        let parsed = parser::parse(
            "# syntax=docker/dockerfile:1\nARG V=1\nFROM x\n\nRUN a \\\n  b\nCOPY c d\n",
        );
        assert_eq!(step_line(&parsed, 1), Some(2));
        assert_eq!(step_line(&parsed, 3), Some(5));
        assert_eq!(step_line(&parsed, 4), Some(7));
        assert_eq!(step_line(&parsed, 9), None);
    }
}
