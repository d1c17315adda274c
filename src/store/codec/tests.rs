//! The codec's tests: every file shape read and written back, and every
//! problem reported at its place.

use super::*;
use crate::core::Role;
use crate::core::diary::entries::{self, LogRequest};
use crate::core::diary::hourly;
use crate::core::escrow;
use crate::core::feedback::{self, GiveRequest};
use crate::core::lifecycle::tests as lt;
use crate::core::lifecycle::{self, EndRequest, NewContract, NewTerms, Pay};
use crate::core::model::*;
use crate::core::money::Money;
use crate::core::validate;
use crate::core::week::Week;
use crate::store::{merge, parse_text};

/// Reads `text` the way the store does (`parse_text`, then a `Cx` over
/// its `Source`), giving the value and the problems found.
fn read<T>(
    text: &str,
    currency: Option<Currency>,
    reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
) -> (Option<T>, Vec<Located>) {
    let doc = parse_text(text, "f.toml").unwrap();
    let src = Source {
        file: "f.toml",
        text,
    };
    let mut cx = Cx::new(&src, currency);
    let value = reader(&mut cx, &doc);
    (value, cx.problems)
}

/// Renders `table` as a new file and reads it back, through the store's
/// parser and through the full parser alone (the line reader must agree).
fn round_trip<T: std::fmt::Debug + PartialEq>(
    table: Result<Table, ser::Error>,
    currency: Option<Currency>,
    reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
) -> T {
    let text = merge::render_new(table.unwrap());
    let (value, problems) = read(&text, currency, reader);
    assert_eq!(problems, vec![], "problems reading back:\n{text}");
    let full = tree::full(&text).unwrap();
    let src = Source {
        file: "f.toml",
        text: &text,
    };
    let mut cx = Cx::new(&src, currency);
    let by_full = reader(&mut cx, &full);
    assert_eq!(cx.problems, vec![]);
    let value = value.unwrap();
    assert_eq!(by_full.as_ref(), Some(&value), "the two parsers disagree");
    value
}

fn usd() -> Currency {
    lt::settings().currency
}
fn m(s: &str) -> Money {
    usd().parse(s).unwrap()
}
#[track_caller]
fn ok<T>(r: Result<crate::core::Outcome, T>) -> Contract
where
    T: std::fmt::Debug,
{
    // Each step its operation id, as a command gives it.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut o = r.unwrap();
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    crate::core::step::stamp(&mut o, &format!("{n:016x}"));
    o.contract
}

// ------------------------------------------------------- round trips

#[test]
fn settings_round_trip_in_every_role_and_currency_shape() {
    for (code, role, fee) in [
        ("USD", Role::Client, 10),
        ("JPY", Role::Freelancer, 0),
        ("BHD", Role::Client, 100),
    ] {
        let s = Settings {
            currency: Currency::from_code(code).unwrap(),
            role,
            fee_percent: fee,
        };
        assert_eq!(round_trip(write_settings(&s), None, read_settings), s);
    }
}

#[test]
fn settings_defaults_apply_when_role_and_fee_are_left_out() {
    let (s, problems) = read("version = 1\ncurrency = \"EUR\"\n", None, read_settings);
    assert_eq!(problems, vec![]);
    assert_eq!(
        s,
        Some(Settings {
            currency: Currency::from_code("EUR").unwrap(),
            role: Role::Client,
            fee_percent: 10,
        })
    );
}

