//! `diary import FILE [--format timew|watson|toggl]`: history from the time
//! trackers people already use.
//! All-or-nothing: every interval is checked before any file is written;
//! then one write per touched week file. Re-importing adds nothing.

use super::formats;
use crate::cli::{DiaryImportArgs, ImportFormat};
use crate::commands::{Ctx, parse_id};
use crate::core::RuleError;
use crate::core::diary::{Entry, WeekFile, check_import};
use crate::core::model::{Contract, ContractId, Instant, Role};
use crate::core::week::Week;
use crate::error::usage;
use crate::store::{Access, Doc};
use anyhow::{Context, Result};
use std::collections::btree_map::Entry::Vacant;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A week file as loaded, and as it will be.
type Loaded = (Option<Doc<WeekFile>>, WeekFile);

/// One interval of the export.
struct Interval {
    n: usize,
    label: String,
    start: Instant,
    end: Instant,
    memo: String,
    origin: String,
}

/// Runs `diary import`.
pub fn run(ctx: &Ctx, a: DiaryImportArgs) -> Result<()> {
    let file = a.file.as_str();
    let text = if file == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
    };
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
    if role != Role::Freelancer {
        return Err(RuleError::Refused(
            "only the freelancer imports time (use --as freelancer)".into(),
        )
        .into());
    }
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
                problems.push(format!("{label}: no readable start: {e}"));
                continue;
            }
        };
        let end = match raw.end {
            None => {
                problems.push(format!(
                    "{label}: still open (no end): stop it in the tracker first"
                ));
                continue;
            }
            Some(Err(e)) => {
                problems.push(format!("{label}: no readable end: {e}"));
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
                    problems.push(format!(
                        "{label}: it names two contracts, {a} and {b}: keep one, or import with --contract ID"
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
        });
    }

    // Check everything, building the new week files in memory.
    let mut contracts: HashMap<ContractId, Contract> = HashMap::new();
    let mut weeks: BTreeMap<(ContractId, Week), Loaded> = BTreeMap::new();
    let mut counts: BTreeMap<ContractId, (usize, usize)> = BTreeMap::new();
    for (id, mut ivs) in by_contract {
        let c = crate::commands::advanced(&store, store.contract(&id)?.value, ctx.now)?.contract;
        // The clock rule holds for a change: refused only if something is
        // added (a re-import that adds nothing changes nothing).
        let near = super::near(&store, &c, ctx.now)?;
        let clock = crate::core::diary::refuse_before_latest(
            &c,
            near.iter().flat_map(|d| &d.value.entries),
            ctx.now,
        )
        .err()
        .map(|e| e.to_string());
        let mut clock_refused = false;
        ivs.sort_by_key(|iv| (iv.start, iv.end, iv.n));
        // This contract's weeks, by week alone (comparing ids per lookup
        // was most of an import's time).
        let mut mine: BTreeMap<Week, Loaded> = BTreeMap::new();
        let mut prev: Option<&Interval> = None;
        for iv in &ivs {
            let week = Week::of(iv.start);
            let near = [week.prev(), week, week.next()];
            for w in near {
                if let Vacant(v) = mine.entry(w) {
                    v.insert(super::week_or_empty(&store, &c, w)?);
                }
            }
            // Already there (a re-import): nothing to add, even to a paid
            // week; also when it was edited since (its origin is kept) —
            // an origin among the entries of the diary before this import,
            // not among its own (two frames may share an id).
            let same_times = |e: &Entry| e.start == iv.start && e.end == Some(iv.end);
            let same_origin = |e: &Entry| e.origin.as_deref() == Some(iv.origin.as_str());
            if near.iter().any(|w| {
                let (before, now) = &mine[w];
                now.entries.iter().any(same_times)
                    || before
                        .as_ref()
                        .is_some_and(|d| d.value.entries.iter().any(same_origin))
            }) {
                counts.entry(id.clone()).or_default().1 += 1;
                prev = Some(iv);
                continue;
            }
            if let Err(why) = check_import(&c, iv.start, iv.end, ctx.now) {
                problems.push(format!("{}: {why}", iv.label));
                continue;
            }
            if let Some(p) = prev
                && p.end > iv.start
            {
                problems.push(format!(
                    "{}: overlaps {} in the same export",
                    iv.label, p.label
                ));
                continue;
            }
            // Entries already in the ledger (loaded above): this week and
            // its neighbours.
            let mut clash = None;
            for w in near {
                let until = |e: &Entry| {
                    e.end_or(crate::core::diary::counting_until(
                        &c,
                        Week::of(e.start),
                        ctx.now,
                    ))
                };
                let (before, now) = &mine[&w];
                if let Some(e) = now.entries.iter().find(|e| {
                    e.start < iv.end
                        && iv.start < until(e)
                        && !(e.start == iv.start && e.end == Some(iv.end))
                }) {
                    let in_diary = before
                        .as_ref()
                        .is_some_and(|d| d.value.entries.iter().any(|x| x.id == e.id));
                    clash = Some(if in_diary {
                        format!("entry {}/{} already in the diary", c.id, e.id)
                    } else {
                        // Added by this import: name the interval it came from.
                        let from = ivs
                            .iter()
                            .find(|x| e.origin.as_deref() == Some(x.origin.as_str()))
                            .map_or("another interval", |x| x.label.as_str());
                        format!("{from} in the same export")
                    });
                    break;
                }
            }
            if let Some(what) = clash {
                problems.push(format!("{}: overlaps {what}", iv.label));
                continue;
            }
            if let Some(why) = &clock {
                // Once per contract.
                if !clock_refused {
                    problems.push(why.clone());
                    clock_refused = true;
                }
                continue;
            }
            let Some((_, wf)) = mine.get_mut(&week) else {
                continue;
            };
            let entry = Entry {
                id: wf.next_id(),
                start: iv.start,
                end: Some(iv.end),
                memo: iv.memo.clone(),
                manual: false,
                origin: Some(iv.origin.clone()),
            };
            wf.insert(entry);
            counts.entry(id.clone()).or_default().0 += 1;
            prev = Some(iv);
        }
        weeks.extend(mine.into_iter().map(|(w, l)| ((id.clone(), w), l)));
        contracts.insert(id, c);
    }
    if !problems.is_empty() {
        let shown: Vec<_> = problems.iter().take(20).cloned().collect();
        let more = problems.len().saturating_sub(20);
        return Err(RuleError::Refused(format!(
            "import refused, nothing was written: {} interval(s) would break the rules:\n  {}{}",
            problems.len(),
            shown.join("\n  "),
            if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            }
        ))
        .into());
    }
    let mut files = 0;
    if !ctx.dry_run {
        let batch: Vec<_> = weeks
            .iter()
            .filter(|(_, (doc, wf))| {
                let before = doc.as_ref().map(|d| &d.value);
                before != Some(wf) && !(before.is_none() && wf.entries.is_empty())
            })
            .map(|((id, _), (doc, wf))| (doc.as_ref(), wf, &contracts[id]))
            .collect();
        files = store.save_weeks(&batch)?;
    }
    let added: usize = counts.values().map(|c| c.0).sum();
    let present: usize = counts.values().map(|c| c.1).sum();
    if files > 0 {
        // The author: the freelancer of the contracts, when they share one.
        let mut names: Vec<&str> = contracts.values().map(|c| c.freelancer.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let who = if names.len() == 1 {
            names[0]
        } else {
            "freelancer"
        };
        let body: Vec<String> = counts
            .iter()
            .filter(|(_, c)| c.0 > 0)
            .map(|(id, c)| format!("{id}: {} entries", c.0))
            .collect();
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
            if matches!(a.format, ImportFormat::Toggl) {
                "no --map names their project (use --map PROJECT=ID or --contract ID)"
            } else {
                "no tag names a contract (use --contract ID)"
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
