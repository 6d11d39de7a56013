//! The project a command works on, opened once from its [`Settings`]: the constitution, the
//! detected services, the builtin generator's parameters, the Prompt History Record trail, the
//! staging area and the redactor that keeps the project's secrets out of everything written or
//! printed.
//!
//! Generating commands, `ask`, `apply` and `check` start with [`Project::open`]; `lint`,
//! `detect`, `history` and `init` need less and read their settings alone. Opening prints
//! detection problems (and a Kubernetes release newer than aigen knows) as warnings and fails
//! only on what stops every command: a constitution that is named but missing or invalid, or a
//! trail that cannot be opened.

use crate::apply::review::Reviewer;
use crate::detect::{self, Detection, Service};
use crate::error::{Error, Result};
use crate::generate::builtin_params::builtin_params;
use crate::phr::Store;
use crate::policy::Constitution;
use crate::printer::Printer;
use crate::provider::builtin::{Builtin, Params};
use crate::provider::{Provider, ProviderConfig, ProviderKind};
use crate::secrets::Redactor;
use crate::settings::Settings;
use crate::staging::Staging;

pub(crate) mod check;
pub(crate) mod cluster;
pub(crate) mod generation;

/// Everything a command that generates, reviews or checks works with.
pub(crate) struct Project {
    pub settings: Settings,
    pub constitution: Constitution,
    pub detection: Detection,
    pub params: Params,
    pub store: Store,
    pub staging: Staging,
    pub redactor: Redactor,
}

impl Project {
    /// The constitution, detection and trail of the project the settings point at. `redactor` is
    /// the command's: the project's secret values are added to what it masks.
    pub(crate) fn open(settings: Settings, printer: &Printer, redactor: &Redactor) -> Result<Self> {
        let constitution = Constitution::load_configured(&settings.policy)?;
        if let Some(warning) = constitution.kubernetes_version_warning() {
            printer.warn(warning);
        }
        let mut detection = detect::detect(&settings.root, &settings.config);
        detection.mark_secrets(&constitution.secrets);
        for problem in &detection.problems {
            printer.warn(problem);
        }
        let params = builtin_params(&settings, &constitution);
        let redactor = project_redactor(redactor, &detection, &constitution);
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

    /// The services named on the command line, or all with `all` (or when none is named).
    pub(crate) fn select(&self, names: &[String], all: bool) -> Result<Vec<Service>> {
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

    /// The provider the settings name; the builtin one generates for `services`.
    pub(crate) fn provider(&self, services: &[Service]) -> Result<Provider> {
        if self.settings.provider == ProviderKind::Builtin {
            return Ok(Provider::Builtin(Box::new(Builtin::new(
                self.params.clone(),
                services.to_vec(),
            ))));
        }
        Ok(Provider::new(&ProviderConfig::from_settings(
            &self.settings,
        ))?)
    }

    /// A reviewer of the project's staged files that records its decisions under the settings'
    /// feature; it neither forces nor shows diffs until the caller says so.
    pub(crate) fn reviewer<'s>(
        &'s self,
        printer: &'s Printer,
        command_line: String,
    ) -> Reviewer<'s> {
        Reviewer {
            root: &self.settings.root,
            staging: &self.staging,
            store: &self.store,
            constitution: &self.constitution,
            printer,
            feature: self.settings.feature.clone(),
            command_line,
            force: false,
            show_diffs: false,
        }
    }
}

/// The command's redactor, told the values of the secret variables the project's services read
/// and the constitution names, as they are set in this environment.
fn project_redactor(
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