/// A fixed contract taken through the rules: three milestones (released,
/// partly refunded, left funded at the end), a refund disputed,
/// escalated and resolved, one approved, one given back, the rest
/// returned when the client ended it, and feedback from both with a reply.
fn rich_fixed() -> Contract {
    let s = lt::settings();
    let t = lt::t;
    let mut c = ok(lifecycle::create(
        NewContract {
            id: ContractId::parse("c7").unwrap(),
            title: "Storefront \"v2\" — naïve \\ café".into(),
            client: "Acme".into(),
            freelancer: "Ann".into(),
            terms: NewTerms::Fixed {
                price: m("1000"),
                milestones: vec![
                    ("Design".into(), m("300")),
                    ("Build".into(), m("500.50")),
                    ("Launch".into(), m("199.50")),
                ],
            },
        },
        Role::Client,
        &s,
        t("2026-11-02T09:00:00Z"),
    ));
    c = ok(escrow::submit(&c, Some(1), &s, t("2026-11-03T09:00:00Z")));
    c = ok(escrow::approve(
        &c,
        Some(1),
        None,
        &s,
        t("2026-11-03T12:00:00Z"),
    ));
    c = ok(escrow::fund(&c, Some(2), &s, t("2026-11-04T09:00:00Z")));
    c = ok(escrow::request(
        &c,
        Some(m("100")),
        &s,
        t("2026-11-04T10:00:00Z"),
    ));
    c = ok(escrow::dispute(
        &c,
        Some("the work is done".into()),
        &s,
        t("2026-11-05T10:00:00Z"),
    ));
    c = ok(escrow::escalate(&c, &s, t("2026-11-06T10:00:00Z")));
    c = ok(escrow::resolve(
        &c,
        Role::Client,
        m("60"),
        m("40"),
        &s,
        t("2026-11-09T10:00:00Z"),
    ));
    c = ok(escrow::request(
        &c,
        Some(m("25.25")),
        &s,
        t("2026-11-10T10:00:00Z"),
    ));
    c = ok(escrow::approve_refund(&c, &s, t("2026-11-11T10:00:00Z")));
    c = ok(escrow::submit(&c, Some(2), &s, t("2026-11-12T10:00:00Z")));
    c = ok(escrow::approve(
        &c,
        Some(2),
        None,
        &s,
        t("2026-11-12T10:30:00Z"),
    ));
    c = ok(escrow::give(&c, m("20"), &s, t("2026-11-12T11:00:00Z")));
    c = ok(escrow::fund(&c, Some(3), &s, t("2026-11-12T12:00:00Z")));
    c = ok(lifecycle::end(
        &c,
        Role::Client,
        &EndRequest {
            reason: EndReason::Unsuccessful,
            note: Some("scope changed".into()),
            pay: Some(Pay::None),
        },
        &s,
        t("2026-11-13T09:00:00Z"),
    ));
    let scores = Scores {
        skills: Some(5),
        quality: Some(4),
        availability: Some(3),
        deadlines: Some(2),
        communication: Some(1),
        cooperation: None,
    };
    for (role, at) in [
        (Role::Client, "2026-11-14T09:00:00Z"),
        (Role::Freelancer, "2026-11-15T09:00:00Z"),
    ] {
        let req = GiveRequest {
            stars: 4,
            scores: scores.clone(),
            comment: Some(format!("{role} says: good\nsecond line")),
            private: Some(format!("{role} privately: \"ok\"")),
            commitment: None,
        };
        c = ok(feedback::give(&c, role, &req, &s, t(at)));
    }
    ok(feedback::reply(
        &c,
        Role::Freelancer,
        "thank you",
        &s,
        t("2026-11-16T09:00:00Z"),
    ))
}

/// An hourly contract taken through the rules: the limit raised and cut,
/// paused and resumed, ended by the freelancer; the hourly disputes are
/// added by hand (opening one needs an invoiced week's payment).
fn rich_hourly() -> Contract {
    let s = lt::settings();
    let t = lt::t;
    let mut c = lt::hourly();
    c = ok(hourly::set_limit(
        &c,
        Some(20),
        &s,
        t("2026-11-03T09:00:00Z"),
    ));
    c = ok(hourly::set_limit(
        &c,
        Some(5),
        &s,
        t("2026-11-04T09:00:00Z"),
    ));
    c = ok(hourly::set_limit(&c, None, &s, t("2026-11-11T09:00:00Z")));
    c = ok(lifecycle::pause(&c, &s, t("2026-11-12T09:00:00Z")));
    c = ok(lifecycle::resume(&c, &s, t("2026-11-13T09:00:00Z")));
    c = ok(lifecycle::end(
        &c,
        Role::Freelancer,
        &EndRequest {
            reason: EndReason::Unresponsive,
            note: None,
            pay: None,
        },
        &s,
        t("2026-11-20T09:00:00Z"),
    ));
    let week: Week = "2026-W45".parse().unwrap();
    c.payments.push(Payment {
        at: t("2026-11-16T00:00:00Z"),
        milestone: None,
        week: Some(week),
        amount: m("250"),
        fee: m("25"),
    });
    for (i, status) in DisputeStatus::ALL.iter().enumerate() {
        let closed = *status != DisputeStatus::Open;
        c.disputes.push(HourlyDispute {
            week,
            reason: if i == 0 {
                String::new()
            } else {
                format!("reason {i}")
            },
            status: *status,
            opened_at: t("2026-11-17T09:00:00Z"),
            closed_at: closed.then(|| t("2026-11-18T09:00:00Z")),
            refunded: (*status == DisputeStatus::Accepted).then(|| m("250")),
        });
    }
    c
}

