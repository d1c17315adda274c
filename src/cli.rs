//! The command line, in clap derive. These types stay in the shell: commands
//! turn them into core requests.

// Doc comments here are `--help` text, read by people in a terminal, not HTML.
#![allow(rustdoc::invalid_html_tags)]

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  done (including \"nothing to do\")
  1  failure outside these (I/O, ...)
  2  usage error
  3  not found (contract, milestone, entry, ledger)
  4  refused by the rules (state, role, deadline, limit, overlap)
  5  ledger invalid (syntax or validation); nothing written
  6  ledger busy (lock not had within --lock-timeout); safe to retry";

/// Freelance contracts in local TOML files, with a marketplace's rules:
/// ending contracts, escrow and refunds, double-blind feedback, and the
/// hourly work diary with its weekly billing cycle.
#[derive(Debug, Parser)]
#[command(name = "contracts", version, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct Cli {
    /// Options that every command takes, anywhere on the line.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Args)]
pub struct Global {
    /// The ledger: its directory or its ledger.toml [default: <data dir>/contracts/]
    #[arg(
        short = 'f',
        long = "ledger",
        env = "CONTRACTS_LEDGER",
        global = true,
        value_name = "PATH"
    )]
    pub ledger: Option<PathBuf>,
    /// Act as this party [default: the ledger's `role` setting]
    #[arg(
        long = "as",
        env = "CONTRACTS_ROLE",
        global = true,
        value_name = "ROLE"
    )]
    pub role: Option<RoleArg>,
    /// The clock: RFC 3339, `YYYY-MM-DD HH:MM` or `HH:MM` (local zone from TZ) [default: the system clock]
    #[arg(long, env = "CONTRACTS_NOW", global = true, value_name = "TIME")]
    pub now: Option<String>,
    /// Print one JSON document on stdout (errors as JSON on stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// Show times in UTC rather than the local zone
    #[arg(long, global = true)]
    pub utc: bool,
    /// Seconds to wait for the ledger lock before giving up with exit 6
    #[arg(long, global = true, value_name = "SECS", default_value = "10")]
    pub lock_timeout: String,
    /// Colour in tables and messages (NO_COLOR turns `auto` off)
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorArg,
    /// Print only what was asked for: no notes on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Compute and print the result of a change, but write nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Do not ask for confirmation at a terminal
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
}

/// A party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// The client, who pays.
    Client,
    /// The freelancer, who works.
    Freelancer,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Why a contract ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReasonArg {
    /// The work is done.
    Completed,
    /// The other party stopped answering.
    Unresponsive,
    /// It did not work out.
    Unsuccessful,
    /// Something else (say what with --note).
    Other,
}

