//! `sync [--remote NAME]` (SPEC §7): fetch the other side's commits, merge
//! them with the local ones by the rules, check, commit the merge, push.
//! Files changed on one side only are taken from that side; a contract or a
//! week changed on both is merged by `core::merge` from the three versions
//! git has (the common ancestor's, ours, theirs). The ledger's lock is held
//! throughout.

use super::Ctx;
use super::verify::Rejected;
use crate::core::RuleError;
use crate::core::diary::WeekFile;
use crate::core::error::Refusal;
use crate::core::merge;
use crate::core::model::{Contract, ContractId};
use crate::core::week::Week;
use crate::store::git::{Author, Git};
use crate::store::{Access, Store, StoreError};
use anyhow::Result;
use std::collections::BTreeMap;

fn refused(why: Refusal) -> anyhow::Error {
    RuleError::Refused(why).into()
}

/// What a path of the ledger is.
enum File {
    Contract(ContractId),
    Week(Week, ContractId),
    Other,
}

fn classify(path: &str) -> File {
    let parts: Vec<&str> = path.split('/').collect();
    let id = |f: &str| {
        f.strip_suffix(".toml")
            .and_then(|s| ContractId::parse(s).ok())
    };
    match parts.as_slice() {
        ["contracts", f] => id(f).map_or(File::Other, File::Contract),
        ["diary", w, f] => match (w.parse::<Week>(), id(f)) {
            (Ok(w), Some(i)) => File::Week(w, i),
            _ => File::Other,
        },
        _ => File::Other,
    }
}

/// Runs `sync`; with `verbose`, says on stderr how the time went.
pub fn run(ctx: &Ctx, remote: Option<String>, verbose: bool) -> Result<()> {
    let t0 = std::time::Instant::now();
    let store = ctx.open(Access::Write)?;
    let r = sync(ctx, &store, remote);
    if verbose && let Some(git) = store.git() {
        report_time("sync", t0.elapsed(), git.spent());
    }
    r
}

/// `--verbose`: the time in all, in git, and in `contracts` itself.
pub fn report_time(verb: &str, all: std::time::Duration, git: std::time::Duration) {
    eprintln!(
        "{verb}: {:.1} ms in all: {:.1} ms in git, {:.1} ms in contracts",
        all.as_secs_f64() * 1e3,
        git.as_secs_f64() * 1e3,
        all.saturating_sub(git).as_secs_f64() * 1e3
    );
}

fn sync(ctx: &Ctx, store: &Store, remote: Option<String>) -> Result<()> {
    let Some(git) = store.git() else {
        return Err(crate::error::usage(format!(
            "{} is not kept in git: `sync` shares a ledger made with `contracts init --git` (or a clone of one)",
            ctx.ledger.display()
        )));
    };
    let branch = git.out(&["rev-parse", "--abbrev-ref", "HEAD"])?;
    let remote = match remote {
        Some(r) => r,
        None => git
            .out(&["config", "--get", &format!("branch.{branch}.remote")])
            .unwrap_or_else(|_| "origin".into()),
    };
    let r = integrate(ctx, store, git, &remote, &branch);
    // Merged (set-aside operations included): this clone's feedback whose
    // commitment is now revealed is published, and pushed.
    let merged = match &r {
        Ok(()) => true,
        Err(e) => e
            .downcast_ref::<RuleError>()
            .is_some_and(|r| matches!(r, RuleError::Refused(Refusal::SetAside { .. }))),
    };
    if merged && publish_kept(ctx, store)? {
        git.out(&["push", "-q", &remote, &format!("HEAD:refs/heads/{branch}")])?;
        ctx.out.note(
            "published your feedback: both parties' commitments are in, or the window closed",
        );
    }
    r
}