#[test]
fn a_fixed_contract_built_by_the_rules_round_trips() {
    let c = rich_fixed();
    // The state is a real one, and as rich as promised.
    assert_eq!(validate::contract(&c), vec![]);
    let statuses: Vec<_> = c.milestones.iter().map(|m| m.status).collect();
    assert!(
        statuses.contains(&MilestoneStatus::Released),
        "{statuses:?}"
    );
    let refunds: Vec<_> = c.refunds.iter().map(|r| (r.origin, r.status)).collect();
    for want in [
        (RefundOrigin::Request, RefundStatus::Resolved),
        (RefundOrigin::Request, RefundStatus::Refunded),
        (RefundOrigin::Given, RefundStatus::Refunded),
        (RefundOrigin::End, RefundStatus::Requested),
    ] {
        assert!(refunds.contains(&want), "{want:?} not in {refunds:?}");
    }
    assert!(c.ending.is_some());
    let fc = c.feedback_client.as_ref().unwrap();
    assert_eq!(fc.status, FeedbackStatus::Revealed);
    assert_eq!(fc.reply.as_deref(), Some("thank you"));
    assert!(c.history.iter().any(|e| e.amount.is_some()));

    assert_eq!(
        round_trip(write_contract(&c, &usd()), Some(usd()), read_contract),
        c
    );
}

#[test]
fn an_event_a_merge_set_aside_round_trips_with_its_reason() {
    let mut c = rich_fixed();
    let last = c.history.last_mut().unwrap();
    last.superseded = Some("`reply` refused: \"already replied\"".into());
    let text = merge::render_new(write_contract(&c, &usd()).unwrap());
    assert!(text.contains("superseded = "), "{text}");
    assert_eq!(
        round_trip(write_contract(&c, &usd()), Some(usd()), read_contract),
        c
    );
}

#[test]
fn an_hourly_contract_built_by_the_rules_round_trips() {
    let c = rich_hourly();
    let Terms::Hourly { limit_changes, .. } = &c.terms else {
        panic!("hourly")
    };
    assert_eq!(limit_changes.len(), 3);
    assert!(limit_changes.iter().any(|l| l.hours.is_none()));
    assert!(
        c.history.iter().any(|e| e.kind().as_str() == "paused"),
        "{:?}",
        c.history
    );
    assert_eq!(c.ending.as_ref().unwrap().by, Role::Freelancer);
    assert_eq!(
        round_trip(write_contract(&c, &usd()), Some(usd()), read_contract),
        c
    );
}

/// Every refund status and origin, every milestone status and every
/// feedback status, with every optional field set: the codec does not
/// judge the state, so a hand-built one shows each shape survives.
#[test]
fn every_variant_and_optional_field_round_trips_in_three_currencies() {
    let t = lt::t;
    for code in ["USD", "JPY", "BHD"] {
        let cur = Currency::from_code(code).unwrap();
        let mut c = rich_fixed();
        c.milestones = MilestoneStatus::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| Milestone {
                title: format!("M{i}"),
                amount: cur.major(100 + i as i64),
                status: *s,
                funded: cur.major(i as i64),
                funded_at: (i % 2 == 0).then(|| t("2026-11-02T09:00:00Z")),
                submitted_at: (i % 3 == 0).then(|| t("2026-11-03T09:00:00.123456789Z")),
            })
            .collect();
        c.refunds.clear();
        for (i, origin) in RefundOrigin::ALL.iter().enumerate() {
            for (j, status) in RefundStatus::ALL.iter().enumerate() {
                let all = (i + j) % 2 == 0;
                c.refunds.push(Refund {
                    origin: *origin,
                    milestone: all.then_some(j as u32 + 1),
                    amount: cur.parse("7").unwrap(),
                    status: *status,
                    requested_at: t("2026-11-04T09:00:00Z"),
                    deadline: t("2026-11-11T09:00:00Z"),
                    disputed_at: all.then(|| t("2026-11-05T09:00:00Z")),
                    dispute_deadline: all.then(|| t("2026-11-12T09:00:00Z")),
                    note: all.then(|| "a note # not a comment".into()),
                    settled_at: all.then(|| t("2026-11-06T09:00:00Z")),
                    client_part: all.then(|| cur.major(3)),
                    fee_returned: all.then(|| cur.major(0)),
                });
            }
        }
        c.payments = vec![Payment {
            at: t("2026-11-03T12:00:00Z"),
            milestone: Some(1),
            week: None,
            amount: cur.parse("1234567").unwrap(),
            fee: cur.parse("0").unwrap(),
        }];
        for (i, status) in FeedbackStatus::ALL.iter().enumerate() {
            let mut f = Feedback::pending();
            f.status = *status;
            c.feedback_client = Some(f.clone());
            c.feedback_freelancer = (i % 2 == 0).then_some(f);
            assert_eq!(
                round_trip(write_contract(&c, &cur), Some(cur), read_contract),
                c
            );
        }
        c.feedback_client = None;
        c.feedback_freelancer = None;
        c.history.clear();
        c.ending = None;
        c.status = Status::Paused;
        assert_eq!(
            round_trip(write_contract(&c, &cur), Some(cur), read_contract),
            c
        );
    }
}

