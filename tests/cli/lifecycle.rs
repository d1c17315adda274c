//! init, new, show, list, end, pause, resume, log.

use crate::harness::{Ledger, lines_in_order};

#[test]
fn new_without_id_allocates_the_next_free_c_number() {
    let l = Ledger::new();
    let r = l
        .run(&[
            "new",
            "--title",
            "A",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "40",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "c1");
    l.run(&[
        "new",
        "--id",
        "c7",
        "--title",
        "B",
        "--client",
        "Acme",
        "--freelancer",
        "Bob",
        "--hourly",
        "40",
    ])
    .ok();
    let r = l
        .run(&[
            "new",
            "--title",
            "C",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "40",
        ])
        .ok();
    assert_eq!(r.stdout.trim(), "c8");
    assert!(l.file("contracts/c8.toml").is_file());
}

#[test]
fn client_ends_fixed_contract_paying_part() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    let r = l
        .run(&["--json", "end", "f1", "--yes"])
        .refused_for("pay_needed");
    assert!(r.stderr.contains("--pay full") && r.stderr.contains("--pay none"));
    assert_eq!(l.snapshot(), before, "a refusal writes nothing");

    let r = l
        .run(&["--json", "end", "f1", "--pay", "300", "--yes"])
        .ok();
    let doc = r.json();
    let c = &doc["contract"];
    assert_eq!(c["status"], "ended");
    assert_eq!(c["paid"], "300.00");
    assert_eq!(c["escrow"], "200.00");
    assert_eq!(c["refunds"][0]["status"], "requested");
    assert_eq!(c["refunds"][0]["amount"], "200.00");
    assert_eq!(c["refunds"][0]["deadline"], "2026-11-25T10:00:00Z");
    assert_eq!(c["diary_locked"], true);
    assert_eq!(c["feedback"]["client"]["status"], "pending");
    let text = l.read("contracts/f1.toml");
    assert!(text.contains("ended_at = 2026-11-18T10:00:00Z"), "{text}");
}

// ------------------------------------------------------------------ end

#[test]
fn client_ending_fixed_with_escrow_must_choose_what_to_pay() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    let r = l
        .run(&["--json", "end", "f1", "--yes"])
        .refused_for("pay_needed");
    for choice in ["--pay full", "--pay none", "--pay AMOUNT"] {
        assert!(r.stderr.contains(choice), "names {choice}: {}", r.stderr);
    }
    assert!(
        r.stderr.contains("500.00"),
        "names the escrow: {}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before, "a refusal writes nothing");
    let c = l.run(&["--json", "show", "f1"]).ok().json();
    assert_eq!(c["status"], "active");
    assert_eq!(c["escrow"], "500.00");
}

#[test]
fn client_ends_fixed_paying_full() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let doc = l
        .run(&["--json", "end", "f1", "--pay", "full", "--yes"])
        .ok()
        .json();
    let c = &doc["contract"];
    assert_eq!(c["status"], "ended");
    assert_eq!(c["ended_by"], "client");
    assert_eq!(c["ended_at"], "2026-11-18T10:00:00Z");
    assert_eq!(c["paid"], "500.00");
    assert_eq!(c["escrow"], "0.00");
    assert_eq!(c["refunded"], "0.00");
    assert_eq!(c["refunds"].as_array().map(Vec::len), Some(0), "{c}");
    assert_eq!(c["milestones"][0]["status"], "released");
    let events: Vec<_> = doc["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(events.contains(&"ended".to_string()), "{events:?}");
    assert!(events.contains(&"released".to_string()), "{events:?}");
    assert!(!events.iter().any(|e| e.contains("refund")), "{events:?}");

    let text = l.read("contracts/f1.toml");
    assert!(text.contains("status = \"ended\""), "{text}");
    assert!(!text.contains("[[refunds]]"), "no refund request: {text}");
    assert!(text.contains("[[payments]]"), "{text}");
    assert!(
        text.contains("amount = \"500.00\"\nfee = \"50.00\""),
        "{text}"
    );
}

#[test]
fn paying_full_does_not_mention_a_refund_in_history() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    let log = l.run(&["--json", "log", "f1"]).ok().json();
    let ended = log
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["event"] == "ended")
        .expect("ended event")
        .clone();
    let detail = ended["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("refund"), "{detail}");
}

