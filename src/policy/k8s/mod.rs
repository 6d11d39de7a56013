//! Kubernetes manifests against the constitution.
//!
//! Start with [`lint_documents`]: it loads every YAML file of one run ([`manifest`], on the
//! span-preserving loader of [`yaml_tree`]), collects their objects into one [`set::ObjectSet`] so
//! the cross-object rules can see them all, runs the Kubernetes rules of [`registry::RULES`] (per
//! object in parallel, then per set), applies the suppressions objects declare in annotations
//! ([`annotations`]) and masks secret values in the source lines findings show ([`secrets`]).
//!
//! The building blocks: [`object`] (kinds, pod specs, containers, security settings as
//! Kubernetes resolves them), [`quantity`] (exact `250m` / `512Mi` arithmetic), [`resources`]
//! (requests and limits), [`ports`] (port numbers and names the API server accepts), [`check`]
//! (what rules report through).

use std::path::Path;

use rayon::prelude::*;

pub(crate) mod annotations;
pub mod api_versions;
pub(crate) mod check;
pub(crate) mod host_namespace;
pub(crate) mod manifest;
pub(crate) mod object;
pub(crate) mod ports;
pub(crate) mod probe;
pub(crate) mod quantity;
pub(crate) mod resources;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod secrets;
pub(crate) mod security_flag;
pub(crate) mod set;
pub mod yaml_tree;

pub use manifest::{Manifest, ManifestText};

use self::check::{Checker, line_span};
use self::set::ObjectSet;
use self::yaml_tree::YamlProblemKind;
use crate::policy::constitution::Constitution;
use crate::policy::finding::{self, Finding};
use crate::policy::registry::{self, Check};
use crate::policy::suppress;

/// The rules that run on an object whose `spec` is not a mapping
/// ([`object::Object::has_malformed_spec`]): the schema rules, which report the shape. The others
/// would only report what they cannot find in a spec they cannot read.
const SHAPE_RULES: [&registry::Rule; 5] = [
    &rules::schema_unknown_field::RULE,
    &rules::schema_type::RULE,
    &rules::schema_required::RULE,
    &rules::schema_enum::RULE,
    &rules::schema_unknown_kind::RULE,
];

/// Lints one manifest file on its own (cross-object rules see only its objects).
pub(crate) fn lint(path: &Path, text: &str, constitution: &Constitution) -> Vec<Finding> {
    lint_documents(&[ManifestText::new(path, text)], constitution)
}

/// Lints the YAML files of one run together, so cross-object rules (a Service and the
/// Deployment it selects, a `secretKeyRef` and the Secret it names) see every object. Findings
/// come back sorted by file and position.
pub fn lint_documents(files: &[ManifestText<'_>], constitution: &Constitution) -> Vec<Finding> {
    let manifests: Vec<Manifest<'_>> = files
        .par_iter()
        .map(|file| Manifest::load(*file, constitution))
        .collect();
    let set = ObjectSet::new(&manifests, constitution);
    // Findings are kept per file from the start: each file's suppressions and masks apply to
    // its own, and no list of every finding is copied around.
    let mut by_file: Vec<Vec<Finding>> = (0..manifests.len())
        .into_par_iter()
        .map(|file| {
            let mut findings = loader_findings(&set, file);
            let mut cx = Checker::new(&set);
            for item in set.items_of(file) {
                let malformed = item.object.has_malformed_spec();
                for entry in registry::RULES {
                    if let Check::Object(check) = entry.check
                        && cx.enabled(entry.rule, item)
                        && (!malformed || SHAPE_RULES.iter().any(|r| r.code == entry.rule.code))
                    {
                        check(&mut cx, item);
                    }
                }
            }
            findings.extend(cx.into_findings().into_iter().map(|(_, finding)| finding));
            findings
        })
        .collect();
    let mut cx = Checker::new(&set);
    for entry in registry::RULES {
        if let Check::Set(check) = entry.check {
            check(&mut cx);
        }
    }
    for (file, finding) in cx.into_findings() {
        by_file[file].push(finding);
    }
    let mut findings = per_file(&set, by_file);
    findings.sort_by(Finding::report_order);
    findings
}

/// Applies each file's suppressions to its findings and masks secret values in excerpts.
fn per_file(set: &ObjectSet<'_>, by_file: Vec<Vec<Finding>>) -> Vec<Finding> {
    let listed = &set.constitution.secrets;
    let mut out = Vec::with_capacity(by_file.iter().map(Vec::len).sum());
    for (file, findings) in by_file.into_iter().enumerate() {
        let manifest = &set.manifests[file];
        let items = set.items_of(file);
        let suppressions: Vec<_> = items
            .iter()
            .flat_map(|item| annotations::suppressions(item, manifest))
            .collect();
        if findings.is_empty() && suppressions.is_empty() {
            continue;
        }
        let mut findings = suppress::apply(findings, &suppressions, &manifest.file);
        if findings.len() > finding::SHOWN_PER_CODE {
            findings = finding::cap_per_code(findings);
        }
        let sensitive: Vec<_> = items
            .iter()
            .flat_map(|item| secrets::sensitive_nodes(&item.object, listed))
            .collect();
        if !sensitive.is_empty() {
            for finding in &mut findings {
                if let Some(excerpt) = finding.excerpt.as_mut() {
                    secrets::mask_excerpt(excerpt, &sensitive);
                }
            }
        }
        out.extend(findings);
    }
    out
}

/// `AG-K000`: what the loader met in one file, and documents that are not Kubernetes objects.
fn loader_findings(set: &ObjectSet<'_>, file: usize) -> Vec<Finding> {
    let rule = &rules::manifest_yaml::RULE;
    let Some(setting) = set
        .constitution
        .setting(rule.code, None)
        .filter(|s| s.enabled)
    else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    if let Some(manifest) = set.manifests.get(file) {
        let finding = |mark, message: String, help: &str| {
            Finding::new(rule.code, setting.severity, manifest.path(), message)
                .at(line_span(&manifest.file.source, mark, mark))
                .with_excerpt(&manifest.file.source)
                .with_help(help)
        };
        for problem in &manifest.loaded.problems {
            let help = match problem.kind {
                YamlProblemKind::Syntax => {
                    "fix the YAML; the documents after this point were not linted"
                }
                YamlProblemKind::DuplicateKey => {
                    "remove one of the two keys; Kubernetes keeps only the last"
                }
                YamlProblemKind::Budget => {
                    "split or simplify the file; the rest of it was not linted"
                }
            };
            findings.push(finding(problem.mark, problem.message.clone(), help));
        }
        for document in &manifest.loaded.documents {
            let root = &document.root;
            let message = if !root.is_map() {
                Some("document is not a Kubernetes object (a mapping)".to_string())
            } else {
                let missing: Vec<&str> = ["apiVersion", "kind"]
                    .into_iter()
                    .filter(|key| root.get(key).and_then(yaml_tree::Node::as_str).is_none())
                    .map(|key| {
                        if key == "kind" {
                            "`kind`"
                        } else {
                            "`apiVersion`"
                        }
                    })
                    .collect();
                (!missing.is_empty()).then(|| format!("object has no {}", missing.join(" or ")))
            };
            if let Some(message) = message {
                findings.push(finding(
                    root.mark,
                    message,
                    "every document of a manifest is an object with `apiVersion` and `kind`",
                ));
            }
        }
    }
    findings
}
