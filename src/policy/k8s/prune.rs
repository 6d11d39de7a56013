//! What the cross-object rules read of an object, and nothing more: [`prune`] copies an object's
//! tree down to those fields, so a lint run keeps one small tree per object once the rules that
//! look at one object at a time are done with the whole tree ([`super::lint_documents`]).
//!
//! The fields kept ([`OBJECT`]) are those the cross-object rules and [`super::set::ObjectSet`]'s
//! indexes read: kind, name and namespace, the labels whose value names a service of the
//! constitution, pod labels, selectors, replicas and parallelism, budgets, autoscaler targets,
//! Service ports, the data keys of Secrets and ConfigMaps, and of each container its name,
//! ports, resources and env references. Marks are kept, so findings point where they
//! would on the whole tree. A cross-object rule that reads another field must add it here; the
//! test at the bottom lints every manifest fixture with whole and with pruned trees and wants the
//! same findings.
//!
//! The text gets the same treatment ([`kept_lines`]): what the last steps show of a file are the
//! lines where a kept node or a suppression starts, so a run that owns its texts keeps only
//! those lines of each, the others emptied so that line numbers hold.

use super::yaml_tree::{Data, Document, Entry, Node, Scalar};
use crate::policy::constitution::Constitution;
use crate::policy::source::{EXCERPT_MAX_LINES, Excerpts};
use crate::policy::suppress::Suppression;

/// What to keep of a node.
#[derive(Debug)]
enum Keep {
    /// The node and everything under it.
    All,
    /// A mapping's keys, each value replaced by an empty scalar at its place.
    Keys,
    /// The listed fields of a mapping, each pruned in turn.
    Fields(&'static [(&'static str, Keep)]),
    /// Each item of a sequence, pruned in turn.
    Items(&'static Keep),
    /// The listed labels of a mapping whose value names a service of the constitution (all an
    /// object's own labels tell the cross-object rules); the mapping is dropped when none does.
    ServiceLabels(&'static [&'static str]),
}

/// Of a container: what its ports, requests and references are.
const CONTAINER: Keep = Keep::Fields(&[
    ("name", Keep::All),
    ("ports", Keep::All),
    ("resources", Keep::All),
    ("env", Keep::All),
    ("envFrom", Keep::All),
]);

/// Of a pod spec: its containers and volumes (which name Secrets and ConfigMaps).
const POD_SPEC: Keep = Keep::Fields(&[
    ("containers", Keep::Items(&CONTAINER)),
    ("initContainers", Keep::Items(&CONTAINER)),
    ("volumes", Keep::All),
]);

/// Of a pod template: the labels Services and budgets select, and the pod spec.
const TEMPLATE: Keep = Keep::Fields(&[
    ("metadata", Keep::Fields(&[("labels", Keep::All)])),
    ("spec", POD_SPEC),
]);

/// Of any object.
const OBJECT: Keep = Keep::Fields(&[
    ("kind", Keep::All),
    (
        "metadata",
        Keep::Fields(&[
            ("name", Keep::All),
            ("generateName", Keep::All),
            ("namespace", Keep::All),
            // The object's own labels only tell which constitution service it belongs to.
            (
                "labels",
                Keep::ServiceLabels(&["app.kubernetes.io/name", "app"]),
            ),
        ]),
    ),
    ("data", Keep::Keys),
    ("stringData", Keep::Keys),
    ("binaryData", Keep::Keys),
    (
        "spec",
        Keep::Fields(&[
            // Workloads, budgets and autoscalers.
            ("replicas", Keep::All),
            ("parallelism", Keep::All),
            ("selector", Keep::All),
            ("minAvailable", Keep::All),
            ("maxUnavailable", Keep::All),
            ("scaleTargetRef", Keep::All),
            ("minReplicas", Keep::All),
            ("template", TEMPLATE),
            (
                "jobTemplate",
                Keep::Fields(&[(
                    "spec",
                    Keep::Fields(&[("parallelism", Keep::All), ("template", TEMPLATE)]),
                )]),
            ),
            // Services.
            ("type", Keep::All),
            ("ports", Keep::All),
            // A Pod's spec is its pod spec.
            ("containers", Keep::Items(&CONTAINER)),
            ("initContainers", Keep::Items(&CONTAINER)),
            ("volumes", Keep::All),
        ]),
    ),
]);