/// Publishes this clone's kept feedback whose commitment is revealed (both
/// gave, or the window closed), one commit each: whether any was.
fn publish_kept(ctx: &Ctx, store: &Store) -> Result<bool> {
    use crate::core::model::{FeedbackStatus, Role};
    let mut any = false;
    for (name, text) in store.private_files()? {
        if !name.starts_with("feedback-") {
            continue;
        }
        let Ok(kept) = serde_json::from_str::<super::feedback::give::Kept>(&text) else {
            continue;
        };
        let (Ok(id), Ok(role)) = (ContractId::parse(&kept.contract), kept.role.parse::<Role>())
        else {
            continue;
        };
        let Ok(doc) = store.contract(&id) else {
            continue;
        };
        let now = super::advanced(store, doc.value.clone(), ctx.now)?.contract;
        let ready = now
            .feedback(role)
            .is_some_and(|f| f.unpublished() && f.status == FeedbackStatus::Revealed);
        if !ready {
            continue;
        }
        let request = crate::core::apply::Request::FeedbackPublish(Box::new(kept.content()));
        let mut out = super::apply(ctx, store, &doc.value, role, &request, &[])?;
        crate::core::step::stamp(&mut out, &super::operation_id());
        store.save_contract(&doc, &out.contract)?;
        let body = super::event_lines(ctx, &store.settings, &out.contract, &out.events);
        let subject = format!("{id}: feedback_published");
        super::commit(
            ctx,
            store,
            super::party(&out.contract, role),
            &subject,
            &body,
        )?;
        any = true;
    }
    Ok(any)
}

/// Fetches, checks what comes in, and merges it (or fast-forwards, or only
/// pushes).
fn integrate(ctx: &Ctx, store: &Store, git: &Git, remote: &str, branch: &str) -> Result<()> {
    // A sync killed while it merged: its writes undone, merged again below.
    undo_merge(store, git)?;
    // A merge writes the work tree: a change not committed would be lost.
    let dirty: Vec<String> = git
        .out(&["diff", "--name-only", "HEAD"])?
        .lines()
        .map(str::to_string)
        .collect();
    if !dirty.is_empty() {
        return Err(refused(Refusal::DirtyWorkTree { files: dirty }));
    }
    // A clone signing with a key no party recorded pushes nothing: what
    // it signs would not verify (and its owner learns of a key recorded
    // in its name by another).
    super::check_own_key(store)?;
    git.out(&["fetch", "-q", remote])?;
    let theirs_ref = format!("refs/remotes/{remote}/{branch}");
    let push = |git: &Git| -> Result<()> {
        git.out(&["push", "-q", remote, &format!("HEAD:refs/heads/{branch}")])?;
        Ok(())
    };
    let Ok(theirs) = git.out(&["rev-parse", "--verify", "-q", &theirs_ref]) else {
        push(git)?;
        ctx.out
            .print(&format!("in sync: pushed to {remote} (it had no {branch})"))?;
        return Ok(());
    };
    let ours = git.out(&["rev-parse", "HEAD"])?;
    // What comes in is checked first: signed by a party, each operation
    // that party's.
    let mut rejected = Rejected::default();
    let incoming = git.commits(&[&format!("{ours}..{theirs}")])?;
    if !incoming.is_empty() {
        // Dated beyond this machine's clock: merged once the clock has
        // passed it (timers fall due at this clone's clock, not another's).
        // The newest first, as `git log` lists them.
        let clock = super::machine_clock();
        for (rev, _) in incoming.iter().rev() {
            let Some(secs) = git.read_commit(rev)?.and_then(|c| c.committed) else {
                continue;
            };
            if let Some(at) = chrono::DateTime::from_timestamp(secs, 0)
                && at > clock + super::CLOCK_TOLERANCE
            {
                return Err(refused(Refusal::IncomingAhead {
                    rev: git
                        .out(&["rev-parse", "--short", rev])
                        .unwrap_or_else(|_| rev[..rev.len().min(12)].to_string()),
                    at,
                    clock,
                }));
            }
        }
        // A commit that fails is merged as rejected: none of its changes
        // applied, so one bad commit never blocks the honest ones.
        let checked = super::verify::check_all(store, &incoming)?;
        rejected = Rejected::of(store, checked.bad)?;
    }
    if ours == theirs {
        ctx.out.print(&format!("in sync with {remote}"))?;
        return Ok(());
    }
    // One question to git for where the two stand (an ancestor of the
    // other is their merge base), not one per case.
    let base = git.out(&["merge-base", &ours, &theirs])?;
    if base == theirs {
        push(git)?;
        ctx.out.print(&format!("in sync: pushed to {remote}"))?;
        return Ok(());
    }
    if rejected.is_empty() && base == ours {
        // What the other clone's merge set aside is news here too: each
        // party hears of its own operation set aside.
        let news = newly_superseded(store, git, &ours, &theirs)?;
        let changed = fast_forward(store, git, &ours, &theirs)?;
        check(store, &changed)?;
        journals_changed(ctx, store, git, &ours)?;
        if !news.is_empty() {
            return Err(refused(Refusal::SetAside { lines: news }));
        }
        ctx.out
            .print(&format!("in sync: took {remote}'s changes"))?;
        return Ok(());
    }
    // What the other side's merges set aside is news here too, in the
    // contracts only they changed as in those both did.
    let news = newly_superseded(store, git, &ours, &theirs)?;
    let mut superseded = merge_with(ctx, store, git, &base, &ours, &theirs, &rejected)?;
    for line in news {
        if !superseded.contains(&line) {
            superseded.push(line);
        }
    }
    journals_changed(ctx, store, git, &ours)?;
    push(git)?;
    if !rejected.is_empty() {
        return Err(refused(Refusal::Rejected {
            commits: rejected
                .commits
                .iter()
                .map(|(rev, why)| format!("commit {} rejected: {why}", &rev[..rev.len().min(12)]))
                .collect(),
            lines: superseded,
        }));
    }
    if superseded.is_empty() {
        ctx.out
            .print(&format!("in sync: merged {remote}'s changes and pushed"))?;
        return Ok(());
    }
    Err(refused(Refusal::SetAside { lines: superseded }))
}