/// A week with two manual entries (logged by the rules), a tracked one
/// and a running one, plus a memo that needs escaping.
fn rich_week() -> WeekFile {
    let t = lt::t;
    let c = lt::hourly();
    let week: Week = "2026-W46".parse().unwrap();
    let mut wf = WeekFile::new(c.id.clone(), week);
    let now = t("2026-11-12T20:00:00Z");
    for (start, end, memo) in [
        ("2026-11-09T09:00:00Z", "2026-11-09T12:30:00Z", "design"),
        (
            "2026-11-10T09:00:00Z",
            "2026-11-10T10:00:00Z",
            "calls \"x\"\tand\nnotes",
        ),
    ] {
        let req = LogRequest {
            start: t(start),
            end: t(end),
            memo: memo.into(),
        };
        wf = entries::log(&c, Role::Freelancer, &wf, &[], req, now)
            .unwrap()
            .0;
    }
    wf = entries::start(
        &c,
        Role::Freelancer,
        &wf,
        &[],
        "tracked".into(),
        t("2026-11-11T09:00:00Z"),
    )
    .unwrap()
    .0;
    wf = entries::stop(&c, Role::Freelancer, &wf, &[], t("2026-11-11T11:15:07Z"))
        .unwrap()
        .0;
    entries::start(&c, Role::Freelancer, &wf, &[], String::new(), now)
        .unwrap()
        .0
}

#[test]
fn a_week_file_round_trips_with_manual_tracked_and_running_entries() {
    let wf = rich_week();
    let kinds: Vec<_> = wf
        .entries
        .iter()
        .map(|e| (e.manual, e.end.is_some()))
        .collect();
    assert_eq!(
        kinds,
        [(true, true), (true, true), (false, true), (false, false)]
    );
    // No entry was deleted, so the counter is not written and reads as
    // 0: the next id stays the same.
    assert_eq!(wf.deleted_beyond(), None);
    let back = round_trip(write_week(&wf, &usd()), Some(usd()), read_week);
    assert_eq!(back.next_id(), wf.next_id());
    assert_eq!(
        back,
        WeekFile {
            last_number: 0,
            ..wf.clone()
        }
    );

    // After deleting the newest entries the counter is written, exactly.
    let mut cut = wf.clone();
    cut.entries.truncate(2);
    assert_eq!(cut.deleted_beyond(), Some(4));
    assert_eq!(
        round_trip(write_week(&cut, &usd()), Some(usd()), read_week),
        cut
    );
    let text = merge::render_new(write_week(&cut, &usd()).unwrap());
    assert!(text.contains("last_entry = 4\n"), "{text}");
}

// ------------------------------------------------- refused shapes

/// A small valid contract; the cases below change one thing in it.
/// Line numbers in the cases refer to this layout.
const CONTRACT: &str = "\
version = 1
id = \"c1\"
title = \"Storefront\"
client = \"Acme\"
freelancer = \"Ann\"
kind = \"fixed\"
price = \"500.00\"
status = \"active\"
started_at = 2026-11-02T09:00:00Z

[[milestones]]
title = \"Design\"
amount = \"200.00\"
status = \"funded\"
funded = \"200.00\"
funded_at = 2026-11-02T09:00:00Z

[[milestones]]
title = \"Build\"
amount = \"300.00\"
status = \"pending\"
funded = \"0.00\"
";

const SETTINGS: &str = "\
version = 1
currency = \"USD\"
role = \"client\"
fee_percent = 10
";

const WEEK: &str = "\
version = 1
contract = \"h1\"
week = \"2026-W46\"

[[entries]]
id = \"2026W46-1\"
start = 2026-11-09T09:00:00Z
end = 2026-11-09T10:00:00Z
memo = \"\"
manual = true
";

/// `base` with the one occurrence of `old` replaced by `new`.
fn edit(base: &str, old: &str, new: &str) -> String {
    assert_eq!(base.matches(old).count(), 1, "`{old}` must occur once");
    base.replace(old, new)
}

/// One case: the edited text must give exactly one problem, whose
/// message contains `fragment`, at `line:col` of `f.toml`.
type Case<'a> = (&'a str, &'a str, &'a str, usize, usize);

