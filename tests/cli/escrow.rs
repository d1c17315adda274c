//! Escrow through the binary: every pinned `milestone` and `refund` form of
//! SPEC §3, role and amount refusals, the refund object of the contract
//! JSON, each timer at its exact boundary, `sweep`, and the service fee.
//!
//! Contracts are created on Monday 2026-11-02 09:00 UTC (harness); the
//! clock is `NOW`, Wednesday 2026-11-18 10:00 UTC, unless a run names
//! another instant.

use crate::harness::{Expect, Ledger, NOW, Run, lines_in_order};
use serde_json::{Value, json};

/// `NOW` + 7 days: a refund requested at `NOW` is approved by the system.
const REFUND_DUE: &str = "2026-11-25T10:00:00Z";
const REFUND_DUE_1S: &str = "2026-11-25T09:59:59Z";
/// `NOW` + 14 days: a milestone submitted at `NOW` is released by the system.
const RELEASE_DUE: &str = "2026-12-02T10:00:00Z";
const RELEASE_DUE_1S: &str = "2026-12-02T09:59:59Z";
/// A Thursday and the Friday after it.
const THURSDAY: &str = "2026-11-19T15:00:00Z";
const FRIDAY: &str = "2026-11-20T15:00:00Z";
/// A dispute on Friday 20 Nov 15:00: 5 business days are Mon 23 to Fri 27.
const DISPUTE_DUE: &str = "2026-11-27T15:00:00Z";
const DISPUTE_DUE_1S: &str = "2026-11-27T14:59:59Z";

/// `args` with `--as freelancer` in front.
fn fl<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--as", "freelancer"];
    v.extend_from_slice(args);
    v
}

/// `show --json ID` at `at`.
fn show(l: &Ledger, at: &str, id: &str) -> Value {
    l.run_at(at, &["--json", "show", id]).ok().json()
}

/// `show --json --as freelancer ID` at `at` (fees are shown to the freelancer).
fn show_fl(l: &Ledger, at: &str, id: &str) -> Value {
    l.run_at(at, &["--json", "--as", "freelancer", "show", id])
        .ok()
        .json()
}

/// Runs `args` at `at`, expecting a refusal that writes nothing and says,
/// as JSON on stderr, which it is: `why` is the exit code, or for a refusal
/// of the rules (exit 4) its reason.
#[track_caller]
fn refused_at(l: &Ledger, at: &str, args: &[&str], why: impl Into<Expect>) -> Run {
    let why = why.into();
    let code = why.code();
    let before = l.snapshot();
    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(args);
    let r = l.run_at(at, &with_json).code(code);
    let err = r.json_err();
    assert_eq!(err["error"]["exit_code"], code, "{err}");
    let kind = match code {
        2 => "usage",
        3 => "not_found",
        4 => "refused",
        _ => "",
    };
    if !kind.is_empty() {
        assert_eq!(err["error"]["kind"], kind, "{args:?}: {err}");
    }
    if let Expect::Reason(reason) = why {
        assert_eq!(
            err["error"]["reason"].as_str(),
            Some(reason),
            "{args:?} refused for another reason: {err}"
        );
    }
    assert!(
        !err["error"]["message"].as_str().unwrap_or("").is_empty(),
        "{err}"
    );
    assert!(r.stdout.is_empty(), "nothing on stdout: {}", r.stdout);
    assert_eq!(l.snapshot(), before, "{args:?} wrote something");
    r
}

/// The same at `NOW`.
#[track_caller]
fn refused(l: &Ledger, args: &[&str], why: impl Into<Expect>) -> Run {
    refused_at(l, NOW, args, why)
}

/// The history events as stored in a contract file (not as `log` shows
/// them, which applies due timers in memory): (at, actor, event).
fn history(l: &Ledger, id: &str) -> Vec<(String, String, String)> {
    // Operations under [[history]], what they and the timers came to under
    // [[effects]] (an operation's outcome under its own id): each event
    // once, in time order (a stable sort keeps one instant's file order).
    let text = l.read(&format!("contracts/{id}.toml"));
    let mut out: Vec<(String, (String, String, String))> = Vec::new();
    let mut cur: Option<(String, (String, String, String))> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            out.extend(cur.take());
            if line == "[[history]]" || line == "[[effects]]" {
                cur = Some(Default::default());
            }
        } else if let Some((eid, c)) = cur.as_mut() {
            if let Some(v) = line.strip_prefix("id = ") {
                *eid = v.trim_matches('"').to_string();
            } else if let Some(v) = line.strip_prefix("at = ") {
                c.0 = v.to_string();
            } else if let Some(v) = line.strip_prefix("actor = ") {
                c.1 = v.trim_matches('"').to_string();
            } else if let Some(v) = line.strip_prefix("event = ") {
                c.2 = v.trim_matches('"').to_string();
            }
        }
    }
    out.extend(cur);
    let mut seen = std::collections::HashSet::new();
    let mut events: Vec<_> = out
        .into_iter()
        .filter(|(eid, _)| seen.insert(eid.clone()))
        .map(|(_, e)| e)
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events
}

fn events(r: &Value) -> Vec<Value> {
    r["events"].as_array().cloned().unwrap_or_default()
}

// ---------------------------------------------------------------- milestones

