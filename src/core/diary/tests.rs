use super::*;
use crate::core::lifecycle::tests as lt;
use crate::core::model::*;
use crate::core::money::Money;
use crate::core::week::Week;

fn t(s: &str) -> Instant {
    lt::t(s)
}
fn week(s: &str) -> Week {
    s.parse().unwrap()
}
fn entry(id: &str, a: &str, b: &str) -> Entry {
    Entry {
        id: id.into(),
        start: t(a),
        end: Some(t(b)),
        memo: "m".into(),
        manual: true,
        origin: None,
        history: false,
        at: None,
    }
}

#[test]
fn log_rules() {
    let c = lt::hourly();
    let wf = WeekFile::new(c.id.clone(), week("2026-W47"));
    let now = t("2026-11-18T10:00:00Z");
    let req = |a: &str, b: &str| LogRequest {
        start: t(a),
        end: t(b),
        memo: "x".into(),
    };
    let (wf2, e) = log(
        &c,
        Role::Freelancer,
        &wf,
        &[],
        req("2026-11-16T09:00:00Z", "2026-11-16T10:30:00Z"),
        now,
    )
    .unwrap();
    assert_eq!(e.id, "2026W47-1");
    assert!(e.manual);
    // overlap
    assert!(
        log(
            &c,
            Role::Freelancer,
            &wf2,
            &[],
            req("2026-11-16T10:00:00Z", "2026-11-16T11:00:00Z"),
            now
        )
        .is_err()
    );
    // touching is fine
    assert!(
        log(
            &c,
            Role::Freelancer,
            &wf2,
            &[],
            req("2026-11-16T10:30:00Z", "2026-11-16T11:00:00Z"),
            now
        )
        .is_ok()
    );
    // client, future, backwards
    assert!(
        log(
            &c,
            Role::Client,
            &wf,
            &[],
            req("2026-11-16T09:00:00Z", "2026-11-16T10:00:00Z"),
            now
        )
        .is_err()
    );
    assert!(
        log(
            &c,
            Role::Freelancer,
            &wf,
            &[],
            req("2026-11-18T09:00:00Z", "2026-11-18T11:00:00Z"),
            now
        )
        .is_err()
    );
    assert!(
        log(
            &c,
            Role::Freelancer,
            &wf,
            &[],
            req("2026-11-16T10:00:00Z", "2026-11-16T09:00:00Z"),
            now
        )
        .is_err()
    );
    // a week in review is still editable; invoiced is not
    let prev = WeekFile::new(c.id.clone(), week("2026-W46"));
    let mon = t("2026-11-16T11:59:59Z");
    assert!(
        log(
            &c,
            Role::Freelancer,
            &prev,
            &[],
            req("2026-11-13T09:00:00Z", "2026-11-13T10:00:00Z"),
            mon
        )
        .is_ok()
    );
    let noon = t("2026-11-16T12:00:00Z");
    let err = log(
        &c,
        Role::Freelancer,
        &prev,
        &[],
        req("2026-11-13T09:00:00Z", "2026-11-13T10:00:00Z"),
        noon,
    )
    .unwrap_err();
    assert!(err.to_string().contains("2026-W47"), "{err}");
}

#[test]
fn limit_split_and_rounding() {
    let mut c = lt::hourly(); // 50/h, 10 h
    let mut wf = WeekFile::new(c.id.clone(), week("2026-W47"));
    wf.entries = vec![
        entry("a", "2026-11-16T08:00:00Z", "2026-11-16T16:00:00Z"),
        entry("b", "2026-11-17T08:00:00Z", "2026-11-17T12:30:00Z"),
    ];
    let s = lt::settings();
    let b = bill(&c, &wf, &s, t("2026-11-20T00:00:00Z"));
    assert_eq!((b.seconds, b.billable, b.over), (45_000, 36_000, 9_000));
    assert_eq!(b.amount, Money::from_minor(50_000));
    assert_eq!(b.fee, Money::from_minor(5_000));
    assert_eq!(
        billable_split(&c, &wf, t("2026-11-20T00:00:00Z")),
        vec![(28_800, 0), (7_200, 9_000)]
    );
    // 10 minutes at 33.33/h = 5.555 -> 5.56
    if let Terms::Hourly { rate, .. } = &mut c.terms {
        *rate = Money::from_minor(3333);
    }
    wf.entries = vec![entry("a", "2026-11-16T08:00:00Z", "2026-11-16T08:10:00Z")];
    assert_eq!(
        bill(&c, &wf, &s, t("2026-11-20T00:00:00Z")).amount,
        Money::from_minor(556)
    );
}

