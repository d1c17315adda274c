//! `verify`: every commit of a shared ledger, oldest first, checked against
//! the parties recorded as of its parent (a key added by a commit does not
//! vouch for that commit): signed by one of them (git's SSH signatures,
//! checked against an allowed-signers file built from `ledger.toml`), and
//! every operation it adds to a contract's history made by that party, or
//! by the timers. A commit made before any party was recorded needs no
//! signature.

use super::Ctx;
use crate::core::RuleError;
use crate::core::diary::{Entry, WeekFile};
use crate::core::error::Refusal;
use crate::core::merge;
use crate::core::model::{Actor, Contract};
use crate::core::schema::Party;
use crate::store::{Access, SETTINGS_FILE, Store};
use anyhow::Result;
use std::collections::HashSet;

/// Runs `verify`; with `verbose`, says on stderr how the time went.
pub fn run(ctx: &Ctx, verbose: bool) -> Result<()> {
    let t0 = std::time::Instant::now();
    let store = ctx.open(Access::Read)?;
    let r = verify(ctx, &store);
    if verbose && let Some(git) = store.git() {
        super::sync::report_time("verify", t0.elapsed(), git.spent());
    }
    r
}

fn verify(ctx: &Ctx, store: &Store) -> Result<()> {
    let Some(git) = store.git() else {
        return Err(crate::error::usage(
            "`verify` checks the commits of a ledger kept in git (`contracts init --git`)",
        ));
    };
    let revs = git.out(&["rev-list", "--reverse", "--topo-order", "HEAD"])?;
    // Commits verified before (a commit's id names its content and its
    // parents, so its verdict never changes): remembered in this clone,
    // per version of this program.
    let header = format!("contracts {} verified", env!("CARGO_PKG_VERSION"));
    let mut known: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    if let Some(text) = store
        .cache(VERIFIED)
        .filter(|t| t.lines().next() == Some(&header))
    {
        for line in text.lines().skip(1) {
            if let Some((rev, signed)) = line.split_once(' ') {
                known.insert(rev.to_string(), signed == "signed");
            }
        }
    }
    let fresh: Vec<&str> = revs.lines().filter(|r| !known.contains_key(*r)).collect();
    let Checked {
        checked,
        signed,
        mut failures,
        verdicts,
        bad,
    } = check_all(store, fresh.iter().copied())?;
    // Left out as rejected by a merge verified before (remembered): its
    // changes count for nothing.
    if !bad.is_empty() {
        let before = rejected_in(&git.out(&["log", "--merges", "--format=%B", "HEAD"])?);
        let still: Vec<&str> = bad
            .iter()
            .map(|(rev, _)| rev.as_str())
            .filter(|rev| !before.iter().any(|r| r == rev))
            .collect();
        failures.retain(|f| {
            still
                .iter()
                .any(|rev| f.starts_with(&rev[..rev.len().min(12)]))
        });
    }
    if failures.is_empty() {
        super::check_own_key(store)?;
        known.extend(verdicts);
        let all = revs.lines().count();
        let signed_all = revs
            .lines()
            .filter(|r| known.get(*r).copied().unwrap_or(false))
            .count();
        let mut text = header;
        for r in revs.lines() {
            let s = if known.get(r).copied().unwrap_or(false) {
                "signed"
            } else {
                "-"
            };
            text.push_str(&format!("\n{r} {s}"));
        }
        text.push('\n');
        // A cache: not kept is no failure.
        let _ = store.keep_cache(VERIFIED, &text);
        ctx.out.print(&format!(
            "verified: {all} commit(s), {signed_all} signed by a recorded party ({checked} checked now, {} before; {signed} of them signed)",
            all - checked
        ))?;
        return Ok(());
    }
    Err(RuleError::Refused(Refusal::Unverified {
        failures,
        checked: Some(revs.lines().count()),
        from: None,
    })
    .into())
}

/// The cache of commits verified before (`.git/contracts/`).
const VERIFIED: &str = "verified";

