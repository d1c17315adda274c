//! `export hledger [--from DATE] [--to DATE] [ID]...`: money out of the
//! ledger, in the formats its users already use (SPEC §8).

use super::{Ctx, advanced, parse_id};
use crate::cli::{ExportArgs, ExportCmd};
use crate::core::model::{Contract, Instant};
use crate::core::movements::{self, Movement};
use crate::error::usage;
use crate::render::hledger;
use crate::store::Access;
use anyhow::Result;
use chrono::NaiveDate;

/// Runs `export ...`.
pub fn run(ctx: &Ctx, cmd: ExportCmd) -> Result<()> {
    match cmd {
        ExportCmd::Hledger(a) => {
            let (loaded, period) = load(ctx, &a)?;
            let moves = in_period(&loaded, period);
            ctx.out
                .print(&hledger::journal(&moves, loaded.role, &loaded.currency))?;
            Ok(())
        }
    }
}

/// The contracts an export covers, with their due timers applied, and what
/// it needs of the ledger's settings.
struct Loaded {
    contracts: Vec<Contract>,
    currency: crate::core::Currency,
    role: crate::core::Role,
}

/// A period of UTC days, both ends included.
type Period = (Option<NaiveDate>, Option<NaiveDate>);

fn date(flag: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        usage(format!(
            "{flag}: `{}` is not a date (YYYY-MM-DD)",
            s.escape_default()
        ))
    })
}

fn load(ctx: &Ctx, a: &ExportArgs) -> Result<(Loaded, Period)> {
    let from = a.from.as_deref().map(|s| date("--from", s)).transpose()?;
    let to = a.to.as_deref().map(|s| date("--to", s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(usage("--to is before --from"));
    }
    let ids = a
        .ids
        .iter()
        .map(|s| parse_id(s))
        .collect::<Result<Vec<_>>>()?;
    let store = ctx.open(Access::Read)?;
    let docs = if ids.is_empty() {
        store.contracts()?
    } else {
        ids.iter()
            .map(|id| store.contract(id))
            .collect::<Result<Vec<_>, _>>()?
    };
    let contracts = docs
        .into_iter()
        .map(|d| Ok(advanced(&store, d.value, ctx.now)?.contract))
        .collect::<Result<Vec<_>>>()?;
    Ok((
        Loaded {
            contracts,
            currency: store.settings.currency,
            role: ctx.role(&store.settings),
        },
        (from, to),
    ))
}

/// Every movement of the contracts in the period, oldest first (same
/// instant: by contract).
fn in_period(l: &Loaded, (from, to): Period) -> Vec<(&Contract, Movement)> {
    let day = |t: Instant| t.date_naive();
    let mut out: Vec<(&Contract, Movement)> = l
        .contracts
        .iter()
        .flat_map(|c| movements::of(c).into_iter().map(move |m| (c, m)))
        .filter(|(_, m)| from.is_none_or(|f| day(m.at) >= f) && to.is_none_or(|t| day(m.at) <= t))
        .collect();
    out.sort_by(|a, b| (a.1.at, &a.0.id).cmp(&(b.1.at, &b.0.id)));
    out
}