#[test]
fn limit_raise_now_cut_next_monday() {
    let s = lt::settings();
    let c = lt::hourly();
    let now = t("2026-11-18T10:00:00Z");
    let up = set_limit(&c, Some(20), &s, now).unwrap().contract;
    assert_eq!(limit_for(&up, week("2026-W47")), Some(20));
    assert_eq!(limit_for(&up, week("2026-W46")), Some(10));
    let down = set_limit(&c, Some(5), &s, now).unwrap().contract;
    assert_eq!(limit_for(&down, week("2026-W47")), Some(10));
    assert_eq!(limit_for(&down, week("2026-W48")), Some(5));
    let none = set_limit(&c, None, &s, now).unwrap().contract;
    assert_eq!(limit_for(&none, week("2026-W47")), None);
    // Only the client sets the limit (declared with the request).
    let cx = crate::core::apply::Context {
        settings: &s,
        weeks: &[],
    };
    let req = crate::core::apply::Request::Limit { hours: Some(20) };
    assert!(crate::core::apply::apply(&c, Role::Freelancer, &req, &cx, now).is_err());
    assert!(set_limit(&lt::fixed("500"), Some(20), &s, now).is_err());
}

#[test]
fn stage_words_name_the_deadline() {
    let w = week("2026-W47");
    assert_eq!(
        stage_words(w, t("2026-11-18T10:00:00Z")),
        "open until Sun 22 Nov 23:59 UTC"
    );
    assert_eq!(
        stage_words(w, t("2026-11-23T10:00:00Z")),
        "in review until Mon 23 Nov 12:00 UTC"
    );
    assert_eq!(
        stage_words(w, t("2026-11-24T10:00:00Z")),
        "invoiced; disputes until Fri 27 Nov 23:59 UTC"
    );
}

#[test]
fn disputes() {
    let s = lt::settings();
    let c = lt::hourly();
    let w = week("2026-W47");
    let open = DisputeAction::Open("too many hours".into());
    assert!(dispute(&c, w, open.clone(), None, &s, t("2026-11-23T11:59:59Z")).is_err());
    let d = dispute(&c, w, open.clone(), None, &s, t("2026-11-23T12:00:00Z"))
        .unwrap()
        .contract;
    assert_eq!(d.status, Status::Paused);
    assert!(dispute(&c, w, open, None, &s, t("2026-11-28T00:00:00Z")).is_err());
    let acc = dispute(
        &d,
        w,
        DisputeAction::Accept,
        None,
        &s,
        t("2026-11-24T00:00:00Z"),
    )
    .unwrap()
    .contract;
    assert_eq!(acc.disputes[0].status, DisputeStatus::Accepted);
    assert!(
        dispute(
            &acc,
            w,
            DisputeAction::Withdraw,
            None,
            &s,
            t("2026-11-24T00:00:00Z")
        )
        .is_err()
    );
}

#[test]
fn deleted_ids_are_never_reused() {
    let c = lt::hourly();
    let mut wf = WeekFile::new(c.id.clone(), week("2026-W47"));
    wf.insert(entry(
        "2026W47-1",
        "2026-11-16T08:00:00Z",
        "2026-11-16T09:00:00Z",
    ));
    wf.insert(entry(
        "2026W47-2",
        "2026-11-16T10:00:00Z",
        "2026-11-16T11:00:00Z",
    ));
    let now = t("2026-11-18T10:00:00Z");
    let (after, _) = remove(&c, Role::Freelancer, &wf, &[], "2026W47-2", now).unwrap();
    assert_eq!(after.next_id(), "2026W47-3");
    // The removal's record shows number 2 given out: no count to write, and
    // the week read back still gives 3.
    assert_eq!(after.deleted_beyond(), None);
    let read_back = WeekFile {
        last_number: 0,
        ..after.clone()
    };
    assert_eq!(read_back.next_id(), "2026W47-3");
}

#[test]
fn entry_refs_round_trip() {
    let (c, w, l) = parse_entry_ref("c-7_x/2026W47-3").unwrap();
    assert_eq!(
        (c.as_str(), w.to_string().as_str(), l.as_str()),
        ("c-7_x", "2026-W47", "2026W47-3")
    );
    assert!(parse_entry_ref("c7").is_err());
    assert!(parse_entry_ref("../x/2026W47-3").is_err());
}
