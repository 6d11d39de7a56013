//! `aigen completions <shell>`: shell completions generated from the clap definitions.
//!
//! [`run`] writes the script for the shell named on the command line to stdout.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Context};
use crate::error::{Error, ExitStatus, Result};

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(crate) fn run(args: CompletionsArgs, context: &Context) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "aigen", &mut out);
    let text =
        String::from_utf8(out).map_err(|_| Error::usage("completion script is not valid UTF-8"))?;
    context.printer.out_raw(&text)?;
    Ok(ExitStatus::Success)
}
