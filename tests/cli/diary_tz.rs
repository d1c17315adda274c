//! The work diary in local zones: input read in `TZ`, stored in UTC, tables
//! in local time (or `--utc`), DST gaps and folds refused with both
//! readings, billing weeks UTC whatever the zone.

use crate::harness::{Ledger, NOW, Run};

/// A ledger with hourly `h1` whose runs use `tz`.
fn ledger_in(tz: &str) -> Ledger {
    let mut l = Ledger::new();
    l.tz = tz.to_string();
    l.hourly("h1");
    l
}

fn fl_at(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut all = vec!["--as", "freelancer"];
    all.extend_from_slice(args);
    l.run_at(now, &all)
}

fn log_at(l: &Ledger, now: &str, from: &str, to: &str) -> Run {
    fl_at(
        l,
        now,
        &[
            "diary", "log", "h1", "--from", from, "--to", to, "--memo", "work",
        ],
    )
}

/// The entry row of `diary show` for `id`.
fn row<'a>(table: &'a str, id: &str) -> &'a str {
    table
        .lines()
        .find(|x| x.contains(id))
        .unwrap_or_else(|| panic!("{id} in:\n{table}"))
}

#[test]
fn local_input_is_stored_as_the_right_utc_instant() {
    for (tz, start, end, local_span, utc_span) in [
        (
            "America/New_York",
            "2026-11-17T14:00:00Z",
            "2026-11-17T15:30:00Z",
            "09:00–10:30",
            "14:00–15:30",
        ),
        (
            "Europe/London",
            "2026-11-17T09:00:00Z",
            "2026-11-17T10:30:00Z",
            "09:00–10:30",
            "09:00–10:30",
        ),
        (
            "Australia/Lord_Howe",
            "2026-11-16T22:00:00Z",
            "2026-11-16T23:30:00Z",
            "09:00–10:30",
            "22:00–23:30",
        ),
    ] {
        let l = ledger_in(tz);
        log_at(&l, NOW, "2026-11-17 09:00", "2026-11-17 10:30").ok();
        let text = l.read("diary/2026-W47/h1.toml");
        assert!(
            text.contains(&format!("start = {start}\nend = {end}\n")),
            "{tz}:\n{text}"
        );

        let t = l.run(&["diary", "show", "h1"]).ok().stdout;
        assert!(t.contains(&format!("Start–End ({tz})")), "{tz}:\n{t}");
        assert!(
            t.contains(&format!("Times in {tz} (--utc for UTC)")),
            "{tz}:\n{t}"
        );
        assert!(t.contains("billing weeks are UTC"), "{tz}:\n{t}");
        let r = row(&t, "h1/2026W47-1");
        assert!(
            r.contains("Tue 17 Nov") && r.contains(local_span),
            "{tz}: {r}"
        );

        let t = l.run(&["--utc", "diary", "show", "h1"]).ok().stdout;
        assert!(t.contains("Start–End (UTC)"), "{tz}:\n{t}");
        let r = row(&t, "h1/2026W47-1");
        assert!(r.contains(utc_span), "{tz} --utc: {r}");

        // JSON is UTC whatever the zone.
        let v = l.run(&["--json", "diary", "show", "h1"]).ok().json();
        assert_eq!(v["weeks"][0]["contracts"][0]["entries"][0]["start"], start);
    }
}

#[test]
fn lord_howe_local_day_differs_from_the_utc_day() {
    let l = ledger_in("Australia/Lord_Howe");
    log_at(&l, NOW, "2026-11-17 09:00", "2026-11-17 10:30").ok();
    let t = l.run(&["diary", "show", "h1", "--by", "day"]).ok().stdout;
    assert!(t.contains("Day (Australia/Lord_Howe)"), "{t}");
    assert!(t.contains("Tue 17 Nov"), "{t}");
    let t = l
        .run(&["--utc", "diary", "show", "h1", "--by", "day"])
        .ok()
        .stdout;
    assert!(t.contains("Mon 16 Nov") && !t.contains("Tue 17 Nov"), "{t}");
}

#[test]
fn offsets_in_the_input_win_over_tz() {
    let l = ledger_in("America/New_York");
    log_at(&l, NOW, "2026-11-17T09:00:00+01:00", "2026-11-17T09:30:00Z").ok();
    let text = l.read("diary/2026-W47/h1.toml");
    assert!(
        text.contains("start = 2026-11-17T08:00:00Z\nend = 2026-11-17T09:30:00Z"),
        "{text}"
    );
}

