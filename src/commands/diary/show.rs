//! `diary show`: the weekly tables — hours per entry or day, the limit,
//! billable and over-limit time, the amount, and where each week stands.

use crate::cli::{ByArg, DiaryShowArgs};
use crate::commands::{Ctx, advanced_for_tables, parse_id};
use crate::core::diary::{WeekFile, bill};
use crate::core::model::{Contract, ContractId};
use crate::core::week::Week;
use crate::error::usage;
use crate::render::json;
use crate::render::rows::Sheet;
use crate::render::views::{self, DiaryBy};
use crate::store::{Access, StoreError};
use anyhow::Result;
use chrono::NaiveDate;
use std::collections::BTreeMap;

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
        contracts.insert(id.clone(), advanced_for_tables(&store, c, ctx.now));
    }
    let mut out = Vec::new();
    // One week of every contract (the current week's table, shown again
    // and again): drawn from the index where its files did not change.
    let one = matches!((&weeks[..], &only), ([_], None));
    if let ([week], true) = (&weeks[..], one) {
        let mut sheets = Vec::new();
        for (c, wf) in store.week_sheets(*week)? {
            // A week file whose entries were all deleted has nothing to show.
            if wf.entries.is_empty() {
                continue;
            }
            let c = advanced_for_tables(&store, c, ctx.now);
            let bill = bill(&c, &wf, s, ctx.now);
            sheets.push(Sheet {
                contract: c,
                wf,
                bill,
            });
        }
        out.push((*week, sheets));
    }
    let rest: &[Week] = if one { &[] } else { &weeks };
    for &week in rest {
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
                    let c = advanced_for_tables(&store, doc.value, ctx.now);
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
        ctx.out.print_json(&json::diary(&out, &ctx.viewer(s)))?;
        return Ok(());
    }
    let by = match a.by {
        ByArg::Entry => DiaryBy::Entry,
        ByArg::Day => DiaryBy::Day,
    };
    let (single, role) = (only.is_some(), ctx.role(s));
    ctx.out
        .print_with(|w| views::diary(w, &out, by, single, s, role, &ctx.out, ctx.now))?;
    Ok(())
}
