//! One file per verb: open -> core -> commit -> render.

pub mod check;
pub mod completions;
pub mod diary;
pub mod end;
pub mod export;
pub mod feedback;
pub mod init;
pub mod limit;
pub mod list;
pub mod log;
pub mod milestone;
pub mod new;
pub mod offer;
pub mod party;
pub mod pause;
pub mod refund;
pub mod report;
pub mod resume;
pub mod show;
pub mod sweep;
pub mod sync;
pub mod verify;

use crate::core::apply::{Context, Request};
use crate::core::diary::{self as rules, WeekFile};
use crate::core::model::{Contract, ContractId, Instant, Role};
use crate::core::week::Week;
use crate::core::{Money, Outcome, Settings, timers};
use crate::error::usage;
use crate::render::json::{self, ThisWeek, Viewer};
use crate::render::rows::{Figures, Unpaid};
use crate::render::{Out, text::clean};
use crate::store::{Access, Doc, Store, StoreError};
use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

/// Everything a command needs from the shell: resolved options, the clock,
/// the output.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The ledger directory.
    pub ledger: PathBuf,
    /// `--as` / `CONTRACTS_ROLE`, if given.
    pub role: Option<Role>,
    /// The clock.
    pub now: Instant,
    /// How to print.
    pub out: Out,
    /// Compute and print, write nothing.
    pub dry_run: bool,
    /// Skip confirmations.
    pub yes: bool,
    /// How long to wait for the lock.
    pub lock_timeout: Duration,
    /// Stdin and stderr are terminals (so we may ask).
    pub interactive: bool,
}

impl Ctx {
    /// Opens and locks the ledger.
    pub fn open(&self, access: Access) -> Result<Store, StoreError> {
        let store = Store::open(&self.ledger, access, self.lock_timeout)?;
        for w in &store.warnings {
            self.out.note(w);
        }
        // In a shared ledger a change is dated on its author's word: one
        // dated beyond this machine's clock by more than the tolerance is
        // refused before anything is read for it.
        if access == Access::Write && store.is_git() {
            crate::core::parties::check_clock(self.now, machine_clock())
                .map_err(StoreError::Refused)?;
            let removed = store
                .git()
                .map(crate::store::git::Git::clear_stale_locks)
                .unwrap_or_default();
            if !removed.is_empty() && !self.out.json {
                self.out.note(&format!(
                    "removed .git/{} left by a git killed with an earlier command",
                    removed.join(", .git/")
                ));
            }
            // A sync killed while it wrote the work tree: its files put
            // back before anything here reads them (or commits them).
            if let Some(git) = store.git() {
                sync::undo_planned(&store, git).map_err(|e| StoreError::Io {
                    context: "cannot undo the writes of a sync killed earlier".into(),
                    source: std::io::Error::other(e.to_string()),
                })?;
            }
        }
        Ok(store)
    }

    /// The acting role: `--as`, `CONTRACTS_ROLE`, else the ledger's setting.
    pub fn role(&self, settings: &Settings) -> Role {
        self.role.unwrap_or(settings.role)
    }

    /// A viewer for rendering.
    pub fn viewer<'a>(&self, settings: &'a Settings) -> Viewer<'a> {
        Viewer {
            settings,
            role: self.role(settings),
            now: self.now,
        }
    }
}

pub use crate::core::parties::CLOCK_TOLERANCE;

/// This machine's clock (not `--now`): what a shared ledger's changes are
/// held to.
pub fn machine_clock() -> Instant {
    chrono::Utc::now()
}

/// Parses a contract id argument (usage error if it is not a safe id).
pub fn parse_id(s: &str) -> Result<ContractId> {
    ContractId::parse(s).map_err(usage)
}

/// Parses a money argument in the ledger's currency (usage error if bad).
pub fn money_arg(settings: &Settings, flag: &str, s: &str) -> Result<crate::core::Money> {
    settings
        .currency
        .parse(s)
        .map_err(|e| usage(format!("{flag}: {e}")))
}

/// The current week's diary time of an hourly contract (reads one file).
pub fn this_week(store: &Store, c: &Contract, now: Instant) -> Result<Option<ThisWeek>> {
    this_week_with(store, c, None, now)
}

