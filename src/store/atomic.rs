//! The durable atomic write: temp file beside the real target, write, fsync,
//! rename, fsync the directory. A crash leaves the old file or the new one.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A failpoint of the tests (`--features failpoints`, `FAILPOINTS=name=return(ARG)`):
/// ARG `kill` SIGKILLs the process there; an errno name makes the step fail
/// with it. Without the feature it compiles to nothing.
macro_rules! failpoint {
    ($name:literal) => {
        fail::fail_point!($name, |arg| Err(injected(arg)))
    };
}

/// The error (or, for `kill`, the SIGKILL) a failpoint injects.
#[cfg(feature = "failpoints")]
pub(crate) fn injected(arg: Option<String>) -> io::Error {
    let arg = arg.unwrap_or_default();
    if arg == "kill" {
        // As abrupt as a power cut for this process: no destructors, no cleanup.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &std::process::id().to_string()])
            .status();
        loop {
            std::thread::park();
        }
    }
    let code = match arg.as_str() {
        "ENOSPC" => 28,
        "EROFS" => 30,
        "EACCES" => 13,
        "EXDEV" => 18,
        _ => 5, // EIO
    };
    io::Error::from_raw_os_error(code)
}

#[cfg(not(feature = "failpoints"))]
#[allow(dead_code)]
pub(crate) fn injected(_: Option<String>) -> io::Error {
    io::Error::other("failpoint")
}

/// Leftover temp files start with this; they are ignored and cleaned up.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Mode of files a new ledger creates.
pub const FILE_MODE: u32 = 0o600;
/// Mode of directories a new ledger creates.
pub const DIR_MODE: u32 = 0o700;

/// The file a write really goes to: symlinks followed, so the link survives
/// and the temp file is made on the target's file system.
pub fn real_target(target: &Path) -> io::Result<PathBuf> {
    real_target_in(target, &mut HashMap::new())
}

/// [`real_target`], with the directories already resolved in `dirs`: a
/// batch resolves each directory once, not once per file (resolving walks
/// every component of the path, a `readlink` each).
fn real_target_in(target: &Path, dirs: &mut HashMap<PathBuf, PathBuf>) -> io::Result<PathBuf> {
    match fs::symlink_metadata(target) {
        // A dangling link is replaced as it stands, as before.
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => return other,
        },
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let dir = match dirs.get(parent) {
        Some(d) => d.clone(),
        None => {
            let d = fs::canonicalize(parent)?;
            dirs.insert(parent.to_path_buf(), d.clone());
            d
        }
    };
    Ok(dir.join(name))
}

/// One temp name per target: writers hold the exclusive lock, so no two
/// write the same file at once, and a temp file left by a crashed writer is
/// removed by the next write of its target.
fn temp_path(real: &Path) -> PathBuf {
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    real.with_file_name(format!("{TEMP_PREFIX}{name}"))
}

/// The mode a replacement of `real` keeps (`FILE_MODE` for a new file);
/// refuses a read-only file, which a rename would replace all the same.
/// `subject` names the file in the message.
fn writable_mode(real: &Path, subject: &dyn std::fmt::Display) -> io::Result<u32> {
    let mode = match fs::metadata(real) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(_) => FILE_MODE,
    };
    if mode & 0o222 == 0 && real.exists() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{subject} is read-only (mode {mode:04o}); make it writable (chmod u+w) to let contracts change it"
            ),
        ));
    }
    Ok(mode)
}