#[test]
fn client_ends_fixed_paying_none_requests_the_whole_escrow_back() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let doc = l
        .run(&["--json", "end", "f1", "--pay", "none", "--yes"])
        .ok()
        .json();
    let c = &doc["contract"];
    assert_eq!(c["status"], "ended");
    assert_eq!(c["paid"], "0.00");
    assert_eq!(c["payments"].as_array().map(Vec::len), Some(0));
    let refunds = c["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 1, "{c}");
    assert_eq!(refunds[0]["status"], "requested");
    assert_eq!(refunds[0]["amount"], "500.00");
    assert_eq!(refunds[0]["requested_at"], "2026-11-18T10:00:00Z");
    assert_eq!(
        refunds[0]["deadline"], "2026-11-25T10:00:00Z",
        "now + 7 days"
    );
    assert_eq!(c["refunded"], "0.00", "requested, not yet refunded");

    let text = l.read("contracts/f1.toml");
    assert!(
        lines_in_order(
            &text,
            "[[refunds]]\namount = \"500.00\"\nstatus = \"requested\"\nrequested_at = 2026-11-18T10:00:00Z\ndeadline = 2026-11-25T10:00:00Z"
        ),
        "{text}"
    );
    assert!(!text.contains("[[payments]]"), "{text}");
}

#[test]
fn client_ends_fixed_paying_an_amount_writes_payment_and_refund_request() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["end", "f1", "--pay", "120.5", "--yes"]).ok();
    let text = l.read("contracts/f1.toml");
    assert!(
        lines_in_order(
            &text,
            "status = \"ended\"\nended_at = 2026-11-18T10:00:00Z\nended_by = \"client\"\nend_reason = \"completed\"\n[[payments]]\namount = \"120.50\"\nfee = \"12.05\"\n[[refunds]]\namount = \"379.50\"\nstatus = \"requested\"\ndeadline = 2026-11-25T10:00:00Z"
        ),
        "{text}"
    );
    let c = l.run(&["--json", "show", "f1"]).ok().json();
    assert_eq!(c["paid"], "120.50");
    assert_eq!(c["refunds"][0]["amount"], "379.50");
}

#[test]
fn paying_more_than_the_escrow_is_refused() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    let r = l
        .run(&["--json", "end", "f1", "--pay", "500.01", "--yes"])
        .refused_for("pay_above_escrow");
    assert!(
        r.stderr.contains("500.00"),
        "names what is in escrow: {}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before);
    l.run(&["--json", "end", "f1", "--pay", "600", "--yes"])
        .refused_for("pay_above_escrow");
    assert_eq!(l.snapshot(), before);
}

#[test]
fn freelancer_ending_fixed_refunds_the_escrow_at_once() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    l.run(&[
        "--json",
        "--as",
        "freelancer",
        "end",
        "f1",
        "--pay",
        "full",
        "--yes",
    ])
    .refused_for("pay_not_yours");
    assert_eq!(l.snapshot(), before, "--pay is the client's choice");

    let doc = l
        .run(&["--as", "freelancer", "--json", "end", "f1", "--yes"])
        .ok()
        .json();
    let c = &doc["contract"];
    assert_eq!(c["status"], "ended");
    assert_eq!(c["ended_by"], "freelancer");
    assert_eq!(c["escrow"], "0.00");
    assert_eq!(c["paid"], "0.00");
    assert_eq!(c["refunded"], "500.00");
    let refunds = c["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["status"], "refunded");
    assert_eq!(refunds[0]["amount"], "500.00");
    // No request: nothing waits for an answer.
    let timers = c["timers"].as_array().expect("timers");
    assert!(
        timers
            .iter()
            .all(|t| !t["what"].as_str().unwrap_or_default().contains("refund")),
        "{timers:?}"
    );
    let text = l.read("contracts/f1.toml");
    assert!(text.contains("ended_by = \"freelancer\""), "{text}");
    assert!(text.contains("status = \"refunded\""), "{text}");
    assert!(!text.contains("status = \"requested\""), "{text}");
}

#[test]
fn hourly_contract_ends_by_client_or_freelancer() {
    let l = Ledger::new();
    l.hourly("h1");
    l.hourly("h2");
    let before = l.snapshot();
    l.run(&["--json", "end", "h1", "--pay", "full", "--yes"])
        .refused_for("not_fixed");
    assert_eq!(l.snapshot(), before, "--pay is for fixed contracts");

    let c = l.run(&["--json", "end", "h1", "--yes"]).ok().json();
    assert_eq!(c["contract"]["status"], "ended");
    assert_eq!(c["contract"]["ended_by"], "client");
    assert_eq!(c["contract"]["diary_locked"], true);
    let c = l
        .run(&["--as", "freelancer", "--json", "end", "h2", "--yes"])
        .ok()
        .json();
    assert_eq!(c["contract"]["status"], "ended");
    assert_eq!(c["contract"]["ended_by"], "freelancer");
    assert_eq!(c["contract"]["refunds"].as_array().map(Vec::len), Some(0));
    assert!(
        l.read("contracts/h1.toml")
            .contains("ended_by = \"client\"")
    );
    assert!(
        l.read("contracts/h2.toml")
            .contains("ended_by = \"freelancer\"")
    );
}

