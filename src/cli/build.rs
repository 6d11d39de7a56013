//! `aigen build` and `aigen verify`: build the image of each service from its Dockerfile (the
//! staged one when there is one, else the applied one) through the Docker Engine API, check its
//! size against the constitution, and with `--run` (what `verify` is) start it with the settings
//! the manifests give it and judge it. Every image is a Prompt History Record.
//!
//! [`check_images`] is what `aigen check --images` runs too.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::Context;
use super::args::FormatArgs;
use super::command_line;
use crate::detect::Service;
use crate::engine::{CheckOptions, CheckedImage, Checker, Engine, ImageSource, megabytes, seconds};
use crate::error::{ExitStatus, Result};
use crate::printer::{Tone, Verbosity};
use crate::project::Project;
use crate::settings::Flags;

/// The flags of `aigen build` and `aigen verify`.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Services to build (names from `aigen detect`); every service when none is named.
    #[arg(value_name = "SERVICE")]
    pub services: Vec<String>,

    /// Build every detected service.
    #[arg(long, conflicts_with = "services")]
    pub all: bool,

    /// Also run each image and judge it (what `aigen verify` does).
    #[arg(long)]
    pub run: bool,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub output: FormatArgs,
}

/// How long builds and runs may take; shared with `check --images` and `--verify`.
#[derive(Debug, Clone, Args)]
pub(crate) struct EngineArgs {
    /// Cancel a build after this many seconds (its partial image is removed).
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub timeout: u64,

    /// Give a started container this many seconds to be judged healthy.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub run_timeout: u64,

    /// Build every step afresh, without the engine's layer cache.
    #[arg(long)]
    pub no_cache: bool,
}

impl EngineArgs {
    pub(crate) fn options(&self, run: bool) -> CheckOptions {
        CheckOptions {
            run,
            build_timeout: Duration::from_secs(self.timeout.max(1)),
            run_timeout: Duration::from_secs(self.run_timeout.max(1)),
            no_cache: self.no_cache,
        }
    }
}

