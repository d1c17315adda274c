//! The work diary through the binary: logging, tracking, editing and
//! deleting time within the billing window, the weekly limit, `diary show`
//! (JSON and tables), hourly disputes and `diary import`. Every clock is
//! pinned; every refusal leaves the ledger byte-identical.

use crate::harness::{Expect, Ledger, NOW, Run};
use serde_json::{Value, json};

/// Wed 2026-11-18 11:30 UTC (NOW + 1h30m).
const LATER: &str = "2026-11-18T11:30:00Z";
/// Sun 23:59:59 of 2026-W47: the last second it is open.
const W47_LAST: &str = "2026-11-22T23:59:59Z";
/// Mon 00:00 of 2026-W48: 2026-W47 in review.
const W47_REVIEW: &str = "2026-11-23T00:00:00Z";
/// Mon 11:59:59: 2026-W47 still in review.
const W47_REVIEW_LAST: &str = "2026-11-23T11:59:59Z";
/// Mon 12:00: 2026-W47 invoiced.
const W47_INVOICED: &str = "2026-11-23T12:00:00Z";
/// Fri 23:59:59: the last second 2026-W47 is invoiced.
const W47_INVOICED_LAST: &str = "2026-11-27T23:59:59Z";
/// Sat 00:00: 2026-W47 settled.
const W47_SETTLED: &str = "2026-11-28T00:00:00Z";

/// Runs `args` as the freelancer at `now`.
fn fl_at(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut all = vec!["--as", "freelancer"];
    all.extend_from_slice(args);
    l.run_at(now, &all)
}

/// Runs `args` as the freelancer at the ledger's clock.
fn fl(l: &Ledger, args: &[&str]) -> Run {
    fl_at(l, &l.now.clone(), args)
}

/// `diary log ID --from A --to B --memo M` as the freelancer at `now`.
fn log_at(l: &Ledger, now: &str, id: &str, from: &str, to: &str, memo: &str) -> Run {
    fl_at(
        l,
        now,
        &[
            "diary", "log", id, "--from", from, "--to", to, "--memo", memo,
        ],
    )
}

/// The same at the ledger's clock.
fn log(l: &Ledger, id: &str, from: &str, to: &str, memo: &str) -> Run {
    log_at(l, &l.now.clone(), id, from, to, memo)
}

/// A week file's text.
fn week_file(l: &Ledger, week: &str, id: &str) -> String {
    l.read(&format!("diary/{week}/{id}.toml"))
}

/// Whether a week file exists.
fn has_week_file(l: &Ledger, week: &str, id: &str) -> bool {
    l.file(&format!("diary/{week}/{id}.toml")).exists()
}

/// `diary show ARGS --json` at `now` (as the ledger's role).
fn show_json(l: &Ledger, now: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "diary", "show"];
    all.extend_from_slice(args);
    l.run_at(now, &all).ok().json()
}

/// The one contract of the one week of a `diary show ID --json`.
fn sheet(l: &Ledger, now: &str, args: &[&str]) -> Value {
    let v = show_json(l, now, args);
    let weeks = v["weeks"].as_array().expect("weeks");
    assert_eq!(weeks.len(), 1, "{v:#}");
    let cs = weeks[0]["contracts"].as_array().expect("contracts");
    assert_eq!(cs.len(), 1, "{v:#}");
    cs[0].clone()
}

/// Runs a command that must be refused — `why`: an exit code, or for a
/// refusal of the rules its reason (then run with `--json`) — mention every
/// needle in its message and leave every file of the ledger byte-identical.
/// Returns the message.
#[track_caller]
fn refused_at(
    l: &Ledger,
    now: &str,
    args: &[&str],
    why: impl Into<Expect>,
    needles: &[&str],
) -> String {
    let before = l.snapshot();
    let message = match why.into() {
        Expect::Reason(reason) => {
            let mut all = vec!["--json"];
            all.extend_from_slice(args);
            let r = l.run_at(now, &all).refused_for(reason);
            r.json_err()["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
        Expect::Code(code) => l.run_at(now, args).code(code).stderr,
    };
    for n in needles {
        assert!(
            message.contains(n),
            "`{n}` not in the message of {args:?}:\n{message}"
        );
    }
    assert!(
        l.snapshot() == before,
        "{args:?} was refused but changed files"
    );
    message
}

/// The same as the freelancer.
#[track_caller]
fn fl_refused_at(
    l: &Ledger,
    now: &str,
    args: &[&str],
    why: impl Into<Expect>,
    needles: &[&str],
) -> String {
    let mut all = vec!["--as", "freelancer"];
    all.extend_from_slice(args);
    refused_at(l, now, &all, why, needles)
}

/// A ledger with hourly `h1` (50/h, 10 h limit, started 2026-11-02).
fn with_h1() -> Ledger {
    let l = Ledger::new();
    l.hourly("h1");
    l
}

/// Creates an hourly contract with extra flags (`--no-manual-time`, ...).
fn hourly_with(l: &Ledger, id: &str, rate: &str, extra: &[&str]) {
    let mut args = vec![
        "new",
        "--id",
        id,
        "--title",
        "Design",
        "--client",
        "Acme",
        "--freelancer",
        "Bob",
        "--hourly",
        rate,
    ];
    args.extend_from_slice(extra);
    l.run_at("2026-11-02T09:00:00Z", &args).ok();
}

/// Writes a `timew export` document outside the ledger; returns its path.
fn export(dir: &tempfile::TempDir, json: &str) -> String {
    let p = dir.path().join("export.json");
    std::fs::write(&p, json).expect("write export");
    p.display().to_string()
}

// ---------------------------------------------------------------------------
// 1. Refusals of `diary log`

#[test]
fn log_writes_one_entry_into_its_week_file() {
    let l = with_h1();
    let r = log(
        &l,
        "h1",
        "2026-11-17 09:00",
        "2026-11-17 10:30",
        "API design",
    )
    .ok();
    assert!(r.stdout.contains("logged h1/2026W47-1"), "{}", r.stdout);
    assert_eq!(
        week_file(&l, "2026-W47", "h1"),
        "version = 3\ncontract = \"h1\"\nweek = \"2026-W47\"\n\n[[entries]]\nid = \"2026W47-1\"\nstart = 2026-11-17T09:00:00Z\nend = 2026-11-17T10:30:00Z\nmemo = \"API design\"\nmanual = true\nat = 2026-11-18T10:00:00Z\n"
    );
}

#[test]
fn log_by_the_client_is_refused() {
    let l = with_h1();
    refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-17 09:00",
            "--to",
            "2026-11-17 10:00",
            "--memo",
            "x",
        ],
        "not_the_party",
        &[],
    );
    assert!(!l.file("diary").join("2026-W47").exists());
}

#[test]
fn log_on_a_fixed_contract_is_refused() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    fl_refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "f1",
            "--from",
            "2026-11-17 09:00",
            "--to",
            "2026-11-17 10:00",
            "--memo",
            "x",
        ],
        "not_hourly",
        &[],
    );
}

#[test]
fn log_on_a_paused_contract_is_refused_until_resumed() {
    let l = with_h1();
    l.run(&["pause", "h1"]).ok();
    let args = [
        "diary",
        "log",
        "h1",
        "--from",
        "2026-11-17 09:00",
        "--to",
        "2026-11-17 10:00",
        "--memo",
        "x",
    ];
    fl_refused_at(&l, NOW, &args, "contract_paused", &[]);
    fl_refused_at(
        &l,
        NOW,
        &["diary", "start", "h1", "--memo", "x"],
        "contract_paused",
        &[],
    );
    l.run(&["resume", "h1"]).ok();
    fl(&l, &args).ok();
    assert!(week_file(&l, "2026-W47", "h1").contains("2026W47-1"));
}

