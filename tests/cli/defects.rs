//! One regression test per defect of the adversarial pass (issue "Rules that
//! hold under any clock and any order"), each through the binary, each the
//! repro as it was reported. The number in a test's name is the defect's.

use crate::harness::{Expect, Ledger, Run};
use serde_json::Value;

const MON: &str = "2026-11-16T08:00:00Z";

/// `--as freelancer` at `now`.
fn fl(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut a = vec!["--as", "freelancer"];
    a.extend_from_slice(args);
    l.run_at(now, &a)
}

/// `--as client` at `now`.
fn cl(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut a = vec!["--as", "client"];
    a.extend_from_slice(args);
    l.run_at(now, &a)
}

/// Runs `r` and expects it refused — `why`: an exit code, or for a refusal
/// of the rules its reason (then run with `--json`) — with every needle in
/// its message and every file unchanged. Returns the message.
#[track_caller]
fn refused(
    l: &Ledger,
    r: impl FnOnce() -> Run,
    why: impl Into<Expect>,
    needles: &[&str],
) -> String {
    let before = l.snapshot();
    let message = match why.into() {
        Expect::Reason(reason) => {
            let r = l.with_json(r).refused_for(reason);
            r.json_err()["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
        Expect::Code(code) => r().code(code).stderr,
    };
    for n in needles {
        assert!(message.contains(n), "`{n}` not in: {message}");
    }
    assert!(l.snapshot() == before, "a refused command wrote files");
    message
}

/// An hourly contract `h` at 50.00/h, no limit, made on Monday 08:00.
fn hourly(l: &Ledger) {
    cl(
        l,
        MON,
        &[
            "new",
            "--id",
            "h",
            "--title",
            "T",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
        ],
    )
    .ok();
}

/// `diary log h` (freelancer) at `now`.
fn log(l: &Ledger, now: &str, from: &str, to: &str) -> Run {
    fl(
        l,
        now,
        &[
            "diary", "log", "h", "--from", from, "--to", to, "--memo", "m",
        ],
    )
}

fn week_json(l: &Ledger, now: &str, week: &str) -> Value {
    let v = l
        .run_at(now, &["--json", "diary", "show", "h", "--week", week])
        .ok()
        .json();
    v["weeks"][0]["contracts"][0].clone()
}

#[track_caller]
fn check_ok(l: &Ledger) {
    l.run(&["check"]).ok();
}

#[test]
fn d1_a_pause_stops_the_running_timer_at_the_pause() {
    let l = Ledger::new();
    hourly(&l);
    fl(
        &l,
        "2026-11-16T09:00:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    cl(&l, "2026-11-16T10:00:00Z", &["pause", "h"]).ok();
    // The pause recorded the timer's end: nothing is left running.
    assert!(
        l.read("diary/2026-W47/h.toml")
            .contains("end = 2026-11-16T10:00:00Z")
    );
    refused(
        &l,
        || fl(&l, "2026-11-20T10:00:00Z", &["diary", "stop", "h"]),
        "no_timer",
        &[],
    );
    let w = week_json(&l, "2026-11-20T10:00:00Z", "2026-W47");
    assert_eq!(
        (&w["seconds"], &w["amount"]),
        (&Value::from(3600), &Value::from("50.00"))
    );
    check_ok(&l);
}

#[test]
fn d1_an_hourly_disputes_pause_and_end_stop_the_timer_too() {
    let l = Ledger::new();
    hourly(&l);
    log(
        &l,
        "2026-11-17T12:00:00Z",
        "2026-11-17 09:00",
        "2026-11-17 11:00",
    )
    .ok();
    // W48: a timer runs when the client disputes W47 (invoiced).
    fl(
        &l,
        "2026-11-23T13:00:00Z",
        &["diary", "start", "h", "--memo", "t"],
    )
    .ok();
    let r = cl(
        &l,
        "2026-11-23T14:00:00Z",
        &[
            "--json", "diary", "dispute", "h", "--week", "2026-W47", "--reason", "no",
        ],
    )
    .ok()
    .json();
    let evs: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(evs, ["week_disputed", "timer_stopped"]);
    assert!(
        l.read("diary/2026-W48/h.toml")
            .contains("end = 2026-11-23T14:00:00Z")
    );
    let w = week_json(&l, "2026-11-27T00:00:00Z", "2026-W48");
    assert_eq!(w["seconds"], 3600);
    check_ok(&l);
}

#[test]
fn d2_end_before_time_already_logged_is_refused_and_writes_nothing() {
    let l = Ledger::new();
    hourly(&l);
    // Thu 10:00-11:00 logged with the clock on Friday ...
    log(
        &l,
        "2026-11-20T09:00:00Z",
        "2026-11-19 10:00",
        "2026-11-19 11:00",
    )
    .ok();
    // ... then `end` at Thu 09:00: the diary records time after it.
    refused(
        &l,
        || cl(&l, "2026-11-19T09:00:00Z", &["end", "h", "--yes"]),
        "before_latest",
        &[
            "h/2026W47-1",
            "2026-11-19 11:00:00 UTC",
            "only moves forward",
        ],
    );
    check_ok(&l);
    l.run(&["list"]).ok();
    cl(&l, "2026-11-20T09:00:00Z", &["end", "h", "--yes"]).ok();
    check_ok(&l);
}

#[test]
fn d3_stop_before_the_timer_started_is_refused_and_keeps_it() {
    let l = Ledger::new();
    hourly(&l);
    fl(
        &l,
        "2026-11-18T10:00:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    refused(
        &l,
        || fl(&l, "2026-11-18T09:00:00Z", &["diary", "stop", "h"]),
        "stop_before_start",
        &[
            "it started at 2026-11-18 10:00:00 UTC",
            "diary rm h/2026W47-1",
        ],
    );
    let r = fl(&l, "2026-11-18T11:00:00Z", &["diary", "stop", "h"]).ok();
    assert!(r.stdout.contains("h/2026W47-1"), "{}", r.stdout);
    // The next timer gets a new id.
    let r = fl(
        &l,
        "2026-11-18T12:00:00Z",
        &["diary", "start", "h", "--memo", "y"],
    )
    .ok();
    assert!(r.stdout.contains("h/2026W47-2"), "{}", r.stdout);
}

#[test]
fn d3_a_timer_started_with_the_clock_ahead_is_not_lost() {
    let l = Ledger::new();
    hourly(&l);
    fl(
        &l,
        "2026-11-25T10:00:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    // Back to last week: stop finds the timer and says why it cannot stop it.
    refused(
        &l,
        || fl(&l, "2026-11-18T10:00:00Z", &["diary", "stop", "h"]),
        "stop_before_start",
        &["it started at 2026-11-25 10:00:00 UTC"],
    );
    // New time before it is refused too (the clock only moves forward).
    refused(
        &l,
        || {
            log(
                &l,
                "2026-11-18T10:00:00Z",
                "2026-11-18 08:00",
                "2026-11-18 09:00",
            )
        },
        "before_latest",
        &[],
    );
    fl(&l, "2026-11-25T11:00:00Z", &["diary", "stop", "h"]).ok();
}

#[test]
fn d3_a_dispute_cannot_precede_the_request_it_answers() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    cl(
        &l,
        "2026-11-18T10:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    refused(
        &l,
        || fl(&l, "2026-11-18T09:00:00Z", &["refund", "dispute", "f1"]),
        "before_latest",
        &[
            "refund_requested",
            "2026-11-18 10:00:00 UTC",
            "only moves forward",
        ],
    );
    // Nor can the clock undo the auto-approval the system recorded.
    l.run_at("2026-11-26T00:00:00Z", &["sweep"]).ok();
    refused(
        &l,
        || fl(&l, "2026-11-24T00:00:00Z", &["refund", "dispute", "f1"]),
        "before_latest",
        &["refund_auto_approved", "2026-11-25 10:00:00 UTC"],
    );
}

#[test]
fn d3_feedback_cannot_precede_the_end() {
    let l = Ledger::new();
    hourly(&l);
    cl(&l, "2026-11-18T10:00:00Z", &["end", "h", "--yes"]).ok();
    refused(
        &l,
        || {
            cl(
                &l,
                "2026-11-18T09:00:00Z",
                &["feedback", "give", "h", "--stars", "5"],
            )
        },
        "before_latest",
        &["`ended`", "2026-11-18 10:00:00 UTC"],
    );
    // Reading at an earlier clock is allowed and changes nothing.
    let before = l.snapshot();
    l.run_at("2026-11-01T00:00:00Z", &["show", "h"]).ok();
    assert!(l.snapshot() == before);
}

#[test]
fn d4_seconds_are_summed_then_rounded_once() {
    let l = Ledger::new();
    hourly(&l);
    // Ten tracked timers of 29m59s: 4h59m50s, not 4h50m.
    for i in 0..10 {
        let start = format!("2026-11-16T{:02}:00:00Z", 9 + i);
        let stop = format!("2026-11-16T{:02}:29:59Z", 9 + i);
        fl(&l, &start, &["diary", "start", "h", "--memo", "t"]).ok();
        fl(&l, &stop, &["diary", "stop", "h"]).ok();
    }
    let w = week_json(&l, "2026-11-17T00:00:00Z", "2026-W47");
    assert_eq!(w["seconds"], 17_990);
    assert_eq!(w["billable_seconds"], 17_990);
    assert_eq!(w["minutes"], 299);
    // 17,990 s at 50.00/h = 249.861… -> 249.86
    assert_eq!(w["amount"], "249.86");
    assert_eq!(w["entries"][0]["seconds"], 1799);
    let t = l
        .run_at("2026-11-17T00:00:00Z", &["diary", "show", "h"])
        .ok();
    assert!(t.stdout.contains("Total 4h59m50s"), "{}", t.stdout);
}

#[test]
fn d4_six_imported_59_second_intervals_are_billed() {
    let l = Ledger::new();
    hourly(&l);
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"id":{},"start":"20261116T1{}0000Z","end":"20261116T1{}0059Z","tags":["h"]}}"#,
                i + 1,
                i,
                i
            )
        })
        .collect();
    let f = dir.path().join("x.json");
    std::fs::write(&f, format!("[{}]", items.join(","))).unwrap();
    fl(
        &l,
        "2026-11-17T00:00:00Z",
        &["diary", "import", f.to_str().unwrap()],
    )
    .ok();
    let w = week_json(&l, "2026-11-17T00:00:00Z", "2026-W47");
    // 354 s at 50.00/h = 4.916… -> 4.92 (was 0.00).
    assert_eq!(
        (&w["seconds"], &w["amount"]),
        (&Value::from(354), &Value::from("4.92"))
    );
}

