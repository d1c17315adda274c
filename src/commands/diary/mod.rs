//! `diary ...`: one file per verb; shared loading of week files here.

pub mod dispute;
pub mod edit;
pub mod formats;
pub mod import;
pub mod log;
pub mod rm;
pub mod show;
pub mod start;
pub mod stop;

use super::Ctx;
use crate::cli::DiaryCmd;
use crate::core::diary::{Entry, WeekFile, entry_ref};
use crate::core::model::{Contract, Instant};
use crate::core::week::Week;
use crate::render::json::{self, Viewer};
use crate::render::{text::clean, text::duration, utc};
use crate::store::{Doc, Store};
use anyhow::Result;

/// Dispatches `diary` subcommands.
pub fn run(ctx: &Ctx, cmd: DiaryCmd) -> Result<()> {
    match cmd {
        DiaryCmd::Log(a) => log::run(ctx, a),
        DiaryCmd::Start { id, memo } => start::run(ctx, &id, memo),
        DiaryCmd::Stop { id } => stop::run(ctx, &id),
        DiaryCmd::Edit {
            entry,
            from,
            to,
            memo,
        } => edit::run(ctx, &entry, from, to, memo),
        DiaryCmd::Rm { entry } => rm::run(ctx, &entry),
        DiaryCmd::Show(a) => show::run(ctx, a),
        DiaryCmd::Dispute(a) => dispute::run(ctx, a),
        DiaryCmd::Import(a) => import::run(ctx, a),
    }
}

/// A week file of `c`, loaded or empty.
pub fn week_or_empty(
    store: &Store,
    c: &Contract,
    week: Week,
) -> Result<(Option<Doc<WeekFile>>, WeekFile)> {
    let doc = store.week(week, c)?;
    let wf = doc
        .as_ref()
        .map(|d| d.value.clone())
        .unwrap_or_else(|| WeekFile::new(c.id.clone(), week));
    Ok((doc, wf))
}

