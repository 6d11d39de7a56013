//! The staging tools: `generate_dockerfile`, `generate_manifests`, `generate_chart` and
//! `review`. Each runs the lint-guided generation loop the command line runs
//! ([`crate::project::generation`]): every round is a record (`surface: mcp`, with the client),
//! and the last round's files are staged in `generated/` for `apply`. Nothing outside
//! `generated/` and the trail is written.
//!
//! A client that goes away or cancels stops the provider's request where the transport can
//! tell (the round is then recorded as interrupted, and nothing is staged); a job that finished
//! before is staged whole, and staging is atomic per job.

use std::path::PathBuf;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Object, input_schema, object, output_schema, readable};
use crate::config::ProviderKind;
use crate::error::{Error, Result};
use crate::generate::jobs::ReviewKind;
use crate::generate::pipeline::RunOptions;
use crate::mcp::call::Caller;
use crate::mcp::server::{Server, Shared};
use crate::project::generation::{Planned, Request};
use crate::settings::Flags;

/// `generate_dockerfile`: a Dockerfile and `.dockerignore` per service.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DockerfileArgs {
    /// Services to generate for, by name (`detect` lists them); default: every service.
    #[serde(default)]
    pub services: Vec<String>,
    /// Provider: `builtin`, `openai`, `kubectl-ai`, `gordon`, `kagent` or `command` (default:
    /// the project's).
    pub provider: Option<String>,
    /// Model name passed to the provider (default: the project's).
    pub model: Option<String>,
}

/// `generate_manifests`: Kubernetes manifests.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManifestArgs {
    /// Services to generate for, by name; default: every service.
    #[serde(default)]
    pub services: Vec<String>,
    /// Also write a Namespace object for the application.
    #[serde(default)]
    pub namespace: bool,
    /// Provider (default: the project's).
    pub provider: Option<String>,
    /// Model name (default: the project's).
    pub model: Option<String>,
}

/// `generate_chart`: one Helm chart for every service.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChartArgs {
    /// Chart name (default: the project's name).
    pub chart_name: Option<String>,
    /// Include an Ingress template.
    #[serde(default)]
    pub ingress: bool,
    /// Provider (default: the project's).
    pub provider: Option<String>,
    /// Model name (default: the project's).
    pub model: Option<String>,
}

/// What `review` looks at.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReviewArg {
    /// Dockerfiles.
    Dockerfile,
    /// Kubernetes manifests.
    Manifest,
}

/// `review`: existing files reviewed and a fix staged.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewArgs {
    /// Which files: `dockerfile` or `manifest`.
    pub kind: ReviewArg,
    /// Files or directories, relative to the project root (default: every Dockerfile, or the
    /// manifests directory).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Provider (default: the project's).
    pub provider: Option<String>,
    /// Model name (default: the project's).
    pub model: Option<String>,
}

/// What a generation staged.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct GenerateOutput {
    /// The provider that answered.
    pub provider: String,
    /// Each job as `--format json` reports it: title, status (`clean` or `findings`),
    /// rounds, the records it appended, and the staged files with their hash and lint status.
    pub jobs: Vec<Object>,
    /// For a review: the findings on the files as they are on disk.
    pub findings: Vec<String>,
}

