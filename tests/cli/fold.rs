//! `check` folds every contract again from its operations (SPEC §2,
//! "Operations and the fold"): a hand edit of a value the rules derive is
//! reported at its line with both values; free text may be edited.

use crate::harness::{Ledger, has_location};

/// An hourly contract with three hours logged in 2026-W45 and settled, and
/// a fixed one whose milestone was approved; swept on 20 Nov.
fn settled() -> Ledger {
    let l = Ledger::new();
    let run = |now: &str, args: &[&str]| l.run_at(now, args).ok();
    run(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "h1",
            "--title",
            "T",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--hourly",
            "50",
        ],
    );
    run(
        "2026-11-03T12:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-03T09:00:00Z",
            "--to",
            "2026-11-03T12:00:00Z",
            "--memo",
            "work",
        ],
    );
    run(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "F",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "500",
        ],
    );
    run(
        "2026-11-04T09:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    );
    run("2026-11-05T09:00:00Z", &["milestone", "approve", "f1"]);
    run(SWEPT, &["sweep"]);
    l
}

const SWEPT: &str = "2026-11-20T00:00:00Z";

/// `check` refuses (exit 5); its report names `needle` at `file:line`.
fn refused(l: &Ledger, file: &str, line: usize, needle: &str) {
    let r = l.run_at(SWEPT, &["check"]).code(5);
    assert!(
        has_location(&r.stdout, file, line),
        "{file}:{line} in\n{}",
        r.stdout
    );
    assert!(r.stdout.contains(needle), "`{needle}` in\n{}", r.stdout);
}

fn line_of(l: &Ledger, file: &str, text: &str) -> usize {
    l.read(file)
        .lines()
        .position(|x| x == text)
        .unwrap_or_else(|| panic!("`{text}` in {file}"))
        + 1
}

