//! `verify`: every commit of a shared ledger, oldest first, checked against
//! the parties recorded as of its parent (a key added by a commit does not
//! vouch for that commit): signed by one of them (git's SSH signatures,
//! checked against an allowed-signers file built from `ledger.toml`), and
//! every operation it adds to a contract's history made by that party, or
//! by the timers. A commit made before any party was recorded needs no
//! signature.

use super::Ctx;
use crate::core::model::{Actor, Contract};
use crate::core::schema::Party;
use crate::store::{Access, SETTINGS_FILE, Store, StoreError};
use anyhow::Result;
use std::collections::HashSet;

/// Runs `verify`.
pub fn run(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let Some(git) = store.git() else {
        return Err(crate::error::usage(
            "`verify` checks the commits of a ledger kept in git (`contracts init --git`)",
        ));
    };
    let revs = git.out(&["rev-list", "--reverse", "--topo-order", "HEAD"])?;
    let dir = tempfile_dir()?;
    let mut failures = Vec::new();
    let (mut checked, mut signed) = (0, 0);
    for rev in revs.lines() {
        checked += 1;
        match check_commit(&store, rev, &dir)? {
            Verdict::Signed => signed += 1,
            Verdict::NoParties => {}
            Verdict::Fails(why) => failures.extend(why),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if failures.is_empty() {
        ctx.out.print(&format!(
            "verified: {checked} commit(s), {signed} signed by a recorded party"
        ))?;
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "{} of {checked} commit(s) fail verification:\n  {}",
        failures.len(),
        failures.join("\n  ")
    ))
    .into())
}

/// What [`check_commit`] found.
pub enum Verdict {
    /// Signed by a party recorded as of its parent, its operations theirs.
    Signed,
    /// Made before any party was recorded: nothing to check.
    NoParties,
    /// What is wrong with it, one line each.
    Fails(Vec<String>),
}

/// Checks one commit against the parties recorded as of its parent, with
/// an allowed-signers file written in `dir`.
pub fn check_commit(store: &Store, rev: &str, dir: &std::path::Path) -> Result<Verdict> {
    let Some(git) = store.git() else {
        return Ok(Verdict::NoParties);
    };
    let line = git.out(&["rev-list", "--parents", "-n", "1", rev])?;
    let parents: Vec<&str> = line.split_whitespace().skip(1).collect();
    let Some(parent) = parents.first() else {
        return Ok(Verdict::NoParties);
    };
    let parties = parties_at(store, parent)?;
    if parties.is_empty() {
        return Ok(Verdict::NoParties);
    }
    let allowed = dir.join(format!("allowed-{rev}"));
    let lines: Vec<String> = parties
        .iter()
        .map(|p| {
            format!(
                "\"{}\" namespaces=\"git\" {}",
                p.name.replace('"', ""),
                p.key
            )
        })
        .collect();
    std::fs::write(&allowed, lines.join("\n") + "\n")?;
    let short = &rev[..rev.len().min(12)];
    let signer = match git.signer(rev, &allowed) {
        Ok(name) => name,
        Err(why) => return Ok(Verdict::Fails(vec![format!("{short}: {why}")])),
    };
    // A merge commit carries the other side's operations, which their own
    // commits are checked for.
    if parents.len() > 1 {
        return Ok(Verdict::Signed);
    }
    let mut failures = Vec::new();
    // Every operation the commit adds is its signer's, or a timer's.
    for path in git.changed(parent, rev)? {
        if !path.starts_with("contracts/") {
            continue;
        }
        let read = |r: &str| -> Result<Option<Contract>> {
            Ok(match git.show(r, &path)? {
                Some(t) => store.contract_text(&path, &t).ok(),
                None => None,
            })
        };
        let Some(after) = read(rev)? else {
            continue;
        };
        let before: HashSet<String> = read(parent)?
            .map(|c| c.history.into_iter().map(|e| e.id).collect())
            .unwrap_or_default();
        for e in after.history.iter().filter(|e| !before.contains(&e.id)) {
            let by = match e.actor {
                Actor::System => continue,
                Actor::Client => &after.client,
                Actor::Freelancer => &after.freelancer,
            };
            if by != &signer {
                failures.push(format!(
                    "{short}: adds `{}` by the {} of {} ({by}), but is signed by {signer}",
                    e.kind(),
                    e.actor,
                    after.id
                ));
            }
        }
    }
    Ok(if failures.is_empty() {
        Verdict::Signed
    } else {
        Verdict::Fails(failures)
    })
}

/// The parties recorded in `ledger.toml` as of `rev`.
fn parties_at(store: &Store, rev: &str) -> Result<Vec<Party>> {
    let Some(git) = store.git() else {
        return Ok(Vec::new());
    };
    Ok(match git.show(rev, SETTINGS_FILE)? {
        Some(text) => store.parties_text(&text)?,
        None => Vec::new(),
    })
}

/// A private directory for the allowed-signers files.
pub fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "contracts-verify-{}-{}",
        std::process::id(),
        &super::operation_id()[..8]
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
