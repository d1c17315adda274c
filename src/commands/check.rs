//! `check`: parse and validate every file; report every problem with
//! `file:line:col`; exit 5 when any.

use super::Ctx;
use crate::core::diary::WeekFile;
use crate::core::fold::Unfoldable;
use crate::core::model::{Contract, ContractId};
use crate::error::{ErrorKind, UserError};
use crate::store::located::Located;
use crate::store::{Access, StoreError};
use anyhow::Result;
use std::collections::HashMap;

/// Runs `check`.
pub fn run(ctx: &Ctx) -> Result<()> {
    // The files only: `check` never reads the derived index (SPEC §6).
    let store = match ctx.open(Access::Read) {
        Ok(s) => s.without_index(),
        Err(StoreError::Invalid(ps)) => return finish(ctx, ps, (0, 0, 0)),
        Err(e) => return Err(e.into()),
    };
    let mut problems = Vec::new();
    let mut contracts: HashMap<ContractId, Contract> = HashMap::new();
    let (ids, bad_names) = store.contract_ids_and_problems()?;
    problems.extend(bad_names);
    for id in &ids {
        match store.contract(id) {
            Ok(doc) => {
                contracts.insert(id.clone(), doc.value);
            }
            Err(StoreError::Invalid(ps)) => problems.extend(ps),
            Err(e) => return Err(e.into()),
        }
    }
    let (weeks, bad_dirs) = store.diary_weeks()?;
    problems.extend(bad_dirs);
    let (mut files, mut entries) = (0, 0);
    let mut week_files: HashMap<ContractId, Vec<WeekFile>> = HashMap::new();
    // (contract) -> (end of its last entry, where)
    let mut last_end: HashMap<ContractId, (chrono::DateTime<chrono::Utc>, String)> = HashMap::new();
    for (week, wids) in &weeks {
        for id in wids {
            files += 1;
            // A week file of a contract that failed to load is checked alone.
            let known = contracts.get(id);
            let missing_but_present = known.is_none() && ids.contains(id);
            let res = store.week_for_check(*week, id, known);
            match res {
                Ok(Some(doc)) => {
                    entries += doc.value.entries.len();
                    week_files
                        .entry(id.clone())
                        .or_default()
                        .push(doc.value.clone());
                    if let (Some(first), Some((end, at))) =
                        (doc.value.entries.first(), last_end.get(id))
                        && first.start < *end
                    {
                        problems.push(Located::file(
                            &doc.rel,
                            format!(
                                "entry `{}` overlaps {at}, which runs past the week boundary",
                                first.id
                            ),
                        ));
                    }
                    if let Some(last) = doc.value.entries.last()
                        && let Some(end) = last.end
                    {
                        last_end.insert(
                            id.clone(),
                            (end, format!("entry `{}` of {}", last.id, doc.rel)),
                        );
                    }
                }
                Ok(None) => {}
                Err(StoreError::Invalid(ps)) => problems
                    .extend(ps.into_iter().filter(|p| {
                        !(missing_but_present && p.message.starts_with("no contract"))
                    })),
                Err(e) => return Err(e.into()),
            }
        }
    }
    // Every contract folded again from its operations (SPEC §2): a value
    // the rules derive that no operation explains is reported at its key.
    let mut folded_ids: Vec<&ContractId> = contracts.keys().collect();
    folded_ids.sort();
    for id in folded_ids {
        let c = &contracts[id];
        let weeks = week_files.get(id).map(Vec::as_slice).unwrap_or_default();
        let Some(until) = crate::core::fold::as_of(c) else {
            continue;
        };
        let rel = format!("contracts/{id}.toml");
        match crate::core::fold::fold(c, weeks, &store.settings, until) {
            Ok(folded) => problems.extend(store.fold_differences(&rel, c, &folded)?),
            // Kept as they stand: what an earlier version recorded.
            Err(Unfoldable::Legacy) => {}
            Err(Unfoldable::Terms(why)) => problems.push(Located::file(
                &rel,
                format!("its terms cannot be folded again: {why}"),
            )),
        }
    }
    finish(ctx, problems, (ids.len(), files, entries))
}

fn finish(ctx: &Ctx, problems: Vec<Located>, counts: (usize, usize, usize)) -> Result<()> {
    let (contracts, files, entries) = counts;
    if ctx.out.json {
        ctx.out.print_json(&crate::render::json::CheckJson {
            ok: problems.is_empty(),
            contracts,
            week_files: files,
            entries,
            problems: problems
                .iter()
                .map(|p| crate::render::json::ProblemJson {
                    file: p.file.clone(),
                    line: p.line,
                    column: p.col,
                    message: p.message.clone(),
                })
                .collect(),
        })?;
    } else if problems.is_empty() {
        ctx.out.print(&format!(
            "ok: {contracts} contract(s), {files} week file(s), {entries} entr{} — every file parses and validates",
            if entries == 1 { "y" } else { "ies" }
        ))?;
    } else {
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        ctx.out.print(&text.join("\n"))?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(UserError {
            kind: ErrorKind::Invalid,
            message: format!(
                "{} problem(s) found in {}",
                problems.len(),
                ctx.ledger.display()
            ),
        }
        .into())
    }
}
