//! `export hledger [--from DATE] [--to DATE] [ID]...`: money out of the
//! ledger, in the formats its users already use (SPEC §8).

use super::{Ctx, advanced, parse_id};
use crate::cli::{CsvWhat, ExportArgs, ExportCmd};
use crate::core::Settings;
use crate::core::diary::WeekFile;
use crate::core::model::{Contract, Instant};
use crate::core::movements::{self, Movement};
use crate::core::timers::{self, TimerKind};
use crate::error::usage;
use crate::render::ics::Deadline;
use crate::render::rows::Figures;
use crate::render::{csv, hledger, ics};
use crate::store::{Access, Store};
use anyhow::Result;
use chrono::NaiveDate;

/// Runs `export ...`. Every option is honoured or refused: `--json` is
/// refused (an export writes its own format).
pub fn run(ctx: &Ctx, cmd: ExportCmd) -> Result<()> {
    if ctx.out.json {
        return Err(usage(
            "--json: an export writes its own format (an hledger journal, CSV or iCalendar); `show`, `list`, `report` and `diary show` take --json",
        ));
    }
    match cmd {
        ExportCmd::Hledger(a) => {
            let (loaded, period, _) = load(ctx, &a)?;
            let moves = in_period(&loaded, period);
            ctx.out.print(&hledger::journal(
                &moves,
                loaded.role,
                &loaded.settings.currency,
            ))?;
        }
        ExportCmd::Csv { what, args } => {
            let (loaded, period, store) = load(ctx, &args)?;
            let (s, role) = (&loaded.settings, loaded.role);
            let text = match what {
                CsvWhat::Contracts => {
                    let rows = contract_figures(&store, &loaded, period, ctx.now)?;
                    csv::contracts(&rows, s, period != (None, None))?
                }
                CsvWhat::Payments => csv::payments(&in_period(&loaded, period), s, role)?,
                CsvWhat::Diary => {
                    let weeks = diary(&store, &loaded, period)?;
                    let refs: Vec<_> = weeks.iter().map(|(c, wf)| (*c, wf)).collect();
                    csv::diary(&refs, &|t| within(period, t), ctx.now)?
                }
            };
            ctx.out.print(&text)?;
        }
        ExportCmd::Ics(args) => {
            let (loaded, period, store) = load(ctx, &args)?;
            let mut all = Vec::new();
            for c in &loaded.contracts {
                all.extend(deadlines(&store, c, &loaded.settings, ctx.now)?);
            }
            all.retain(|d| within(period, d.at));
            all.sort_by(|a, b| (a.at, &a.uid).cmp(&(b.at, &b.uid)));
            ctx.out.print(&ics::calendar(&all, ctx.now))?;
        }
    }
    Ok(())
}