#[test]
fn milestone_add_fund_submit_request_changes_approve_list() {
    let l = Ledger::new();
    l.fixed("f1", "500");

    // add ID --title T --amount A
    let r = l
        .run(&[
            "--json",
            "milestone",
            "add",
            "f1",
            "--title",
            "Two",
            "--amount",
            "300",
        ])
        .ok()
        .json();
    let c = &r["contract"];
    assert_eq!(c["price"], "800.00");
    assert_eq!(c["milestones"][1]["title"], "Two");
    assert_eq!(c["milestones"][1]["amount"], "300.00");
    assert_eq!(c["milestones"][1]["status"], "pending");
    assert_eq!(c["escrow"], "500.00", "adding does not fund");
    assert_eq!(events(&r)[0]["event"], "milestone_added");
    assert_eq!(events(&r)[0]["actor"], "client");
    assert_eq!(events(&r)[0]["at"], NOW);

    // below the 5.00 minimum
    refused(
        &l,
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "Tiny",
            "--amount",
            "4.99",
        ],
        "milestone_too_small",
    );
    // one milestone funded at a time
    refused(&l, &["milestone", "fund", "f1", "2"], "still_funded");
    refused(&l, &["milestone", "fund", "f1"], "still_funded");

    // submit ID (the funded one), then submit again
    let r = l
        .run(&fl(&["--json", "milestone", "submit", "f1"]))
        .ok()
        .json();
    assert_eq!(r["contract"]["milestones"][0]["status"], "submitted");
    assert_eq!(r["contract"]["milestones"][0]["submitted_at"], NOW);
    assert_eq!(events(&r)[0]["actor"], "freelancer");
    refused(&l, &fl(&["milestone", "submit", "f1"]), "already_submitted");

    // request-changes ID N: back to funded, the clock stops
    let c = l
        .run(&["--json", "milestone", "request-changes", "f1", "1"])
        .ok()
        .json();
    assert_eq!(c["contract"]["milestones"][0]["status"], "funded");
    assert_eq!(c["contract"]["milestones"][0]["submitted_at"], Value::Null);
    refused(
        &l,
        &["milestone", "request-changes", "f1"],
        "milestone_state",
    );

    // submit ID N
    l.run(&fl(&["milestone", "submit", "f1", "1"])).ok();

    // approve ID N --amount A: the rest carries to the pending milestone 2
    let r = l
        .run(&[
            "--json",
            "milestone",
            "approve",
            "f1",
            "1",
            "--amount",
            "400",
        ])
        .ok()
        .json();
    let c = &r["contract"];
    assert_eq!(c["paid"], "400.00");
    assert_eq!(c["milestones"][0]["status"], "released");
    assert_eq!(c["milestones"][1]["funded"], "100.00");
    assert_eq!(c["milestones"][1]["status"], "pending");
    assert_eq!(events(&r)[0]["event"], "milestone_approved");
    assert_eq!(events(&r)[0]["amount"], "400.00");

    // fund ID: the next pending one, topped up to its amount
    let c = l.run(&["--json", "milestone", "fund", "f1"]).ok().json();
    let c = &c["contract"];
    assert_eq!(c["milestones"][1]["status"], "funded");
    assert_eq!(c["milestones"][1]["funded"], "300.00");
    assert_eq!(c["funded"], "700.00");
    assert_eq!(c["escrow"], "300.00");
    assert_eq!(c["paid"], "400.00");

    // list ID, as JSON and as a table
    let list = l.run(&["--json", "milestone", "list", "f1"]).ok().json();
    assert_eq!(list["contract"], "f1");
    let ms = list["milestones"].as_array().expect("milestones");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0]["status"], "released");
    assert_eq!(ms[0]["escrow"], "0.00");
    assert_eq!(ms[1]["number"], 2);
    assert_eq!(ms[1]["status"], "funded");
    assert_eq!(ms[1]["escrow"], "300.00");
    assert_eq!(ms[1]["auto_release_at"], Value::Null);
    let table = l.run(&["milestone", "list", "f1"]).ok();
    assert!(table.stdout.contains("Two"), "{}", table.stdout);
    assert!(table.stdout.contains("300.00"), "{}", table.stdout);
    assert!(table.stdout.contains("USD"), "{}", table.stdout);

    // add ... --fund is refused while milestone 2 is funded
    refused(
        &l,
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "Three",
            "--amount",
            "50",
            "--fund",
        ],
        "still_funded",
    );
    // approve ID: all of the funded one
    let c = l.run(&["--json", "milestone", "approve", "f1"]).ok().json();
    assert_eq!(c["contract"]["paid"], "700.00");
    assert_eq!(c["contract"]["escrow"], "0.00");
    // now add ... --fund funds at once
    let r = l
        .run(&[
            "--json",
            "milestone",
            "add",
            "f1",
            "--title",
            "Three",
            "--amount",
            "50",
            "--fund",
        ])
        .ok()
        .json();
    let c = &r["contract"];
    assert_eq!(c["milestones"][2]["status"], "funded");
    assert_eq!(c["escrow"], "50.00");
    assert_eq!(c["price"], "850.00");
    let names: Vec<_> = events(&r).iter().map(|e| e["event"].clone()).collect();
    assert_eq!(names, ["milestone_added", "milestone_funded"]);

    // submit ID N, approve ID N: closed, 750 paid
    l.run(&fl(&["milestone", "submit", "f1", "3"])).ok();
    let c = l
        .run(&["--json", "milestone", "approve", "f1", "3"])
        .ok()
        .json();
    assert_eq!(c["contract"]["paid"], "750.00");
    assert_eq!(c["contract"]["milestones"][2]["status"], "released");
    // nothing is funded any more
    refused(&l, &["milestone", "approve", "f1"], "no_funded_milestone");
    refused(
        &l,
        &fl(&["milestone", "submit", "f1"]),
        "no_funded_milestone",
    );
}

#[test]
fn milestone_numbers_and_contracts_that_do_not_exist() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    refused(&l, &["milestone", "approve", "f1", "9"], 3);
    refused(&l, &["milestone", "fund", "f1", "2"], 3);
    refused(&l, &fl(&["milestone", "submit", "f1", "0"]), 3);
    refused(&l, &["milestone", "request-changes", "f1", "2"], 3);
    refused(&l, &["milestone", "list", "nope"], 3);
    refused(&l, &["milestone", "approve", "nope"], 3);
    refused(&l, &["refund", "request", "nope"], 3);
    // hourly contracts have no milestones and no escrow refunds
    refused(
        &l,
        &["milestone", "add", "h1", "--title", "X", "--amount", "10"],
        "not_fixed",
    );
    refused(&l, &["milestone", "list", "h1"], "not_fixed");
    refused(&l, &["refund", "request", "h1"], "not_fixed");
    // a bad id is a usage error
    refused(&l, &["milestone", "list", "../x"], 2);
}

#[test]
fn milestone_commands_on_an_ended_contract_are_refused() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    refused(
        &l,
        &["milestone", "add", "f1", "--title", "X", "--amount", "10"],
        "ended",
    );
    refused(&l, &["milestone", "fund", "f1", "1"], "ended");
    refused(&l, &fl(&["milestone", "submit", "f1", "1"]), "ended");
    refused(&l, &["milestone", "approve", "f1", "1"], "ended");
    refused(&l, &["refund", "request", "f1"], "no_funded_milestone");
}

// --------------------------------------------------------------------- roles

#[test]
fn each_escrow_action_is_refused_to_the_other_role() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    // The client's actions, as the freelancer.
    for args in [
        &["milestone", "add", "f1", "--title", "X", "--amount", "10"][..],
        &["milestone", "fund", "f1"],
        &["milestone", "request-changes", "f1"],
        &["milestone", "approve", "f1"],
        &["milestone", "approve", "f1", "1", "--amount", "10"],
        &["refund", "request", "f1"],
        &["refund", "concede", "f1"],
        &["refund", "escalate", "f1"],
    ] {
        let r = refused(&l, &fl(args), "not_the_party");
        assert!(r.stderr.contains("client"), "{args:?}: {}", r.stderr);
    }
    // The freelancer's, as the client (the ledger's default role) and with
    // --as client.
    for args in [
        &["milestone", "submit", "f1"][..],
        &["refund", "approve", "f1"],
        &["refund", "dispute", "f1", "--note", "done"],
        &["refund", "give", "f1", "--amount", "1"],
    ] {
        let r = refused(&l, args, "not_the_party");
        assert!(r.stderr.contains("freelancer"), "{args:?}: {}", r.stderr);
        let mut explicit = vec!["--as", "client"];
        explicit.extend_from_slice(args);
        refused(&l, &explicit, "not_the_party");
    }
    // The role also comes from CONTRACTS_ROLE.
    let out = l
        .cmd(&["milestone", "submit", "f1"])
        .env("CONTRACTS_ROLE", "freelancer")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let c = show(&l, NOW, "f1");
    assert_eq!(c["milestones"][0]["status"], "submitted");
}