/// The commands.
#[derive(Debug, Subcommand)]
// Deferred: a command builds only its own arguments, not the whole tree's.
#[command(defer = true)]
pub enum Command {
    /// Create a ledger (refuses to overwrite one)
    #[command(
        after_help = "Example:\n  contracts -f ~/work/ledger init --currency EUR --role freelancer --fee-percent 10"
    )]
    Init(InitArgs),
    /// Create a contract and print its id (client)
    #[command(
        after_help = "Examples:\n  contracts new --title \"Support\" --client Acme --freelancer \"Ann Lee\" --hourly 50 --weekly-limit 20\n  contracts new --id shop --title \"Storefront\" --client Acme --freelancer \"Ann Lee\" --fixed 900 --milestone \"Design=300\" --milestone \"Build=600\""
    )]
    New(NewArgs),
    /// List contracts: status, escrow, paid, this week's hours, next deadline
    #[command(after_help = "Example:\n  contracts list --json")]
    List,
    /// Show one contract in detail, with its pending deadlines
    #[command(after_help = "Example:\n  contracts show c7")]
    Show {
        /// The contract id
        id: String,
    },
    /// End a contract (final): locks the work diary and opens feedback
    #[command(
        after_help = "Examples:\n  contracts end c7 --reason completed --yes\n  contracts end shop --pay 300 --yes     (the rest of escrow becomes a refund request)"
    )]
    End(EndArgs),
    /// Accept an offer (freelancer, shared ledger): the contract starts now
    #[command(after_help = "Example:\n  contracts --as freelancer accept c7")]
    Accept {
        /// The contract id
        id: String,
    },
    /// Decline an offer (freelancer, shared ledger): it ends, its escrow returned
    #[command(after_help = "Example:\n  contracts --as freelancer decline c7")]
    Decline {
        /// The contract id
        id: String,
    },
    /// Pause an hourly contract (client): no new time until resumed
    #[command(after_help = "Example:\n  contracts pause c7")]
    Pause {
        /// The contract id
        id: String,
    },
    /// Resume a paused hourly contract (client)
    #[command(after_help = "Example:\n  contracts resume c7")]
    Resume {
        /// The contract id
        id: String,
    },
    /// Set the weekly limit of an hourly contract (client): a raise applies at once, a cut from next Monday 00:00 UTC
    #[command(after_help = "Examples:\n  contracts limit c7 20\n  contracts limit c7 none")]
    Limit {
        /// The contract id
        id: String,
        /// Hours per week, or `none`
        #[arg(value_name = "HOURS|none")]
        hours: String,
    },
    /// Manage the milestones of fixed-price contracts: add, fund, submit, request changes, approve
    #[command(subcommand)]
    Milestone(MilestoneCmd),
    /// Settle escrow refunds: request, approve, dispute, concede, escalate, resolve, give, list
    #[command(subcommand)]
    Refund(RefundCmd),
    /// Give and read double-blind feedback after a contract ends: give, show, reply, summary
    #[command(subcommand)]
    Feedback(FeedbackCmd),
    /// Keep the hourly work diary: log and track time, read weekly tables, dispute weeks
    #[command(subcommand)]
    Diary(DiaryCmd),
    /// Show the history of one contract, or of all
    #[command(after_help = "Examples:\n  contracts log c7\n  contracts log --json")]
    Log {
        /// The contract id [default: every contract]
        id: Option<String>,
    },
    /// Parse and validate the whole ledger; report every problem with file:line:col
    #[command(after_help = "Example:\n  contracts check && git commit -am 'ledger'")]
    Check,
    /// Apply every due timer and save (what cron runs)
    #[command(
        after_help = "Example (crontab):\n  */15 * * * * contracts sweep --json >> ~/.local/state/contracts-sweep.log"
    )]
    Sweep,
    /// Share a git ledger: fetch the other side, merge by the rules, check, commit, push
    #[command(
        after_help = "Exit codes: 0 in sync; 4 the merge set operations aside (listed; they stay in the history, marked superseded); 1 git failed (the local ledger is intact; sync again).\nExample:\n  contracts sync"
    )]
    Sync {
        /// The remote to sync with [default: the branch's upstream, else origin]
        #[arg(long, value_name = "NAME")]
        remote: Option<String>,
        /// Say how long git took and how long contracts itself took
        #[arg(long)]
        verbose: bool,
    },
    /// Record the parties of a shared ledger: their SSH keys sign their commits
    #[command(subcommand)]
    Party(PartyCmd),
    /// Check every commit of a shared ledger: signed by a recorded party, each operation that party's
    #[command(
        after_help = "Exit codes: 0 every commit verifies; 4 some do not (each is named, with why)."
    )]
    Verify {
        /// Say how long git took and how long contracts itself took
        #[arg(long)]
        verbose: bool,
    },
    /// Merge one file of the ledger by the rules (git runs it as the merge driver `contracts`)
    #[command(hide = true)]
    GitMergeDriver {
        /// The common ancestor's version
        base: String,
        /// Ours: the result is written here
        ours: String,
        /// Theirs
        theirs: String,
        /// The file's path in the ledger
        path: String,
    },
    /// Export money and time in the formats their users already use: an hledger journal, CSV, iCalendar
    #[command(subcommand)]
    Export(ExportCmd),
    /// Sum hours and money per week, month, client or contract, with totals and a bar to read a year at a glance
    #[command(
        after_help = "Examples:\n  contracts report --by month --from 2026-01-01 --to 2026-12-31\n  contracts --as freelancer report --by client --json"
    )]
    Report(ReportArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  contracts completions bash > ~/.local/share/bash-completion/completions/contracts"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write it and every command's page to a directory
    #[command(
        after_help = "Examples:\n  contracts man > ~/.local/share/man/man1/contracts.1\n  contracts man --dir ~/.local/share/man/man1     (contracts.1, contracts-new.1, contracts-diary-log.1, ...)"
    )]
    Man {
        /// Write contracts.1 and one page per command and subcommand (the
        /// pages the main page refers to) into this directory
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

// The arguments of `init`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct InitArgs {
    /// ISO 4217 currency of every amount in the ledger
    #[arg(long, default_value = "USD")]
    pub currency: String,
    /// The default acting role of this ledger
    // Its own id: the global `--as` is `role`.
    #[arg(
        long = "role",
        id = "ledger_role",
        value_name = "ROLE",
        default_value = "client"
    )]
    pub role: RoleArg,
    /// The freelancer's service fee on every payment, in whole percent
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fee_percent: u8,
    /// Keep the ledger in git (the `git` binary, 2.34 or newer): a
    /// repository with one commit per command, to share with the other
    /// party by cloning it
    #[arg(long)]
    pub git: bool,
}