fn import(l: &Ledger, now: &str, json: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.json");
    std::fs::write(&f, json).unwrap();
    let mut a = vec!["diary", "import", f.to_str().unwrap()];
    a.extend_from_slice(extra);
    fl(l, now, &a)
}

#[test]
fn d6_import_follows_the_diarys_rules() {
    let l = Ledger::new();
    hourly(&l);
    cl(
        &l,
        "2026-11-16T08:00:00Z",
        &[
            "new",
            "--id",
            "g",
            "--title",
            "T",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
        ],
    )
    .ok();
    cl(&l, "2026-11-17T09:00:00Z", &["pause", "h"]).ok();
    cl(&l, "2026-11-17T15:00:00Z", &["resume", "h"]).ok();
    let now = "2026-11-30T00:00:00Z";
    // While paused.
    refused(
        &l,
        || {
            import(
                &l,
                now,
                r#"[{"start":"20261117T100000Z","end":"20261117T110000Z","tags":["h"]}]"#,
                &[],
            )
        },
        "import",
        &["overlaps a pause of h"],
    );
    // Longer than a week.
    refused(
        &l,
        || {
            import(
                &l,
                now,
                r#"[{"start":"20261116T090000Z","end":"20261124T090000Z","tags":["g"]}]"#,
                &[],
            )
        },
        "import",
        &["at most 7 days"],
    );
    // Two contracts named: refused, not guessed.
    refused(
        &l,
        || {
            import(
                &l,
                now,
                r#"[{"start":"20261118T090000Z","end":"20261118T100000Z","tags":["h","g"]}]"#,
                &[],
            )
        },
        "import",
        &["names two contracts"],
    );
    // Before the contract started (the same rule as `diary log`).
    refused(
        &l,
        || {
            import(
                &l,
                now,
                r#"[{"start":"20261116T070000Z","end":"20261116T073000Z","tags":["g"]}]"#,
                &[],
            )
        },
        "import",
        &["before g started"],
    );
    check_ok(&l);
}