fn check_cases<T: std::fmt::Debug>(
    base: &str,
    reader: fn(&mut Cx<'_>, &tree::Table<'_>) -> Option<T>,
    cases: &[Case<'_>],
) {
    let (_, problems) = read(base, Some(usd()), reader);
    assert_eq!(problems, vec![], "the base text is valid");
    for &(old, new, fragment, line, col) in cases {
        let text = edit(base, old, new);
        let (_, problems) = read(&text, Some(usd()), reader);
        let [p] = problems.as_slice() else {
            panic!("`{new}`: expected one problem, got {problems:#?}");
        };
        assert!(
            p.message.contains(fragment),
            "`{new}`: {:?} lacks {fragment:?}",
            p.message
        );
        assert_eq!(
            (p.file.as_str(), p.line, p.col),
            ("f.toml", Some(line), Some(col)),
            "`{new}`: {p}"
        );
    }
}

#[test]
fn wrong_value_types_are_refused_at_the_value() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "title = \"Storefront\"",
                "title = 5",
                "`title`: expected a string, found integer",
                3,
                9,
            ),
            (
                "title = \"Storefront\"",
                "title = [1, 2]",
                "`title`: expected a string, found array",
                3,
                9,
            ),
            (
                "title = \"Storefront\"",
                "title = { a = 1 }",
                "`title`: expected a string, found inline table",
                3,
                9,
            ),
            (
                "status = \"active\"",
                "status = 1",
                "`status`: expected a string, found integer",
                8,
                10,
            ),
            (
                "title = \"Build\"",
                "title = 1.5",
                "`title`: expected a string, found float",
                19,
                9,
            ),
            (
                "version = 1",
                "version = \"1\"",
                "`version`: expected a whole number, found string",
                1,
                11,
            ),
        ],
    );
    check_cases(
        WEEK,
        read_week,
        &[(
            "manual = true",
            "manual = \"yes\"",
            "`manual`: expected true or false, found string",
            10,
            10,
        )],
    );
}

#[test]
fn numbers_out_of_range_are_refused_at_the_value() {
    check_cases(
        SETTINGS,
        read_settings,
        &[
            (
                "fee_percent = 10",
                "fee_percent = 300",
                "`fee_percent`: 300 is out of range",
                4,
                15,
            ),
            (
                "fee_percent = 10",
                "fee_percent = -1",
                "`fee_percent`: -1 is out of range",
                4,
                15,
            ),
            (
                "fee_percent = 10",
                "fee_percent = 101",
                "`fee_percent` is a percentage from 0 to 100",
                4,
                15,
            ),
        ],
    );
    // An entry number is never negative: refused, not read as 0.
    check_cases(
        WEEK,
        read_week,
        &[(
            "week = \"2026-W46\"",
            "week = \"2026-W46\"\nlast_entry = -5",
            "`last_entry`: -5 is out of range",
            4,
            14,
        )],
    );
}

#[test]
fn money_must_be_a_quoted_decimal_in_the_currency() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "price = \"500.00\"",
                "price = 500.0",
                "`price`: money is written as a quoted decimal string such as \"1250.00\", not as a float",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = 500",
                "`price`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = true",
                "`price`: expected an amount such as \"1250.00\", found boolean",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = \"500.001\"",
                "`price`: `500.001` has more decimals than USD allows (2)",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = \"-5\"",
                "`price`: `-5` is negative",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = \"1,250\"",
                "`price`: `1,250` is not an amount",
                7,
                9,
            ),
            (
                "price = \"500.00\"",
                "price = \"99999999999999999999\"",
                "is too large",
                7,
                9,
            ),
            (
                "amount = \"300.00\"",
                "amount = 300",
                "`amount`: money is written as a quoted decimal string",
                20,
                10,
            ),
        ],
    );
}

#[test]
fn money_is_checked_against_the_ledger_currency_and_needs_one() {
    // The same text in yen: every amount has too many decimals.
    let jpy = Currency::from_code("JPY").unwrap();
    let (_, problems) = read(CONTRACT, Some(jpy), read_contract);
    let at: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.col, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (
                Some(7),
                Some(9),
                "`price`: `500.00` has more decimals than JPY allows (0)"
            ),
            (
                Some(13),
                Some(10),
                "`amount`: `200.00` has more decimals than JPY allows (0)"
            ),
            (
                Some(15),
                Some(10),
                "`funded`: `200.00` has more decimals than JPY allows (0)"
            ),
            (
                Some(20),
                Some(10),
                "`amount`: `300.00` has more decimals than JPY allows (0)"
            ),
            (
                Some(22),
                Some(10),
                "`funded`: `0.00` has more decimals than JPY allows (0)"
            ),
        ]
    );
    // Without a currency no amount can be read.
    let (c, problems) = read(CONTRACT, None, read_contract);
    assert_eq!(c, None);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(
        problems[0].message,
        "`price`: money needs the ledger's currency"
    );
    assert_eq!((problems[0].line, problems[0].col), (Some(7), Some(9)));
}

