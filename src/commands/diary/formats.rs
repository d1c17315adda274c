//! The time trackers `diary import` reads, each through typed serde structs:
//! timewarrior's `timew export` JSON, Watson's frames file, and Toggl
//! Track's detailed CSV export. Each gives the same intervals to the one
//! import rule.

use crate::core::model::{ContractId, Instant};
use crate::time::Zone;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One interval as a tracker wrote it.
#[derive(Debug, Clone)]
pub struct Raw {
    /// Its place in the file (ties are kept in this order).
    pub n: usize,
    /// How to name it in a message.
    pub label: String,
    /// The start, or why it cannot be read.
    pub start: Result<Instant, String>,
    /// The end (`None`: still running), or why it cannot be read.
    pub end: Option<Result<Instant, String>>,
    /// Names that may be a contract's id, best first (tags, project).
    pub names: Vec<String>,
    /// The memo, when the tracker has one; else the names not used.
    pub memo: Option<String>,
    /// The interval's identity in its tracker, kept with the entry
    /// ([`crate::core::diary::Entry::origin`]): a stable id where the format
    /// has one, else its span with its tags and description.
    pub origin: String,
    /// The identity an earlier version kept for it (the span alone).
    pub legacy: Option<String>,
}

/// Text that names a list of strings unambiguously (a JSON array).
fn quoted(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}

/// `timew export`: an array of `{id, start, end, tags, annotation}`.
#[derive(Debug, Deserialize)]
struct Timew {
    id: Option<u64>,
    start: String,
    end: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    annotation: Option<String>,
}

fn timew_time(s: &str, now: Instant) -> Result<Instant, String> {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .map(|t| Utc.from_utc_datetime(&t))
        .or_else(|_| crate::time::parse_time(s, Zone::Utc, now))
        .map_err(|_| format!("`{}` is not a time", s.escape_default()))
}

/// Reads `timew export` JSON.
pub fn timew(text: &str, now: Instant) -> Result<Vec<Raw>, String> {
    let items: Vec<Timew> = serde_json::from_str(text)
        .map_err(|e| format!("not `timew export` JSON (an array of intervals): {e}"))?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, it)| {
            let n = it.id.map_or(i + 1, |x| x as usize);
            let label = format!(
                "interval @{n} ({}{}{})",
                it.start,
                it.end
                    .as_deref()
                    .map(|e| format!(" to {e}"))
                    .unwrap_or_default(),
                if it.tags.is_empty() {
                    String::new()
                } else {
                    format!(", tags {}", it.tags.join(" "))
                }
            );
            // timewarrior renumbers its intervals (`@1` is the newest): the
            // interval is its span with its tags and annotation.
            let span = format!("timew {} {}", it.start, it.end.as_deref().unwrap_or(""));
            let mut words: Vec<&str> = it.tags.iter().map(String::as_str).collect();
            words.push(it.annotation.as_deref().unwrap_or(""));
            let origin = format!("{span} {}", quoted(&words));
            Raw {
                n,
                label,
                start: timew_time(&it.start, now),
                end: it.end.as_deref().map(|e| timew_time(e, now)),
                names: it.tags,
                memo: it.annotation,
                origin,
                legacy: Some(span),
            }
        })
        .collect())
}

/// A Watson frame: `[start, stop, project, id, tags, updated_at]`, times in
/// Unix seconds.
#[derive(Debug, Deserialize)]
// `updated_at` is read (a frame has it) but not used.
#[allow(dead_code)]
struct Frame(
    i64,
    i64,
    String,
    String,
    #[serde(default)] Vec<String>,
    #[serde(default)] Option<i64>,
);

fn unix(t: i64) -> Result<Instant, String> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| format!("{t} is not a Unix time"))
}

/// Reads Watson's frames file (`~/.config/watson/frames`).
pub fn watson(text: &str) -> Result<Vec<Raw>, String> {
    let frames: Vec<Frame> = serde_json::from_str(text).map_err(|e| {
        format!("not a Watson frames file (an array of [start, stop, project, id, tags, updated_at]): {e}")
    })?;
    Ok(frames
        .into_iter()
        .enumerate()
        .map(|(i, Frame(start, stop, project, id, tags, _))| {
            let mut names = vec![project.clone()];
            names.extend(tags.iter().cloned());
            Raw {
                n: i + 1,
                label: format!(
                    "frame {} ({project}{}, {start} to {stop})",
                    id.chars().take(7).collect::<String>(),
                    if tags.is_empty() {
                        String::new()
                    } else {
                        format!(" +{}", tags.join(" +"))
                    }
                ),
                start: unix(start),
                end: Some(unix(stop)),
                names,
                memo: None,
                origin: format!("watson {id}"),
                legacy: None,
            }
        })
        .collect())
}