pub(crate) fn run(mut args: BuildArgs, verify: bool, context: &Context) -> Result<ExitStatus> {
    args.run |= verify;
    let project = context.open_project(&Flags::default())?;
    let services = project.select(&args.services, args.all)?;
    let engine = connect_engine(context)?;
    let outcome = check_images(
        &project,
        &engine,
        &services,
        &args.engine.options(args.run),
        true,
        context,
    )?;
    let json = args.output.is_json();
    if json {
        let mut value = json!({
            "engine": { "host": engine.host, "server": engine.server },
            "passed": outcome.passed(),
            "images": outcome.checked.iter().map(|(checked, record)| json!({
                "service": checked.service,
                "passed": checked.passed(),
                "summary": checked.summary(),
                "limit": checked.limit,
                "findings": checked.findings.iter().map(|f| json!({
                    "code": f.code,
                    "severity": f.severity.to_string(),
                    "path": crate::fsutil::slash_path(&f.path),
                    "line": f.line(),
                    "message": f.message,
                })).collect::<Vec<_>>(),
                "build": checked.verdict.build,
                "run": checked.verdict.run,
                "record": record,
            })).collect::<Vec<_>>(),
            "missing": outcome.missing,
        });
        project.redactor.redact_json(&mut value);
        context.printer.out_json(&value)?;
    } else {
        print_text(&outcome, context)?;
    }
    Ok(if outcome.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The images of some services, checked and recorded.
pub(crate) struct ImagesOutcome {
    /// Each checked image with the record of it.
    pub checked: Vec<(CheckedImage, String)>,
    /// Services without a Dockerfile, with what to do.
    pub missing: Vec<String>,
}

impl ImagesOutcome {
    pub(crate) fn passed(&self) -> bool {
        self.missing.is_empty() && self.checked.iter().all(|(c, _)| c.passed())
    }
}

/// Builds (and with `options.run`, runs) the image of each service, recording each: from the
/// staged Dockerfile when there is one and `staged` is true, else from the applied one.
pub(crate) fn check_images(
    project: &Project,
    engine: &Engine,
    services: &[Service],
    options: &CheckOptions,
    staged: bool,
    context: &Context,
) -> Result<ImagesOutcome> {
    let printer = &context.printer;
    let progress = |line: &str| printer.verbose(format!("  {line}"));
    let checker = Checker {
        engine,
        root: &project.settings.root,
        constitution: &project.constitution,
        redactor: &project.redactor,
        options: options.clone(),
        progress: &progress,
    };
    let manifests = manifest_texts(project)?;
    let mut outcome = ImagesOutcome {
        checked: Vec::new(),
        missing: Vec::new(),
    };
    for service in services {
        let Some(source) = image_source(project, service, staged)? else {
            outcome.missing.push(format!(
                "{}: no Dockerfile at {}, staged or applied; generate one with `aigen dockerfile {}`",
                service.name,
                project.params.dockerfile_path(&service.name),
                service.name
            ));
            continue;
        };
        printer.status(format!(
            "{} {} from {} ({})",
            printer.paint_err(Tone::Info, "building"),
            service.name,
            source.dockerfile,
            source.origin
        ));
        let checked = checker.check(service, &source, &image_tag(project, service), &manifests)?;
        let record = crate::engine::verify::record(
            &project.store,
            &checked,
            &source,
            project.settings.feature.clone(),
            command_line(),
        )?;
        outcome.checked.push((checked, record));
    }
    Ok(outcome)
}

/// The `--verify` of `aigen dockerfile` and `aigen generate`: each round's Dockerfile built and
/// run with the settings of the manifests as they are (staged or applied).
pub(crate) struct EngineVerifier<'p> {
    engine: Engine,
    project: &'p Project,
    options: CheckOptions,
    printer: &'p crate::printer::Printer,
}

impl<'p> EngineVerifier<'p> {
    /// The verifier of `--verify` when it was asked for and something will be generated (a dry
    /// run sends nothing and builds nothing): connected before anything is generated.
    pub(crate) fn when_asked(
        verify: bool,
        dry_run: bool,
        project: &'p Project,
        args: &EngineArgs,
        context: &'p Context,
    ) -> Result<Option<Self>> {
        match verify && !dry_run {
            true => Self::connect(project, args, context).map(Some),
            false => Ok(None),
        }
    }

    /// As a generation loop's [`crate::generate::pipeline::Verify`].
    pub(crate) fn as_verify(
        verifier: &Option<Self>,
    ) -> Option<&dyn crate::generate::pipeline::Verify> {
        verifier
            .as_ref()
            .map(|v| v as &dyn crate::generate::pipeline::Verify)
    }

    /// Connects to the engine (exit 3 when none answers, before anything is generated).
    fn connect(project: &'p Project, args: &EngineArgs, context: &'p Context) -> Result<Self> {
        let engine = connect_engine(context)?;
        Ok(Self {
            engine,
            project,
            options: args.options(true),
            printer: &context.printer,
        })
    }
}

impl crate::generate::pipeline::Verify for EngineVerifier<'_> {
    fn verify(
        &self,
        job: &crate::generate::jobs::Job,
        files: &[crate::staging::Artifact],
    ) -> Result<Vec<crate::generate::pipeline::Verified>> {
        let crate::provider::Task::Dockerfile { service, targets } = &job.task else {
            return Ok(Vec::new());
        };
        let Some(dockerfile) = targets.first() else {
            return Ok(Vec::new());
        };
        let Some(text) = files.iter().find(|f| &f.path == dockerfile) else {
            return Ok(Vec::new());
        };
        let ignore_path = format!("{dockerfile}.dockerignore");
        let source = ImageSource {
            dockerfile: dockerfile.clone(),
            text: text.content.clone(),
            ignore: files
                .iter()
                .find(|f| f.path == ignore_path)
                .map(|f| f.content.clone()),
            origin: "generated",
            record: None,
        };
        let progress = |line: &str| self.printer.verbose(format!("  {line}"));
        let checker = Checker {
            engine: &self.engine,
            root: &self.project.settings.root,
            constitution: &self.project.constitution,
            redactor: &self.project.redactor,
            options: self.options.clone(),
            progress: &progress,
        };
        let manifests = manifest_texts(self.project)?;
        let checked = checker.check(
            service,
            &source,
            &image_tag(self.project, service),
            &manifests,
        )?;
        Ok(vec![crate::generate::pipeline::Verified {
            target: dockerfile.clone(),
            summary: checked.summary(),
            findings: checked.findings,
        }])
    }
}

