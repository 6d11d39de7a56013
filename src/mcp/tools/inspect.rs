//! The read-only tools about the project: `detect`, `lint`, `explain_rule`, `list_rules`,
//! `constitution`, `check` and `staged`. None of them writes anything (with `--record-all`
//! the call itself is recorded).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Object, input_schema, output_schema, readable};
use crate::apply::staged::{StagedFile, staged};
use crate::error::{Error, Result};
use crate::mcp::MAX_INLINE_BYTES;
use crate::mcp::server::{Server, Shared};
use crate::policy::registry::{self, Listing};
use crate::policy::report::Summary;
use crate::policy::report::json::{Document, document};
use crate::policy::walk::{Input, lint_input};
use crate::policy::{Constitution, Excerpts, Severity};
use crate::project::Project;
use crate::settings::Flags;
use crate::staging::Staging;
use crate::{detect, fsutil};

/// The arguments of a tool that takes none.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArgs {}

/// `detect`: the services of the project.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct DetectOutput {
    /// Each service as `aigen detect --format json` gives it: language, framework, start
    /// command, port, health paths, environment variables (secret or not), each value with the
    /// file and line it came from.
    pub services: Vec<Object>,
    /// Files that could not be read or understood.
    pub problems: Vec<Object>,
}

/// `lint`: files and directories of the project, or one text passed inline.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LintArgs {
    /// Files or directories to lint, relative to the project root (default: the whole project).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Content to lint instead of files on disk (at most 4 MiB), as the file `file_name`.
    pub content: Option<String>,
    /// The name the inline `content` is linted as, relative to the project root
    /// (`backend/Dockerfile`, `k8s/deployment.yaml`): it picks the rules and finds the
    /// `.dockerignore`.
    pub file_name: Option<String>,
    /// Values file, relative to the project root, used when rendering Helm charts.
    pub values: Option<String>,
}

/// The lint report: `aigen lint --format json`'s document and whether it passed.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LintOutput {
    #[serde(flatten)]
    pub report: Document<'static>,
    /// True when no finding is an error.
    pub passed: bool,
}

/// `explain_rule`: one rule by code or name.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExplainArgs {
    /// A rule code (`AG-D003`) or name (`pinned-base-image`).
    pub code: String,
}

/// A rule and its documentation.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ExplainOutput {
    pub rule: Listing,
    /// What `aigen lint --explain` prints: what it checks, why, failing and passing examples.
    pub text: String,
}

/// Every rule.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RulesOutput {
    pub rules: Vec<Listing>,
}

/// The constitution the project's commands run with.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ConstitutionOutput {
    /// The file, relative to the project root, or the embedded preset's name.
    pub source: String,
    /// Who chose it: `--policy`, `AIGEN_POLICY`, `policy` in aigen.toml, or the default.
    pub chosen_by: String,
    /// True when no constitution file exists and the embedded preset stands in.
    pub preset: bool,
    pub name: Option<String>,
    /// Names of the settings that are secrets.
    pub secrets: Vec<String>,
    /// The constitution as written, with the comments that say where each value came from.
    pub text: String,
}

/// The gate `aigen check` runs.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CheckOutput {
    pub passed: bool,
    /// The detected services.
    pub services: Vec<String>,
    /// Infrastructure files traced to the trail.
    pub files_checked: usize,
    /// Lint counts: `{"error": N, "warning": N, "info": N}`.
    pub lint: Object,
    /// What fails the gate: `missing`, `lint`, `changed` or `untraced`, with path and message.
    pub problems: Vec<Object>,
}

/// What is staged for review.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct StagedOutput {
    pub files: Vec<StagedFile>,
}

