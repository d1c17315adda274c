//! Timers through the binary: applied in memory by every view, persisted by
//! `sweep` (and by writers), recorded once with actor `system` at the instant
//! they fell due.

use crate::harness::{Ledger, lines_in_order};

const DUE: &str = "2026-11-25T10:00:00Z";
const JUST_BEFORE: &str = "2026-11-25T09:59:59Z";

fn ended_with_refund_request() -> Ledger {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["end", "f1", "--pay", "300", "--yes"]).ok();
    l
}

#[test]
fn refund_request_is_approved_by_the_system_when_its_deadline_passes() {
    let l = ended_with_refund_request();
    let before = l.snapshot();

    let c = l.run_at(JUST_BEFORE, &["--json", "show", "f1"]).ok().json();
    assert_eq!(c["refunds"][0]["status"], "requested");
    assert_eq!(c["refunded"], "0.00");

    let c = l.run_at(DUE, &["--json", "show", "f1"]).ok().json();
    assert_eq!(c["refunds"][0]["status"], "refunded");
    assert_eq!(c["refunded"], "200.00");
    assert_eq!(c["escrow"], "0.00");
    // list and log see it too, and nobody wrote it yet.
    let list = l.run_at(DUE, &["--json", "list"]).ok().json();
    assert_eq!(list[0]["refunds"][0]["status"], "refunded");
    assert_eq!(l.snapshot(), before, "views apply timers in memory only");
    assert!(
        l.read("contracts/f1.toml")
            .contains("status = \"requested\"")
    );

    let r = l.run_at(DUE, &["--json", "sweep"]).ok().json();
    assert_eq!(r["files_written"], 1);
    let evs = r["events"].as_array().expect("events");
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0]["actor"], "system");
    assert_eq!(evs[0]["at"], DUE);
    assert_eq!(evs[0]["contract"], "f1");
    assert_eq!(evs[0]["amount"], "200.00");

    let text = l.read("contracts/f1.toml");
    assert!(!text.contains("status = \"requested\""), "{text}");
    assert!(
        lines_in_order(
            &text,
            &format!(
                "[[refunds]]\namount = \"200.00\"\nstatus = \"refunded\"\n[[history]]\n[[history]]\nat = {DUE}\nactor = \"system\""
            )
        ),
        "{text}"
    );
    assert_eq!(text.matches("actor = \"system\"").count(), 1, "{text}");

    // `log` lists it, once, at the instant it fell due.
    let log = l.run_at(DUE, &["--json", "log", "f1"]).ok().json();
    let system: Vec<_> = log
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["actor"] == "system")
        .collect();
    assert_eq!(system.len(), 1, "{log}");
    assert_eq!(system[0]["at"], DUE);
    assert_eq!(system[0]["contract"], "f1");
}

#[test]
fn a_late_sweep_records_the_instant_the_timer_fell_due() {
    let l = ended_with_refund_request();
    let r = l
        .run_at("2026-11-30T08:15:00Z", &["--json", "sweep"])
        .ok()
        .json();
    assert_eq!(r["events"][0]["at"], DUE, "not when it was noticed");
    assert!(
        l.read("contracts/f1.toml")
            .contains(&format!("at = {DUE}\nactor = \"system\""))
    );
}

#[test]
fn sweep_before_the_deadline_writes_nothing() {
    let l = ended_with_refund_request();
    let before = l.snapshot();
    let r = l.run_at(JUST_BEFORE, &["--json", "sweep"]).ok().json();
    assert_eq!(r["files_written"], 0);
    assert_eq!(r["events"].as_array().map(Vec::len), Some(0));
    assert_eq!(l.snapshot(), before);
}

#[test]
fn sweep_applies_every_due_timer_in_due_order() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    l.run(&["end", "f1", "--pay", "300", "--yes"]).ok();
    l.run(&["end", "h1", "--yes"]).ok();
    // The refund falls due on 25 Nov, the feedback windows close on 3 Dec
    // (midnight after the 14th day): one late sweep applies both, in order.
    let r = l
        .run_at("2026-12-10T00:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    let f1: Vec<_> = r["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["contract"] == "f1")
        .map(|e| e["at"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(f1.len() >= 2, "{r}");
    assert_eq!(f1[0], DUE);
    assert!(f1.windows(2).all(|w| w[0] <= w[1]), "in due order: {f1:?}");
    let c = l
        .run_at("2026-12-10T00:00:00Z", &["--json", "show", "h1"])
        .ok()
        .json();
    assert_eq!(c["feedback"]["client"]["status"], "expired");
    assert_eq!(c["feedback"]["freelancer"]["status"], "expired");
}