/// [`this_week`], the current week's file given if it is at hand (`wf`,
/// as [`Store::week`] gives it for `c`).
pub fn this_week_with(
    store: &Store,
    c: &Contract,
    wf: Option<&WeekFile>,
    now: Instant,
) -> Result<Option<ThisWeek>> {
    if c.kind() != crate::core::Kind::Hourly {
        return Ok(None);
    }
    let week = Week::of(now);
    let mut seconds = 0;
    let mut running_since = None;
    let mut entries_this_week = false;
    let read;
    let wf = match wf {
        Some(wf) => Some(wf),
        None => {
            read = store.week(week, c)?;
            read.as_ref().map(|d| &d.value)
        }
    };
    if let Some(wf) = wf {
        let until = crate::core::diary::counting_until(c, week, now);
        seconds = wf.seconds(until);
        running_since = wf.running().map(|e| e.start);
        entries_this_week = !wf.entries.is_empty();
    }
    // A timer started last week and still running. It would overlap any
    // entry of this week, so only a week without entries needs the look.
    if running_since.is_none()
        && !entries_this_week
        && let Some(doc) = store.week(week.prev(), c)?
    {
        running_since = doc.value.running().map(|e| e.start);
    }
    Ok(Some(ThisWeek {
        week,
        seconds,
        running_since,
    }))
}

/// The week files of an hourly contract whose pay may still be unrecorded at
/// `now` (the weeks of [`timers::unpaid_weeks`] that have a file).
pub fn unpaid_weeks(store: &Store, c: &Contract, now: Instant) -> Result<Vec<WeekFile>> {
    let Some((first, last)) = timers::unpaid_weeks(c, now) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for w in store.contract_weeks(&c.id, first, last) {
        if let Some(d) = store.week(w, c)? {
            out.push(d.value);
        }
    }
    Ok(out)
}

/// Applies `request`, made by `role`, to `c` through the core's one door
/// ([`crate::core::apply::apply`]); `weeks` are the contract's week files
/// the request concerns (the disputed week's).
pub fn apply(
    ctx: &Ctx,
    store: &Store,
    c: &Contract,
    role: Role,
    request: &Request,
    weeks: &[WeekFile],
) -> Result<Outcome> {
    let cx = Context {
        settings: &store.settings,
        weeks,
    };
    Ok(crate::core::apply::apply(c, role, request, &cx, ctx.now)?)
}

/// `c` with every timer due at `now` applied, the pay of its settled hourly
/// weeks included: what every command sees, so that no view is stale.
pub fn advanced(store: &Store, c: Contract, now: Instant) -> Result<Outcome> {
    let weeks = unpaid_weeks(store, &c, now)?;
    Ok(timers::advance_owned(c, &weeks, &store.settings, now))
}

/// `c` with every timer due at `now` applied except the pay of its settled
/// weeks: for the week tables, which bill each week from its own file and
/// show no payment, so they read no other week of the contract (a fresh
/// import's weeks are all unpaid until a `sweep` records them).
pub fn advanced_for_tables(store: &Store, c: Contract, now: Instant) -> Contract {
    timers::advance_owned(c, &[], &store.settings, now).contract
}

/// What an hourly contract's diary holds that is not paid yet: the week
/// invoiced (disputable) and the weeks an open dispute holds past their
/// settlement. Reads the weeks that may be unpaid and the invoiced one.
pub fn unpaid_money(store: &Store, c: &Contract, now: Instant) -> Result<Unpaid> {
    use crate::core::diary::{WeekMoney, week_money};
    let (mut invoiced, mut held) = (Money::ZERO, Money::ZERO);
    for w in rules::weeks_with_unpaid_money(c, now) {
        if let Some(d) = store.week(w, c)? {
            match week_money(c, &d.value, &store.settings, now) {
                WeekMoney::Invoiced(m) => invoiced += m,
                WeekMoney::Held(m) => held += m,
                _ => {}
            }
        }
    }
    Ok(Unpaid { invoiced, held })
}

/// Refuses (a usage error, exit 2) a title or a name from the command line
/// that `problem` finds wrong (too long), naming the option and not
/// repeating the text.
pub fn text_arg(flag: &str, s: &str, problem: fn(&str) -> Option<String>) -> Result<()> {
    match problem(s) {
        Some(why) => Err(usage(format!("{flag}: {why}"))),
        None => Ok(()),
    }
}