#[test]
fn log_on_an_ended_contract_is_refused_the_diary_is_locked() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "before").ok();
    l.run(&["end", "h1", "--yes"]).ok();
    for args in [
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16 09:00",
            "--to",
            "2026-11-16 10:00",
            "--memo",
            "x",
        ][..],
        &["diary", "start", "h1", "--memo", "x"][..],
    ] {
        fl_refused_at(&l, LATER, args, "ended", &[]);
    }
}

#[test]
fn no_manual_time_refuses_log_but_tracks_with_start_and_stop() {
    let l = Ledger::new();
    hourly_with(&l, "h2", "40", &["--no-manual-time"]);
    fl_refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "h2",
            "--from",
            "2026-11-17 09:00",
            "--to",
            "2026-11-17 10:00",
            "--memo",
            "x",
        ],
        "manual_time_not_allowed",
        &[],
    );
    fl_at(&l, NOW, &["diary", "start", "h2", "--memo", "tracked"]).ok();
    fl_at(&l, LATER, &["diary", "stop", "h2"]).ok();
    assert_eq!(
        week_file(&l, "2026-W47", "h2"),
        "version = 3\ncontract = \"h2\"\nweek = \"2026-W47\"\n\n[[entries]]\nid = \"2026W47-1\"\nstart = 2026-11-18T10:00:00Z\nend = 2026-11-18T11:30:00Z\nmemo = \"tracked\"\nmanual = false\nat = 2026-11-18T11:30:00Z\n"
    );
}

#[test]
fn log_that_ends_before_it_starts_or_in_the_future_is_refused() {
    let l = with_h1();
    let log_args = |from: &'static str, to: &'static str| {
        [
            "diary", "log", "h1", "--from", from, "--to", to, "--memo", "x",
        ]
    };
    fl_refused_at(
        &l,
        NOW,
        &log_args("2026-11-17 10:00", "2026-11-17 09:00"),
        "end_not_after_start",
        &[],
    );
    fl_refused_at(
        &l,
        NOW,
        &log_args("2026-11-17 10:00", "2026-11-17 10:00"),
        "end_not_after_start",
        &[],
    );
    fl_refused_at(
        &l,
        NOW,
        &log_args("2026-11-18 09:00", "2026-11-18 10:01"),
        "ends_in_future",
        &[],
    );
    // Ending exactly now is fine.
    fl(&l, &log_args("2026-11-18 09:00", "2026-11-18 10:00")).ok();
}

#[test]
fn log_overlapping_an_entry_is_refused_touching_is_fine() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:30", "a").ok();
    for (from, to) in [
        ("2026-11-17 10:00", "2026-11-17 11:00"),
        ("2026-11-17 08:00", "2026-11-17 09:01"),
        ("2026-11-17 09:15", "2026-11-17 09:45"),
        ("2026-11-17 08:00", "2026-11-17 12:00"),
    ] {
        fl_refused_at(
            &l,
            NOW,
            &[
                "diary", "log", "h1", "--from", from, "--to", to, "--memo", "b",
            ],
            "overlap",
            &[],
        );
    }
    log(&l, "h1", "2026-11-17 10:30", "2026-11-17 11:00", "touching").ok();
    log(&l, "h1", "2026-11-17 08:00", "2026-11-17 09:00", "touching").ok();
    let text = week_file(&l, "2026-W47", "h1");
    assert_eq!(text.matches("[[entries]]").count(), 3, "{text}");
    // Sorted by start in the file, ids stable in logging order.
    let ids: Vec<&str> = text.lines().filter(|x| x.starts_with("id = ")).collect();
    assert_eq!(
        ids,
        [
            "id = \"2026W47-3\"",
            "id = \"2026W47-1\"",
            "id = \"2026W47-2\""
        ]
    );
}

#[test]
fn log_overlapping_an_entry_of_the_previous_week_that_runs_past_monday_is_refused() {
    let l = with_h1();
    // Monday 11:00: 2026-W46 is in review, still editable.
    let mon = "2026-11-16T11:00:00Z";
    log_at(
        &l,
        mon,
        "h1",
        "2026-11-15 23:00",
        "2026-11-16 01:00",
        "late",
    )
    .ok();
    assert!(week_file(&l, "2026-W46", "h1").contains("end = 2026-11-16T01:00:00Z"));
    assert!(!has_week_file(&l, "2026-W47", "h1"));
    fl_refused_at(
        &l,
        mon,
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16 00:30",
            "--to",
            "2026-11-16 01:30",
            "--memo",
            "x",
        ],
        "overlap",
        &[],
    );
    log_at(
        &l,
        mon,
        "h1",
        "2026-11-16 01:00",
        "2026-11-16 02:00",
        "after",
    )
    .ok();
    assert!(week_file(&l, "2026-W47", "h1").contains("start = 2026-11-16T01:00:00Z"));
}

#[test]
fn log_overlapping_a_running_timer_is_refused() {
    let l = with_h1();
    fl_at(
        &l,
        "2026-11-18T09:00:00Z",
        &["diary", "start", "h1", "--memo", "t"],
    )
    .ok();
    fl_refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-18 09:30",
            "--to",
            "2026-11-18 09:45",
            "--memo",
            "x",
        ],
        "overlap",
        &[],
    );
}

#[test]
fn log_into_an_invoiced_week_is_refused_naming_the_editable_week() {
    let l = with_h1();
    let err = fl_refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-13 09:00",
            "--to",
            "2026-11-13 10:00",
            "--memo",
            "x",
        ],
        "week_closed",
        &[
            "2026-W46 is invoiced",
            "only in 2026-W47 (open until Sun 22 Nov 23:59 UTC)",
        ],
    );
    assert!(!err.contains("in review until"), "{err}");
}

#[test]
fn log_into_a_week_in_review_until_monday_noon() {
    let l = with_h1();
    let args = |from: &'static str, to: &'static str| {
        [
            "diary", "log", "h1", "--from", from, "--to", to, "--memo", "x",
        ]
    };
    // Mon 11:59:59: 2026-W47 in review, accepted.
    fl_at(
        &l,
        W47_REVIEW_LAST,
        &args("2026-11-20 09:00", "2026-11-20 10:00"),
    )
    .ok();
    assert!(week_file(&l, "2026-W47", "h1").contains("start = 2026-11-20T09:00:00Z"));
    // ... while 2026-W46 is not; the message names both editable weeks.
    fl_refused_at(
        &l,
        W47_REVIEW_LAST,
        &args("2026-11-13 09:00", "2026-11-13 10:00"),
        "week_closed",
        &[],
    );
    // Mon 12:00:00: invoiced.
    fl_refused_at(
        &l,
        W47_INVOICED,
        &args("2026-11-20 11:00", "2026-11-20 12:00"),
        "week_closed",
        &[],
    );
}

#[test]
fn log_errors_are_json_with_exit_code_under_json() {
    let l = with_h1();
    let before = l.snapshot();
    let r = fl(
        &l,
        &[
            "--json",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-13 09:00",
            "--to",
            "2026-11-13 10:00",
            "--memo",
            "x",
        ],
    )
    .refused_for("week_closed");
    let e = r.json_err();
    assert_eq!(e["error"]["exit_code"], 4);
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("2026-W47")),
        "{e}"
    );
    assert!(l.snapshot() == before);
}

// ---------------------------------------------------------------------------
// 2. start / stop

