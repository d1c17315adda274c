//! `export hledger` read by the real hledger and Ledger: the journal of each
//! party passes `hledger check --strict`, Ledger reads it, and for every
//! contract its balances agree with what `contracts show` says.

use crate::harness::Ledger;
use serde_json::Value;
use std::process::Command;

/// Whether the accounting tools are here; CI installs them (.ci/run).
pub(crate) fn tools() -> bool {
    let have = |t: &str| Command::new(t).arg("--version").output().is_ok();
    if have("hledger") && have("ledger") {
        return true;
    }
    assert!(
        std::env::var_os("CONTRACTS_NO_HLEDGER").is_some(),
        "hledger and ledger are needed (`bash .ci/deps` installs them), or set CONTRACTS_NO_HLEDGER=1 to skip"
    );
    false
}

fn cl(l: &Ledger, now: &str, args: &[&str]) {
    l.run_at(now, args).ok();
}

fn fl(l: &Ledger, now: &str, args: &[&str]) {
    let mut a = vec!["--as", "freelancer"];
    a.extend_from_slice(args);
    l.run_at(now, &a).ok();
}

/// Every kind of movement: funding, full and partial releases, a carried
/// remainder, refunds approved by the system, a dispute resolved by split,
/// an escrow returned by the freelancer's end, refunds given back, hourly
/// weeks settled, a week refunded by its dispute, a week held by one.
pub(crate) fn every_movement() -> Ledger {
    let l = Ledger::new();
    let new_fixed = |id: &str, extra: &[&str]| {
        let mut a = vec![
            "new",
            "--id",
            id,
            "--title",
            "Shop",
            "--client",
            "Acme Ltd",
            "--freelancer",
            "Ann Lee",
            "--fixed",
        ];
        a.extend_from_slice(extra);
        cl(&l, "2026-10-05T09:00:00Z", &a);
    };
    new_fixed(
        "f1",
        &[
            "500",
            "--milestone",
            "Design=300",
            "--milestone",
            "Build=200",
        ],
    );
    cl(
        &l,
        "2026-10-06T09:00:00Z",
        &["milestone", "approve", "f1", "--amount", "250"],
    );
    cl(&l, "2026-10-07T09:00:00Z", &["milestone", "fund", "f1"]);
    cl(
        &l,
        "2026-10-08T09:00:00Z",
        &["refund", "request", "f1", "--amount", "60"],
    );
    fl(
        &l,
        "2026-10-20T09:00:00Z",
        &["refund", "give", "f1", "--amount", "25.50"],
    );
    cl(
        &l,
        "2026-10-21T09:00:00Z",
        &["end", "f1", "--pay", "full", "--yes"],
    );
    new_fixed("f2", &["400"]);
    cl(
        &l,
        "2026-10-06T09:00:00Z",
        &["refund", "request", "f2", "--amount", "150"],
    );
    fl(&l, "2026-10-07T09:00:00Z", &["refund", "dispute", "f2"]);
    cl(&l, "2026-10-08T09:00:00Z", &["refund", "escalate", "f2"]);
    cl(
        &l,
        "2026-10-09T09:00:00Z",
        &[
            "refund",
            "resolve",
            "f2",
            "--client",
            "100.01",
            "--freelancer",
            "49.99",
        ],
    );
    new_fixed("f3", &["300"]);
    fl(&l, "2026-10-10T09:00:00Z", &["end", "f3", "--yes"]);
    // Hourly: W41 settles; W42 refunded by its dispute; W43 held by a
    // dispute past its settlement, then declined.
    cl(
        &l,
        "2026-10-05T09:00:00Z",
        &[
            "new",
            "--id",
            "h1",
            "--title",
            "Support",
            "--client",
            "Acme Ltd",
            "--freelancer",
            "Ann Lee",
            "--hourly",
            "47.50",
            "--weekly-limit",
            "10",
        ],
    );
    let log = |now: &str, from: &str, to: &str| {
        fl(
            &l,
            now,
            &[
                "diary", "log", "h1", "--from", from, "--to", to, "--memo", "w",
            ],
        );
    };
    log(
        "2026-10-06T18:00:00Z",
        "2026-10-06 10:00",
        "2026-10-06 13:17",
    );
    log(
        "2026-10-13T18:00:00Z",
        "2026-10-13 10:00",
        "2026-10-13 12:00",
    );
    cl(
        &l,
        "2026-10-19T13:00:00Z",
        &[
            "diary", "dispute", "h1", "--week", "2026-W42", "--reason", "no",
        ],
    );
    fl(
        &l,
        "2026-10-19T14:00:00Z",
        &["diary", "dispute", "h1", "--week", "2026-W42", "--accept"],
    );
    cl(&l, "2026-10-19T15:00:00Z", &["resume", "h1"]);
    log(
        "2026-10-20T23:00:00Z",
        "2026-10-20 10:00",
        "2026-10-20 21:59",
    );
    cl(
        &l,
        "2026-10-26T13:00:00Z",
        &[
            "diary", "dispute", "h1", "--week", "2026-W43", "--reason", "no",
        ],
    );
    fl(
        &l,
        "2026-11-02T09:00:00Z",
        &["diary", "dispute", "h1", "--week", "2026-W43", "--decline"],
    );
    fl(
        &l,
        "2026-11-03T09:00:00Z",
        &["refund", "give", "h1", "--amount", "10"],
    );
    l
}

