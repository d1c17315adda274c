//! The ledger lock: one advisory lock file, shared for reads, exclusive for
//! writes, held from before the read to after the rename.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file's name in the ledger directory.
pub const LOCK_FILE: &str = ".contracts.lock";

/// A held lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: Option<File>,
}

/// Why the lock was not had.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it past the timeout.
    Busy(PathBuf),
    /// The lock file could not be opened.
    Io(PathBuf, io::Error),
}

/// Takes the lock on the ledger in `dir`, waiting up to `timeout`.
pub fn acquire(dir: &Path, exclusive: bool, timeout: Duration) -> Result<Lock, LockError> {
    let path = dir.join(LOCK_FILE);
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
    {
        Ok(f) => f,
        // A reader of a read-only ledger (a checkout, a backup) cannot
        // create the lock file; nobody can write there either, so reading
        // unlocked is safe.
        Err(e)
            if !exclusive
                && matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
        {
            match File::open(&path) {
                Ok(f) => f,
                Err(_) => return Ok(Lock { _file: None }),
            }
        }
        Err(e) => return Err(LockError::Io(path, e)),
    };
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        let tried = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match tried {
            Ok(()) => return Ok(Lock { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(path, e)),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(LockError::Busy(path));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