#[test]
fn each_refund_answer_is_refused_to_the_other_role_in_its_state() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();
    refused(&l, &["refund", "approve", "f1"], "not_the_party");
    refused(&l, &["refund", "dispute", "f1"], "not_the_party");
    l.run(&fl(&["refund", "dispute", "f1"])).ok();
    refused(&l, &fl(&["refund", "concede", "f1"]), "not_the_party");
    refused(&l, &fl(&["refund", "escalate", "f1"]), "not_the_party");
    l.run(&["refund", "escalate", "f1"]).ok();
    // mediation's outcome may be recorded by either party
    l.run(&fl(&[
        "refund",
        "resolve",
        "f1",
        "--client",
        "150",
        "--freelancer",
        "50",
    ]))
    .ok();
    let c = show(&l, NOW, "f1");
    assert_eq!(c["refunds"][0]["status"], "resolved");
    let h = history(&l, "f1");
    assert_eq!(
        h.last().map(|e| (e.1.as_str(), e.2.as_str())),
        Some(("freelancer", "dispute_resolved"))
    );
}

// ------------------------------------------------------------------- amounts

#[test]
fn malformed_money_is_a_usage_error_and_writes_nothing() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    for bad in ["abc", "1,000", "-5", "12.345", "1e3", "$10", "0x10", ""] {
        refused(
            &l,
            &["milestone", "add", "f1", "--title", "X", "--amount", bad],
            2,
        );
        refused(&l, &["milestone", "approve", "f1", "--amount", bad], 2);
        refused(&l, &["refund", "request", "f1", "--amount", bad], 2);
        refused(&l, &fl(&["refund", "give", "f1", "--amount", bad]), 2);
        refused(
            &l,
            &[
                "refund",
                "resolve",
                "f1",
                "--client",
                bad,
                "--freelancer",
                "1",
            ],
            2,
        );
        refused(
            &l,
            &[
                "refund",
                "resolve",
                "f1",
                "--client",
                "1",
                "--freelancer",
                bad,
            ],
            2,
        );
    }
    // a missing required amount is a usage error too
    refused(&l, &["milestone", "add", "f1", "--title", "X"], 2);
    refused(&l, &fl(&["refund", "give", "f1"]), 2);
    refused(&l, &["refund", "resolve", "f1", "--client", "1"], 2);
}

#[test]
fn amounts_over_the_escrow_are_refused() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let r = refused(
        &l,
        &["milestone", "approve", "f1", "--amount", "500.01"],
        "release_above_free",
    );
    assert!(
        r.stderr.contains("500.00"),
        "names what is free: {}",
        r.stderr
    );
    refused(
        &l,
        &["milestone", "approve", "f1", "--amount", "0"],
        "nothing_to_release",
    );
    refused(
        &l,
        &["refund", "request", "f1", "--amount", "500.01"],
        "refund_amount",
    );
    refused(
        &l,
        &["refund", "request", "f1", "--amount", "0.00"],
        "refund_amount",
    );
    // the exact escrow is fine
    l.run(&["--dry-run", "milestone", "approve", "f1", "--amount", "500"])
        .ok();
    l.run(&["--dry-run", "refund", "request", "f1", "--amount", "500.00"])
        .ok();
    // with 200 held by a request, the milestone waits for its outcome
    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();
    let r = refused(
        &l,
        &["milestone", "approve", "f1", "--amount", "300"],
        "held_by_refund",
    );
    assert!(
        r.stderr.contains("open refund request of 200.00"),
        "{}",
        r.stderr
    );
    refused(
        &l,
        &["refund", "request", "f1", "--amount", "1"],
        "refund_open",
    ); // one open at a time
    l.run(&fl(&["refund", "approve", "f1"])).ok();
    refused(
        &l,
        &["milestone", "approve", "f1", "--amount", "300.01"],
        "release_above_free",
    );
    let c = l
        .run(&["--json", "milestone", "approve", "f1", "--amount", "300"])
        .ok()
        .json();
    assert_eq!(c["contract"]["escrow"], "0.00");
    assert_eq!(c["contract"]["refunded"], "200.00");
    // nothing was released to give back beyond the net
    refused(
        &l,
        &fl(&["refund", "give", "f1", "--amount", "270.01"]),
        "give_amount",
    );
    refused(
        &l,
        &fl(&["refund", "give", "f1", "--amount", "0"]),
        "give_amount",
    );
}

#[test]
fn resolve_parts_must_add_up_to_the_disputed_amount() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "50"]).ok();
    l.run(&fl(&["refund", "dispute", "f1"])).ok();
    // not yet escalated
    refused(
        &l,
        &[
            "refund",
            "resolve",
            "f1",
            "--client",
            "20",
            "--freelancer",
            "30",
        ],
        "no_open_refund",
    );
    l.run(&["refund", "escalate", "f1"]).ok();
    for (cp, fp) in [("20", "29.99"), ("20", "30.01"), ("50", "50"), ("0", "0")] {
        refused(
            &l,
            &[
                "refund",
                "resolve",
                "f1",
                "--client",
                cp,
                "--freelancer",
                fp,
            ],
            "parts_not_disputed",
        );
    }
    let r = l
        .run(&[
            "--json",
            "refund",
            "resolve",
            "f1",
            "--client",
            "20",
            "--freelancer",
            "30",
        ])
        .ok()
        .json();
    let c = &r["contract"];
    assert_eq!(c["refunds"][0]["status"], "resolved");
    assert_eq!(c["refunds"][0]["client_part"], "20.00");
    assert_eq!(c["refunds"][0]["freelancer_part"], "30.00");
    assert_eq!(c["refunded"], "20.00");
    assert_eq!(c["paid"], "30.00");
    assert_eq!(c["escrow"], "450.00");
    assert_eq!(c["held"], "0.00");
    assert_eq!(events(&r)[0]["event"], "dispute_resolved");
    // and only once
    refused(
        &l,
        &[
            "refund",
            "resolve",
            "f1",
            "--client",
            "20",
            "--freelancer",
            "30",
        ],
        "no_open_refund",
    );
}

// ------------------------------------------------------------------- refunds

