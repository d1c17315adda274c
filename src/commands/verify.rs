//! `verify`: every commit of a shared ledger, oldest first, checked against
//! the parties recorded as of its parent (a key added by a commit does not
//! vouch for that commit): signed by one of them (git's SSH signatures,
//! checked against an allowed-signers file built from `ledger.toml`), and
//! every operation it adds to a contract's history made by that party, or
//! by the timers. A commit made before any party was recorded needs no
//! signature.

use super::Ctx;
use crate::core::RuleError;
use crate::core::diary::WeekFile;
use crate::core::error::Refusal;
use crate::core::model::{Actor, Contract};
use crate::core::schema::Party;
use crate::store::git::Git;
use crate::store::{Access, SETTINGS_FILE, Store};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

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
    // One `rev-list` names every commit and its parents.
    let commits = git.commits(&["HEAD"])?;
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
    let fresh: Vec<(String, Vec<String>)> = commits
        .iter()
        .filter(|(r, _)| !known.contains_key(r))
        .cloned()
        .collect();
    let Checked {
        checked,
        signed,
        failures,
        verdicts,
    } = check_all(store, &fresh)?;
    let revs = || commits.iter().map(|(r, _)| r.as_str());
    if failures.is_empty() {
        super::check_own_key(store)?;
        known.extend(verdicts);
        let all = commits.len();
        let signed_all = revs()
            .filter(|r| known.get(*r).copied().unwrap_or(false))
            .count();
        // A cache: not kept is no failure; not written again where it
        // already names exactly these commits.
        if checked > 0 || known.len() != all {
            let mut text = header;
            for r in revs() {
                let s = if known.get(r).copied().unwrap_or(false) {
                    "signed"
                } else {
                    "-"
                };
                text.push_str(&format!("\n{r} {s}"));
            }
            text.push('\n');
            let _ = store.keep_cache(VERIFIED, &text);
        }
        ctx.out.print(&format!(
            "verified: {all} commit(s), {signed_all} signed by a recorded party ({checked} checked now, {} before; {signed} of them signed)",
            all - checked
        ))?;
        return Ok(());
    }
    Err(RuleError::Refused(Refusal::Unverified {
        failures,
        checked: Some(commits.len()),
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
}

/// Checks `commits` (each with its parents), oldest first: each signed by
/// a party recorded as of its first parent, each operation it adds that
/// party's or a timer's.
pub fn check_all(store: &Store, commits: &[(String, Vec<String>)]) -> Result<Checked> {
    let mut out = Checked {
        checked: 0,
        signed: 0,
        failures: Vec::new(),
        verdicts: Vec::new(),
    };
    let Some(git) = store.git() else {
        return Ok(out);
    };
    let mut cx = Cx {
        store,
        git,
        dir: tempfile_dir(),
        parties: Default::default(),
        contracts: Default::default(),
        weeks: Default::default(),
    };
    let r = (|| -> Result<()> {
        for (i, (rev, parents)) in commits.iter().enumerate() {
            // What the next commits' checks read, asked of git at once.
            if i % READ_AHEAD == 0 {
                let pairs: Vec<(&str, &str)> = commits[i..commits.len().min(i + READ_AHEAD)]
                    .iter()
                    .filter_map(|(r, p)| Some((p.first()?.as_str(), r.as_str())))
                    .collect();
                // Where no party is recorded yet, a commit's files are not
                // read: its commit and tree are enough.
                let deep = match pairs.first() {
                    Some((p, _)) => !cx.parties(p)?.is_empty(),
                    None => false,
                };
                git.read_ahead(&pairs, deep);
            }
            out.checked += 1;
            match check_commit(&mut cx, rev, parents)? {
                Verdict::Signed => {
                    out.signed += 1;
                    out.verdicts.push((rev.to_string(), true));
                }
                Verdict::NoParties => out.verdicts.push((rev.to_string(), false)),
                Verdict::Fails(why) => out.failures.extend(why),
            }
        }
        Ok(())
    })();
    // Written only where git checked a signature.
    let _ = std::fs::remove_dir_all(&cx.dir);
    r.map(|()| out)
}

/// Commits whose objects are read ahead at once.
const READ_AHEAD: usize = 256;

/// What [`check_commit`] found.
enum Verdict {
    /// Signed by a party recorded as of its parent, its operations theirs.
    Signed,
    /// Made before any party was recorded: nothing to check.
    NoParties,
    /// What is wrong with it, one line each.
    Fails(Vec<String>),
}

/// What checking a run of commits reads, read once: a history is checked
/// commit after commit, each reading what its parent's check read.
struct Cx<'s> {
    store: &'s Store,
    git: &'s Git,
    /// Where allowed-signers files go, if git has to check a signature.
    dir: std::path::PathBuf,
    /// The parties recorded as of each revision seen.
    parties: HashMap<String, Rc<Vec<Party>>>,
    /// The last version read of each contract file: its id, its text and
    /// the contract (if it reads).
    contracts: HashMap<String, (String, Read)>,
    /// Week files read, by id (forgotten past a bound).
    weeks: HashMap<String, Option<Rc<WeekFile>>>,
}

/// A contract file's text, and the contract if it reads.
type Read = (Rc<str>, Option<Rc<Contract>>);

/// Week files kept read before they are forgotten.
const WEEKS_KEPT: usize = 100_000;

impl Cx<'_> {
    /// The parties recorded in `ledger.toml` as of `rev`.
    fn parties(&mut self, rev: &str) -> Result<Rc<Vec<Party>>> {
        if let Some(p) = self.parties.get(rev) {
            return Ok(p.clone());
        }
        let p = Rc::new(match self.git.show_shared(rev, SETTINGS_FILE)? {
            Some(text) => self.store.parties_text(&text)?,
            None => Vec::new(),
        });
        self.parties.insert(rev.to_string(), p.clone());
        Ok(p)
    }

    /// The contract file `path` at `rev`, its text, and the contract if it
    /// reads.
    fn contract(&mut self, rev: &str, path: &str) -> Result<Option<Read>> {
        let Some(e) = self.git.object_at(rev, path)?.filter(|e| !e.is_tree) else {
            return Ok(None);
        };
        if let Some((oid, read)) = self.contracts.get(path)
            && *oid == e.oid
        {
            return Ok(Some(read.clone()));
        }
        let Some(text) = self.git.blob(&e.oid)? else {
            return Ok(None);
        };
        let c = self.store.contract_text(path, &text).ok().map(Rc::new);
        self.contracts
            .insert(path.to_string(), (e.oid, (text.clone(), c.clone())));
        Ok(Some((text, c)))
    }

    /// The week files of contract `id` at `rev` (`diary/WEEK/ID.toml`),
    /// each that reads, in the order of their paths.
    fn weeks(&mut self, rev: &str, id: &str) -> Result<Vec<WeekFile>> {
        let Some(diary) = self.git.object_at(rev, "diary")?.filter(|e| e.is_tree) else {
            return Ok(Vec::new());
        };
        let file = format!("{id}.toml");
        let mut out = Vec::new();
        for week in self.git.tree(&diary.oid)?.iter().filter(|w| w.is_tree) {
            let tree = self.git.tree(&week.oid)?;
            let Some(e) = tree.iter().find(|e| e.name == file && !e.is_tree) else {
                continue;
            };
            if !self.weeks.contains_key(&e.oid) {
                if self.weeks.len() > WEEKS_KEPT {
                    self.weeks.clear();
                }
                let path = format!("diary/{}/{file}", week.name);
                let w = match self.git.blob(&e.oid)? {
                    Some(t) => self.store.week_text(&path, &t).ok().map(Rc::new),
                    None => None,
                };
                self.weeks.insert(e.oid.clone(), w);
            }
            if let Some(Some(w)) = self.weeks.get(&e.oid) {
                out.push(WeekFile::clone(w));
            }
        }
        Ok(out)
    }
}