/// Writes `data` into a new temp file beside `real` (a stale one from a
/// crashed writer is replaced), not yet flushed; removes it on failure.
fn create_temp(real: &Path, data: &[u8], mode: u32) -> io::Result<(PathBuf, File)> {
    let tmp = temp_path(real);
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        // The umask may have narrowed the mode; the file keeps its old one.
        f.set_permissions(Permissions::from_mode(mode))?;
        failpoint!("atomic::write");
        f.write_all(data)?;
        Ok(f)
    })();
    match result {
        Ok(f) => Ok((tmp, f)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Flushes a written temp file to disk.
fn sync_temp(f: &File) -> io::Result<()> {
    failpoint!("atomic::fsync");
    f.sync_all()
}

/// Writes `data` into a new temp file beside `real`, durably.
fn write_temp(real: &Path, data: &[u8], mode: u32) -> io::Result<PathBuf> {
    let (tmp, f) = create_temp(real, data, mode)?;
    match sync_temp(&f) {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn rename(from: &Path, to: &Path) -> io::Result<()> {
    failpoint!("atomic::rename");
    fs::rename(from, to)
}

fn link(from: &Path, to: &Path) -> io::Result<()> {
    failpoint!("atomic::rename");
    fs::hard_link(from, to)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replaces `target` with `data` atomically and durably, keeping its mode
/// (`FILE_MODE` for a new file).
pub fn replace(target: &Path, data: &[u8]) -> io::Result<()> {
    let dir = renamed_into_place(target, data)?;
    sync_dir(&dir)
}

/// [`replace`], but the entry of the target's directory is not flushed:
/// the directory is added to `dirs`, for [`sync_dirs`] to flush once
/// however many files were written there. The data is flushed before the
/// rename, so a crash in between leaves the file whole, as before or as
/// after.
pub fn replace_deferred(
    target: &Path,
    data: &[u8],
    dirs: &mut std::collections::BTreeSet<PathBuf>,
) -> io::Result<()> {
    dirs.insert(renamed_into_place(target, data)?);
    Ok(())
}

/// Writes `data` to a flushed temp file beside `target` (its mode kept)
/// and renames it over `target`: the directory whose entry is yet to be
/// flushed.
fn renamed_into_place(target: &Path, data: &[u8]) -> io::Result<PathBuf> {
    let real = real_target(target)?;
    let mode = writable_mode(&real, &"the file")?;
    let tmp = write_temp(&real, data, mode)?;
    if let Err(e) = rename(&tmp, &real) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    failpoint!("atomic::after_rename");
    Ok(real.parent().unwrap_or(Path::new(".")).to_path_buf())
}

/// Flushes the entries of each of `dirs` ([`replace_deferred`]).
pub fn sync_dirs(dirs: &std::collections::BTreeSet<PathBuf>) -> io::Result<()> {
    for dir in dirs {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Replaces each target with its data, each atomically, all durably, with
/// the disk flushed twice rather than twice per file: every temp file is
/// written, then the file system is synced once (`syncfs`), then each is
/// renamed over its target, then the file system is synced once more (the
/// directories' entries). A crash leaves each file as before or as after.
pub fn replace_all(files: &[(PathBuf, Vec<u8>)]) -> io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    // Which file failed: an error names it.
    let named = |p: &Path, e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    let mut staged = Vec::with_capacity(files.len());
    let result = (|| {
        let mut dirs = HashMap::new();
        for (target, data) in files {
            let real = real_target_in(target, &mut dirs).map_err(|e| named(target, e))?;
            let mode = writable_mode(&real, &real.display())?;
            let (tmp, _) = create_temp(&real, data, mode).map_err(|e| named(&real, e))?;
            staged.push((tmp, real));
        }
        flush_staged(&staged).map_err(|e| named(&staged[0].1, e))
    })();
    if let Err(e) = result {
        for (tmp, _) in &staged {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    for (i, (tmp, real)) in staged.iter().enumerate() {
        if i == 1 {
            failpoint!("atomic::between_renames");
        }
        if let Err(e) = rename(tmp, real) {
            for (tmp, _) in &staged[i..] {
                let _ = fs::remove_file(tmp);
            }
            return Err(named(real, e));
        }
    }
    flush_renamed(&staged).map_err(|e| named(&staged[0].1, e))
}

/// The flush of the written temp files (temp file, target), before renames.
fn flush_staged(staged: &[(PathBuf, PathBuf)]) -> io::Result<()> {
    failpoint!("atomic::fsync");
    sync_fs(staged.iter().map(|(_, real)| real.as_path()))
}

/// The flush of the renames' directory entries.
fn flush_renamed(staged: &[(PathBuf, PathBuf)]) -> io::Result<()> {
    failpoint!("atomic::after_rename");
    sync_fs(staged.iter().map(|(_, real)| real.as_path()))
}

/// Flushes each file system that holds one of `paths`, once (a symlinked
/// file may live on another).
fn sync_fs<'p>(paths: impl Iterator<Item = &'p Path>) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dirs: std::collections::BTreeSet<&Path> = paths
        .map(|p| p.parent().unwrap_or(Path::new(".")))
        .collect();
    let mut done = std::collections::HashSet::new();
    for dir in dirs {
        let f = File::open(dir)?;
        if done.insert(f.metadata()?.dev()) {
            rustix::fs::syncfs(&f).map_err(io::Error::from)?;
        }
    }
    Ok(())
}

/// Creates `target` with `data`, atomically and durably, failing with
/// `AlreadyExists` rather than overwriting anything.
pub fn create_new(target: &Path, data: &[u8]) -> io::Result<()> {
    let real = real_target(target)?;
    let tmp = write_temp(&real, data, FILE_MODE)?;
    // link(2) never replaces an existing name: the exclusive create.
    let linked = link(&tmp, &real);
    let _ = fs::remove_file(&tmp);
    linked?;
    sync_dir(real.parent().unwrap_or(Path::new(".")))
}

/// Creates a directory (and parents) with `DIR_MODE`.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
}

/// Removes temp files left in `dir` by a crashed writer. Call only while
/// holding the exclusive lock, so no live writer owns them.
pub fn clean_temps(dir: &Path) {
    use rustix::fs::{AtFlags, Mode, OFlags, RawDir};
    // Read with one buffer, the names borrowed: `sweep` reads the 5,000
    // names of `contracts/` at agency scale, and a string each costs.
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let Ok(fd) = rustix::fs::open(dir, flags, Mode::empty()) else {
        return;
    };
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut entries = RawDir::new(&fd, buf.spare_capacity_mut());
    let mut doomed = Vec::new();
    while let Some(Ok(e)) = entries.next() {
        if e.file_name().to_bytes().starts_with(TEMP_PREFIX.as_bytes()) {
            doomed.push(e.file_name().to_owned());
        }
    }
    for name in doomed {
        let _ = rustix::fs::unlinkat(&fd, name.as_c_str(), AtFlags::empty());
    }
}

#[cfg(test)]
mod tests {
    use super::replace_all;
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::path::Path;

    fn is_link(p: &Path) -> bool {
        fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
    }

    #[test]
    fn a_batch_writes_through_links_and_keeps_them() {
        let d = tempfile::tempdir().expect("temp dir");
        let real_dir = d.path().join("real");
        fs::create_dir(&real_dir).expect("mkdir");
        let linked_dir = d.path().join("linked");
        symlink(&real_dir, &linked_dir).expect("symlink");
        let elsewhere = d.path().join("elsewhere.toml");
        fs::write(&elsewhere, "old").expect("write");
        symlink(&elsewhere, real_dir.join("a.toml")).expect("symlink");
        symlink(d.path().join("gone.toml"), real_dir.join("b.toml")).expect("symlink");
        fs::write(real_dir.join("c.toml"), "old").expect("write");
        let files: Vec<_> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| (linked_dir.join(format!("{n}.toml")), n.as_bytes().to_vec()))
            .collect();

        replace_all(&files).expect("replace_all");

        // A link to a file: the file changes, the link stays.
        assert_eq!(fs::read_to_string(&elsewhere).expect("read"), "a");
        assert!(is_link(&real_dir.join("a.toml")));
        // A dangling link is replaced by the file, as a single write does.
        assert_eq!(
            fs::read_to_string(real_dir.join("b.toml")).expect("read"),
            "b"
        );
        assert!(!is_link(&real_dir.join("b.toml")));
        assert!(!d.path().join("gone.toml").exists());
        assert_eq!(
            fs::read_to_string(real_dir.join("c.toml")).expect("read"),
            "c"
        );
        assert_eq!(
            fs::read_to_string(real_dir.join("d.toml")).expect("read"),
            "d"
        );
        assert!(is_link(&linked_dir));
        let mut names: Vec<String> = fs::read_dir(&real_dir)
            .expect("read_dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.toml", "b.toml", "c.toml", "d.toml"]);
    }
}
