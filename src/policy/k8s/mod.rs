//! Kubernetes manifests against the constitution.
//!
//! Start with [`lint_documents`]: it loads each YAML file of one run ([`manifest`], on the
//! span-preserving loader of [`yaml_tree`]) and runs the rules of [`registry::RULES`] that look at
//! one object, file by file in parallel; keeps of each object only what the cross-object rules
//! read ([`prune`]); collects those into one [`set::ObjectSet`] so the cross-object rules see
//! every object; then applies the suppressions objects declare in annotations ([`annotations`])
//! and masks secret values in the source lines findings show ([`secrets`]).
//!
//! The building blocks: [`object`] (kinds, pod specs, containers, security settings as
//! Kubernetes resolves them), [`quantity`] (exact `250m` / `512Mi` arithmetic), [`resources`]
//! (requests and limits), [`ports`] (port numbers and names the API server accepts), [`check`]
//! (what rules report through).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub(crate) mod annotations;
pub mod api_versions;
pub(crate) mod check;
pub(crate) mod host_namespace;
mod json_stream;
pub(crate) mod manifest;
pub(crate) mod object;
pub(crate) mod ports;
pub(crate) mod probe;
mod prune;
pub(crate) mod quantity;
pub(crate) mod resources;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod secrets;
pub(crate) mod security_flag;
pub(crate) mod set;
mod yaml_repair;
pub mod yaml_tree;

pub use manifest::{Manifest, ManifestText};