/// The pending deadlines of `c`: its timers, and the Monday 12:00 UTC close
/// of a week that has time still open or in review, unless the contract's
/// diary is locked (it ended).
fn deadlines(store: &Store, c: &Contract, s: &Settings, now: Instant) -> Result<Vec<Deadline>> {
    let mut out: Vec<Deadline> = timers::pending(c)
        .iter()
        .map(|t| {
            let what = match t.kind {
                TimerKind::RefundAutoApprove(i) => format!("refund-{}-answer", i + 1),
                TimerKind::DisputeDefault(i) => format!("refund-{}-dispute", i + 1),
                TimerKind::MilestoneAutoRelease(n) => format!("milestone-{n}-release"),
                TimerKind::FeedbackWindowClose => "feedback-window".into(),
                TimerKind::WeekSettles(w) => format!("week-{w}-settles"),
            };
            let describe = timers::describe(c, t, s);
            Deadline {
                uid: format!("{}-{what}@contracts", c.id),
                at: t.at,
                summary: format!("{}: {describe}", c.id),
                description: format!(
                    "{} ({} for {}): {describe}",
                    c.title, c.freelancer, c.client
                ),
            }
        })
        .collect();
    {
        for w in crate::core::diary::weeks_closing(c, now) {
            let has_time = store
                .week(w, c)?
                .is_some_and(|d| !d.value.entries.is_empty());
            if has_time {
                out.push(Deadline {
                    uid: format!("{}-week-{w}-close@contracts", c.id),
                    at: w.invoiced_from(),
                    summary: format!("{}: {w} closes for edits and is invoiced", c.id),
                    description: format!(
                        "{} ({} for {}): the last moment to log, edit or delete time of {w}; then the client may dispute it until it settles",
                        c.title, c.freelancer, c.client
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Each contract with its money: without a period, its figures as `show`
/// has them; with one, what moved in the period (the sums of its
/// movements there), so that consecutive periods add up to the whole.
fn contract_figures<'c>(
    store: &Store,
    l: &'c Loaded,
    period: Period,
    now: Instant,
) -> Result<Vec<(&'c Contract, Figures)>> {
    l.contracts
        .iter()
        .map(|c| {
            let f = if period == (None, None) {
                super::figures(store, c, l.role, now)?
            } else {
                let moves: Vec<Movement> = movements::of(c)
                    .into_iter()
                    .filter(|m| within(period, m.at))
                    .collect();
                Figures::of_period(&movements::sums(&moves), l.role)
            };
            Ok((c, f))
        })
        .collect()
}

/// Whether `t` falls on a day of the period.
pub(super) fn within((from, to): Period, t: Instant) -> bool {
    let day = t.date_naive();
    from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
}

/// The week files of the loaded contracts that hold time started in the
/// period, whole (a row's billable time depends on the week's earlier
/// entries), oldest week first.
pub(super) fn diary<'c>(
    store: &Store,
    l: &'c Loaded,
    period: Period,
) -> Result<Vec<(&'c Contract, WeekFile)>> {
    let (from, to) = period;
    let (weeks, _) = store.diary_weeks()?;
    let by_id: std::collections::HashMap<_, _> = l.contracts.iter().map(|c| (&c.id, c)).collect();
    let mut out = Vec::new();
    for (week, ids) in weeks {
        let first = week.start().date_naive();
        let last = week.sunday();
        if from.is_some_and(|f| last < f) || to.is_some_and(|t| first > t) {
            continue;
        }
        for id in ids {
            let Some(c) = by_id.get(&id) else { continue };
            // The whole week, even where the period cuts it: the weekly
            // limit fills up in entry order from the week's first entry.
            if let Some(d) = store.week(week, c)?
                && d.value.entries.iter().any(|e| within(period, e.start))
            {
                out.push((*c, d.value));
            }
        }
    }
    Ok(out)
}

/// The contracts an export covers, with their due timers applied, and what
/// it needs of the ledger's settings.
pub(super) struct Loaded {
    pub(super) contracts: Vec<Contract>,
    pub(super) settings: Settings,
    pub(super) role: crate::core::Role,
}

/// A period of UTC days, both ends included.
pub(super) type Period = (Option<NaiveDate>, Option<NaiveDate>);

fn date(flag: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        usage(format!(
            "{flag}: `{}` is not a date (YYYY-MM-DD)",
            s.escape_default()
        ))
    })
}

pub(super) fn load(ctx: &Ctx, a: &ExportArgs) -> Result<(Loaded, Period, Store)> {
    let from = a.from.as_deref().map(|s| date("--from", s)).transpose()?;
    let to = a.to.as_deref().map(|s| date("--to", s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(usage("--to is before --from"));
    }
    let mut ids = Vec::new();
    for s in &a.ids {
        let id = parse_id(s)?;
        // A contract named twice is exported once (its money counted once).
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let store = ctx.open(Access::Read)?;
    let docs = if ids.is_empty() {
        store.contracts()?
    } else {
        ids.iter()
            .map(|id| store.contract(id))
            .collect::<Result<Vec<_>, _>>()?
    };
    let contracts = docs
        .into_iter()
        .map(|d| Ok(advanced(&store, d.value, ctx.now)?.contract))
        .collect::<Result<Vec<_>>>()?;
    Ok((
        Loaded {
            contracts,
            settings: store.settings,
            role: ctx.role(&store.settings),
        },
        (from, to),
        store,
    ))
}

/// Every movement of the contracts in the period, oldest first (same
/// instant: by contract).
pub(super) fn in_period(l: &Loaded, period: Period) -> Vec<(&Contract, Movement)> {
    let mut out: Vec<(&Contract, Movement)> = l
        .contracts
        .iter()
        .flat_map(|c| movements::of(c).into_iter().map(move |m| (c, m)))
        .filter(|(_, m)| within(period, m.at))
        .collect();
    out.sort_by(|a, b| (a.1.at, &a.0.id).cmp(&(b.1.at, &b.0.id)));
    out
}
