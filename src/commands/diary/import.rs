//! `diary import FILE [--format timew|watson|toggl]`: history from the time
//! trackers people already use.
//! All-or-nothing: every interval is checked before any file is written;
//! then one write per touched week file. Re-importing adds nothing.

use super::formats;
use crate::cli::{DiaryImportArgs, ImportFormat};
use crate::commands::{Ctx, parse_id};
use crate::core::diary::import::Interval;
use crate::core::diary::{Entry, WeekFile};
use crate::core::error::{ImportProblem, ImportWhy};
use crate::core::model::{Contract, ContractId};
use crate::core::week::Week;
use crate::error::usage;
use crate::store::{Access, Doc};
use anyhow::{Context, Result};
use std::collections::btree_map::Entry::Vacant;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Runs `diary import`.
pub fn run(ctx: &Ctx, a: DiaryImportArgs) -> Result<()> {
    let file = a.file.as_str();
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).context("cannot read stdin")?;
        b
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))?
    };
    let what = match a.format {
        ImportFormat::Timew => "`timew export` JSON",
        ImportFormat::Watson => "a Watson frames file",
        ImportFormat::Toggl => "a Toggl Track detailed CSV export",
    };
    // The same three refusals for every format, each naming the place.
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        usage(format!(
            "{file}: not UTF-8 text (byte {at} is not valid UTF-8): {what} is UTF-8"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(usage(format!(
            "{file} is empty: there is nothing to import (expected {what})"
        )));
    }
    let mut map = BTreeMap::new();
    for m in &a.map {
        let (project, id) = m
            .rsplit_once('=')
            .ok_or_else(|| usage(format!("--map: `{}` is not PROJECT=ID", m.escape_default())))?;
        // One project, one contract: a second mapping is refused, not
        // silently preferred.
        let id = parse_id(id)?;
        if let Some(before) = map.insert(project.to_string(), id.clone())
            && before != id
        {
            return Err(usage(format!(
                "--map: project `{}` is mapped to both {before} and {id}",
                project.escape_default()
            )));
        }
    }
    if !map.is_empty() && a.contract.is_some() {
        return Err(usage(
            "--contract puts every interval into one contract; --map chooses by project: use one of them",
        ));
    }
    if !map.is_empty() && !matches!(a.format, ImportFormat::Toggl) {
        return Err(usage(
            "--map names Toggl projects: use it with --format toggl",
        ));
    }
    let raws = match a.format {
        ImportFormat::Timew => formats::timew(&text, ctx.now),
        ImportFormat::Watson => formats::watson(&text),
        ImportFormat::Toggl => formats::toggl(&text, ctx.out.zone, &map, ctx.now),
    }
    .map_err(|e| usage(format!("{file}: {e}")))?;
    let only = a.contract.as_deref().map(parse_id).transpose()?;

    let store = ctx.open(Access::Write)?;
    let role = ctx.role(&store.settings);
    crate::core::diary::import::may_import(role)?;
    let known: HashSet<ContractId> = store.contract_ids()?.into_iter().collect();
    if let Some(id) = &only
        && !known.contains(id)
    {
        return Err(crate::store::StoreError::NoContract(id.to_string()).into());
    }
    // A mapping to a contract that does not exist is a typo, as with --contract.
    for id in map.values() {
        if !known.contains(id) {
            return Err(crate::store::StoreError::NoContract(id.to_string()).into());
        }
    }
    let mut problems = Vec::new();
    let mut unmatched = 0usize;
    let mut by_contract: BTreeMap<ContractId, Vec<Interval>> = BTreeMap::new();
    for raw in raws {
        let label = raw.label;
        let start = match raw.start {
            Ok(t) => t,
            Err(e) => {
                problems.push(problem(
                    &label,
                    ImportWhy::Unreadable {
                        what: "start",
                        error: e.to_string(),
                    },
                ));
                continue;
            }
        };
        let end = match raw.end {
            None => {
                problems.push(problem(&label, ImportWhy::StillOpen));
                continue;
            }
            Some(Err(e)) => {
                problems.push(problem(
                    &label,
                    ImportWhy::Unreadable {
                        what: "end",
                        error: e.to_string(),
                    },
                ));
                continue;
            }
            Some(Ok(t)) => t,
        };
        let target = match &only {
            Some(id) => Some(id.clone()),
            None => {
                let mut named: Vec<ContractId> = raw
                    .names
                    .iter()
                    .filter_map(|t| ContractId::parse(t).ok())
                    .filter(|id| known.contains(id))
                    .collect();
                named.dedup();
                if let [a, b, ..] = named.as_slice() {
                    problems.push(problem(
                        &label,
                        ImportWhy::TwoContracts {
                            a: a.clone(),
                            b: b.clone(),
                        },
                    ));
                    continue;
                }
                named.into_iter().next()
            }
        };
        let Some(target) = target else {
            unmatched += 1;
            continue;
        };
        let memo = raw.memo.unwrap_or_else(|| {
            raw.names
                .iter()
                .filter(|t| t.as_str() != target.as_str())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        });
        by_contract.entry(target).or_default().push(Interval {
            n: raw.n,
            label,
            start,
            end,
            memo,
            origin: raw.origin,
            legacy: raw.legacy,
        });
    }

    // Every week file the intervals touch (each interval's week and the
    // weeks beside it), of every contract: an interval already in the
    // ledger adds nothing, whichever contract holds it.
    let mut contracts: BTreeMap<ContractId, Contract> = BTreeMap::new();
    // By contract, then by week (keys of ids compared per lookup cost an
    // import most of its time).
    let mut loaded: HashMap<ContractId, BTreeMap<Week, Option<Doc<WeekFile>>>> = HashMap::new();
    let mut touched: BTreeSet<Week> = BTreeSet::new();
    let mut docs: BTreeMap<ContractId, Doc<Contract>> = BTreeMap::new();
    for (id, ivs) in &by_contract {
        let doc = store.contract(id)?;
        let c = crate::commands::advanced(&store, doc.value.clone(), ctx.now)?.contract;
        docs.insert(id.clone(), doc);
        let mine = loaded.entry(id.clone()).or_default();
        for iv in ivs {
            let w = Week::of(iv.start);
            for w in [w.prev(), w, w.next()] {
                touched.insert(w);
                if let Vacant(v) = mine.entry(w) {
                    v.insert(store.week(w, &c)?);
                }
            }
        }
        contracts.insert(id.clone(), c);
    }
    let mut others: HashMap<ContractId, Contract> = HashMap::new();
    for &w in &touched {
        for id in store.week_contracts(w)? {
            let theirs = loaded.entry(id.clone()).or_default();
            if let Vacant(v) = theirs.entry(w) {
                if !others.contains_key(&id) {
                    others.insert(id.clone(), store.contract_without_history(&id)?.value);
                }
                v.insert(store.week(w, &others[&id])?);
            }
        }
    }
    // What was removed with `diary rm` stays removed: its record keeps its
    // origin.
    let known: HashSet<String> = loaded
        .values()
        .flat_map(BTreeMap::values)
        .flatten()
        .flat_map(|d| {
            let live = d.value.entries.iter().map(|e| &e.origin);
            live.chain(d.value.removed.iter().map(|r| &r.origin))
        })
        .filter_map(Clone::clone)
        .collect();

    // Each contract's intervals through the core's one door.
    let mut weeks: BTreeMap<ContractId, BTreeMap<Week, WeekFile>> = BTreeMap::new();
    let mut counts: BTreeMap<ContractId, (usize, usize)> = BTreeMap::new();
    for (id, ivs) in by_contract {
        let c = &contracts[&id];
        let mut mine: BTreeMap<Week, WeekFile> = loaded
            .get(&id)
            .into_iter()
            .flatten()
            .map(|(w, d)| {
                let wf = d
                    .as_ref()
                    .map_or_else(|| WeekFile::new(id.clone(), *w), |d| d.value.clone());
                (*w, wf)
            })
            .collect();
        let recent: Vec<Entry> = super::near(&store, c, ctx.now)?
            .into_iter()
            .flat_map(|d| d.value.entries)
            .collect();
        let r = crate::core::diary::import::import(
            c, role, &mut mine, &recent, &known, ivs, a.history, ctx.now,
        )?;
        problems.extend(r.problems);
        counts.insert(id.clone(), (r.added, r.present));
        weeks.insert(id, mine);
    }
    crate::core::diary::import::refuse_any(problems)?;
    let mut files = 0;
    if !ctx.dry_run {
        let batch: Vec<_> = weeks
            .iter()
            .flat_map(|(id, mine)| mine.values().map(move |wf| (id, wf)))
            .filter_map(|(id, wf)| {
                let before = loaded.get(id)?.get(&wf.week)?.as_ref();
                let changed = match before {
                    Some(d) => &d.value != wf,
                    None => !wf.entries.is_empty(),
                };
                changed.then_some((before, wf, &contracts[id]))
            })
            .collect();
        files = store.save_weeks(&batch)?;
    }
    // Each contract brought up to date as a sweep would (the weeks the
    // import filled that have settled are paid, history at nothing), after
    // its week files, so that a crash between the two leaves what a sweep
    // completes: a fresh import reads as fast as a swept ledger, with no
    // week of it left for every command to bill again in memory.
    let mut applied = Vec::new();
    if !ctx.dry_run {
        for doc in docs.values() {
            let out = crate::commands::advanced(&store, doc.value.clone(), ctx.now)?;
            if !out.events.is_empty() {
                store.save_contract(doc, &out.contract)?;
                applied.push(out);
            }
        }
    }
    let added: usize = counts.values().map(|c| c.0).sum();
    let present: usize = counts.values().map(|c| c.1).sum();
    if files > 0 || !applied.is_empty() {
        // The author: the freelancer of the contracts, when they share one.
        let mut names: Vec<&str> = contracts.values().map(|c| c.freelancer.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let who = if names.len() == 1 {
            names[0]
        } else {
            "freelancer"
        };
        let mut body: Vec<String> = counts
            .iter()
            .filter(|(_, c)| c.0 > 0)
            .map(|(id, c)| format!("{id}: {} entries", c.0))
            .collect();
        for o in &applied {
            body.extend(crate::commands::event_lines(
                ctx,
                &store.settings,
                &o.contract,
                &o.events,
            ));
        }
        let subject = format!("diary import: {added} entries into {files} week file(s)");
        crate::commands::commit(ctx, &store, who, &subject, &body)?;
    }
    if ctx.out.json {
        ctx.out.print_json(&crate::render::json::ImportJson {
            imported: added,
            already_present: present,
            unmatched,
            files_written: files,
            contracts: counts
                .iter()
                .map(|(id, (a, p))| crate::render::json::ImportedJson {
                    id: id.to_string(),
                    imported: *a,
                    already_present: *p,
                })
                .collect(),
            dry_run: ctx.dry_run,
        })?;
        return Ok(());
    }
    let per: Vec<String> = counts
        .iter()
        .filter(|(_, c)| c.0 > 0)
        .map(|(id, c)| format!("{id} {}", c.0))
        .collect();
    let mut line = format!(
        "imported {added} entr{}",
        if added == 1 { "y" } else { "ies" }
    );
    if !per.is_empty() {
        line.push_str(&format!(" ({})", per.join(", ")));
    }
    if present > 0 {
        line.push_str(&format!("; {present} already present"));
    }
    if unmatched > 0 {
        line.push_str(&format!(
            "; {unmatched} skipped: {}",
            match a.format {
                ImportFormat::Toggl => {
                    "neither their project (nor a --map of it) nor a tag names a contract (use --map PROJECT=ID or --contract ID)"
                }
                ImportFormat::Watson => {
                    "neither their project nor a tag names a contract (use --contract ID)"
                }
                ImportFormat::Timew => "no tag names a contract (use --contract ID)",
            }
        ));
    }
    line.push_str(&format!("; {files} week file(s) written"));
    if ctx.dry_run {
        line.push_str("\ndry run: nothing was written");
    }
    ctx.out.print(&line)?;
    Ok(())
}

/// An interval refused before the rules see it.
fn problem(label: &str, why: ImportWhy) -> ImportProblem {
    ImportProblem {
        interval: Some(label.to_string()),
        why,
    }
}