/// `party`.
#[derive(Debug, Subcommand)]
pub enum PartyCmd {
    /// Record a party's SSH public key (its name as contracts use it)
    #[command(
        after_help = "Example:\n  contracts party add \"Ann Lee\" --key ~/.ssh/id_ed25519.pub"
    )]
    Add {
        /// The party's name, as contracts name it (client or freelancer; at most 100 characters)
        name: String,
        /// Its SSH public key file (`.pub`)
        #[arg(long, value_name = "FILE")]
        key: std::path::PathBuf,
        /// Replace the party's recorded key: only in the party's own clone,
        /// signed with its old key
        #[arg(long)]
        replace: bool,
    },
    /// Show the parties' recorded keys with their fingerprints, to compare
    /// out of band
    #[command(
        after_help = "Examples:\n  contracts party list\n  ssh-keygen -lf ~/.ssh/id_ed25519.pub   # the same fingerprint"
    )]
    List,
}

// The arguments of `new`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["hourly", "fixed"])))]
pub struct NewArgs {
    /// The id [default: the next free cN]
    #[arg(long)]
    pub id: Option<String>,
    /// What the contract is for (at most 200 characters)
    #[arg(long)]
    pub title: String,
    /// The client's name (at most 100 characters)
    #[arg(long)]
    pub client: String,
    /// The freelancer's name (at most 100 characters)
    #[arg(long)]
    pub freelancer: String,
    /// Hourly contract at this rate per hour (at least 3.00)
    #[arg(long, value_name = "RATE")]
    pub hourly: Option<String>,
    /// Fixed-price contract for this price; the first milestone is funded at once
    #[arg(long, value_name = "PRICE")]
    pub fixed: Option<String>,
    /// Weekly limit in hours, or `none`
    #[arg(long, value_name = "HOURS|none", requires = "hourly")]
    pub weekly_limit: Option<String>,
    /// Forbid manual time (only tracked time counts)
    #[arg(long, requires = "hourly")]
    pub no_manual_time: bool,
    /// A milestone "TITLE=AMOUNT" (repeat; they must add up to the price; each at least 5.00)
    #[arg(long, value_name = "TITLE=AMOUNT", requires = "fixed")]
    pub milestone: Vec<String>,
}

