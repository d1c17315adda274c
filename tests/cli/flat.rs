//! Flat at any age (SPEC §6): which weeks of a contract have time is known
//! from listing the diary's directories, not from probing every idle week
//! for a file. These tests hold the behaviour: a contract idle for years
//! reads, settles, pauses and ends as one idle for weeks does, however its
//! weeks lie; a fresh import reads as a swept ledger. (That nothing is
//! probed is shown by `strace -c` in bench/RESULTS.md: a test counts no
//! system calls.)

use crate::harness::{Ledger, Run};
use serde_json::Value;

fn fl(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut a = vec!["--as", "freelancer"];
    a.extend_from_slice(args);
    l.run_at(now, &a)
}

/// The freelancer logs 09:00 to 10:00 UTC of `day` (`YYYY-MM-DD`) on
/// contract `id`, that evening.
fn log_hour(l: &Ledger, id: &str, day: &str) {
    let (from, to) = (format!("{day} 09:00"), format!("{day} 10:00"));
    let args = [
        "diary", "log", id, "--from", &from, "--to", &to, "--memo", "work",
    ];
    fl(l, &format!("{day}T18:00:00Z"), &args).ok();
}

/// The kinds of the events of a `--json` mutation or sweep.
fn kinds(v: &Value) -> Vec<String> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

/// An hourly contract (50/h) with an hour logged in 2026-W46, then the
/// same scene `years` later: an hour logged two weeks into the idle span,
/// a timer started in the middle of it and left running, then `sweep`,
/// `list` and `end` at the far end. Returns what those said.
fn idle_for(years: i32) -> (Vec<String>, Value, Vec<String>, Value) {
    let l = Ledger::new();
    l.hourly("c1");
    let at = |y: i32, rest: &str| format!("{}-{rest}", 2026 + y);
    log_hour(&l, "c1", "2026-11-10");
    // An hour in an idle week (years later for the old contract), logged
    // then: weeks with time far apart, idle weeks between them.
    log_hour(&l, "c1", &at(years, "11-24"));
    // A timer started and left running, weeks before the end.
    let started = at(years, "12-08T09:00:00Z");
    fl(&l, &started, &["diary", "start", "c1"]).ok();
    let now = at(years, "12-30T09:00:00Z");
    let sweep = l.run_at(&now, &["--json", "sweep"]).ok().json();
    let swept = kinds(&sweep);
    // A second sweep finds nothing more.
    let again = l.run_at(&now, &["--json", "sweep"]).ok().json();
    assert!(kinds(&again).is_empty(), "{again}");
    let list = l.run_at(&now, &["--json", "list"]).ok().json();
    let end = l
        .run_at(
            &now,
            &["--json", "end", "c1", "--reason", "completed", "--yes"],
        )
        .ok()
        .json();
    (swept, list[0].clone(), kinds(&end), end)
}

#[test]
fn a_contract_idle_for_years_settles_and_ends_as_one_idle_for_weeks() {
    let (swept_weeks, list_weeks, ended_weeks, _) = idle_for(0);
    let (swept_years, list_years, ended_years, end) = idle_for(4);
    // Every week with time is found and paid, however far apart: the hour
    // of W46, the hour logged later, and the running timer's week (it
    // counts to its week's close: 2026-12-08 09:00 to Sunday's end).
    assert_eq!(swept_weeks, swept_years);
    let paid = swept_years.iter().filter(|k| *k == "week_paid").count();
    assert_eq!(paid, 3, "{swept_years:?}");
    for k in ["paid", "status"] {
        assert_eq!(list_weeks[k], list_years[k], "{k}");
    }
    // 1 h + 1 h + the running timer's 110 h 59 m capped at the 10 h limit.
    assert_eq!(list_years["paid"], "600.00", "{list_years}");
    // The end stops the timer left running weeks ago, found in its week.
    assert_eq!(ended_weeks, ended_years);
    assert!(ended_years.contains(&"timer_stopped".to_string()), "{end}");
}