#[tool_router(router = generate_router, vis = "pub(super)")]
impl Server {
    /// Generates a Dockerfile and `.dockerignore` per service, lint-guided (error findings go
    /// back to the provider as a fix prompt), records every round and stages the result in
    /// `generated/` for `apply`. Writes nothing else.
    #[tool(
        input_schema = input_schema::<DockerfileArgs>(),
        output_schema = output_schema::<GenerateOutput>(),
        annotations(title = "Generate Dockerfiles", read_only_hint = false,
                    destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn generate_dockerfile(
        &self,
        Parameters(args): Parameters<DockerfileArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        let caller = Caller::of("generate_dockerfile", &context, &self.shared);
        self.recorded(caller, move |shared, caller| {
            let request = Request::Dockerfiles {
                services: &args.services,
                all: args.services.is_empty(),
            };
            generate(shared, caller, flags(args.provider, args.model)?, request)
        })
        .await
    }

    /// Generates the Kubernetes manifests (Deployment, Service, ConfigMap, Secret template,
    /// PodDisruptionBudget, ...), lint-guided, records every round and stages them for
    /// `apply`. Writes nothing else.
    #[tool(
        input_schema = input_schema::<ManifestArgs>(),
        output_schema = output_schema::<GenerateOutput>(),
        annotations(title = "Generate manifests", read_only_hint = false,
                    destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn generate_manifests(
        &self,
        Parameters(args): Parameters<ManifestArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        let caller = Caller::of("generate_manifests", &context, &self.shared);
        self.recorded(caller, move |shared, caller| {
            let request = Request::Manifests {
                services: &args.services,
                all: args.services.is_empty(),
                namespace: args.namespace,
            };
            generate(shared, caller, flags(args.provider, args.model)?, request)
        })
        .await
    }

    /// Generates one Helm chart for every service, lint-guided, records every round and
    /// stages it for `apply`. Writes nothing else.
    #[tool(
        input_schema = input_schema::<ChartArgs>(),
        output_schema = output_schema::<GenerateOutput>(),
        annotations(title = "Generate a Helm chart", read_only_hint = false,
                    destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn generate_chart(
        &self,
        Parameters(args): Parameters<ChartArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        let caller = Caller::of("generate_chart", &context, &self.shared);
        self.recorded(caller, move |shared, caller| {
            let request = Request::Chart {
                name: args.chart_name.as_deref(),
                ingress: args.ingress,
            };
            generate(shared, caller, flags(args.provider, args.model)?, request)
        })
        .await
    }

    /// Reviews existing Dockerfiles or manifests: their lint findings and the files go to the
    /// provider, whose corrected versions are linted, recorded and staged for `apply`. Writes
    /// nothing else.
    #[tool(
        input_schema = input_schema::<ReviewArgs>(),
        output_schema = output_schema::<GenerateOutput>(),
        annotations(title = "Review existing files", read_only_hint = false,
                    destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn review(
        &self,
        Parameters(args): Parameters<ReviewArgs>,
        context: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResult, McpError> {
        let caller = Caller::of("review", &context, &self.shared);
        self.recorded(caller, move |shared, caller| {
            let root = shared.settings(&Flags::default())?.root;
            let paths = args
                .paths
                .iter()
                .map(|p| readable(p, &root))
                .collect::<Result<Vec<PathBuf>>>()?;
            let request = Request::Review {
                kind: match args.kind {
                    ReviewArg::Dockerfile => ReviewKind::Dockerfile,
                    ReviewArg::Manifest => ReviewKind::Manifest,
                },
                paths: &paths,
            };
            generate(shared, caller, flags(args.provider, args.model)?, request)
        })
        .await
    }
}

/// The settings flags a generating call names.
fn flags(provider: Option<String>, model: Option<String>) -> Result<Flags> {
    let provider = provider
        .map(|name| {
            name.parse::<ProviderKind>().map_err(|e| {
                Error::usage_with_hint(
                    e.to_string(),
                    "providers: builtin, openai, kubectl-ai, gordon, kagent, command",
                )
            })
        })
        .transpose()?;
    Ok(Flags {
        provider,
        model,
        ..Flags::default()
    })
}

/// Plans `request` in the project and runs its jobs, stopping between jobs when the caller
/// went away.
fn generate(
    shared: &Shared,
    caller: &Caller,
    flags: Flags,
    request: Request<'_>,
) -> Result<GenerateOutput> {
    let mut project = shared.open_project(&flags, caller)?;
    let Planned {
        provider,
        jobs,
        findings,
    } = project.plan(request)?;
    let settings = &project.settings;
    let generator = project.generator(
        &provider,
        &shared.printer,
        RunOptions {
            model: settings.model.clone(),
            feature: settings.feature.clone(),
            max_rounds: settings.max_rounds,
            command_line: caller.command_line(),
            stream: false,
            json: true,
            cancel: Some(caller.cancel.clone()),
        },
        // No image builds through MCP (`--verify` is the command line's).
        None,
    );
    let mut reports = Vec::with_capacity(jobs.len());
    for job in &jobs {
        if caller.cancel.is_cancelled() {
            return Err(Error::Interrupted);
        }
        let report = generator.run(job)?;
        reports.push(object(&report)?);
    }
    Ok(GenerateOutput {
        provider: provider.kind().name().to_string(),
        jobs: reports,
        findings: findings.iter().map(|f| f.one_line()).collect(),
    })
}