// The arguments of `end`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct EndArgs {
    /// The contract id
    pub id: String,
    /// Why it ends
    #[arg(long, default_value = "completed")]
    pub reason: ReasonArg,
    /// A note kept in the contract's history
    #[arg(long)]
    pub note: Option<String>,
    /// Give feedback in the same step: stars 1-5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub stars: Option<u8>,
    /// Public feedback comment (with --stars)
    #[arg(long, requires = "stars")]
    pub comment: Option<String>,
    /// Private feedback note, never shown to the other party (with --stars)
    #[arg(long, requires = "stars")]
    pub private: Option<String>,
    /// Fixed contract, client: release `full`, `none` or AMOUNT of the escrow; the rest becomes a refund request
    #[arg(long, value_name = "full|none|AMOUNT")]
    pub pay: Option<String>,
}

/// `export ...`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ExportCmd {
    /// Print an hledger journal (also read by Ledger) of every movement of money, as the acting role sees it
    #[command(
        after_help = "Examples:\n  contracts export hledger > contracts.journal && hledger -f contracts.journal bal\n  contracts --as freelancer export hledger --from 2026-01-01 --to 2026-12-31 c7"
    )]
    Hledger(ExportArgs),
    /// Print CSV for spreadsheets: the diary's entries, the contracts, or the payments
    #[command(
        after_help = "Examples:\n  contracts export csv diary --from 2026-11-01 --to 2026-11-30 > november.csv\n  contracts export csv payments c7"
    )]
    Csv {
        /// What to export
        what: CsvWhat,
        /// The period and contracts
        #[command(flatten)]
        args: ExportArgs,
    },
    /// Print an iCalendar of every pending deadline (UIDs stable across exports, for a subscribed calendar)
    #[command(after_help = "Example:\n  contracts export ics > ~/calendars/contracts.ics")]
    Ics(ExportArgs),
}

// The arguments of `report`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// One row per week, month, client or contract
    #[arg(long, value_enum, default_value = "month")]
    pub by: ByWhat,
    /// From this UTC day on (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Up to this UTC day, included (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

/// The rows of `report`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByWhat {
    /// ISO billing weeks (UTC)
    Week,
    /// Calendar months (UTC)
    Month,
    /// Clients
    Client,
    /// Contracts
    Contract,
}

/// The tables `export csv` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CsvWhat {
    /// One row per diary entry: start, end, seconds, billable seconds, memo
    Diary,
    /// One row per contract, with its money
    Contracts,
    /// One row per movement of money
    Payments,
}

// What to export: a period and contracts. Not a doc comment: clap would
// print it as the help of every `export` form, over each form's own sentence.
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// From this UTC day on (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Up to this UTC day, included (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only these contracts [default: every contract]
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
}