/// Connects to the engine (exit 3 with how to start one when none answers) and says which.
fn connect_engine(context: &Context) -> Result<Engine> {
    let engine = Engine::connect()?;
    context.printer.status(format!(
        "{} {} at {}",
        context.printer.paint_err(Tone::Info, "engine"),
        engine.server,
        engine.host
    ));
    Ok(engine)
}

/// The tag a service's image gets: the one its manifests run.
fn image_tag(project: &Project, service: &Service) -> String {
    format!(
        "{}/{}:{}",
        project.params.image.prefix, service.name, project.params.image.tag
    )
}

/// The Dockerfile of a service: staged (with its staged ignore file), else on disk.
fn image_source(project: &Project, service: &Service, staged: bool) -> Result<Option<ImageSource>> {
    let dockerfile = project.params.dockerfile_path(&service.name);
    let ignore_path = format!("{dockerfile}.dockerignore");
    let entries = project.staging.entries()?;
    let prefer_staged = staged;
    let staged = |target: &str| entries.iter().find(|e| e.target == target);
    if let Some(entry) = staged(&dockerfile).filter(|_| prefer_staged) {
        let text = String::from_utf8_lossy(&project.staging.read(entry)?).into_owned();
        let ignore = match staged(&ignore_path) {
            Some(entry) => {
                Some(String::from_utf8_lossy(&project.staging.read(entry)?).into_owned())
            }
            None => None,
        };
        return Ok(Some(ImageSource {
            dockerfile,
            text,
            ignore,
            origin: "staged",
            record: entry.record.clone(),
        }));
    }
    let path = project.settings.root.join(&dockerfile);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(ImageSource {
            dockerfile,
            text,
            ignore: None,
            origin: "applied",
            record: None,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::error::Error::io("read", &path, e)),
    }
}

/// The manifests a run takes its settings from: the files of the manifests directory, with the
/// staged ones in place of those on disk.
fn manifest_texts(project: &Project) -> Result<Vec<(String, String)>> {
    let dir = project.params.manifest_dir();
    let mut texts: Vec<(String, String)> = Vec::new();
    let root = &project.settings.root;
    if let Ok(read) = std::fs::read_dir(root.join(&dir)) {
        let mut names: Vec<String> = read
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        names.sort();
        for name in names {
            let relative = format!("{dir}/{name}");
            if let Ok(text) = std::fs::read_to_string(root.join(&relative)) {
                texts.push((relative, text));
            }
        }
    }
    for entry in project.staging.entries()? {
        let in_dir = entry
            .target
            .strip_prefix(&dir)
            .is_some_and(|rest| rest.starts_with('/'));
        if in_dir && (entry.target.ends_with(".yaml") || entry.target.ends_with(".yml")) {
            let text = String::from_utf8_lossy(&project.staging.read(&entry)?).into_owned();
            texts.retain(|(path, _)| *path != entry.target);
            texts.push((entry.target.clone(), text));
        }
    }
    Ok(texts)
}