#[test]
fn d7_one_entry_lasts_at_most_7_days() {
    let l = Ledger::new();
    hourly(&l);
    refused(
        &l,
        || {
            log(
                &l,
                "2026-11-23T11:00:00Z",
                "2026-11-16 08:00",
                "2026-11-23 10:00",
            )
        },
        "too_long",
        &[],
    );
}

#[test]
fn d7_a_timer_left_running_counts_at_most_7_days() {
    // Found by the simulation: a timer started Monday 01:00 counted up to
    // its week's close (the next Monday 12:00), 7.5 days.
    let l = Ledger::new();
    hourly(&l);
    fl(
        &l,
        "2026-11-16T08:30:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    let w = week_json(&l, "2026-11-23T11:00:00Z", "2026-W47");
    assert_eq!(w["seconds"], 7 * 86_400);
    let r = fl(&l, "2026-11-25T00:00:00Z", &["diary", "stop", "h"]).ok();
    assert!(r.stdout.contains("at most 7 days"), "{}", r.stdout);
    assert!(
        l.read("diary/2026-W47/h.toml")
            .contains("end = 2026-11-23T08:30:00Z")
    );
    check_ok(&l);
}

#[test]
fn d8_a_dry_run_reveals_no_hidden_feedback() {
    let l = Ledger::new();
    hourly(&l);
    cl(&l, "2026-11-18T10:00:00Z", &["end", "h", "--yes"]).ok();
    cl(
        &l,
        "2026-11-18T11:00:00Z",
        &[
            "feedback",
            "give",
            "h",
            "--stars",
            "2",
            "--comment",
            "SECRET-COMMENT",
            "--private",
            "SECRET-NOTE",
        ],
    )
    .ok();
    let r = fl(
        &l,
        "2026-11-18T12:00:00Z",
        &[
            "--dry-run",
            "--json",
            "feedback",
            "give",
            "h",
            "--stars",
            "5",
        ],
    )
    .ok();
    assert!(!r.stdout.contains("SECRET"), "{}", r.stdout);
    assert!(!r.stderr.contains("SECRET"), "{}", r.stderr);
    let fb = &r.json()["contract"]["feedback"];
    assert_eq!(fb["client"]["hidden"], true, "{fb:#}");
    assert!(
        fb["client"].get("stars").is_none_or(Value::is_null),
        "{fb:#}"
    );
    // One's own would-be feedback is shown.
    assert_eq!(fb["freelancer"]["stars"], 5);
    let t = fl(
        &l,
        "2026-11-18T12:00:00Z",
        &["--dry-run", "feedback", "give", "h", "--stars", "5"],
    )
    .ok();
    assert!(!t.stdout.contains("SECRET") && !t.stderr.contains("SECRET"));
}

#[test]
fn d9_money_out_of_range_is_refused_naming_the_amounts() {
    let l = Ledger::new();
    cl(
        &l,
        MON,
        &[
            "new",
            "--id",
            "big",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "10000000000000",
        ],
    )
    .ok();
    let e = refused(
        &l,
        || {
            cl(
                &l,
                MON,
                &["milestone", "add", "big", "--title", "x", "--amount", "5"],
            )
        },
        "out_of_range",
        &["10000000000005.00", "10000000000000.00"],
    );
    assert!(!e.contains("ledger invalid"), "{e}");
    check_ok(&l);
}

#[test]
fn d9_instants_past_year_9999_are_refused() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    // A deadline past 9999 would be written: refused, nothing written.
    refused(
        &l,
        || {
            cl(
                &l,
                "9999-12-30T00:00:00Z",
                &["end", "f1", "--pay", "none", "--yes"],
            )
        },
        "out_of_time",
        &[],
    );
    refused(
        &l,
        || cl(&l, "9999-12-31T23:00:00-05:00", &["show", "f1"]),
        2,
        &["outside the years 1 to 9999"],
    );
    check_ok(&l);
}