#[test]
fn a_paused_hourly_contract_can_be_ended() {
    let l = Ledger::new();
    l.hourly("h1");
    l.run(&["pause", "h1"]).ok();
    let c = l.run(&["--json", "end", "h1", "--yes"]).ok().json();
    assert_eq!(c["contract"]["status"], "ended");
}

#[test]
fn ending_an_ended_contract_is_refused() {
    let l = Ledger::new();
    l.hourly("h1");
    l.fixed("f1", "500");
    l.run(&["end", "h1", "--yes"]).ok();
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    let before = l.snapshot();
    l.run(&["--json", "end", "h1", "--yes"])
        .refused_for("ended");
    l.run(&["--json", "--as", "freelancer", "end", "h1", "--yes"])
        .refused_for("ended");
    l.run(&["--json", "end", "f1", "--pay", "none", "--yes"])
        .refused_for("ended");
    l.run(&["--json", "pause", "h1"]).refused_for("ended");
    l.run(&["--json", "resume", "h1"]).refused_for("ended");
    assert_eq!(l.snapshot(), before, "ended is final");
}

#[test]
fn reason_and_note_are_recorded() {
    let l = Ledger::new();
    l.hourly("h1");
    let doc = l
        .run(&[
            "--json",
            "end",
            "h1",
            "--reason",
            "unresponsive",
            "--note",
            "no reply since May",
            "--yes",
        ])
        .ok()
        .json();
    assert_eq!(doc["contract"]["end_reason"], "unresponsive");
    assert_eq!(doc["contract"]["end_note"], "no reply since May");
    let c = l.run(&["--json", "show", "h1"]).ok().json();
    assert_eq!(c["end_reason"], "unresponsive");
    assert_eq!(c["end_note"], "no reply since May");
    let text = l.read("contracts/h1.toml");
    assert!(
        lines_in_order(
            &text,
            "end_reason = \"unresponsive\"\nend_note = \"no reply since May\""
        ),
        "{text}"
    );
    // The default reason is `completed`; an unknown one is a usage error.
    l.hourly("h2");
    let before = l.snapshot();
    l.run(&["end", "h2", "--reason", "bored", "--yes"]).code(2);
    assert_eq!(l.snapshot(), before);
    let doc = l.run(&["--json", "end", "h2", "--yes"]).ok().json();
    assert_eq!(doc["contract"]["end_reason"], "completed");
    assert_eq!(doc["contract"]["end_note"], serde_json::Value::Null);
}

#[test]
fn feedback_windows_open_on_end() {
    let l = Ledger::new();
    l.hourly("h1");
    l.run(&["end", "h1", "--yes"]).ok();
    let c = l.run(&["--json", "show", "h1"]).ok().json();
    assert_eq!(c["feedback"]["client"]["status"], "pending");
    assert_eq!(c["feedback"]["freelancer"]["status"], "pending");
    let text = l.read("contracts/h1.toml");
    assert!(
        lines_in_order(
            &text,
            "[feedback.client]\nstatus = \"pending\"\n[feedback.freelancer]\nstatus = \"pending\""
        ),
        "{text}"
    );
}

#[test]
fn dry_run_end_prints_the_result_and_writes_nothing() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    let before = l.snapshot();
    let doc = l
        .run(&["--json", "--dry-run", "end", "f1", "--pay", "300", "--yes"])
        .ok()
        .json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["contract"]["status"], "ended");
    assert_eq!(doc["contract"]["paid"], "300.00");
    assert_eq!(doc["contract"]["refunds"][0]["amount"], "200.00");
    assert_eq!(l.snapshot(), before);

    let r = l.run(&["--dry-run", "end", "h1", "--yes"]).ok();
    assert!(r.stdout.contains("ended"), "{}", r.stdout);
    assert!(r.stdout.contains("dry run"), "{}", r.stdout);
    assert_eq!(l.snapshot(), before);
    // Without --yes too: a dry run never asks and never writes.
    l.run(&["--dry-run", "end", "h1"]).ok();
    assert_eq!(l.snapshot(), before);
    // And the refusals are the same as for the real thing.
    l.run(&["--json", "--dry-run", "end", "f1", "--yes"])
        .refused_for("pay_needed");
    assert_eq!(l.snapshot(), before);
    assert_eq!(
        l.run(&["--json", "show", "f1"]).ok().json()["status"],
        "active"
    );
}