#[test]
fn one_running_timer_per_contract_shown_everywhere() {
    let l = with_h1();
    let r = fl_at(&l, NOW, &["diary", "start", "h1", "--memo", "triage"]).ok();
    assert!(r.stdout.contains("started h1/2026W47-1"), "{}", r.stdout);
    let text = week_file(&l, "2026-W47", "h1");
    assert!(text.contains("start = 2026-11-18T10:00:00Z"), "{text}");
    assert!(!text.contains("end ="), "{text}");
    assert!(text.contains("manual = false"), "{text}");

    fl_refused_at(
        &l,
        "2026-11-18T10:05:00Z",
        &["diary", "start", "h1", "--memo", "again"],
        "timer_running",
        &[],
    );

    let list = l.run_at(LATER, &["list"]).ok();
    assert!(list.stdout.contains("1h30m (running)"), "{}", list.stdout);
    let c = l.run_at(LATER, &["--json", "show", "h1"]).ok().json();
    assert_eq!(c["this_week"]["running_since"], NOW);
    assert_eq!(c["this_week"]["minutes"], 90);

    let t = l.run_at(LATER, &["diary", "show"]).ok().stdout;
    assert!(t.contains("10:00–running"), "{t}");
    assert!(t.contains("tracking"), "{t}");
    let s = sheet(&l, LATER, &["h1"]);
    assert_eq!(s["entries"][0]["end"], Value::Null);
    assert_eq!(s["entries"][0]["minutes"], 90);
    assert_eq!(s["minutes"], 90);

    // The client cannot stop it.
    refused_at(&l, LATER, &["diary", "stop", "h1"], "not_the_party", &[]);

    let r = fl_at(&l, LATER, &["diary", "stop", "h1"]).ok();
    assert!(r.stdout.contains("stopped h1/2026W47-1"), "{}", r.stdout);
    assert!(week_file(&l, "2026-W47", "h1").contains("end = 2026-11-18T11:30:00Z"));
    let c = l.run_at(LATER, &["--json", "show", "h1"]).ok().json();
    assert_eq!(c["this_week"]["running_since"], Value::Null);
    let t = l.run_at(LATER, &["diary", "show"]).ok().stdout;
    assert!(t.contains("10:00–11:30") && t.contains("tracked"), "{t}");

    // A second timer after the first stopped is fine.
    fl_at(&l, LATER, &["diary", "start", "h1", "--memo", "two"]).ok();
    assert!(week_file(&l, "2026-W47", "h1").contains("id = \"2026W47-2\""));
}

#[test]
fn stop_with_nothing_running_is_refused() {
    let l = with_h1();
    fl_refused_at(&l, NOW, &["diary", "stop", "h1"], "no_timer", &[]);
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "x").ok();
    fl_refused_at(&l, NOW, &["diary", "stop", "h1"], "no_timer", &[]);
}

#[test]
fn timers_of_two_contracts_run_side_by_side() {
    let l = with_h1();
    l.hourly("h2");
    fl_at(&l, NOW, &["diary", "start", "h1", "--memo", "a"]).ok();
    fl_at(&l, NOW, &["diary", "start", "h2", "--memo", "b"]).ok();
    fl_at(&l, LATER, &["diary", "stop", "h2"]).ok();
    assert!(week_file(&l, "2026-W47", "h2").contains("end = 2026-11-18T11:30:00Z"));
    assert!(!week_file(&l, "2026-W47", "h1").contains("end ="));
}

#[test]
fn a_timer_running_at_the_end_stops_at_the_end() {
    let l = with_h1();
    fl_at(&l, NOW, &["diary", "start", "h1", "--memo", "t"]).ok();
    let r = l
        .run_at("2026-11-18T11:00:00Z", &["--json", "end", "h1", "--yes"])
        .ok()
        .json();
    // `end` itself records the timer's end, in the same command.
    assert!(week_file(&l, "2026-W47", "h1").contains("end = 2026-11-18T11:00:00Z"));
    let evs: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(evs, ["ended", "timer_stopped"]);
    let s = sheet(&l, "2026-11-18T12:00:00Z", &["h1"]);
    assert_eq!(s["minutes"], 60, "time counts up to the end: {s:#}");
    fl_refused_at(
        &l,
        "2026-11-18T12:00:00Z",
        &["diary", "stop", "h1"],
        "no_timer",
        &[],
    );
}

#[test]
fn stop_caps_a_timer_left_running_at_the_review_close() {
    let l = with_h1();
    fl_at(
        &l,
        "2026-11-22T23:00:00Z",
        &["diary", "start", "h1", "--memo", "late"],
    )
    .ok();
    // Monday: the timer of last week is found, and a second one refused.
    fl_refused_at(
        &l,
        "2026-11-23T01:00:00Z",
        &["diary", "start", "h1", "--memo", "x"],
        "timer_running",
        &[],
    );
    let r = fl_at(&l, "2026-11-23T13:00:00Z", &["diary", "stop", "h1"]).ok();
    assert!(
        r.stdout
            .contains("2026-W47 closed for edits at Mon 23 Nov 12:00 UTC"),
        "{}",
        r.stdout
    );
    assert!(week_file(&l, "2026-W47", "h1").contains("end = 2026-11-23T12:00:00Z"));
    assert!(!has_week_file(&l, "2026-W48", "h1"));
    let s = sheet(&l, "2026-11-23T13:00:00Z", &["h1", "--week", "2026-W47"]);
    assert_eq!(s["minutes"], 780);
}

#[test]
fn an_invoiced_week_does_not_grow_while_a_timer_is_left_running() {
    let l = with_h1();
    fl_at(
        &l,
        "2026-11-22T23:00:00Z",
        &["diary", "start", "h1", "--memo", "late"],
    )
    .ok();
    let before_stop = sheet(&l, "2026-11-23T13:00:00Z", &["h1", "--week", "2026-W47"]);
    fl_at(&l, "2026-11-23T13:00:00Z", &["diary", "stop", "h1"]).ok();
    let after_stop = sheet(&l, "2026-11-23T13:00:00Z", &["h1", "--week", "2026-W47"]);
    assert_eq!(after_stop["minutes"], 780);
    assert_eq!(
        before_stop["minutes"], after_stop["minutes"],
        "the invoiced week's minutes changed when the timer was stopped"
    );
}

#[test]
fn a_timer_running_across_monday_still_shows_as_running() {
    let l = with_h1();
    fl_at(
        &l,
        "2026-11-22T23:00:00Z",
        &["diary", "start", "h1", "--memo", "late"],
    )
    .ok();
    let now = "2026-11-23T01:00:00Z";
    let c = l.run_at(now, &["--json", "show", "h1"]).ok().json();
    assert_eq!(c["this_week"]["running_since"], "2026-11-22T23:00:00Z");
    let list = l.run_at(now, &["list"]).ok().stdout;
    assert!(list.contains("(running)"), "{list}");
}

#[test]
fn log_with_at_and_duration() {
    let l = with_h1();
    fl(
        &l,
        &[
            "diary",
            "log",
            "h1",
            "--at",
            "2026-11-17 09:00",
            "--duration",
            "1h30m",
            "--memo",
            "d",
        ],
    )
    .ok();
    assert!(
        week_file(&l, "2026-W47", "h1")
            .contains("start = 2026-11-17T09:00:00Z\nend = 2026-11-17T10:30:00Z")
    );
    fl_refused_at(
        &l,
        NOW,
        &[
            "diary",
            "log",
            "h1",
            "--at",
            "2026-11-17 12:00",
            "--duration",
            "1.5h",
            "--memo",
            "d",
        ],
        2,
        &["--duration"],
    );
}

#[test]
fn time_before_the_contract_started_is_refused() {
    let l = Ledger::new();
    // Created on Monday 23 Nov 10:00 (2026-W48), while 2026-W47 is still in review.
    l.run_at(
        "2026-11-23T10:00:00Z",
        &[
            "new",
            "--id",
            "h9",
            "--title",
            "Late start",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
        ],
    )
    .ok();
    // Time lies within the contract's life (SPEC §2), the same rule as
    // `diary import`: earlier the same morning is refused, and so is the
    // week before; from the start on is fine.
    for (from, to) in [
        ("2026-11-23 08:00", "2026-11-23 09:00"),
        ("2026-11-23 09:30", "2026-11-23 10:30"),
        ("2026-11-20 09:00", "2026-11-20 10:00"),
    ] {
        fl_refused_at(
            &l,
            "2026-11-23T11:00:00Z",
            &[
                "diary", "log", "h9", "--from", from, "--to", to, "--memo", "x",
            ],
            "before_start",
            &[],
        );
    }
    l.run_at(
        "2026-11-23T11:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h9",
            "--from",
            "2026-11-23 10:00",
            "--to",
            "2026-11-23 11:00",
            "--memo",
            "kick-off",
        ],
    )
    .ok();
}

