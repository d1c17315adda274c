//! `completions SHELL` and `man`: generated from the clap definitions.

use super::Ctx;
use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// Prints a completion script.
pub fn completions(_ctx: &Ctx, shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "contracts", &mut std::io::stdout());
    Ok(())
}

/// `man`: with a directory, writes `contracts.1` and one page per visible
/// command and subcommand (`contracts-new.1`, `contracts-diary-log.1`, ...),
/// the pages the main page refers to. Without one, prints the main page
/// alone, its commands listed by name and sentence and no page referred to
/// that was not written.
pub fn man(_ctx: &Ctx, dir: Option<&Path>) -> Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        }
        None => {
            let page = clap_mangen::Man::new(cmd.clone());
            let mut out = Vec::new();
            page.render_title(&mut out)?;
            page.render_name_section(&mut out)?;
            page.render_synopsis_section(&mut out)?;
            page.render_description_section(&mut out)?;
            page.render_options_section(&mut out)?;
            out.extend_from_slice(commands_section(&cmd).as_bytes());
            page.render_extra_section(&mut out)?;
            page.render_version_section(&mut out)?;
            std::io::stdout().write_all(&out)?;
        }
    }
    Ok(())
}

/// The COMMANDS section of the printed main page: each visible command by
/// name with its sentence, referring to no other page.
fn commands_section(cmd: &clap::Command) -> String {
    let mut s = String::from(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        s.push_str(&format!(".TP\n\\fB{}\\fR\n", roff_text(sub.get_name())));
        if let Some(about) = sub.get_about() {
            for line in about.to_string().lines() {
                s.push_str(&roff_text(line));
                s.push('\n');
            }
        }
    }
    s.push_str(".PP\n`contracts man \\-\\-dir DIR` writes one page per command.\n");
    s
}

/// A line of text as roff reads it literally: backslashes escaped, and a
/// leading `.` or `'` (a request) guarded.
fn roff_text(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