/// The week files of `c` among `weeks` that exist, in that order.
fn existing(store: &Store, c: &Contract, weeks: Vec<Week>) -> Result<Vec<Doc<WeekFile>>> {
    let mut out = Vec::new();
    for w in weeks {
        if let Some(d) = store.week(w, c)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// The contract's week files from two weeks before `now`'s on: where a
/// timer may still run, and any time recorded with a clock ahead of `now`.
pub fn near(store: &Store, c: &Contract, now: Instant) -> Result<Vec<Doc<WeekFile>>> {
    let mut weeks = crate::core::diary::recent_weeks(now).to_vec();
    weeks.extend(store.later_weeks(&c.id, Week::of(now))?);
    existing(store, c, weeks)
}

/// Every week file of the contract, from its first week on (a timer left
/// running weeks ago is still to be stopped: by `stop`, a pause or the end).
pub fn all_weeks(store: &Store, c: &Contract, now: Instant) -> Result<Vec<Doc<WeekFile>>> {
    let this = Week::of(now);
    let mut weeks = store.contract_weeks(&c.id, Week::of(c.started_at), this);
    weeks.extend(store.later_weeks(&c.id, this)?);
    existing(store, c, weeks)
}

/// The contract's entries outside `week` that a change in `week` must see:
/// the weeks beside it (an entry may cross a week boundary) and every week
/// from the one before now's on (a running timer, time recorded later).
pub fn others(store: &Store, c: &Contract, week: Week, now: Instant) -> Result<Vec<Entry>> {
    let mut weeks = crate::core::diary::weeks_a_change_sees(week, now);
    weeks.extend(store.later_weeks(&c.id, Week::of(now))?);
    weeks.sort();
    weeks.dedup();
    let mut out = Vec::new();
    for w in weeks.into_iter().filter(|w| *w != week) {
        if let Some(d) = store.week(w, c)? {
            out.extend(d.value.entries);
        }
    }
    Ok(out)
}

/// The week holding the contract's running timer, if any: the one still
/// counting, else the oldest left running.
pub fn running_week(
    store: &Store,
    c: &Contract,
    now: Instant,
) -> Result<Option<(Doc<WeekFile>, Week)>> {
    let docs = all_weeks(store, c, now)?;
    // The timer still counting first; else one that stopped counting at its
    // week's close or its 7 days (`stop` records its end there).
    let counting = |d: &Doc<WeekFile>| {
        d.value
            .running()
            .is_some_and(|e| crate::core::diary::still_counting(c, e, now))
    };
    let pick = match docs.iter().position(counting) {
        Some(i) => Some(i),
        None => docs.iter().position(|d| d.value.running().is_some()),
    };
    Ok(pick.and_then(|i| docs.into_iter().nth(i)).map(|d| {
        let w = d.value.week;
        (d, w)
    }))
}

/// Prints what a diary change did: a line for people, or the contract, the
/// entry and the event with --json.
pub fn report_entry(
    ctx: &Ctx,
    store: &Store,
    c: &Contract,
    verb: &str,
    e: &Entry,
    note: Option<String>,
) -> Result<()> {
    let v: Viewer<'_> = ctx.viewer(&store.settings);
    let subject = format!("{}: entry {verb}", entry_ref(&c.id, &e.id));
    let span = match e.end {
        Some(end) => format!("{} to {}", utc(e.start), utc(end)),
        None => format!("from {} (running)", utc(e.start)),
    };
    let body = [format!("{span}: {}", crate::render::text::clean(&e.memo))];
    super::commit(ctx, store, super::party(c, v.role), &subject, &body)?;
    if ctx.out.json {
        let c = &super::advanced(store, c.clone(), ctx.now)?.contract;
        let week = super::this_week(store, c, ctx.now)?;
        ctx.out.print_json(&json::EntryChangeJson {
            contract: json::contract_with(c, &v, week, &super::figures(store, c, v.role, ctx.now)?),
            entry: json::entry(c, e, ctx.now),
            events: vec![json::EntryEventJson {
                contract: c.id.as_str(),
                at: utc(ctx.now),
                actor: v.role.as_str(),
                event: format!("entry_{verb}"),
                amount: None,
                detail: format!("{verb} {}", entry_ref(&c.id, &e.id)),
                superseded: None,
            }],
            note,
            dry_run: ctx.dry_run,
        })?;
        return Ok(());
    }
    let o = &ctx.out;
    let span = match e.end {
        Some(end) => format!(
            "{} to {} ({})",
            o.time(e.start),
            o.time(end),
            duration(e.seconds(end))
        ),
        None => format!("from {} (running)", o.time(e.start)),
    };
    let mut line = format!(
        "{verb} {}: {span} {}{}",
        entry_ref(&c.id, &e.id),
        o.zone_name(e.start),
        if e.memo.is_empty() {
            String::new()
        } else {
            format!(" — {}", clean(&e.memo))
        }
    );
    if let Some(n) = note {
        line.push_str(&format!("\nnote: {n}"));
    }
    if ctx.dry_run {
        line.push_str("\ndry run: nothing was written");
    }
    o.print(&line)?;
    Ok(())
}

/// Reads a time argument in the local zone.
pub fn time_arg(ctx: &Ctx, flag: &str, s: &str) -> Result<Instant> {
    crate::time::parse_time(s, ctx.out.zone, ctx.now)
        .map_err(|m| crate::error::usage(format!("{flag}: {m}")))
}

/// Reads `1h30m`, `90m`, `2h`, `1:30` as minutes.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{}` is not a duration: write 1h30m, 45m, 2h or 1:30",
            s.escape_default()
        )
    };
    let t = s.trim();
    let minutes = if let Some((h, m)) = t.split_once(':') {
        let h: i64 = h.parse().map_err(|_| bad())?;
        let m: i64 = m.parse().map_err(|_| bad())?;
        if !(0..60).contains(&m) || h < 0 {
            return Err(bad());
        }
        h * 60 + m
    } else {
        let (h, rest) = match t.split_once('h') {
            Some((h, rest)) => (h.parse::<i64>().map_err(|_| bad())?, rest),
            None => (0, t),
        };
        let m = match rest {
            "" => 0,
            r => r
                .strip_suffix('m')
                .ok_or_else(bad)?
                .parse::<i64>()
                .map_err(|_| bad())?,
        };
        if h < 0 || m < 0 || (t.contains('h') && m >= 60) || t.is_empty() {
            return Err(bad());
        }
        h * 60 + m
    };
    if minutes <= 0 || minutes > 7 * 24 * 60 {
        return Err(format!(
            "`{}`: a duration is more than 0 and at most a week",
            s.escape_default()
        ));
    }
    Ok(minutes)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Ok(90));
        assert_eq!(parse_duration("45m"), Ok(45));
        assert_eq!(parse_duration("2h"), Ok(120));
        assert_eq!(parse_duration("1:30"), Ok(90));
        for bad in ["", "h", "1h75m", "-5m", "0m", "1.5h", "abc", "999h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
