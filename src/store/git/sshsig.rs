//! A commit's SSH signature checked in this process: git's SSH signature
//! (the `gpgsig` header, `-----BEGIN SSH SIGNATURE-----`) is an SSHSIG, in
//! namespace `git`, over the commit object without that header. The
//! verdict is the one `git verify-commit` (which runs `ssh-keygen -Y
//! find-principals` then `-Y verify`) gives with an allowed-signers file
//! of the same parties, in the same order; a signature this cannot decide
//! (not SSH, a key type not verified here) is left to git.

use super::Commit;
use crate::core::schema::Party;
use ssh_key::{Algorithm, PublicKey, SshSig};

/// Why a commit without a signature fails where the parties are recorded.
pub const UNSIGNED: &str = "unsigned, where the parties' keys are recorded";

/// Why a commit signed by no recorded party fails; `detail` is the first
/// line of what git (ssh-keygen) says.
pub fn no_party(detail: &str) -> String {
    format!("signed by a key no recorded party has ({detail})")
}

/// The allowed-signers file of `parties` (`ssh-keygen -Y verify`'s, as
/// `git verify-commit` reads it), in their order.
pub fn allowed_signers(parties: &[Party]) -> String {
    parties
        .iter()
        .map(|p| {
            format!(
                "\"{}\" namespaces=\"git\" {}\n",
                p.name.replace('"', ""),
                p.key
            )
        })
        .collect()
}

/// Who signed `commit`, of `parties` (in the order of the allowed-signers
/// file): the party's name (as git names the principal: without `"`), or
/// why not; `None` where it is for git to decide.
pub fn signer(commit: &Commit, parties: &[Party]) -> Option<Result<String, String>> {
    signer_known(commit, parties, None)
}

/// Whether an ed25519 signature holds for the key it names (`None`: not
/// one this process checks, or unsigned): what [`signer`] computes, apart
/// from which party holds that key, so it can be worked out on another
/// core ahead of the walk that knows the parties.
pub fn holds(signature: Option<&(String, Vec<u8>)>) -> Option<bool> {
    let (armored, payload) = signature?;
    let sig = SshSig::from_pem(armored.as_bytes()).ok()?;
    if sig.algorithm() != Algorithm::Ed25519 {
        return None;
    }
    let own = PublicKey::new(sig.public_key().clone(), "");
    Some(own.verify("git", payload, &sig).is_ok())
}

