//! The rule registry: one table of every rule aigen knows, by stable code.
//!
//! A [`Rule`] is the metadata of a check: its code (`AG-D003`), a kebab-case name, what it applies
//! to, its default [`Severity`], a one-line summary, its documentation and the codes of other tools
//! it corresponds to. Rules are declared with [`declare_rule!`], which takes the rule's doc comment
//! as its documentation, so the text `aigen lint --explain <code>` prints is the doc comment.
//!
//! The tables live next to the checks (the Dockerfile rules in [`super::dockerfile`], the
//! suppression rules in [`super::suppress`]); [`rules`] joins them. Start reading at [`rules`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::severity::Severity;

/// What kind of file a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Dockerfiles and Containerfiles.
    Dockerfile,
    /// Kubernetes manifests and rendered Helm charts.
    Kubernetes,
    /// Any file aigen lints (suppression bookkeeping).
    Any,
}

impl Target {
    /// The lowercase name shown in `--list-rules`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::Kubernetes => "kubernetes",
            Self::Any => "any",
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
    pub fn tool(self) -> &'static str {
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
    pub fn id(self) -> &'static str {
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
pub type ParamValue = Arc<dyn Any + Send + Sync>;

/// How a rule reads its parameters from the constitution.
#[derive(Clone, Copy)]
pub struct Params {
    parse: fn(Option<&serde_json::Value>) -> Result<ParamValue, String>,
}

impl Params {
    /// Reads parameters from the constitution's entry for the rule (`None`: the defaults).
    pub fn parse(&self, raw: Option<&serde_json::Value>) -> Result<ParamValue, String> {
        (self.parse)(raw)
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Params")
    }
}

/// The parameters of a rule are read into `P`; `P::default()` when the constitution gives none.
pub const fn params<P>() -> Params
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
pub struct NoParams {}

/// One rule's metadata. Declare rules with [`declare_rule!`].
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable code: `AG-D…` for Dockerfiles, `AG-K…` for Kubernetes, `AG-S…` for suppressions.
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
    /// The documentation as Markdown, with the doc-comment indentation removed.
    pub fn documentation(&self) -> String {
        let mut text = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text
    }
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

/// Every rule aigen knows: suppression bookkeeping, Dockerfile rules, then Kubernetes rules.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    super::suppress::RULES
        .iter()
        .chain(super::dockerfile::rules())
        .chain(kubernetes_rules())
}

/// The Kubernetes rule table (manifests and Helm charts).
fn kubernetes_rules() -> impl Iterator<Item = &'static Rule> {
    super::k8s::rules().chain(super::helm::RULES.iter())
}

/// The rule with a code (`AG-D003`, any case) or a name (`pinned-base-image`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    rules().find(|rule| {
        rule.code.eq_ignore_ascii_case(code_or_name) || rule.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The rules that answer for a code of another tool (`DL3006`).
pub fn by_alias(tool: &str, id: &str) -> impl Iterator<Item = &'static Rule> {
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