#[test]
fn instants_must_be_full_utc_datetimes() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "started_at = 2026-11-02T09:00:00Z",
                "started_at = \"2026-11-02T09:00:00Z\"",
                "`started_at`: times are native TOML datetimes, not strings: remove the quotes",
                9,
                14,
            ),
            (
                "started_at = 2026-11-02T09:00:00Z",
                "started_at = 1",
                "`started_at`: expected a datetime such as 2026-11-23T09:00:00Z, found integer",
                9,
                14,
            ),
            (
                "started_at = 2026-11-02T09:00:00Z",
                "started_at = 2026-11-02",
                "`started_at`: expected a full date and time",
                9,
                14,
            ),
            (
                "started_at = 2026-11-02T09:00:00Z",
                "started_at = 09:00:00",
                "`started_at`: expected a full date and time",
                9,
                14,
            ),
            (
                "started_at = 2026-11-02T09:00:00Z",
                "started_at = 2026-11-02T09:00:00",
                "`started_at`: datetime without offset: instants are UTC",
                9,
                14,
            ),
            (
                "funded_at = 2026-11-02T09:00:00Z",
                "funded_at = 2026-11-02 09:00:00",
                "`funded_at`: datetime without offset",
                16,
                13,
            ),
        ],
    );
}

#[test]
fn an_offset_is_converted_to_utc_and_a_date_that_does_not_exist_is_refused() {
    let text = edit(
        CONTRACT,
        "started_at = 2026-11-02T09:00:00Z",
        "started_at = 2026-11-02T10:30:00.5+01:30",
    );
    let (c, problems) = read(&text, Some(usd()), read_contract);
    assert_eq!(problems, vec![]);
    assert_eq!(c.unwrap().started_at, lt::t("2026-11-02T09:00:00.5Z"));
    // TOML parsers accept any day up to 31; the month decides here.
    let feb30 = toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: 2026,
            month: 2,
            day: 30,
        }),
        time: Some(toml_edit::Time {
            hour: 9,
            minute: 0,
            second: Some(0),
            nanosecond: None,
        }),
        offset: Some(toml_edit::Offset::Z),
    };
    assert_eq!(
        instant(&feb30),
        Err("not a valid date and time".to_string())
    );
}

#[test]
fn enums_ids_weeks_and_currencies_are_refused_with_what_is_allowed() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "kind = \"fixed\"",
                "kind = \"weekly\"",
                "`kind`: `weekly` is not one of: hourly, fixed",
                6,
                8,
            ),
            (
                "funded = \"0.00\"",
                "funded = \"0.00\"\n\n[[history]]\nat = 2026-11-02T09:00:00Z\nactor = \"client\"\nevent = \"deleted\"\ndetail = \"\"",
                "`event`: `deleted` is not one of: created, paused, resumed, ended",
                27,
                9,
            ),
            (
                "status = \"active\"",
                "status = \"done\"",
                "`status`: `done` is not one of: active, paused, ended",
                8,
                10,
            ),
            (
                "status = \"pending\"",
                "status = \"paid\"",
                "`status`: `paid` is not one of: pending, funded, submitted, released, refunded",
                21,
                10,
            ),
            (
                "id = \"c1\"",
                "id = \"c 1\"",
                "`id`: contract id `c 1` contains ' '",
                2,
                6,
            ),
            (
                "id = \"c1\"",
                "id = \"\"",
                "`id`: a contract id cannot be empty",
                2,
                6,
            ),
            (
                "id = \"c1\"",
                "id = \"c12345678901234567890123456789012\"",
                "at most 32 are allowed",
                2,
                6,
            ),
        ],
    );
    // A wrong `ended_by` is reported once, at its value (not again as
    // missing at `ended_at`); a missing one at `ended_at`.
    let text = edit(
        CONTRACT,
        "started_at = 2026-11-02T09:00:00Z\n",
        "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\nended_by = \"nobody\"\nend_reason = \"completed\"\n",
    );
    let (_, problems) = read(&text, Some(usd()), read_contract);
    let at: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.col, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [(
            Some(11),
            Some(12),
            "`ended_by`: `nobody` is not one of: client, freelancer"
        ),]
    );
    let text = edit(
        CONTRACT,
        "started_at = 2026-11-02T09:00:00Z\n",
        "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\nend_reason = \"completed\"\n",
    );
    let (_, problems) = read(&text, Some(usd()), read_contract);
    let at: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.col, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [(
            Some(10),
            Some(12),
            "an ended contract needs `ended_by` and `end_reason`"
        )]
    );
    check_cases(
        SETTINGS,
        read_settings,
        &[
            (
                "currency = \"USD\"",
                "currency = \"XYZ\"",
                "`currency`: unknown currency `XYZ`",
                2,
                12,
            ),
            (
                "currency = \"USD\"",
                "currency = \"usd\"",
                "unknown currency `usd`",
                2,
                12,
            ),
            (
                "role = \"client\"",
                "role = \"boss\"",
                "`role`: `boss` is not one of: client, freelancer",
                3,
                8,
            ),
        ],
    );
    check_cases(
        WEEK,
        read_week,
        &[
            (
                "week = \"2026-W46\"",
                "week = \"2026-46\"",
                "`week`: `2026-46` is not an ISO week: write it like 2026-W47",
                3,
                8,
            ),
            (
                "week = \"2026-W46\"",
                "week = \"2026-W54\"",
                "`week`: 2026 has no ISO week 54",
                3,
                8,
            ),
            (
                "contract = \"h1\"",
                "contract = \"h/1\"",
                "`contract`: contract id `h/1` contains '/'",
                2,
                12,
            ),
        ],
    );
}