/// Checks one commit (its parents `parents`) against the parties recorded
/// as of its first parent.
fn check_commit(cx: &mut Cx<'_>, rev: &str, parents: &[String]) -> Result<Verdict> {
    let git = cx.git;
    let Some(parent) = parents.first() else {
        return Ok(Verdict::NoParties);
    };
    let parties = cx.parties(parent)?;
    // The parties as of this commit, for the next: its parent's, unless it
    // changed `ledger.toml`.
    let settings = |r: &str| git.object_at(r, SETTINGS_FILE);
    let after = if settings(parent)? != settings(rev)? {
        cx.parties(rev)?
    } else {
        cx.parties.insert(rev.to_string(), parties.clone());
        parties.clone()
    };
    // A party's key is recorded by a commit signed with that key: trusted
    // on first use, bound by its owner.
    let added: Vec<&Party> = after
        .iter()
        .filter(|a| !parties.iter().any(|p| p.name == a.name))
        .collect();
    if parties.is_empty() && added.is_empty() {
        return Ok(Verdict::NoParties);
    }
    let changed = git.changed(parent, rev)?;
    let allowed: Vec<Party> = parties
        .iter()
        .chain(added.iter().copied())
        .cloned()
        .collect();
    let short = &rev[..rev.len().min(12)];
    let signer = match git.signer(rev, &allowed, &cx.dir) {
        Ok(name) => name,
        Err(why) => return Ok(Verdict::Fails(vec![format!("{short}: {why}")])),
    };
    // A merge commit carries the other side's operations, which their own
    // commits are checked for.
    if parents.len() > 1 {
        return Ok(Verdict::Signed);
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
    for p in parties.iter() {
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
    failures.extend(fold_failures(cx, rev, short, &changed)?);
    // Every operation the commit adds is its signer's, or a timer's; the
    // history only grows.
    for path in changed {
        if !path.starts_with("contracts/") {
            continue;
        }
        let Some((_, Some(after))) = cx.contract(rev, &path)? else {
            continue;
        };
        let none = Vec::new();
        let earlier_c = cx.contract(parent, &path)?.and_then(|(_, c)| c);
        let earlier = earlier_c.as_ref().map_or(&none, |c| &c.history);
        // Each id's first event, found once (not a scan per event).
        let mut by_id: HashMap<&str, &crate::core::model::Event> = HashMap::new();
        for x in &after.history {
            by_id.entry(x.id.as_str()).or_insert(x);
        }
        for e in earlier {
            match by_id.get(e.id.as_str()).copied() {
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
        let before: HashSet<&str> = earlier.iter().map(|e| e.id.as_str()).collect();
        for e in after
            .history
            .iter()
            .filter(|e| !before.contains(e.id.as_str()))
        {
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

/// The contracts `changed` touches at `rev` (their files, or their week
/// files), each folded again from its operations with its week files as
/// `rev` has them: one line per key the fold does not give.
fn fold_failures(
    cx: &mut Cx<'_>,
    rev: &str,
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
        let Some((text, Some(c))) = cx.contract(rev, &rel)? else {
            continue;
        };
        let Some(until) = crate::core::fold::as_of(&c) else {
            continue;
        };
        let weeks = if c.kind() == crate::core::Kind::Hourly {
            cx.weeks(rev, &id)?
        } else {
            Vec::new()
        };
        match crate::core::fold::fold(&c, &weeks, &cx.store.settings, until) {
            // Equal, the two write the same text: nothing to name.
            Ok(folded) if folded == *c => {}
            Ok(folded) => out.extend(
                cx.store
                    .fold_differences_in(&rel, &text, &c, &folded)?
                    .into_iter()
                    .map(|d| format!("{short}: {rel}: {}", d.message)),
            ),
            Err(crate::core::fold::Unfoldable::Legacy) => {}
            Err(crate::core::fold::Unfoldable::Terms(why)) => {
                out.push(format!(
                    "{short}: {rel}: its terms cannot be folded again: {why}"
                ));
            }
        }
    }
    Ok(out)
}

/// A private directory for the allowed-signers files (made when one is
/// written).
fn tempfile_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "contracts-verify-{}-{}",
        std::process::id(),
        &super::operation_id()[..8]
    ))
}