use self::check::{Checker, line_span};
use self::set::ObjectSet;
use self::yaml_tree::{Loaded, YamlProblemKind};
use crate::policy::constitution::Constitution;
use crate::policy::context::FileContext;
use crate::policy::finding::{self, Finding};
use crate::policy::registry::{self, Check};
use crate::policy::source::Excerpts;
use crate::policy::suppress::{self, Suppression};
use crate::secrets::mask::Cells;

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
///
/// Two passes, so the run never holds every file's whole tree: each file alone, in parallel
/// ([`lint_alone`]), with the loader's findings and the rules that look at one object, after
/// which its tree is cut down to what the cross-object rules read ([`prune`]); then the
/// cross-object rules on the cut-down trees of every file ([`lint_together`]).
pub fn lint_documents(files: &[ManifestText<'_>], constitution: &Constitution) -> Vec<Finding> {
    let (manifests, alone): (Vec<Manifest<'_>>, Vec<Alone>) = files
        .par_iter()
        .map(|file| lint_alone(*file, constitution))
        .unzip();
    finding::merge_sorted(lint_together(manifests, alone, constitution))
}

/// One manifest file of a run that owns its texts, after the first pass ([`first_pass`]): its
/// text cut down to the lines findings can still show ([`prune::kept_lines`]), its cut-down
/// objects and what else the pass keeps. A walker that runs the first pass as it reads each
/// file never holds the whole texts of a run at once.
#[derive(Debug)]
pub(crate) struct Passed {
    path: PathBuf,
    text: String,
    excerpts: Excerpts,
    loaded: Loaded,
    example: bool,
    alone: Alone,
}

/// The first pass on one file the run owns (path as shown, text): the loader's findings and the
/// rules that look at one object; the tree and the text are then cut down.
pub(crate) fn first_pass(
    path: PathBuf,
    text: String,
    excerpts: Excerpts,
    constitution: &Constitution,
) -> Passed {
    let file = ManifestText {
        excerpts,
        ..ManifestText::new(&path, &text)
    };
    let (manifest, alone) = lint_alone(file, constitution);
    let Manifest {
        loaded, example, ..
    } = manifest;
    let text = prune::kept_lines(&text, &loaded.documents, &alone.suppressions, excerpts);
    Passed {
        path,
        text,
        excerpts,
        loaded,
        example,
        alone,
    }
}

/// [`lint_documents`] on files through [`first_pass`]: the second pass, then the texts are
/// freed before the findings of the files are merged.
pub(crate) fn lint_passed(files: Vec<Passed>, constitution: &Constitution) -> Vec<Finding> {
    let mut texts = Vec::with_capacity(files.len());
    let mut kept = Vec::with_capacity(files.len());
    let mut alone = Vec::with_capacity(files.len());
    for file in files {
        texts.push((file.path, file.text));
        kept.push((file.loaded, file.example, file.excerpts));
        alone.push(file.alone);
    }
    let manifests = texts
        .iter()
        .zip(kept)
        .map(|((path, text), (loaded, example, excerpts))| Manifest {
            file: FileContext::new(path, text, constitution, None).with_excerpts(excerpts),
            loaded,
            example,
        })
        .collect();
    let per_file = lint_together(manifests, alone, constitution);
    // Freed in parallel: one text per manifest.
    texts.into_par_iter().for_each(drop);
    finding::merge_sorted(per_file)
}

/// The second pass: the cross-object rules on the cut-down objects of every file, then each
/// file's findings finished ([`Alone::finish`]) and sorted, in the order of the files. What the
/// cross-object rules read (the index, the cut-down trees) is freed before the findings are
/// finished, so the two never take memory at the same time.
fn lint_together(
    mut manifests: Vec<Manifest<'_>>,
    mut alone: Vec<Alone>,
    constitution: &Constitution,
) -> Vec<Vec<Finding>> {
    let set = ObjectSet::new(&manifests, constitution);
    // The cross-object rules are independent of each other: each runs on its own thread.
    let cross: Vec<Vec<(usize, Finding)>> = registry::RULES
        .par_iter()
        .filter_map(|entry| match entry.check {
            Check::Set(check) => Some(check),
            _ => None,
        })
        .map(|check| {
            let mut cx = Checker::new(&set);
            check(&mut cx);
            cx.into_findings()
        })
        .collect();
    drop(set);
    for (file, finding) in cross.into_iter().flatten() {
        alone[file].findings.push(finding);
    }
    // Freed in parallel: a run's trees are millions of small allocations.
    manifests
        .par_iter_mut()
        .for_each(|manifest| drop(std::mem::take(&mut manifest.loaded)));
    let findings = alone
        .into_par_iter()
        .zip(&manifests)
        .map(|(alone, manifest)| {
            let mut findings = alone.finish(manifest);
            findings.sort_by(Finding::report_order);
            findings
        })
        .collect();
    manifests.into_par_iter().for_each(drop);
    findings
}

/// What the first pass keeps of one file besides its cut-down objects: its findings so far, and
/// what the last step needs of the whole tree (suppressions, the places of secret values).
#[derive(Debug)]
struct Alone {
    findings: Vec<Finding>,
    suppressions: Vec<Suppression>,
    sensitive: Vec<Cells>,
}

/// The first pass on one file: loads it, reports what the loader met and runs the rules that
/// look at one object, then cuts its objects down to what the cross-object rules read.
fn lint_alone<'a>(file: ManifestText<'a>, constitution: &'a Constitution) -> (Manifest<'a>, Alone) {
    let manifest = Manifest::load(file, constitution);
    let set = ObjectSet::new(std::slice::from_ref(&manifest), constitution);
    let mut findings = loader_findings(&set, 0);
    let mut cx = Checker::new(&set);
    for item in &set.items {
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
    let suppressions = set
        .items
        .iter()
        .flat_map(|item| annotations::suppressions(item, &manifest))
        .collect();
    let sensitive = set
        .items
        .iter()
        .flat_map(|item| secrets::sensitive_cells(&item.object, &constitution.secrets))
        .collect();
    let documents = set
        .items
        .iter()
        .map(|item| prune::prune(item.object.node, constitution))
        .collect();
    let Manifest { file, example, .. } = manifest;
    let kept = Manifest {
        file,
        loaded: Loaded {
            documents,
            problems: Vec::new(),
        },
        example,
    };
    let alone = Alone {
        findings,
        suppressions,
        sensitive,
    };
    (kept, alone)
}

impl Alone {
    /// The file's findings with its suppressions applied, at most [`finding::SHOWN_PER_CODE`] of
    /// a code, and secret values masked in their excerpts.
    fn finish(self, manifest: &Manifest<'_>) -> Vec<Finding> {
        let Self {
            findings,
            suppressions,
            sensitive,
        } = self;
        if findings.is_empty() && suppressions.is_empty() {
            return Vec::new();
        }
        let mut findings = suppress::apply(findings, &suppressions, &manifest.file);
        if findings.len() > finding::SHOWN_PER_CODE {
            findings = finding::cap_per_code(findings);
        }
        if !sensitive.is_empty() {
            for finding in &mut findings {
                if let Some(excerpt) = finding.excerpt.as_mut() {
                    secrets::mask_excerpt(excerpt, &sensitive);
                }
            }
        }
        findings
    }
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