#[tool_router(router = inspect_router, vis = "pub(super)")]
impl Server {
    /// The services of the project and what aigen knows about each (language, framework,
    /// version, port, start command, health paths, environment variables), each value with
    /// its source. Same as `aigen detect --format json`.
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<DetectOutput>(),
        annotations(title = "Detect services", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn detect(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("detect", &context, args, |shared, _| {
            let settings = shared.settings(&Flags::default())?;
            Ok(detect::detect(&settings.root, &settings.config))
        })
        .await
    }

    /// Lints Dockerfiles, Kubernetes manifests and Helm charts against the project's
    /// constitution: files and directories of the project by path, or one file's content
    /// passed inline with the name it would have. Findings carry rule, severity, message,
    /// path, line and column. Same as `aigen lint --format json`.
    #[tool(
        input_schema = input_schema::<LintArgs>(),
        output_schema = output_schema::<LintOutput>(),
        annotations(title = "Lint", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn lint(
        &self,
        Parameters(args): Parameters<LintArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("lint", &context, args, lint).await
    }

    /// The documentation of one rule: what it checks, why, a failing and a passing example,
    /// its options and the rules of other tools it corresponds to.
    #[tool(
        input_schema = input_schema::<ExplainArgs>(),
        output_schema = output_schema::<ExplainOutput>(),
        annotations(title = "Explain a rule", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn explain_rule(
        &self,
        Parameters(args): Parameters<ExplainArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("explain_rule", &context, args, |_, args| {
            let rule = registry::find(&args.code).ok_or_else(|| {
                Error::usage_with_hint(
                    format!("`{}` is not a rule", args.code),
                    "the tool `list_rules` lists the codes",
                )
            })?;
            Ok(ExplainOutput {
                rule: rule.listing(),
                text: rule.explanation(),
            })
        })
        .await
    }

    /// Every lint rule with its code, name, target, default severity and summary.
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<RulesOutput>(),
        annotations(title = "List rules", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_rules(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("list_rules", &context, args, |_, _| {
            Ok(RulesOutput {
                rules: registry::rules().map(|rule| rule.listing()).collect(),
            })
        })
        .await
    }

    /// The constitution the project is checked against (the file, or the embedded preset when
    /// there is none), as written, with where it comes from and who chose it.
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<ConstitutionOutput>(),
        annotations(title = "Constitution", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn constitution(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("constitution", &context, args, |shared, _| {
            constitution(shared)
        })
        .await
    }

    /// The constitution gate over the project: every service has its Dockerfile, Deployment
    /// and chart template, everything lints clean, and every infrastructure file traces to a
    /// record of the trail. Same as `aigen check --format json`.
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<CheckOutput>(),
        annotations(title = "Check the project", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn check(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("check", &context, args, |shared, _| {
            let settings = shared.settings(&Flags::default())?;
            let project = Project::open(settings, &shared.printer, &shared.redactor)?;
            crate::project::check::check(&project)
        })
        .await
    }

    /// What is staged in `generated/` waiting for review: each file's target, sha256, the
    /// record that produced it, its lint status, whether it is new, modified or unchanged on
    /// disk, and the diff (secret values masked).
    #[tool(
        input_schema = input_schema::<NoArgs>(),
        output_schema = output_schema::<StagedOutput>(),
        annotations(title = "Staged files", read_only_hint = true, destructive_hint = false,
                    idempotent_hint = true, open_world_hint = false)
    )]
    async fn staged(
        &self,
        Parameters(args): Parameters<NoArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        self.read_only("staged", &context, args, |shared, _| {
            let settings = shared.settings(&Flags::default())?;
            let staging = Staging::new(settings.staging_dir());
            Ok(StagedOutput {
                files: staged(&settings.root, &staging, &shared.redactor)?,
            })
        })
        .await
    }
}

/// The work of `lint`.
fn lint(shared: &Shared, args: LintArgs) -> Result<Value> {
    let settings = shared.settings(&Flags::default())?;
    let root = &settings.root;
    let constitution = Constitution::load_configured(&settings.policy)?;
    let values = args
        .values
        .as_deref()
        .map(|v| readable(v, root))
        .transpose()?;
    let outcome = match (args.content, args.file_name) {
        (Some(content), Some(name)) => {
            if !args.paths.is_empty() {
                return Err(Error::usage(
                    "`content` and `paths` cannot be combined: lint inline content and files in separate calls",
                ));
            }
            if content.len() > MAX_INLINE_BYTES {
                return Err(Error::usage_with_hint(
                    format!(
                        "`{name}`: the content is {} bytes, more than the {MAX_INLINE_BYTES} bytes (4 MiB) taken inline",
                        content.len()
                    ),
                    "lint a file of the project by its path instead",
                ));
            }
            super::writable(&name, root)?;
            let input = Input::Text {
                bytes: content.into_bytes(),
                name: Some(&name),
            };
            lint_input(input, root, root, None, Excerpts::Shown, &constitution)?
        }
        (Some(_), None) => {
            return Err(Error::usage_with_hint(
                "inline `content` needs a `file_name`",
                "give the name the file would have (`Dockerfile`, `k8s/backend.yaml`): it picks the rules",
            ));
        }
        (None, _) => {
            let paths = args
                .paths
                .iter()
                .map(|p| readable(p, root))
                .collect::<Result<Vec<_>>>()?;
            lint_input(
                Input::Paths(&paths),
                root,
                root,
                values.as_deref(),
                Excerpts::Shown,
                &constitution,
            )?
        }
    };
    if let Some(error) = outcome.errors.into_iter().next() {
        return Err(error);
    }
    let summary = Summary::of(&outcome.findings, outcome.files);
    let passed = summary.counts.at_or_above(Severity::Error) == 0;
    // The report borrows the findings; the value owns its text.
    let mut value = serde_json::to_value(document(&outcome.findings, &summary))
        .map_err(|e| Error::usage(format!("cannot encode the report as JSON: {e}")))?;
    value["passed"] = Value::Bool(passed);
    Ok(value)
}

/// The work of `constitution`.
fn constitution(shared: &Shared) -> Result<ConstitutionOutput> {
    let settings = shared.settings(&Flags::default())?;
    let constitution = Constitution::load_configured(&settings.policy)?;
    let text = constitution.text()?;
    Ok(ConstitutionOutput {
        source: fsutil::slash_path(&fsutil::relative_to(&constitution.source, &settings.root)),
        chosen_by: settings.policy.origin.to_string(),
        preset: constitution.is_preset(),
        name: constitution.name.clone(),
        secrets: constitution.secrets.clone(),
        text,
    })
}
