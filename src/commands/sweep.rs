//! `sweep`: apply every due timer of every contract and save them — what
//! cron runs. Idempotent: a second run at the same clock writes nothing.

use super::{Ctx, advanced};
use crate::render::{json, utc, views};
use crate::store::{Access, Written};
use anyhow::Result;

/// Runs `sweep`.
pub fn run(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Write)?;
    if !ctx.dry_run {
        store.clean_temps();
    }
    let s = &store.settings;
    let v = ctx.viewer(s);
    // Load (and validate) everything before writing anything: what is due,
    // from the contracts without their histories (those the derived index
    // says have nothing due by now are not read); then the whole file of
    // each contract that has something due.
    let mut due = Vec::new();
    for doc in store.contracts_maybe_due(ctx.now)? {
        if !advanced(&store, doc.value.clone(), ctx.now)?
            .events
            .is_empty()
        {
            due.push(store.contract(&doc.value.id)?);
        }
    }
    let mut changed = Vec::new();
    let mut written = 0;
    for doc in &due {
        let out = advanced(&store, doc.value.clone(), ctx.now)?;
        if !ctx.dry_run && store.save_contract(doc, &out.contract)? == Written::Changed {
            written += 1;
        }
        changed.push(out);
    }
    let events: Vec<_> = changed
        .iter()
        .flat_map(|o| o.events.iter().map(move |e| (&o.contract, e)))
        .collect();
    if written > 0 {
        let body: Vec<String> = changed
            .iter()
            .flat_map(|o| super::event_lines(ctx, s, &o.contract, &o.events))
            .collect();
        let subject = format!("sweep: {} timer(s) applied", events.len());
        super::commit(ctx, &store, "contracts", &subject, &body)?;
    }
    if ctx.out.json {
        let figs = changed
            .iter()
            .map(|o| super::figures(&store, &o.contract, v.role, ctx.now))
            .collect::<Result<Vec<_>>>()?;
        ctx.out.print_json(&json::SweepJson {
            now: utc(ctx.now),
            contracts: changed
                .iter()
                .zip(&figs)
                .map(|(o, f)| json::contract_with(&o.contract, &v, None, f))
                .collect(),
            events: events.iter().map(|(c, e)| json::event(c, e, &v)).collect(),
            files_written: written,
            dry_run: ctx.dry_run,
        })?;
        return Ok(());
    }
    if events.is_empty() {
        ctx.out.note(&format!("nothing due at {}", utc(ctx.now)));
        return Ok(());
    }
    ctx.out
        .print(&views::timers_applied(&events, s, &ctx.out))?;
    let how = if ctx.dry_run {
        "dry run: nothing was written".to_string()
    } else {
        format!("{written} file(s) written")
    };
    ctx.out.note(&format!(
        "{} timer(s) applied to {} contract(s); {how}",
        events.len(),
        changed.len()
    ));
    Ok(())
}