#[test]
fn a_week_file_added_in_an_idle_week_by_hand_or_merge_is_found() {
    let l = Ledger::new();
    l.hourly("c1");
    l.hourly("c2");
    log_hour(&l, "c1", "2026-11-10");
    l.run_at("2026-12-30T09:00:00Z", &["sweep"]).ok();
    // c2 logs an hour in 2026-W50; a merge brings the same week file in
    // for c1, long after (its week directory exists already: c2's).
    log_hour(&l, "c2", "2026-12-08");
    let theirs = l
        .read("diary/2026-W50/c2.toml")
        .replace("contract = \"c2\"", "contract = \"c1\"")
        .replace("c2/", "c1/");
    l.write("diary/2026-W50/c1.toml", &theirs);
    l.run_at("2030-12-30T09:00:00Z", &["check"]).ok();
    let sweep = l
        .run_at("2030-12-30T09:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    let paid: Vec<&str> = sweep["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "week_paid" && e["contract"] == "c1")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(paid.len(), 1, "{sweep}");
    assert!(paid[0].contains("2026-W50"), "{paid:?}");
}

#[test]
fn a_fresh_import_reads_as_a_swept_ledger() {
    let l = Ledger::new();
    l.hourly("c1");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("past.json");
    // Two settled weeks (history) and one still in review (billed).
    std::fs::write(
        &f,
        r#"[{"id":1,"start":"20261103T090000Z","end":"20261103T120000Z","tags":["c1"]},
            {"id":2,"start":"20261118T090000Z","end":"20261118T170000Z","tags":["c1"]},
            {"id":3,"start":"20261124T090000Z","end":"20261124T100000Z","tags":["c1"]}]"#,
    )
    .unwrap();
    let now = "2026-11-30T09:00:00Z";
    let f = f.to_string_lossy().into_owned();
    fl(&l, now, &["diary", "import", &f, "--history"]).ok();
    // The import left the contract as a sweep would: its settled weeks
    // are recorded as paid (history at nothing), so no command after it
    // bills them again in memory, and a sweep finds nothing due.
    let list = l.run_at(now, &["--json", "list"]).ok().json();
    let shown = l.run_at(now, &["--json", "show", "c1"]).ok().json();
    let sweep = l.run_at(now, &["--json", "sweep"]).ok().json();
    assert!(kinds(&sweep).is_empty(), "{sweep}");
    assert_eq!(l.run_at(now, &["--json", "list"]).ok().json(), list);
    assert_eq!(l.run_at(now, &["--json", "show", "c1"]).ok().json(), shown);
    let c = l.read("contracts/c1.toml");
    assert!(c.contains("week = \"2026-W45\""), "{c}");
    assert!(c.contains("week = \"2026-W47\""), "{c}");
    // The week in review is paid when it settles, by the sweep then.
    let sweep = l
        .run_at("2026-12-12T00:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    assert_eq!(kinds(&sweep), ["week_paid"], "{sweep}");
    l.run_at("2026-12-12T00:00:00Z", &["check"]).ok();
}

#[test]
fn stray_entries_in_the_diary_neither_hide_weeks_nor_break_a_sweep() {
    let l = Ledger::new();
    l.hourly("c1");
    log_hour(&l, "c1", "2026-11-10");
    // A crashed writer's temp file, a directory that is not a week's and a
    // week named as this program does not name it.
    l.write("diary/2026-W46/.tmp-c1.toml", "half a file");
    l.write("diary/notes/todo.txt", "x");
    l.write("diary/2026-w47/c1.toml", "x");
    let sweep = l
        .run_at("2026-12-30T09:00:00Z", &["--json", "sweep"])
        .ok()
        .json();
    assert_eq!(kinds(&sweep), ["week_paid"], "{sweep}");
    assert!(!l.file("diary/2026-W46/.tmp-c1.toml").exists());
    // `check` reports what is not the ledger's.
    l.run_at("2026-12-30T09:00:00Z", &["check"]).code(5);
}
