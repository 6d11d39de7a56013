//! `aigen init`: sets aigen up in a repository.
//!
//! Writes `aigen.toml` (with the detected services), the constitution (by default derived from
//! the detected services, see [`crate::derive`]; or a preset), the default prompt templates, the
//! history directory and the staging directory. An existing file is never overwritten without
//! `--force`, so a second run changes nothing and says so. `--dry-run` prints the constitution
//! it would write, with the source of every value, and writes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::Context;
use crate::assets;
use crate::config::{self, Config, ServiceConfig};
use crate::derive::{self, Options};
use crate::detect::{self, Detection, Origin, ServiceKind};
use crate::error::{Error, ExitStatus, Result};
use crate::fsutil;
use crate::policy::Constitution;
use crate::policy::constitution::Preset;
use crate::printer::Tone;
use crate::provider::builtin::images::Family;
use crate::settings::{self, DEFAULT_POLICY};

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,

    /// Application name (default: the directory's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Spec-Kit feature to file records under (e.g. 003-k8s-deployment).
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,

    /// The constitution to write: derived from the detected services, the Phase IV preset of
    /// the Todo example, or the baseline (general practice, nothing project-specific).
    #[arg(long, value_enum, default_value_t = PresetChoice::Derived)]
    pub preset: PresetChoice,

    /// The family of the base images a derived constitution names (default: Debian slim, or
    /// Alpine for a service whose own Dockerfile builds on it).
    #[arg(long, value_enum)]
    pub family: Option<FamilyChoice>,

    /// Print the constitution that would be written, with the source of every value, and write
    /// nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `--preset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PresetChoice {
    /// Derived from the detected services.
    Derived,
    /// The Phase IV preset of the Todo example.
    PhaseIv,
    /// General practice with no service-specific value.
    Baseline,
}

/// `--family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FamilyChoice {
    Debian,
    Alpine,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Overwritten,
    Kept,
}

