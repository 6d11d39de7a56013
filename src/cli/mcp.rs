//! `aigen mcp`: serves aigen's commands to MCP clients ([`crate::mcp`]), over stdio by default
//! or streamable HTTP with `--http`; read-only for the project's files unless started with
//! `--allow-apply`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::Context;
use crate::error::{ExitStatus, Result};
use crate::mcp::{self, Options, Transport};

#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// Serve streamable HTTP at http://ADDRESS/mcp instead of stdio (loopback, e.g.
    /// 127.0.0.1:8765; port 0 picks a free port, printed on stderr).
    #[arg(long, value_name = "ADDRESS")]
    pub http: Option<SocketAddr>,

    /// A file holding the bearer token HTTP clients must send; required off loopback.
    #[arg(long, value_name = "FILE", requires = "http")]
    pub token_file: Option<PathBuf>,

    /// Offer the writing tools `apply` and `apply_cluster`; each call still asks the person
    /// through the client (elicitation).
    #[arg(long)]
    pub allow_apply: bool,

    /// With --allow-apply: apply without asking (for clients that cannot ask).
    #[arg(long, short = 'y', requires = "allow_apply")]
    pub yes: bool,

    /// Also record read-only tool calls in the trail (calls that reach a model or change a file
    /// always are).
    #[arg(long)]
    pub record_all: bool,
}

pub(crate) fn run(args: McpArgs, context: &Context) -> Result<ExitStatus> {
    let transport = match args.http {
        Some(address) => Transport::Http {
            address,
            token_file: args.token_file,
        },
        None => Transport::Stdio,
    };
    let options = Options {
        transport,
        global: context.options.clone(),
        allow_apply: args.allow_apply,
        yes: args.yes,
        record_all: args.record_all,
    };
    mcp::serve(options, context.printer.clone(), context.redactor.clone())?;
    Ok(ExitStatus::Success)
}