fn print_text(outcome: &ImagesOutcome, context: &Context) -> Result<()> {
    let printer = &context.printer;
    for (checked, record) in &outcome.checked {
        let build = &checked.verdict.build;
        let mark = if checked.passed() {
            printer.paint(Tone::Success, "ok  ")
        } else {
            printer.paint(Tone::Error, "FAIL")
        };
        let size = match (build.size_bytes, &checked.limit) {
            (Some(size), Some(limit)) => format!(
                "{} (limit {limit}){}",
                megabytes(size),
                if build.stand_in {
                    ", stand-in size"
                } else {
                    ""
                }
            ),
            (Some(size), None) => format!(
                "{}{}",
                megabytes(size),
                if build.stand_in {
                    " (stand-in size)"
                } else {
                    ""
                }
            ),
            _ => String::new(),
        };
        let mut line = format!(
            "{mark} {}: {} in {}",
            checked.service,
            if build.built { "built" } else { "not built" },
            seconds(Duration::from_millis(build.duration_ms))
        );
        if !size.is_empty() {
            line.push_str(&format!(", {size}"));
        }
        if let Some(run) = &checked.verdict.run {
            line.push_str(&format!("; {}", run.summary()));
            for probe in &run.probes {
                line.push_str(&format!(
                    ", {} {}",
                    probe.path,
                    probe
                        .status
                        .map_or("no answer".to_string(), |s| s.to_string())
                ));
            }
        }
        printer.out(line)?;
        for peer in checked.verdict.run.iter().flat_map(|run| &run.peers) {
            printer.out(format!("     peer {peer}"))?;
        }
        if !build.built {
            if let Some(step) = &build.failed_step {
                printer.out(format!(
                    "     step {}/{} `{}`{} failed",
                    step.number,
                    step.total,
                    step.instruction,
                    step.line
                        .map_or(String::new(), |l| format!(" ({}:{l})", build.dockerfile))
                ))?;
            }
            if let Some(error) = &build.error {
                printer.out(format!("     {error}"))?;
            }
            for line in &build.log_tail {
                printer.out(format!("     | {line}"))?;
            }
        }
        if let Some(run) = &checked.verdict.run {
            for problem in &run.problems {
                printer.out(format!("     {problem}"))?;
            }
            let show_logs = !run.passed() || printer.verbosity() >= Verbosity::Verbose;
            if show_logs {
                for line in &run.logs {
                    printer.out(format!("     | {line}"))?;
                }
            }
            printer.verbose(format!(
                "     ran as {}, read-only, no network, writable {}, probed with {}; throwaway values for {}",
                run.user,
                if run.writable.is_empty() { "nothing".into() } else { run.writable.join(", ") },
                run.probed_with,
                if run.throwaway_secrets.is_empty() { "no secret".into() } else { run.throwaway_secrets.join(", ") }
            ));
        }
        for finding in &checked.findings {
            printer.out(format!("     {}", finding.one_line()))?;
        }
        printer.verbose(format!(
            "     builder: {} ({}); context {} files, {}; recorded as {record}",
            build.builder,
            build.builder_reason,
            build.context_files,
            megabytes(build.context_bytes)
        ));
    }
    for missing in &outcome.missing {
        printer.out(format!("{} {missing}", printer.paint(Tone::Error, "FAIL")))?;
    }
    let failed =
        outcome.checked.iter().filter(|(c, _)| !c.passed()).count() + outcome.missing.len();
    let total = outcome.checked.len() + outcome.missing.len();
    let verdict = if failed == 0 {
        printer.paint(Tone::Success, "passed")
    } else {
        printer.paint(Tone::Error, "failed")
    };
    let stand_in = outcome
        .checked
        .iter()
        .any(|(c, _)| c.verdict.build.stand_in);
    printer.out(format!(
        "images {verdict}: {} of {total} good{}",
        total - failed,
        if stand_in {
            "; sizes marked stand-in are of images built on stand-in base images, not the official ones"
        } else {
            ""
        }
    ))
}