#[test]
fn refund_objects_carry_status_amount_requested_at_and_deadline() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let r = l
        .run(&["--json", "refund", "request", "f1", "--amount", "200"])
        .ok()
        .json();
    assert_eq!(events(&r)[0]["event"], "refund_requested");
    assert_eq!(events(&r)[0]["amount"], "200.00");
    for c in [&r["contract"], &show(&l, NOW, "f1")] {
        let refunds = c["refunds"].as_array().expect("refunds");
        assert_eq!(refunds.len(), 1, "{c}");
        let f = &refunds[0];
        assert_eq!(f["status"], "requested");
        assert_eq!(f["amount"], "200.00");
        assert_eq!(f["requested_at"], NOW);
        assert_eq!(f["deadline"], REFUND_DUE);
        assert_eq!(c["held"], "200.00");
        assert_eq!(c["escrow"], "500.00");
    }
    // `list --json` carries the same object
    let list = l.run(&["--json", "list"]).ok().json();
    let f1 = list
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["id"] == "f1")
        .expect("f1");
    assert_eq!(f1["refunds"][0]["status"], "requested");
    assert_eq!(f1["refunds"][0]["deadline"], REFUND_DUE);
    // the file stores them as native TOML date-times
    let text = l.read("contracts/f1.toml");
    assert!(
        lines_in_order(
            &text,
            &format!(
                "[[refunds]]\namount = \"200.00\"\nstatus = \"requested\"\nrequested_at = {NOW}\ndeadline = {REFUND_DUE}"
            )
        ),
        "{text}"
    );
}

#[test]
fn refund_request_then_approve_returns_the_money() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    // request ID (all of the free escrow)
    l.run(&["refund", "request", "f1"]).ok();
    let r = l
        .run(&fl(&["--json", "refund", "approve", "f1"]))
        .ok()
        .json();
    let c = &r["contract"];
    assert_eq!(c["refunds"][0]["status"], "refunded");
    assert_eq!(c["refunds"][0]["amount"], "500.00");
    assert_eq!(c["refunded"], "500.00");
    assert_eq!(c["escrow"], "0.00");
    assert_eq!(c["milestones"][0]["status"], "refunded");
    assert_eq!(events(&r)[0]["event"], "refund_approved");
    assert_eq!(events(&r)[0]["actor"], "freelancer");
    // nothing is open any more
    refused(&l, &fl(&["refund", "approve", "f1"]), "no_open_refund");
    refused(&l, &fl(&["refund", "dispute", "f1"]), "no_open_refund");
    refused(&l, &["refund", "request", "f1"], "no_funded_milestone");
}

#[test]
fn refund_dispute_with_a_note_then_concede_releases_the_money() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();
    // concede and escalate need a dispute
    refused(&l, &["refund", "concede", "f1"], "no_open_refund");
    refused(&l, &["refund", "escalate", "f1"], "no_open_refund");
    let r = l
        .run(&fl(&[
            "--json",
            "refund",
            "dispute",
            "f1",
            "--note",
            "work delivered",
        ]))
        .ok()
        .json();
    let f = &r["contract"]["refunds"][0];
    assert_eq!(f["status"], "disputed");
    assert_eq!(f["note"], "work delivered");
    assert_eq!(f["disputed_at"], NOW);
    // Wednesday 18 Nov + 5 business days = Wednesday 25 Nov
    assert_eq!(f["dispute_deadline"], "2026-11-25T10:00:00Z");
    refused(&l, &fl(&["refund", "dispute", "f1"]), "no_open_refund");
    let r = l.run(&["--json", "refund", "concede", "f1"]).ok().json();
    let c = &r["contract"];
    assert_eq!(c["refunds"][0]["status"], "released");
    assert_eq!(c["paid"], "200.00");
    assert_eq!(c["refunded"], "0.00");
    assert_eq!(c["escrow"], "300.00");
    assert_eq!(c["held"], "0.00");
    assert_eq!(events(&r)[0]["event"], "dispute_conceded");
    refused(&l, &["refund", "concede", "f1"], "no_open_refund");
}

#[test]
fn refund_escalate_goes_to_mediation_with_no_timer() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "100"]).ok();
    l.run(&fl(&["refund", "dispute", "f1"])).ok();
    let r = l.run(&["--json", "refund", "escalate", "f1"]).ok().json();
    assert_eq!(r["contract"]["refunds"][0]["status"], "escalated");
    assert_eq!(events(&r)[0]["event"], "dispute_escalated");
    refused(&l, &["refund", "escalate", "f1"], "no_open_refund");
    refused(&l, &["refund", "concede", "f1"], "no_open_refund");
    // a year later nothing has moved: mediation has no deadline
    let c = show(&l, "2027-11-18T10:00:00Z", "f1");
    assert_eq!(c["refunds"][0]["status"], "escalated");
    assert_eq!(c["held"], "100.00");
    let r = l
        .run_at("2027-11-18T10:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    assert_eq!(events(&r).len(), 0, "{r}");
    // `refund list` shows it without a deadline
    let list = l.run(&["--json", "refund", "list"]).ok().json();
    assert_eq!(list[0]["status"], "escalated");
    assert_eq!(list[0]["deadline"], Value::Null);
}

#[test]
fn refund_list_and_list_due() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "800");
    let empty = l.run(&["refund", "list"]).ok();
    assert!(empty.stdout.contains("no open refunds"), "{}", empty.stdout);
    assert_eq!(
        l.run(&["--json", "refund", "list"]).ok().json(),
        Value::Array(vec![])
    );

    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();
    let list = l.run(&["--json", "refund", "list"]).ok().json();
    let rows = list.as_array().expect("array");
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["contract"], "f1");
    assert_eq!(rows[0]["amount"], "200.00");
    assert_eq!(rows[0]["status"], "requested");
    assert_eq!(rows[0]["requested_at"], NOW);
    assert_eq!(rows[0]["deadline"], REFUND_DUE);
    let table = l.run(&["refund", "list"]).ok();
    assert!(table.stdout.contains("f1"), "{}", table.stdout);
    assert!(table.stdout.contains("200.00"), "{}", table.stdout);

    // --due: nothing until the deadline, then what sweep would settle
    for at in [NOW, REFUND_DUE_1S] {
        let due = l
            .run_at(at, &["--json", "refund", "list", "--due"])
            .ok()
            .json();
        assert_eq!(due, Value::Array(vec![]), "at {at}");
    }
    let none = l.run_at(REFUND_DUE_1S, &["refund", "list", "--due"]).ok();
    assert!(
        none.stdout.contains("no refund deadline has passed"),
        "{}",
        none.stdout
    );
    let due = l
        .run_at(REFUND_DUE, &["--json", "refund", "list", "--due"])
        .ok()
        .json();
    assert_eq!(due.as_array().map(Vec::len), Some(1), "{due}");
    assert_eq!(due[0]["contract"], "f1");
    assert_eq!(due[0]["deadline"], REFUND_DUE);
    // after sweep, nothing is open or due
    l.run_at(REFUND_DUE, &["sweep"]).ok();
    for args in [
        &["--json", "refund", "list"][..],
        &["--json", "refund", "list", "--due"],
    ] {
        let v = l.run_at(REFUND_DUE, args).ok().json();
        assert_eq!(v, Value::Array(vec![]), "{args:?}");
    }
}