// ---------------------------------------------------------------------------
// 3. edit and rm

#[test]
fn edit_and_rm_in_the_open_week() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    log(&l, "h1", "2026-11-17 11:00", "2026-11-17 12:00", "b").ok();
    fl(&l, &["diary", "edit", "h1/2026W47-1", "--memo", "a2"]).ok();
    fl(
        &l,
        &["diary", "edit", "h1/2026W47-1", "--to", "2026-11-17 10:45"],
    )
    .ok();
    let text = week_file(&l, "2026-W47", "h1");
    assert!(text.contains("memo = \"a2\""), "{text}");
    assert!(text.contains("end = 2026-11-17T10:45:00Z"), "{text}");
    // An edit that would overlap the other entry is refused.
    fl_refused_at(
        &l,
        NOW,
        &["diary", "edit", "h1/2026W47-1", "--to", "2026-11-17 11:30"],
        "overlap",
        &[],
    );
    // ... and one that ends in the future.
    fl_refused_at(
        &l,
        NOW,
        &["diary", "edit", "h1/2026W47-2", "--to", "2026-11-18 11:00"],
        "ends_in_future",
        &[],
    );
    let r = fl(&l, &["diary", "rm", "h1/2026W47-2"]).ok();
    assert!(r.stdout.contains("deleted h1/2026W47-2"), "{}", r.stdout);
    let text = week_file(&l, "2026-W47", "h1");
    assert!(!text.contains("[[entries]]\nid = \"2026W47-2\""), "{text}");
    // Its removal leaves a record (a merge or a re-import cannot bring it back).
    assert!(
        text.contains("[[removed]]\nid = \"2026W47-2\"\nat = "),
        "{text}"
    );
    assert_eq!(text.matches("[[entries]]").count(), 1, "{text}");
    // The client neither edits nor deletes.
    refused_at(
        &l,
        NOW,
        &["diary", "edit", "h1/2026W47-1", "--memo", "c"],
        "not_the_party",
        &[],
    );
    refused_at(
        &l,
        NOW,
        &["diary", "rm", "h1/2026W47-1"],
        "not_the_party",
        &[],
    );
}

#[test]
fn edit_and_rm_follow_the_window() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    log(&l, "h1", "2026-11-17 11:00", "2026-11-17 12:00", "b").ok();
    log(&l, "h1", "2026-11-17 13:00", "2026-11-17 14:00", "c").ok();
    // Review: last edits.
    fl_at(
        &l,
        W47_REVIEW_LAST,
        &["diary", "edit", "h1/2026W47-1", "--memo", "reviewed"],
    )
    .ok();
    fl_at(&l, W47_REVIEW, &["diary", "rm", "h1/2026W47-2"]).ok();
    let text = week_file(&l, "2026-W47", "h1");
    assert!(text.contains("memo = \"reviewed\""), "{text}");
    assert!(!text.contains("[[entries]]\nid = \"2026W47-2\""), "{text}");
    // Its removal leaves a record (a merge or a re-import cannot bring it back).
    assert!(
        text.contains("[[removed]]\nid = \"2026W47-2\"\nat = "),
        "{text}"
    );
    // Invoiced: nothing changes.
    for args in [
        &["diary", "edit", "h1/2026W47-1", "--memo", "late"][..],
        &["diary", "rm", "h1/2026W47-3"][..],
    ] {
        fl_refused_at(&l, W47_INVOICED, args, "week_closed", &[]);
    }
}

#[test]
fn edit_cannot_move_an_entry_to_another_week() {
    let l = with_h1();
    // Mon 11:00: 2026-W46 in review, both weeks editable.
    let mon = "2026-11-16T11:00:00Z";
    log_at(&l, mon, "h1", "2026-11-16 09:00", "2026-11-16 10:00", "a").ok();
    fl_refused_at(
        &l,
        mon,
        &[
            "diary",
            "edit",
            "h1/2026W47-1",
            "--from",
            "2026-11-15 23:00",
        ],
        "other_week",
        &[],
    );
    // Ending past the next Monday is fine: the entry stays in its start week.
    log_at(&l, mon, "h1", "2026-11-15 22:00", "2026-11-15 23:00", "b").ok();
    fl_at(
        &l,
        mon,
        &["diary", "edit", "h1/2026W46-1", "--to", "2026-11-16 00:30"],
    )
    .ok();
    assert!(week_file(&l, "2026-W46", "h1").contains("end = 2026-11-16T00:30:00Z"));
}

#[test]
fn editing_times_makes_an_entry_manual() {
    let l = with_h1();
    fl_at(
        &l,
        "2026-11-18T08:00:00Z",
        &["diary", "start", "h1", "--memo", "t"],
    )
    .ok();
    fl_at(&l, "2026-11-18T09:00:00Z", &["diary", "stop", "h1"]).ok();
    fl(&l, &["diary", "edit", "h1/2026W47-1", "--memo", "t2"]).ok();
    assert!(week_file(&l, "2026-W47", "h1").contains("manual = false"));
    fl(
        &l,
        &["diary", "edit", "h1/2026W47-1", "--to", "2026-11-18 09:30"],
    )
    .ok();
    let text = week_file(&l, "2026-W47", "h1");
    assert!(text.contains("manual = true"), "{text}");
    assert!(text.contains("end = 2026-11-18T09:30:00Z"), "{text}");
}

#[test]
fn no_manual_time_keeps_tracked_times_but_allows_memo() {
    let l = Ledger::new();
    hourly_with(&l, "h2", "40", &["--no-manual-time"]);
    fl_at(
        &l,
        "2026-11-18T08:00:00Z",
        &["diary", "start", "h2", "--memo", "t"],
    )
    .ok();
    fl_at(&l, "2026-11-18T09:00:00Z", &["diary", "stop", "h2"]).ok();
    for flag in ["--from", "--to"] {
        fl_refused_at(
            &l,
            NOW,
            &["diary", "edit", "h2/2026W47-1", flag, "2026-11-18 08:30"],
            "manual_time_not_allowed",
            &[],
        );
    }
    fl(&l, &["diary", "edit", "h2/2026W47-1", "--memo", "better"]).ok();
    let text = week_file(&l, "2026-W47", "h2");
    assert!(text.contains("memo = \"better\""), "{text}");
    assert!(text.contains("manual = false"), "{text}");
    assert!(text.contains("end = 2026-11-18T09:00:00Z"), "{text}");
}

#[test]
fn edit_and_rm_of_unknown_or_malformed_entries() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    for entry in ["h1/2026W47-9", "h1/2026W46-1", "zz/2026W47-1"] {
        fl_refused_at(&l, NOW, &["diary", "rm", entry], 3, &[]);
        fl_refused_at(&l, NOW, &["diary", "edit", entry, "--memo", "x"], 3, &[]);
    }
    let err = fl_refused_at(&l, NOW, &["diary", "rm", "h1"], 2, &["c7/2026W47-3"]);
    assert!(err.contains("`h1` is not an entry"), "{err}");
    for entry in [
        "h1/",
        "h1/2026-W47-1",
        "h1/2026W47",
        "h1/2026W47-x",
        "h1/2026W54-1",
        "../h1/2026W47-1",
    ] {
        fl_refused_at(&l, NOW, &["diary", "rm", entry], 2, &[]);
        fl_refused_at(&l, NOW, &["diary", "edit", entry, "--memo", "x"], 2, &[]);
    }
    // Nothing to change is a usage error too.
    fl_refused_at(&l, NOW, &["diary", "edit", "h1/2026W47-1"], 2, &[]);
}

