//! Micro-benchmarks of the hot paths: parsing and writing a contract file and
//! a week file, `advance`, and a week's bill. `cargo bench`; compare runs in
//! review to catch a regression (the end-to-end figures are in bench/).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use contracts::core::apply::{Context, Request, apply};
use contracts::core::diary::{self, Entry, WeekFile};
use contracts::core::lifecycle::{self, EndRequest, NewContract, NewTerms, Pay};
use contracts::core::week::Week;
use contracts::core::{ContractId, Currency, EndReason, Role, Settings, timers};
use contracts::store::codec;
use contracts::store::located::Source;
use contracts::store::merge::render_new;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn settings() -> Settings {
    Settings {
        currency: Currency::from_code("USD").unwrap(),
        role: Role::Client,
        fee_percent: 10,
    }
}

/// A fixed contract ended with part paid and a refund requested: milestones,
/// payments, refunds, feedback and history all present.
fn contract(s: &Settings) -> contracts::core::Contract {
    let cur = s.currency;
    let c = lifecycle::create(
        NewContract {
            id: ContractId::parse("c7").unwrap(),
            title: "Storefront redesign".into(),
            client: "Acme Ltd".into(),
            freelancer: "Ann Lee".into(),
            terms: NewTerms::Fixed {
                price: cur.parse("900").unwrap(),
                milestones: vec![
                    ("Design".into(), cur.parse("300").unwrap()),
                    ("Build".into(), cur.parse("600").unwrap()),
                ],
            },
        },
        Role::Client,
        s,
        t("2026-11-02T09:00:00Z"),
    )
    .unwrap()
    .contract;
    let req = EndRequest {
        reason: EndReason::Completed,
        note: Some("hand-off done".into()),
        pay: Some(Pay::Amount(cur.parse("120").unwrap())),
    };
    let cx = Context {
        settings: s,
        weeks: &[],
    };
    apply(
        &c,
        Role::Client,
        &Request::End(req),
        &cx,
        t("2026-11-18T10:00:00Z"),
    )
    .unwrap()
    .contract
}

fn week_file() -> WeekFile {
    let week: Week = "2026-W47".parse().unwrap();
    let mut wf = WeekFile::new(ContractId::parse("h1").unwrap(), week);
    for i in 0..10 {
        let start = week.start() + Duration::hours(8 + 10 * i);
        wf.insert(Entry {
            id: format!("2026W47-{}", i + 1),
            start,
            end: Some(start + Duration::minutes(95)),
            memo: "Tickets and triage".into(),
            manual: i % 2 == 0,
            origin: None,
            history: false,
            at: None,
        });
    }
    wf
}

fn benches(cr: &mut Criterion) {
    let s = settings();
    let c = contract(&s);
    let text = render_new(codec::write_contract(&c, &s.currency).unwrap());
    cr.bench_function("contract file: parse and read", |b| {
        b.iter(|| {
            let doc = contracts::store::tree::parse(black_box(&text)).unwrap();
            let src = Source {
                file: "contracts/c7.toml",
                text: &text,
            };
            let mut cx = codec::Cx::new(&src, Some(s.currency));
            black_box(codec::read_contract(&mut cx, &doc))
        })
    });
    // The same text through the full TOML parser (what a hand-edited file
    // takes): the line reader's gain shows here.
    cr.bench_function("contract file: full TOML parser", |b| {
        b.iter(|| black_box(contracts::store::tree::full(black_box(&text)).unwrap()))
    });
    cr.bench_function("contract file: write", |b| {
        b.iter(|| {
            black_box(render_new(
                codec::write_contract(black_box(&c), &s.currency).unwrap(),
            ))
        })
    });
    let wf = week_file();
    let wtext = render_new(codec::write_week(&wf, &s.currency).unwrap());
    cr.bench_function("week file: parse and read", |b| {
        b.iter(|| {
            let doc = contracts::store::tree::parse(black_box(&wtext)).unwrap();
            let src = Source {
                file: "diary/2026-W47/h1.toml",
                text: &wtext,
            };
            let mut cx = codec::Cx::new(&src, Some(s.currency));
            black_box(codec::read_week(&mut cx, &doc))
        })
    });
    cr.bench_function("week file: write", |b| {
        b.iter(|| {
            black_box(render_new(
                codec::write_week(black_box(&wf), &s.currency).unwrap(),
            ))
        })
    });
    let late = t("2027-01-01T00:00:00Z");
    cr.bench_function("advance: two timers due", |b| {
        b.iter(|| black_box(timers::advance(black_box(&c), &s, late)))
    });
    cr.bench_function("advance: nothing due", |b| {
        let settled = timers::advance(&c, &s, late).contract;
        b.iter(|| black_box(timers::advance(black_box(&settled), &s, late)))
    });
    let hourly = lifecycle::create(
        NewContract {
            id: ContractId::parse("h1").unwrap(),
            title: "Support".into(),
            client: "Acme".into(),
            freelancer: "Bob".into(),
            terms: NewTerms::Hourly {
                rate: s.currency.parse("45").unwrap(),
                weekly_limit: Some(10),
                manual_time: true,
            },
        },
        Role::Client,
        &s,
        t("2026-11-02T09:00:00Z"),
    )
    .unwrap()
    .contract;
    let now = t("2026-11-25T10:00:00Z");
    cr.bench_function("week bill (10 entries, limit)", |b| {
        b.iter(|| black_box(diary::bill(black_box(&hourly), black_box(&wf), &s, now)))
    });
}

criterion_group!(core, benches);
criterion_main!(core);
