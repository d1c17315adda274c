//! `party add NAME --key FILE`: records a party's SSH public key in a
//! shared ledger's `ledger.toml`; from then on every commit is signed.

use super::Ctx;
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
    let mine = store.git().and_then(|g| g.signing_key());
    crate::core::schema::may_add_party(
        &store.parties,
        store.is_git(),
        mine.as_deref(),
        name,
        &key,
        replace,
    )?;
    if replace {
        // Only the party itself changes its key: signed with the old one.
        super::check_signer(&store, name)?;
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
        if !ctx.dry_run && store.is_git() {
            let author = crate::store::git::Author { name, at: ctx.now };
            let message = format!("party add {name}\n\n{name}: {kind} key\n");
            store.commit_as(&message, &author, true)?;
        }
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

/// One party as `party list --json` prints it.
#[derive(Debug, serde::Serialize)]
struct PartyJson<'a> {
    name: &'a str,
    key_type: &'a str,
    fingerprint: Option<String>,
    comment: &'a str,
    this_clone: bool,
}

/// Runs `party list`: each recorded party, its key's type and fingerprint,
/// and whether this clone signs with it.
pub fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let mine = super::signing_party(&store).map(|p| p.name.clone());
    let rows: Vec<PartyJson<'_>> = store
        .parties
        .iter()
        .map(|p| {
            let mut parts = p.key.split_whitespace();
            let key_type = parts.next().unwrap_or_default();
            let _data = parts.next();
            PartyJson {
                name: &p.name,
                key_type,
                fingerprint: crate::core::schema::fingerprint(&p.key),
                comment: parts.next().unwrap_or_default(),
                this_clone: mine.as_deref() == Some(p.name.as_str()),
            }
        })
        .collect();
    if ctx.out.json {
        ctx.out.print_json(&rows)?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.print(
            "no party recorded: `contracts party add NAME --key FILE` records one (its commits are signed from then on)",
        )?;
        return Ok(());
    }
    let mut t = crate::render::table::new(
        &["Party", "Key", "Fingerprint", "Comment", "This clone"],
        ctx.out.color,
    );
    for r in &rows {
        t.add_row(vec![
            crate::render::table::text(r.name),
            crate::render::table::text(r.key_type),
            crate::render::table::text(r.fingerprint.as_deref().unwrap_or("(not base64)")),
            crate::render::table::text(r.comment),
            crate::render::table::text(if r.this_clone { "signs with it" } else { "" }),
        ]);
    }
    ctx.out.print(&format!(
        "{t}\nCompare each fingerprint with its owner out of band (`ssh-keygen -lf KEY.pub` prints it)."
    ))?;
    Ok(())
}