/// Names the months whose journals what came in changed (SPEC §8): a
/// money movement of a contract, as `export hledger` dates it, that `ours`
/// did not have or had otherwise — the other party's operation made
/// offline may fall in a period already exported.
fn journals_changed(ctx: &Ctx, store: &Store, git: &Git, ours: &str) -> Result<()> {
    use crate::core::movements;
    let mut months = std::collections::BTreeSet::new();
    for path in git.changed(ours, "HEAD")? {
        let File::Contract(id) = classify(&path) else {
            continue;
        };
        let before = match git.show(ours, &path)? {
            Some(t) => store
                .contract_text(&path, &t)
                .map(|c| movements::of(&c))
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let after = movements::of(&store.contract(&id)?.value);
        for m in after
            .iter()
            .filter(|m| !before.contains(m))
            .chain(before.iter().filter(|m| !after.contains(m)))
        {
            months.insert(m.at.format("%Y-%m").to_string());
        }
    }
    // Under `--json` stderr holds one document: the error's, if any.
    if !months.is_empty() && !ctx.out.json {
        let months: Vec<String> = months.into_iter().collect();
        ctx.out.note(&format!(
            "the journals of {} changed: money dated in them came in with this sync (exports of those months differ now)",
            months.join(", ")
        ));
    }
    Ok(())
}

/// What a merge set aside, one line each.
type SetAside = Vec<String>;

/// The operations `theirs` has set aside (superseded) that `ours` does not,
/// in the contracts changed between them: one line each, as a merge lists
/// them.
fn newly_superseded(store: &Store, git: &Git, ours: &str, theirs: &str) -> Result<SetAside> {
    let mut out = Vec::new();
    for path in git.changed(ours, theirs)? {
        let File::Contract(id) = classify(&path) else {
            continue;
        };
        let read = |rev: &str| -> Result<Option<Contract>> {
            Ok(match git.show(rev, &path)? {
                Some(t) => store.contract_text(&path, &t).ok(),
                None => None,
            })
        };
        let Some(t) = read(theirs)? else { continue };
        let known: Vec<(String, bool)> = read(ours)?
            .map(|c| {
                c.history
                    .into_iter()
                    .map(|e| (e.id, e.superseded.is_some()))
                    .collect()
            })
            .unwrap_or_default();
        for e in &t.history {
            let Some(why) = &e.superseded else { continue };
            if known.iter().any(|(i, s)| i == &e.id && *s) {
                continue;
            }
            // One line per operation, as a merge lists them.
            let op = crate::core::fold::operation_of(&e.id);
            if op == e.id {
                out.push(format!("{id}: {} ({op}) set aside: {why}", e.kind()));
            }
        }
    }
    Ok(out)
}

/// Merges `theirs` into `ours` (common ancestor `base`) in the work tree
/// and commits it; what the rules set aside.
#[allow(clippy::too_many_arguments)]
fn merge_with(
    ctx: &Ctx,
    store: &Store,
    git: &Git,
    base: &str,
    ours: &str,
    theirs: &str,
    rejected: &Rejected,
) -> Result<SetAside> {
    let mine = git.changed(base, ours)?;
    let other = git.changed(base, theirs)?;
    // A file a rejected commit changed is merged (theirs without those
    // changes), never taken as theirs has it.
    let merged_here = |p: &String| mine.contains(p) || rejected.touches(p);
    let both: Vec<&String> = other.iter().filter(|p| merged_here(p)).collect();
    let only_theirs: Vec<&String> = other.iter().filter(|p| !merged_here(p)).collect();

    // Everything merged in memory first: a refusal leaves the clone as it was.
    let mut weeks: BTreeMap<String, (Week, WeekFile)> = BTreeMap::new();
    let mut contracts: Vec<(String, ContractId)> = Vec::new();
    for path in &both {
        match classify(path) {
            File::Week(week, _) => {
                let read = |rev: &str| -> Result<Option<WeekFile>> {
                    Ok(match git.show(rev, path)? {
                        Some(t) => Some(store.week_text(path, &t)?),
                        None => None,
                    })
                };
                let (b, o, t) = (
                    read(base)?,
                    read(ours)?,
                    read(theirs)?.map(|w| rejected.week(path, w)),
                );
                if let Some(w) = merge::week(b.as_ref(), o.as_ref(), t.as_ref()) {
                    weeks.insert(path.to_string(), (week, w));
                }
            }
            File::Contract(id) => contracts.push((path.to_string(), id)),
            // Left out with its rejected commit: ours stands.
            File::Other if rejected.touches(path) => {}
            File::Other => {
                if git.show(ours, path)? != git.show(theirs, path)? {
                    return Err(refused(Refusal::ChangedInBoth {
                        path: path.to_string(),
                    }));
                }
            }
        }
    }
    let mut merged: Vec<(String, Contract)> = Vec::new();
    let mut superseded = Vec::new();
    for (path, id) in &contracts {
        let read = |rev: &str| -> Result<Option<Contract>> {
            Ok(match git.show(rev, path)? {
                Some(t) => Some(store.contract_text(path, &t)?),
                None => None,
            })
        };
        let (b, o, t) = (
            read(base)?,
            read(ours)?,
            read(theirs)?.map(|t| rejected.contract(path, t)),
        );
        if b.is_none() && o.is_some() && t.is_some() {
            return Err(refused(Refusal::IdTakenInBoth {
                id: id.clone(),
                path: Some(path.to_string()),
            }));
        }
        let Some(any) = o.as_ref().or(t.as_ref()) else {
            continue;
        };
        // The diary the hourly rules read: ours, with the weeks merged.
        let mut all_weeks: Vec<WeekFile> = Vec::new();
        let first = Week::of(any.started_at);
        let last = Week::of(ctx.now.max(any.started_at));
        for w in store.contract_weeks(id, first, last) {
            if let Some(d) = store.week(w, any)? {
                all_weeks.push(d.value);
            }
        }
        for (w, f) in weeks.values().filter(|(_, f)| &f.contract == id) {
            all_weeks.retain(|x| x.week != *w);
            all_weeks.push(f.clone());
        }
        if let (Some(b), Some(o), Some(t)) = (&b, &o, &t) {
            let m = merge::contract(b, o, t, &all_weeks, &store.settings);
            for (op, kind, why) in m.superseded {
                superseded.push(format!("{id}: {kind} ({op}) set aside: {why}"));
            }
        }
        let touched = rejected.touches(path);
        if let Some(c) = merge::contract_leaving_out(
            (b, o, t),
            touched,
            |c| rejected.made(c),
            &all_weeks,
            &store.settings,
        ) {
            merged.push((path.clone(), c));
        }
    }

    // The merge: git records both parents; the files are ours until written.
    let author = Author {
        name: store.settings.role.as_str(),
        at: ctx.now,
    };
    // Every contract either side changed (its file or its diary).
    let mut touched: Vec<ContractId> = mine
        .iter()
        .chain(&other)
        .filter_map(|p| match classify(p) {
            File::Contract(id) | File::Week(_, id) => Some(id),
            File::Other => None,
        })
        .collect();
    touched.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    touched.dedup();
    // What the merge may write, kept aside first: a sync killed while it
    // writes is undone by the next, which merges again.
    let mut plan: Vec<String> = only_theirs.iter().map(|p| format!("path {p}")).collect();
    plan.extend(touched.iter().map(|id| format!("contract {id}")));
    store.keep_cache(MERGING, &(plan.join("\n") + "\n"))?;
    let mut aside_entries = Vec::new();
    // Each file flushed as it is written, their directories once at the end.
    store.defer_dir_syncs();
    let written = (|| -> Result<()> {
        // Taken from their side in one `checkout` (and one `rm`), not one
        // git process a file.
        let (mut present, mut gone) = (Vec::new(), Vec::new());
        for path in &only_theirs {
            match git.object_at(theirs, path)? {
                Some(e) if !e.is_tree => present.push(path.as_str()),
                _ => gone.push(path.as_str()),
            }
        }
        for (args, paths) in [
            (vec!["checkout", theirs, "--"], present),
            (vec!["rm", "-q", "--"], gone),
        ] {
            // A bounded command line.
            for some in paths.chunks(1000) {
                let mut args = args.clone();
                args.extend(some);
                git.out(&args)?;
            }
        }
        for path in &only_theirs {
            store.took(path);
        }
        for (_, c) in &merged {
            match store.contract(&c.id) {
                Ok(doc) => {
                    store.save_contract(&doc, c)?;
                }
                // Not in ours: made on their side.
                Err(StoreError::NoContract(_)) => store.create_contract(c)?,
                Err(e) => return Err(e.into()),
            }
        }
        // Every week of every contract either side changed, as merged:
        // entries that now overlap or lie after the end are set aside.
        for id in &touched {
            let Some(c) = store.text_of(&format!("contracts/{id}.toml"))? else {
                continue;
            };
            let c = store.contract_text(&format!("contracts/{id}.toml"), &c)?;
            let mut merged_weeks = Vec::new();
            let last = Week::of(ctx.now.max(c.started_at));
            for w in store.contract_weeks(id, Week::of(c.started_at), last) {
                let rel = format!("diary/{w}/{id}.toml");
                let old = store.text_of(&rel)?;
                let wf = match weeks.get(&rel) {
                    Some((_, wf)) => wf.clone(),
                    None => match &old {
                        Some(t) => store.week_text(&rel, t)?,
                        None => continue,
                    },
                };
                let kept = merge::set_aside(&wf, &c, merged_weeks.last());
                for a in kept.aside.iter().filter(|a| !wf.aside.contains(a)) {
                    aside_entries.push(format!("entry {id}/{} set aside: {}", a.entry.id, a.why));
                }
                if weeks.contains_key(&rel) || kept != wf {
                    store.put_week(&rel, old.as_deref(), &kept, &c)?;
                }
                merged_weeks.push(kept);
            }
            // The pay of its settled weeks, derived from the merged diary
            // (never taken from the side that settled them): the contract
            // folded again with the weeks as merged.
            if c.kind() == crate::core::Kind::Hourly
                && let Some(until) = crate::core::fold::as_of(&c)
                && let Ok(folded) =
                    crate::core::fold::fold(&c, &merged_weeks, &store.settings, until)
                && folded != c
            {
                let doc = store.contract(id)?;
                store.save_contract(&doc, &folded)?;
            }
        }
        check(store, mine.iter().chain(&other))?;
        store.sync_deferred()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = store.sync_deferred();
        undo_merge(store, git)?;
        return Err(e);
    }
    let mut message = format!("sync: merge {theirs}");
    if !rejected.is_empty() {
        message.push_str("\n\nLeft out, failing verification:\n");
        message.push_str(&rejected.message());
    }
    if !superseded.is_empty() || !aside_entries.is_empty() {
        message.push_str("\n\nSet aside by the rules in the merged order:\n");
        for l in superseded.iter().chain(&aside_entries) {
            message.push_str(&format!("{l}\n"));
        }
    }
    let written = store.take_written();
    let paths: Vec<&str> = written.iter().map(String::as_str).collect();
    git.commit_merge(&paths, &message, &author, ours, theirs)?;
    store.drop_cache(MERGING);
    superseded.extend(aside_entries);
    Ok(superseded)
}

/// Moves the work tree and the branch from `ours` to `theirs`, a
/// descendant: the files first (named in the plan beforehand), then the
/// branch in one step. A kill between the two leaves the other clone's
/// files under this clone's HEAD, which the next command would commit as
/// its own, signed by this party (found by the long clones simulation,
/// seed 694436477: `git merge --ff-only` killed there); the plan has the
/// next command put them back first ([`undo_merge`]).
fn fast_forward(store: &Store, git: &Git, ours: &str, theirs: &str) -> Result<Vec<String>> {
    let changed = git.changed(ours, theirs)?;
    let plan: Vec<String> = changed.iter().map(|p| format!("path {p}")).collect();
    store.keep_cache(MERGING, &(plan.join("\n") + "\n"))?;
    git.out(&["read-tree", "-u", "-m", "HEAD", theirs])?;
    fail::fail_point!("sync::fast_forward", |arg| Err(
        crate::store::atomic::injected(arg).into()
    ));
    git.out(&[
        "update-ref",
        "-m",
        "sync: fast-forward",
        "HEAD",
        theirs,
        ours,
    ])?;
    store.drop_cache(MERGING);
    for path in &changed {
        store.took(path);
    }
    Ok(changed)
}

/// What a merge in progress may write (`.git/contracts/`): `path P` and
/// `contract ID` lines.
const MERGING: &str = "sync-merging";

/// Undoes a merge that did not commit: one begun by an earlier version
/// (`MERGE_HEAD`) is aborted, and the writes this program planned are put
/// back ([`undo_planned`]).
fn undo_merge(store: &Store, git: &Git) -> Result<()> {
    if store.root().join(".git").join("MERGE_HEAD").exists() {
        git.out(&["merge", "--abort"])?;
    }
    undo_planned(store, git)
}

/// Undoes the writes of a merge or fast-forward of this program's that did
/// not commit (it failed, or a sync was killed while it wrote): every file
/// its plan names, changed in the work tree or the index, goes back to
/// HEAD; nothing else is touched. Every command that writes a shared
/// ledger calls it first, so none commits another clone's files as its
/// own; a merge begun with git by hand is left to its owner.
pub(crate) fn undo_planned(store: &Store, git: &Git) -> Result<()> {
    let Some(plan) = store.cache(MERGING) else {
        return Ok(());
    };
    let planned = |p: &str| {
        plan.lines().any(|l| match l.split_once(' ') {
            Some(("path", q)) => q == p,
            Some(("contract", id)) => {
                p == format!("contracts/{id}.toml")
                    || (p.starts_with("diary/") && p.ends_with(&format!("/{id}.toml")))
            }
            _ => false,
        })
    };
    let changed = git.out(&["diff", "--name-only", "HEAD"])?;
    let new = git.out(&["ls-files", "--others", "--exclude-standard"])?;
    for p in changed.lines().chain(new.lines()).filter(|p| planned(p)) {
        if git.show("HEAD", p)?.is_some() {
            git.out(&["checkout", "HEAD", "--", p])?;
        } else {
            // `-f`: staged from their side, then rewritten by the merge
            // (its entries set aside), it differs from both HEAD and the
            // file, and git would keep it (long clones run, seed 641203702).
            let _ = git.out(&["rm", "-q", "--cached", "-f", "--", p]);
            let _ = std::fs::remove_file(store.root().join(p));
        }
    }
    store.drop_cache(MERGING);
    Ok(())
}

/// Every file a merge or fast-forward changed is where the layout puts
/// it, and every contract among them parses and validates; the others
/// are as this clone had them (a whole-ledger check read 500 contracts
/// to merge 50).
fn check<'p>(store: &Store, changed: impl IntoIterator<Item = &'p String>) -> Result<()> {
    let mut problems = Vec::new();
    for path in changed {
        match classify(path) {
            File::Contract(id) => {
                if store.root().join(path).is_file() {
                    store.contract(&id)?;
                }
            }
            File::Week(..) => {}
            File::Other if path.starts_with("diary/") => {
                problems.push(crate::store::located::Located::file(
                    path,
                    "not a week file (expected diary/YYYY-Www/ID.toml)",
                ))
            }
            File::Other if path.starts_with("contracts/") => {
                problems.push(crate::store::located::Located::file(
                    path,
                    "not a contract file (expected contracts/ID.toml)",
                ))
            }
            File::Other => {}
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems).into());
    }
    Ok(())
}