/// An object's tree cut down to what the cross-object rules read, as a document of its own.
pub(crate) fn prune(object: &Node, constitution: &Constitution) -> Document {
    Document {
        index: 0,
        root: pruned(object, &OBJECT, constitution),
    }
}

fn pruned(node: &Node, keep: &Keep, constitution: &Constitution) -> Node {
    let data = match (keep, &node.data) {
        (Keep::ServiceLabels(keys), Data::Map(entries)) => Data::Map(
            entries
                .iter()
                .filter(|entry| {
                    entry.key.as_str().is_some_and(|key| keys.contains(&key))
                        && entry
                            .value
                            .as_str()
                            .is_some_and(|value| constitution.services.contains_key(value))
                })
                .cloned()
                .collect(),
        ),
        (Keep::Keys, Data::Map(entries)) => Data::Map(
            entries
                .iter()
                .map(|entry| Entry {
                    key: entry.key.clone(),
                    value: Node {
                        mark: entry.value.mark,
                        end: entry.value.end,
                        data: Data::Scalar(Scalar::new("", true)),
                    },
                })
                .collect(),
        ),
        (Keep::Fields(fields), Data::Map(entries)) => Data::Map(
            entries
                .iter()
                .filter_map(|entry| {
                    let key = entry.key.as_str()?;
                    let (_, keep) = fields.iter().find(|(name, _)| *name == key)?;
                    let value = pruned(&entry.value, keep, constitution);
                    if matches!(keep, Keep::ServiceLabels(_))
                        && matches!(&value.data, Data::Map(kept) if kept.is_empty())
                    {
                        return None;
                    }
                    Some(Entry {
                        key: entry.key.clone(),
                        value,
                    })
                })
                .collect(),
        ),
        (Keep::Items(keep), Data::Seq(items)) => Data::Seq(
            items
                .iter()
                .map(|item| pruned(item, keep, constitution))
                .collect(),
        ),
        // Everything else, and a node of another shape than expected (which the rules report
        // as it is), is kept whole.
        _ => node.data.clone(),
    };
    Node {
        mark: node.mark,
        end: node.end,
        data,
    }
}

/// The text with only the lines that findings after the first pass can show: those where a node
/// of the cut-down `documents` starts (findings about objects point at a node and show its first
/// line) and those a suppression is written on (its own findings show them). Every other line is
/// emptied, its break kept, so lines and columns are the same as in the whole text.
pub(crate) fn kept_lines(
    text: &str,
    documents: &[Document],
    suppressions: &[Suppression],
    excerpts: Excerpts,
) -> String {
    let mut keep: Vec<bool> = Vec::new();
    let mut mark = |line: usize| {
        if keep.len() <= line {
            keep.resize(line + 1, false);
        }
        keep[line] = true;
    };
    for document in documents {
        mark_starts(&document.root, excerpts, &mut mark);
    }
    for suppression in suppressions {
        let spans =
            std::iter::once(suppression.span).chain(suppression.codes.iter().map(|c| c.span));
        for span in spans {
            let last = span.end.line.min(span.start.line + EXCERPT_MAX_LINES - 1);
            for line in span.start.line..=last.max(span.start.line) {
                mark(line);
            }
        }
    }
    let mut kept = String::with_capacity(text.len() / 2);
    // Each line with its break, the last one without when the text does not end with one.
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
    let mut start = 0;
    for (index, end) in ends.chain(std::iter::once(text.len())).enumerate() {
        if start == text.len() && index > 0 {
            break;
        }
        let line = &text[start..end];
        if keep.get(index + 1).copied().unwrap_or(false) {
            kept.push_str(line);
        } else if line.ends_with('\n') {
            kept.push('\n');
        }
        start = end;
    }
    kept.shrink_to_fit();
    kept
}