pub(crate) const LATER: &str = "2026-12-31T00:00:00Z";

/// The balance, in minor units, of the postings `query` selects.
pub(crate) fn bal(journal: &str, query: &[&str]) -> i64 {
    let out = Command::new("hledger")
        .env("LANG", "C.UTF-8")
        .args(["-f", journal, "bal", "-O", "csv", "-N"])
        .args(query)
        .output()
        .expect("hledger");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .skip(1)
        .map(|l| {
            let amount = l.rsplit(',').next().unwrap_or("").trim_matches('"');
            cents(amount.trim_end_matches(" USD"))
        })
        .sum()
}

pub(crate) fn cents(s: &str) -> i64 {
    if s.is_empty() || s == "0" {
        return 0;
    }
    let neg = s.starts_with('-');
    let (i, f) = s
        .trim_start_matches('-')
        .split_once('.')
        .unwrap_or((s, "00"));
    let v = i.replace(',', "").parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
    if neg { -v } else { v }
}

pub(crate) fn money(v: &Value) -> i64 {
    cents(v.as_str().unwrap_or_else(|| panic!("not money: {v}")))
}

/// `hledger check --strict` passes on the journal at `j`, and Ledger reads it.
pub(crate) fn read_by_both_tools(j: &str) {
    let check = Command::new("hledger")
        .env("LANG", "C.UTF-8")
        .args(["-f", j, "check", "--strict"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&check.stderr),
        std::fs::read_to_string(j).unwrap()
    );
    let ledger = Command::new("ledger")
        .args(["-f", j, "bal"])
        .output()
        .unwrap();
    assert!(
        ledger.status.success(),
        "{}",
        String::from_utf8_lossy(&ledger.stderr)
    );
}