/// [`signer`], with whether the signature holds for its own key already
/// known ([`holds`]) where `known` says so.
pub fn signer_known(
    commit: &Commit,
    parties: &[Party],
    known: Option<bool>,
) -> Option<Result<String, String>> {
    let Some((armored, payload)) = &commit.signature else {
        return Some(Err(UNSIGNED.to_string()));
    };
    let sig = SshSig::from_pem(armored.as_bytes()).ok()?;
    if sig.algorithm() != Algorithm::Ed25519 {
        return None;
    }
    // (A party's key whose data is the signature's is that key: checking
    // against either gives the same.)
    let check = |key: &PublicKey| known.unwrap_or_else(|| key.verify("git", payload, &sig).is_ok());
    let keys: Vec<(&Party, PublicKey)> = parties
        .iter()
        .filter_map(|p| Some((p, PublicKey::from_openssh(&p.key).ok()?)))
        .collect();
    // `find-principals`: the recorded parties whose key made the signature,
    // first in the file first; `verify` checks it as the first that does.
    if let Some((party, key)) = keys.iter().find(|(_, k)| k.key_data() == sig.public_key()) {
        return Some(if check(key) {
            Ok(party.name.replace('"', ""))
        } else {
            Err(no_party("Could not verify signature."))
        });
    }
    // No principal: git says whether the signature holds for its own key.
    let own = PublicKey::new(sig.public_key().clone(), "");
    Some(Err(no_party(&if check(&own) {
        format!(
            "Good \"git\" signature with ED25519 key {}",
            own.fingerprint(ssh_key::HashAlg::Sha256)
        )
    } else {
        "Could not verify signature.".to_string()
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::git::Git;
    use std::path::Path;
    use std::process::Command;

    /// Runs `cmd` in `dir` with nothing of the user's configuration: its
    /// standard output.
    fn run(dir: &Path, cmd: &str, args: &[&str]) -> String {
        let out = Command::new(cmd)
            .current_dir(dir)
            .args(args)
            .env("HOME", dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn the_verdict_in_process_is_git_verify_commits() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for k in ["acme", "bob", "eve"] {
            run(
                dir,
                "ssh-keygen",
                &["-q", "-t", "ed25519", "-N", "", "-C", k, "-f", k],
            );
        }
        let key = |k: &str| std::fs::read_to_string(dir.join(format!("{k}.pub"))).unwrap();
        let repo = dir.join("r");
        run(dir, "git", &["init", "-q", "r"]);
        let git = |args: &[&str]| run(&repo, "git", args);
        for (k, v) in [
            ("user.name", "someone"),
            ("user.email", "someone@example.com"),
            ("gpg.format", "ssh"),
        ] {
            git(&["config", k, v]);
        }
        let mut revs = Vec::new();
        for (i, signer) in ["acme", "bob", "eve", ""].iter().enumerate() {
            std::fs::write(repo.join("f"), format!("{i}\n")).unwrap();
            git(&["add", "f"]);
            if signer.is_empty() {
                git(&["commit", "-q", "--no-gpg-sign", "-m", "unsigned"]);
            } else {
                let path = dir.join(signer).display().to_string();
                git(&["config", "user.signingkey", &path]);
                git(&["commit", "-q", "-S", "-m", &format!("by {signer}")]);
            }
            revs.push(git(&["rev-parse", "HEAD"]));
        }
        // Acme's commit with its message changed: the signature no longer
        // holds.
        let object = git(&["cat-file", "commit", &revs[0]]).replace("by acme", "by bob");
        std::fs::write(dir.join("tampered"), object + "\n").unwrap();
        let tampered = dir.join("tampered").display().to_string();
        revs.push(git(&["hash-object", "-w", "-t", "commit", &tampered]));

        let party = |name: &str, k: &str| Party {
            name: name.to_string(),
            key: key(k).trim().to_string(),
        };
        let sets = [
            vec![party("Acme", "acme")],
            vec![party("Acme", "acme"), party("Bob Lee", "bob")],
            vec![party("Bob Lee", "bob"), party("\"Acme\"", "acme")],
        ];
        let repo_git = Git::of(&repo).unwrap();
        let mut verdicts = Vec::new();
        for parties in &sets {
            let allowed = dir.join("allowed");
            std::fs::write(&allowed, allowed_signers(parties)).unwrap();
            for rev in &revs {
                let commit = repo_git.read_commit(rev).unwrap().unwrap();
                let here = signer(&commit, parties).expect("decided in process");
                assert_eq!(here, repo_git.signer_by_git(rev, &allowed), "{rev}");
                verdicts.push(here);
            }
        }
        // Each kind of verdict was seen: a party, no party, a signature
        // that does not hold, none.
        let seen = |f: &dyn Fn(&Result<String, String>) -> bool| verdicts.iter().any(f);
        assert!(seen(&|v| v.as_deref() == Ok("Acme")));
        assert!(seen(&|v| v.as_deref() == Ok("Bob Lee")));
        assert!(seen(&|v| v.as_ref().is_err_and(
            |e| e.contains("Good \"git\" signature with ED25519 key SHA256:")
        )));
        assert!(seen(&|v| v
            .as_ref()
            .is_err_and(|e| e.contains("Could not verify signature."))));
        assert!(seen(&|v| v.as_ref().is_err_and(|e| e == UNSIGNED)));
    }
}
