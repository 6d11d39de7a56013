//! The MCP server itself: what it was started with ([`Shared`], one per process, shared by
//! every session and every HTTP request), the tools it offers, and the MCP handler that answers
//! `initialize`, the tool calls, the resources and the prompts.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, tool_handler};
use tokio_util::sync::CancellationToken;

use super::confirm::Confirmations;
use super::{Options, prompts, resources, tools};
use crate::error::Result;
use crate::printer::Printer;
use crate::secrets::Redactor;
use crate::settings::{Flags, Settings};

/// The tools offered only with `--allow-apply`.
pub(super) const WRITING_TOOLS: [&str; 2] = ["apply", "apply_cluster"];

/// What every session and every request of one `aigen mcp` process share.
pub(crate) struct Shared {
    pub options: Options,
    /// Status lines go to stderr; stdout is the stdio transport's.
    pub printer: Printer,
    /// Masks every secret value it has seen, in every result, record and error.
    pub redactor: Redactor,
    /// Confirmations asked of clients that answer by calling again (protocol 2026-07-28).
    pub confirmations: Confirmations,
    /// Cancelled when the one client of a stdio server closes its end: calls still running
    /// stop before they write.
    pub client_gone: CancellationToken,
}

impl Shared {
    /// The settings a call runs with: the server's `-C`, `--config` and `--provider`, the
    /// call's own flags, the environment and `aigen.toml`, resolved as a command resolves them.
    pub(crate) fn settings(&self, flags: &Flags) -> Result<Settings> {
        Settings::from_env(&self.options.global, flags)
    }
}

/// aigen's MCP server: cheap to clone (streamable HTTP makes one per request).
#[derive(Clone)]
pub(crate) struct Server {
    pub(super) shared: Arc<Shared>,
    tool_router: ToolRouter<Self>,
}

impl Server {
    /// A server with the tools `options` allow. The settings are resolved once here, so a bad
    /// `-C` or `aigen.toml` stops the start rather than every call.
    pub(crate) fn new(options: Options, printer: Printer, redactor: Redactor) -> Result<Self> {
        Settings::from_env(&options.global, &Flags::default())?;
        let mut tool_router = tools::router();
        if !options.allow_apply {
            for name in WRITING_TOOLS {
                tool_router.remove_route(name);
            }
        }
        Ok(Self {
            shared: Arc::new(Shared {
                options,
                printer,
                redactor,
                confirmations: Confirmations::default(),
                client_gone: CancellationToken::new(),
            }),
            tool_router,
        })
    }

    /// Where the server's status lines go.
    pub(crate) fn printer(&self) -> &Printer {
        &self.shared.printer
    }

    fn instructions(&self) -> String {
        let options = &self.shared.options;
        let writing = if !options.allow_apply {
            "This server is read-only for the project's files: `apply` and `apply_cluster` are \
             not offered (start it with `--allow-apply` to offer them)."
        } else if options.yes {
            "`apply` and `apply_cluster` are offered and apply without asking (`--yes`)."
        } else {
            "`apply` and `apply_cluster` are offered; each call asks the person to confirm \
             through elicitation, and is refused when the client cannot ask."
        };
        format!(
            "aigen generates container and Kubernetes infrastructure, lints it against the \
             project's constitution and records every exchange in a hash-chained trail. Lint \
             before proposing a change; generating tools stage their files in `generated/` \
             for review, and only `apply` writes them. Paths are relative to the project root. \
             {writing}"
        )
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new("aigen", env!("CARGO_PKG_VERSION")))
        .with_instructions(self.instructions())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListResourcesResult, McpError> {
        let shared = self.shared.clone();
        super::call::blocking_mcp(move || resources::list(&shared)).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListResourceTemplatesResult, McpError> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ReadResourceResponse, McpError> {
        let shared = self.shared.clone();
        super::call::blocking_mcp(move || resources::read(&shared, &request.uri))
            .await
            .map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListPromptsResult, McpError> {
        Ok(prompts::list())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<GetPromptResponse, McpError> {
        let shared = self.shared.clone();
        super::call::blocking_mcp(move || prompts::get(&shared, &request))
            .await
            .map(Into::into)
    }
}