/// What `check_all` found.
pub struct Checked {
    /// Commits checked.
    pub checked: usize,
    /// Of them, signed by a recorded party.
    pub signed: usize,
    /// What is wrong, one line each.
    pub failures: Vec<String>,
    /// Each commit that verified, and whether it was signed by a party.
    pub verdicts: Vec<(String, bool)>,
    /// Each commit that fails (its full id), with its first failure, but
    /// those a merge checked here left out as rejected.
    pub bad: Vec<(String, String)>,
}

/// Checks `revs`, oldest first: each signed by a party recorded as of its
/// parent, each operation it adds that party's or a timer's.
pub fn check_all<'r>(store: &Store, revs: impl Iterator<Item = &'r str>) -> Result<Checked> {
    let dir = tempfile_dir()?;
    let mut out = Checked {
        checked: 0,
        signed: 0,
        failures: Vec::new(),
        verdicts: Vec::new(),
        bad: Vec::new(),
    };
    let mut cache = Parties::default();
    let mut failed: Vec<(String, Vec<String>)> = Vec::new();
    let mut left_out: HashSet<String> = HashSet::new();
    let r = (|| -> Result<()> {
        for rev in revs {
            out.checked += 1;
            match check_commit(store, rev, &dir, &mut cache, &mut failed)? {
                (Verdict::Signed, rejected) => {
                    out.signed += 1;
                    out.verdicts.push((rev.to_string(), true));
                    left_out.extend(rejected);
                }
                (Verdict::NoParties, _) => out.verdicts.push((rev.to_string(), false)),
                (Verdict::Fails(why), _) => failed.push((rev.to_string(), why)),
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r?;
    // A commit a verified merge left out as rejected is history, not a
    // failure: its changes count for nothing.
    for (rev, why) in failed {
        if left_out.contains(&rev) {
            continue;
        }
        out.bad
            .push((rev, why.first().cloned().unwrap_or_default()));
        out.failures.extend(why);
    }
    Ok(out)
}

/// The commits a merge commit's message names as rejected
/// (`Rejected: <full id> ...` lines, as `sync` writes them).
pub fn rejected_in(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix("Rejected: "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// What commits that fail verification changed: `sync` merges such a
/// commit as rejected (none of its changes applied, its operations kept as
/// superseded with why), and `verify` merges again the same way to check
/// that merge.
#[derive(Debug, Default)]
pub struct Rejected {
    /// Each commit left out (full id), with why.
    pub commits: Vec<(String, String)>,
    /// Operations they added: id -> why.
    ops: std::collections::HashMap<String, String>,
    /// Events they changed: (path, id) -> the parent's.
    restored: std::collections::HashMap<(String, String), crate::core::model::Event>,
    /// Entries they added or changed: (path, id) -> (the parent's, theirs).
    entries: std::collections::HashMap<(String, String), (Option<Entry>, Entry)>,
    /// Every path they changed.
    touched: HashSet<String>,
}

impl Rejected {
    /// What `commits` (full id, why) changed, each against its first parent.
    pub fn of(store: &Store, commits: Vec<(String, String)>) -> Result<Rejected> {
        let mut r = Rejected::default();
        let Some(git) = store.git() else {
            return Ok(r);
        };
        for (rev, why) in &commits {
            // Against every parent: a merge's changes are what neither
            // side had.
            let line = git.out(&["rev-list", "--parents", "-n", "1", rev])?;
            let parents: Vec<&str> = line.split_whitespace().skip(1).collect();
            let why = format!(
                "rejected: commit {} fails verification ({})",
                &rev[..rev.len().min(12)],
                why.split_once(": ").map_or(why.as_str(), |(_, w)| w)
            );
            let mut paths: Vec<String> = Vec::new();
            for p in &parents {
                paths.extend(git.changed(p, rev)?);
            }
            paths.sort();
            paths.dedup();
            for path in paths {
                if path.starts_with("contracts/") {
                    let read = |x: &str| -> Result<Vec<crate::core::model::Event>> {
                        Ok(git
                            .show(x, &path)?
                            .and_then(|t| store.contract_text(&path, &t).ok())
                            .map(|c| c.history)
                            .unwrap_or_default())
                    };
                    let mut before = Vec::new();
                    for p in &parents {
                        before.extend(read(p)?);
                    }
                    for e in read(rev)? {
                        let was: Vec<&crate::core::model::Event> =
                            before.iter().filter(|b| b.id == e.id).collect();
                        match was.first() {
                            None if e.actor != Actor::System => {
                                r.ops
                                    .entry(crate::core::fold::operation_of(&e.id).to_string())
                                    .or_insert_with(|| why.clone());
                            }
                            Some(b) if !was.contains(&&e) => {
                                r.restored
                                    .insert((path.clone(), e.id.clone()), (*b).clone());
                            }
                            _ => {}
                        }
                    }
                } else if path.starts_with("diary/") {
                    let read = |x: &str| -> Result<Vec<Entry>> {
                        Ok(git
                            .show(x, &path)?
                            .and_then(|t| store.week_text(&path, &t).ok())
                            .map(|w| w.entries)
                            .unwrap_or_default())
                    };
                    let mut before = Vec::new();
                    for p in &parents {
                        before.extend(read(p)?);
                    }
                    for e in read(rev)? {
                        if !before.contains(&e) {
                            let was = before.iter().find(|b| b.id == e.id).cloned();
                            r.entries.insert((path.clone(), e.id.clone()), (was, e));
                        }
                    }
                }
                r.touched.insert(path);
            }
        }
        r.commits = commits;
        Ok(r)
    }

    /// Whether there is nothing to leave out.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Whether a rejected commit changed `path`.
    pub fn touches(&self, path: &str) -> bool {
        self.touched.contains(path)
    }

    /// `c` (at `path`) without what the rejected commits did: the
    /// operations they added superseded, the events they changed as they
    /// were. Its state is then folded again from its operations.
    pub fn contract(&self, path: &str, mut c: Contract) -> Contract {
        for e in &mut c.history {
            if let Some(b) = self.restored.get(&(path.to_string(), e.id.clone())) {
                *e = b.clone();
            }
            if let Some(why) = self.ops.get(crate::core::fold::operation_of(&e.id))
                && e.superseded.is_none()
            {
                e.superseded = Some(why.clone());
            }
        }
        c
    }

    /// Whether `c`'s creation is a rejected commit's.
    pub fn made(&self, c: &Contract) -> bool {
        c.history.first().is_some_and(|e| {
            self.ops
                .contains_key(crate::core::fold::operation_of(&e.id))
        })
    }

    /// `w` (at `path`) without the entries the rejected commits added or
    /// changed, unless changed again since.
    pub fn week(&self, path: &str, mut w: WeekFile) -> WeekFile {
        let mut kept = Vec::new();
        for e in std::mem::take(&mut w.entries) {
            match self.entries.get(&(path.to_string(), e.id.clone())) {
                Some((was, bad)) if *bad == e => kept.extend(was.clone()),
                _ => kept.push(e),
            }
        }
        kept.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        w.entries = kept;
        w
    }

    /// The lines a merge commit's message names them with.
    pub fn message(&self) -> String {
        self.commits
            .iter()
            .map(|(rev, why)| format!("Rejected: {rev} {why}\n"))
            .collect()
    }
}

/// What [`check_commit`] found.
enum Verdict {
    /// Signed by a party recorded as of its parent, its operations theirs.
    Signed,
    /// Made before any party was recorded: nothing to check.
    NoParties,
    /// What is wrong with it, one line each.
    Fails(Vec<String>),
}

/// The parties recorded as of each revision seen, so that a history is
/// read once.
#[derive(Default)]
struct Parties(std::collections::HashMap<String, Vec<Party>>);

impl Parties {
    fn at(&mut self, store: &Store, rev: &str) -> Result<Vec<Party>> {
        if let Some(p) = self.0.get(rev) {
            return Ok(p.clone());
        }
        let p = parties_at(store, rev)?;
        self.0.insert(rev.to_string(), p.clone());
        Ok(p)
    }
}

/// Checks one commit against the parties recorded as of its parent, with
/// an allowed-signers file written in `dir`.
fn check_commit(
    store: &Store,
    rev: &str,
    dir: &std::path::Path,
    cache: &mut Parties,
    failed: &mut Vec<(String, Vec<String>)>,
) -> Result<(Verdict, Vec<String>)> {
    check_one(store, rev, dir, cache, failed)
}

/// [`check_commit`]: its verdict, and the commits it left out as rejected
/// (a merge's).
fn check_one(
    store: &Store,
    rev: &str,
    dir: &std::path::Path,
    cache: &mut Parties,
    failed: &mut Vec<(String, Vec<String>)>,
) -> Result<(Verdict, Vec<String>)> {
    let none = |v: Verdict| Ok((v, Vec::new()));
    let Some(git) = store.git() else {
        return none(Verdict::NoParties);
    };
    let line = git.out(&["rev-list", "--parents", "-n", "1", rev])?;
    let parents: Vec<&str> = line.split_whitespace().skip(1).collect();
    let Some(parent) = parents.first() else {
        return none(Verdict::NoParties);
    };
    let parties = cache.at(store, parent)?;
    let changed = git.changed(parent, rev)?;
    // The parties as of this commit, for the next: its parent's, unless it
    // changed `ledger.toml`.
    let after = if changed.iter().any(|p| p == SETTINGS_FILE) {
        cache.at(store, rev)?
    } else {
        cache.0.insert(rev.to_string(), parties.clone());
        parties.clone()
    };
    // A party's key is recorded by a commit signed with that key: trusted
    // on first use, bound by its owner.
    let added: Vec<&Party> = after
        .iter()
        .filter(|a| !parties.iter().any(|p| p.name == a.name))
        .collect();
    if parties.is_empty() && added.is_empty() {
        return none(Verdict::NoParties);
    }
    let allowed = dir.join(format!("allowed-{rev}"));
    let lines: Vec<String> = parties
        .iter()
        .chain(added.iter().copied())
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
        Err(why) => return none(Verdict::Fails(vec![format!("{short}: {why}")])),
    };
    // A merge commit carries the other side's operations, which their own
    // commits are checked for; what it holds must be what merging its
    // parents by the rules gives.
    if let [ours, theirs] = parents.as_slice() {
        // The commits it left out as rejected must fail (each checked
        // here, if not before), and it is held to the merge without them.
        let message = git.out(&["log", "-1", "--format=%B", rev])?;
        let named = rejected_in(&message);
        let mut commits = Vec::new();
        let mut failures = Vec::new();
        for r in &named {
            if !failed.iter().any(|(f, _)| f == r) {
                let mut inner = Vec::new();
                if let (Verdict::Fails(why), _) = check_one(store, r, dir, cache, &mut inner)? {
                    failed.push((r.clone(), why));
                }
            }
            match failed.iter().find(|(f, _)| f == r) {
                Some((_, why)) => {
                    commits.push((r.clone(), why.first().cloned().unwrap_or_default()));
                }
                None => failures.push(format!(
                    "{short}: leaves out {r} as rejected, but that commit verifies"
                )),
            }
        }
        let rejected = Rejected::of(store, commits)?;
        failures.extend(merge_failures(store, rev, short, ours, theirs, &rejected)?);
        return Ok(if failures.is_empty() {
            (Verdict::Signed, named)
        } else {
            (Verdict::Fails(failures), Vec::new())
        });
    }
    let mut failures = Vec::new();
    for a in &added {
        if a.name != signer {
            failures.push(format!(
                "{short}: records {}'s key, but is signed by {signer} (a party records its own key, signed with it)",
                a.name
            ));
        }
    }
    // A party's key is changed by that party, signed with its old key.
    for p in &parties {
        let now = after.iter().find(|a| a.name == p.name);
        if now.is_none_or(|a| a.key != p.key) && p.name != signer {
            failures.push(format!(
                "{short}: changes {}'s key, but is signed by {signer} (a party's key is changed with its old key)",
                p.name
            ));
        }
    }
    // Every contract the commit changes (or whose diary it changes) is
    // what folding its operations gives: a value no operation explains is
    // a forgery, however it is signed.
    failures.extend(fold_failures(store, rev, parent, short, &changed)?);
    // Every operation the commit adds is its signer's, or a timer's; the
    // history only grows.
    for path in changed {
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
        let earlier = read(parent)?.map(|c| c.history).unwrap_or_default();
        for e in &earlier {
            match after.history.iter().find(|x| x.id == e.id) {
                None => failures.push(format!(
                    "{short}: removes `{}` ({}) from {}'s history (a history only grows)",
                    e.kind(),
                    e.id,
                    after.id
                )),
                Some(x) if x != e => failures.push(format!(
                    "{short}: changes `{}` ({}) in {}'s history (a recorded operation never changes)",
                    e.kind(),
                    e.id,
                    after.id
                )),
                Some(_) => {}
            }
        }
        let before: HashSet<String> = earlier.into_iter().map(|e| e.id).collect();
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
    none(if failures.is_empty() {
        Verdict::Signed
    } else {
        Verdict::Fails(failures)
    })
}

/// Every contract the commit `rev` (parent `parent`) changes, or whose
/// diary it changes, against what folding its operations gives: one line
/// per difference. A contract whose parent already held a state no fold
/// explains (a commit before, named for it) is held to what its own
/// operations give onto its parent's state, so one bad commit does not
/// make every later one fail.
fn fold_failures(
    store: &Store,
    rev: &str,
    parent: &str,
    short: &str,
    changed: &[String],
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = changed
        .iter()
        .filter_map(|p| {
            let p = p.strip_prefix("contracts/").or_else(|| {
                p.strip_prefix("diary/")
                    .and_then(|rest| rest.split_once('/').map(|(_, f)| f))
            })?;
            p.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let rel = format!("contracts/{id}.toml");
        let (text, c, weeks) = match contract_at(store, rev, &id) {
            Ok(Some(at)) => at,
            Ok(None) => continue,
            // A file the program refuses is never a valid state to sign.
            Err(e) => {
                out.push(format!("{short}: {rel}: {e}"));
                continue;
            }
        };
        let Some(until) = crate::core::fold::as_of(&c) else {
            continue;
        };
        let folded = match crate::core::fold::fold(&c, &weeks, &store.settings, until) {
            Ok(folded) => folded,
            Err(crate::core::fold::Unfoldable::Legacy) => continue,
            Err(crate::core::fold::Unfoldable::Terms(why)) => {
                out.push(format!(
                    "{short}: {rel}: its terms cannot be folded again: {why}"
                ));
                continue;
            }
        };
        let mut differences = store.fold_differences_in(&rel, &text, &c, &folded)?;
        if !differences.is_empty()
            && let Ok(Some((_, before, before_weeks))) = contract_at(store, parent, &id)
            && let Some(then) = crate::core::fold::as_of(&before)
            && let Ok(explained) =
                crate::core::fold::fold(&before, &before_weeks, &store.settings, then)
            && !store
                .fold_differences_in(&rel, &git_text(store, parent, &rel)?, &before, &explained)?
                .is_empty()
        {
            let onto = crate::core::fold::fold_onto(before, &c, &weeks, &store.settings, until);
            differences = store.fold_differences_in(&rel, &text, &c, &onto)?;
        }
        out.extend(
            differences
                .into_iter()
                .map(|d| format!("{short}: {rel}: {}", d.message)),
        );
    }
    Ok(out)
}

/// The text of `rel` at `rev` (empty if it is not there).
fn git_text(store: &Store, rev: &str, rel: &str) -> Result<String> {
    Ok(match store.git() {
        Some(git) => git.show(rev, rel)?.unwrap_or_default(),
        None => String::new(),
    })
}

/// Contract `id` at `rev`: its file's text, the contract, and its week
/// files there (an hourly contract's); `None` if it is not there.
fn contract_at(
    store: &Store,
    rev: &str,
    id: &str,
) -> Result<Option<(String, Contract, Vec<WeekFile>)>> {
    let Some(git) = store.git() else {
        return Ok(None);
    };
    let rel = format!("contracts/{id}.toml");
    let Some(text) = git.show(rev, &rel)? else {
        return Ok(None);
    };
    let c = store.contract_text(&rel, &text)?;
    let mut weeks = Vec::new();
    if c.kind() == crate::core::Kind::Hourly {
        let suffix = format!("/{id}.toml");
        let listed = git.out(&["ls-tree", "-r", "--name-only", rev, "--", "diary"])?;
        for path in listed.lines().filter(|p| p.ends_with(&suffix)) {
            if let Some(t) = git.show(rev, path)?
                && let Ok(w) = store.week_text(path, &t)
            {
                weeks.push(w);
            }
        }
    }
    Ok(Some((text, c, weeks)))
}

/// Where the merge commit `rev` of `ours` and `theirs` holds a contract or
/// a week other than the merge by the rules gives: the merge run again
/// (`core::merge`, as `sync` runs it), one line per difference. A merge
/// cannot mark an operation superseded, drop one, or carry a value that
/// the merged order does not give.
fn merge_failures(
    store: &Store,
    rev: &str,
    short: &str,
    ours: &str,
    theirs: &str,
    rejected: &Rejected,
) -> Result<Vec<String>> {
    let Some(git) = store.git() else {
        return Ok(Vec::new());
    };
    let base = git.out(&["merge-base", ours, theirs])?;
    let mut changed = git.changed(ours, rev)?;
    changed.extend(git.changed(theirs, rev)?);
    changed.sort();
    changed.dedup();
    let contract_at = |r: &str, path: &str| -> Result<Option<Contract>> {
        Ok(match git.show(r, path)? {
            Some(t) => store.contract_text(path, &t).ok(),
            None => None,
        })
    };
    let week_at = |r: &str, path: &str| -> Result<Option<WeekFile>> {
        Ok(match git.show(r, path)? {
            Some(t) => store.week_text(path, &t).ok(),
            None => None,
        })
    };
    let listed = git.out(&["ls-tree", "-r", "--name-only", rev, "--", "diary"])?;
    let mut out = Vec::new();
    for path in &changed {
        let Some(file) = path.strip_suffix(".toml") else {
            continue;
        };
        if let Some(id) = file.strip_prefix("contracts/") {
            let Some(merged) = contract_at(rev, path)? else {
                continue;
            };
            let weeks: Vec<WeekFile> = listed
                .lines()
                .filter(|p| p.ends_with(&format!("/{id}.toml")))
                .filter_map(|p| week_at(rev, p).transpose())
                .collect::<Result<_>>()?;
            let sides = (
                contract_at(&base, path)?,
                contract_at(ours, path)?,
                contract_at(theirs, path)?.map(|t| rejected.contract(path, t)),
            );
            let Some(expected) = merge::contract_leaving_out(
                sides,
                rejected.touches(path),
                |c| rejected.made(c),
                &weeks,
                &store.settings,
            ) else {
                out.push(format!(
                    "{short}: {path}: a merge takes a contract made on both sides under one id, or one a rejected commit made"
                ));
                continue;
            };
            let text = git.show(rev, path)?.unwrap_or_default();
            out.extend(
                store
                    .fold_differences_in(path, &text, &merged, &expected)?
                    .into_iter()
                    .map(|d| {
                        format!(
                            "{short}: {path}: not what merging its parents gives: {}",
                            d.message
                        )
                    }),
            );
        } else if let Some(rest) = file.strip_prefix("diary/")
            && let Some((_, id)) = rest.split_once('/')
        {
            let (Some(merged), Some(c)) = (
                week_at(rev, path)?,
                contract_at(rev, &format!("contracts/{id}.toml"))?,
            ) else {
                continue;
            };
            let (b, o, t) = (
                week_at(&base, path)?,
                week_at(ours, path)?,
                week_at(theirs, path)?.map(|w| rejected.week(path, w)),
            );
            let Some(w) = merge::week(b.as_ref(), o.as_ref(), t.as_ref()) else {
                continue;
            };
            if merge::set_aside(&w, &c) != merged {
                out.push(format!(
                    "{short}: {path}: not what merging its parents gives (its entries, or those set aside, differ)"
                ));
            }
        }
    }
    Ok(out)
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
fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "contracts-verify-{}-{}",
        std::process::id(),
        &super::operation_id()[..8]
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