// ------------------------------------------------------------------ new

#[test]
fn new_refuses_a_rate_below_the_minimum() {
    let l = Ledger::new();
    let before = l.snapshot();
    let r = l
        .run(&[
            "--json",
            "new",
            "--id",
            "h1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "2.99",
        ])
        .refused_for("rate_too_low");
    assert!(r.stderr.contains("3.00"), "names the minimum: {}", r.stderr);
    assert_eq!(l.snapshot(), before);
    l.run(&[
        "new",
        "--id",
        "h1",
        "--title",
        "T",
        "--client",
        "A",
        "--freelancer",
        "B",
        "--hourly",
        "3",
    ])
    .ok();
    assert!(l.file("contracts/h1.toml").is_file());
}

#[test]
fn new_refuses_a_milestone_below_the_minimum() {
    let l = Ledger::new();
    let before = l.snapshot();
    let r = l
        .run(&[
            "--json",
            "new",
            "--id",
            "f1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "504.99",
            "--milestone",
            "Tiny=4.99",
            "--milestone",
            "Rest=500",
        ])
        .refused_for("milestone_too_small");
    assert!(r.stderr.contains("5.00"), "names the minimum: {}", r.stderr);
    assert_eq!(l.snapshot(), before);
    l.run(&[
        "--json",
        "new",
        "--id",
        "f1",
        "--title",
        "T",
        "--client",
        "A",
        "--freelancer",
        "B",
        "--fixed",
        "4.99",
    ])
    .refused_for("milestone_too_small");
    assert_eq!(l.snapshot(), before);
}

#[test]
fn new_refuses_milestones_that_do_not_add_up_to_the_price() {
    let l = Ledger::new();
    let before = l.snapshot();
    let r = l
        .run(&[
            "--json",
            "new",
            "--id",
            "f1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "900",
            "--milestone",
            "Design=300",
            "--milestone",
            "Build=500",
        ])
        .refused_for("milestones_not_price");
    assert!(
        r.stderr.contains("800.00") && r.stderr.contains("900.00"),
        "{}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before);
    let doc = l
        .run(&[
            "--json",
            "new",
            "--id",
            "f1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "900",
            "--milestone",
            "Design=300",
            "--milestone",
            "Build=600",
        ])
        .ok()
        .json();
    let ms = doc["contract"]["milestones"]
        .as_array()
        .expect("milestones");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0]["status"], "funded");
    assert_eq!(ms[1]["status"], "pending");
    assert_eq!(doc["contract"]["escrow"], "300.00");
}

#[test]
fn only_the_client_creates_contracts() {
    let l = Ledger::new();
    let before = l.snapshot();
    l.run(&[
        "--json",
        "--as",
        "freelancer",
        "new",
        "--id",
        "h1",
        "--title",
        "T",
        "--client",
        "A",
        "--freelancer",
        "B",
        "--hourly",
        "50",
    ])
    .refused_for("not_the_party");
    assert_eq!(l.snapshot(), before);
}

#[test]
fn new_with_an_existing_id_is_refused_and_leaves_the_first_file() {
    let l = Ledger::new();
    l.hourly("c1");
    let first = l.read("contracts/c1.toml");
    let before = l.snapshot();
    let r = l
        .run(&[
            "--json",
            "new",
            "--id",
            "c1",
            "--title",
            "Other",
            "--client",
            "X",
            "--freelancer",
            "Y",
            "--fixed",
            "100",
        ])
        .refused_for("contract_exists");
    assert!(r.stderr.contains("c1"), "{}", r.stderr);
    assert_eq!(l.read("contracts/c1.toml"), first);
    assert_eq!(l.snapshot(), before);
    // A dry run says the same.
    l.run(&[
        "--json",
        "--dry-run",
        "new",
        "--id",
        "c1",
        "--title",
        "Other",
        "--client",
        "X",
        "--freelancer",
        "Y",
        "--fixed",
        "100",
    ])
    .refused_for("contract_exists");
    assert_eq!(l.snapshot(), before);
}