#[test]
fn after_end_nothing_in_the_diary_changes() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    l.run(&["end", "h1", "--yes"]).ok();
    for args in [
        &["diary", "edit", "h1/2026W47-1", "--memo", "x"][..],
        &["diary", "edit", "h1/2026W47-1", "--to", "2026-11-17 09:30"][..],
        &["diary", "rm", "h1/2026W47-1"][..],
    ] {
        fl_refused_at(&l, LATER, args, "ended", &[]);
    }
    // The time already logged is still billed.
    let s = sheet(&l, LATER, &["h1"]);
    assert_eq!(s["minutes"], 60);
    assert_eq!(s["amount"], "50.00");
}

// ---------------------------------------------------------------------------
// 4. The weekly limit

#[test]
fn limit_is_the_clients_and_hourly_only() {
    let l = with_h1();
    l.fixed("f1", "500");
    fl_refused_at(&l, NOW, &["limit", "h1", "20"], "not_the_party", &[]);
    refused_at(&l, NOW, &["limit", "f1", "20"], "not_hourly", &[]);
    refused_at(&l, NOW, &["limit", "h1", "10"], "limit_unchanged", &[]);
    refused_at(&l, NOW, &["limit", "h1", "ten"], 2, &[]);
    refused_at(&l, NOW, &["limit", "zz", "20"], 3, &[]);
}

#[test]
fn a_raise_applies_to_the_current_week_at_once() {
    let l = with_h1();
    log(&l, "h1", "2026-11-16 08:00", "2026-11-16 16:00", "a").ok();
    log(&l, "h1", "2026-11-17 08:00", "2026-11-17 12:30", "b").ok();
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["weekly_limit_hours"], 10);
    assert_eq!(
        (
            &s["minutes"],
            &s["billable_minutes"],
            &s["over_limit_minutes"]
        ),
        (&Value::from(750), &Value::from(600), &Value::from(150))
    );
    assert_eq!(s["amount"], "500.00");

    l.run(&["limit", "h1", "20"]).ok();
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["weekly_limit_hours"], 20);
    assert_eq!(s["billable_minutes"], 750);
    assert_eq!(s["over_limit_minutes"], 0);
    assert_eq!(s["amount"], "625.00");
    // The week before keeps its limit.
    assert_eq!(
        sheet(&l, NOW, &["h1", "--week", "2026-W46"])["weekly_limit_hours"],
        10
    );

    l.run(&["limit", "h1", "none"]).ok();
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["weekly_limit_hours"], Value::Null);
    assert_eq!(s["over_limit_minutes"], 0);
}

#[test]
fn a_cut_applies_from_next_monday() {
    let l = with_h1();
    log(&l, "h1", "2026-11-16 08:00", "2026-11-16 16:00", "a").ok();
    let r = l.run(&["limit", "h1", "5"]).ok();
    assert!(r.stdout.contains("2026-W48") || r.stderr.contains("2026-W48"));
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["weekly_limit_hours"], 10, "the current week keeps it");
    assert_eq!(s["billable_minutes"], 480);
    assert_eq!(
        sheet(&l, NOW, &["h1", "--week", "2026-W48"])["weekly_limit_hours"],
        5
    );
    let t = l
        .run(&["diary", "show", "h1", "--week", "2026-W48"])
        .ok()
        .stdout;
    assert!(t.contains("2026-W48"), "{t}");
    // Next week, the cut applies to the current week.
    let s = sheet(&l, "2026-11-25T10:00:00Z", &["h1"]);
    assert_eq!(s["weekly_limit_hours"], 5);
    // A raise back before Monday replaces the pending cut.
    l.run(&["limit", "h1", "12"]).ok();
    assert_eq!(sheet(&l, NOW, &["h1"])["weekly_limit_hours"], 12);
    assert_eq!(
        sheet(&l, NOW, &["h1", "--week", "2026-W48"])["weekly_limit_hours"],
        12
    );
}

#[test]
fn the_limit_fills_in_entry_order() {
    let l = with_h1();
    // Logged out of order: Tuesday first, then Monday. Monday fills first.
    log(&l, "h1", "2026-11-17 08:00", "2026-11-17 12:30", "tue").ok();
    log(&l, "h1", "2026-11-16 08:00", "2026-11-16 16:00", "mon").ok();
    let t = l.run(&["diary", "show", "h1"]).ok().stdout;
    let row = |id: &str| {
        t.lines()
            .find(|x| x.contains(id))
            .unwrap_or_else(|| panic!("{id} in {t}"))
            .split('┆')
            .map(|c| c.trim_matches(|ch: char| ch == '│' || ch.is_whitespace()))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mon = row("h1/2026W47-2");
    let tue = row("h1/2026W47-1");
    assert_eq!((&mon[3][..], &mon[4][..]), ("8h00m", "8h00m"), "{t}");
    assert_eq!((&tue[3][..], &tue[4][..]), ("4h30m", "2h00m"), "{t}");
    assert!(
        t.contains("Total 12h30m · limit 10h · billable 10h00m · over limit 2h30m"),
        "{t}"
    );
}

#[test]
fn amounts_are_rounded_once_per_week_half_away_from_zero() {
    let l = Ledger::new();
    hourly_with(&l, "r1", "33.33", &["--weekly-limit", "none"]);
    log(&l, "r1", "2026-11-17 09:00", "2026-11-17 09:10", "ten").ok();
    assert_eq!(sheet(&l, NOW, &["r1"])["amount"], "5.56");

    // Three single minutes at 50/h: 2.50 for the week, not 3 x 0.83.
    let l = with_h1();
    for (a, b) in [("09:00", "09:01"), ("10:00", "10:01"), ("11:00", "11:01")] {
        log(
            &l,
            "h1",
            &format!("2026-11-17 {a}"),
            &format!("2026-11-17 {b}"),
            "m",
        )
        .ok();
    }
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["minutes"], 3);
    assert_eq!(s["amount"], "2.50");
}

#[test]
fn seconds_count_and_the_amount_is_rounded_once() {
    let l = with_h1();
    log(
        &l,
        "h1",
        "2026-11-17T09:00:00Z",
        "2026-11-17T09:10:59Z",
        "s",
    )
    .ok();
    let s = sheet(&l, NOW, &["h1"]);
    assert_eq!(s["entries"][0]["end"], "2026-11-17T09:10:59Z");
    assert_eq!(s["minutes"], 10);
    assert_eq!(s["seconds"], 659);
    // 659 s at 50.00/h = 9.1527… -> 9.15
    assert_eq!(s["amount"], "9.15");
}

// ---------------------------------------------------------------------------
// 5. `diary show --json`

#[test]
fn show_json_has_the_shape_of_the_spec() {
    let l = with_h1();
    log(
        &l,
        "h1",
        "2026-11-17 09:00",
        "2026-11-17 10:30",
        "API design",
    )
    .ok();
    let v = show_json(&l, NOW, &["h1"]);
    let weeks = v["weeks"].as_array().expect("weeks array");
    assert_eq!(weeks.len(), 1);
    let w = &weeks[0];
    assert_eq!(w["week"], "2026-W47");
    assert_eq!(w["stage"], "open");
    let c = &w["contracts"][0];
    assert_eq!(c["id"], "h1");
    assert_eq!(c["minutes"], 90);
    assert_eq!(c["billable_minutes"], 90);
    assert_eq!(c["over_limit_minutes"], 0);
    assert_eq!(c["amount"], "75.00");
    let entries = c["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    for k in ["id", "start", "end", "minutes", "memo", "manual"] {
        assert!(e.get(k).is_some(), "entry key {k}: {e}");
    }
    assert_eq!(e["id"], "h1/2026W47-1");
    assert_eq!(e["start"], "2026-11-17T09:00:00Z");
    assert_eq!(e["end"], "2026-11-17T10:30:00Z");
    assert_eq!(e["minutes"], 90);
    assert_eq!(e["memo"], "API design");
    assert_eq!(e["manual"], true);
    // The client sees no fee; the freelancer does.
    assert!(c.get("fee").is_none(), "{c}");
    let f = &fl(&l, &["--json", "diary", "show", "h1"]).ok().json()["weeks"][0]["contracts"][0];
    assert_eq!(f["fee"], "7.50");
    assert_eq!(f["net"], "67.50");
    // A view writes nothing.
    let before = l.snapshot();
    show_json(&l, NOW, &[]);
    assert!(l.snapshot() == before);
}