#[test]
fn versions_other_than_this_programs_are_refused_at_the_value() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "version = 1",
                "version = 4",
                "written by a newer version of contracts (file version 4; this program reads 3): upgrade contracts",
                1,
                11,
            ),
            (
                "version = 1",
                "version = 0",
                "unknown file version 0",
                1,
                11,
            ),
            (
                "version = 1",
                "version = -3",
                "unknown file version -3",
                1,
                11,
            ),
            ("version = 1\n", "", "missing `version`", 1, 1),
        ],
    );
    check_cases(
        SETTINGS,
        read_settings,
        &[("version = 1", "version = 9", "file version 9", 1, 11)],
    );
    check_cases(
        WEEK,
        read_week,
        &[("version = 1", "version = 9", "file version 9", 1, 11)],
    );
}

#[test]
fn missing_keys_are_reported_at_their_table() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            // The root table: the start of the file.
            ("title = \"Storefront\"\n", "", "missing `title`", 1, 1),
            (
                "started_at = 2026-11-02T09:00:00Z\n",
                "",
                "missing `started_at`",
                1,
                1,
            ),
            // A table of an array: its header.
            ("title = \"Build\"\n", "", "missing `title`", 18, 1),
            ("status = \"funded\"\n", "", "missing `status`", 11, 1),
            (
                "started_at = 2026-11-02T09:00:00Z\n",
                "started_at = 2026-11-02T09:00:00Z\nended_at = 2026-11-03T09:00:00Z\n",
                "an ended contract needs `ended_by` and `end_reason`",
                10,
                12,
            ),
        ],
    );
    check_cases(
        SETTINGS,
        read_settings,
        &[("currency = \"USD\"\n", "", "missing `currency`", 1, 1)],
    );
    check_cases(
        WEEK,
        read_week,
        &[
            ("week = \"2026-W46\"\n", "", "missing `week`", 1, 1),
            (
                "start = 2026-11-09T09:00:00Z\n",
                "",
                "missing `start`",
                5,
                1,
            ),
        ],
    );
}

#[test]
fn unknown_keys_are_refused_at_the_key_with_the_known_ones() {
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                "client = \"Acme\"\n",
                "client = \"Acme\"\ncolour = \"red\"\n",
                "unknown key `colour` (known here: version, id, title, client, freelancer, kind, rate,",
                5,
                1,
            ),
            (
                "funded = \"0.00\"\n",
                "funded = \"0.00\"\npaid = true\n",
                "unknown key `paid` (known here: title, amount, status, funded, funded_at, submitted_at)",
                23,
                1,
            ),
            // A key of the other kind of contract is unknown here.
            (
                "price = \"500.00\"\n",
                "price = \"500.00\"\nrate = \"50\"\n",
                "unknown key `rate` (a fixed contract has no `rate`)",
                8,
                8,
            ),
        ],
    );
    check_cases(
        SETTINGS,
        read_settings,
        &[(
            "role = \"client\"",
            "rol = \"client\"",
            "unknown key `rol` (known here: version, currency, role, fee_percent, parties)",
            3,
            1,
        )],
    );
    check_cases(
        WEEK,
        read_week,
        &[(
            "memo = \"\"",
            "note = \"\"",
            "unknown key `note` (known here: id, start, end, memo, manual, origin, history, at)",
            9,
            1,
        )],
    );
}

#[test]
fn tables_and_arrays_of_tables_must_have_their_shape() {
    let before_milestones = "started_at = 2026-11-02T09:00:00Z\n";
    let with = |line: &str| format!("{before_milestones}{line}\n");
    let (payments_str, payments_arr, fb, fb_inner) = (
        with("payments = 3"),
        with("payments = [1, { at = 2026-11-02T09:00:00Z }]"),
        with("feedback = 3"),
        with("feedback = { client = 5 }"),
    );
    check_cases(
        CONTRACT,
        read_contract,
        &[
            (
                before_milestones,
                &payments_str,
                "`payments` must be an array of tables ([[payments]])",
                10,
                1,
            ),
            // The inline table reports its own missing keys; the 1 its shape.
            (
                before_milestones,
                &with("payments = [1]"),
                "`payments` holds tables only",
                10,
                13,
            ),
            (before_milestones, &fb, "`feedback` must be a table", 10, 1),
            (
                before_milestones,
                &fb_inner,
                "`client` must be a table",
                10,
                14,
            ),
            (
                "title = \"Storefront\"",
                "title.x = 1",
                "`title` must be a value, not a table",
                3,
                1,
            ),
        ],
    );
    let (_, problems) = read(
        &edit(CONTRACT, before_milestones, &payments_arr),
        Some(usd()),
        read_contract,
    );
    let at: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.col, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (Some(10), Some(13), "`payments` holds tables only"),
            (Some(10), Some(16), "missing `amount`"),
            (Some(10), Some(16), "missing `fee`"),
        ]
    );
}

