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

/// `statfs` magic numbers of network file systems (linux/magic.h).
const NETWORK_MAGIC: &[(i64, &str)] = &[
    (0x6969, "nfs"),
    (0x517B, "smbfs"),
    (0xFF53_4D42, "cifs"),
    (0xFE53_4D42, "smb3"),
    (0x0102_1997, "9p"),
    (0x5346_414F, "afs"),
    (0x00C3_6400, "ceph"),
];
const FUSE_MAGIC: i64 = 0x6573_5546;

/// The type of the file system holding `dir` when it may be a network one:
/// one `statfs` call says; only FUSE (sshfs, glusterfs, or a local one)
/// needs the mount table for its subtype. `None` for local file systems.
pub fn network_type(dir: &Path) -> Option<String> {
    // The field's width differs between architectures.
    #[allow(clippy::useless_conversion)]
    let magic = i64::try_from(rustix::fs::statfs(dir).ok()?.f_type).ok()?;
    if magic == FUSE_MAGIC {
        return fs_type(dir);
    }
    NETWORK_MAGIC
        .iter()
        .find(|(m, _)| *m == magic)
        .map(|(_, name)| (*name).to_string())
}

/// The type of the file system holding `dir`, read from /proc/self/mounts
/// (the longest mount point that contains it).
pub fn fs_type(dir: &Path) -> Option<String> {
    let real = std::fs::canonicalize(dir).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    fs_type_in(&mounts, &real)
}

/// The type of the file system holding `real`, by the mount table `mounts`.
fn fs_type_in(mounts: &str, real: &Path) -> Option<String> {
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
    let kind = network_type(dir)?;
    NETWORK.contains(&kind.as_str()).then(|| {
        format!(
            "warning: the ledger {} is on a network file system ({kind}): its lock may not be seen by other machines; run contracts against it from one machine at a time",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "/dev/vda / ext4 rw,relatime 0 0\n\
server:/export /home/ann/net nfs4 rw,vers=4.2 0 0\n\
//nas/share /mnt/my\\040share cifs rw 0 0\n";

    #[test]
    fn the_longest_mount_point_decides() {
        assert_eq!(
            fs_type_in(MOUNTS, Path::new("/home/ann/net/ledger")).as_deref(),
            Some("nfs4")
        );
        assert_eq!(
            fs_type_in(MOUNTS, Path::new("/home/ann/ledger")).as_deref(),
            Some("ext4")
        );
        assert_eq!(
            fs_type_in(MOUNTS, Path::new("/mnt/my share/l")).as_deref(),
            Some("cifs")
        );
        assert!(NETWORK.contains(&"nfs4") && !NETWORK.contains(&"ext4"));
    }

    #[test]
    fn a_local_directory_is_not_a_network_one() {
        let dir = std::env::temp_dir();
        assert_eq!(network_type(&dir), None, "{}", dir.display());
        assert_eq!(warning(&dir), None);
        // Every name statfs can give is one the warning knows.
        for (_, name) in NETWORK_MAGIC {
            assert!(NETWORK.contains(name), "{name}");
        }
    }
}