// -------------------------------------------------------------------- timers

#[test]
fn refund_is_approved_by_the_system_exactly_7_days_after_the_request() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();

    let c = show(&l, REFUND_DUE_1S, "f1");
    assert_eq!(c["refunds"][0]["status"], "requested");
    assert_eq!(c["refunded"], "0.00");
    assert_eq!(c["held"], "200.00");
    let c = show(&l, REFUND_DUE, "f1");
    assert_eq!(c["refunds"][0]["status"], "refunded");
    assert_eq!(c["refunded"], "200.00");
    assert_eq!(c["held"], "0.00");
    assert_eq!(c["escrow"], "300.00");

    // the freelancer may answer until the last second, not at the deadline
    l.run_at(
        REFUND_DUE_1S,
        &fl(&["--dry-run", "refund", "dispute", "f1"]),
    )
    .ok();
    l.run_at(
        REFUND_DUE_1S,
        &fl(&["--dry-run", "refund", "approve", "f1"]),
    )
    .ok();
    refused_at(
        &l,
        REFUND_DUE,
        &fl(&["refund", "dispute", "f1"]),
        "no_open_refund",
    );
    refused_at(
        &l,
        REFUND_DUE,
        &fl(&["refund", "approve", "f1"]),
        "no_open_refund",
    );
}

#[test]
fn a_dispute_on_a_friday_defaults_to_the_freelancer_after_5_business_days() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run_at(THURSDAY, &["refund", "request", "f1", "--amount", "200"])
        .ok();
    let r = l
        .run_at(FRIDAY, &fl(&["--json", "refund", "dispute", "f1"]))
        .ok()
        .json();
    assert_eq!(r["contract"]["refunds"][0]["dispute_deadline"], DISPUTE_DUE);

    // not on the Wednesday a calendar count of 5 days would give, nor the
    // Thursday the 7-day refund deadline would give
    for at in [
        "2026-11-25T15:00:00Z",
        "2026-11-26T15:00:00Z",
        DISPUTE_DUE_1S,
    ] {
        let c = show(&l, at, "f1");
        assert_eq!(c["refunds"][0]["status"], "disputed", "at {at}");
        assert_eq!(c["paid"], "0.00", "at {at}");
    }
    let c = show(&l, DISPUTE_DUE, "f1");
    assert_eq!(c["refunds"][0]["status"], "released");
    assert_eq!(c["paid"], "200.00");
    assert_eq!(c["escrow"], "300.00");
    assert_eq!(c["held"], "0.00");

    // the client may answer until the last second
    l.run_at(DISPUTE_DUE_1S, &["--dry-run", "refund", "concede", "f1"])
        .ok();
    l.run_at(DISPUTE_DUE_1S, &["--dry-run", "refund", "escalate", "f1"])
        .ok();
    refused_at(
        &l,
        DISPUTE_DUE,
        &["refund", "concede", "f1"],
        "no_open_refund",
    );
    refused_at(
        &l,
        DISPUTE_DUE,
        &["refund", "escalate", "f1"],
        "no_open_refund",
    );

    // persisted by sweep, at the due instant, by the system
    let r = l
        .run_at("2026-11-30T08:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    let evs = events(&r);
    assert_eq!(evs.len(), 1, "{r}");
    assert_eq!(evs[0]["event"], "dispute_defaulted");
    assert_eq!(evs[0]["actor"], "system");
    assert_eq!(evs[0]["at"], DISPUTE_DUE);
    assert_eq!(evs[0]["amount"], "200.00");
}

#[test]
fn a_dispute_deadline_skips_the_weekend_from_any_weekday() {
    // (dispute at, deadline): 120 hours of weekday time. Mon-Fri: the same
    // weekday a week later; from a Saturday or Sunday, the next Sat 00:00.
    let cases = [
        ("2026-11-16T12:00:00Z", "2026-11-23T12:00:00Z"), // Monday
        ("2026-11-18T12:00:00Z", "2026-11-25T12:00:00Z"), // Wednesday
        ("2026-11-20T23:59:59Z", "2026-11-27T23:59:59Z"), // Friday, last second
        ("2026-11-21T00:00:00Z", "2026-11-28T00:00:00Z"), // Saturday, first second
        ("2026-11-21T12:00:00Z", "2026-11-28T00:00:00Z"), // Saturday
        ("2026-11-22T23:59:59Z", "2026-11-28T00:00:00Z"), // Sunday, last second
    ];
    for (at, due) in cases {
        let l = Ledger::new();
        l.fixed("f1", "500");
        l.run_at(at, &["refund", "request", "f1", "--amount", "10"])
            .ok();
        let r = l
            .run_at(at, &fl(&["--json", "refund", "dispute", "f1"]))
            .ok()
            .json();
        assert_eq!(
            r["contract"]["refunds"][0]["dispute_deadline"], due,
            "dispute at {at}"
        );
    }
}

#[test]
fn a_submitted_milestone_is_released_by_the_system_exactly_14_days_later() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&fl(&["milestone", "submit", "f1"])).ok();
    let list = l.run(&["--json", "milestone", "list", "f1"]).ok().json();
    assert_eq!(list["milestones"][0]["auto_release_at"], RELEASE_DUE);

    let c = show(&l, RELEASE_DUE_1S, "f1");
    assert_eq!(c["milestones"][0]["status"], "submitted");
    assert_eq!(c["paid"], "0.00");
    let c = show(&l, RELEASE_DUE, "f1");
    assert_eq!(c["milestones"][0]["status"], "released");
    assert_eq!(c["paid"], "500.00");
    assert_eq!(c["escrow"], "0.00");

    // the client may act until the last second
    l.run_at(
        RELEASE_DUE_1S,
        &["--dry-run", "milestone", "request-changes", "f1"],
    )
    .ok();
    refused_at(
        &l,
        RELEASE_DUE,
        &["milestone", "request-changes", "f1"],
        "no_funded_milestone",
    );
    refused_at(
        &l,
        RELEASE_DUE,
        &["milestone", "approve", "f1", "1"],
        "milestone_state",
    );

    let r = l.run_at(RELEASE_DUE, &["--json", "sweep"]).ok().json();
    let evs = events(&r);
    assert_eq!(evs.len(), 1, "{r}");
    assert_eq!(evs[0]["event"], "milestone_auto_released");
    assert_eq!(evs[0]["actor"], "system");
    assert_eq!(evs[0]["at"], RELEASE_DUE);
    assert_eq!(evs[0]["amount"], "500.00");
}