#[test]
fn inline_tables_read_like_headers_and_locate_their_problems() {
    let inline = "\
version = 1
id = \"c1\"
title = \"Storefront\"
client = \"Acme\"
freelancer = \"Ann\"
kind = \"fixed\"
price = \"500.00\"
status = \"active\"
started_at = 2026-11-02T09:00:00Z
milestones = [
  { title = \"Design\", amount = \"200.00\", status = \"funded\", funded = \"200.00\", funded_at = 2026-11-02T09:00:00Z },
  { title = \"Build\", amount = \"300.00\", status = \"pending\", funded = \"0.00\" },
]
";
    let (a, problems) = read(inline, Some(usd()), read_contract);
    assert_eq!(problems, vec![]);
    let (b, _) = read(CONTRACT, Some(usd()), read_contract);
    assert_eq!(a, b);
    let bad = edit(inline, "amount = \"300.00\"", "amount = 300");
    let (_, problems) = read(&bad, Some(usd()), read_contract);
    let at: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.col, p.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [(
            Some(12),
            Some(31),
            "`amount`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number"
        )]
    );
    let bad = edit(inline, "funded = \"0.00\" }", "funded = \"0.00\", x = 1 }");
    let (_, problems) = read(&bad, Some(usd()), read_contract);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].message.starts_with("unknown key `x`"));
    assert_eq!((problems[0].line, problems[0].col), (Some(12), Some(78)));
}

#[test]
fn located_problems_render_as_file_line_col_with_the_line() {
    let text = edit(CONTRACT, "price = \"500.00\"", "price = 500");
    let (_, problems) = read(&text, Some(usd()), read_contract);
    assert_eq!(
        problems[0].to_string(),
        "f.toml:7:9: `price`: money is written as a quoted decimal string such as \"1250.00\", not as a bare number\n 7 | price = 500\n   |         ^"
    );
}

// ------------------------------------------------------------ span_of

#[test]
fn span_of_finds_values_tables_and_items_of_arrays_by_path() {
    let text = merge::render_new(write_contract(&rich_fixed(), &usd()).unwrap());
    let doc = parse_text(&text, "f.toml").unwrap();
    let at = |path: &str| span_of(&doc, path).map(|s| &text[s]);
    assert_eq!(at("id"), Some("\"c7\""));
    assert_eq!(at("milestones[1].amount"), Some("\"500.50\""));
    assert_eq!(at("milestones[2].title"), Some("\"Launch\""));
    assert_eq!(at("milestones[0].funded_at"), Some("2026-11-02T09:00:00Z"));
    assert_eq!(at("refunds[0].note"), Some("\"the work is done\""));
    assert_eq!(at("feedback.client.stars"), Some("4"));
    assert_eq!(at("feedback.client.reply"), Some("\"thank you\""));
    // An item of an array of tables: its header.
    assert_eq!(at("milestones[1]"), Some("[[milestones]]"));
    let second = text.match_indices("[[milestones]]").nth(1).unwrap().0;
    assert_eq!(
        span_of(&doc, "milestones[1]").map(|s| s.start),
        Some(second)
    );
    // Paths that lead nowhere: the nearest place written.
    assert_eq!(at("nothing"), None);
    assert_eq!(at("milestones[7].amount"), None);
    assert_eq!(at("milestones[1].nothing"), Some("[[milestones]]"));
    assert_eq!(at("id.deeper"), None);

    // Inline tables in an array, and an inline table.
    let inline = "ms = [{ a = 1 }, { a = 22, b = \"x\" }]\nfb = { c = { s = 5 } }\n";
    let doc = parse_text(inline, "f.toml").unwrap();
    let at = |path: &str| span_of(&doc, path).map(|s| &inline[s]);
    assert_eq!(at("ms[1].a"), Some("22"));
    assert_eq!(at("ms[1].b"), Some("\"x\""));
    assert_eq!(at("ms[1]"), Some("{ a = 22, b = \"x\" }"));
    assert_eq!(at("fb.c.s"), Some("5"));
    assert_eq!(at("ms[2].a"), None);
}