#[test]
fn d10_list_and_show_agree_on_hourly_money() {
    let l = Ledger::new();
    hourly(&l);
    log(
        &l,
        "2026-11-17T12:00:00Z",
        "2026-11-17 09:00",
        "2026-11-17 11:00",
    )
    .ok();
    let now = "2026-11-30T00:00:00Z"; // W47 settled on Sat 28 Nov
    let list = fl(&l, now, &["--json", "list"]).ok().json();
    let show = fl(&l, now, &["--json", "show", "h"]).ok().json();
    assert_eq!(list[0]["paid"], "100.00");
    for k in ["paid", "fee", "net", "refunded", "escrow"] {
        assert_eq!(list[0][k], show[k], "{k}");
    }
    // `sweep` records the week's pay on the contract, as the system, dated
    // at the settlement.
    l.run_at(now, &["sweep"]).ok();
    let text = l.read("contracts/h.toml");
    assert!(text.contains("week = \"2026-W47\""), "{text}");
    let log = l.run_at(now, &["--json", "log", "h"]).ok().json();
    let paid = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "week_paid")
        .expect("week_paid");
    assert_eq!(
        (&paid["actor"], &paid["at"], &paid["amount"]),
        (
            &Value::from("system"),
            &Value::from("2026-11-28T00:00:00Z"),
            &Value::from("100.00")
        )
    );
    assert!(paid.get("superseded").is_some());
}