#[test]
fn request_changes_stops_the_14_day_clock_and_resubmission_restarts_it() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&fl(&["milestone", "submit", "f1"])).ok();
    l.run_at(
        "2026-11-19T10:00:00Z",
        &["milestone", "request-changes", "f1"],
    )
    .ok();
    // stopped: nothing is released at (or long after) the old deadline
    for at in [RELEASE_DUE, "2027-03-01T00:00:00Z"] {
        let c = show(&l, at, "f1");
        assert_eq!(c["milestones"][0]["status"], "funded", "at {at}");
        assert_eq!(c["paid"], "0.00", "at {at}");
        assert_eq!(c["timers"], Value::Array(vec![]), "at {at}");
    }
    // resubmitted on 20 Nov 08:00: due 4 Dec 08:00
    l.run_at("2026-11-20T08:00:00Z", &fl(&["milestone", "submit", "f1"]))
        .ok();
    let c = show(&l, "2026-12-04T07:59:59Z", "f1");
    assert_eq!(c["milestones"][0]["status"], "submitted");
    assert_eq!(c["milestones"][0]["submitted_at"], "2026-11-20T08:00:00Z");
    assert_eq!(c["timers"][0]["at"], "2026-12-04T08:00:00Z");
    let c = show(&l, "2026-12-04T08:00:00Z", "f1");
    assert_eq!(c["milestones"][0]["status"], "released");
    assert_eq!(c["paid"], "500.00");
}

// --------------------------------------------------------------------- sweep

/// Three contracts with one timer each, due at different instants:
/// f1 a refund request (25 Nov 10:00), f2 a dispute (27 Nov 15:00),
/// f3 a submitted milestone (2 Dec 10:00); f4 has none.
fn three_timers() -> Ledger {
    let l = Ledger::new();
    for id in ["f1", "f2", "f3", "f4"] {
        l.fixed(id, "500");
    }
    l.run(&["refund", "request", "f1", "--amount", "200"]).ok();
    l.run_at(THURSDAY, &["refund", "request", "f2", "--amount", "100"])
        .ok();
    l.run_at(FRIDAY, &fl(&["refund", "dispute", "f2"])).ok();
    l.run(&fl(&["milestone", "submit", "f3"])).ok();
    l
}

#[test]
fn sweep_with_nothing_due_exits_0_and_writes_nothing() {
    let l = three_timers();
    let before = l.snapshot();
    let r = l.run_at(REFUND_DUE_1S, &["sweep"]).ok();
    assert!(r.stderr.contains("nothing due"), "{}", r.stderr);
    let r = l.run_at(REFUND_DUE_1S, &["--json", "sweep"]).ok().json();
    assert_eq!(r["events"], Value::Array(vec![]));
    assert_eq!(r["contracts"], Value::Array(vec![]));
    assert_eq!(r["files_written"], 0);
    assert_eq!(l.snapshot(), before);
    // an empty ledger too
    let e = Ledger::new();
    e.run(&["sweep"]).ok();
}

#[test]
fn sweep_writes_each_due_timer_once_at_its_due_instant_by_the_system() {
    let l = three_timers();
    let late = "2026-12-10T00:00:00Z";
    let f4 = l.read("contracts/f4.toml");
    let r = l.run_at(late, &["--json", "sweep"]).ok().json();
    assert_eq!(r["now"], late);
    assert_eq!(r["files_written"], 3, "{r}");
    assert_eq!(r["dry_run"], false);
    let mut evs: Vec<(String, String, String, String, String)> = events(&r)
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("contract"), s("at"), s("actor"), s("event"), s("amount"))
        })
        .collect();
    evs.sort();
    let want = |c: &str, at: &str, ev: &str, amount: &str| {
        (
            c.to_string(),
            at.to_string(),
            "system".to_string(),
            ev.to_string(),
            amount.to_string(),
        )
    };
    assert_eq!(
        evs,
        vec![
            want("f1", REFUND_DUE, "refund_auto_approved", "200.00"),
            want("f2", DISPUTE_DUE, "dispute_defaulted", "100.00"),
            want("f3", RELEASE_DUE, "milestone_auto_released", "500.00"),
        ]
    );
    let ids: Vec<_> = r["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(!ids.contains(&Value::from("f4")));

    // in the files: one system event each, at the due instant, not at `late`
    for (id, due, ev) in [
        ("f1", REFUND_DUE, "refund_auto_approved"),
        ("f2", DISPUTE_DUE, "dispute_defaulted"),
        ("f3", RELEASE_DUE, "milestone_auto_released"),
    ] {
        let h = history(&l, id);
        let system: Vec<_> = h.iter().filter(|e| e.1 == "system").collect();
        assert_eq!(system.len(), 1, "{id}: {h:?}");
        assert_eq!(system[0].0, due, "{id}");
        assert_eq!(system[0].2, ev, "{id}");
        assert!(!l.read(&format!("contracts/{id}.toml")).contains(late));
    }
    assert_eq!(l.read("contracts/f4.toml"), f4, "f4 had nothing due");
    // the states as stored
    let c = show(&l, late, "f1");
    assert_eq!(c["refunds"][0]["status"], "refunded");
    let c = show(&l, late, "f2");
    assert_eq!(c["refunds"][0]["status"], "released");
    let c = show(&l, late, "f3");
    assert_eq!(c["milestones"][0]["status"], "released");
    assert!(
        l.read("contracts/f1.toml")
            .contains("status = \"refunded\"")
    );
    assert!(
        l.read("contracts/f3.toml")
            .contains("status = \"released\"")
    );
}

#[test]
fn sweep_twice_at_the_same_now_leaves_every_file_byte_identical() {
    let l = three_timers();
    let late = "2026-12-10T00:00:00Z";
    l.run_at(late, &["sweep"]).ok();
    let once = l.snapshot();
    let r = l.run_at(late, &["--json", "sweep"]).ok().json();
    assert_eq!(r["events"], Value::Array(vec![]));
    assert_eq!(r["files_written"], 0);
    l.run_at(late, &["sweep"]).ok();
    assert_eq!(l.snapshot(), once);
    // and a sweep in between the deadlines, then another later, records
    // each timer once
    let m = three_timers();
    m.run_at(DISPUTE_DUE, &["sweep"]).ok();
    let mid = m.snapshot();
    m.run_at(DISPUTE_DUE, &["sweep"]).ok();
    assert_eq!(m.snapshot(), mid);
    let r = m.run_at(late, &["--json", "sweep"]).ok().json();
    let evs = events(&r);
    assert_eq!(evs.len(), 1, "only f3 was left: {r}");
    assert_eq!(evs[0]["contract"], "f3");
    // The same files whatever the sweeps, but for the ids of the commands'
    // operations (random); a timer's event has the same id in both.
    assert_eq!(l.snapshot_and_op_ids().0, m.snapshot_and_op_ids().0);
    let timer_ids = |x: &Ledger| -> Vec<String> {
        let log = x.run_at(late, &["--json", "log"]).ok().json();
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["actor"] == "system")
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let ids = timer_ids(&l);
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(ids, timer_ids(&m));
}

