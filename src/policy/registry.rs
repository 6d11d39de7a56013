//! The rule registry: one table of every rule aigen knows, by stable code.
//!
//! A [`Rule`] is the metadata of a check: its code (`AG-D003`), a kebab-case name, what it applies
//! to, its default [`Severity`], a one-line summary, its documentation and the codes of other tools
//! it corresponds to. Rules are declared with [`declare_rule!`], which takes the rule's doc comment
//! as its documentation, so the text `aigen lint --explain <code>` prints is the doc comment.
//!
//! [`RULES`] is the one table of them: every rule's metadata with the check that runs it
//! ([`Check`]), for Dockerfiles, Kubernetes objects, Helm charts and suppressions alike. Each
//! engine runs the entries of its shape; `--list-rules`, `--explain`, SARIF rule metadata, the
//! constitution's rule settings and the documentation tests read the same table. The rules
//! themselves live one per file in the `rules/` folder of their kind
//! (`dockerfile/rules/`, `k8s/rules/`, `helm/rules/`, `suppress/rules/`).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::dockerfile::checker::Checker as DockerfileChecker;
use super::dockerfile::rules as d;
use super::helm::{ChartCx, rules as h};
use super::image::rules as i;
use super::k8s::check::Checker as KubernetesChecker;
use super::k8s::rules as k;
use super::k8s::set::Item;
use super::severity::Severity;
use super::suppress::rules as s;

/// What kind of file a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Dockerfiles and Containerfiles.
    Dockerfile,
    /// Kubernetes manifests and rendered Helm charts.
    Kubernetes,
    /// Any file aigen lints (suppression bookkeeping).
    Any,
    /// An image built from a Dockerfile (`aigen build`).
    Image,
}

impl Target {
    /// The lowercase name shown in `--list-rules`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::Kubernetes => "kubernetes",
            Self::Any => "any",
            Self::Image => "image",
        }
    }
}

/// A rule of another tool that a rule of aigen corresponds to. Hadolint codes are also honoured
/// in `# hadolint ignore=` pragmas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alias {
    /// A hadolint rule (`DL3006`).
    Hadolint(&'static str),
    /// A checkov check (`CKV_DOCKER_2`).
    Checkov(&'static str),
    /// A Docker BuildKit build check (`JSONArgsRecommended`).
    BuildKit(&'static str),
    /// A kube-linter check (`run-as-non-root`).
    KubeLinter(&'static str),
    /// A Polaris check (`runAsRootAllowed`).
    Polaris(&'static str),
    /// A kube-score check (`container-resources`).
    KubeScore(&'static str),
}

impl Alias {
    /// The tool's name.
    pub(crate) fn tool(self) -> &'static str {
        match self {
            Self::Hadolint(_) => "hadolint",
            Self::Checkov(_) => "checkov",
            Self::BuildKit(_) => "buildkit",
            Self::KubeLinter(_) => "kube-linter",
            Self::Polaris(_) => "polaris",
            Self::KubeScore(_) => "kube-score",
        }
    }

    /// The rule's identifier in that tool.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::Hadolint(id)
            | Self::Checkov(id)
            | Self::BuildKit(id)
            | Self::KubeLinter(id)
            | Self::Polaris(id)
            | Self::KubeScore(id) => id,
        }
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.tool(), self.id())
    }
}

/// A rule's parameters after the constitution has been read: a value of the rule's own
/// parameter type, shared by every file linted with that constitution.
pub(crate) type ParamValue = Arc<dyn Any + Send + Sync>;

/// How a rule reads its parameters from the constitution.
#[derive(Clone, Copy)]
pub struct Params {
    parse: fn(Option<&serde_json::Value>) -> Result<ParamValue, String>,
}

impl Params {
    /// Reads parameters from the constitution's entry for the rule (`None`: the defaults).
    pub(crate) fn parse(&self, raw: Option<&serde_json::Value>) -> Result<ParamValue, String> {
        (self.parse)(raw)
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Params")
    }
}

/// The parameters of a rule are read into `P`; `P::default()` when the constitution gives none.
pub(crate) const fn params<P>() -> Params
where
    P: DeserializeOwned + Default + Send + Sync + 'static,
{
    Params {
        parse: parse_params::<P>,
    }
}

fn parse_params<P>(raw: Option<&serde_json::Value>) -> Result<ParamValue, String>
where
    P: DeserializeOwned + Default + Send + Sync + 'static,
{
    let value: P = match raw {
        None => P::default(),
        Some(raw) => serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?,
    };
    Ok(Arc::new(value))
}

/// The parameter type of rules that take none: any parameter is an error.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoParams {}

/// One rule's metadata. Declare rules with [`declare_rule!`].
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable code: `AG-D…` for Dockerfiles (`AG-D1…` for the images built from them), `AG-K…`
    /// for Kubernetes, `AG-S…` for suppressions.
    pub code: &'static str,
    /// Kebab-case name saying what the rule allows or requires (`pinned-base-image`).
    pub name: &'static str,
    /// What kind of file it checks.
    pub target: Target,
    /// Severity unless the constitution says otherwise.
    pub severity: Severity,
    /// One line: what the rule requires.
    pub summary: &'static str,
    /// The documentation (the rule's doc comment): What it does / Why is this bad? / Example /
    /// Use instead / Options / References.
    pub docs: &'static str,
    /// The rules of other tools it corresponds to.
    pub aliases: &'static [Alias],
    /// How it reads its parameters.
    pub params: Params,
}