#[test]
fn d11_comments_stay_with_their_entry_and_crlf_is_kept() {
    let l = Ledger::new();
    hourly(&l);
    for (a, b) in [("09:00", "10:00"), ("11:00", "12:00"), ("13:00", "14:00")] {
        fl(
            &l,
            "2026-11-16T15:00:00Z",
            &[
                "diary",
                "log",
                "h",
                "--from",
                &format!("2026-11-16 {a}"),
                "--to",
                &format!("2026-11-16 {b}"),
                "--memo",
                "m",
            ],
        )
        .ok();
    }
    let rel = "diary/2026-W47/h.toml";
    let text = l
        .read(rel)
        .replace(
            "[[entries]]\nid = \"2026W47-2\"",
            "# about two\n[[entries]]\nid = \"2026W47-2\"",
        )
        .replace(
            "[[entries]]\nid = \"2026W47-3\"",
            "# about three\n[[entries]]\nid = \"2026W47-3\"",
        )
        .replace('\n', "\r\n");
    l.write(rel, &text);
    fl(&l, "2026-11-16T15:00:00Z", &["diary", "rm", "h/2026W47-1"]).ok();
    log(
        &l,
        "2026-11-16T15:00:00Z",
        "2026-11-16 08:00",
        "2026-11-16 08:30",
    )
    .ok();
    let after = l.read(rel);
    assert!(
        after.contains("# about two\r\n[[entries]]\r\nid = \"2026W47-2\""),
        "{after}"
    );
    assert!(
        after.contains("# about three\r\n[[entries]]\r\nid = \"2026W47-3\""),
        "{after}"
    );
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "LF line in a CRLF file:\n{after}"
    );
    check_ok(&l);
}

#[test]
fn d13_bidi_controls_are_escaped_in_tables_and_json() {
    let l = Ledger::new();
    cl(
        &l,
        MON,
        &[
            "new",
            "--id",
            "b",
            "--title",
            "pay\u{202E}lanigiro",
            "--client",
            "A\u{2066}",
            "--freelancer",
            "B",
            "--hourly",
            "50",
        ],
    )
    .ok();
    for args in [
        &["list"][..],
        &["show", "b"],
        &["--json", "show", "b"],
        &["--json", "list"],
    ] {
        let r = l.run(args).ok();
        for bad in ['\u{202E}', '\u{2066}'] {
            assert!(
                !r.stdout.contains(bad),
                "{args:?}: raw {bad:?} in {}",
                r.stdout
            );
        }
    }
    let j = l.run(&["--json", "show", "b"]).ok().json();
    assert_eq!(
        j["title"], "pay\u{202E}lanigiro",
        "JSON readers get the text back"
    );
}

#[test]
fn d13_sweep_removes_leftover_temp_files_of_week_directories() {
    let l = Ledger::new();
    hourly(&l);
    log(
        &l,
        "2026-11-17T12:00:00Z",
        "2026-11-17 09:00",
        "2026-11-17 11:00",
    )
    .ok();
    let leftover = crate::reliability::temps(&l);
    assert!(leftover.is_empty());
    let dir = l.file("diary/2026-W47");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // A temp file as a crashed writer leaves it (the store's own prefix).
    let temp = format!(".tmp-{}", names[0]);
    std::fs::write(dir.join(&temp), "x").unwrap();
    assert_eq!(
        crate::reliability::temps(&l).len(),
        1,
        "the temp file is recognised"
    );
    l.run(&["sweep"]).ok();
    assert!(
        crate::reliability::temps(&l).is_empty(),
        "{:?}",
        crate::reliability::temps(&l)
    );
}

