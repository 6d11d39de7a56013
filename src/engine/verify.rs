//! One service's image, built and (when asked) run and judged, as `aigen build`, `aigen verify`,
//! `aigen check --images` and the `--verify` of the generating commands all do it: the plan of
//! the context, the build, the size rule of the constitution, the run with the manifests'
//! settings, and the Prompt History Record of it all.

use std::path::Path;
use std::time::Duration;

use super::context::ContextPlan;
use super::peers::Peers;
use super::run_settings::RunSettings;
use super::verdict::ImageVerdict;
use super::{BuildRequest, Engine, RunRequest, build_image, run_image};
use crate::detect::{Peer, Service};
use crate::error::Result;
use crate::hash::sha256_hex;
use crate::phr::{self, NewRecord, Outcome, Reference, Relation, Stage, Store};
use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::parser;
use crate::policy::{Constitution, Finding, image};
use crate::secrets::Redactor;

/// A service's Dockerfile to build, and where its text came from.
#[derive(Debug, Clone)]
pub(crate) struct ImageSource {
    /// The Dockerfile's path, relative to the project root.
    pub dockerfile: String,
    pub text: String,
    /// The text of `<dockerfile>.dockerignore` when it is staged with it; `None`: read from disk.
    pub ignore: Option<String>,
    /// `staged` or `applied`.
    pub origin: &'static str,
    /// The record that produced the Dockerfile, when known.
    pub record: Option<String>,
}

/// How images are checked.
#[derive(Debug, Clone)]
pub(crate) struct CheckOptions {
    /// Run and judge the built image.
    pub run: bool,
    pub build_timeout: Duration,
    pub run_timeout: Duration,
    /// Build without the engine's layer cache.
    pub no_cache: bool,
}

/// A checked image: the verdict and the findings of the image rules.
#[derive(Debug, Clone)]
pub(crate) struct CheckedImage {
    pub service: String,
    pub verdict: ImageVerdict,
    pub findings: Vec<Finding>,
    /// The size limit of the service's class, as written, when it has one.
    pub limit: Option<String>,
}

impl CheckedImage {
    /// True when it built, its run (if any) passed, and no image rule found an error.
    pub(crate) fn passed(&self) -> bool {
        self.verdict.passed()
            && self
                .findings
                .iter()
                .all(|f| f.severity != crate::policy::Severity::Error)
    }

    /// The summary line, with the findings' codes.
    pub(crate) fn summary(&self) -> String {
        let mut text = self.verdict.summary();
        for finding in &self.findings {
            text.push_str(&format!("; {} {}", finding.code, finding.severity));
        }
        text
    }
}

/// Everything checking an image needs besides the image.
pub(crate) struct Checker<'a> {
    pub engine: &'a Engine,
    pub root: &'a Path,
    pub constitution: &'a Constitution,
    pub redactor: &'a Redactor,
    pub options: CheckOptions,
    /// Called with progress lines (steps of the build, the start of the run).
    pub progress: &'a dyn Fn(&str),
}

impl Checker<'_> {
    /// Builds a service's image from `source`, tagged `tag`, and runs it when asked, with the
    /// settings the manifests (`(path, text)`) give it.
    pub(crate) fn check(
        &self,
        service: &Service,
        source: &ImageSource,
        tag: &str,
        manifests: &[(String, String)],
    ) -> Result<CheckedImage> {
        let plan = ContextPlan::new(
            self.root,
            &source.dockerfile,
            source.text.clone(),
            source.ignore.clone(),
        );
        let build = build_image(
            self.engine,
            &BuildRequest {
                service: &service.name,
                plan: &plan,
                source: source.origin,
                tag,
                timeout: self.options.build_timeout,
                no_cache: self.options.no_cache,
                redactor: self.redactor,
                progress: self.progress,
            },
        )?;
        let mut findings = Vec::new();
        if let Some(size) = build.size_bytes
            && let Some(finding) = image::size_finding(
                self.constitution,
                &service.name,
                Path::new(&source.dockerfile),
                &source.text,
                size,
                build.stand_in,
            )
        {
            findings.push(finding);
        }
        if !build.built {
            let mut message = format!(
                "the image did not build: {}",
                build.summary().trim_start_matches("no: ")
            );
            if let (Some(error), false) = (&build.error, build.cancelled) {
                message.push_str(&format!(": {}", error.lines().next().unwrap_or("")));
            }
            findings.extend(image::build_finding(
                self.constitution,
                &service.name,
                Path::new(&source.dockerfile),
                build.failed_step.as_ref().and_then(|s| s.line),
                message,
                &build.log_tail,
            ));
        }
        let run = match (&build.image_id, self.options.run) {
            (Some(image), true) => {
                (self.progress)(&format!("running {} ({image})", service.name));
                let settings = RunSettings::for_service(service, manifests, self.redactor);
                let declared: Vec<Peer> =
                    service.depends_on.iter().map(|p| p.value.clone()).collect();
                let peers = Peers::start(self.engine, &service.name, &declared, &settings)?;
                for line in &peers.report {
                    (self.progress)(&format!("peer {line}"));
                }
                let ran = run_image(
                    self.engine,
                    &RunRequest {
                        service: &service.name,
                        image,
                        kind: service.kind.value,
                        port: service.port.as_ref().map(|p| p.value),
                        liveness: service.health_path.as_ref().map(|p| p.value.as_str()),
                        readiness: service.readiness_path.as_ref().map(|p| p.value.as_str()),
                        settings: &settings,
                        network: peers.network(),
                        peers: peers.report.clone(),
                        helper_images: stage_images(&source.text),
                        timeout: self.options.run_timeout,
                        redactor: self.redactor,
                    },
                );
                peers.remove(self.engine);
                Some(ran?)
            }
            _ => None,
        };
        if let Some(run) = run.as_ref().filter(|r| !r.passed()) {
            let message = format!("the container was judged {}", run.details());
            findings.extend(image::run_finding(
                self.constitution,
                &service.name,
                Path::new(&source.dockerfile),
                &source.text,
                message,
                &run.logs,
            ));
        }
        Ok(CheckedImage {
            service: service.name.clone(),
            verdict: ImageVerdict { build, run },
            findings,
            limit: image::size_limit(self.constitution, &service.name).map(|(text, _)| text),
        })
    }
}

