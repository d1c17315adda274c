//! `diary show`: the weekly tables — hours per entry or day, the limit,
//! billable and over-limit time, the amount, and where each week stands.

use crate::cli::{ByArg, DiaryShowArgs};
use crate::commands::{Ctx, advanced, parse_id};
use crate::core::diary::{
    Bill, WeekFile, bill, billable_split, counting_until, entry_ref, stage_words,
};
use crate::core::model::{Contract, ContractId, DisputeStatus, Role, Terms};
use crate::core::week::Week;
use crate::core::{Money, Settings};
use crate::error::usage;
use crate::render::text::{clean, duration};
use crate::render::{json, table, utc};
use crate::store::{Access, Store, StoreError};
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// One contract's week, ready to print.
struct Sheet {
    contract: Contract,
    wf: WeekFile,
    bill: Bill,
}

/// The weeks a `diary show` covers.
fn weeks(ctx: &Ctx, a: &DiaryShowArgs) -> Result<Vec<Week>> {
    if let Some(w) = &a.week {
        return Ok(vec![w.parse().map_err(|m| usage(format!("--week: {m}")))?]);
    }
    let (Some(from), Some(to)) = (&a.from, &a.to) else {
        return Ok(vec![Week::of(ctx.now)]);
    };
    let date = |flag: &str, s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            usage(format!(
                "{flag}: `{}` is not a date (YYYY-MM-DD)",
                s.escape_default()
            ))
        })
    };
    let (from, to) = (date("--from", from)?, date("--to", to)?);
    if to < from {
        return Err(usage("--to is before --from"));
    }
    let first = Week::of(from.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
    let last = Week::of(to.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
    let mut out = vec![first];
    while *out.last().unwrap_or(&last) < last {
        if out.len() > 530 {
            return Err(usage("a range of at most ten years, please"));
        }
        out.push(out[out.len() - 1].next());
    }
    Ok(out)
}

/// Runs `diary show`.
pub fn run(ctx: &Ctx, a: DiaryShowArgs) -> Result<()> {
    let weeks = weeks(ctx, &a)?;
    let only = a.id.as_deref().map(parse_id).transpose()?;
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let mut contracts: BTreeMap<ContractId, Contract> = BTreeMap::new();
    if let Some(id) = &only {
        let c = store.contract_without_history(id)?.value;
        contracts.insert(id.clone(), advanced(&store, c, ctx.now)?.contract);
    }
    let mut out = Vec::new();
    for &week in &weeks {
        let ids = match &only {
            Some(id) => vec![id.clone()],
            None => store.week_contracts(week)?,
        };
        let mut sheets = Vec::new();
        for id in ids {
            let c = match contracts.get(&id) {
                Some(c) => c.clone(),
                None => {
                    let doc = match store.contract_without_history(&id) {
                        Ok(doc) => doc,
                        // A week file of a contract that does not exist: the
                        // week file is what is wrong, with its location.
                        Err(StoreError::NoContract(_)) => {
                            store.week_for_check(week, &id, None)?;
                            return Err(StoreError::NoContract(id.to_string()).into());
                        }
                        Err(e) => return Err(e.into()),
                    };
                    let c = advanced(&store, doc.value, ctx.now)?.contract;
                    contracts.insert(id.clone(), c.clone());
                    c
                }
            };
            let wf = store
                .week(week, &c)?
                .map(|d| d.value)
                .unwrap_or_else(|| WeekFile::new(c.id.clone(), week));
            // A week file whose entries were all deleted has nothing to show.
            if only.is_none() && wf.entries.is_empty() {
                continue;
            }
            let bill = bill(&c, &wf, s, ctx.now);
            sheets.push(Sheet {
                contract: c,
                wf,
                bill,
            });
        }
        out.push((week, sheets));
    }
    if ctx.out.json {
        return print_json(ctx, s, &out);
    }
    print_tables(ctx, &store, &out, a.by, only.is_some())
}

fn rate(c: &Contract) -> Money {
    match &c.terms {
        Terms::Hourly { rate, .. } => *rate,
        Terms::Fixed { .. } => Money::ZERO,
    }
}

fn dispute_of(c: &Contract, week: Week) -> Option<&crate::core::model::HourlyDispute> {
    c.disputes.iter().find(|d| d.week == week)
}

fn print_json(ctx: &Ctx, s: &Settings, weeks: &[(Week, Vec<Sheet>)]) -> Result<()> {
    let v = ctx.viewer(s);
    let cur = s.currency;
    let freelancer = v.role == Role::Freelancer;
    let doc = json::DiaryJson {
        weeks: weeks
            .iter()
            .map(|(week, sheets)| {
                let seconds = sheets.iter().map(|sh| sh.bill.seconds).sum::<i64>();
                let amount = sheets.iter().map(|sh| sh.bill.amount).sum::<Money>();
                json::WeekJson {
                    week: week.to_string(),
                    start: utc(week.start()),
                    end: utc(week.end()),
                    stage: week.stage(ctx.now).as_str(),
                    stage_detail: stage_words(*week, ctx.now),
                    contracts: sheets
                        .iter()
                        .map(|sh| {
                            let (c, b) = (&sh.contract, &sh.bill);
                            json::SheetJson {
                                id: c.id.as_str(),
                                title: &c.title,
                                status: c.status.as_str(),
                                minutes: b.seconds / 60,
                                billable_minutes: b.billable / 60,
                                over_limit_minutes: b.over / 60,
                                seconds: b.seconds,
                                billable_seconds: b.billable,
                                over_limit_seconds: b.over,
                                weekly_limit_hours: b.limit_hours,
                                rate: cur.format(rate(c)),
                                amount: cur.format(b.amount),
                                dispute: dispute_of(c, *week).map(|d| json::dispute(d, &v)),
                                entries: sh
                                    .wf
                                    .entries
                                    .iter()
                                    .map(|e| json::entry(c, e, ctx.now))
                                    .collect(),
                                fee: freelancer.then(|| cur.format(b.fee)),
                                net: freelancer.then(|| cur.format(b.amount - b.fee)),
                            }
                        })
                        .collect(),
                    minutes: seconds / 60,
                    seconds,
                    amount: cur.format(amount),
                }
            })
            .collect(),
        currency: cur.code(),
    };
    ctx.out.print_json(&doc)?;
    Ok(())
}

fn print_tables(
    ctx: &Ctx,
    store: &Store,
    weeks: &[(Week, Vec<Sheet>)],
    by: ByArg,
    single: bool,
) -> Result<()> {
    let s = &store.settings;
    let cur = s.currency;
    let o = &ctx.out;
    let color = o.color;
    let role = ctx.role(s);
    let zone = o.zone_name(ctx.now);
    let mut text = Vec::new();
    for (week, sheets) in weeks {
        text.push(format!(
            "{week} · Mon {} – Sun {} (billing weeks are UTC: {} to {}) · {}",
            week.start().format("%-d %b"),
            (week.end() - chrono::Duration::days(1)).format("%-d %b %Y"),
            week.start().format("%a %H:%M"),
            (week.end() - chrono::Duration::minutes(1)).format("%a %H:%M"),
            stage_words(*week, ctx.now)
        ));
        if sheets.iter().all(|sh| sh.wf.entries.is_empty()) {
            text.push(if single {
                "  no time logged this week".into()
            } else {
                "  no contract has time in this week".into()
            });
            text.push(String::new());
            continue;
        }
        let (mut tot_m, mut tot_b, mut tot_o, mut tot_a, mut tot_f) =
            (0, 0, 0, Money::ZERO, Money::ZERO);
        for sh in sheets {
            let c = &sh.contract;
            let b = &sh.bill;
            tot_m += b.seconds;
            tot_b += b.billable;
            tot_o += b.over;
            tot_a += b.amount;
            tot_f += b.fee;
            text.push(format!(
                "{} — {} ({} for {}){}",
                c.id,
                clean(&c.title),
                clean(&c.freelancer),
                clean(&c.client),
                if c.ending.is_some() {
                    " · ended: diary locked"
                } else {
                    ""
                }
            ));
            let until = counting_until(c, sh.wf.week, ctx.now);
            let split = billable_split(c, &sh.wf, ctx.now);
            let t = match by {
                ByArg::Entry => {
                    let mut t = table::new(
                        &[
                            "Entry",
                            "Day",
                            &format!("Start–End ({zone})"),
                            "Duration",
                            "Billable",
                            "Kind",
                            "Memo",
                        ],
                        color,
                    );
                    for (e, (bill_m, _)) in sh.wf.entries.iter().zip(&split) {
                        let start_l = o.zone().local(e.start);
                        let end_txt = match e.end {
                            None => "running".to_string(),
                            Some(end) => {
                                let end_l = o.zone().local(end);
                                if end_l.date() == start_l.date() {
                                    end_l.format("%H:%M").to_string()
                                } else {
                                    end_l.format("%a %-d %H:%M").to_string()
                                }
                            }
                        };
                        t.add_row(vec![
                            table::text(&entry_ref(&c.id, &e.id)),
                            table::text(&start_l.format("%a %-d %b").to_string()),
                            table::text(&format!("{}–{end_txt}", start_l.format("%H:%M"))),
                            table::num(duration(e.seconds(until))),
                            table::num(duration(*bill_m)),
                            table::text(if e.end.is_none() {
                                "tracking"
                            } else if e.manual {
                                "manual"
                            } else {
                                "tracked"
                            }),
                            table::text(&e.memo),
                        ]);
                    }
                    t
                }
                ByArg::Day => {
                    let mut days: BTreeMap<NaiveDate, (usize, i64, i64)> = BTreeMap::new();
                    for (e, (bill_m, _)) in sh.wf.entries.iter().zip(&split) {
                        let d = days.entry(o.zone().local(e.start).date()).or_default();
                        d.0 += 1;
                        d.1 += e.seconds(until);
                        d.2 += bill_m;
                    }
                    let mut t = table::new(
                        &[&format!("Day ({zone})"), "Entries", "Duration", "Billable"],
                        color,
                    );
                    for (d, (n, m, bm)) in days {
                        t.add_row(vec![
                            table::text(&format!("{} {}", d.weekday(), d.format("%-d %b"))),
                            table::num(n.to_string()),
                            table::num(duration(m)),
                            table::num(duration(bm)),
                        ]);
                    }
                    t
                }
            };
            text.push(t.to_string());
            let limit = b
                .limit_hours
                .map_or("none".to_string(), |h| format!("{h}h"));
            let mut footer = format!(
                "Total {} · limit {limit} · billable {} · over limit {} · rate {}/h · amount {} {}",
                duration(b.seconds),
                duration(b.billable),
                duration(b.over),
                cur.show(rate(c)),
                cur.show(b.amount),
                cur.code()
            );
            if role == Role::Freelancer {
                footer.push_str(&format!(
                    "\nFor you: gross {} · fee {}% {} · net {}",
                    cur.show(b.amount),
                    s.fee_percent,
                    cur.show(b.fee),
                    cur.show(b.amount - b.fee)
                ));
            }
            if let Some(d) = dispute_of(c, *week) {
                footer.push_str(&format!(
                    "\nDisputed by the client ({}): {}{}",
                    d.status,
                    clean(&d.reason),
                    match (d.status, d.refunded) {
                        (DisputeStatus::Accepted, Some(r)) =>
                            format!(" · {} refunded", cur.show(r)),
                        _ => String::new(),
                    }
                ));
            }
            text.push(footer);
            text.push(String::new());
        }
        if sheets.len() > 1 {
            let mut line = format!(
                "All contracts, {week}: total {} · billable {} · over limit {} · amount {} {}",
                duration(tot_m),
                duration(tot_b),
                duration(tot_o),
                cur.show(tot_a),
                cur.code()
            );
            if role == Role::Freelancer {
                line.push_str(&format!(
                    " · fee {} · net {}",
                    cur.show(tot_f),
                    cur.show(tot_a - tot_f)
                ));
            }
            text.push(line);
            text.push(String::new());
        }
    }
    text.push(format!(
        "Times in {zone}{}; amounts = billable seconds × rate ÷ 3600, rounded once per week, half away from zero.",
        if o.zone() == crate::time::Zone::Utc { "" } else { " (--utc for UTC)" }
    ));
    o.print(&text.join("\n"))?;
    Ok(())
}