fn export(l: &Ledger, role: &str, dir: &std::path::Path) -> String {
    let r = l.run_at(LATER, &["--as", role, "export", "hledger"]).ok();
    let path = dir.join(format!("{role}.journal"));
    std::fs::write(&path, &r.stdout).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn hledger_and_ledger_read_both_journals_and_agree_with_show() {
    if !tools() {
        return;
    }
    let l = every_movement();
    let dir = tempfile::tempdir().unwrap();
    for role in ["client", "freelancer"] {
        let j = export(&l, role, dir.path());
        read_by_both_tools(&j);
        // Every transaction balances: the whole journal sums to zero.
        assert_eq!(bal(&j, &[]), 0, "{role}");
    }
    let (client, freelancer) = (
        export(&l, "client", dir.path()),
        export(&l, "freelancer", dir.path()),
    );
    let mut seen = 0;
    for id in ["f1", "f2", "f3", "h1"] {
        let tag = format!("tag:contract=^{id}$");
        let c = l.run_at(LATER, &["--json", "show", id]).ok().json();
        let refunds = "tag:movement=refund|given|week_refunded";
        assert_eq!(
            bal(&client, &[&tag, "expenses:freelancers"]),
            money(&c["paid"]),
            "{id} paid"
        );
        assert_eq!(
            bal(&client, &[&tag, "assets:escrow"]),
            money(&c["escrow"]),
            "{id} escrow"
        );
        assert_eq!(
            bal(&client, &[&tag, refunds, "assets:bank"]),
            money(&c["refunded"]),
            "{id} refunded"
        );
        let f = l
            .run_at(LATER, &["--json", "--as", "freelancer", "show", id])
            .ok()
            .json();
        assert_eq!(
            -bal(&freelancer, &[&tag, "income:clients"]),
            money(&f["paid"]),
            "{id} paid (freelancer)"
        );
        assert_eq!(
            bal(&freelancer, &[&tag, "expenses:fees"]),
            money(&f["fee"]),
            "{id} fee"
        );
        assert_eq!(
            bal(&freelancer, &[&tag, "assets:marketplace"]),
            money(&f["net"]),
            "{id} net"
        );
        if money(&c["paid"]) != 0 || money(&c["refunded"]) != 0 {
            seen += 1;
        }
    }
    assert_eq!(seen, 4, "every contract moved money");
}

#[test]
fn the_journal_of_a_period_and_of_some_contracts() {
    let l = every_movement();
    let all = l.run_at(LATER, &["export", "hledger"]).ok().stdout;
    let r = l
        .run_at(
            LATER,
            &[
                "export",
                "hledger",
                "--from",
                "2026-10-07",
                "--to",
                "2026-10-08",
                "f1",
            ],
        )
        .ok()
        .stdout;
    let dates: Vec<&str> = r
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(|l| &l[..10])
        .collect();
    assert_eq!(dates, ["2026-10-07"], "{r}");
    assert!(r.contains("contract:f1") && !r.contains("contract:f2"));
    assert!(all.contains("contract:h1, movement:week"), "{all}");
    l.run_at(
        LATER,
        &[
            "export",
            "hledger",
            "--from",
            "2026-10-09",
            "--to",
            "2026-10-01",
        ],
    )
    .code(2);
    l.run_at(LATER, &["export", "hledger", "nope"]).code(3);
}

/// Reads CSV back with the `csv` crate: the header and the rows.
pub(crate) fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn csv_reads_back_memos_with_commas_quotes_and_newlines_intact() {
    let l = every_movement();
    let memo = "Design, \"review\"\nand notes; 5 × ü";
    // The dispute of 2026-W43 paused h1.
    cl(&l, "2026-11-18T08:00:00Z", &["resume", "h1"]);
    fl(
        &l,
        "2026-11-18T12:00:00Z",
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-18 09:00",
            "--to",
            "2026-11-18 10:30:07",
            "--memo",
            memo,
        ],
    );
    let r = l
        .run_at(
            LATER,
            &[
                "export",
                "csv",
                "diary",
                "--from",
                "2026-11-18",
                "--to",
                "2026-11-18",
            ],
        )
        .ok();
    assert!(r.stdout.contains("\r\n"), "RFC 4180 lines end with CRLF");
    let (header, rows) = read_csv(&r.stdout);
    assert_eq!(
        header,
        [
            "contract",
            "entry",
            "week",
            "start",
            "end",
            "seconds",
            "billable_seconds",
            "over_limit_seconds",
            "manual",
            "running",
            "memo"
        ]
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row[0], "h1");
    assert_eq!(row[2], "2026-W47");
    assert_eq!(
        (row[3].as_str(), row[4].as_str()),
        ("2026-11-18T09:00:00Z", "2026-11-18T10:30:07Z")
    );
    assert_eq!(row[5], "5407");
    assert_eq!(row[10], memo);
    // Every entry, without a period: the sum of seconds is the diary's.
    let (_, all) = read_csv(
        &l.run_at(LATER, &["export", "csv", "diary", "h1"])
            .ok()
            .stdout,
    );
    let total: i64 = all.iter().map(|r| r[5].parse::<i64>().unwrap()).sum();
    assert_eq!(
        total,
        (3 * 3600 + 17 * 60) + 2 * 3600 + (11 * 3600 + 59 * 60) + 5407
    );
}