/// `diary ...`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum DiaryCmd {
    /// Log a finished interval of manual time (freelancer)
    #[command(
        after_help = "Examples:\n  contracts diary log c7 --from \"2026-11-16 09:00\" --to \"2026-11-16 10:30\" --memo \"API design\"\n  contracts diary log c7 --at 14:00 --duration 1h30m --memo \"review\""
    )]
    Log(DiaryLogArgs),
    /// Start a timer (tracked time; freelancer)
    #[command(after_help = "Example:\n  contracts diary start c7 --memo \"bug triage\"")]
    Start {
        /// The contract id
        id: String,
        /// What you are working on
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// Stop the running timer (freelancer)
    #[command(after_help = "Example:\n  contracts diary stop c7")]
    Stop {
        /// The contract id
        id: String,
    },
    /// Change an entry's times or memo while its week is open or in review (freelancer)
    #[command(
        after_help = "Example:\n  contracts diary edit c7/2026W47-3 --to \"2026-11-16 11:00\" --memo \"API design + review\""
    )]
    Edit {
        /// The entry, as shown by `diary show` (e.g. c7/2026W47-3)
        entry: String,
        /// New start
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// New end
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// New memo
        #[arg(long)]
        memo: Option<String>,
    },
    /// Delete an entry while its week is open or in review (freelancer)
    #[command(after_help = "Example:\n  contracts diary rm c7/2026W47-3")]
    Rm {
        /// The entry, as shown by `diary show` (e.g. c7/2026W47-3)
        entry: String,
    },
    /// Show weekly tables: hours per entry or day, limit, billable, amount, and where the week stands
    #[command(
        after_help = "Examples:\n  contracts diary show                     (this week, every contract)\n  contracts diary show c7 --week 2026-W47 --by day\n  contracts diary show --from 2026-11-01 --to 2026-11-30 --json"
    )]
    Show(DiaryShowArgs),
    /// Dispute an invoiced week (client), or answer a dispute (freelancer)
    #[command(
        after_help = "Examples:\n  contracts diary dispute c7 --week 2026-W47 --reason \"hours not agreed\"\n  contracts --as freelancer diary dispute c7 --week 2026-W47 --accept"
    )]
    Dispute(DiaryDisputeArgs),
    /// Import time from timewarrior, Watson or Toggl (freelancer); all or nothing; re-importing adds nothing
    #[command(
        after_help = "Examples:\n  timew export | contracts diary import - \n  contracts diary import export.json --contract c7\n  contracts diary import ~/.config/watson/frames --format watson\n  timew export | contracts diary import - --history\n  TZ=Europe/Paris contracts diary import toggl.csv --format toggl --map \"Client site=c7\""
    )]
    Import(DiaryImportArgs),
}

// The arguments of `diary import`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct DiaryImportArgs {
    /// The export file, or - for stdin
    pub file: String,
    /// Put every interval on this contract (else: the contract a tag or project names)
    #[arg(long, value_name = "ID")]
    pub contract: Option<String>,
    /// What wrote the file
    #[arg(long, value_enum, default_value = "timew")]
    pub format: ImportFormat,
    /// A Toggl project's contract: PROJECT=ID (repeat)
    #[arg(long, value_name = "PROJECT=ID")]
    pub map: Vec<String>,
    /// Move your past over: weeks already invoiced or settled take the
    /// intervals as history, shown and counted in hours, never billed
    #[arg(long)]
    pub history: bool,
}

/// The trackers `diary import` reads.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// `timew export` JSON (tags name the contract)
    Timew,
    /// Watson's frames file (the project or a tag names the contract)
    Watson,
    /// Toggl Track's detailed CSV export, in local time (TZ)
    Toggl,
}

// The arguments of `diary log`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct DiaryLogArgs {
    /// The contract id
    pub id: String,
    /// Start: RFC 3339, `YYYY-MM-DD HH:MM` or `HH:MM` (today), local zone unless an offset is given
    #[arg(long, visible_alias = "at", value_name = "TIME")]
    pub from: String,
    /// End (or give --duration)
    #[arg(
        long,
        value_name = "TIME",
        required_unless_present = "duration",
        conflicts_with = "duration"
    )]
    pub to: Option<String>,
    /// Length instead of --to: `1h30m`, `45m`, `2h`, `1:30`
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// What was done
    #[arg(long)]
    pub memo: String,
}

/// How `diary show` groups rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// One row per entry.
    Entry,
    /// One row per local day.
    Day,
}

// The arguments of `diary show`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct DiaryShowArgs {
    /// One contract [default: every contract with time in the week]
    pub id: Option<String>,
    /// The ISO week, e.g. 2026-W47 [default: the current week]
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub week: Option<String>,
    /// First day of a range of weeks (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// Last day of the range (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Rows per entry or per day
    #[arg(long, default_value = "entry")]
    pub by: ByArg,
}