/// The money of `c` as the acting role sees it, with what its diary holds
/// unpaid: what `show`, the contract JSON and `export csv contracts` say.
pub fn figures(store: &Store, c: &Contract, role: Role, now: Instant) -> Result<Figures> {
    Ok(Figures::of(c, role, Some(unpaid_money(store, c, now)?)))
}

/// This week's figures of a contract known to have no time this week.
pub fn this_week_empty(c: &Contract, now: Instant) -> Option<ThisWeek> {
    (c.kind() == crate::core::Kind::Hourly).then(|| ThisWeek {
        week: Week::of(now),
        seconds: 0,
        running_since: None,
    })
}

/// A new operation's id: 64 random bits, so that two clones of a ledger
/// never make the same one (std's `RandomState` is keyed from the OS's
/// random source).
pub fn operation_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::hash::RandomState::new().build_hasher();
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    h.write_u128(since.as_nanos());
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// Applies one rule to one contract and commits it: the shared path of the
/// single-contract mutations. `confirm` sees the outcome before anything is
/// written and may refuse.
pub fn mutate(
    ctx: &Ctx,
    id: &str,
    rule: impl FnOnce(&Store, &Contract, Role) -> Result<Outcome>,
    confirm: impl FnOnce(&Store, &Doc<Contract>, &Outcome) -> Result<()>,
) -> Result<()> {
    let id = parse_id(id)?;
    let store = ctx.open(Access::Write)?;
    let doc = store.contract(&id)?;
    let role = ctx.role(&store.settings);
    check_party(&store, &doc.value, role)?;
    let due = advanced(&store, doc.value.clone(), ctx.now)?;
    let mut outcome = rule(&store, &due.contract, role)?;
    outcome.events.splice(0..0, due.events);
    let stopped = stop_new_time(&store, &due.contract, &mut outcome, role, ctx.now)?;
    crate::core::step::stamp(&mut outcome, &operation_id());
    if ctx.dry_run {
        outcome.contract = crate::core::feedback::conceal(&due.contract, outcome.contract, role);
    }
    confirm(&store, &doc, &outcome)?;
    if !ctx.dry_run {
        // The stopped timers first: a crash between the writes leaves them
        // stopped on a contract still active, which is valid.
        for (old, new) in &stopped {
            store.save_week(Some(old), new, &outcome.contract)?;
        }
        store.save_contract(&doc, &outcome.contract)?;
        let c = &outcome.contract;
        let own = outcome
            .events
            .iter()
            .find(|e| e.actor != crate::core::Actor::System);
        let subject = match own {
            Some(e) => format!("{}: {}", c.id, e.kind()),
            None => format!("{}: changed", c.id),
        };
        let body = event_lines(ctx, &store.settings, c, &outcome.events);
        commit(ctx, &store, party(c, role), &subject, &body)?;
    }
    let week = this_week(&store, &outcome.contract, ctx.now)?;
    report(ctx, &store, &outcome.contract, week, &outcome.events)
}

/// A change that stops new time on an hourly contract (a pause, the pause of
/// an hourly dispute, the end) is refused while the diary records time after
/// its instant, and stops every running timer there (or where it stopped
/// counting): returns those week files, old and new, and records each stop
/// in `outcome`.
fn stop_new_time(
    store: &Store,
    before: &Contract,
    outcome: &mut Outcome,
    role: Role,
    now: Instant,
) -> Result<Vec<(Doc<WeekFile>, WeekFile)>> {
    if !rules::stops_new_time(before, &outcome.contract) {
        return Ok(Vec::new());
    }
    let weeks = diary::all_weeks(store, before, now)?;
    rules::refuse_before_latest(before, weeks.iter().flat_map(|d| &d.value.entries), now)?;
    let mut out = Vec::new();
    for doc in weeks {
        let Some((new, e)) = rules::stop_at(&doc.value, now) else {
            continue;
        };
        // Reported, not kept in the contract's history: the end is recorded
        // in the week file, and a re-run after a crash between the two
        // writes then leaves the contract exactly as a whole run does.
        outcome
            .events
            .push(rules::timer_stopped_event(&e, role.actor(), now));
        out.push((doc, new));
    }
    Ok(out)
}

