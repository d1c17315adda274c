//! `new`: create a contract (client) and print its id.

use super::{Ctx, parse_id, report};
use crate::cli::NewArgs;
use crate::core::lifecycle::{self, NewContract, NewTerms};
use crate::core::validate::{name_problem, title_problem};
use crate::core::{ContractId, Currency, Money};
use crate::error::usage;
use crate::store::Access;
use anyhow::Result;

fn money(cur: &Currency, flag: &str, s: &str) -> Result<Money> {
    cur.parse(s).map_err(|e| usage(format!("{flag}: {e}")))
}

/// Reads `--weekly-limit HOURS|none`.
pub fn parse_limit(s: &str) -> Result<Option<u32>> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(h) if (1..=168).contains(&h) => Ok(Some(h)),
        _ => Err(usage(format!(
            "--weekly-limit: `{}` is not a number of hours from 1 to 168, or `none`",
            s.escape_default()
        ))),
    }
}

/// Runs `new`.
pub fn run(ctx: &Ctx, a: NewArgs) -> Result<()> {
    super::text_arg("--title", &a.title, title_problem)?;
    super::text_arg("--client", &a.client, name_problem)?;
    super::text_arg("--freelancer", &a.freelancer, name_problem)?;
    if a.hourly.is_some() && !a.milestone.is_empty() {
        return Err(usage(
            "--milestone belongs to --fixed contracts; an hourly contract is billed weekly from its work diary",
        ));
    }
    let store = ctx.open(Access::Write)?;
    let cur = store.settings.currency;
    let terms = match (&a.hourly, &a.fixed) {
        (Some(rate), None) => NewTerms::Hourly {
            rate: money(&cur, "--hourly", rate)?,
            weekly_limit: a
                .weekly_limit
                .as_deref()
                .map(parse_limit)
                .transpose()?
                .flatten(),
            manual_time: !a.no_manual_time,
        },
        (None, Some(price)) => {
            let mut ms = Vec::new();
            for m in &a.milestone {
                let (title, amount) = m.rsplit_once('=').ok_or_else(|| {
                    usage(format!(
                        "--milestone: `{}` is not TITLE=AMOUNT (e.g. \"Design=300\")",
                        m.escape_default()
                    ))
                })?;
                super::text_arg("--milestone", title.trim(), title_problem)?;
                ms.push((
                    title.trim().to_string(),
                    money(&cur, "--milestone", amount)?,
                ));
            }
            NewTerms::Fixed {
                price: money(&cur, "--fixed", price)?,
                milestones: ms,
            }
        }
        _ => return Err(usage("give exactly one of --hourly RATE or --fixed PRICE")),
    };
    let id = match &a.id {
        Some(id) => parse_id(id)?,
        None => {
            let id = next_id(&store.contract_ids()?);
            if store.is_git() {
                // Two clones number their own: a random tag keeps them apart.
                let tag = &super::operation_id()[..6];
                ContractId::parse(&format!("{id}-{tag}")).map_err(crate::error::usage)?
            } else {
                id
            }
        }
    };
    let req = NewContract {
        id,
        title: a.title,
        client: a.client,
        freelancer: a.freelancer,
        terms,
    };
    let role = ctx.role(&store.settings);
    // In a shared ledger the freelancer agrees first: an offer.
    let mut outcome = if store.is_git() {
        lifecycle::create_offer(req, role, &store.settings, ctx.now)?
    } else {
        lifecycle::create(req, role, &store.settings, ctx.now)?
    };
    crate::core::step::stamp(&mut outcome, &super::operation_id());
    super::check_party(&store, &outcome.contract, role)?;
    let c = &outcome.contract;
    if !ctx.dry_run {
        store.create_contract(c)?;
        let body = super::event_lines(ctx, &store.settings, c, &outcome.events);
        let subject = format!("{}: created", c.id);
        super::commit(ctx, &store, super::party(c, role), &subject, &body)?;
    } else {
        store.refuse_taken(&c.id)?;
    }
    if ctx.out.json {
        let week = super::this_week(&store, c, ctx.now)?;
        return report(ctx, &store, c, week, &outcome.events);
    }
    // The id alone on stdout, so `id=$(contracts new ...)` works.
    ctx.out.print(c.id.as_str())?;
    ctx.out.note(&format!(
        "{} {} {} created: {}",
        c.kind(),
        if store.is_git() { "offer" } else { "contract" },
        c.id,
        crate::core::history::detail(c, &outcome.events[0], &store.settings.currency)
    ));
    if ctx.dry_run {
        ctx.out.note("dry run: nothing was written");
    }
    Ok(())
}

/// The next free automatic id: one past the highest `cN`.
fn next_id(ids: &[ContractId]) -> ContractId {
    let n = ids
        .iter()
        .filter_map(ContractId::auto_number)
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    ContractId::parse(&format!("c{n}")).unwrap_or_else(|_| unreachable!("cN is a valid id"))
}