// The arguments of `diary dispute`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["reason", "accept", "decline", "withdraw"])))]
pub struct DiaryDisputeArgs {
    /// The contract id
    pub id: String,
    /// The invoiced week, e.g. 2026-W47
    #[arg(long)]
    pub week: String,
    /// Open a dispute with this reason (client)
    #[arg(long)]
    pub reason: Option<String>,
    /// Accept it: the week's hours are refunded (freelancer)
    #[arg(long)]
    pub accept: bool,
    /// Decline it: the hours stand (freelancer)
    #[arg(long)]
    pub decline: bool,
    /// Withdraw it: billed as normal (client)
    #[arg(long)]
    pub withdraw: bool,
}

/// `milestone ...`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MilestoneCmd {
    /// Add a milestone (client; at least 5.00); --fund puts it in escrow now
    #[command(
        after_help = "Example:\n  contracts milestone add shop --title \"Checkout\" --amount 250 --fund"
    )]
    Add {
        /// The contract id
        id: String,
        /// What it is for (at most 200 characters)
        #[arg(long)]
        title: String,
        /// Its amount
        #[arg(long)]
        amount: String,
        /// Fund it at once (the previous one must be released or refunded)
        #[arg(long)]
        fund: bool,
    },
    /// Fund a milestone into escrow (client); only one is funded at a time
    #[command(after_help = "Example:\n  contracts milestone fund shop 2")]
    Fund {
        /// The contract id
        id: String,
        /// The milestone number [default: the next unfunded one]
        n: Option<u32>,
    },
    /// Submit work for the funded milestone (freelancer); the client has 14 days to act
    #[command(after_help = "Example:\n  contracts --as freelancer milestone submit shop")]
    Submit {
        /// The contract id
        id: String,
        /// The milestone number [default: the funded one]
        n: Option<u32>,
    },
    /// Ask for changes to submitted work (client); stops the 14-day clock
    #[command(after_help = "Example:\n  contracts milestone request-changes shop")]
    RequestChanges {
        /// The contract id
        id: String,
        /// The milestone number [default: the funded one]
        n: Option<u32>,
    },
    /// Approve and release (client): all, or --amount; the rest carries to the next milestone
    #[command(
        after_help = "Examples:\n  contracts milestone approve shop\n  contracts milestone approve shop 1 --amount 200"
    )]
    Approve {
        /// The contract id
        id: String,
        /// The milestone number [default: the funded one]
        n: Option<u32>,
        /// Release only this much
        #[arg(long)]
        amount: Option<String>,
    },
    /// List a contract's milestones
    #[command(after_help = "Example:\n  contracts milestone list shop")]
    List {
        /// The contract id
        id: String,
    },
}

/// `refund ...`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum RefundCmd {
    /// Request a refund of the funded milestone's escrow (client)
    #[command(after_help = "Example:\n  contracts refund request shop --amount 100")]
    Request {
        /// The contract id
        id: String,
        /// How much [default: all of the escrow not already held]
        #[arg(long)]
        amount: Option<String>,
    },
    /// Approve the open refund request (freelancer): the money returns to the client
    #[command(after_help = "Example:\n  contracts --as freelancer refund approve shop")]
    Approve {
        /// The contract id
        id: String,
    },
    /// Dispute the open refund request within 7 days (freelancer)
    #[command(
        after_help = "Example:\n  contracts --as freelancer refund dispute shop --note \"work delivered\""
    )]
    Dispute {
        /// The contract id
        id: String,
        /// Why
        #[arg(long)]
        note: Option<String>,
    },
    /// Concede a disputed refund (client): the money is released to the freelancer
    #[command(after_help = "Example:\n  contracts refund concede shop")]
    Concede {
        /// The contract id
        id: String,
    },
    /// Escalate a disputed refund to mediation (client)
    #[command(after_help = "Example:\n  contracts refund escalate shop")]
    Escalate {
        /// The contract id
        id: String,
    },
    /// Record the mediation's split of an escalated refund (parts must add up)
    #[command(after_help = "Example:\n  contracts refund resolve shop --client 20 --freelancer 30")]
    Resolve {
        /// The contract id
        id: String,
        /// The client's part
        #[arg(long)]
        client: String,
        /// The freelancer's part
        #[arg(long)]
        freelancer: String,
    },
    /// Give back released money (freelancer; last 180 days; at most their net; final)
    #[command(after_help = "Example:\n  contracts --as freelancer refund give shop --amount 50")]
    Give {
        /// The contract id
        id: String,
        /// How much
        #[arg(long)]
        amount: String,
    },
    /// List open refund requests and disputes, with their deadlines
    #[command(
        after_help = "Examples:\n  contracts refund list\n  contracts refund list --due --json"
    )]
    List {
        /// Only those whose deadline has passed (what `sweep` would settle)
        #[arg(long)]
        due: bool,
    },
}

