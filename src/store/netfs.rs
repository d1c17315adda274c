//! Network file systems, where `flock` may be local to one machine.

use std::path::Path;

/// File system types whose locks other machines may not see.
const NETWORK: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "fuse.sshfs",
    "afs",
    "ceph",
    "glusterfs",
];

/// The type of the file system holding `dir`, read from /proc/self/mounts
/// (the longest mount point that contains it).
pub fn fs_type(dir: &Path) -> Option<String> {
    let real = std::fs::canonicalize(dir).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, point, kind) = (f.next()?, f.next()?, f.next()?);
            // Spaces in mount points are escaped as \040.
            let point = point.replace("\\040", " ");
            real.starts_with(&point)
                .then(|| (point.len(), kind.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, kind)| kind)
}

/// A warning when `dir` is on a network file system.
pub fn warning(dir: &Path) -> Option<String> {
    let kind = fs_type(dir)?;
    NETWORK.contains(&kind.as_str()).then(|| {
        format!(
            "warning: the ledger {} is on a network file system ({kind}): its lock may not be seen by other machines; run contracts against it from one machine at a time",
            dir.display()
        )
    })
}
