//! Billing weeks: Monday 00:00 UTC to Sunday 23:59:59 UTC, named by ISO week,
//! and their stages, derived from the clock.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use std::fmt;
use std::str::FromStr;

/// An ISO week, the unit of weekly billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    year: i32,
    week: u32,
}

/// Where a week stands in the billing cycle at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not started yet.
    Future,
    /// Mon 00:00 to Sun 23:59:59 of the week: time is logged and edited.
    Open,
    /// Next Mon 00:00 to 11:59:59: the freelancer's last edits.
    Review,
    /// Next Mon 12:00 to Fri 23:59:59: the client may dispute; no edits.
    Invoiced,
    /// From next Sat 00:00: final.
    Settled,
}

impl Stage {
    /// The name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Future => "future",
            Stage::Open => "open",
            Stage::Review => "review",
            Stage::Invoiced => "invoiced",
            Stage::Settled => "settled",
        }
    }

    /// True while the freelancer may still log, edit and delete time.
    pub fn editable(self) -> bool {
        matches!(self, Stage::Open | Stage::Review)
    }
}

impl Week {
    /// The week containing `t`.
    pub fn of(t: DateTime<Utc>) -> Week {
        let iso = t.iso_week();
        Week {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// Monday 00:00 UTC, the first instant of the week.
    pub fn start(self) -> DateTime<Utc> {
        let d = NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .unwrap_or(NaiveDate::MIN);
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
    }

    /// The first instant of the next week.
    pub fn end(self) -> DateTime<Utc> {
        self.start() + Duration::days(7)
    }

    /// Its last day, Sunday (UTC).
    pub fn sunday(self) -> NaiveDate {
        (self.end() - Duration::days(1)).date_naive()
    }

    /// The week after.
    pub fn next(self) -> Week {
        Week::of(self.end())
    }

    /// The week before.
    pub fn prev(self) -> Week {
        Week::of(self.start() - Duration::days(1))
    }

    /// Review begins (the next Monday 00:00).
    pub fn review_from(self) -> DateTime<Utc> {
        self.end()
    }

    /// Invoiced from the next Monday 12:00.
    pub fn invoiced_from(self) -> DateTime<Utc> {
        self.end() + Duration::hours(12)
    }

    /// Settled from the next Saturday 00:00.
    pub fn settled_from(self) -> DateTime<Utc> {
        self.end() + Duration::days(5)
    }

    /// The first week that settles after `t` (an earlier week's pay falls
    /// at or before `t`).
    pub fn first_settling_after(t: DateTime<Utc>) -> Week {
        let mut w = Week::of(t);
        while w.prev().settled_from() > t {
            w = w.prev();
        }
        w
    }

    /// The latest week settled at `t` (its pay falls at or before `t`).
    pub fn last_settled_by(t: DateTime<Utc>) -> Week {
        Week::first_settling_after(t).prev()
    }

    /// The stage at `now`.
    pub fn stage(self, now: DateTime<Utc>) -> Stage {
        if now < self.start() {
            Stage::Future
        } else if now < self.review_from() {
            Stage::Open
        } else if now < self.invoiced_from() {
            Stage::Review
        } else if now < self.settled_from() {
            Stage::Invoiced
        } else {
            Stage::Settled
        }
    }
}

text_serde!(Week, "Week", |s: &str| s.parse::<Week>());

impl Week {
    /// Adds the week's name (`2026-W47`, as `Display` writes it) to `s`,
    /// by hand: `sweep` names every week directory of the ledger.
    pub fn push_name(&self, s: &mut String) {
        if !(0..=9999).contains(&self.year) || self.week > 99 {
            use fmt::Write;
            let _ = write!(s, "{self}");
            return;
        }
        let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
        let y = self.year.unsigned_abs();
        for d in [1000, 100, 10, 1] {
            s.push(digit(y / d));
        }
        s.push('-');
        s.push('W');
        s.push(digit(self.week / 10));
        s.push(digit(self.week));
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl FromStr for Week {
    type Err = String;
    fn from_str(s: &str) -> Result<Week, String> {
        let bad = || format!("`{s}` is not an ISO week: write it like 2026-W47");
        let (y, w) = s.split_once("-W").ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .ok_or_else(|| format!("{year} has no ISO week {week}"))?;
        Ok(Week { year, week })
    }
}

/// An instant in words, always UTC: `Mon 23 Nov 12:00 UTC`.
pub fn utc_words(t: DateTime<Utc>) -> String {
    t.format("%a %-d %b %H:%M UTC").to_string()
}

/// An instant for messages: `2026-11-18 10:00:00 UTC`.
pub(crate) fn instant_words(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {

    /// The hand-written name against `Display`'s, for every week of four
    /// centuries and the extremes.
    #[test]
    fn a_weeks_name_is_what_display_writes() {
        let mut w: Week = "1900-W01".parse().unwrap();
        let mut s = String::new();
        for _ in 0..(400 * 53) {
            s.clear();
            w.push_name(&mut s);
            assert_eq!(s, w.to_string());
            w = w.next();
        }
        for (year, week) in [(0, 1), (9999, 52), (-1, 1), (10_000, 1), (2026, 100)] {
            let w = Week { year, week };
            s.clear();
            w.push_name(&mut s);
            assert_eq!(s, w.to_string());
        }
    }

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn names_and_bounds() {
        let w = Week::of(t("2026-11-18T10:00:00Z"));
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(w.start(), t("2026-11-16T00:00:00Z"));
        assert_eq!(w.end(), t("2026-11-23T00:00:00Z"));
        assert_eq!("2026-W47".parse::<Week>().unwrap(), w);
        assert!("2026-W54".parse::<Week>().is_err());
        assert!("2026-47".parse::<Week>().is_err());
        assert_eq!(Week::of(t("2027-01-01T00:00:00Z")).to_string(), "2026-W53");
    }

    #[test]
    fn the_first_week_settling_after_an_instant() {
        // 2026-W45 settles Sat 14 Nov 00:00, W46 on Sat 21 Nov.
        let w45: Week = "2026-W45".parse().unwrap();
        for at in ["2026-11-13T23:59:59Z", "2026-11-09T00:00:00Z"] {
            assert_eq!(Week::first_settling_after(t(at)), w45, "{at}");
        }
        assert_eq!(
            Week::first_settling_after(t("2026-11-14T00:00:00Z")),
            w45.next()
        );
    }

    #[test]
    fn stage_boundaries() {
        let w: Week = "2026-W47".parse().unwrap();
        assert_eq!(w.stage(t("2026-11-15T23:59:59Z")), Stage::Future);
        assert_eq!(w.stage(t("2026-11-16T00:00:00Z")), Stage::Open);
        assert_eq!(w.stage(t("2026-11-22T23:59:59Z")), Stage::Open);
        assert_eq!(w.stage(t("2026-11-23T00:00:00Z")), Stage::Review);
        assert_eq!(w.stage(t("2026-11-23T11:59:59Z")), Stage::Review);
        assert_eq!(w.stage(t("2026-11-23T12:00:00Z")), Stage::Invoiced);
        assert_eq!(w.stage(t("2026-11-27T23:59:59Z")), Stage::Invoiced);
        assert_eq!(w.stage(t("2026-11-28T00:00:00Z")), Stage::Settled);
    }
}