#[test]
fn csv_contracts_and_payments_agree_with_show() {
    let l = every_movement();
    for role in ["client", "freelancer"] {
        let (header, rows) = read_csv(
            &l.run_at(LATER, &["--as", role, "export", "csv", "contracts"])
                .ok()
                .stdout,
        );
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (_, pays) = read_csv(
            &l.run_at(LATER, &["--as", role, "export", "csv", "payments"])
                .ok()
                .stdout,
        );
        for row in &rows {
            let id = &row[col("id")];
            let show = l
                .run_at(LATER, &["--as", role, "--json", "show", id])
                .ok()
                .json();
            for key in ["paid", "escrow", "refunded", "funded"] {
                assert_eq!(
                    row[col(key)],
                    show[key].as_str().unwrap(),
                    "{role} {id} {key}"
                );
            }
            if role == "freelancer" {
                assert_eq!(row[col("fee")], show["fee"].as_str().unwrap(), "{id} fee");
                // The payments of a contract add up to what it paid.
                let paid: i64 = pays
                    .iter()
                    .filter(|p| &p[0] == id)
                    .map(|p| match p[2].as_str() {
                        "release" | "week" | "given" => cents(&p[3]),
                        _ => 0,
                    })
                    .sum();
                assert_eq!(paid, money(&show["paid"]), "{id} payments");
                for p in pays.iter().filter(|p| &p[0] == id && !p[4].is_empty()) {
                    assert_eq!(cents(&p[3]) - cents(&p[4]), cents(&p[5]), "{p:?}");
                    if p[2] == "given" {
                        assert!(cents(&p[3]) < 0, "a refund given back is negative: {p:?}");
                    }
                }
            } else {
                assert_eq!(row[col("fee")], "", "the fee is the freelancer's");
            }
        }
        assert_eq!(rows.len(), 4);
    }
}

/// The events of an iCalendar text, read by the `icalendar` crate's parser:
/// (UID, DTSTART, SUMMARY) with the text unescaped.
fn events_of(text: &str) -> Vec<(String, String, String)> {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("an RFC 5545 calendar");
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let prop = |name: &str| {
                c.properties
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.val.to_string())
                    .unwrap_or_default()
            };
            // RFC 5545 3.6.1: a DTEND, if any, is later than the DTSTART
            // (both UTC stamps here, which sort as text).
            let end = prop("DTEND");
            assert!(end.is_empty() || end > prop("DTSTART"), "DTEND {end}");
            (prop("UID"), prop("DTSTART"), prop("SUMMARY"))
        })
        .collect()
}

#[test]
fn ics_has_every_pending_deadline_with_a_stable_uid() {
    let l = Ledger::new();
    cl(
        &l,
        "2026-11-16T08:00:00Z",
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "Shop; tills, and \\ more",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "500",
        ],
    );
    cl(
        &l,
        "2026-11-16T09:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    );
    l.hourly("h1");
    fl(
        &l,
        "2026-11-17T12:00:00Z",
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-17 09:00",
            "--to",
            "2026-11-17 10:00",
            "--memo",
            "w",
        ],
    );
    let at = |now: &str| l.run_at(now, &["export", "ics"]).ok().stdout;
    let first = at("2026-11-18T10:00:00Z");
    assert!(first.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let evs = events_of(&first);
    let uids: Vec<&str> = evs.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        uids,
        [
            "f1-refund-1-answer@contracts",
            "h1-week-2026-W47-close@contracts"
        ],
        "{first}"
    );
    // The refund is approved 7 days after the request; the week closes on
    // Monday 12:00 UTC.
    assert_eq!(evs[0].1, "20261123T090000Z");
    assert_eq!(evs[1].1, "20261123T120000Z");
    // Escaped text reads back as it was.
    assert!(first.contains("Shop\\; tills\\, and \\\\ more"), "{first}");
    // A later export: the same deadlines keep their UIDs; a dispute adds its own.
    fl(&l, "2026-11-19T10:00:00Z", &["refund", "dispute", "f1"]);
    let later = events_of(&at("2026-11-20T10:00:00Z"));
    let uids: Vec<&str> = later.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        uids,
        [
            "h1-week-2026-W47-close@contracts",
            "f1-refund-1-dispute@contracts"
        ]
    );
    let again = events_of(&at("2026-11-20T11:00:00Z"));
    assert_eq!(later, again, "the same deadlines, the same events");
}

