//! Two clones of a contract, merged by the rules (SPEC §7): the common
//! ancestor's state, then the union of both sides' operations applied again
//! through the same rules in the order of their instants (ties by operation
//! id), each preceded by the timers that fell due before it. Timers are
//! re-derived, never merged as facts: a dispute made on day 2 in one clone
//! beats the automatic approval the other clone recorded on day 7. An
//! operation the rules refuse in the merged order stays in the history,
//! marked superseded with the reason; it changes nothing.

use super::diary::week_file::WeekFile;
use super::fold::{Operation, as_of, fold, fold_onto, operations, reapply};
use super::model::*;
use super::step::stamp;
use super::{Settings, timers};
use std::collections::BTreeMap;

/// A merged contract, and the operations set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The contract.
    pub contract: Contract,
    /// Each operation the rules refused in the merged order: its id, its
    /// kind and why.
    pub superseded: Vec<(String, EventKind, String)>,
}

/// Merges `ours` and `theirs`, two clones of `base` (the same contract),
/// with the diary weeks `weeks` (already merged) for the hourly rules.
pub fn contract(
    base: &Contract,
    ours: &Contract,
    theirs: &Contract,
    weeks: &[WeekFile],
    settings: &Settings,
) -> Merged {
    // One side is the ancestor: the other has everything (git's
    // fast-forward).
    for (a, b) in [(ours, theirs), (theirs, ours)] {
        if a == base {
            return Merged {
                contract: b.clone(),
                superseded: Vec::new(),
            };
        }
    }
    let base_ids = base.history.iter().map(|e| e.id.as_str()).collect();
    let mut ops = BTreeMap::new();
    operations(&base_ids, ours, &mut ops);
    // An operation both sides have (a merge merged again) is the same one.
    let mut theirs_ops = BTreeMap::new();
    operations(&base_ids, theirs, &mut theirs_ops);
    // Each side's own operations since the ancestor, made concurrently
    // with the other side's: (id, actor, instant, kind).
    let own = |mine: &BTreeMap<&str, Operation<'_>>, other: &BTreeMap<&str, Operation<'_>>| {
        mine.iter()
            .filter(|(id, _)| !other.contains_key(*id))
            .map(|(id, op)| {
                (
                    id.to_string(),
                    op.head().actor,
                    op.head().at,
                    op.head().kind(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (ours_only, theirs_only) = (own(&ops, &theirs_ops), own(&theirs_ops, &ops));
    for (id, op) in theirs_ops {
        ops.entry(id).or_insert(op);
    }
    // Backdated: dated before an operation of the same party made
    // concurrently in the other clone (decided from the two sides alone,
    // so every clone decides the same). So a party that resets its clone
    // cannot undo an outcome by recording an earlier operation.
    let backdated = |id: &str, actor: Actor, at: Instant| -> Option<String> {
        let other = if ours_only.iter().any(|(i, ..)| i == id) {
            &theirs_only
        } else if theirs_only.iter().any(|(i, ..)| i == id) {
            &ours_only
        } else {
            return None;
        };
        other
            .iter()
            .filter(|(_, a, t, _)| *a == actor && *t > at)
            .max_by_key(|(_, _, t, _)| *t)
            .map(|(_, _, t, kind)| {
                format!(
                    "backdated: dated {}, before the {actor}'s `{kind}` of {} made concurrently in another clone (a party's own operations never go back in time)",
                    at.format("%Y-%m-%d %H:%M:%S UTC"),
                    t.format("%Y-%m-%d %H:%M:%S UTC")
                )
            })
    };
    let mut order: Vec<Operation<'_>> = ops.into_values().collect();
    order.sort_by(|a, b| (a.head().at, a.id).cmp(&(b.head().at, b.id)));

    let mut state = base.clone();
    let mut superseded = Vec::new();
    for op in &order {
        let head = op.head();
        let due = timers::advance_owned(state.clone(), weeks, settings, head.at).contract;
        // Set aside once (by an earlier merge), set aside for good.
        let before = [ours, theirs]
            .iter()
            .flat_map(|c| &c.history)
            .find(|e| e.id == op.id && e.superseded.is_some())
            .and_then(|e| e.superseded.clone());
        let applied = match before.or_else(|| backdated(op.id, head.actor, head.at)) {
            Some(why) => Err(why),
            None => reapply(&due, op, weeks, settings).map_err(|e| e.to_string()),
        };
        match applied {
            Ok(mut out) => {
                stamp(&mut out, op.id);
                state = out.contract;
            }
            Err(why) => {
                // Reported where it is news: not set aside here before.
                let known = ours
                    .history
                    .iter()
                    .any(|e| e.id == op.id && e.superseded.is_some());
                if !known {
                    superseded.push((op.id.to_string(), head.kind(), why.clone()));
                }
                state = due;
                state.history.extend(op.events.iter().map(|e| Event {
                    superseded: Some(why.clone()),
                    ..(*e).clone()
                }));
            }
        }
    }
    // As far on as either side was: the timers either recorded, re-derived.
    let last = [ours, theirs]
        .iter()
        .flat_map(|c| c.history.iter().map(|e| e.at))
        .max();
    if let Some(last) = last {
        state = timers::advance_owned(state, weeks, settings, last).contract;
    }
    // By instant, as a fold orders them: an operation set aside in an
    // earlier merge and dated before this side's own stays in its place
    // (a stable sort keeps one instant's order).
    state.history.sort_by_key(|e| e.at);
    Merged {
        contract: state,
        superseded,
    }
}

/// The contract a merge holds, from its three versions (the common
/// ancestor's, ours, theirs): [`contract`]'s merge where both sides have
/// it, the side that has it otherwise; then folded again from its terms
/// with the merged `weeks`, so no state stands as one side (or the common
/// ancestor) recorded it. Theirs
/// taken whole (ours is the ancestor) is folded onto the ancestor instead
/// when `touched`. `None` for a contract made on both sides under one id,
/// or one whose creation a rejected commit made (`made`).
pub fn contract_leaving_out(
    sides: (Option<Contract>, Option<Contract>, Option<Contract>),
    touched: bool,
    made: impl Fn(&Contract) -> bool,
    weeks: &[WeekFile],
    settings: &Settings,
) -> Option<Contract> {
    let merged = match sides {
        (Some(b), Some(o), Some(t)) if touched && o == b => {
            let until = as_of(&t)?;
            fold_onto(b, &t, weeks, settings, until)
        }
        (Some(b), Some(o), Some(t)) => contract(&b, &o, &t, weeks, settings).contract,
        (_, Some(one), None) => one,
        (_, None, Some(t)) if touched && made(&t) => return None,
        (_, None, Some(t)) => t,
        _ => return None,
    };
    // Folded again from its terms, whatever either side or their common
    // ancestor held: the ancestor may be a commit that was left out (the
    // other clone's merge that rejected it has it as a parent), and what
    // no operation explains must not come back through it.
    match as_of(&merged) {
        Some(until) => Some(fold(&merged, weeks, settings, until).unwrap_or(merged)),
        None => Some(merged),
    }
}

/// Merges two clones of one contract's week of diary, entry by entry (by
/// id): an entry changed or deleted on one side only takes that change; one
/// changed on both keeps the greater version (the same in either clone); an
/// entry new on both sides under one id (each clone numbers its own) keeps
/// the id for the lesser and gives the other the next free number, so both
/// clones renumber the same one.
pub fn week(
    base: Option<&WeekFile>,
    ours: Option<&WeekFile>,
    theirs: Option<&WeekFile>,
) -> Option<WeekFile> {
    let (o, t) = match (ours, theirs) {
        (Some(o), Some(t)) => (o, t),
        (o, t) => {
            // On one side only: created there (or deleted on the other,
            // which a week file never is).
            return o.or(t).cloned();
        }
    };
    let b = |id: &str| base.and_then(|w| w.entries.iter().find(|e| e.id == id));
    let find = |w: &WeekFile, id: &str| w.entries.iter().find(|e| e.id == id).cloned();
    let mut ids: Vec<&str> = o
        .entries
        .iter()
        .chain(&t.entries)
        .map(|e| e.id.as_str())
        .collect();
    if let Some(w) = base {
        ids.extend(w.entries.iter().map(|e| e.id.as_str()));
    }
    ids.sort_unstable();
    ids.dedup();
    let mut out = WeekFile {
        entries: Vec::new(),
        last_number: o.last_number.max(t.last_number),
        ..o.clone()
    };
    let mut renumber = Vec::new();
    for id in ids {
        let (was, mine, other) = (b(id), find(o, id), find(t, id));
        // When a side removed it (its record says), if it did.
        let removed = |w: &WeekFile| w.removed.iter().find(|r| r.id == id).map(|r| r.at);
        let keep = match (was, mine, other) {
            (_, None, None) => vec![],
            // Deleted on one side, unchanged on the other: deleted.
            (Some(w), None, Some(x)) | (Some(w), Some(x), None) if &x == w => vec![],
            // Deleted on one side, edited on the other: the later wins (a
            // removal is never undone by an earlier edit).
            (Some(_), None, Some(x)) => later_than_removal(x, removed(o)),
            (Some(_), Some(x), None) => later_than_removal(x, removed(t)),
            (None, Some(x), None) | (None, None, Some(x)) => vec![x],
            (_, Some(x), Some(y)) if x == y => vec![x],
            (Some(w), Some(x), Some(y)) if &x == w => vec![y],
            (Some(w), Some(x), Some(y)) if &y == w => vec![x],
            // Edited on both: the later edit wins, by its instant.
            (Some(_), Some(x), Some(y)) => vec![later(x, y)],
            // New on both sides under one id: two entries.
            (None, Some(x), Some(y)) => {
                let (first, second) = if key(&x) <= key(&y) { (x, y) } else { (y, x) };
                renumber.push(second);
                vec![first]
            }
        };
        out.entries.extend(keep);
    }
    out.last_number = out.last_number.max(out.highest());
    for mut e in renumber {
        e.id = out.next_id();
        out.insert(e);
    }
    out.entries.sort_by(|a, b| key(a).cmp(&key(b)));
    // A removal's record stays, but for an entry that lives on (changed on
    // the other side).
    for r in &t.removed {
        if !out.removed.iter().any(|x| x.id == r.id) {
            out.removed.push(r.clone());
        }
    }
    out.removed
        .retain(|r| !out.entries.iter().any(|e| e.id == r.id));
    out.removed
        .sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    // What either side set aside stays set aside.
    // (Two versions of one entry, each set aside, are both kept: a long
    // clones simulation found one side's file holding both and a merge
    // keeping one.)
    for a in &t.aside {
        if !out.aside.contains(a) {
            out.aside.push(a.clone());
        }
    }
    sort_aside(&mut out);
    Some(out)
}

/// Puts `w`'s set-aside entries in their one order, the entries' own (then
/// why): a file reads the same whichever merge set each aside, and in
/// whichever order.
pub fn sort_aside(w: &mut WeekFile) {
    w.aside
        .sort_by(|a, b| (key(&a.entry), &a.why).cmp(&(key(&b.entry), &b.why)));
}

/// `w` with the entries that, once merged, lie after `c`'s end or overlap
/// an earlier one set aside (kept in the file, never counted): the later of
/// two overlapping entries goes, the same one in either clone. `before` is
/// the contract's previous week as merged (its entries set aside first):
/// one of its entries running past the week's start is earlier than every
/// entry of `w`, so one of those it overlaps goes.
pub fn set_aside(w: &WeekFile, c: &Contract, before: Option<&WeekFile>) -> WeekFile {
    let mut out = WeekFile {
        entries: Vec::new(),
        ..w.clone()
    };
    let words = |t: Instant| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    // Where the merged contract takes no time: its pauses, and its end on.
    // Each with why an entry made in it, or running into it, is set aside.
    let mut closed: Vec<(Instant, Option<Instant>, String, String)> = c
        .paused_spans()
        .into_iter()
        .map(|(from, to)| {
            let until = to.map_or_else(|| "now".to_string(), words);
            let span = format!("a pause of {} ({} to {until})", c.id, words(from));
            (
                from,
                to,
                format!("it lies in {span}, once the two clones merged"),
                format!("it ran into {span} once the two clones merged: kept up to it"),
            )
        })
        .collect();
    if let Some(ended) = c.ended_at() {
        closed.push((
            ended,
            None,
            format!("it lies after {} ended ({})", c.id, words(ended)),
            format!(
                "it ran past the end of {} ({}) once the two clones merged: kept up to it",
                c.id,
                words(ended)
            ),
        ));
    }
    let aside = |entry: super::diary::week_file::Entry, why: String| {
        super::diary::week_file::Aside { entry, why }
    };
    for e in &w.entries {
        let mut e = e.clone();
        // Logged by hand (or imported) when its week no longer took time,
        // by the instant its operation records: the one door refuses that
        // in a clone, so it came from a hand edit; set aside whole.
        if e.manual
            && !e.history
            && let Some(at) = e.at
            && !w.week.stage(at).editable()
        {
            let why = format!(
                "it was recorded at {} when {} was {}: a week takes time while open or in review",
                words(at),
                w.week,
                w.week.stage(at).as_str()
            );
            out.aside.push(aside(e, why));
            continue;
        }
        // Made where the contract took no time: set aside whole.
        if let Some((_, _, why, _)) = closed
            .iter()
            .find(|(from, to, _, _)| e.start >= *from && to.is_none_or(|to| e.start < to))
        {
            out.aside.push(aside(e, why.clone()));
            continue;
        }
        // Running into a pause or the end (a timer the other clone did not
        // know to stop): kept up to it, the rest set aside.
        let stop = e.end.unwrap_or(Instant::MAX_UTC);
        if let Some((from, _, _, why)) = closed
            .iter()
            .filter(|(from, _, _, _)| *from > e.start && *from < stop)
            .min_by_key(|(from, _, _, _)| *from)
        {
            let mut rest = e.clone();
            rest.start = *from;
            out.aside.push(aside(rest, why.clone()));
            e.end = Some(*from);
        }
        let spilled = before
            .filter(|b| b.week == w.week.prev())
            .map_or(&[][..], |b| &b.entries[..])
            .iter()
            .filter(|k| k.end.is_none_or(|end| end > w.week.start()));
        let overlap = spilled
            .chain(&out.entries)
            .find(|k| {
                let k_stop = k.end.unwrap_or(Instant::MAX_UTC);
                e.start < k_stop && k.start < e.end.unwrap_or(Instant::MAX_UTC)
            })
            .map(|k| format!("it overlaps {} once the two clones merged", k.id));
        match overlap {
            Some(why) => out.aside.push(aside(e, why)),
            None => out.entries.push(e),
        }
    }
    sort_aside(&mut out);
    out
}

/// An entry's order: by start, then its content (stable across clones).
type EntryKey<'e> = (
    Instant,
    Option<Instant>,
    &'e str,
    bool,
    &'e str,
    Option<&'e str>,
    bool,
);

fn key(e: &super::diary::week_file::Entry) -> EntryKey<'_> {
    (
        e.start,
        e.end,
        e.memo.as_str(),
        e.manual,
        e.id.as_str(),
        e.origin.as_deref(),
        e.history,
    )
}

fn greater(
    x: super::diary::week_file::Entry,
    y: super::diary::week_file::Entry,
) -> super::diary::week_file::Entry {
    if key(&x) >= key(&y) { x } else { y }
}

/// Of two edits of one entry, the later by the instant of its operation;
/// where that is not recorded (or the same), the greater (the same in
/// either clone).
fn later(
    x: super::diary::week_file::Entry,
    y: super::diary::week_file::Entry,
) -> super::diary::week_file::Entry {
    match (x.at, y.at) {
        (Some(a), Some(b)) if a > b => x,
        (Some(a), Some(b)) if b > a => y,
        _ => greater(x, y),
    }
}

/// An entry edited on one side and removed on the other at `removed`: kept
/// if its edit is later than the removal, else gone.
fn later_than_removal(
    x: super::diary::week_file::Entry,
    removed: Option<Instant>,
) -> Vec<super::diary::week_file::Entry> {
    match (x.at, removed) {
        (Some(edit), Some(gone)) if edit <= gone => vec![],
        // No record of when it was removed (an older file): the edit
        // stands, as it always did.
        _ => vec![x],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diary::hourly;
    use crate::core::fold::operation_of;
    use crate::core::lifecycle::tests as lt;
    use crate::core::lifecycle::{EndRequest, Pay};
    use crate::core::model::RefundStatus;
    use crate::core::money::Money;
    use crate::core::{Outcome, RuleError, escrow, lifecycle};

    fn t(s: &str) -> Instant {
        lt::t(s)
    }

    /// The outcome's contract, its new events given the operation id `op`.
    fn done(r: Result<Outcome, RuleError>, op: &str) -> Contract {
        let mut o = r.unwrap();
        stamp(&mut o, op);
        o.contract
    }

    fn base_fixed() -> Contract {
        let mut c = lt::fixed("500");
        c.history[0].id = "0000000000000001".into();
        c
    }

    fn money(s: &str) -> Money {
        lt::settings().currency.parse(s).unwrap()
    }

    #[test]
    fn a_dispute_on_day_2_beats_the_auto_approval_recorded_on_day_7() {
        let s = lt::settings();
        let base = done(
            escrow::request(
                &base_fixed(),
                Some(money("100")),
                &s,
                t("2026-11-04T10:00:00Z"),
            ),
            "00000000000000a1",
        );
        // The freelancer's clone disputes on day 2.
        let theirs = done(
            escrow::dispute(
                &base,
                Some("done as agreed".into()),
                &s,
                t("2026-11-06T10:00:00Z"),
            ),
            "00000000000000b1",
        );
        // The client's clone, not having seen it, records the auto-approval
        // on day 7 (a sweep) and then pauses nothing: a timer alone.
        let ours = timers::advance_owned(base.clone(), &[], &s, t("2026-11-12T10:00:00Z")).contract;
        assert_eq!(
            ours.refunds[0].status,
            RefundStatus::Refunded,
            "the clone's own view"
        );
        let m = contract(&base, &ours, &theirs, &[], &s);
        assert_eq!(m.superseded, vec![]);
        let r = &m.contract.refunds[0];
        assert_eq!(r.status, RefundStatus::Disputed, "{:?}", m.contract.history);
        assert!(
            !m.contract
                .history
                .iter()
                .any(|e| e.kind() == EventKind::RefundAutoApproved),
            "the auto-approval is re-derived, and it never fell due"
        );
        assert_eq!(m.contract.totals(), theirs.totals());
    }

    #[test]
    fn both_ending_sets_the_later_end_aside_and_it_moves_no_money() {
        let s = lt::settings();
        let base = base_fixed();
        let req = EndRequest {
            reason: EndReason::Completed,
            note: None,
            pay: Some(Pay::Full),
        };
        let ours = done(
            lifecycle::end(&base, Role::Client, &req, &s, t("2026-11-05T10:00:00Z")),
            "00000000000000a1",
        );
        let freelancer_end = EndRequest {
            reason: EndReason::Unresponsive,
            note: None,
            pay: None,
        };
        let theirs = done(
            lifecycle::end(
                &base,
                Role::Freelancer,
                &freelancer_end,
                &s,
                t("2026-11-06T10:00:00Z"),
            ),
            "00000000000000b1",
        );
        let m = contract(&base, &ours, &theirs, &[], &s);
        assert_eq!(m.superseded.len(), 1, "{:?}", m.superseded);
        let (id, kind, why) = &m.superseded[0];
        assert_eq!((id.as_str(), *kind), ("00000000000000b1", EventKind::Ended));
        assert!(why.contains("ended"), "{why}");
        // The client's end stands, with its release; the freelancer's end and
        // its escrow return are in the history, set aside.
        assert_eq!(m.contract.totals(), ours.totals());
        assert_eq!(m.contract.ending.as_ref().unwrap().by, Role::Client);
        let aside: Vec<_> = m
            .contract
            .history
            .iter()
            .filter(|e| !e.counts())
            .map(|e| (e.id.as_str(), e.kind()))
            .collect();
        assert_eq!(
            aside,
            [
                ("00000000000000b1", EventKind::Ended),
                ("00000000000000b1.2", EventKind::Refunded)
            ]
        );
        // Either order of the sides gives the same contract.
        assert_eq!(
            contract(&base, &theirs, &ours, &[], &s).contract,
            m.contract
        );
    }

    #[test]
    fn the_merge_is_the_merged_order_applied_on_one_machine_whichever_side_is_ours() {
        let s = lt::settings();
        let mut base = lt::hourly();
        base.history[0].id = "0000000000000001".into();
        let (t1, t2, t3) = (
            t("2026-11-03T09:00:00Z"),
            t("2026-11-04T09:00:00Z"),
            t("2026-11-05T09:00:00Z"),
        );
        // The client pauses and resumes in one clone; in the other, the
        // client (at another desk) raises the limit in between.
        let paused = done(lifecycle::pause(&base, &s, t1), "00000000000000a1");
        let ours = done(lifecycle::resume(&paused, &s, t3), "00000000000000a2");
        let theirs = done(
            hourly::set_limit(&base, Some(20), &s, t2),
            "00000000000000b1",
        );
        let one = done(
            hourly::set_limit(&paused, Some(20), &s, t2),
            "00000000000000b1",
        );
        let one = done(lifecycle::resume(&one, &s, t3), "00000000000000a2");
        let _ = one;
        // The same party at two desks: each of its operations dated before
        // one it made concurrently at the other desk is backdated, set
        // aside (SPEC §7: the price of working on two machines at once);
        // the resume then finds nothing paused.
        let m = contract(&base, &ours, &theirs, &[], &s);
        let aside: Vec<(&str, bool)> = m
            .superseded
            .iter()
            .map(|(id, _, why)| (id.as_str(), why.starts_with("backdated")))
            .collect();
        assert_eq!(
            aside,
            [
                ("00000000000000a1", true),
                ("00000000000000b1", true),
                ("00000000000000a2", false)
            ]
        );
        assert_eq!(m.contract.status, Status::Active);
        let both = contract(&base, &theirs, &ours, &[], &s).contract;
        assert_eq!(both, m.contract);
        // Merging again what was merged changes nothing; one side the
        // ancestor of the other: the other.
        assert_eq!(
            contract(&base, &m.contract, &theirs, &[], &s).contract,
            m.contract
        );
        assert_eq!(
            contract(&ours, &ours, &m.contract, &[], &s).contract,
            m.contract
        );
    }

    /// The milestone command `k` acts on in `c`, as its party sees it: the
    /// next pending one to fund, the funded one to submit or approve.
    fn target(c: &Contract, k: u8) -> Option<u32> {
        match k % 10 {
            0 => c
                .milestones
                .iter()
                .position(|m| m.status == MilestoneStatus::Pending)
                .map(|i| i as u32 + 1),
            1 | 2 => c.funded_milestone(),
            _ => None,
        }
    }

    /// A command of the property below, on milestone `n` where it takes one.
    fn command(
        c: &Contract,
        k: u8,
        n: Option<u32>,
        s: &Settings,
        now: Instant,
    ) -> Result<Outcome, RuleError> {
        let usd = |x: &str| s.currency.parse(x).unwrap();
        match k % 10 {
            0 => escrow::fund(c, n, s, now),
            1 => escrow::submit(c, n, s, now),
            2 => escrow::approve(c, n, None, s, now),
            3 => escrow::request(c, Some(usd("10")), s, now),
            4 => escrow::approve_refund(c, s, now),
            5 => escrow::dispute(c, None, s, now),
            6 => escrow::concede(c, s, now),
            7 => {
                let req = EndRequest {
                    reason: EndReason::Completed,
                    note: None,
                    pay: Some(Pay::Full),
                };
                lifecycle::end(c, Role::Client, &req, s, now)
            }
            8 => {
                let req = EndRequest {
                    reason: EndReason::Unresponsive,
                    note: None,
                    pay: None,
                };
                lifecycle::end(c, Role::Freelancer, &req, s, now)
            }
            _ => escrow::give(c, usd("5"), s, now),
        }
    }

    /// `c` without the events a merge set aside.
    fn counting(mut c: Contract) -> Contract {
        c.history.retain(Event::counts);
        c
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            failure_persistence: None,
            ..proptest::test_runner::Config::with_cases(512)
        })]

        /// Random commands, each made in one of two clones of a contract:
        /// the merge is the same whichever clone is `ours`, and it is what
        /// one machine gets applying the commands in the merged order (those
        /// the rules refuse then left out). A command acts on the milestone
        /// its party saw in its clone (work submitted for milestone 1 is not
        /// work on milestone 2 because the other clone approved 1 meanwhile).
        #[test]
        fn two_clones_merge_to_the_merged_order_on_one_machine(
            steps in proptest::collection::vec((0u8..10, proptest::bool::ANY, 1i64..100), 1..24)
        ) {
            let s = lt::settings();
            let mut base = lt::create_fixed_in_three();
            base.history[0].id = "0000000000000001".into();
            let (mut a, mut b) = (base.clone(), base.clone());
            let mut now = t("2026-11-02T10:00:00Z");
            let mut made = Vec::new();
            for (i, (k, in_a, hours)) in steps.into_iter().enumerate() {
                now += chrono::Duration::hours(hours);
                let op = format!("{:016x}", 0x100 + i);
                let side = if in_a { &mut a } else { &mut b };
                let n = target(side, k);
                if let Ok(mut o) = command(side, k, n, &s, now) {
                    stamp(&mut o, &op);
                    *side = o.contract;
                    made.push((now, op, k, n, in_a));
                }
            }
            let m = contract(&base, &a, &b, &[], &s);
            proptest::prop_assert_eq!(&contract(&base, &b, &a, &[], &s).contract, &m.contract);
            // One machine, the same commands in the merged order, but those
            // backdated: dated before a command of the same party made in
            // the other clone.
            let party = |k: u8| matches!(k % 10, 1 | 4 | 5 | 8 | 9);
            let mut one = base.clone();
            for (at, op, k, n, side) in &made {
                let backdated = made
                    .iter()
                    .any(|(t, _, k2, _, s2)| s2 != side && party(*k2) == party(*k) && t > at);
                if backdated {
                    continue;
                }
                if let Ok(mut o) = command(&one, *k, *n, &s, *at) {
                    stamp(&mut o, op);
                    one = o.contract;
                }
            }
            let last = a.history.iter().chain(&b.history).map(|e| e.at).max().unwrap();
            let one = timers::advance_owned(one, &[], &s, last).contract;
            proptest::prop_assert_eq!(counting(m.contract.clone()), one);
            let aside: Vec<&str> = m.superseded.iter().map(|(id, ..)| id.as_str()).collect();
            for e in m.contract.history.iter().filter(|e| !e.counts()) {
                proptest::prop_assert!(aside.contains(&operation_of(&e.id)));
            }
        }
    }
    #[test]
    fn entries_alike_but_for_their_origin_merge_alike_in_either_clone() {
        use crate::core::diary::week_file::Entry;
        let week: crate::core::week::Week = "2026-W47".parse().unwrap();
        let id = crate::core::model::ContractId::parse("h1").unwrap();
        let with = |origin: &str| {
            let mut w = WeekFile::new(id.clone(), week);
            w.insert(Entry {
                id: "2026W47-1".into(),
                start: t("2026-11-16T09:00:00Z"),
                end: Some(t("2026-11-16T10:00:00Z")),
                memo: "m".into(),
                manual: false,
                origin: Some(origin.into()),
                history: false,
                at: None,
            });
            w
        };
        let (a, b) = (with("timew 1"), with("watson 2"));
        let base = WeekFile::new(id.clone(), week);
        for base in [None, Some(&base)] {
            assert_eq!(week_merge(base, &a, &b), week_merge(base, &b, &a));
        }
        let mut changed = a.clone();
        changed.entries[0].memo = "n".into();
        assert_eq!(
            week_merge(Some(&a), &changed, &b),
            week_merge(Some(&a), &b, &changed)
        );
    }

    /// A running timer set aside in one clone, stopped in another and set
    /// aside there too: two versions of one entry, both kept by every
    /// merge, in either order.
    #[test]
    fn two_versions_of_one_entry_set_aside_are_both_kept() {
        use crate::core::diary::week_file::{Aside, Entry};
        let week: crate::core::week::Week = "2026-W47".parse().unwrap();
        let id = crate::core::model::ContractId::parse("h1").unwrap();
        let aside = |end: Option<&str>| Aside {
            entry: Entry {
                id: "2026W47-4".into(),
                start: t("2026-11-18T01:50:06Z"),
                end: end.map(t),
                memo: "on it".into(),
                manual: false,
                origin: None,
                history: false,
                at: None,
            },
            why: "it lies in a pause".into(),
        };
        let mut base = WeekFile::new(id.clone(), week);
        base.aside.push(aside(None));
        let mut theirs = base.clone();
        theirs.aside.push(aside(Some("2026-11-19T15:42:33Z")));
        for (o, t) in [(&base, &theirs), (&theirs, &base)] {
            let merged = week_merge(Some(&base), o, t).unwrap();
            assert_eq!(merged.aside, theirs.aside);
        }
    }

    fn week_merge(base: Option<&WeekFile>, o: &WeekFile, t: &WeekFile) -> Option<WeekFile> {
        super::week(base, Some(o), Some(t))
    }
}