/// A row of Toggl Track's detailed CSV export (other columns are ignored).
#[derive(Debug, Deserialize)]
struct Toggl {
    #[serde(rename = "Project", default)]
    project: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "Start date")]
    start_date: String,
    #[serde(rename = "Start time")]
    start_time: String,
    #[serde(rename = "End date")]
    end_date: String,
    #[serde(rename = "End time")]
    end_time: String,
    #[serde(rename = "Tags", default)]
    tags: String,
    #[serde(rename = "Duration", default)]
    duration: String,
}

/// Seconds of Toggl's `HH:MM:SS` duration.
fn toggl_seconds(d: &str) -> Option<i64> {
    let mut parts = d.trim().split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    (parts.next().is_none() && (0..60).contains(&m) && (0..60).contains(&s) && h >= 0)
        .then_some(h * 3600 + m * 60 + s)
}

/// The columns every Toggl detailed export has, and the import needs.
const TOGGL_COLUMNS: [&str; 4] = ["Start date", "Start time", "End date", "End time"];

/// Reads Toggl Track's detailed CSV export. Its times are local, in the
/// time zone of the account that exported them: `zone` (from `TZ`).
/// `map` names the contract of a project.
pub fn toggl(
    text: &str,
    zone: Zone,
    map: &BTreeMap<String, ContractId>,
    now: Instant,
) -> Result<Vec<Raw>, String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| format!("not a Toggl Track detailed CSV export: {e}"))?
        .clone();
    if let Some(missing) = TOGGL_COLUMNS
        .iter()
        .find(|c| !headers.iter().any(|h| h.trim() == **c))
    {
        return Err(format!(
            "line 1: not a Toggl Track detailed CSV export: no `{missing}` column (it has {})",
            headers
                .iter()
                .map(|h| format!("`{}`", h.escape_default()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut out = Vec::new();
    for (i, row) in r.deserialize::<Toggl>().enumerate() {
        let row = row.map_err(|e| format!("not a Toggl Track detailed CSV export: {e}"))?;
        let local = |d: &str, t: &str| {
            crate::time::local_candidates(&format!("{d} {t}"), zone, now)
                .map_err(|e| format!("{e} (Toggl's times are local: TZ names their zone)"))
        };
        // A time in a daylight-saving fold has two readings: the row's
        // Duration says which (the pair that lasts as long).
        let (start, end) = match (
            local(&row.start_date, &row.start_time),
            local(&row.end_date, &row.end_time),
        ) {
            (Ok(starts), Ok(ends)) => {
                let lasts = toggl_seconds(&row.duration);
                let pairs: Vec<(Instant, Instant)> = starts
                    .iter()
                    .flat_map(|s| ends.iter().map(move |e| (*s, *e)))
                    .filter(|(s, e)| lasts.is_none_or(|d| (*e - *s).num_seconds() == d))
                    .collect();
                match pairs.as_slice() {
                    [(s, e)] => (Ok(*s), Ok(*e)),
                    _ if starts.len() == 1 && ends.len() == 1 => (Ok(starts[0]), Ok(ends[0])),
                    _ => {
                        let why = |d: &str, t: &str, n: usize| {
                            crate::time::parse_time(&format!("{d} {t}"), zone, now)
                                .err()
                                .filter(|_| n > 1)
                        };
                        let e = why(&row.start_date, &row.start_time, starts.len())
                            .or_else(|| why(&row.end_date, &row.end_time, ends.len()))
                            .unwrap_or_default();
                        let e = format!(
                            "{e}; its Duration ({}) does not settle which (Toggl's times are local: TZ names their zone)",
                            row.duration.escape_default()
                        );
                        (Err(e.clone()), Err(e))
                    }
                }
            }
            (s, e) => (s.map(|v| v[0]), e.map(|v| v[0])),
        };
        // A mapped project is its contract, even when the project's own name
        // is another contract's id; an unmapped one may name its contract.
        let mut names: Vec<String> = match map.get(&row.project) {
            Some(id) => vec![id.to_string()],
            None => vec![row.project.clone()],
        };
        names.extend(
            row.tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        );
        out.push(Raw {
            n: i + 1,
            label: format!(
                "row {} ({}, {} {} to {} {})",
                i + 2,
                if row.project.is_empty() {
                    "no project"
                } else {
                    &row.project
                },
                row.start_date,
                row.start_time,
                row.end_date,
                row.end_time
            ),
            start,
            end: Some(end),
            names,
            memo: Some(row.description.clone()),
            // The export has no id: the row's local times, project,
            // description and tags.
            origin: format!(
                "toggl {} {} {} {} {}",
                row.start_date,
                row.start_time,
                row.end_date,
                row.end_time,
                quoted(&[&row.project, &row.description, &row.tags])
            ),
            legacy: Some(format!(
                "toggl {} {} {} {} {}",
                row.start_date, row.start_time, row.end_date, row.end_time, row.project
            )),
        });
    }
    Ok(out)
}
