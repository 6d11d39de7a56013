//! What `aigen dockerfile`, `aigen manifest` and `aigen helm` share: the session they run in
//! (settings, constitution, detected services, provider, trail, staging), the service selection,
//! and running jobs with `--dry-run`, `--format json` and `--yes`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::str::FromStr;

use serde_json::json;

use super::Context;
use super::args::GenerateArgs;
use crate::apply::approve::ApproveAll;
use crate::apply::review::{ReviewReport, Reviewer};
use crate::apply::staging::Staging;
use crate::detect::{self, Detection, Service};
use crate::error::{Error, ExitStatus, Result};
use crate::generate::builtin::Params;
use crate::generate::jobs::Job;
use crate::generate::params::builtin_params;
use crate::generate::pipeline::{Generator, JobReport, RunOptions, SYSTEM};
use crate::phr::Store;
use crate::policy::{Constitution, Finding};
use crate::printer::{Printer, Tone, Verbosity};
use crate::provider::{Builtin, Provider, ProviderConfig, ProviderKind};
use crate::secrets::Redactor;
use crate::settings::Settings;

/// Everything a generating command works with.
pub struct Session {
    pub settings: Settings,
    pub constitution: Constitution,
    pub detection: Detection,
    pub params: Params,
    pub store: Store,
    pub staging: Staging,
    pub redactor: Redactor,
}

impl Session {
    /// Settings, constitution, detection and trail for the project the command runs in.
    pub fn open(context: &Context) -> Result<Self> {
        let settings = context.settings()?;
        let constitution = Constitution::load_or_preset(&settings.policy)?;
        let mut detection = detect::detect(&settings.root, &settings.config);
        detection.mark_secrets(&constitution.secrets);
        for problem in &detection.problems {
            context.printer.warn(problem);
        }
        let params = builtin_params(&settings, &constitution);
        let redactor = project_redactor(&context.redactor, &detection, &constitution);
        let store = Store::open(&settings.history_root())?.with_redactor(redactor.clone());
        let staging = Staging::new(settings.staging_dir());
        Ok(Self {
            settings,
            constitution,
            detection,
            params,
            store,
            staging,
            redactor,
        })
    }

    /// The services named on the command line, or all with `--all`.
    pub fn select(&self, names: &[String], all: bool) -> Result<Vec<Service>> {
        let known = || {
            self.detection
                .services
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.detection.services.is_empty() {
            return Err(Error::usage_with_hint(
                format!("no services found in `{}`", self.settings.root.display()),
                "run `aigen detect` to see what is looked for, or declare services in aigen.toml",
            ));
        }
        if all || names.is_empty() {
            return Ok(self.detection.services.clone());
        }
        names
            .iter()
            .map(|name| {
                self.detection.service(name).cloned().ok_or_else(|| {
                    Error::usage_with_hint(
                        format!("no service named `{name}`"),
                        format!("the services are: {}", known()),
                    )
                })
            })
            .collect()
    }

    /// The provider the flags, environment or config choose.
    pub fn provider(&self, args: &GenerateArgs, services: &[Service]) -> Result<Provider> {
        let name = self.settings.provider_name(args.provider.as_deref());
        let kind = ProviderKind::from_str(&name)?;
        if kind == ProviderKind::Builtin {
            return Ok(Provider::Builtin(Box::new(Builtin::new(
                self.params.clone(),
                services.to_vec(),
            ))));
        }
        let mut config = ProviderConfig::from_settings(kind, &self.settings);
        if let Some(url) = &args.base_url {
            config.base_url = Some(url.clone());
        }
        Ok(Provider::new(&config)?)
    }

    /// A reviewer of this session's staged files that records its decisions under `feature`;
    /// it neither forces nor shows diffs until the caller says so.
    pub fn reviewer<'s>(
        &'s self,
        printer: &'s Printer,
        feature: Option<String>,
        command_line: String,
    ) -> Reviewer<'s> {
        Reviewer {
            root: &self.settings.root,
            staging: &self.staging,
            store: &self.store,
            constitution: &self.constitution,
            printer,
            feature,
            command_line,
            force: false,
            show_diffs: false,
        }
    }

    /// The feature records are filed under: the flag, else the settings'.
    pub fn feature(&self, flag: Option<&String>) -> Option<String> {
        flag.cloned().or_else(|| self.settings.feature.clone())
    }
}

/// The command's redactor, told the values of the secret variables the project's services read
/// and the constitution names, as they are set in this environment.
pub fn project_redactor(
    redactor: &Redactor,
    detection: &Detection,
    constitution: &Constitution,
) -> Redactor {
    let names = detection
        .services
        .iter()
        .flat_map(|s| &s.env)
        .filter(|v| v.secret)
        .map(|v| v.name.as_str())
        .chain(constitution.secrets.iter().map(String::as_str));
    for name in names {
        if let Ok(value) = std::env::var(name) {
            redactor.remember(&value);
        }
    }
    redactor.clone()
}

