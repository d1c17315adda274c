//! The shared ledger's rules about who may act and when (SPEC §7): the
//! party a clone acts for is the one whose recorded key it signs with, and
//! a change is taken up to a tolerance beyond the machine's clock. Pure:
//! the shell passes the recorded parties, this clone's signing key and the
//! machine's clock.

use super::error::{Refusal, RuleError};
use super::model::{Contract, Instant, Role};
use super::schema::{Party, fingerprint, key_data};

/// How far beyond the machine's clock a shared ledger takes a change, or
/// an incoming commit.
pub const CLOCK_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Refuses a change dated `at` in a shared ledger whose machine's clock
/// reads `clock`, if it lies beyond the tolerance.
pub fn check_clock(at: Instant, clock: Instant) -> Result<(), Refusal> {
    if at > clock + CLOCK_TOLERANCE {
        return Err(Refusal::ClockAhead { at, clock });
    }
    Ok(())
}

/// Refuses an incoming commit `rev` dated `at` until `clock` has passed it
/// (within the tolerance).
pub fn check_incoming(rev: &str, at: Instant, clock: Instant) -> Result<(), Refusal> {
    if at > clock + CLOCK_TOLERANCE {
        return Err(Refusal::IncomingAhead {
            rev: rev.to_string(),
            at,
            clock,
        });
    }
    Ok(())
}

/// The recorded party whose key `mine` (this clone's signing key) is.
pub fn signing_party<'p>(parties: &'p [Party], mine: Option<&str>) -> Option<&'p Party> {
    let mine = key_data(mine?)?;
    parties.iter().find(|p| key_data(&p.key) == Some(mine))
}

/// Refuses unless this clone signs with `name`'s recorded key.
pub fn check_signer(parties: &[Party], mine: Option<&str>, name: &str) -> Result<(), RuleError> {
    if signing_party(parties, mine).is_some_and(|p| p.name == name) {
        return Ok(());
    }
    Err(RuleError::Refused(Refusal::NotTheSigner {
        name: name.to_string(),
    }))
}

/// In a ledger whose parties' keys are recorded, a clone acts for the
/// party whose key it signs with: `role`'s action on `c` is refused unless
/// that is `role`'s party (a freelancer's clone cannot act `--as client`).
pub fn check_party(
    parties: &[Party],
    mine: Option<&str>,
    c: &Contract,
    role: Role,
) -> Result<(), RuleError> {
    if parties.is_empty() {
        return Ok(());
    }
    let who = c.party(role);
    match signing_party(parties, mine) {
        Some(me) if me.name == who => Ok(()),
        Some(me) => Err(RuleError::Refused(Refusal::OtherParty {
            me: me.name.clone(),
            who: who.to_string(),
            role,
            id: c.id.clone(),
        })),
        None => Err(RuleError::Refused(Refusal::UnknownSigner {
            who: who.to_string(),
            role,
            id: c.id.clone(),
            recorded: parties
                .iter()
                .find(|p| p.name == who)
                .and_then(|p| fingerprint(&p.key)),
            mine: mine.and_then(fingerprint),
        })),
    }
}

/// In a ledger whose parties' keys are recorded, refuses a clone that
/// signs with a key none of them recorded: the first time a party acts, it
/// learns of a key recorded in its name by the other. A clone with no key
/// only reads, and has nothing to tell.
pub fn check_own_key(parties: &[Party], mine: Option<&str>) -> Result<(), RuleError> {
    if parties.is_empty() || signing_party(parties, mine).is_some() {
        return Ok(());
    }
    match mine {
        Some(k) => Err(RuleError::Refused(Refusal::KeyNotRecorded {
            mine: fingerprint(k).unwrap_or_else(|| k.to_string()),
        })),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANN: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsWgTeN0gODnu6KoJ6kSeCXbtHKd6Iq9EByshcWsGha ann@laptop";
    const ACME: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIcaqhsIHVuo3WEnNF0l15IxCPOPNoAxdedrskNrAOnI acme";

    fn t(s: &str) -> Instant {
        s.parse().unwrap()
    }

    fn parties() -> Vec<Party> {
        vec![
            Party {
                name: "Acme".into(),
                key: ACME.into(),
            },
            Party {
                name: "Ann".into(),
                key: ANN.into(),
            },
        ]
    }

    fn contract() -> Contract {
        crate::core::lifecycle::tests::fixed("500")
    }

    fn kind(r: Result<(), RuleError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(RuleError::Refused(r)) => r.kind(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_change_up_to_five_minutes_ahead_of_the_clock_is_taken_and_no_later() {
        let clock = t("2026-11-02T09:00:00Z");
        assert!(check_clock(t("2026-11-02T09:05:00Z"), clock).is_ok());
        assert_eq!(
            check_clock(t("2026-11-02T09:05:01Z"), clock).map_err(|r| r.kind()),
            Err("clock_ahead")
        );
        assert!(check_incoming("abc", t("2026-11-02T09:05:00Z"), clock).is_ok());
        assert_eq!(
            check_incoming("abc", t("2026-11-02T09:05:01Z"), clock).map_err(|r| r.kind()),
            Err("incoming_ahead")
        );
    }

    #[test]
    fn a_clone_acts_for_the_party_whose_recorded_key_it_signs_with() {
        let (p, c) = (parties(), contract());
        // The key's comment is not its identity.
        let ann = ANN.replace("ann@laptop", "other comment");
        assert_eq!(
            signing_party(&p, Some(&ann)).map(|p| p.name.as_str()),
            Some("Ann")
        );
        assert_eq!(
            kind(check_party(&p, Some(&ann), &c, Role::Freelancer)),
            "ok"
        );
        assert_eq!(
            kind(check_party(&p, Some(&ann), &c, Role::Client)),
            "other_party"
        );
        assert_eq!(
            kind(check_party(&p, None, &c, Role::Client)),
            "unknown_signer"
        );
        assert_eq!(kind(check_signer(&p, Some(ACME), "Acme")), "ok");
        assert_eq!(kind(check_signer(&p, Some(ACME), "Ann")), "not_the_signer");
        // No party recorded: nothing to hold a clone to.
        assert_eq!(kind(check_party(&[], None, &c, Role::Client)), "ok");
        assert_eq!(kind(check_own_key(&[], Some(ANN))), "ok");
    }

    #[test]
    fn a_key_no_party_recorded_is_refused_and_a_clone_without_one_only_reads() {
        let p = parties();
        let stranger =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8s2E6o0m9i7Vq6r8N2m3g0yYQbXrj1bcxM1F2Wb0qx x";
        assert_eq!(kind(check_own_key(&p, Some(stranger))), "key_not_recorded");
        assert_eq!(kind(check_own_key(&p, Some(ANN))), "ok");
        assert_eq!(kind(check_own_key(&p, None)), "ok");
    }
}