#[test]
fn sweep_dry_run_lists_the_events_and_writes_nothing() {
    let l = three_timers();
    let before = l.snapshot();
    let r = l
        .run_at("2026-12-10T00:00:00Z", &["--json", "--dry-run", "sweep"])
        .ok()
        .json();
    assert_eq!(events(&r).len(), 3, "{r}");
    assert_eq!(r["dry_run"], true);
    assert_eq!(l.snapshot(), before);
    // the table lists them too
    let t = l
        .run_at("2026-12-10T00:00:00Z", &["--dry-run", "sweep"])
        .ok();
    for needle in [
        "refund_auto_approved",
        "dispute_defaulted",
        "milestone_auto_released",
    ] {
        assert!(t.stdout.contains(needle), "{needle}: {}", t.stdout);
    }
    assert_eq!(l.snapshot(), before);
}

#[test]
fn sweep_exits_6_while_the_lock_is_held() {
    let l = three_timers();
    let before = l.snapshot();
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(l.file(".contracts.lock"))
        .expect("lock file");
    lock.lock().expect("lock");
    let r = l
        .run_at("2026-12-10T00:00:00Z", &["--lock-timeout", "0.2", "sweep"])
        .code(6);
    assert!(r.stderr.contains(".contracts.lock"), "{}", r.stderr);
    let r = l
        .run_at(
            "2026-12-10T00:00:00Z",
            &["--json", "--lock-timeout", "0.2", "sweep"],
        )
        .code(6);
    assert_eq!(r.json_err()["error"]["exit_code"], 6);
    // escrow writers wait for it too
    l.run_at(
        "2026-12-10T00:00:00Z",
        &["--lock-timeout", "0.2", "refund", "request", "f4"],
    )
    .code(6);
    assert_eq!(l.snapshot(), before, "nothing written without the lock");
    lock.unlock().expect("unlock");
    drop(lock);
    l.run_at("2026-12-10T00:00:00Z", &["--lock-timeout", "0.2", "sweep"])
        .ok();
    assert_ne!(l.snapshot(), before);
}

#[test]
fn a_writer_persists_the_due_timers_with_its_own_change() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&[
        "milestone",
        "add",
        "f1",
        "--title",
        "Two",
        "--amount",
        "100",
    ])
    .ok();
    l.run(&fl(&["milestone", "submit", "f1"])).ok();
    // on 3 Dec the milestone was released on 2 Dec: funding the next one
    // persists both, the timer first, at its due instant
    let r = l
        .run_at(
            "2026-12-03T09:00:00Z",
            &["--json", "milestone", "fund", "f1"],
        )
        .ok()
        .json();
    let evs: Vec<_> = events(&r)
        .iter()
        .map(|e| (e["event"].clone(), e["actor"].clone(), e["at"].clone()))
        .collect();
    assert_eq!(
        evs,
        vec![
            (
                "milestone_auto_released".into(),
                "system".into(),
                RELEASE_DUE.into()
            ),
            (
                "milestone_funded".into(),
                "client".into(),
                "2026-12-03T09:00:00Z".into()
            ),
        ]
    );
    let h = history(&l, "f1");
    assert!(
        h.iter().any(|e| e.1 == "system" && e.0 == RELEASE_DUE),
        "{h:?}"
    );
    let r = l
        .run_at("2026-12-03T09:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    assert_eq!(events(&r).len(), 0, "already persisted: {r}");
}

// ---------------------------------------------------------------------- fees

#[test]
fn the_freelancer_sees_gross_fee_and_net_of_a_release() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["milestone", "approve", "f1", "--amount", "300"])
        .ok();
    let c = show_fl(&l, NOW, "f1");
    assert_eq!(c["paid"], "300.00");
    assert_eq!(c["fee"], "30.00");
    assert_eq!(c["net"], "270.00");
    assert_eq!(c["payments"][0]["amount"], "300.00");
    assert_eq!(c["payments"][0]["fee"], "30.00");
    assert_eq!(c["payments"][0]["net"], "270.00");
    // the client sees what was paid, not the freelancer's fee
    let c = show(&l, NOW, "f1");
    assert_eq!(c["paid"], "300.00");
    assert_eq!(c.get("fee"), None, "{c}");
    assert_eq!(c.get("net"), None, "{c}");
    assert_eq!(c["payments"][0].get("fee"), None);
}

#[test]
fn refund_give_returns_the_fee_on_the_given_amount() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["milestone", "approve", "f1", "--amount", "300"])
        .ok();
    let r = l
        .run(&fl(&["--json", "refund", "give", "f1", "--amount", "100"]))
        .ok()
        .json();
    assert_eq!(events(&r)[0]["event"], "refund_given");
    assert_eq!(events(&r)[0]["actor"], "freelancer");
    assert_eq!(events(&r)[0]["amount"], "100.00");
    let c = &r["contract"];
    assert_eq!(c["paid"], "200.00");
    assert_eq!(c["fee"], "20.00", "the fee of 10.00 on 100.00 is returned");
    assert_eq!(c["net"], "180.00");
    assert_eq!(c["refunded"], "100.00");
    assert_eq!(c["escrow"], "200.00", "escrow is not touched");
    let g = &c["refunds"][0];
    assert_eq!(g["origin"], "given");
    assert_eq!(g["status"], "refunded");
    assert_eq!(g["amount"], "100.00");
    assert_eq!(g["requested_at"], NOW);
    // at most the net paid in the last 180 days, less what was given
    refused(
        &l,
        &fl(&["refund", "give", "f1", "--amount", "170.01"]),
        "give_amount",
    );
    l.run(&fl(&[
        "--dry-run",
        "refund",
        "give",
        "f1",
        "--amount",
        "170",
    ]))
    .ok();
    // 180 days after the payment, nothing can be given any more
    refused_at(
        &l,
        "2027-05-17T10:00:00Z",
        &fl(&["refund", "give", "f1", "--amount", "1"]),
        "give_amount",
    );
    l.run_at(
        "2027-05-17T09:59:59Z",
        &fl(&["--dry-run", "refund", "give", "f1", "--amount", "1"]),
    )
    .ok();
}