/// The command line as typed, for records (redacted when recorded).
pub fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Runs jobs: prints the prompts with `--dry-run`, else generates, stages and (with `--yes`)
/// applies. Exit 0 when everything is clean, 1 when findings are left.
pub fn run_jobs(
    session: &Session,
    provider: &Provider,
    jobs: Vec<Job>,
    args: &GenerateArgs,
    context: &Context,
) -> Result<ExitStatus> {
    let printer = &context.printer;
    let json = args.output.is_json();
    let settings = &session.settings;
    let prompts_dir: PathBuf = settings.in_root(&settings.config.paths.prompts);
    let generator = Generator {
        root: &settings.root,
        prompts_dir: &prompts_dir,
        constitution: &session.constitution,
        provider,
        store: &session.store,
        staging: &session.staging,
        printer,
        options: RunOptions {
            model: args.model.clone().or_else(|| settings.model.clone()),
            feature: session.feature(args.feature.as_ref()),
            max_rounds: args
                .max_rounds
                .unwrap_or(settings.config.generate.max_rounds)
                .max(1),
            command_line: command_line(),
            stream: !json && std::io::stderr().is_terminal(),
            json,
        },
    };

    if args.dry_run {
        return dry_run(&generator, provider, &jobs, json, session, context);
    }

    let mut reports: Vec<JobReport> = Vec::new();
    for job in &jobs {
        printer.status(format!(
            "{} {} with {}",
            printer.paint_err(Tone::Info, "generating"),
            job.title,
            provider.kind()
        ));
        let report = generator.run(job)?;
        print_job(&report, context)?;
        reports.push(report);
    }

    let review = if args.yes {
        let targets: Vec<String> = reports
            .iter()
            .flat_map(|r| r.staged.iter().map(|e| e.target.clone()))
            .collect();
        Some(apply_now(session, &targets, &generator.options, context)?)
    } else {
        None
    };

    let clean = reports.iter().all(|r| r.status == "clean");
    if json {
        let mut value =
            json!({ "provider": provider.kind().name(), "jobs": reports, "applied": review });
        session.redactor.redact_json(&mut value);
        printer.out_json(&value)?;
    } else if review.is_none() {
        printer.status(format!(
            "staged in {}/; review and write with `aigen apply`",
            settings.config.paths.staging
        ));
    }
    Ok(match review {
        Some(review) if !review.refused.is_empty() => ExitStatus::Failure,
        _ if clean => ExitStatus::Success,
        _ => ExitStatus::Failure,
    })
}

/// One job's outcome in text mode: a status line and the findings left, if any.
fn print_job(report: &JobReport, context: &Context) -> Result<()> {
    let printer = &context.printer;
    let status = if report.status == "clean" {
        printer.paint(Tone::Success, "clean")
    } else {
        printer.paint(Tone::Warning, "findings left")
    };
    printer.status(format!(
        "{} {}: {status} after {} round{}; recorded as {}",
        printer.paint_err(Tone::Success, "generated"),
        report.title,
        report.rounds,
        if report.rounds == 1 { "" } else { "s" },
        report.records.join(", ")
    ));
    for entry in &report.staged {
        printer.verbose(format!(
            "  staged {} ({}, sha256 {})",
            entry.target,
            entry.lint.summary(),
            &entry.sha256[..12]
        ));
    }
    for finding in &report.findings {
        printer.warn(describe(finding));
    }
    Ok(())
}

/// A finding on one line: where, which rule, how severe, and what is wrong.
pub fn describe(finding: &Finding) -> String {
    format!(
        "{} {}: {}",
        finding.short(),
        finding.severity,
        finding.message
    )
}

/// `--dry-run`: the prompt and where it would go; nothing is sent or written.
fn dry_run(
    generator: &Generator<'_>,
    provider: &Provider,
    jobs: &[Job],
    json: bool,
    session: &Session,
    context: &Context,
) -> Result<ExitStatus> {
    let printer = &context.printer;
    let mut items = Vec::new();
    for job in jobs {
        let (template, prompt) = generator.first_prompt(job)?;
        let prompt = session.redactor.redact_string(&prompt);
        if json {
            items.push(json!({
                "title": job.title,
                "provider": provider.kind().name(),
                "model": generator.options.model,
                "template": template.id(),
                "targets": job.expected.targets,
                "system": SYSTEM,
                "prompt": prompt,
            }));
        } else {
            printer.out(format!(
                "{} {} (provider {}, template {}; nothing is sent)\n\n{}",
                printer.paint(Tone::Emphasis, "dry run:"),
                job.title,
                provider.kind(),
                template.id(),
                prompt
            ))?;
        }
    }
    if json {
        printer.out_json(&json!({ "dry_run": true, "jobs": items }))?;
    }
    Ok(ExitStatus::Success)
}

/// `--yes`: applies the staged targets through the same review as `aigen apply --yes`.
fn apply_now(
    session: &Session,
    targets: &[String],
    options: &RunOptions,
    context: &Context,
) -> Result<ReviewReport> {
    let entries = session
        .staging
        .entries()?
        .into_iter()
        .filter(|e| targets.contains(&e.target))
        .collect();
    let reviewer = Reviewer {
        show_diffs: !options.json && context.printer.verbosity() >= Verbosity::Verbose,
        ..session.reviewer(
            &context.printer,
            options.feature.clone(),
            options.command_line.clone(),
        )
    };
    reviewer.review(entries, &mut ApproveAll)
}