/// One line per event of `c`: what, by whom, when (if not now), how much,
/// and its sentence.
pub fn event_lines(
    ctx: &Ctx,
    settings: &Settings,
    c: &Contract,
    events: &[crate::core::Event],
) -> Vec<String> {
    let cur = settings.currency;
    events
        .iter()
        .map(|e| {
            let amount = e
                .amount
                .map(|a| format!(" [{} {}]", cur.show(a), cur.code()))
                .unwrap_or_default();
            let when = if e.at == ctx.now {
                String::new()
            } else {
                format!(" (due {})", ctx.out.time(e.at))
            };
            format!(
                "{}: {} by {}{when}{amount}: {}",
                c.id,
                e.kind(),
                e.actor,
                clean(&crate::core::history::detail(c, e, &cur))
            )
        })
        .collect()
}

/// In a git ledger, commits what the command wrote: one commit, `subject`
/// then `body`, its author `who` (the acting party), dated `--now`.
pub fn commit(ctx: &Ctx, store: &Store, who: &str, subject: &str, body: &[String]) -> Result<()> {
    if ctx.dry_run || !store.is_git() {
        return Ok(());
    }
    let message = if body.is_empty() {
        subject.to_string()
    } else {
        format!("{subject}\n\n{}\n", body.join("\n"))
    };
    let author = crate::store::git::Author {
        name: who,
        at: ctx.now,
    };
    store.commit(&message, &author)?;
    Ok(())
}

/// This clone's signing key, if it has one.
fn my_key(store: &Store) -> Option<String> {
    store.git()?.signing_key()
}

/// The recorded party whose key this clone signs with, if any.
pub(crate) fn signing_party(store: &Store) -> Option<&crate::core::schema::Party> {
    crate::core::parties::signing_party(&store.parties, my_key(store).as_deref())
}

/// Refuses unless this clone signs with `name`'s recorded key.
pub fn check_signer(store: &Store, name: &str) -> Result<()> {
    Ok(crate::core::parties::check_signer(
        &store.parties,
        my_key(store).as_deref(),
        name,
    )?)
}

/// In a shared ledger, refuses `role`'s action on `c` unless this clone
/// signs as `role`'s party (see [`crate::core::parties::check_party`]).
pub fn check_party(store: &Store, c: &Contract, role: Role) -> Result<()> {
    if store.git().is_none() {
        return Ok(());
    }
    Ok(crate::core::parties::check_party(
        &store.parties,
        my_key(store).as_deref(),
        c,
        role,
    )?)
}

/// In a shared ledger, refuses a clone that signs with a key no party
/// recorded (see [`crate::core::parties::check_own_key`]).
pub fn check_own_key(store: &Store) -> Result<()> {
    if store.git().is_none() {
        return Ok(());
    }
    Ok(crate::core::parties::check_own_key(
        &store.parties,
        my_key(store).as_deref(),
    )?)
}

/// The name of `role`'s party in `c`.
pub fn party(c: &Contract, role: Role) -> &str {
    match role {
        Role::Client => &c.client,
        Role::Freelancer => &c.freelancer,
    }
}

/// Prints the result of a mutation: the events (and with --json the
/// contracts and events as one document).
pub fn report(
    ctx: &Ctx,
    store: &Store,
    c: &Contract,
    week: Option<ThisWeek>,
    events: &[crate::core::Event],
) -> Result<()> {
    let settings = &store.settings;
    let v = ctx.viewer(settings);
    if ctx.out.json {
        let f = figures(store, c, v.role, ctx.now)?;
        ctx.out.print_json(&json::MutationJson {
            contract: json::contract_with(c, &v, week, &f),
            events: events.iter().map(|e| json::event(c, e, &v)).collect(),
            dry_run: ctx.dry_run,
        })?;
        return Ok(());
    }
    let mut lines = event_lines(ctx, settings, c, events);
    if ctx.dry_run {
        lines.push("dry run: nothing was written".into());
    }
    ctx.out.print(&lines.join("\n"))?;
    Ok(())
}