#[test]
fn d13_usage_and_environment() {
    let l = Ledger::new();
    // --milestone belongs to fixed contracts.
    refused(
        &l,
        || {
            cl(
                &l,
                MON,
                &[
                    "new",
                    "--title",
                    "T",
                    "--client",
                    "A",
                    "--freelancer",
                    "B",
                    "--hourly",
                    "50",
                    "--milestone",
                    "x=50",
                ],
            )
        },
        2,
        &["--milestone belongs to --fixed"],
    );
    // Empty variables count as unset.
    for var in ["CONTRACTS_ROLE", "CONTRACTS_NOW", "CONTRACTS_LEDGER"] {
        let out = l.cmd(&["list"]).env(var, "").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{var}=: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn d13_messages_say_what_would_be_allowed() {
    let l = Ledger::new();
    hourly(&l);
    // A forgotten timer blocks new time: the message says how to stop it.
    fl(
        &l,
        "2026-11-18T08:00:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    refused(
        &l,
        || {
            log(
                &l,
                "2026-11-18T12:00:00Z",
                "2026-11-18 09:00",
                "2026-11-18 10:00",
            )
        },
        "overlap",
        &["contracts diary stop h"],
    );
    // All of a milestone's escrow held by a refund request.
    l.fixed("f1", "500");
    cl(&l, "2026-11-18T10:00:00Z", &["refund", "request", "f1"]).ok();
    refused(
        &l,
        || {
            cl(
                &l,
                "2026-11-18T11:00:00Z",
                &["milestone", "approve", "f1", "1"],
            )
        },
        "held_by_refund",
        &[
            "has an open refund request of 500.00",
            "once the request is settled",
        ],
    );
    // Changes requested after the system released the milestone.
    l.fixed("f2", "500");
    fl(&l, "2026-11-02T10:00:00Z", &["milestone", "submit", "f2"]).ok();
    refused(
        &l,
        || {
            cl(
                &l,
                "2026-11-18T11:00:00Z",
                &["milestone", "request-changes", "f2"],
            )
        },
        "no_funded_milestone",
        &["milestone 1 was released on", "by the system"],
    );
}

// Found by the simulation through the core (tests/cli/core_sim.rs).

#[test]
fn sim_a_running_timers_start_cannot_move_into_the_future() {
    let l = Ledger::new();
    hourly(&l);
    fl(
        &l,
        "2026-11-18T09:00:00Z",
        &["diary", "start", "h", "--memo", "x"],
    )
    .ok();
    refused(
        &l,
        || {
            fl(
                &l,
                "2026-11-18T10:00:00Z",
                &["diary", "edit", "h/2026W47-1", "--from", "2026-11-18 11:00"],
            )
        },
        "timer_in_future",
        &[],
    );
}

#[test]
fn sim_end_releases_escrow_of_two_milestones_as_one_amount_and_one_request() {
    let l = Ledger::new();
    cl(
        &l,
        MON,
        &[
            "new",
            "--id",
            "f",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "66.66",
            "--milestone",
            "a=33.33",
            "--milestone",
            "b=33.33",
        ],
    )
    .ok();
    // Part of milestone 1 stays in escrow (no pending one to carry to
    // after milestone 2 is funded).
    l.with_json(|| cl(&l, "2026-11-16T09:00:00Z", &["milestone", "fund", "f", "2"]))
        .refused_for("still_funded");
    cl(
        &l,
        "2026-11-16T09:00:00Z",
        &["milestone", "approve", "f", "--amount", "20"],
    )
    .ok();
    cl(&l, "2026-11-16T10:00:00Z", &["milestone", "fund", "f"]).ok();
    let r = cl(
        &l,
        "2026-11-16T11:00:00Z",
        &["--json", "end", "f", "--pay", "31.11", "--yes"],
    )
    .ok()
    .json();
    let c = &r["contract"];
    let refunds = c["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "one refund request: {c:#}");
    let pays = c["payments"].as_array().unwrap();
    assert_eq!(
        pays.len(),
        2,
        "the approval, then one release at the end: {c:#}"
    );
    // 10 % of 31.11, rounded once: 3.11.
    let f = fl(&l, "2026-11-16T11:00:00Z", &["--json", "show", "f"])
        .ok()
        .json();
    assert_eq!(f["fee"], "5.11");
    check_ok(&l);
}

#[test]
fn sim_a_timer_left_running_two_weeks_ago_ends_where_it_stopped_counting() {
    let l = Ledger::new();
    l.hourly("h"); // made on Mon 2 Nov
    fl(
        &l,
        "2026-11-04T09:00:00Z",
        &["diary", "start", "h", "--memo", "old"],
    )
    .ok();
    // Two weeks later it counts no more (its week closed on Mon 9 Nov
    // 12:00): a new timer may start, and the old one's end is recorded
    // there, never discarded.
    fl(
        &l,
        "2026-11-18T09:00:00Z",
        &["diary", "start", "h", "--memo", "new"],
    )
    .ok();
    assert!(
        l.read("diary/2026-W45/h.toml")
            .contains("end = 2026-11-09T12:00:00Z")
    );
    // A pause stops the new one.
    let r = cl(&l, "2026-11-18T10:00:00Z", &["--json", "pause", "h"])
        .ok()
        .json();
    let stopped = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "timer_stopped")
        .count();
    assert_eq!(stopped, 1, "{r:#}");
    assert!(
        l.read("diary/2026-W47/h.toml")
            .contains("end = 2026-11-18T10:00:00Z")
    );
    check_ok(&l);
}

#[test]
fn sim_a_pause_stops_a_timer_left_running_weeks_ago() {
    let l = Ledger::new();
    l.hourly("h");
    fl(
        &l,
        "2026-11-04T09:00:00Z",
        &["diary", "start", "h", "--memo", "old"],
    )
    .ok();
    // Five weeks later, the pause records its end where it stopped counting.
    let r = cl(&l, "2026-12-09T10:00:00Z", &["--json", "pause", "h"])
        .ok()
        .json();
    assert!(
        r["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "timer_stopped")
    );
    assert!(
        l.read("diary/2026-W45/h.toml")
            .contains("end = 2026-11-09T12:00:00Z")
    );
    check_ok(&l);
}

#[test]
fn d9_the_largest_hourly_rate_settles_every_week_however_long() {
    let l = Ledger::new();
    let new = |id: &str, rate: &str| {
        cl(
            &l,
            "2025-01-06T00:00:00Z",
            &[
                "new",
                "--id",
                id,
                "--title",
                "T",
                "--client",
                "A",
                "--freelancer",
                "B",
                "--hourly",
                rate,
            ],
        )
    };
    // A billion an hour is the most: a week of every hour at it (168 000 000
    // 000.00) is an amount a ledger holds.
    refused(
        &l,
        || new("over", "1000000000.01"),
        "rate_too_high",
        &["1000000000.00"],
    );
    new("max", "1000000000").ok();
    // Sixty weeks of every hour, imported: paid grows past the largest single
    // amount (10 000 000 000 000.00), and every week still settles.
    let monday = chrono::DateTime::parse_from_rfc3339("2025-01-06T00:00:00Z").unwrap();
    let day = |n: i64| {
        (monday + chrono::Duration::days(n))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    // Each week imported in its review (Monday morning after it): weeks past
    // review take no new time (SPEC §2).
    let dir = tempfile::tempdir().unwrap();
    for w in 0..60 {
        let intervals: Vec<String> = (w * 7..w * 7 + 7)
            .map(|n| {
                format!(
                    r#"{{"id":{},"start":"{}","end":"{}","tags":["max"]}}"#,
                    n + 1,
                    day(n),
                    day(n + 1)
                )
            })
            .collect();
        let f = dir.path().join(format!("timew-{w}.json"));
        std::fs::write(&f, format!("[{}]", intervals.join(","))).unwrap();
        let review = (monday + chrono::Duration::days(7 * (w + 1)) + chrono::Duration::hours(6))
            .to_rfc3339();
        fl(&l, &review, &["diary", "import", f.to_str().unwrap()]).ok();
    }
    l.run_at("2026-04-01T00:00:00Z", &["sweep"]).ok();
    l.run_at("2026-04-02T00:00:00Z", &["sweep"]).ok();
    let show = l
        .run_at("2026-04-02T00:00:00Z", &["--json", "show", "max"])
        .ok()
        .json();
    // 60 weeks x 168 h x 1 000 000 000.00
    assert_eq!(show["paid"], "10080000000000.00", "{show:#}");
    check_ok(&l);
}
