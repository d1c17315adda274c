//! Local time at the edges: reading times typed by people, and showing
//! instants in their zone. Everything inside is UTC.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
};

/// The zone for input and display: `TZ` if it names a zone, else the system's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// An IANA zone.
    Named(chrono_tz::Tz),
    /// The system's local zone.
    System,
    /// UTC.
    Utc,
}

impl Zone {
    /// From the value of `TZ` (None when unset).
    pub fn from_tz_var(tz: Option<&str>) -> Zone {
        match tz.map(|s| s.trim_start_matches(':')) {
            // The system zone, by name where the system tells it.
            None | Some("") => iana_time_zone::get_timezone()
                .ok()
                .and_then(|n| n.parse().ok())
                .map_or(Zone::System, |tz: chrono_tz::Tz| {
                    if tz == chrono_tz::UTC || tz == chrono_tz::Etc::UTC {
                        Zone::Utc
                    } else {
                        Zone::Named(tz)
                    }
                }),
            Some("UTC") | Some("UTC0") | Some("Etc/UTC") | Some("Z") => Zone::Utc,
            Some(name) => name.parse().map_or(Zone::System, Zone::Named),
        }
    }

    /// A name for headers: `Europe/London`, `UTC`, or the current abbreviation.
    pub fn name(&self, at: DateTime<Utc>) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Utc => "UTC".into(),
            Zone::System => at.with_timezone(&chrono::Local).format("%Z").to_string(),
        }
    }

    fn resolve(&self, ndt: &NaiveDateTime) -> LocalResult<DateTime<Utc>> {
        match self {
            Zone::Named(tz) => tz.from_local_datetime(ndt).map(|t| t.with_timezone(&Utc)),
            Zone::Utc => Utc.from_local_datetime(ndt),
            Zone::System => chrono::Local
                .from_local_datetime(ndt)
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    fn offset_secs(&self, at: DateTime<Utc>) -> i32 {
        match self {
            Zone::Named(tz) => tz
                .offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc(),
            Zone::Utc => 0,
            Zone::System => chrono::Local
                .offset_from_utc_datetime(&at.naive_utc())
                .local_minus_utc(),
        }
    }

    /// The local wall-clock time of `t`.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.naive_utc() + chrono::Duration::seconds(i64::from(self.offset_secs(t)))
    }

    /// `t` as `2026-11-18T05:00:00-05:00`.
    pub fn rfc3339(&self, t: DateTime<Utc>) -> String {
        let off = chrono::FixedOffset::east_opt(self.offset_secs(t)).unwrap_or(Utc.fix());
        t.with_timezone(&off)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// Drops sub-second precision: the ledger keeps whole seconds.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// Reads a time typed by a person: RFC 3339 (with its offset), or
/// `YYYY-MM-DD HH:MM[:SS]` / `HH:MM` in `zone` (`HH:MM` is on the local date
/// of `today`). A local time that does not exist or is ambiguous is refused
/// with both candidate instants.
pub fn parse_time(s: &str, zone: Zone, today: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = parse_any_time(s, zone, today)?;
    if !(1..=crate::core::validate::LAST_YEAR).contains(&chrono::Datelike::year(&t)) {
        return Err(format!(
            "`{}` is {} UTC, outside the years 1 to {} that ledger files hold",
            s.escape_default(),
            t.format("%Y-%m-%d %H:%M"),
            crate::core::validate::LAST_YEAR
        ));
    }
    Ok(t)
}

/// The instants a local time may be in `zone`: one, or both readings of a
/// time the clocks go back over (a daylight-saving fold), for a caller that
/// knows more (a duration) to choose; otherwise [`parse_time`]'s error.
pub fn local_candidates(
    s: &str,
    zone: Zone,
    today: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, String> {
    match parse_time(s, zone, today) {
        Ok(t) => Ok(vec![t]),
        Err(e) => {
            let ndt = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok());
            match ndt.map(|n| zone.resolve(&n)) {
                Some(LocalResult::Ambiguous(a, b)) => Ok(vec![whole_seconds(a), whole_seconds(b)]),
                _ => Err(e),
            }
        }
    }
}

fn parse_any_time(s: &str, zone: Zone, today: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(whole_seconds(t.with_timezone(&Utc)));
    }
    let ndt = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
            let date: NaiveDate = zone.local(today).date();
            Some(date.and_time(t))
        })
        .ok_or_else(|| {
            format!(
                "`{}` is not a time: write RFC 3339 (2026-11-23T09:00:00Z), `YYYY-MM-DD HH:MM` or `HH:MM` (local time)",
                s.escape_default()
            )
        })?;
    match zone.resolve(&ndt) {
        LocalResult::Single(t) => Ok(whole_seconds(t)),
        LocalResult::Ambiguous(a, b) => Err(format!(
            "{} is ambiguous in {} (the clocks go back): write {} or {}",
            ndt.format("%Y-%m-%d %H:%M"),
            zone.name(a),
            zone.rfc3339(a),
            zone.rfc3339(b)
        )),
        LocalResult::None => {
            // The offsets either side of the gap give the two readings.
            let probe = Utc.from_utc_datetime(&ndt);
            let mut cands: Vec<DateTime<Utc>> = [
                zone.offset_secs(probe - chrono::Duration::days(1)),
                zone.offset_secs(probe + chrono::Duration::days(1)),
            ]
            .iter()
            .map(|off| probe - chrono::Duration::seconds(i64::from(*off)))
            .collect();
            cands.sort();
            cands.dedup();
            let list: Vec<String> = cands
                .iter()
                .map(|t| {
                    let off =
                        chrono::FixedOffset::east_opt((ndt - t.naive_utc()).num_seconds() as i32)
                            .unwrap_or(Utc.fix());
                    format!(
                        "{}{} (= {} UTC)",
                        ndt.format("%Y-%m-%dT%H:%M:%S"),
                        off,
                        t.format("%H:%M")
                    )
                })
                .collect();
            Err(format!(
                "{} does not exist in {} (the clocks skip it): write {}",
                ndt.format("%Y-%m-%d %H:%M"),
                zone.name(probe),
                list.join(" or ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rfc3339_keeps_its_offset() {
        let z = Zone::from_tz_var(Some("America/New_York"));
        assert_eq!(
            parse_time("2026-11-18T10:00:00+01:00", z, utc("2026-11-18T00:00:00Z")).unwrap(),
            utc("2026-11-18T09:00:00Z")
        );
    }

    #[test]
    fn local_forms_use_the_zone() {
        let z = Zone::from_tz_var(Some("America/New_York"));
        let now = utc("2026-11-18T15:00:00Z");
        assert_eq!(
            parse_time("2026-11-17 09:00", z, now).unwrap(),
            utc("2026-11-17T14:00:00Z")
        );
        assert_eq!(
            parse_time("09:30", z, now).unwrap(),
            utc("2026-11-18T14:30:00Z")
        );
        assert!(parse_time("tomorrow", z, now).is_err());
    }

    #[test]
    fn dst_gap_and_fold_name_both_choices() {
        let z = Zone::from_tz_var(Some("America/New_York"));
        let now = utc("2026-03-01T00:00:00Z");
        let gap = parse_time("2026-03-08 02:30", z, now).unwrap_err();
        assert!(gap.contains("-05:00") && gap.contains("-04:00"), "{gap}");
        let fold = parse_time("2026-11-01 01:30", z, now).unwrap_err();
        assert!(fold.contains("-04:00") && fold.contains("-05:00"), "{fold}");
        let lh = Zone::from_tz_var(Some("Australia/Lord_Howe"));
        let gap = parse_time("2026-10-04 02:15", lh, now).unwrap_err();
        assert!(gap.contains("+10:30") && gap.contains("+11:00"), "{gap}");
    }
}