/// `feedback ...`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum FeedbackCmd {
    /// Give feedback on an ended contract (once; within 14 days of the end)
    #[command(
        after_help = "Example:\n  contracts feedback give c7 --stars 5 --comment \"Great work\" --private \"would hire again\" --quality 5"
    )]
    Give(FeedbackGiveArgs),
    /// Show both directions of one contract's feedback; without ID, what is still to give
    #[command(after_help = "Examples:\n  contracts feedback show c7\n  contracts feedback show")]
    Show {
        /// The contract id [default: every contract with feedback still to give]
        id: Option<String>,
    },
    /// Reply once to feedback you received, after it is revealed (within 28 days of the end)
    #[command(
        after_help = "Example:\n  contracts --as freelancer feedback reply c7 --text \"Thank you!\""
    )]
    Reply {
        /// The contract id
        id: String,
        /// The reply
        #[arg(long)]
        text: String,
    },
    /// Sum up the stars and scores each party received: averages over revealed feedback
    #[command(after_help = "Example:\n  contracts feedback summary --party \"Ann Lee\"")]
    Summary {
        /// Only this party
        #[arg(long)]
        party: Option<String>,
    },
}

// The arguments of `feedback give`. Not a doc comment: clap would print it as the
// command's help, over the variant's sentence (the command's help).
#[allow(missing_docs)]
#[derive(Debug, Args)]
pub struct FeedbackGiveArgs {
    /// The contract id
    pub id: String,
    /// Overall stars, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub stars: u8,
    /// Public comment
    #[arg(long)]
    pub comment: Option<String>,
    /// Private note: never shown to the other party
    #[arg(long)]
    pub private: Option<String>,
    /// Skills, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub skills: Option<u8>,
    /// Quality of work, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub quality: Option<u8>,
    /// Availability, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub availability: Option<u8>,
    /// Adherence to deadlines, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub deadlines: Option<u8>,
    /// Communication, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub communication: Option<u8>,
    /// Cooperation, 1 to 5
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub cooperation: Option<u8>,
}