#[test]
fn dst_gap_and_fold_are_refused_naming_both_instants() {
    let l = ledger_in("America/New_York");
    let before = l.snapshot();
    // Spring forward: 02:30 does not exist.
    let r = log_at(&l, NOW, "2026-03-08 02:30", "2026-03-08 04:00").code(2);
    assert!(
        r.stderr.contains("does not exist in America/New_York"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2026-03-08T02:30:00-05:00")
            && r.stderr.contains("2026-03-08T02:30:00-04:00"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--from"), "{}", r.stderr);
    // Fall back: 01:30 happens twice.
    let r = log_at(&l, NOW, "2026-11-01 01:30", "2026-11-01 03:00").code(2);
    assert!(
        r.stderr.contains("ambiguous in America/New_York"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2026-11-01T01:30:00-04:00")
            && r.stderr.contains("2026-11-01T01:30:00-05:00"),
        "{}",
        r.stderr
    );
    // The same through --to, edit and the clock itself.
    let r = log_at(&l, NOW, "2026-11-01 00:30", "2026-11-01 01:30").code(2);
    assert!(r.stderr.contains("--to"), "{}", r.stderr);
    assert!(l.snapshot() == before);
    // Either reading, written with its offset, is read (no usage error):
    // refused by the rules, not the zone — the contract started on
    // 2026-11-02, after it.
    l.refused_for(
        NOW,
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-01T01:30:00-05:00",
            "--to",
            "2026-11-01T02:30:00-05:00",
            "--memo",
            "work",
        ],
        "before_start",
    );
}

#[test]
fn lord_howe_half_hour_gap() {
    let l = ledger_in("Australia/Lord_Howe");
    let before = l.snapshot();
    let r = log_at(&l, NOW, "2026-10-04 02:15", "2026-10-04 03:00").code(2);
    assert!(
        r.stderr.contains("does not exist in Australia/Lord_Howe"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("+10:30") && r.stderr.contains("+11:00"),
        "{}",
        r.stderr
    );
    // 02:30 is the first instant after the gap and exists.
    assert!(l.snapshot() == before);
}

#[test]
fn billing_weeks_stay_utc_whatever_tz() {
    // Sunday evening in New York is Monday in UTC: the next billing week.
    let l = ledger_in("America/New_York");
    let now = "2026-11-23T10:00:00Z";
    log_at(&l, now, "2026-11-22 20:00", "2026-11-22 21:00").ok();
    assert!(!l.file("diary/2026-W47/h1.toml").exists());
    let text = l.read("diary/2026-W48/h1.toml");
    assert!(text.contains("start = 2026-11-23T01:00:00Z"), "{text}");
    assert!(text.contains("id = \"2026W48-1\""), "{text}");
    let t = l.run_at(now, &["diary", "show", "h1"]).ok().stdout;
    assert!(
        t.starts_with("2026-W48 · Mon 23 Nov – Sun 29 Nov 2026 (billing weeks are UTC"),
        "{t}"
    );
    assert!(row(&t, "h1/2026W48-1").contains("Sun 22 Nov"), "{t}");

    // Monday morning in Lord Howe is Sunday in UTC: the previous week.
    let l = ledger_in("Australia/Lord_Howe");
    let mon = "2026-11-16T11:00:00Z";
    log_at(&l, mon, "2026-11-16 09:00", "2026-11-16 10:00").ok();
    let text = l.read("diary/2026-W46/h1.toml");
    assert!(text.contains("start = 2026-11-15T22:00:00Z"), "{text}");
    // The stage words are UTC too.
    let v = l
        .run_at(mon, &["--json", "diary", "show", "--week", "2026-W46"])
        .ok()
        .json();
    assert_eq!(v["weeks"][0]["stage"], "review");
    assert_eq!(
        v["weeks"][0]["stage_detail"],
        "in review until Mon 16 Nov 12:00 UTC"
    );
}

#[test]
fn hh_mm_is_today_in_the_local_zone() {
    // 2026-11-18T03:00Z is still the 17th in New York.
    let l = ledger_in("America/New_York");
    let now = "2026-11-18T03:00:00Z";
    log_at(&l, now, "20:00", "21:00").ok();
    let text = l.read("diary/2026-W47/h1.toml");
    assert!(
        text.contains("start = 2026-11-18T01:00:00Z\nend = 2026-11-18T02:00:00Z"),
        "{text}"
    );
}

#[test]
fn snapshot_in_new_york() {
    let l = ledger_in("America/New_York");
    // 23:30 local on Monday is Tuesday 04:30 UTC; the entry crosses local
    // midnight.
    log_at(&l, NOW, "2026-11-16 23:30", "2026-11-17 01:00").ok();
    log_at(&l, NOW, "2026-11-17 09:00", "2026-11-17 10:30").ok();
    let t = l.run(&["diary", "show", "h1"]).ok().stdout;
    insta::assert_snapshot!("diary_show_new_york", t);
    let t = l.run(&["diary", "show", "h1", "--by", "day"]).ok().stdout;
    insta::assert_snapshot!("diary_show_new_york_by_day", t);
    let t = l.run(&["--utc", "diary", "show", "h1"]).ok().stdout;
    insta::assert_snapshot!("diary_show_new_york_utc", t);
}