#[test]
fn a_ledger_its_operations_explain_is_clean() {
    let l = settled();
    l.run_at(SWEPT, &["check"]).ok();
    // So is the sample ledger of the README, made by an earlier build: its
    // files fold to what they record.
    let r = l.run_on(std::path::Path::new("examples/ledger"), &["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_payment_edited_by_hand_is_reported_with_both_values() {
    let l = settled();
    l.edit(
        "contracts/h1.toml",
        "amount = \"150.00\"\nfee",
        "amount = \"500.00\"\nfee",
    );
    let at = line_of(&l, "contracts/h1.toml", "amount = \"500.00\"");
    refused(
        &l,
        "contracts/h1.toml",
        at,
        "`payments[0].amount` is \"500.00\", but folding the contract's operations gives \"150.00\"",
    );
}

#[test]
fn a_milestone_status_edited_by_hand_is_reported() {
    let l = settled();
    l.edit(
        "contracts/f1.toml",
        "status = \"released\"",
        "status = \"submitted\"",
    );
    let at = line_of(&l, "contracts/f1.toml", "status = \"submitted\"");
    refused(
        &l,
        "contracts/f1.toml",
        at,
        "`milestones[0].status` is \"submitted\"",
    );
}

#[test]
fn escrow_edited_by_hand_is_reported() {
    let l = settled();
    // What the milestone put in escrow.
    l.edit(
        "contracts/f1.toml",
        "funded = \"500.00\"",
        "funded = \"900.00\"",
    );
    let at = line_of(&l, "contracts/f1.toml", "funded = \"900.00\"");
    refused(
        &l,
        "contracts/f1.toml",
        at,
        "`milestones[0].funded` is \"900.00\"",
    );
}

#[test]
fn a_settled_weeks_time_edited_by_hand_no_longer_matches_its_payment() {
    let l = settled();
    l.edit(
        "diary/2026-W45/h1.toml",
        "end = 2026-11-03T12:00:00Z",
        "end = 2026-11-03T13:00:00Z",
    );
    let at = line_of(&l, "contracts/h1.toml", "amount = \"150.00\"");
    refused(
        &l,
        "contracts/h1.toml",
        at,
        "`payments[0].amount` is \"150.00\", but folding the contract's operations gives \"200.00\"",
    );
}

#[test]
fn titles_and_memos_edited_by_hand_are_accepted() {
    let l = settled();
    l.edit("contracts/f1.toml", "title = \"F\"", "title = \"Fancier\"");
    l.edit(
        "diary/2026-W45/h1.toml",
        "memo = \"work\"",
        "memo = \"API work\"",
    );
    l.run_at(SWEPT, &["check"]).ok();
}

#[test]
fn money_that_no_operation_explains_is_reported() {
    let l = settled();
    // The client's approval is deleted from the history, with what it came
    // to among the effects; the release it made (status and payment) is
    // kept.
    let text = l.read("contracts/f1.toml");
    let blocks = tables(&text);
    let approval = blocks
        .iter()
        .find(|b| b.starts_with("[[history]]") && b.contains("event = \"milestone_approved\""))
        .expect("approved");
    let id = approval
        .lines()
        .find_map(|line| line.strip_prefix("id = "))
        .expect("its id")
        .to_string();
    let kept: String = blocks
        .iter()
        .filter(|b| !b.lines().any(|line| line == format!("id = {id}")))
        .map(|b| b.as_str())
        .collect();
    // The instant folded to goes back to the latest event left, as a
    // careful editor would set it (else the file is refused for that alone).
    assert!(kept.contains("as_of = 2026-11-05T09:00:00Z"), "{kept}");
    let kept = kept.replace(
        "as_of = 2026-11-05T09:00:00Z",
        "as_of = 2026-11-04T09:00:00Z",
    );
    l.write("contracts/f1.toml", &kept);
    let r = l.run_at(SWEPT, &["check"]).code(5);
    assert!(r.stdout.contains("milestones[0].status"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "`payments` is 1 entry, but folding the contract's operations gives (absent)"
        ),
        "{}",
        r.stdout
    );
}

/// A TOML file cut before each `[[` table header: the top, then each table.
fn tables(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.starts_with("[[") {
            out.push(String::new());
        }
        out.last_mut().expect("one").push_str(line);
    }
    out
}

#[test]
fn an_outcome_edited_among_the_effects_is_reported_with_its_line() {
    let l = settled();
    let f1 = "contracts/f1.toml";
    // The approval's fee is derived: kept with the effects, and checked.
    let text = l.read(f1);
    let effects = text.find("[[effects]]").expect("effects");
    let fee = effects + text[effects..].find("fee = \"50.00\"").expect("its fee");
    l.write(
        f1,
        &format!("{}fee = \"5.00\"{}", &text[..fee], &text[fee + 13..]),
    );
    let line = text[..fee].lines().count() + 1;
    refused(
        &l,
        f1,
        line,
        "is \"5.00\", but folding the contract's operations gives \"50.00\"",
    );
}

#[test]
fn an_outcome_written_into_the_history_is_refused_where_it_stands() {
    let l = settled();
    let f1 = "contracts/f1.toml";
    // The fee moved from the approval's effects to its operation.
    let text = l.read(f1);
    let text = text.replacen(
        "event = \"milestone_approved\"\nmilestone = 1\n",
        "event = \"milestone_approved\"\nmilestone = 1\nfee = \"50.00\"\n",
        1,
    );
    let effect_fee = text.rfind("fee = \"50.00\"\n").expect("the effect's fee");
    let text = format!("{}{}", &text[..effect_fee], &text[effect_fee + 14..]);
    l.write(f1, &text);
    let line = line_of(&l, f1, "fee = \"50.00\"");
    // (the payment's own fee comes first; the moved one is the second)
    let line = l
        .read(f1)
        .lines()
        .enumerate()
        .filter(|(_, x)| *x == "fee = \"50.00\"")
        .map(|(i, _)| i + 1)
        .find(|i| *i != line)
        .expect("the moved fee");
    refused(
        &l,
        f1,
        line,
        "`fee` is what `milestone_approved` came to, not what was asked",
    );
    // A timer's event put among the operations is refused the same way.
    let l = settled();
    let h1 = "contracts/h1.toml";
    let text = l.read(h1);
    let paid = text.find("event = \"week_paid\"").expect("a week paid");
    let header = text[..paid].rfind("[[effects]]").expect("its table");
    l.write(
        h1,
        &format!("{}[[history]]{}", &text[..header], &text[header + 11..]),
    );
    let line = l.read(h1)[..paid].lines().count() + 1;
    refused(
        &l,
        h1,
        line,
        "`week_paid` is what an operation or a timer came to, not an operation",
    );
}

#[test]
fn an_as_of_edited_by_hand_is_refused_at_its_line() {
    let l = settled();
    let f1 = "contracts/f1.toml";
    l.edit(
        f1,
        "as_of = 2026-11-05T09:00:00Z",
        "as_of = 2026-11-19T09:00:00Z",
    );
    let line = line_of(&l, f1, "as_of = 2026-11-19T09:00:00Z");
    refused(
        &l,
        f1,
        line,
        "`as_of` is 2026-11-19T09:00:00Z, but the latest operation or timer is at 2026-11-05T09:00:00Z",
    );
}
