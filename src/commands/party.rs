//! `party add NAME --key FILE`: records a party's SSH public key in a
//! shared ledger's `ledger.toml`; from then on every commit is signed.

use super::Ctx;
use crate::core::RuleError;
use crate::core::error::Refusal;
use crate::core::schema::{Party, check_ssh_key};
use crate::error::usage;
use crate::store::Access;
use anyhow::Result;
use std::path::Path;

/// Runs `party add` (`replace`: a new key for a recorded party).
pub fn add(ctx: &Ctx, name: &str, key: &Path, replace: bool) -> Result<()> {
    super::text_arg("NAME", name, crate::core::validate::name_problem)?;
    let shown = key.display();
    let text = std::fs::read_to_string(key).map_err(|e| usage(format!("--key {shown}: {e}")))?;
    let key = text.lines().next().unwrap_or_default().trim().to_string();
    check_ssh_key(&key).map_err(|e| usage(format!("--key {shown}: {e}")))?;
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(usage(
            "the party's name is the one contracts use as client or freelancer: not empty, no control characters",
        ));
    }
    let store = ctx.open(Access::Write)?;
    let known = store.parties.iter().any(|p| p.name == name);
    match (known, replace) {
        (true, false) => {
            return Err(RuleError::Refused(Refusal::PartyKnown {
                name: name.to_string(),
                known: true,
            })
            .into());
        }
        (false, true) => {
            return Err(RuleError::Refused(Refusal::PartyKnown {
                name: name.to_string(),
                known: false,
            })
            .into());
        }
        // Only the party itself changes its key: signed with the old one.
        (true, true) => super::check_signer(&store, name)?,
        (false, false) => {}
    }
    let mut parties = store.parties.clone();
    parties.retain(|p| p.name != name);
    parties.push(Party {
        name: name.to_string(),
        key: key.clone(),
    });
    parties.sort_by(|a, b| a.name.cmp(&b.name));
    if !ctx.dry_run {
        store.save_parties(&parties)?;
        let kind = key.split_whitespace().next().unwrap_or_default();
        super::commit(
            ctx,
            &store,
            name,
            &format!("party add {name}"),
            &[format!("{name}: {kind} key")],
        )?;
    }
    ctx.out.print(&format!(
        "{name}'s key recorded{}: commits in this ledger are signed from now on",
        if ctx.dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    ))?;
    Ok(())
}