#[test]
fn show_json_stage_at_the_boundaries() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    for (now, stage) in [
        ("2026-11-16T00:00:00Z", "open"),
        (W47_LAST, "open"),
        (W47_REVIEW, "review"),
        (W47_REVIEW_LAST, "review"),
        (W47_INVOICED, "invoiced"),
        (W47_INVOICED_LAST, "invoiced"),
        (W47_SETTLED, "settled"),
    ] {
        let v = show_json(&l, now, &["--week", "2026-W47"]);
        assert_eq!(v["weeks"][0]["stage"], stage, "at {now}");
    }
    let v = show_json(&l, "2026-11-15T23:59:59Z", &["h1", "--week", "2026-W47"]);
    assert_eq!(v["weeks"][0]["stage"], "future");
}

#[test]
fn show_without_id_covers_every_contract_with_time_and_only_those() {
    let l = with_h1();
    l.hourly("h2");
    l.hourly("h3");
    l.fixed("f1", "500");
    let mon = "2026-11-16T11:00:00Z";
    log_at(&l, mon, "h2", "2026-11-10 09:00", "2026-11-10 11:00", "old").ok();
    log(&l, "h2", "2026-11-17 09:00", "2026-11-17 10:00", "b").ok();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();

    let ids = |v: &Value, i: usize| -> Vec<String> {
        v["weeks"][i]["contracts"]
            .as_array()
            .expect("contracts")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    let v = show_json(&l, NOW, &[]);
    assert_eq!(ids(&v, 0), ["h1", "h2"]);
    assert_eq!(v["weeks"][0]["minutes"], 120);
    assert_eq!(v["weeks"][0]["amount"], "100.00");
    let v = show_json(&l, NOW, &["--week", "2026-W46"]);
    assert_eq!(ids(&v, 0), ["h2"]);
    let v = show_json(&l, NOW, &["--week", "2026-W45"]);
    assert_eq!(ids(&v, 0), Vec::<String>::new());
    let t = l.run(&["diary", "show", "--week", "2026-W45"]).ok().stdout;
    assert!(t.contains("no contract has time in this week"), "{t}");

    // A range covers several weeks, in order.
    let v = show_json(&l, NOW, &["--from", "2026-11-09", "--to", "2026-11-22"]);
    let weeks: Vec<&str> = v["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(|w| w["week"].as_str().expect("week"))
        .collect();
    assert_eq!(weeks, ["2026-W46", "2026-W47"]);
    assert_eq!(ids(&v, 0), ["h2"]);
    assert_eq!(ids(&v, 1), ["h1", "h2"]);
    assert_eq!(v["weeks"][0]["stage"], "invoiced");
    let v = show_json(&l, NOW, &["--from", "2026-11-01", "--to", "2026-11-30"]);
    assert_eq!(v["weeks"].as_array().expect("weeks").len(), 6);
    // A single day gives its week; bad ranges are usage errors.
    let v = show_json(&l, NOW, &["--from", "2026-11-10", "--to", "2026-11-10"]);
    assert_eq!(v["weeks"][0]["week"], "2026-W46");
    refused_at(
        &l,
        NOW,
        &[
            "diary",
            "show",
            "--from",
            "2026-11-22",
            "--to",
            "2026-11-09",
        ],
        2,
        &[],
    );
    refused_at(&l, NOW, &["diary", "show", "--week", "2026-47"], 2, &[]);
    refused_at(&l, NOW, &["diary", "show", "zz"], 3, &[]);
}

#[test]
fn show_without_id_skips_a_contract_whose_entries_were_all_deleted() {
    let l = with_h1();
    l.hourly("h2");
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    log(&l, "h2", "2026-11-17 09:00", "2026-11-17 10:00", "b").ok();
    fl(&l, &["diary", "rm", "h2/2026W47-1"]).ok();
    let v = show_json(&l, NOW, &[]);
    let ids: Vec<&str> = v["weeks"][0]["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["h1"]);
    let t = l.run(&["diary", "show"]).ok().stdout;
    assert!(!t.contains("h2 — "), "{t}");
}

#[test]
fn show_by_day_groups_entries_per_day() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 10:00", "a").ok();
    log(&l, "h1", "2026-11-17 11:00", "2026-11-17 11:30", "b").ok();
    log(&l, "h1", "2026-11-18 08:00", "2026-11-18 09:00", "c").ok();
    let t = l.run(&["diary", "show", "h1", "--by", "day"]).ok().stdout;
    assert!(t.contains("Day (UTC)"), "{t}");
    let tue = t
        .lines()
        .find(|x| x.contains("Tue 17 Nov"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(tue.contains(" 2 ") && tue.contains("1h30m"), "{tue}");
    let wed = t
        .lines()
        .find(|x| x.contains("Wed 18 Nov"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(wed.contains(" 1 ") && wed.contains("1h00m"), "{wed}");
}

// ---------------------------------------------------------------------------
// 6. Table snapshots (insta)

/// A week with two contracts, an over-limit entry, a tracked entry and an
/// entry crossing midnight.
fn busy_week() -> Ledger {
    let l = with_h1();
    hourly_with(&l, "h2", "33.33", &["--weekly-limit", "none"]);
    log(
        &l,
        "h1",
        "2026-11-16 08:00",
        "2026-11-16 16:00",
        "API design",
    )
    .ok();
    log(
        &l,
        "h1",
        "2026-11-17 08:00",
        "2026-11-17 12:30",
        "Code review",
    )
    .ok();
    log(&l, "h1", "2026-11-17 23:00", "2026-11-18 01:15", "Hotfix").ok();
    fl_at(
        &l,
        "2026-11-18T08:00:00Z",
        &["diary", "start", "h2", "--memo", "Mockups"],
    )
    .ok();
    fl_at(&l, "2026-11-18T08:10:00Z", &["diary", "stop", "h2"]).ok();
    l
}

#[test]
fn snapshot_by_entry() {
    let l = busy_week();
    let t = l.run(&["diary", "show", "h1"]).ok().stdout;
    insta::assert_snapshot!("diary_show_by_entry", t);
}

#[test]
fn snapshot_by_day() {
    let l = busy_week();
    let t = l.run(&["diary", "show", "h1", "--by", "day"]).ok().stdout;
    insta::assert_snapshot!("diary_show_by_day", t);
}

#[test]
fn snapshot_several_contracts_freelancer_view() {
    let l = busy_week();
    let t = fl(&l, &["diary", "show"]).ok().stdout;
    insta::assert_snapshot!("diary_show_all_freelancer", t);
}

#[test]
fn snapshot_several_contracts_client_view() {
    let l = busy_week();
    let t = l.run(&["diary", "show"]).ok().stdout;
    insta::assert_snapshot!("diary_show_all_client", t);
}

#[test]
fn snapshot_entry_crossing_midnight() {
    let l = with_h1();
    log(
        &l,
        "h1",
        "2026-11-17 22:30",
        "2026-11-18 01:00",
        "Night deploy",
    )
    .ok();
    let t = l.run(&["diary", "show", "h1"]).ok().stdout;
    insta::assert_snapshot!("diary_show_crossing_midnight", t);
}

#[test]
fn snapshot_disputed_week() {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 12:00", "Support").ok();
    l.run_at(
        W47_INVOICED,
        &[
            "diary",
            "dispute",
            "h1",
            "--week",
            "2026-W47",
            "--reason",
            "hours not agreed",
        ],
    )
    .ok();
    let t = fl_at(
        &l,
        "2026-11-24T10:00:00Z",
        &["diary", "show", "h1", "--week", "2026-W47"],
    )
    .ok()
    .stdout;
    insta::assert_snapshot!("diary_show_disputed_open", t);
    fl_at(
        &l,
        "2026-11-24T10:00:00Z",
        &["diary", "dispute", "h1", "--week", "2026-W47", "--accept"],
    )
    .ok();
    let t = fl_at(
        &l,
        "2026-11-24T10:00:00Z",
        &["diary", "show", "h1", "--week", "2026-W47"],
    )
    .ok()
    .stdout;
    insta::assert_snapshot!("diary_show_disputed_accepted", t);
}

#[test]
fn snapshot_empty_week() {
    let l = with_h1();
    let t = l.run(&["diary", "show", "h1"]).ok().stdout;
    insta::assert_snapshot!("diary_show_empty", t);
}

// ---------------------------------------------------------------------------
// 8. Hourly disputes

/// `h1` with 3 h in 2026-W47 (150.00).
fn billed_week() -> Ledger {
    let l = with_h1();
    log(&l, "h1", "2026-11-17 09:00", "2026-11-17 12:00", "Support").ok();
    l
}

fn open_dispute(l: &Ledger, now: &str) -> Run {
    l.run_at(
        now,
        &[
            "diary",
            "dispute",
            "h1",
            "--week",
            "2026-W47",
            "--reason",
            "too many hours",
        ],
    )
}

fn status(l: &Ledger, now: &str) -> Value {
    l.run_at(now, &["--json", "show", "h1"]).ok().json()["status"].clone()
}

#[test]
fn dispute_only_while_invoiced() {
    let l = billed_week();
    let args = [
        "diary",
        "dispute",
        "h1",
        "--week",
        "2026-W47",
        "--reason",
        "too many hours",
    ];
    for (now, stage) in [
        (W47_LAST, "open"),
        (W47_REVIEW_LAST, "review"),
        (W47_SETTLED, "settled"),
    ] {
        refused_at(&l, now, &args, "not_disputable", &[stage]);
    }
    // The freelancer cannot open one.
    fl_refused_at(&l, W47_INVOICED, &args, "not_the_party", &[]);
    // Fixed contracts have no hourly disputes.
    l.fixed("f1", "500");
    refused_at(
        &l,
        W47_INVOICED,
        &[
            "diary", "dispute", "f1", "--week", "2026-W47", "--reason", "x",
        ],
        "not_hourly",
        &[],
    );
    refused_at(
        &l,
        W47_INVOICED,
        &["diary", "dispute", "h1", "--week", "W47", "--reason", "x"],
        2,
        &[],
    );

    open_dispute(&l, W47_INVOICED_LAST).ok();
    assert_eq!(status(&l, W47_INVOICED_LAST), "paused");
    let text = l.read("contracts/h1.toml");
    assert!(text.contains("too many hours"), "{text}");
    // Once per week.
    refused_at(&l, W47_INVOICED_LAST, &args, "already_disputed", &[]);
    // Paused: no new time.
    fl_refused_at(
        &l,
        W47_INVOICED_LAST,
        &["diary", "start", "h1", "--memo", "x"],
        "contract_paused",
        &[],
    );
}

#[test]
fn dispute_after_the_end_is_allowed() {
    let l = billed_week();
    l.run_at("2026-11-20T10:00:00Z", &["end", "h1", "--yes"])
        .ok();
    open_dispute(&l, W47_INVOICED).ok();
    assert_eq!(status(&l, W47_INVOICED), "ended");
    let v = show_json(&l, W47_INVOICED, &["h1", "--week", "2026-W47"]);
    assert_eq!(v["weeks"][0]["contracts"][0]["dispute"]["status"], "open");
}

#[test]
fn freelancer_accepts_a_dispute_the_week_is_refunded() {
    let l = billed_week();
    open_dispute(&l, W47_INVOICED).ok();
    let at = "2026-11-24T10:00:00Z";
    let accept = ["diary", "dispute", "h1", "--week", "2026-W47", "--accept"];
    refused_at(&l, at, &accept, "not_the_party", &[]);
    fl_refused_at(
        &l,
        at,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--withdraw"],
        "not_the_party",
        &[],
    );
    fl_at(&l, at, &accept).ok();
    let s = sheet(&l, at, &["h1", "--week", "2026-W47"]);
    assert_eq!(s["amount"], "0.00");
    assert_eq!(s["minutes"], 180, "the hours stay in the diary");
    assert_eq!(s["dispute"]["status"], "accepted");
    assert_eq!(s["dispute"]["refunded"], "150.00");
    let hist = l.run_at(at, &["log", "h1"]).ok().stdout;
    assert!(hist.contains("refunded"), "{hist}");
    assert!(hist.contains("150.00"), "{hist}");
    let hist = l.run_at(at, &["--json", "log", "h1"]).ok().json();
    let ev = hist
        .as_array()
        .and_then(|a| a.iter().find(|e| e["event"] == "dispute_accepted"))
        .or_else(|| {
            hist["events"]
                .as_array()
                .and_then(|a| a.iter().find(|e| e["event"] == "dispute_accepted"))
        })
        .unwrap_or_else(|| panic!("dispute_accepted in {hist:#}"))
        .clone();
    assert_eq!(ev["amount"], "150.00");
    assert_eq!(ev["actor"], "freelancer");
    // Nothing left to answer.
    fl_refused_at(
        &l,
        at,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--decline"],
        "no_open_dispute",
        &[],
    );
}

#[test]
fn freelancer_declines_a_dispute_the_hours_stand() {
    let l = billed_week();
    open_dispute(&l, W47_INVOICED).ok();
    let at = "2026-11-24T10:00:00Z";
    refused_at(
        &l,
        at,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--decline"],
        "not_the_party",
        &[],
    );
    fl_at(
        &l,
        at,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--decline"],
    )
    .ok();
    let s = sheet(&l, at, &["h1", "--week", "2026-W47"]);
    assert_eq!(s["amount"], "150.00");
    assert_eq!(s["dispute"]["status"], "declined");
}

#[test]
fn client_withdraws_a_dispute() {
    let l = billed_week();
    refused_at(
        &l,
        W47_INVOICED,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--withdraw"],
        "no_open_dispute",
        &[],
    );
    open_dispute(&l, W47_INVOICED).ok();
    let at = "2026-11-24T10:00:00Z";
    l.run_at(
        at,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--withdraw"],
    )
    .ok();
    let s = sheet(&l, at, &["h1", "--week", "2026-W47"]);
    assert_eq!(s["amount"], "150.00");
    assert_eq!(s["dispute"]["status"], "withdrawn");
}

#[test]
fn a_week_under_open_dispute_is_not_paid_until_the_dispute_ends() {
    let l = billed_week();
    open_dispute(&l, W47_INVOICED).ok();
    let later = "2026-12-01T10:00:00Z"; // W47 settled on Sat 28 Nov
    let paid = |l: &Ledger| {
        let c = l
            .run_at(later, &["--json", "--as", "freelancer", "show", "h1"])
            .ok()
            .json();
        (c["paid"].clone(), c["net"].clone())
    };
    assert_eq!(paid(&l), (json!("0.00"), json!("0.00")));
    let t = l.run_at(later, &["show", "h1"]).ok().stdout;
    assert!(t.contains("Held by an open dispute"), "{t}");
    let give = [
        "--as",
        "freelancer",
        "refund",
        "give",
        "h1",
        "--amount",
        "1",
    ];
    l.refused_for(later, &give, "give_amount");
    // Withdrawn: the week stands and was paid; its net can be given back.
    l.run_at(
        later,
        &["diary", "dispute", "h1", "--week", "2026-W47", "--withdraw"],
    )
    .ok();
    assert_eq!(paid(&l), (json!("150.00"), json!("135.00")));
    l.run_at(later, &give).ok();
}

// ---------------------------------------------------------------------------
// 9. `diary import`

fn import_ledger() -> Ledger {
    let l = with_h1();
    l.hourly("h2");
    l
}

const EXPORT: &str = r#"[
 {"id":1,"start":"20261117T130000Z","end":"20261117T140000Z","tags":["h1"],"annotation":"one"},
 {"id":2,"start":"20261116T090000Z","end":"20261116T100000Z","tags":["meeting","h2"]},
 {"id":3,"start":"20261117T150000Z","end":"20261117T153000Z","tags":["h1","review"],"annotation":"three"},
 {"id":4,"start":"20261117T160000Z","end":"20261117T170000Z","tags":["personal"]}
]"#;

#[test]
fn import_puts_intervals_on_the_contract_their_tags_name() {
    let l = import_ledger();
    let dir = tempfile::tempdir().expect("tmp");
    let file = export(&dir, EXPORT);
    let r = fl(&l, &["diary", "import", &file]).ok();
    assert!(r.stdout.contains("imported 3 entries"), "{}", r.stdout);
    assert!(r.stdout.contains("h1 2, h2 1"), "{}", r.stdout);
    assert!(r.stdout.contains("1 skipped"), "{}", r.stdout);
    let h1 = week_file(&l, "2026-W47", "h1");
    assert!(
        h1.contains("start = 2026-11-17T13:00:00Z\nend = 2026-11-17T14:00:00Z\nmemo = \"one\""),
        "{h1}"
    );
    assert!(h1.contains("memo = \"three\""), "{h1}");
    assert!(!h1.contains("16:00"), "{h1}");
    // Imported time is manual time: entered after the fact (SPEC §2).
    assert!(h1.contains("manual = true"), "{h1}");
    assert!(!h1.contains("manual = false"), "{h1}");
    let h2 = week_file(&l, "2026-W47", "h2");
    assert!(h2.contains("start = 2026-11-16T09:00:00Z"), "{h2}");
    assert!(h2.contains("memo = \"meeting\""), "{h2}");
    assert!(!has_week_file(&l, "2026-W46", "h2"));
    assert!(!has_week_file(&l, "2026-W46", "h1"));

    // Re-importing adds nothing and writes nothing.
    let before = l.snapshot();
    let r = fl(&l, &["diary", "import", &file]).ok();
    assert!(r.stdout.contains("imported 0 entries"), "{}", r.stdout);
    assert!(r.stdout.contains("3 already present"), "{}", r.stdout);
    assert!(l.snapshot() == before, "a re-import changed files");
    let v = fl(&l, &["--json", "diary", "import", &file]).ok().json();
    assert_eq!(v["imported"], 0);
    assert_eq!(v["already_present"], 3);
    assert_eq!(v["unmatched"], 1);
    assert_eq!(v["files_written"], 0);
    assert!(l.snapshot() == before);
}

#[test]
fn import_contract_flag_overrides_tags() {
    let l = import_ledger();
    let dir = tempfile::tempdir().expect("tmp");
    let file = export(&dir, EXPORT);
    let r = fl(&l, &["diary", "import", &file, "--contract", "h2"]).ok();
    assert!(
        r.stdout.contains("imported 4 entries (h2 4)"),
        "{}",
        r.stdout
    );
    assert!(!has_week_file(&l, "2026-W47", "h1"));
    let h2 = week_file(&l, "2026-W47", "h2");
    assert_eq!(h2.matches("[[entries]]").count(), 4, "{h2}");
    // A personal interval without annotation keeps its tags as the memo.
    assert!(h2.contains("memo = \"personal\""), "{h2}");
    refused_at(
        &l,
        NOW,
        &[
            "--as",
            "freelancer",
            "diary",
            "import",
            &file,
            "--contract",
            "zz",
        ],
        3,
        &[],
    );
}

#[test]
fn import_reads_stdin() {
    let l = import_ledger();
    let out = l
        .cmd(&["--as", "freelancer", "diary", "import", "-"])
        .write_stdin(EXPORT)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("imported 3 entries (h1 2, h2 1)"),
        "{stdout}"
    );
    assert!(has_week_file(&l, "2026-W47", "h1"));
}

#[test]
fn import_by_the_client_is_refused() {
    let l = import_ledger();
    let dir = tempfile::tempdir().expect("tmp");
    let file = export(&dir, EXPORT);
    refused_at(&l, NOW, &["diary", "import", &file], "not_the_party", &[]);
}

#[test]
fn import_refuses_as_a_whole_naming_the_interval() {
    let l = import_ledger();
    log(&l, "h1", "2026-11-16 09:00", "2026-11-16 10:00", "existing").ok();
    l.run_at("2026-11-10T09:00:00Z", &["end", "h2", "--yes"])
        .ok();
    let dir = tempfile::tempdir().expect("tmp");
    let good = r#"{"id":1,"start":"20261117T130000Z","end":"20261117T140000Z","tags":["h1"]}"#;
    for (bad, needles) in [
        (
            r#"{"id":7,"start":"20261117T150000Z","tags":["h1"]}"#,
            &["interval @7", "still open"][..],
        ),
        (
            r#"{"id":7,"start":"20261117T133000Z","end":"20261117T143000Z","tags":["h1"]}"#,
            &["interval @7", "overlaps interval @1"][..],
        ),
        (
            r#"{"id":7,"start":"20261116T093000Z","end":"20261116T103000Z","tags":["h1"]}"#,
            &["interval @7", "overlaps entry h1/2026W47-1"][..],
        ),
        (
            r#"{"id":7,"start":"20261020T090000Z","end":"20261020T100000Z","tags":["h1"]}"#,
            &["interval @7", "before h1 started"][..],
        ),
        (
            r#"{"id":7,"start":"20261110T090000Z","end":"20261110T100000Z","tags":["h2"]}"#,
            &[
                "interval @7",
                "h2: the contract ended",
                "the work diary is locked",
            ][..],
        ),
        (
            r#"{"id":7,"start":"20261118T093000Z","end":"20261118T103000Z","tags":["h1"]}"#,
            &["interval @7", "in the future"][..],
        ),
    ] {
        let file = export(&dir, &format!("[{good},{bad}]"));
        let err = fl_refused_at(
            &l,
            NOW,
            &["diary", "import", &file],
            "import",
            &["import refused, nothing was written"],
        );
        for n in needles {
            assert!(err.contains(n), "`{n}` in:\n{err}");
        }
    }
    // Not JSON / not an array: usage errors.
    for text in ["nope", r#"{"id":1}"#] {
        let file = export(&dir, text);
        fl_refused_at(&l, NOW, &["diary", "import", &file], 2, &["timew export"]);
    }
}

#[test]
fn import_overlap_across_a_week_boundary_is_refused() {
    let l = import_ledger();
    let mon = "2026-11-16T11:00:00Z";
    log_at(
        &l,
        mon,
        "h1",
        "2026-11-15 23:00",
        "2026-11-16 01:00",
        "late",
    )
    .ok();
    let dir = tempfile::tempdir().expect("tmp");
    let file = export(
        &dir,
        r#"[{"id":3,"start":"20261116T003000Z","end":"20261116T013000Z","tags":["h1"]}]"#,
    );
    fl_refused_at(&l, NOW, &["diary", "import", &file], "import", &[]);
}

#[test]
fn import_with_no_matching_contract_writes_nothing() {
    let l = import_ledger();
    let dir = tempfile::tempdir().expect("tmp");
    let file = export(
        &dir,
        r#"[{"id":1,"start":"20261117T130000Z","end":"20261117T140000Z","tags":["other"]}]"#,
    );
    let before = l.snapshot();
    let r = fl(&l, &["diary", "import", &file]).ok();
    assert!(r.stdout.contains("imported 0 entries"), "{}", r.stdout);
    assert!(r.stdout.contains("1 skipped"), "{}", r.stdout);
    assert!(l.snapshot() == before);
}
