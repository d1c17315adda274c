//! `feedback summary [--party NAME]`: average stars and category scores each
//! party received, over revealed feedback only (what a profile would show).

use crate::commands::Ctx;
use crate::core::RuleError;
use crate::core::feedback;
use crate::core::model::*;
use crate::render::{table, text::clean};
use crate::store::Access;
use anyhow::Result;
use std::collections::BTreeMap;

/// A running mean.
#[derive(Debug, Default, Clone, Copy)]
struct Mean {
    sum: u32,
    n: u32,
}

impl Mean {
    fn add(&mut self, v: Option<u8>) {
        if let Some(v) = v {
            self.sum += u32::from(v);
            self.n += 1;
        }
    }
    fn value(self) -> Option<f64> {
        (self.n > 0).then(|| f64::from(self.sum) / f64::from(self.n))
    }
    fn words(self) -> String {
        self.value().map_or("-".into(), |v| format!("{v:.2}"))
    }
    fn json(self) -> Option<f64> {
        self.value().map(|v| (v * 100.0).round() / 100.0)
    }
}

/// What one party received in one role.
#[derive(Debug, Default, Clone)]
struct Received {
    contracts: u32,
    stars: Mean,
    scores: [Mean; 6],
}

/// Runs `feedback summary`.
pub fn run(ctx: &Ctx, party: Option<&str>) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let s = &store.settings;
    let me = ctx.role(s);
    let wanted = |name: &str| party.is_none_or(|p| p.trim().eq_ignore_ascii_case(name.trim()));
    let mut named = false;
    let mut by: BTreeMap<(String, &'static str), Received> = BTreeMap::new();
    for doc in store.contracts_without_history()? {
        let c = crate::commands::advanced(&store, doc.value, ctx.now)?.contract;
        for author in Role::ALL {
            let recipient = author.other();
            let name = c.party(recipient);
            if !wanted(name) {
                continue;
            }
            named = true;
            // Visibility is decided in one place: only what is revealed counts.
            let v = feedback::view(&c, *author, me);
            if v.status != FeedbackStatus::Revealed || v.stars.is_none() {
                continue;
            }
            let r = by
                .entry((name.to_string(), recipient.as_str()))
                .or_default();
            r.contracts += 1;
            r.stars.add(v.stars);
            for (m, (_, score)) in r.scores.iter_mut().zip(v.scores.named()) {
                m.add(score);
            }
        }
    }
    if let Some(p) = party
        && !named
    {
        return Err(RuleError::NotFound(format!(
            "no contract names a party `{}`: `contracts list` shows the clients and freelancers",
            clean(p)
        ))
        .into());
    }
    let names = Scores::default().named().map(|(n, _)| n);
    if ctx.out.json {
        ctx.out.print_json(&crate::render::json::SummaryJson {
            parties: by
                .iter()
                .map(|((name, role), r)| crate::render::json::PartyJson {
                    party: name.clone(),
                    as_role: role,
                    feedback_count: r.contracts,
                    average_stars: r.stars.json(),
                    average_scores: names
                        .iter()
                        .copied()
                        .zip(r.scores.map(Mean::json))
                        .collect(),
                })
                .collect(),
        })?;
        return Ok(());
    }
    if by.is_empty() {
        let who = party.map_or("anyone".to_string(), |p| clean(p).into_owned());
        ctx.out.print(&format!(
            "no revealed feedback received by {who} yet (feedback counts once both parties gave theirs or the window closed)"
        ))?;
        return Ok(());
    }
    let mut headers = vec!["Party", "As", "Feedback", "Stars"];
    headers.extend(names.iter().map(|n| match *n {
        "skills" => "Skills",
        "quality" => "Quality",
        "availability" => "Availability",
        "deadlines" => "Deadlines",
        "communication" => "Communication",
        _ => "Cooperation",
    }));
    let mut t = table::new(&headers, ctx.out.color);
    for ((name, role), r) in &by {
        let mut row = vec![
            table::text(name),
            table::text(role),
            table::num(r.contracts.to_string()),
            table::num(r.stars.words()),
        ];
        row.extend(r.scores.iter().map(|m| table::num(m.words())));
        t.add_row(row);
    }
    ctx.out.print(&format!(
        "Average feedback received (revealed feedback only; scores 1 to 5)\n{t}"
    ))?;
    Ok(())
}