/// The images a Dockerfile's stages start from (not earlier stages, not `scratch`), last first:
/// the candidates for a probe helper.
pub fn stage_images(text: &str) -> Vec<String> {
    let parsed = parser::parse(text);
    let mut stages: Vec<String> = Vec::new();
    let mut images: Vec<String> = Vec::new();
    for from in parsed
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::From)
    {
        let words: Vec<&str> = from.args().split_whitespace().collect();
        let Some(image) = words.first() else { continue };
        if let Some(position) = words.iter().position(|w| w.eq_ignore_ascii_case("as"))
            && let Some(name) = words.get(position + 1)
        {
            stages.push(name.to_ascii_lowercase());
        }
        let known_stage = stages[..stages.len().saturating_sub(1)]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(image));
        if !known_stage && *image != "scratch" && !image.contains('$') {
            images.push((*image).to_string());
        }
    }
    images.reverse();
    images.dedup();
    images
}

/// Appends the record of a checked image: what was built from which Dockerfile (its hash), with
/// which builder and settings (names only), and the verdict: image ID, size, duration, run.
pub(crate) fn record(
    store: &Store,
    checked: &CheckedImage,
    source: &ImageSource,
    feature: Option<String>,
    command_line: String,
) -> Result<String> {
    let verdict = &checked.verdict;
    let build = &verdict.build;
    let mut tests = vec![format!(
        "aigen build {}: {} ({})",
        build.dockerfile,
        if build.built { "PASS" } else { "FAIL" },
        build.summary()
    )];
    if let Some(limit) = &checked.limit {
        tests.push(format!(
            "image size within {limit}: {}",
            if checked.findings.is_empty() {
                "PASS"
            } else {
                "FAIL"
            }
        ));
    }
    if let Some(run) = &verdict.run {
        tests.push(format!(
            "aigen verify {}: {} ({})",
            checked.service,
            if run.passed() { "PASS" } else { "FAIL" },
            run.summary()
        ));
    }
    tests.extend(
        checked
            .findings
            .iter()
            .map(|f| format!("{}: FAIL", f.short())),
    );
    let prompt = format!(
        "Build the image of service `{}` from {} ({}, sha256 {}) with the {} builder{}.",
        checked.service,
        source.dockerfile,
        source.origin,
        sha256_hex(source.text.as_bytes()),
        build.builder,
        match &verdict.run {
            Some(run) => format!(
                ", then run it as {} with a read-only root filesystem, {}, writable {} and throwaway values for {}, and judge it",
                run.user,
                if run.peers.is_empty() {
                    "no network".to_string()
                } else {
                    format!(
                        "no network but the loopback it shares with its peers ({})",
                        run.peers.join("; ")
                    )
                },
                if run.writable.is_empty() {
                    "nothing".to_string()
                } else {
                    run.writable.join(", ")
                },
                if run.throwaway_secrets.is_empty() {
                    "no secret".to_string()
                } else {
                    run.throwaway_secrets.join(", ")
                }
            ),
            None => String::new(),
        }
    );
    let response = format!(
        "{}\n\n```json\n{}\n```\n",
        checked.summary(),
        serde_json::to_string_pretty(verdict).unwrap_or_default()
    );
    let outcome = if checked.passed() {
        Outcome::Ok
    } else {
        Outcome::Failed(checked.summary())
    };
    let record = NewRecord {
        feature: feature.clone(),
        labels: vec!["build".into(), checked.service.clone()],
        prompt,
        response,
        files: vec![source.dockerfile.clone()],
        tests,
        command: Some(if verdict.run.is_some() {
            "aigen verify".to_string()
        } else {
            "aigen build".to_string()
        }),
        provider: Some("docker-engine".into()),
        command_line: Some(command_line),
        artifacts: vec![phr::Artifact::of(
            &source.dockerfile,
            source.text.as_bytes(),
        )],
        latency_ms: Some(build.duration_ms + verdict.run.as_ref().map_or(0, |r| r.duration_ms)),
        outcome,
        reference: source.record.clone().map(|record| Reference {
            relation: Relation::Answers,
            record,
        }),
        ..NewRecord::new(
            format!("Image of {}: {}", checked.service, checked.summary()),
            Stage::of_work(feature.as_deref()),
        )
    };
    Ok(store.append(record)?.reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_images_are_the_bases_not_the_stages() {
        let text = "FROM golang:1.23-alpine AS build\nRUN go build\nFROM build AS test\nFROM scratch AS empty\nFROM alpine:3.20\nCOPY --from=build /app /app\n";
        assert_eq!(stage_images(text), ["alpine:3.20", "golang:1.23-alpine"]);
    }
}