/// `git-merge-driver BASE OURS THEIRS PATH` (run by git, as the merge
/// driver `contracts`): merges one file of the ledger by the rules and
/// writes the result over OURS; any refusal leaves git's conflict.
pub fn merge_driver(ctx: &Ctx, base: &str, ours: &str, theirs: &str, path: &str) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let read = |p: &str| -> Result<Option<String>> {
        match std::fs::read_to_string(p) {
            Ok(t) if t.is_empty() => Ok(None),
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    };
    let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
    let Some(o) = o else {
        return Err(refused(Refusal::NothingOurs {
            path: path.to_string(),
        }));
    };
    let text = match classify(path) {
        File::Week(..) => {
            let week = |t: &Option<String>| -> Result<Option<WeekFile>> {
                t.as_deref()
                    .map(|t| store.week_text(path, t))
                    .transpose()
                    .map_err(Into::into)
            };
            let merged = merge::week(
                week(&b)?.as_ref(),
                week(&Some(o.clone()))?.as_ref(),
                week(&t)?.as_ref(),
            );
            match merged {
                Some(w) => store.week_over(path, &o, &w)?,
                None => o,
            }
        }
        File::Contract(id) => {
            let (Some(b), Some(t)) = (b, t) else {
                return Err(refused(Refusal::IdTakenInBoth { id, path: None }));
            };
            let (cb, co, ct) = (
                store.contract_text(path, &b)?,
                store.contract_text(path, &o)?,
                store.contract_text(path, &t)?,
            );
            let mut weeks = Vec::new();
            for w in store.contract_weeks(
                &id,
                Week::of(co.started_at),
                Week::of(ctx.now.max(co.started_at)),
            ) {
                if let Ok(Some(d)) = store.week(w, &co) {
                    weeks.push(d.value);
                }
            }
            let m = merge::contract(&cb, &co, &ct, &weeks, &store.settings);
            for (op, kind, why) in &m.superseded {
                ctx.out
                    .note(&format!("{id}: {kind} ({op}) set aside: {why}"));
            }
            store.contract_over(path, &o, &m.contract)?
        }
        File::Other => {
            return Err(refused(Refusal::NotMergeable {
                path: path.to_string(),
            }));
        }
    };
    std::fs::write(ours, text)?;
    Ok(())
}
