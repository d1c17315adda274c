//! main -> try_main -> ExitCode: parse, build the context, dispatch, and map
//! every error to its exit code in one place.

use crate::cli::{Cli, ColorArg, Command, RoleArg};
use crate::commands::{self, Ctx};
use crate::core::Role;
use crate::core::error::Refusal;
use crate::error::{ErrorKind, classify, hint, refusal, usage};
use crate::render::{Out, text::clean_lines};
use crate::time::{Zone, parse_time, whole_seconds};
use anyhow::Result;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

/// Runs the program with the process's arguments and environment.
pub fn main() -> ExitCode {
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `contracts --version` is what scripts run to probe the tool: answer it
    // without building the whole command-line definition (same output as clap).
    if args.len() == 2 && (args[1] == "--version" || args[1] == "-V") {
        println!("contracts {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let json = args.iter().any(|a| a == "--json");
    let cli = match parse_cli(&args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind as K;
            if matches!(
                e.kind(),
                K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::from(
                    if e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
                        2
                    } else {
                        0
                    },
                );
            }
            if json {
                let msg = e.render().to_string();
                print_json_error(ErrorKind::Usage, msg.trim(), None);
            } else {
                let _ = e.print();
            }
            return ExitCode::from(2);
        }
    };
    let json = cli.global.json;
    let color = use_color(cli.global.color);
    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let kind = classify(&e);
            let mut msg = format!("{e:#}");
            if let Some(h) = hint(&e) {
                msg.push_str(&format!("\nhint: {h}"));
            }
            if json {
                print_json_error(kind, &msg, refusal(&e));
            } else {
                let label = if color {
                    "\x1b[1;31merror:\x1b[0m"
                } else {
                    "error:"
                };
                eprintln!("{label} {}", clean_lines(&msg));
            }
            ExitCode::from(kind.code())
        }
    }
}

/// Parses the command line. An empty `CONTRACTS_LEDGER`, `CONTRACTS_ROLE`
/// or `CONTRACTS_NOW` counts as unset, as an empty variable does for most
/// tools (`VAR= contracts …`).
fn parse_cli(args: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut cmd = crate::cli::command_for(args);
    for (id, var) in [
        ("ledger", "CONTRACTS_LEDGER"),
        ("role", "CONTRACTS_ROLE"),
        ("now", "CONTRACTS_NOW"),
    ] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            cmd = cmd.mut_arg(id, |a| a.env(None::<&str>));
        }
    }
    match cmd.try_get_matches_from(args) {
        Ok(matches) => Cli::from_arg_matches(&matches),
        Err(e) => Err(without_env_in_usage(e, args)),
    }
}

/// A usage error as if no `CONTRACTS_*` variable were set, when without
/// them the line fails the same way: clap's usage line lists an option its
/// variable supplied (`Usage: contracts show --ledger <PATH> <ID>`) as if it
/// had to be typed.
fn without_env_in_usage(e: clap::Error, args: &[std::ffi::OsString]) -> clap::Error {
    let mut bare = crate::cli::command_for(args);
    for id in ["ledger", "role", "now"] {
        bare = bare.mut_arg(id, |a| a.env(None::<&str>));
    }
    match bare.try_get_matches_from(args) {
        Err(b) if b.kind() == e.kind() => b,
        _ => e,
    }
}

fn print_json_error(kind: ErrorKind, message: &str, refusal: Option<&Refusal>) {
    let doc = crate::render::json::ErrorJson {
        error: crate::render::json::ErrorBodyJson {
            kind: kind.as_str(),
            message,
            exit_code: kind.code(),
            reason: refusal.map(Refusal::kind),
            problems: refusal.and_then(crate::render::json::import_problems),
        },
    };
    let text = serde_json::to_string(&doc).unwrap_or_default();
    eprintln!("{}", crate::render::text::json_safe(&text));
}

fn use_color(c: ColorArg) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn try_main(cli: Cli) -> Result<()> {
    let g = &cli.global;
    let zone = Zone::from_tz_var(std::env::var("TZ").ok().as_deref());
    let system_now = whole_seconds(chrono::Utc::now());
    let now = match &g.now {
        Some(s) => parse_time(s, zone, system_now).map_err(|m| usage(format!("--now: {m}")))?,
        None => system_now,
    };
    let lock_timeout = match g.lock_timeout.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Duration::from_secs_f64(s),
        _ => {
            return Err(usage(format!(
                "--lock-timeout: `{}` is not a number of seconds from 0 to 86400",
                g.lock_timeout.escape_default()
            )));
        }
    };
    let ledger = match &g.ledger {
        Some(p) if p.as_os_str().is_empty() => return Err(usage("--ledger: the path is empty")),
        Some(p) => crate::store::ledger_dir(p),
        None => dirs::data_dir()
            .ok_or_else(|| usage("no data directory known here: name the ledger with -f PATH or CONTRACTS_LEDGER"))?
            .join("contracts"),
    };
    let ctx = Ctx {
        ledger,
        role: g.role.map(|r| match r {
            RoleArg::Client => Role::Client,
            RoleArg::Freelancer => Role::Freelancer,
        }),
        now,
        out: Out {
            json: g.json,
            color: use_color(g.color),
            quiet: g.quiet,
            utc: g.utc,
            zone,
        },
        dry_run: g.dry_run,
        yes: g.yes,
        lock_timeout,
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    match cli.command {
        Command::Init(a) => commands::init::run(&ctx, a),
        Command::New(a) => commands::new::run(&ctx, a),
        Command::List => commands::list::run(&ctx),
        Command::Show { id } => commands::show::run(&ctx, &id),
        Command::End(a) => commands::end::run(&ctx, a),
        Command::Accept { id } => commands::offer::accept(&ctx, &id),
        Command::Decline { id } => commands::offer::decline(&ctx, &id),
        Command::Pause { id } => commands::pause::run(&ctx, &id),
        Command::Resume { id } => commands::resume::run(&ctx, &id),
        Command::Limit { id, hours } => commands::limit::run(&ctx, &id, &hours),
        Command::Diary(d) => commands::diary::run(&ctx, d),
        Command::Milestone(m) => commands::milestone::run(&ctx, m),
        Command::Refund(r) => commands::refund::run(&ctx, r),
        Command::Feedback(f) => commands::feedback::run(&ctx, f),
        Command::Log { id } => commands::log::run(&ctx, id.as_deref()),
        Command::Check => commands::check::run(&ctx),
        Command::Sweep => commands::sweep::run(&ctx),
        Command::Sync { remote, verbose } => commands::sync::run(&ctx, remote, verbose),
        Command::Party(crate::cli::PartyCmd::List) => commands::party::list(&ctx),
        Command::Party(crate::cli::PartyCmd::Add { name, key, replace }) => {
            commands::party::add(&ctx, &name, &key, replace)
        }
        Command::Verify { verbose } => commands::verify::run(&ctx, verbose),
        Command::GitMergeDriver {
            base,
            ours,
            theirs,
            path,
        } => commands::sync::merge_driver(&ctx, &base, &ours, &theirs, &path),
        Command::Export(e) => commands::export::run(&ctx, e),
        Command::Report(a) => commands::report::run(&ctx, a),
        Command::Completions { shell } => commands::completions::completions(&ctx, shell),
        Command::Man { dir } => commands::completions::man(&ctx, dir.as_deref()),
    }
}