pub(crate) fn run(args: InitArgs, context: &Context) -> Result<ExitStatus> {
    let printer = &context.printer;
    let dir = match &context.options.directory {
        Some(dir) => std::env::current_dir()
            .map_err(|e| Error::io("read the working directory", ".", e))?
            .join(dir),
        None => {
            std::env::current_dir().map_err(|e| Error::io("read the working directory", ".", e))?
        }
    };
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "`-C {}`: no such directory",
            dir.display()
        )));
    }
    let existing_config = dir.join(config::FILE_NAME);
    let base_config = if existing_config.is_file() {
        config::load(&existing_config)?
    } else {
        Config::default()
    };
    let detection = detect::detect(&dir, &base_config);
    let config = initial_config(&dir, &args, base_config, &detection);
    let config_text = render_config(&config)?;
    let app = config
        .name
        .clone()
        .unwrap_or_else(|| settings::directory_name(&dir));
    let (constitution, notes) = constitution_text(&dir, &args, &app, &detection)?;
    if args.dry_run {
        for note in &notes {
            printer.warn(note);
        }
        printer.out_raw(&constitution)?;
        return Ok(ExitStatus::Success);
    }

    let mut files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from(config::FILE_NAME), config_text),
        (PathBuf::from(DEFAULT_POLICY), constitution),
        (
            Path::new(&config.paths.staging).join(".gitignore"),
            assets::STAGING_GITIGNORE.to_string(),
        ),
    ];
    for (name, text) in assets::PROMPTS {
        files.push((
            Path::new(&config.paths.prompts).join(name),
            text.to_string(),
        ));
    }

    let mut changed = 0;
    for (relative, text) in &files {
        let outcome = write_file(&dir.join(relative), text, args.force)?;
        let shown = fsutil::slash_path(relative);
        match outcome {
            Outcome::Created => printer.status(format!(
                "{} {shown}",
                printer.paint_err(Tone::Success, "created")
            )),
            Outcome::Overwritten => printer.status(format!(
                "{} {shown}",
                printer.paint_err(Tone::Warning, "overwrote")
            )),
            Outcome::Kept => printer.verbose(format!("kept {shown} (exists)")),
        }
        if outcome != Outcome::Kept {
            changed += 1;
        }
    }
    let history = dir.join(&config.paths.history);
    if !history.is_dir() {
        std::fs::create_dir_all(&history)
            .map_err(|e| Error::io("create directory", &history, e))?;
        printer.status(format!(
            "{} {}/",
            printer.paint_err(Tone::Success, "created"),
            config.paths.history
        ));
        changed += 1;
    }

    for problem in &detection.problems {
        printer.warn(problem);
    }
    for note in &notes {
        printer.warn(note);
    }
    if detection.services.is_empty() {
        printer.warn("no services detected; declare them under [[services]] in aigen.toml");
    } else {
        let names: Vec<&str> = detection.services.iter().map(|s| s.name.as_str()).collect();
        printer.status(format!(
            "detected {} service{}: {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    if changed == 0 {
        printer.status(
            "aigen is already set up here; nothing changed (use --force to rewrite the files)",
        );
    }
    Ok(ExitStatus::Success)
}

/// The config `init` writes: what an existing file said, with the detected services filled in.
fn initial_config(
    dir: &Path,
    args: &InitArgs,
    mut config: Config,
    detection: &Detection,
) -> Config {
    if let Some(name) = &args.name {
        config.name = Some(name.clone());
    }
    if config.name.is_none() {
        config.name = Some(settings::directory_name(dir));
    }
    if let Some(feature) = &args.feature {
        config.feature = Some(feature.clone());
    }
    if config.services.is_empty() {
        config.services = detection
            .services
            .iter()
            .map(|service| ServiceConfig {
                name: service.name.clone(),
                path: PathBuf::from(&service.path),
                kind: Some(service.class.value.to_string()),
                role: (service.kind.value != ServiceKind::Http)
                    .then(|| service.kind.value.to_string()),
                port: service
                    .port
                    .as_ref()
                    .filter(|port| port.origin != Origin::Default)
                    .map(|port| port.value),
                health_path: None,
                readiness_path: None,
                // A worker shares its directory with the server: its command tells them apart.
                command: (service.kind.value == ServiceKind::Worker)
                    .then(|| service.start_command.value.clone()),
            })
            .collect();
    }
    config
}

/// The constitution `init` writes, and what a person should know about it.
fn constitution_text(
    dir: &Path,
    args: &InitArgs,
    app: &str,
    detection: &Detection,
) -> Result<(String, Vec<String>)> {
    let preset = match args.preset {
        PresetChoice::Derived => None,
        PresetChoice::PhaseIv => Some(Preset::PhaseIv),
        PresetChoice::Baseline => Some(Preset::Baseline),
    };
    if let Some(preset) = preset {
        return Ok((preset.text().to_string(), Vec::new()));
    }
    let options = Options {
        app: app.to_string(),
        family: args.family.map(|family| match family {
            FamilyChoice::Debian => Family::Debian,
            FamilyChoice::Alpine => Family::Alpine,
        }),
        hints: family_hints(dir, detection),
    };
    let derived = derive::derive(detection, &options);
    // What init writes must load: a derivation that does not is a bug to report, not a file
    // to leave behind.
    Constitution::parse(&derived.text, Path::new(DEFAULT_POLICY))?;
    Ok((derived.text, derived.notes))
}

/// Services whose own Dockerfile (in their directory) builds on Alpine: the project asks for
/// Alpine images there.
fn family_hints(dir: &Path, detection: &Detection) -> BTreeMap<String, (Family, String)> {
    let mut hints = BTreeMap::new();
    for service in &detection.services {
        let relative = Path::new(&service.path).join("Dockerfile");
        let Ok(text) = std::fs::read_to_string(dir.join(&relative)) else {
            continue;
        };
        let alpine = text.lines().enumerate().find(|(_, line)| {
            let line = line.trim_start();
            line.len() > 5 && line[..5].eq_ignore_ascii_case("FROM ") && line.contains("alpine")
        });
        if let Some((index, _)) = alpine {
            let shown = fsutil::slash_path(&relative);
            let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
            hints.insert(
                service.name.clone(),
                (
                    Family::Alpine,
                    format!(
                        "Alpine, as the project's {shown}:{} builds on it",
                        index + 1
                    ),
                ),
            );
        }
    }
    hints
}

fn render_config(config: &Config) -> Result<String> {
    let body = toml::to_string(config)
        .map_err(|e| Error::usage(format!("cannot write aigen.toml: {e}")))?;
    Ok(format!(
        "# aigen project configuration (the keys are listed in aigen's README).\n\
         # Services were detected by `aigen init`; edit them freely.\n\n{body}"
    ))
}

fn write_file(path: &Path, text: &str, force: bool) -> Result<Outcome> {
    let exists = path.exists();
    if exists && !force {
        return Ok(Outcome::Kept);
    }
    fsutil::write_atomic(path, text.as_bytes())?;
    Ok(if exists {
        Outcome::Overwritten
    } else {
        Outcome::Created
    })
}