#[test]
fn report_rows_add_up_and_agree_with_show_and_the_diary() {
    let l = every_movement();
    for role in ["client", "freelancer"] {
        let r = l
            .run_at(
                LATER,
                &["--as", role, "--json", "report", "--by", "contract"],
            )
            .ok()
            .json();
        let rows = r["rows"].as_array().unwrap();
        let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["f1", "f2", "f3", "h1"], "{role}");
        let paid_key = if role == "client" { "spent" } else { "gross" };
        let mut sum = 0;
        for row in rows {
            let id = row["key"].as_str().unwrap();
            let show = l
                .run_at(LATER, &["--as", role, "--json", "show", id])
                .ok()
                .json();
            assert_eq!(money(&row[paid_key]), money(&show["paid"]), "{role} {id}");
            if role == "client" {
                assert_eq!(
                    money(&row["refunded"]),
                    money(&show["refunded"]),
                    "{id} refunded"
                );
            } else {
                assert_eq!(money(&row["fee"]), money(&show["fee"]), "{id} fee");
            }
            sum += money(&row[paid_key]);
        }
        assert_eq!(sum, money(&r["total"][paid_key]), "{role} total");
    }
    // Hours by week: the diary's own figures.
    let r = l
        .run_at(LATER, &["--json", "report", "--by", "week"])
        .ok()
        .json();
    let w = |k: &str| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no row {k}: {r:#}"))
    };
    for (week, json_week) in [("2026-W41", "2026-W41"), ("2026-W43", "2026-W43")] {
        let d = l
            .run_at(
                LATER,
                &["--json", "diary", "show", "h1", "--week", json_week],
            )
            .ok()
            .json();
        let sheet = &d["weeks"][0]["contracts"][0];
        assert_eq!(w(week)["manual_seconds"], sheet["seconds"], "{week}");
        assert_eq!(
            w(week)["billable_seconds"],
            sheet["billable_seconds"],
            "{week}"
        );
    }
    // The table: one bar per row, the widest full.
    let t = l.run_at(LATER, &["report", "--by", "contract"]).ok().stdout;
    assert!(t.contains(&"█".repeat(24)), "{t}");
    l.run_at(LATER, &["report", "--by", "year"]).code(2);
}

/// `hledger print -O csv` of a journal: (status, code, description) of
/// each posting's transaction.
fn hledger_transactions(journal: &str) -> Vec<(String, String, String)> {
    let out = Command::new("hledger")
        .env("LANG", "C.UTF-8")
        .args(["-f", journal, "print", "-O", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (header, rows) = read_csv(&String::from_utf8(out.stdout).unwrap());
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    rows.iter()
        .map(|r| {
            (
                r[col("status")].clone(),
                r[col("code")].clone(),
                r[col("description")].clone(),
            )
        })
        .collect()
}

/// A fixed contract `id` for `freelancer` at `price`, made on 1 Oct and
/// paid in full at its end on 2 Oct.
fn paid_in_full(l: &Ledger, id: &str, freelancer: &str, price: &str) {
    l.run_at(
        "2026-10-01T09:00:00Z",
        &[
            "new",
            "--id",
            id,
            "--title",
            "Shop \"v2\"; phase|1",
            "--client",
            "C",
            "--freelancer",
            freelancer,
            "--fixed",
            price,
        ],
    )
    .ok();
    l.run_at(
        "2026-10-02T09:00:00Z",
        &["end", id, "--pay", "full", "--yes"],
    )
    .ok();
}

/// The client's journal of `l`, written in `dir`, read by both tools.
fn client_journal(l: &Ledger, dir: &std::path::Path) -> String {
    let j = dir.join("client.journal");
    std::fs::write(&j, l.run_at(LATER, &["export", "hledger"]).ok().stdout).unwrap();
    let j = j.to_string_lossy().into_owned();
    read_by_both_tools(&j);
    j
}

#[test]
fn a_journal_in_yen_with_awkward_names_reads_as_written() {
    if !tools() {
        return;
    }
    let l = Ledger::empty();
    l.run_at("2026-10-01T08:00:00Z", &["init", "--currency", "JPY"])
        .ok();
    let names = ["(Acme) Ltd", "* Star", "! Bang"];
    for (i, name) in names.iter().enumerate() {
        paid_in_full(&l, &format!("j{}", i + 1), name, "1001");
    }
    let dir = tempfile::tempdir().unwrap();
    let j = client_journal(&l, dir.path());
    // 1001 yen paid to each, in whole yen.
    for (i, name) in names.iter().enumerate() {
        let tag = format!("tag:contract=j{}", i + 1);
        let out = Command::new("hledger")
            .env("LANG", "C.UTF-8")
            .args(["-f", &j, "bal", "-N", &tag, "expenses:freelancers"])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.split_whitespace().take(2).collect::<Vec<_>>(),
            ["1001", "JPY"],
            "{name}: {out}"
        );
    }
    // Each payee is read as written: no status, the contract as the code.
    let txns = hledger_transactions(&j);
    assert_eq!(txns.len(), 12, "{txns:?}");
    for (status, code, description) in txns {
        let name = names[code[1..].parse::<usize>().unwrap() - 1];
        assert_eq!(status, "", "{description}");
        assert!(
            description.starts_with(&format!("{name} | Shop \"v2\", phase/1: milestone 1 ")),
            "{description}"
        );
    }
}

#[test]
fn a_period_that_cuts_a_week_keeps_the_weeks_billable_time() {
    let l = Ledger::new();
    l.hourly("h1");
    let log = |from: &str, to: &str| {
        l.run_at(
            "2026-11-13T12:00:00Z",
            &[
                "--as",
                "freelancer",
                "diary",
                "log",
                "h1",
                "--from",
                from,
                "--to",
                to,
                "--memo",
                "w",
            ],
        )
        .ok();
    };
    // A 10 h limit: Monday's 4 h leave 6 h of Tuesday's 8 billable.
    log("2026-11-09T08:00:00Z", "2026-11-09T12:00:00Z");
    log("2026-11-10T08:00:00Z", "2026-11-10T16:00:00Z");
    let now = "2026-11-13T12:00:00Z";
    let (header, rows) = read_csv(
        &l.run_at(
            now,
            &[
                "export",
                "csv",
                "diary",
                "--from",
                "2026-11-10",
                "--to",
                "2026-11-10",
            ],
        )
        .ok()
        .stdout,
    );
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][col("billable_seconds")], (6 * 3600).to_string());
    assert_eq!(rows[0][col("over_limit_seconds")], (2 * 3600).to_string());
    let r = l
        .run_at(
            now,
            &[
                "--json",
                "report",
                "--by",
                "week",
                "--from",
                "2026-11-10",
                "--to",
                "2026-11-10",
            ],
        )
        .ok()
        .json();
    assert_eq!(r["rows"][0]["billable_seconds"], 6 * 3600, "{r:#}");
    assert_eq!(r["rows"][0]["manual_seconds"], 8 * 3600, "{r:#}");
}