impl Rule {
    /// The rules of other tools it corresponds to, as `--explain` and the documentation list
    /// them (`hadolint DL3006, checkov CKV_DOCKER_7`); empty when there are none.
    pub(crate) fn corresponds_to(&self) -> String {
        let aliases: Vec<String> = self.aliases.iter().map(ToString::to_string).collect();
        aliases.join(", ")
    }

    /// The documentation as Markdown, with the doc-comment indentation removed.
    pub fn documentation(&self) -> String {
        let mut text = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text
    }

    /// What `aigen lint --explain` prints (and the MCP tool `explain_rule` returns): a heading
    /// with code and name, the summary, severity, target and corresponding rules, then the
    /// documentation.
    pub fn explanation(&self) -> String {
        let mut text = format!(
            "# {} ({})\n\n{}\n\nDefault severity: {}\nApplies to: {}\n",
            self.code,
            self.name,
            self.summary,
            self.severity,
            self.target.as_str()
        );
        if !self.aliases.is_empty() {
            text.push_str(&format!("Corresponds to: {}\n", self.corresponds_to()));
        }
        text.push('\n');
        text.push_str(self.documentation().trim_end());
        text
    }

    /// The rule as `aigen lint --list-rules --format json` lists it.
    pub(crate) fn listing(&self) -> Listing {
        Listing {
            code: self.code,
            name: self.name,
            target: self.target.as_str(),
            severity: self.severity,
            summary: self.summary,
            aliases: self.aliases.iter().map(ToString::to_string).collect(),
        }
    }
}

/// One rule as listings show it: code, name, target, default severity, summary and the rules of
/// other tools it corresponds to.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct Listing {
    /// Stable code (`AG-D003`).
    pub code: &'static str,
    /// Kebab-case name (`pinned-base-image`).
    pub name: &'static str,
    /// `dockerfile`, `kubernetes` or `any`.
    pub target: &'static str,
    /// Severity unless the constitution says otherwise.
    pub severity: Severity,
    /// What the rule requires, in one line.
    pub summary: &'static str,
    /// Corresponding rules of other tools (`hadolint DL3006`).
    pub aliases: Vec<String>,
}

/// Declares a rule: its doc comment becomes [`Rule::docs`].
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub(crate) const RULE = {
///         code: "AG-D013",
///         name: "absolute-workdir",
///         target: Dockerfile,
///         severity: Error,
///         summary: "`WORKDIR` paths are absolute",
///         aliases: [Hadolint("DL3000"), BuildKit("WorkdirRelativePath")],
///         params: NoParams,
///     };
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis const $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            target: $target:ident,
            severity: $severity:ident,
            summary: $summary:literal,
            aliases: [$($alias:ident($alias_id:literal)),* $(,)?],
            params: $params:ty $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        $vis const $ident: $crate::policy::registry::Rule = $crate::policy::registry::Rule {
            code: $code,
            name: $name,
            target: $crate::policy::registry::Target::$target,
            severity: $crate::policy::severity::Severity::$severity,
            summary: $summary,
            docs: concat!($($doc, "\n"),+),
            aliases: &[$($crate::policy::registry::Alias::$alias($alias_id)),*],
            params: $crate::policy::registry::params::<$params>(),
        };
    };
}
pub(crate) use declare_rule;

