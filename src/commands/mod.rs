//! One file per verb: open -> core -> commit -> render.

pub mod check;
pub mod completions;
pub mod diary;
pub mod end;
pub mod feedback;
pub mod init;
pub mod limit;
pub mod list;
pub mod log;
pub mod milestone;
pub mod new;
pub mod pause;
pub mod refund;
pub mod resume;
pub mod show;
pub mod sweep;

use crate::core::model::{Contract, ContractId, Instant, Role};
use crate::core::week::Week;
use crate::core::{Outcome, Settings};
use crate::error::usage;
use crate::render::json::{self, ThisWeek, Viewer};
use crate::render::{Out, text::clean};
use crate::store::{Access, Doc, Store, StoreError};
use anyhow::Result;
use serde_json::json;
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
    if c.kind() != crate::core::Kind::Hourly {
        return Ok(None);
    }
    let week = Week::of(now);
    let mut minutes = 0;
    let mut running_since = None;
    let mut entries_this_week = false;
    if let Some(doc) = store.week(week, c)? {
        let until = crate::core::diary::counting_until(c, week, now);
        minutes = doc.value.minutes(until);
        running_since = doc.value.running().map(|e| e.start);
        entries_this_week = !doc.value.entries.is_empty();
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
        minutes,
        running_since,
        billed: None,
    }))
}

/// An hourly contract's money from its diary: the settled weeks as payments
/// (dated at settlement), what is invoiced and still disputable, and what an
/// open dispute holds.
#[derive(Debug, Default)]
pub struct HourlyBilling {
    /// Settled weeks, oldest first.
    pub paid: Vec<crate::core::model::Payment>,
    /// Invoiced, not yet settled.
    pub invoiced: crate::core::Money,
    /// Past settlement but held by an open dispute.
    pub disputed: crate::core::Money,
}

impl HourlyBilling {
    /// Gross paid by the settled weeks.
    pub fn billed(&self) -> crate::core::Money {
        self.paid.iter().map(|p| p.amount).sum()
    }

    /// The fee on them.
    pub fn fee(&self) -> crate::core::Money {
        self.paid.iter().map(|p| p.fee).sum()
    }
}

/// Reads the week files of `c` from week `from` to now (or its end): only
/// that contract's, only those weeks.
pub fn hourly_billing(
    store: &Store,
    c: &Contract,
    from: Week,
    now: Instant,
) -> Result<HourlyBilling> {
    use crate::core::diary::{WeekMoney, week_money};
    let mut out = HourlyBilling::default();
    if c.kind() != crate::core::Kind::Hourly {
        return Ok(out);
    }
    let last = c.ended_at().map_or(now, |e| e.min(now));
    let from = from.max(Week::of(c.started_at));
    for wk in store.contract_weeks(&c.id, from, Week::of(last)) {
        let Some(d) = store.week(wk, c)? else {
            continue;
        };
        match week_money(c, &d.value, &store.settings, now) {
            WeekMoney::Paid(p) => out.paid.push(p),
            WeekMoney::Invoiced(m) => out.invoiced += m,
            WeekMoney::Held(m) => out.disputed += m,
            WeekMoney::Unbilled => {}
        }
    }
    Ok(out)
}

/// This week's figures of a contract known to have no time this week.
pub fn this_week_empty(c: &Contract, now: Instant) -> Option<ThisWeek> {
    (c.kind() == crate::core::Kind::Hourly).then(|| ThisWeek {
        week: Week::of(now),
        minutes: 0,
        running_since: None,
        billed: None,
    })
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
    let outcome = rule(&store, &doc.value, role)?;
    confirm(&store, &doc, &outcome)?;
    if !ctx.dry_run {
        store.save_contract(&doc, &outcome.contract)?;
    }
    let week = this_week(&store, &outcome.contract, ctx.now)?;
    report(
        ctx,
        &store.settings,
        &[(&outcome.contract, week)],
        &outcome.events,
        &outcome.contract.id,
    )
}

/// Prints the result of a mutation: the events (and with --json the
/// contracts and events as one document).
pub fn report(
    ctx: &Ctx,
    settings: &Settings,
    contracts: &[(&Contract, Option<ThisWeek>)],
    events: &[crate::core::Event],
    id: &ContractId,
) -> Result<()> {
    let v = ctx.viewer(settings);
    if ctx.out.json {
        let cs: Vec<_> = contracts
            .iter()
            .map(|(c, w)| json::contract(c, &v, *w))
            .collect();
        let evs: Vec<_> = events.iter().map(|e| json::event(id, e, &v)).collect();
        let doc = if cs.len() == 1 {
            json!({"contract": cs[0], "events": evs, "dry_run": ctx.dry_run})
        } else {
            json!({"contracts": cs, "events": evs, "dry_run": ctx.dry_run})
        };
        ctx.out.print_json(&doc)?;
        return Ok(());
    }
    let cur = settings.currency;
    let mut lines = Vec::new();
    for e in events {
        let amount = e
            .amount
            .map(|a| format!(" [{} {}]", cur.show(a), cur.code()))
            .unwrap_or_default();
        let when = if e.at == ctx.now {
            String::new()
        } else {
            format!(" (due {})", ctx.out.time(e.at))
        };
        lines.push(format!(
            "{id}: {} by {}{when}{amount}: {}",
            e.event,
            e.actor,
            clean(&e.detail)
        ));
    }
    if ctx.dry_run {
        lines.push("dry run: nothing was written".into());
    }
    ctx.out.print(&lines.join("\n"))?;
    Ok(())
}
