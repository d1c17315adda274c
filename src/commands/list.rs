//! `list`: every contract in a table (or a JSON array).

use super::{Ctx, advanced, figures, this_week_empty, this_week_with};
use crate::core::diary::WeekFile;
use crate::core::week::Week;
use crate::core::{Contract, ContractId};
use crate::render::rows::ThisWeek;
use crate::render::{json, views};
use crate::store::{Access, Listed};
use anyhow::Result;
use std::collections::HashMap;

/// Runs `list`.
pub fn run(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let v = ctx.viewer(s);
    // One directory listing says which contracts have time this week.
    let this = Week::of(ctx.now);
    let mut with_time: std::collections::HashSet<_> =
        store.week_contracts(this)?.into_iter().collect();
    // Their week files, from the index's sheets of this week where they
    // stand (the running contracts' files are most of what `list` reads
    // otherwise). On any problem each is read as before, and reports it as
    // before.
    let sheets: HashMap<ContractId, (Contract, WeekFile)> = if with_time.is_empty() {
        HashMap::new()
    } else {
        store
            .week_sheets(this)
            .map(|v| v.into_iter().map(|(c, w)| (c.id.clone(), (c, w))).collect())
            .unwrap_or_default()
    };
    // A timer started last week may still run.
    with_time.extend(store.week_contracts(this.prev())?);
    if ctx.out.json {
        let mut rows = Vec::new();
        for (doc, quiet) in store.contracts_marked_quiet(ctx.now)? {
            rows.push(as_now(ctx, &store, &with_time, &sheets, doc.value, quiet)?);
        }
        let figs = rows
            .iter()
            .map(|(c, _)| figures(&store, c, v.role, ctx.now))
            .collect::<Result<Vec<_>>>()?;
        let arr: Vec<_> = rows
            .iter()
            .zip(&figs)
            .map(|((c, w), f)| json::contract_with(c, &v, *w, f))
            .collect();
        ctx.out.print_json(&arr)?;
        return Ok(());
    }
    let listed = store.contracts_or_rows(ctx.now)?;
    let mut table = views::ListTable::new(listed.len(), s, &ctx.out);
    for listed in listed {
        match listed {
            // Nothing due, its row as the index has it: read only for its
            // time this week.
            Listed::Row(id, row) => {
                let week = match (row.hourly, with_time.contains(&id)) {
                    (false, _) => None,
                    (true, true) => match sheets.get(&id) {
                        Some((c, wf)) => this_week_with(&store, c, Some(wf), ctx.now)?,
                        None => {
                            let c = store.contract_without_history(&id)?.value;
                            this_week_with(&store, &c, None, ctx.now)?
                        }
                    },
                    (true, false) => Some(ThisWeek {
                        week: this,
                        seconds: 0,
                        running_since: None,
                    }),
                };
                let r = views::ListRow {
                    id: id.to_string(),
                    row,
                };
                table.push(&r, week);
            }
            Listed::Contract(doc, quiet, stat) => {
                let (c, week) = as_now(ctx, &store, &with_time, &sheets, doc.value, quiet)?;
                let r = views::list_row(&c, s, ctx.now);
                // The row of a contract its timers leave as its file has
                // it, the same at any clock: the index keeps it.
                if quiet
                    && !views::list_row_ages(&c)
                    && let Some(stat) = stat
                {
                    store.remember_row(&r.id, stat, r.row.hourly, r.row.cells());
                }
                table.push(&r, week);
            }
        }
    }
    if table.is_empty() {
        ctx.out
            .print("no contracts yet: `contracts new --help` shows how to create one")?;
        return Ok(());
    }
    ctx.out.print_with(|w| table.write(w))?;
    Ok(())
}

/// `c` as it stands at `ctx.now`, and its time this week. Timers apply in
/// memory so no view is stale; only writers persist them. A contract the
/// index says has nothing due by now (`quiet`) would come out as it goes
/// in (and no week file would be read for it).
fn as_now(
    ctx: &Ctx,
    store: &crate::store::Store,
    with_time: &std::collections::HashSet<crate::core::ContractId>,
    sheets: &HashMap<ContractId, (Contract, WeekFile)>,
    c: crate::core::Contract,
    quiet: bool,
) -> Result<(crate::core::Contract, Option<ThisWeek>)> {
    let c = if quiet {
        c
    } else {
        advanced(store, c, ctx.now)?.contract
    };
    let week = if with_time.contains(&c.id) {
        this_week_with(store, &c, sheets.get(&c.id).map(|(_, w)| w), ctx.now)?
    } else {
        this_week_empty(&c, ctx.now)
    };
    Ok((c, week))
}
