//! An hledger journal (also read by Ledger) of every movement of money, from
//! one party's viewpoint (SPEC §8): one transaction per movement, dated on
//! its UTC day, payee the other party, tagged `contract:ID`, accounts and
//! the commodity declared so that `hledger check --strict` passes.

use crate::core::model::{Contract, Role};
use crate::core::money::{Currency, Money};
use crate::core::movements::{Kind, Movement};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The longest line of a journal, in bytes: Ledger reads lines up to this.
pub const MAX_LINE_BYTES: usize = 4096;

/// The most bytes of a payee (a party's name) on a transaction's line.
const MAX_PAYEE_BYTES: usize = 1024;

/// The most bytes of a description on a transaction's line.
const MAX_DESCRIPTION_BYTES: usize = 2048;

/// `s` cut to at most `max` bytes on a character boundary, with `…` when
/// cut.
fn truncate(s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let ell = '…';
    let mut end = max - ell.len_utf8();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ell}", s[..end].trim_end())
}

/// `s` on one line with single spaces, each character through `swap`;
/// `unnamed` when nothing is left. Control and bidirectional characters
/// become spaces: they never reach a journal raw.
fn one_line(s: &str, swap: fn(char) -> char) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if crate::safe_text::is_unsafe(c) || c.is_whitespace() {
                ' '
            } else {
                swap(c)
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() {
        "unnamed".into()
    } else {
        words.join(" ")
    }
}

/// A name as an account-name segment: no `:` (it would make a
/// sub-account), no `;` (a comment), single spaces (two end the name). A
/// name that had to change gets a short hash of itself, so that two names
/// never share an account (`Ann:Lee` and `Ann-Lee`).
fn segment(name: &str) -> String {
    let s = truncate(
        one_line(name, |c| match c {
            ':' | ';' | '|' | '#' | '"' => '-',
            c => c,
        }),
        MAX_PAYEE_BYTES,
    );
    if s == name {
        s
    } else {
        format!("{s} ~{}", &crate::core::model::fnv_hex(name)[..6])
    }
}

/// Text for a description: no `;` (a comment would start there) and no
/// `|` (it ends the payee); nothing else of it means anything to hledger or
/// Ledger after the transaction's code.
fn text(s: &str) -> String {
    one_line(s, |c| match c {
        ';' => ',',
        '|' => '/',
        c => c,
    })
}

/// One posting: the account, two spaces, the amount.
fn posting(out: &mut String, account: &str, amount: Money, cur: &Currency) {
    let _ = writeln!(out, "    {account}  {} {}", cur.format(amount), cur.code());
}

/// The postings of one movement from `role`'s viewpoint; none when it does
/// not touch that party's books (escrow moves are the client's alone).
fn postings(c: &Contract, m: &Movement, role: Role) -> Vec<(String, Money)> {
    let a = m.amount;
    let neg = Money::ZERO - a;
    match role {
        Role::Client => {
            let fl = format!("expenses:freelancers:{}", segment(&c.freelancer));
            let (bank, escrow) = ("assets:bank".to_string(), "assets:escrow".to_string());
            match m.kind {
                Kind::Funded { .. } | Kind::WeekCharged { .. } => vec![(escrow, a), (bank, neg)],
                Kind::Released { .. } => vec![(fl, a), (escrow, neg)],
                Kind::Refunded { .. } | Kind::WeekRefunded { .. } => {
                    vec![(bank, a), (escrow, neg)]
                }
                Kind::WeekPaid { .. } => vec![(fl, a), (bank, neg)],
                Kind::Given { .. } => vec![(bank, a), (fl, neg)],
            }
        }
        Role::Freelancer => {
            let cl = format!("income:clients:{}", segment(&c.client));
            let (market, fees) = (
                "assets:marketplace".to_string(),
                "expenses:fees".to_string(),
            );
            match m.kind {
                Kind::Released { fee, .. } | Kind::WeekPaid { fee, .. } => {
                    vec![(market, a.less_fee(fee)), (fees, fee), (cl, neg)]
                }
                Kind::Given { fee_returned } => vec![
                    (cl, a),
                    (market, Money::ZERO - a.less_fee(fee_returned)),
                    (fees, Money::ZERO - fee_returned),
                ],
                _ => Vec::new(),
            }
        }
    }
}

/// What a movement was, for the transaction's note.
fn note(m: &Movement) -> String {
    let ms = |n: Option<u32>| n.map_or("escrow".to_string(), |n| format!("milestone {n}"));
    match m.kind {
        Kind::Funded { milestone } => format!("{} funded", ms(milestone)),
        Kind::Released { milestone, .. } => format!("{} released", ms(milestone)),
        Kind::WeekPaid { week, .. } => format!("{week} settled"),
        Kind::Refunded { milestone } => format!("{} refunded", ms(milestone)),
        Kind::Given { .. } => "refund given back".into(),
        Kind::WeekCharged { week } => format!("{week} invoiced (disputed)"),
        Kind::WeekRefunded { week } => format!("{week} refunded by its dispute"),
    }
}

/// The journal of `movements` (each with its contract) from `role`'s
/// viewpoint, oldest first.
pub fn journal(movements: &[(&Contract, Movement)], role: Role, cur: &Currency) -> String {
    let mut body = String::new();
    let mut accounts = BTreeSet::new();
    for (c, m) in movements {
        let ps = postings(c, m, role);
        if ps.is_empty() {
            continue;
        }
        // The contract's id as the transaction's code: after it a payee
        // that starts with `*`, `!` or `(` is read as the payee, not as a
        // status or a code.
        // Payee and description are cut so that the line stays within
        // MAX_LINE_BYTES whatever a hand-edited file holds (an id is at most
        // 32 ASCII characters; the rest is short).
        let _ = writeln!(
            body,
            "{} ({}) {} | {}  ; contract:{}, movement:{}",
            m.at.format("%Y-%m-%d"),
            c.id,
            truncate(text(c.party(role.other())), MAX_PAYEE_BYTES),
            truncate(
                text(&format!("{}: {}", c.title, note(m))),
                MAX_DESCRIPTION_BYTES
            ),
            c.id,
            m.kind.as_str()
        );
        for (account, amount) in ps {
            posting(&mut body, &account, amount, cur);
            accounts.insert(account);
        }
        body.push('\n');
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; contracts: money of the ledger as the {role} sees it, in {}",
        cur.code()
    );
    // The directive sets the display precision; hledger wants a decimal
    // mark in it even with no decimals (`100000. JPY`).
    let sample = cur.format(Money::from_minor(
        100_000 * 10i64.pow(u32::from(cur.exponent())),
    ));
    let mark = if cur.exponent() == 0 { "." } else { "" };
    let _ = writeln!(out, "commodity {sample}{mark} {}", cur.code());
    for a in &accounts {
        let _ = writeln!(out, "account {a}");
    }
    out.push('\n');
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary_and_unsafe_characters_dropped() {
        let long = "日".repeat(1000);
        let cut = truncate(long.clone(), MAX_PAYEE_BYTES);
        assert!(
            cut.len() <= MAX_PAYEE_BYTES && cut.ends_with('…'),
            "{}",
            cut.len()
        );
        assert!(long.starts_with(cut.trim_end_matches('…')));
        assert_eq!(truncate("short".into(), 10), "short");
        assert_eq!(text("a\u{202E}b\u{2066}c\u{1b}d\u{85}e"), "a b c d e");
        let seg = segment("Ann\u{202E}Lee");
        assert!(seg.starts_with("Ann Lee ~"), "{seg}");
        assert!(segment(&"é".repeat(2000)).len() <= MAX_PAYEE_BYTES + 8);
    }
}