#[test]
fn refund_give_on_an_hourly_contract_draws_on_its_settled_weeks() {
    let l = Ledger::new();
    l.hourly("h1");
    // 4 h at 50.00 in 2026-W45 (settles Sat 14 Nov 00:00 UTC)
    l.run_at(
        "2026-11-03T14:00:00Z",
        &fl(&[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-03T09:00:00Z",
            "--to",
            "2026-11-03T13:00:00Z",
            "--memo",
            "work",
        ]),
    )
    .ok();
    // Invoiced, not yet paid: nothing to give back.
    refused_at(
        &l,
        "2026-11-13T23:59:00Z",
        &fl(&["refund", "give", "h1", "--amount", "1"]),
        "give_amount",
    );
    // Settled: 200.00 paid, fee 20.00, net 180.00.
    let c = show_fl(&l, NOW, "h1");
    assert_eq!(
        (&c["paid"], &c["fee"], &c["net"]),
        (&json!("200.00"), &json!("20.00"), &json!("180.00"))
    );
    let r = refused(
        &l,
        &fl(&["refund", "give", "h1", "--amount", "180.01"]),
        "give_amount",
    );
    assert!(r.stderr.contains("at most 180.00"), "{}", r.stderr);
    let r = l
        .run(&fl(&["--json", "refund", "give", "h1", "--amount", "100"]))
        .ok()
        .json();
    // The settled week's pay is recorded first (by the system, at the
    // settlement), then the command's own event.
    let evs = events(&r);
    assert_eq!(
        (&evs[0]["event"], &evs[0]["actor"], &evs[0]["at"]),
        (
            &json!("week_paid"),
            &json!("system"),
            &json!("2026-11-14T00:00:00Z")
        )
    );
    assert_eq!(evs[1]["event"], "refund_given");
    let g = &r["contract"]["refunds"][0];
    assert_eq!(
        (&g["origin"], &g["amount"]),
        (&json!("given"), &json!("100.00"))
    );
    // The fee on it is returned: paid 100.00, fee 10.00, net 90.00.
    let c = show_fl(&l, NOW, "h1");
    assert_eq!(
        (&c["paid"], &c["fee"], &c["net"], &c["refunded"]),
        (
            &json!("100.00"),
            &json!("10.00"),
            &json!("90.00"),
            &json!("100.00")
        )
    );
    let t = l.run(&["--as", "freelancer", "show", "h1"]).ok().stdout;
    assert!(t.contains("10.00 / 90.00"), "{t}");
    refused(
        &l,
        &fl(&["refund", "give", "h1", "--amount", "80.01"]),
        "give_amount",
    );
    // 180 days after the week settled, nothing is left to give.
    refused_at(
        &l,
        "2027-05-13T00:00:00Z",
        &fl(&["refund", "give", "h1", "--amount", "1"]),
        "give_amount",
    );
}

#[test]
fn a_fee_percent_other_than_10_applies_to_releases_and_gives() {
    let l = Ledger::empty();
    l.run(&["init", "--fee-percent", "20"]).ok();
    l.fixed("f1", "500");
    l.run(&["milestone", "approve", "f1", "--amount", "300"])
        .ok();
    let c = show_fl(&l, NOW, "f1");
    assert_eq!(
        (c["fee"].clone(), c["net"].clone()),
        ("60.00".into(), "240.00".into())
    );
    l.run(&fl(&["refund", "give", "f1", "--amount", "50"])).ok();
    let c = show_fl(&l, NOW, "f1");
    assert_eq!(c["paid"], "250.00");
    assert_eq!(c["fee"], "50.00");
    assert_eq!(c["net"], "200.00");
}

// ---------------------------------------------------------------------- bugs

/// Found by the core property test: two small gives after a release of 0.11
/// (fee 0.01) return 0.01 of fee each.
#[test]
fn given_refunds_never_return_more_fee_than_was_charged() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["milestone", "approve", "f1", "--amount", "0.11"])
        .ok();
    assert_eq!(show_fl(&l, NOW, "f1")["fee"], "0.01");
    l.run(&fl(&["refund", "give", "f1", "--amount", "0.05"]))
        .ok();
    l.run(&fl(&["refund", "give", "f1", "--amount", "0.05"]))
        .ok();
    let c = show_fl(&l, NOW, "f1");
    assert_eq!(c["paid"], "0.01");
    let fee = c["fee"].as_str().unwrap_or_default();
    assert!(!fee.starts_with('-'), "negative fee {fee}: {c}");
    l.run(&["check"]).ok();
}

/// Found by the core property test: money carried to a pending milestone is
/// not a funded milestone's escrow, so it cannot be refunded by request (it
/// is refunded at the end if never used); funding that milestone counts it.
#[test]
fn carried_escrow_funds_the_next_milestone_and_is_not_refunded_by_request() {
    let l = Ledger::new();
    l.run_at(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "Shop",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "150",
            "--milestone",
            "One=100",
            "--milestone",
            "Two=50",
        ],
    )
    .ok();
    l.run(&["milestone", "approve", "f1", "1", "--amount", "20"])
        .ok();
    let before = l.snapshot();
    let r = l
        .run(&["--json", "refund", "request", "f1"])
        .refused_for("no_funded_milestone");
    assert!(
        r.stderr.contains("no milestone of f1 is funded"),
        "{}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before);
    // 80.00 carried covers milestone 2's 50.00: nothing more is put in.
    let c = l
        .run(&["--json", "milestone", "fund", "f1", "2"])
        .ok()
        .json();
    let m = &c["contract"]["milestones"][1];
    assert_eq!(m["status"], "funded");
    assert_eq!(m["escrow"], "80.00", "{m}");
    assert_eq!(c["contract"]["funded"], "100.00");
    // Now it is a funded milestone's escrow, and may be requested back.
    l.run(&["refund", "request", "f1", "--amount", "30"]).ok();
    l.run(&fl(&["refund", "approve", "f1"])).ok();
    let c = l.run(&["--json", "show", "f1"]).ok().json();
    assert_eq!(c["milestones"][1]["escrow"], "50.00");
    assert_eq!(c["refunded"], "30.00");
    l.run(&["check"]).ok();
}

/// The client ended with `--pay none` while the milestone was submitted;
/// the freelancer disputed the refund and the client escalated it. The
/// 14-day timer of the milestone still fires after the end: a system
/// "release" of 0.00, and the milestone shows `released` with nothing paid.
#[test]
fn the_milestone_timer_does_not_release_nothing_after_the_end() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&fl(&["milestone", "submit", "f1"])).ok();
    l.run_at(
        "2026-11-19T10:00:00Z",
        &["end", "f1", "--pay", "none", "--yes"],
    )
    .ok();
    l.run_at("2026-11-20T10:00:00Z", &fl(&["refund", "dispute", "f1"]))
        .ok();
    l.run_at("2026-11-20T11:00:00Z", &["refund", "escalate", "f1"])
        .ok();
    let c = show(&l, "2026-11-20T11:00:00Z", "f1");
    let timers = c["timers"].to_string();
    assert!(
        !timers.contains("milestone 1 is released"),
        "no milestone timer after the end: {timers}"
    );
    let r = l.run_at(RELEASE_DUE, &["--json", "sweep"]).ok().json();
    assert_eq!(events(&r), Vec::<Value>::new(), "{r}");
    let c = show(&l, RELEASE_DUE, "f1");
    assert_eq!(c["paid"], "0.00");
    assert_ne!(c["milestones"][0]["status"], "released", "{c}");
}
