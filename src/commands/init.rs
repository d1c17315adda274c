//! `init`: create a ledger; never overwrite one.

use super::Ctx;
use crate::cli::{InitArgs, RoleArg};
use crate::core::{Currency, Role, Settings};
use crate::error::usage;
use crate::store::Store;
use anyhow::Result;

/// Runs `init`.
pub fn run(ctx: &Ctx, a: InitArgs) -> Result<()> {
    let currency =
        Currency::from_code(&a.currency).map_err(|e| usage(format!("--currency: {e}")))?;
    let settings = Settings {
        currency,
        role: match a.role {
            RoleArg::Client => Role::Client,
            RoleArg::Freelancer => Role::Freelancer,
        },
        fee_percent: a.fee_percent,
    };
    let path = ctx.ledger.display().to_string();
    if ctx.dry_run {
        Store::refuse_existing(&ctx.ledger)?;
    } else {
        Store::init(&ctx.ledger, &settings)?;
        if a.git {
            let author = crate::store::git::Author {
                name: settings.role.as_str(),
                at: ctx.now,
            };
            crate::store::git::Git::init(&ctx.ledger, &[crate::store::SETTINGS_FILE], &author)?;
        }
    }
    if ctx.out.json {
        ctx.out.print_json(&crate::render::json::InitJson {
            ledger: path.to_string(),
            currency: currency.code().to_string(),
            role: settings.role.as_str(),
            fee_percent: settings.fee_percent,
            dry_run: ctx.dry_run,
        })?;
    } else {
        let verb = if ctx.dry_run {
            "would create"
        } else {
            "created"
        };
        ctx.out.print(&format!(
            "{verb} ledger at {path} ({}, role {}, fee {} %{})",
            currency.code(),
            settings.role,
            settings.fee_percent,
            if a.git { ", kept in git" } else { "" }
        ))?;
    }
    Ok(())
}