#[test]
fn a_contract_named_twice_is_exported_once() {
    let l = every_movement();
    for what in [
        &["export", "hledger"][..],
        &["export", "csv", "payments"],
        &["export", "csv", "contracts"],
        &["export", "csv", "diary"],
    ] {
        let once = l
            .run_at(LATER, &[what, &["f2", "h1"][..]].concat())
            .ok()
            .stdout;
        let twice = l
            .run_at(LATER, &[what, &["f2", "h1", "f2", "h1"][..]].concat())
            .ok()
            .stdout;
        assert_eq!(once, twice, "{what:?}");
        assert!(once.lines().count() > 2, "{what:?}: {once}");
    }
    let ics = |ids: &[&str]| {
        l.run_at(
            "2026-10-05T12:00:00Z",
            &[&["export", "ics"][..], ids].concat(),
        )
        .ok()
        .stdout
    };
    assert_eq!(ics(&["h1", "f1"]), ics(&["h1", "f1", "h1"]));
}

#[test]
fn parties_whose_names_differ_keep_their_own_accounts() {
    if !tools() {
        return;
    }
    let l = Ledger::new();
    let names = ["Ann-Lee", "Ann:Lee", "Ann#Lee"];
    for (i, name) in names.iter().enumerate() {
        paid_in_full(
            &l,
            &format!("p{}", i + 1),
            name,
            &format!("{}", 100 * (i + 1)),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let j = client_journal(&l, dir.path());
    let out = Command::new("hledger")
        .env("LANG", "C.UTF-8")
        .args(["-f", &j, "accounts", "expenses:freelancers"])
        .output()
        .unwrap();
    let accounts: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(accounts.len(), 3, "{accounts:?}");
    // A name that needed no change is the account as it is.
    assert!(
        accounts.contains(&"expenses:freelancers:Ann-Lee".to_string()),
        "{accounts:?}"
    );
    // Each account holds its own party's money only.
    for a in &accounts {
        let b = bal(&j, &[&format!("acct:^{}$", a.replace('#', "\\#"))]);
        assert!([10000, 20000, 30000].contains(&b), "{a}: {b}");
    }
}
