//! `completions SHELL` and `man`: generated from the clap definitions.

use super::Ctx;
use crate::cli::Cli;
use anyhow::Result;
use clap::CommandFactory;

/// Prints a completion script.
pub fn completions(_ctx: &Ctx, shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "contracts", &mut std::io::stdout());
    Ok(())
}

/// Prints the man page.
pub fn man(_ctx: &Ctx) -> Result<()> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())?;
    Ok(())
}