/// The command-line definition to parse `args` with: when the line names
/// a command (`contracts -q end c7`), the top level with that command alone;
/// otherwise (help, a mistyped command, `--`) the whole tree.
///
/// Building a level, clap copies each global option into every command of
/// it: some 300 copies for the top level's 28 commands, a tenth of a short
/// command's run. The line parses the same either way (same matches, same
/// errors): clap, too, takes the first word that is not an option or its
/// value as the command.
pub fn command_for(args: &[std::ffi::OsString]) -> clap::Command {
    use clap::CommandFactory;
    let full = Cli::command();
    let Some(sub) = named_command(&full, args).cloned() else {
        return full;
    };
    // `Cli`'s own settings, which derive puts on the top level.
    clap::Command::new("contracts")
        .version(env!("CARGO_PKG_VERSION"))
        .after_help(EXIT_CODES)
        .after_long_help(EXIT_CODES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(full.get_arguments().cloned())
        .subcommand(sub)
}

/// The command the line names, found as clap finds it: words before it are
/// top-level options and their values. `None` at anything else (an unknown
/// option, `-h`, `--`, a word that names no command).
fn named_command<'c>(
    full: &'c clap::Command,
    args: &[std::ffi::OsString],
) -> Option<&'c clap::Command> {
    let takes_value = |a: &clap::Arg| a.get_action().takes_values();
    let mut words = args.iter().skip(1);
    while let Some(w) = words.next() {
        let w = w.to_str()?;
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            let a = full.get_arguments().find(|a| a.get_long() == Some(name))?;
            if takes_value(a) && !inline {
                words.next()?;
            } else if !takes_value(a) && inline {
                return None;
            }
        } else if let Some(shorts) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (i, c) in shorts.char_indices() {
                let a = full.get_arguments().find(|a| a.get_short() == Some(c))?;
                if takes_value(a) {
                    // The value is the rest of the word, or the next word.
                    if i + c.len_utf8() == shorts.len() {
                        words.next()?;
                    }
                    break;
                }
            }
        } else {
            return full.get_subcommands().find(|s| s.get_name() == w);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Subcommands are built only when used (startup time), so clap's own
    /// checks of the whole tree must be asked for.
    #[test]
    fn the_whole_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    /// A line parses the same with the command definition cut down to the
    /// command it names as with the whole tree: the same values, or the
    /// same error (kind and words), help and usage included.
    #[test]
    fn a_line_parses_the_same_with_only_its_command() {
        use clap::FromArgMatches;
        let lines = [
            "end c7",
            "-q end c7 --reason completed --pay 300 --yes",
            "--json -f /tmp/l --now 2026-11-18T10:00:00Z end c7",
            "end c7 --json -f /tmp/l --as client",
            "-qy end c7",
            "-qf/tmp/l end c7",
            "-f list show c7",
            "-qf list show c7",
            "--as client --now end list",
            "--ledger list show c7",
            "-f /tmp/l -q end",
            "--ledger=/tmp/l end c7",
            "--now=2026-11-18 list",
            "--color never list --bogus",
            "--color sometimes list",
            "--as nobody list",
            "--lock-timeout 3 sweep",
            "--json=yes list",
            "list extra",
            "show",
            "show c7 c8",
            "end --help",
            "end -h",
            "diary --help",
            "diary show --help",
            "diary",
            "diary show --week 2026-W47 --by day",
            "diary show c7 --week 2026-W47",
            "diary log c7 --from 09:00 --to 10:00 --memo x",
            "diary log c7 --from 09:00",
            "diary frob",
            "milestone add c7 --title Design --amount 300 --fund",
            "milestone",
            "refund resolve c7 --client 10 --freelancer 20",
            "feedback give c7 --stars 6",
            "export hledger --from 2026-01-01 c1 c2",
            "report --by month",
            "new --title T --client A --freelancer B --hourly 50 --weekly-limit none",
            "new --title T --client A --freelancer B",
            "completions bash",
            "init --currency EUR --role freelancer --fee-percent 10",
            "-- list",
            "- list",
            "-",
            "",
            "--help",
            "-h",
            "help",
            "help end",
            "--version list",
            "-V",
            "lsit",
            "-f",
            "--now",
            "-z list",
            "--as",
        ];
        for line in lines {
            let args: Vec<std::ffi::OsString> = std::iter::once("contracts")
                .chain(line.split_whitespace())
                .map(Into::into)
                .collect();
            let shown = |r: Result<clap::ArgMatches, clap::Error>| match r {
                Ok(m) => format!("{:?}", Cli::from_arg_matches(&m).map_err(|e| e.to_string())),
                Err(e) => format!("{:?}: {}", e.kind(), e.render().ansi()),
            };
            let whole = shown(Cli::command().try_get_matches_from(&args));
            let cut = shown(super::command_for(&args).try_get_matches_from(&args));
            assert_eq!(cut, whole, "`contracts {line}`");
        }
        // The cut-down definition is what those lines were parsed with.
        let args: Vec<std::ffi::OsString> = ["contracts", "-q", "end", "c7"].map(Into::into).into();
        assert_eq!(super::command_for(&args).get_subcommands().count(), 1);
    }
}
