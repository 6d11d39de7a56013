//! Helm charts against the constitution.
//!
//! Start with [`lint_chart`]: it checks the chart's own files (the `AG-K20x` rules of
//! [`rules`], one per file), then renders the chart with `helm template` ([`render`]) and lints
//! the rendered objects with the Kubernetes rules, as one set, each finding moved back to the
//! template it came from. Without `helm` on `PATH` the chart's files are still checked and
//! `AG-K206` says what to install.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::policy::constitution::Constitution;
use crate::policy::finding::{Finding, Reported};
use crate::policy::k8s::check::line_span;
use crate::policy::k8s::yaml_tree::{self, Node};
use crate::policy::registry::{self, Check, Rule};
use crate::policy::severity::Severity;
use crate::policy::source::SourceFile;

pub(crate) mod render;
pub(crate) mod rules;

/// How to render a chart.
#[derive(Debug, Clone, Default)]
pub struct ChartOptions {
    /// A values file given with `--values`, over the chart's `values.yaml`.
    pub values: Option<PathBuf>,
    /// The `helm` program (default: `helm`, looked up on `PATH`).
    pub helm: Option<OsString>,
}

/// True when a directory is a Helm chart (it holds a `Chart.yaml`).
pub fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// Lints a chart directory: its files, then its rendered manifests. `dir` is used as given in
/// the paths of findings. Findings come back sorted.
pub fn lint_chart(dir: &Path, options: &ChartOptions, constitution: &Constitution) -> Vec<Finding> {
    let mut cx = ChartCx {
        dir,
        constitution,
        findings: Vec::new(),
    };
    for entry in registry::RULES {
        if let Check::Chart(check) = entry.check
            && cx.enabled(entry.rule)
        {
            check(&mut cx);
        }
    }
    render::lint_rendered(&mut cx, options);
    let mut findings = cx.findings;
    findings.sort_by(Finding::report_order);
    findings
}

/// A file of the chart, read.
#[derive(Debug)]
pub(crate) struct ChartFile {
    /// The path findings carry.
    pub path: PathBuf,
    pub text: String,
}

/// What the chart rules report through: the chart directory, the constitution, the findings.
#[derive(Debug)]
pub(crate) struct ChartCx<'a> {
    pub dir: &'a Path,
    pub constitution: &'a Constitution,
    findings: Vec<Finding>,
}

impl ChartCx<'_> {
    /// True when the constitution leaves the rule on.
    pub(crate) fn enabled(&self, rule: &Rule) -> bool {
        self.severity(rule).is_some()
    }

    /// The rule's severity, when the constitution leaves it on.
    fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.constitution
            .setting(rule.code, None)
            .filter(|s| s.enabled)
            .map(|s| s.severity)
    }

    /// Adds the finding `make` gives for the rule's severity, when the rule is on.
    fn push(&mut self, rule: &Rule, make: impl FnOnce(Severity) -> Finding) -> Reported<'_> {
        let Some(severity) = self.severity(rule) else {
            return Reported::new(None);
        };
        self.findings.push(make(severity));
        Reported::new(self.findings.last_mut())
    }

    /// Reads a file of the chart (`None` when it does not exist or cannot be read as text).
    pub(crate) fn read(&self, name: &str) -> Option<ChartFile> {
        let path = self.dir.join(name);
        let text = std::fs::read_to_string(&path).ok()?;
        Some(ChartFile { path, text })
    }

    /// The chart directory's own name.
    pub(crate) fn directory_name(&self) -> String {
        let dir = if self.dir.as_os_str().is_empty() || self.dir == Path::new(".") {
            std::env::current_dir().unwrap_or_default()
        } else {
            self.dir.to_path_buf()
        };
        dir.canonicalize()
            .unwrap_or(dir)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The values files of the chart directory (`values.yaml`, `values-dev.yaml`, ...).
    pub(crate) fn values_files(&self) -> Vec<String> {
        list(self.dir)
            .into_iter()
            .filter(|name| {
                name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))
            })
            .collect()
    }

    /// The names in `templates/`, when it is a directory.
    pub(crate) fn templates(&self) -> Option<Vec<String>> {
        let dir = self.dir.join("templates");
        dir.is_dir().then(|| list(&dir))
    }

    /// Loads a chart file's first YAML document; YAML problems are reported under `rule`.
    /// `None` when the file does not load.
    pub(crate) fn parse(&mut self, rule: &Rule, file: &ChartFile) -> Option<Node> {
        let loaded = yaml_tree::load(&file.text);
        if !loaded.problems.is_empty() {
            for problem in &loaded.problems {
                let message = format!(
                    "`{}` is not valid YAML: {}",
                    file_name(&file.path),
                    problem.message
                );
                self.report_mark(rule, file, problem.mark, problem.mark, message)
                    .help("fix the YAML");
            }
            return None;
        }
        let root = loaded.documents.into_iter().next().map(|d| d.root);
        Some(root.unwrap_or(Node {
            mark: yaml_tree::Mark::new(1, 1),
            end: yaml_tree::Mark::new(1, 1),
            data: yaml_tree::Data::Scalar(yaml_tree::Scalar::new("", true)),
        }))
    }

    /// Reports a finding at a node of a chart file.
    pub(crate) fn report(
        &mut self,
        rule: &Rule,
        file: &ChartFile,
        node: &Node,
        message: impl Into<String>,
    ) -> Reported<'_> {
        self.report_mark(rule, file, node.mark, node.end, message)
    }

    /// Reports a finding at the first line of a chart file.
    pub(crate) fn report_top(
        &mut self,
        rule: &Rule,
        file: &ChartFile,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let start = yaml_tree::Mark::new(1, 1);
        self.report_mark(rule, file, start, start, message)
    }

    /// Reports a finding at a line and column of a chart file.
    pub(crate) fn report_at(
        &mut self,
        rule: &Rule,
        file: &ChartFile,
        mark: yaml_tree::Mark,
        message: impl Into<String>,
    ) -> Reported<'_> {
        self.report_mark(rule, file, mark, mark, message)
    }

    fn report_mark(
        &mut self,
        rule: &Rule,
        file: &ChartFile,
        start: yaml_tree::Mark,
        end: yaml_tree::Mark,
        message: impl Into<String>,
    ) -> Reported<'_> {
        self.push(rule, |severity| {
            let source = SourceFile::new(&file.text);
            Finding::new(rule.code, severity, &file.path, message)
                .at(line_span(&source, start, end))
                .with_excerpt(&source)
        })
    }

    /// Reports a finding about a whole file of the chart (which may not exist).
    pub(crate) fn report_file(
        &mut self,
        rule: &Rule,
        name: &str,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let path = self.dir.join(name);
        self.push(rule, |severity| {
            Finding::new(rule.code, severity, path, message)
        })
    }

    /// Adds findings made elsewhere (the rendered manifests').
    pub(crate) fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }
}

/// The names of a directory's entries, sorted.
fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
