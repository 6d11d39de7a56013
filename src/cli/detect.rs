//! `aigen detect`: the services of the repository and what aigen knows about each.
//!
//! [`run`] detects and prints; [`render_text`] is the text layout, one block per service.

use std::fmt::Write as _;

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::detect::{self, Detection, Origin, Service, Sourced};
use crate::error::{ExitStatus, Result};
use crate::printer::{Printer, Tone};
use crate::settings::Flags;

#[derive(Debug, Args)]
pub(crate) struct DetectArgs {
    #[command(flatten)]
    pub output: FormatArgs,
}

pub(crate) fn run(args: DetectArgs, context: &Context) -> Result<ExitStatus> {
    let settings = context.settings(&Flags::default())?;
    let detection = detect::detect(&settings.root, &settings.config);
    let printer = &context.printer;
    if args.output.is_json() {
        printer.out_json(&detection)?;
    } else {
        printer.out(render_text(&detection, printer))?;
    }
    for problem in &detection.problems {
        printer.warn(problem);
    }
    Ok(
        if detection.services.is_empty() && !detection.problems.is_empty() {
            ExitStatus::Error
        } else {
            ExitStatus::Success
        },
    )
}

/// The text report: one block per service, one line per fact, each with its source.
pub(crate) fn render_text(detection: &Detection, printer: &Printer) -> String {
    let mut out = String::new();
    if detection.services.is_empty() {
        out.push_str("no services found (looked for pyproject.toml, requirements.txt, Pipfile, package.json, go.mod, Cargo.toml, pom.xml, build.gradle)\n");
    }
    for (index, service) in detection.services.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        render_service(&mut out, service, printer);
    }
    if !detection.skipped.is_empty() {
        let _ = writeln!(out, "\n{}", printer.paint(Tone::Emphasis, "not services"));
        let width = detection
            .skipped
            .iter()
            .map(|s| s.path.chars().count())
            .max()
            .unwrap_or(0);
        for skipped in &detection.skipped {
            let _ = writeln!(
                out,
                "  {:<width$}  {}: {}  {}",
                skipped.path,
                skipped.reason,
                skipped.detail,
                printer.paint(Tone::Dim, &skipped.origin)
            );
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn render_service(out: &mut String, service: &Service, printer: &Printer) {
    let _ = writeln!(
        out,
        "{} {}",
        printer.paint(Tone::Emphasis, &service.name),
        printer.paint(
            Tone::Dim,
            format!("({}, {})", service.path, service.manifest)
        )
    );
    let mut rows: Vec<(&str, String, Origin)> = Vec::new();
    let mut row = |label: &'static str, value: String, origin: &Origin| {
        rows.push((label, value, origin.clone()));
    };
    let text = |s: &Sourced<String>| (s.value.clone(), s.origin.clone());
    row("kind", service.kind.value.to_string(), &service.kind.origin);
    row(
        "class",
        service.class.value.to_string(),
        &service.class.origin,
    );
    let language = match &service.language_version {
        Some(version) => format!("{} {}", service.language.value, version.value),
        None => service.language.value.to_string(),
    };
    let language_origin = service
        .language_version
        .as_ref()
        .map_or(&service.language.origin, |v| &v.origin);
    row("language", language, language_origin);
    if let Some(framework) = &service.framework {
        let f = &framework.value;
        let mut value = f.kind.to_string();
        // The major says most (`next.js 16`); below 1 it says nothing (`fastapi >=0.115`).
        let shown = f
            .major
            .filter(|m| *m > 0)
            .map(|m| m.to_string())
            .or_else(|| f.version.clone());
        if let Some(version) = shown {
            let _ = write!(value, " {version}");
        }
        if let Some(standalone) = f.standalone {
            let _ = write!(value, " (standalone: {standalone})");
        }
        row("framework", value, &framework.origin);
    }
    let mut manager = service.package_manager.value.to_string();
    if let Some(lockfile) = &service.lockfile {
        let _ = write!(manager, " ({})", lockfile.value);
    }
    row("packages", manager, &service.package_manager.origin);
    // Run to completion before the server, in order (an initContainer each).
    for step in &service.prestart {
        row("prestart", step.value.join(" "), &step.origin);
    }
    row(
        "start",
        service.start_command.value.join(" "),
        &service.start_command.origin,
    );
    if let Some(build) = &service.build_command {
        row("build", build.value.join(" "), &build.origin);
    }
    if let Some((value, origin)) = service.entrypoint.as_ref().map(text) {
        row("entrypoint", value, &origin);
    }
    match &service.port {
        Some(port) => row("port", port.value.to_string(), &port.origin),
        None => row("port", "none".to_string(), &Origin::Default),
    }
    if let Some((value, origin)) = service.health_path.as_ref().map(text) {
        row("health", value, &origin);
    }
    if let Some((value, origin)) = service.readiness_path.as_ref().map(text) {
        row("readiness", value, &origin);
    }
    // A variable with a value (a secret: its shape, the password masked) shows it and where the
    // project gives it; else where it is read.
    for var in &service.env {
        let kind = if var.secret { "secret" } else { "plain" };
        let optional = if var.required { "" } else { ", optional" };
        let mut value = format!("{} ({kind}{optional})", var.name);
        match var.value.as_ref().or(var.shape.as_ref()) {
            Some(given) => {
                let _ = write!(value, " = {}", given.value);
                row("env", value, &given.origin);
            }
            None => row("env", value, &var.origin),
        }
    }
    // A directory written at run time: writable under the read-only root (an emptyDir).
    for dir in &service.data_dirs {
        let shown = if dir.value.starts_with('/') {
            format!("{}/", dir.value)
        } else {
            format!("./{}/", dir.value)
        };
        row("writes", shown, &dir.origin);
    }
    // Python releases newer than this have no wheel for a pinned compiled package.
    if let Some(limit) = &service.inputs.wheels_up_to {
        let value = format!(
            "python <= {} ({} has no wheel for {})",
            limit.release, limit.pin.value, limit.next
        );
        row("wheels", value, &limit.pin.origin);
    }
    for peer in &service.depends_on {
        let value = match &peer.value.image {
            Some(image) => format!("{} ({image})", peer.value.name),
            None => peer.value.name.clone(),
        };
        row("depends on", value, &peer.origin);
    }
    let inputs = &service.inputs;
    if let Some(workspace) = &inputs.workspace {
        let lock = workspace
            .lockfile
            .as_ref()
            .map_or(String::new(), |l| format!(", {}", l.value));
        row(
            "workspace",
            format!("{} at {}{lock}", workspace.manager.value, workspace.root),
            &workspace.manager.origin,
        );
    }
    if let Some(version) = &inputs.package_manager_version {
        row("installer", version.value.clone(), &version.origin);
    }
    if let Some(release) = &inputs.lockfile_release {
        row(
            "installer",
            format!("{} (the lockfile's format)", release.value),
            &release.origin,
        );
    }
    for (label, list) in [
        ("installs", &inputs.requirement_files),
        ("installs", &inputs.extra_packages),
        ("group", &inputs.groups),
        ("local dep", &inputs.local_paths),
        ("copies", &inputs.config_files),
        ("reads", &inputs.runtime_assets),
        ("embeds", &inputs.embedded),
        ("target", &inputs.cargo_targets),
    ] {
        for item in list {
            row(label, item.value.clone(), &item.origin);
        }
    }
    for file in &inputs.imported_files {
        row(
            "imports",
            format!("{} -> {}", file.value.path, file.value.dest),
            &file.origin,
        );
    }
    for native in &inputs.native {
        let needs: Vec<String> = native.needs.iter().map(ToString::to_string).collect();
        row(
            "native",
            format!("{} (needs {})", native.name, needs.join(", ")),
            &native.origin,
        );
    }
    let width = rows
        .iter()
        .map(|(_, value, _)| value.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value, origin) in rows {
        let _ = writeln!(
            out,
            "  {label:<12}{value:<width$}  {}",
            printer.paint(Tone::Dim, origin)
        );
    }
    for unknown in &service.undetermined {
        let _ = writeln!(
            out,
            "  {:<12}{}: {}",
            "unknown",
            unknown.fact,
            printer.paint(Tone::Dim, &unknown.reason)
        );
    }
}