/// How a rule runs: which engine calls its check, and with what.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// On a parsed Dockerfile ([`super::dockerfile::lint_with`]).
    Dockerfile(fn(&mut DockerfileChecker<'_>)),
    /// On each Kubernetes object of a set, in parallel ([`super::k8s::lint_documents`]).
    Object(fn(&mut KubernetesChecker<'_, '_>, &Item<'_>)),
    /// Once over every Kubernetes object linted together.
    Set(fn(&mut KubernetesChecker<'_, '_>)),
    /// On a Helm chart's own files ([`super::helm::lint_chart`]).
    Chart(fn(&mut ChartCx<'_>)),
    /// Not a check of its own: reported where the problem is met (the manifest loader, the
    /// chart renderer, the suppression bookkeeping).
    Engine,
}

/// One rule of the registry: its metadata and how it runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleEntry {
    pub rule: &'static Rule,
    pub check: Check,
}

const fn engine(rule: &'static Rule) -> RuleEntry {
    RuleEntry {
        rule,
        check: Check::Engine,
    }
}

const fn dockerfile(rule: &'static Rule, check: fn(&mut DockerfileChecker<'_>)) -> RuleEntry {
    RuleEntry {
        rule,
        check: Check::Dockerfile(check),
    }
}

const fn object(
    rule: &'static Rule,
    check: fn(&mut KubernetesChecker<'_, '_>, &Item<'_>),
) -> RuleEntry {
    RuleEntry {
        rule,
        check: Check::Object(check),
    }
}

const fn set(rule: &'static Rule, check: fn(&mut KubernetesChecker<'_, '_>)) -> RuleEntry {
    RuleEntry {
        rule,
        check: Check::Set(check),
    }
}

const fn chart(rule: &'static Rule, check: fn(&mut ChartCx<'_>)) -> RuleEntry {
    RuleEntry {
        rule,
        check: Check::Chart(check),
    }
}

/// Every rule aigen knows, in the order `--list-rules` shows them: suppressions, Dockerfile
/// rules, Kubernetes rules (per object, across objects), Helm chart rules. Add a rule by adding
/// its file under the `rules/` folder of its kind and its line here; the tests then insist on
/// its documentation and its fixtures.
pub(crate) static RULES: &[RuleEntry] = &[
    // Suppressions (reported while suppressions are applied).
    engine(&s::suppression_reason::RULE),
    engine(&s::unused_suppression::RULE),
    engine(&s::unknown_suppressed_rule::RULE),
    // Dockerfiles.
    dockerfile(&d::syntax::RULE, d::syntax::check),
    dockerfile(&d::multi_stage::RULE, d::multi_stage::check),
    dockerfile(&d::allowed_base_image::RULE, d::allowed_base_image::check),
    dockerfile(&d::pinned_base_image::RULE, d::pinned_base_image::check),
    dockerfile(&d::non_root_user::RULE, d::non_root_user::check),
    dockerfile(&d::user_exists::RULE, d::user_exists::check),
    dockerfile(&d::healthcheck::RULE, d::healthcheck::check),
    dockerfile(&d::healthcheck_options::RULE, d::healthcheck_options::check),
    dockerfile(&d::expose_service_port::RULE, d::expose_service_port::check),
    dockerfile(&d::exec_form::RULE, d::exec_form::check),
    dockerfile(&d::secret_in_arg_env::RULE, d::secret_in_arg_env::check),
    dockerfile(&d::secret_file_copy::RULE, d::secret_file_copy::check),
    dockerfile(&d::copy_instead_of_add::RULE, d::copy_instead_of_add::check),
    dockerfile(&d::absolute_workdir::RULE, d::absolute_workdir::check),
    dockerfile(
        &d::apt_no_install_recommends::RULE,
        d::apt_no_install_recommends::check,
    ),
    dockerfile(&d::apt_lists_cleanup::RULE, d::apt_lists_cleanup::check),
    dockerfile(&d::apk_no_cache::RULE, d::apk_no_cache::check),
    dockerfile(&d::pip_no_cache_dir::RULE, d::pip_no_cache_dir::check),
    dockerfile(&d::lockfile_install::RULE, d::lockfile_install::check),
    dockerfile(&d::apt_get_yes::RULE, d::apt_get_yes::check),
    dockerfile(&d::apt_get_not_apt::RULE, d::apt_get_not_apt::check),
    dockerfile(&d::no_sudo::RULE, d::no_sudo::check),
    dockerfile(&d::dockerignore::RULE, d::dockerignore::check),
    dockerfile(&d::copy_chown::RULE, d::copy_chown::check),
    dockerfile(&d::copy_from_stage::RULE, d::copy_from_stage::check),
    dockerfile(&d::unique_stage_names::RULE, d::unique_stage_names::check),
    dockerfile(&d::no_cd_in_run::RULE, d::no_cd_in_run::check),
    dockerfile(&d::consecutive_run::RULE, d::consecutive_run::check),
    dockerfile(&d::pipefail::RULE, d::pipefail::check),
    dockerfile(
        &d::maintainer_deprecated::RULE,
        d::maintainer_deprecated::check,
    ),
    dockerfile(&d::unknown_instruction::RULE, d::unknown_instruction::check),
    dockerfile(
        &d::repeated_instruction::RULE,
        d::repeated_instruction::check,
    ),
    dockerfile(&d::no_localhost_url::RULE, d::no_localhost_url::check),
    dockerfile(
        &d::copy_destination_directory::RULE,
        d::copy_destination_directory::check,
    ),
    dockerfile(
        &d::copy_relative_without_workdir::RULE,
        d::copy_relative_without_workdir::check,
    ),
    // Built images (reported by the image builder).
    engine(&i::image_size::RULE),
    engine(&i::image_builds::RULE),
    engine(&i::image_runs::RULE),
    // Kubernetes objects, one at a time (`AG-K000` is reported by the manifest loader).
    engine(&k::manifest_yaml::RULE),
    // (over the whole set: an autoscaler in another file may raise the minimum)
    set(&k::minimum_replicas::RULE, k::minimum_replicas::check),
    object(&k::rolling_update::RULE, k::rolling_update::check),
    object(&k::resources_set::RULE, k::resources_set::check),
    object(
        &k::resources_within_class::RULE,
        k::resources_within_class::check,
    ),
    object(&k::liveness_probe::RULE, k::liveness_probe::check),
    object(&k::readiness_probe::RULE, k::readiness_probe::check),
    object(&k::probe_port::RULE, k::probe_port::check),
    object(&k::run_as_non_root::RULE, k::run_as_non_root::check),
    object(
        &k::no_privilege_escalation::RULE,
        k::no_privilege_escalation::check,
    ),
    object(
        &k::read_only_root_filesystem::RULE,
        k::read_only_root_filesystem::check,
    ),
    object(&k::capabilities::RULE, k::capabilities::check),
    object(&k::privileged::RULE, k::privileged::check),
    object(&k::seccomp_profile::RULE, k::seccomp_profile::check),
    object(&k::image_tag::RULE, k::image_tag::check),
    object(&k::literal_secrets::RULE, k::literal_secrets::check),
    object(&k::secret_data::RULE, k::secret_data::check),
    object(&k::service_type::RULE, k::service_type::check),
    object(&k::recommended_labels::RULE, k::recommended_labels::check),
    object(&k::host_network::RULE, k::host_network::check),
    object(&k::host_pid::RULE, k::host_pid::check),
    object(&k::host_ipc::RULE, k::host_ipc::check),
    object(&k::host_path::RULE, k::host_path::check),
    object(&k::probe_timing::RULE, k::probe_timing::check),
    object(&k::container_ports::RULE, k::container_ports::check),
    object(
        &k::schema_unknown_field::RULE,
        k::schema_unknown_field::check,
    ),
    object(&k::schema_type::RULE, k::schema_type::check),
    object(&k::schema_required::RULE, k::schema_required::check),
    object(&k::schema_enum::RULE, k::schema_enum::check),
    object(&k::schema_unknown_kind::RULE, k::schema_unknown_kind::check),
    object(&k::api_version_served::RULE, k::api_version_served::check),
    // Kubernetes objects linted together.
    set(
        &k::service_selects_pods::RULE,
        k::service_selects_pods::check,
    ),
    set(&k::service_target_port::RULE, k::service_target_port::check),
    set(
        &k::pod_disruption_budget::RULE,
        k::pod_disruption_budget::check,
    ),
    set(&k::references_exist::RULE, k::references_exist::check),
    set(
        &k::cluster_request_share::RULE,
        k::cluster_request_share::check,
    ),
    set(&k::duplicate_object::RULE, k::duplicate_object::check),
    // Helm charts (`AG-K205` and `AG-K206` are reported by the renderer).
    chart(&h::chart_metadata::RULE, h::chart_metadata::check),
    chart(&h::chart_values::RULE, h::chart_values::check),
    chart(&h::chart_templates::RULE, h::chart_templates::check),
    chart(&h::chart_helmignore::RULE, h::chart_helmignore::check),
    engine(&h::chart_renders::RULE),
    engine(&h::helm_available::RULE),
];

/// Every rule aigen knows, in registry order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().map(|entry| entry.rule)
}

/// The rule with a code (`AG-D003`, any case) or a name (`pinned-base-image`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    rules().find(|rule| {
        rule.code.eq_ignore_ascii_case(code_or_name) || rule.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The rule of an exact code (`AG-K103`), found in a table built once: reports look up the rule
/// of every finding.
pub(crate) fn by_code(code: &str) -> Option<&'static Rule> {
    static BY_CODE: std::sync::OnceLock<foldhash::HashMap<&'static str, &'static Rule>> =
        std::sync::OnceLock::new();
    BY_CODE
        .get_or_init(|| rules().map(|rule| (rule.code, rule)).collect())
        .get(code)
        .copied()
}

/// The rules that answer for a code of another tool (`DL3006`).
pub(crate) fn by_alias(tool: &str, id: &str) -> impl Iterator<Item = &'static Rule> {
    rules().filter(move |rule| {
        rule.aliases
            .iter()
            .any(|alias| alias.tool() == tool && alias.id().eq_ignore_ascii_case(id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in rules() {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            let (prefix, number) = rule.code.split_at(4);
            assert!(matches!(prefix, "AG-D" | "AG-K" | "AG-S"), "{}", rule.code);
            assert!(
                number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                rule.code
            );
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                rule.name
            );
            assert!(!rule.summary.ends_with('.'), "{}", rule.code);
        }
    }

    #[test]
    fn every_entry_runs_on_the_files_its_rule_targets() {
        for entry in RULES {
            let rule = entry.rule;
            let fits = match entry.check {
                Check::Dockerfile(_) => rule.target == Target::Dockerfile,
                Check::Object(_) | Check::Set(_) | Check::Chart(_) => {
                    rule.target == Target::Kubernetes
                }
                Check::Engine => true,
            };
            assert!(fits, "{} runs as {:?}", rule.code, entry.check);
        }
    }

    #[test]
    fn codes_ascend_within_each_kind() {
        for prefix in ["AG-S", "AG-D", "AG-K"] {
            let codes: Vec<&str> = rules()
                .map(|rule| rule.code)
                .filter(|code| code.starts_with(prefix))
                .collect();
            let mut sorted = codes.clone();
            sorted.sort_unstable();
            assert_eq!(codes, sorted, "{prefix} rules are listed out of order");
        }
    }

    /// The rule tables of `docs/lint.md` (Dockerfile and suppression rules) and
    /// `docs/lint-k8s.md` (Kubernetes and Helm rules) are the registry: one row per rule, in the
    /// shape `| code | name | default | requires | corresponds to |`, and no row for a code the
    /// registry does not have.
    #[test]
    fn the_documentation_tables_are_the_registry() {
        let read = |name: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
            std::fs::read_to_string(path).expect("the documentation is part of the crate")
        };
        let (dockerfile_docs, kubernetes_docs) = (read("docs/lint.md"), read("docs/lint-k8s.md"));
        for rule in rules() {
            let (name, docs) = match rule.target {
                Target::Kubernetes => ("docs/lint-k8s.md", &kubernetes_docs),
                Target::Dockerfile | Target::Any | Target::Image => {
                    ("docs/lint.md", &dockerfile_docs)
                }
            };
            let aliases = rule.corresponds_to();
            let gap = if aliases.is_empty() { "" } else { " " };
            let row = format!(
                "| `{}` | {} | {} | {} | {aliases}{gap}|",
                rule.code, rule.name, rule.severity, rule.summary
            );
            assert!(
                docs.lines().any(|line| line == row),
                "{name} lacks the row of {}: `{row}`",
                rule.code
            );
        }
        for line in dockerfile_docs.lines().chain(kubernetes_docs.lines()) {
            if let Some(code) = line
                .strip_prefix("| `AG-")
                .and_then(|l| l.split('`').next())
            {
                let code = format!("AG-{code}");
                assert!(find(&code).is_some(), "the documentation lists `{code}`");
            }
        }
    }

    #[test]
    fn rules_are_found_by_code_or_name() {
        let rule = find("ag-s001").expect("suppression rule is registered");
        assert_eq!(rule.code, "AG-S001");
        assert_eq!(find(rule.name).map(|r| r.code), Some("AG-S001"));
        assert!(find("AG-X999").is_none());
    }

    #[test]
    fn parameters_default_and_reject_unknown_keys() {
        let spec = params::<NoParams>();
        assert!(spec.parse(None).is_ok());
        let err = spec
            .parse(Some(&serde_json::json!({ "colour": "red" })))
            .unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }
}