/// Marks the line every node of a tree (keys included) starts on. Without excerpts, a finding
/// reads a line only for its width, which its span takes when the node it points at does not end
/// after its start on that line ([`super::check::line_span`]): only those nodes' lines are marked.
fn mark_starts(node: &Node, excerpts: Excerpts, mark: &mut impl FnMut(usize)) {
    let ends_after_on_its_line =
        node.end.line == node.mark.line && node.end.column > node.mark.column;
    if excerpts == Excerpts::Shown || !ends_after_on_its_line {
        mark(node.mark.line as usize);
    }
    match &node.data {
        Data::Scalar(_) => {}
        Data::Seq(items) => items
            .iter()
            .for_each(|item| mark_starts(item, excerpts, mark)),
        Data::Map(entries) => entries.iter().for_each(|entry| {
            mark_starts(&entry.key, excerpts, mark);
            mark_starts(&entry.value, excerpts, mark);
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::policy::finding::Finding;
    use crate::policy::k8s::check::Checker;
    use crate::policy::k8s::manifest::{Manifest, ManifestText};
    use crate::policy::k8s::set::ObjectSet;
    use crate::policy::k8s::yaml_tree::Loaded;
    use crate::policy::registry::{self, Check};

    /// Every YAML and JSON file under a folder, in a stable order.
    fn manifests_under(dir: &Path, found: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                manifests_under(&path, found);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml" || ext == "json")
            {
                found.push(path);
            }
        }
    }

    /// What the cross-object rules report on a set of loaded files.
    fn cross_object_findings(
        manifests: &[Manifest<'_>],
        constitution: &Constitution,
    ) -> Vec<Finding> {
        let set = ObjectSet::new(manifests, constitution);
        let mut cx = Checker::new(&set);
        for entry in registry::RULES {
            if let Check::Set(check) = entry.check {
                check(&mut cx);
            }
        }
        let mut findings: Vec<Finding> = cx.into_findings().into_iter().map(|(_, f)| f).collect();
        findings.sort_by(Finding::report_order);
        findings
    }

    /// Every manifest fixture, with its text.
    fn fixture_texts() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut paths = Vec::new();
        manifests_under(&root, &mut paths);
        paths
            .into_iter()
            .filter_map(|path| Some((path.clone(), std::fs::read_to_string(&path).ok()?)))
            .collect()
    }

    #[test]
    fn texts_cut_to_their_kept_lines_give_the_same_findings() {
        let constitution = Constitution::preset().unwrap();
        let mut whole = fixture_texts();
        // Suppressions whose own findings show lines no cross-object rule reads.
        whole.push((
            PathBuf::from("suppressed.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    \
             aigen.dev/ignore: AG-K010\n    ignore-check.kube-linter.io/no-such-check: old\n\
             data:\n  mode: fast\n"
                .to_string(),
        ));
        let inputs: Vec<ManifestText<'_>> = whole
            .iter()
            .map(|(path, text)| ManifestText::new(path, text))
            .collect();
        let expected = crate::policy::k8s::lint_documents(&inputs, &constitution);
        // Findings carry their excerpt: the lines they show must survive the cut.
        assert!(expected.iter().filter(|f| f.excerpt.is_some()).count() > 100);
        let bytes = |texts: &[(PathBuf, String)]| texts.iter().map(|(_, t)| t.len()).sum::<usize>();
        let mut kept_bytes = Vec::new();
        for excerpts in [Excerpts::Shown, Excerpts::Omitted] {
            let passed: Vec<_> = whole
                .iter()
                .map(|(path, text)| {
                    crate::policy::k8s::first_pass(
                        path.clone(),
                        text.clone(),
                        excerpts,
                        &constitution,
                    )
                })
                .collect();
            let owned: Vec<(PathBuf, String)> = passed
                .iter()
                .map(|file| (file.path.clone(), file.text.clone()))
                .collect();
            let findings = crate::policy::k8s::lint_passed(passed, &constitution);
            assert_eq!(findings.len(), expected.len());
            for (found, wanted) in findings.iter().zip(&expected) {
                // Without excerpts, everything else (end columns read from the kept lines
                // included) is the same.
                let wanted = match excerpts {
                    Excerpts::Shown => wanted.clone(),
                    Excerpts::Omitted => Finding {
                        excerpt: None,
                        ..wanted.clone()
                    },
                };
                assert_eq!(found, &wanted);
            }
            assert!(
                bytes(&owned) * 10 < bytes(&whole) * 7,
                "the kept lines are not much smaller: {} of {} bytes",
                bytes(&owned),
                bytes(&whole)
            );
            for ((_, kept), (_, text)) in owned.iter().zip(&whole) {
                assert_eq!(kept.lines().count(), text.lines().count());
            }
            kept_bytes.push(bytes(&owned));
        }
        assert!(
            kept_bytes[1] * 4 < kept_bytes[0] * 3,
            "without excerpts, fewer lines are kept: {kept_bytes:?}"
        );
    }

    #[test]
    fn kept_lines_keep_every_line_break_with_or_without_a_final_one() {
        let constitution = Constitution::preset().unwrap();
        for text in [
            "",
            "kind: Service",
            "kind: Service\nmetadata:\n  name: web\n  note: x",
            "kind: Service\nmetadata:\n  name: web\n  note: x\n\n",
        ] {
            let loaded = crate::policy::k8s::yaml_tree::load(text);
            let documents: Vec<Document> = loaded
                .documents
                .iter()
                .map(|document| prune(&document.root, &constitution))
                .collect();
            let kept = kept_lines(text, &documents, &[], Excerpts::Shown);
            assert_eq!(
                kept.matches('\n').count(),
                text.matches('\n').count(),
                "{text:?}"
            );
            let lines: Vec<&str> = kept.split('\n').collect();
            for (line, original) in lines.iter().zip(text.split('\n')) {
                assert!(line.is_empty() || line == &original, "{text:?}: {line:?}");
            }
            assert_eq!(kept.contains("name: web"), text.contains("name: web"));
            assert!(!kept.contains("note"), "{text:?}: {kept:?}");
        }
    }

    #[test]
    fn cross_object_rules_find_the_same_on_pruned_trees() {
        let constitution = Constitution::preset().unwrap();
        let texts = fixture_texts();
        let load = || -> Vec<Manifest<'_>> {
            texts
                .iter()
                .map(|(path, text)| Manifest::load(ManifestText::new(path, text), &constitution))
                .collect()
        };
        let whole = load();
        let pruned: Vec<Manifest<'_>> = load()
            .into_iter()
            .map(|manifest| {
                let documents = ObjectSet::new(std::slice::from_ref(&manifest), &constitution)
                    .items
                    .iter()
                    .map(|item| prune(item.object.node, &constitution))
                    .collect();
                Manifest {
                    loaded: Loaded {
                        documents,
                        problems: Vec::new(),
                    },
                    ..manifest
                }
            })
            .collect();
        let expected = cross_object_findings(&whole, &constitution);
        // The fixtures exercise every cross-object rule, so the comparison means something.
        for entry in registry::RULES {
            if let Check::Set(_) = entry.check {
                assert!(
                    expected.iter().any(|f| f.code == entry.rule.code),
                    "no fixture makes {} report",
                    entry.rule.code
                );
            }
        }
        assert_eq!(cross_object_findings(&pruned, &constitution), expected);
    }
}
