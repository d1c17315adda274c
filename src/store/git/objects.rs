//! git's objects read in this process: one `git cat-file --batch` child,
//! kept for the life of the [`super::Git`], answers every request for a
//! commit, a tree or a file's text; commits and trees are parsed here. A
//! commit's id names its content, so what was read by id is kept.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;

/// One long-lived `git cat-file --batch`.
struct Batch {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Batch {
    fn start(root: &Path) -> io::Result<Batch> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("git cat-file: no pipes"));
        };
        Ok(Batch {
            child,
            stdin: Some(stdin),
            stdout: BufReader::with_capacity(1 << 16, stdout),
        })
    }

    /// The objects `names` name, in order: each one's id, type and
    /// content, `None` where there is none (or the name is ambiguous).
    /// Asked all at once, then read: at most [`PIPELINED`] names, so that
    /// the requests fit the pipe and writing them never waits for git.
    fn get(&mut self, names: &[&str]) -> io::Result<Vec<Option<Raw>>> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("git cat-file: closed"))?;
        let mut request = Vec::new();
        for name in names {
            request.extend_from_slice(name.as_bytes());
            request.push(b'\n');
        }
        stdin.write_all(&request)?;
        stdin.flush()?;
        names.iter().map(|_| self.read_one()).collect()
    }

    fn read_one(&mut self) -> io::Result<Option<Raw>> {
        let mut header = String::new();
        if self.stdout.read_line(&mut header)? == 0 {
            return Err(io::Error::other("git cat-file: ended"));
        }
        let fields: Vec<&str> = header.trim_end().split(' ').collect();
        let [oid, kind, size] = fields.as_slice() else {
            // `NAME missing`, `NAME ambiguous`.
            return Ok(None);
        };
        let size: usize = size
            .parse()
            .map_err(|_| io::Error::other(format!("git cat-file: `{}`", header.trim_end())))?;
        let mut data = vec![0; size + 1];
        self.stdout.read_exact(&mut data)?;
        data.truncate(size);
        Ok(Some(Raw {
            oid: (*oid).to_string(),
            kind: (*kind).to_string(),
            data,
        }))
    }
}

/// Names asked of `cat-file` at once: 32 names of at most 65 bytes fit
/// any pipe's buffer (4 KiB at least).
const PIPELINED: usize = 32;

impl Drop for Batch {
    fn drop(&mut self) {
        // End of input ends it.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// An object as `cat-file` gives it.
pub struct Raw {
    oid: String,
    kind: String,
    data: Vec<u8>,
}

/// An object read ahead on another thread, to keep: a tree as stored
/// (shared, not copied), or any other object as read.
pub enum Fetched {
    /// A tree, by its id.
    Tree(String, Arc<[u8]>),
    /// A commit or a file.
    Other(Raw),
}

/// A commit, as its object records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Its id.
    pub id: String,
    /// Its tree's id.
    pub tree: String,
    /// Its parents' ids, in order.
    pub parents: Vec<String>,
    /// The committer's instant (seconds since the epoch), if it reads.
    pub committed: Option<i64>,
    /// Its signature (the `gpgsig` header, unfolded), and what it signs:
    /// the object without that header.
    pub signature: Option<(String, Vec<u8>)>,
}

/// An entry of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its name in the tree.
    pub name: String,
    /// Its object's id.
    pub oid: String,
    /// A tree (a folder), not a file.
    pub is_tree: bool,
    /// Its mode, as git records it (`100644`, `100755`, `120000`, `40000`).
    pub mode: String,
}

/// What is read, kept: by id, so it never goes stale.
#[derive(Default)]
pub(super) struct Objects {
    batch: Option<Batch>,
    commits: HashMap<String, Rc<Commit>>,
    trees: HashMap<String, Rc<Vec<Entry>>>,
    /// Trees read and not parsed: their entries compared where they are
    /// stored (most of two versions of a folder are the same).
    raw_trees: HashMap<String, Arc<[u8]>>,
    blobs: HashMap<String, Rc<str>>,
    // Bytes kept in `trees` and `blobs`: forgotten past a bound.
    kept: usize,
    /// Where objects read ahead for another thread go (see
    /// [`Objects::tapped`]).
    tap: Option<Vec<Fetched>>,
}

/// What the object caches may hold (in bytes of memory, about) before
/// they are forgotten.
const KEEP: usize = 256 << 20;

/// The memory a parsed tree holds, about: each entry's three strings and
/// itself.
fn held(t: &[Entry]) -> usize {
    t.iter()
        .map(|e| std::mem::size_of::<Entry>() + e.name.len() + e.oid.len() + e.mode.len() + 48)
        .sum()
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("running", &self.batch.is_some())
            .field("commits", &self.commits.len())
            .field("trees", &self.trees.len())
            .field("blobs", &self.blobs.len())
            .finish()
    }
}

/// Whether `name` is a full object id (kept by it), not a name that moves.
fn is_id(name: &str) -> bool {
    matches!(name.len(), 40 | 64) && name.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Objects {
    fn raw(&mut self, root: &Path, name: &str) -> io::Result<Option<Raw>> {
        // The protocol is one name a line.
        if name.is_empty() || name.contains(['\n', '\r']) {
            return Ok(None);
        }
        if self.batch.is_none() {
            self.batch = Some(Batch::start(root)?);
        }
        let Some(batch) = self.batch.as_mut() else {
            return Ok(None);
        };
        let r = batch.get(&[name]);
        if r.is_err() {
            // Out of step: the next request starts another.
            self.batch = None;
        }
        Ok(r?.pop().flatten())
    }

    /// Reads the objects `oids` (ids) not read yet, asking for many at
    /// once, and keeps them: what is then asked of them is answered here.
    pub(super) fn prefetch(&mut self, root: &Path, oids: &[&str]) -> io::Result<()> {
        let mut wanted: Vec<&str> = oids
            .iter()
            .copied()
            .filter(|o| {
                is_id(o)
                    && !self.commits.contains_key(*o)
                    && !self.trees.contains_key(*o)
                    && !self.raw_trees.contains_key(*o)
                    && !self.blobs.contains_key(*o)
            })
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        if self.batch.is_none() {
            self.batch = Some(Batch::start(root)?);
        }
        for some in wanted.chunks(PIPELINED) {
            let Some(batch) = self.batch.as_mut() else {
                return Ok(());
            };
            let got = match batch.get(some) {
                Ok(g) => g,
                Err(e) => {
                    self.batch = None;
                    return Err(e);
                }
            };
            for raw in got.into_iter().flatten() {
                self.keep(raw);
            }
        }
        Ok(())
    }

    /// Objects that hand every object read ahead to another thread
    /// ([`Objects::take_tapped`]): commits and trees are kept here too (the
    /// next levels are found from them), files only there.
    pub(super) fn tapped() -> Objects {
        Objects {
            tap: Some(Vec::new()),
            ..Default::default()
        }
    }

    /// The objects read ahead since last asked (see [`Objects::tapped`]).
    pub(super) fn take_tapped(&mut self) -> Vec<Fetched> {
        self.tap.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Keeps objects another thread read ahead.
    pub(super) fn keep_all(&mut self, fetched: Vec<Fetched>) {
        for f in fetched {
            match f {
                Fetched::Tree(oid, data) => {
                    self.remember(data.len());
                    self.raw_trees.insert(oid, data);
                }
                Fetched::Other(raw) => self.keep(raw),
            }
        }
    }

    /// Keeps an object read, parsed as its type is.
    fn keep(&mut self, raw: Raw) {
        if let Some(tap) = self.tap.as_mut() {
            match raw.kind.as_str() {
                "tree" => {
                    let data: Arc<[u8]> = raw.data.into();
                    tap.push(Fetched::Tree(raw.oid.clone(), data.clone()));
                    self.remember(data.len());
                    self.raw_trees.insert(raw.oid, data);
                    return;
                }
                "commit" => tap.push(Fetched::Other(Raw {
                    oid: raw.oid.clone(),
                    kind: raw.kind.clone(),
                    data: raw.data.clone(),
                })),
                _ => {
                    tap.push(Fetched::Other(raw));
                    return;
                }
            }
        }
        match raw.kind.as_str() {
            "commit" => {
                let c = Rc::new(parse_commit(&raw.oid, &raw.data));
                self.commits.insert(raw.oid, c);
            }
            "tree" => {
                self.remember(raw.data.len());
                self.raw_trees.insert(raw.oid, raw.data.into());
            }
            "blob" => {
                let text = text_of(raw.data);
                self.remember(text.len());
                self.blobs.insert(raw.oid, text);
            }
            _ => {}
        }
    }

    fn remember(&mut self, bytes: usize) {
        self.kept += bytes;
        if self.kept > KEEP {
            self.trees.clear();
            self.raw_trees.clear();
            self.blobs.clear();
            self.kept = bytes;
        }
    }

    /// The commit `rev` names (an id, `HEAD`, a branch), if it is one.
    pub(super) fn commit(&mut self, root: &Path, rev: &str) -> io::Result<Option<Rc<Commit>>> {
        if let Some(c) = self.commits.get(rev) {
            return Ok(Some(c.clone()));
        }
        let Some(raw) = self.raw(root, rev)? else {
            return Ok(None);
        };
        if raw.kind != "commit" {
            return Ok(None);
        }
        let c = Rc::new(parse_commit(&raw.oid, &raw.data));
        self.commits.insert(raw.oid, c.clone());
        Ok(Some(c))
    }

    /// The entries of the tree `oid`, if it is one.
    pub(super) fn tree(&mut self, root: &Path, oid: &str) -> io::Result<Option<Rc<Vec<Entry>>>> {
        if let Some(t) = self.trees.get(oid) {
            return Ok(Some(t.clone()));
        }
        let Some((data, hash)) = self.raw_tree(root, oid)? else {
            return Ok(None);
        };
        let t = Rc::new(parse_tree(&data, hash));
        self.remember(held(&t));
        if is_id(oid) {
            self.trees.insert(oid.to_string(), t.clone());
        }
        Ok(Some(t))
    }

    /// The tree `oid` as stored (`MODE NAME\0ID` entries), if it is
    /// one, and the length of its ids in bytes: see [`raw_entries`].
    pub(super) fn raw_tree(
        &mut self,
        root: &Path,
        oid: &str,
    ) -> io::Result<Option<(Arc<[u8]>, usize)>> {
        if let Some(t) = self.raw_trees.get(oid) {
            return Ok(Some((t.clone(), oid.len() / 2)));
        }
        let Some(raw) = self.raw(root, oid)? else {
            return Ok(None);
        };
        if raw.kind != "tree" {
            return Ok(None);
        }
        let hash = raw.oid.len() / 2;
        let data: Arc<[u8]> = raw.data.into();
        self.remember(data.len());
        if is_id(oid) {
            self.raw_trees.insert(raw.oid, data.clone());
        }
        Ok(Some((data, hash)))
    }

    /// The text of the file `oid` (not UTF-8: as git's `show` would be
    /// read, lossily).
    pub(super) fn blob(&mut self, root: &Path, oid: &str) -> io::Result<Option<Rc<str>>> {
        if let Some(b) = self.blobs.get(oid) {
            return Ok(Some(b.clone()));
        }
        let Some(raw) = self.raw(root, oid)? else {
            return Ok(None);
        };
        if raw.kind != "blob" {
            return Ok(None);
        }
        let text = text_of(raw.data);
        self.remember(text.len());
        if is_id(oid) {
            self.blobs.insert(raw.oid, text.clone());
        }
        Ok(Some(text))
    }
}

/// A file's content as text (not UTF-8: as git's `show` would be read,
/// lossily).
fn text_of(data: Vec<u8>) -> Rc<str> {
    match String::from_utf8(data) {
        Ok(s) => s.into(),
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into(),
    }
}

/// A commit object's fields, as git reads them; what does not read is
/// left out (a malformed commit then fails verification, never panics).
pub fn parse_commit(id: &str, data: &[u8]) -> Commit {
    let mut c = Commit {
        id: id.to_string(),
        tree: String::new(),
        parents: Vec::new(),
        committed: None,
        signature: None,
    };
    // Where the headers end: a blank line.
    let end = memchr::memmem::find(data, b"\n\n").map_or(data.len(), |i| i + 1);
    for line in data[..end].split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        if let Some(t) = line.strip_prefix("tree ") {
            c.tree = t.to_string();
        } else if let Some(p) = line.strip_prefix("parent ") {
            c.parents.push(p.to_string());
        } else if let Some(who) = line.strip_prefix("committer ") {
            // `NAME <EMAIL> SECONDS ZONE`
            c.committed = who.rsplit(' ').nth(1).and_then(|s| s.parse::<i64>().ok());
        }
    }
    let header = if id.len() == 64 {
        "gpgsig-sha256"
    } else {
        "gpgsig"
    };
    c.signature = signed_by_header(data, header);
    c
}

/// The signature in header `header` and the payload it signs (the object
/// without it, nor any other `gpgsig` header), as git's
/// `parse_buffer_signed_by_header` splits them.
fn signed_by_header(data: &[u8], header: &str) -> Option<(String, Vec<u8>)> {
    let (mut signature, mut payload) = (Vec::new(), Vec::new());
    let (mut in_signature, mut saw, mut other) = (false, false, false);
    let mut at = 0;
    while at < data.len() {
        let mut next = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1);
        let line = &data[at..next];
        let mut sig = None;
        if in_signature && line.first() == Some(&b' ') {
            sig = Some(&line[1..]);
        } else if line.starts_with(header.as_bytes()) && line.get(header.len()) == Some(&b' ') {
            sig = Some(&line[header.len() + 1..]);
            other = false;
        } else if line.starts_with(b"gpgsig") {
            other = true;
        } else if other && line.first() != Some(&b' ') {
            other = false;
        }
        if let Some(s) = sig {
            signature.extend_from_slice(s);
            saw = true;
            in_signature = true;
        } else {
            if line.first() == Some(&b'\n') {
                // The message: the rest, whole.
                next = data.len();
            }
            if !other {
                payload.extend_from_slice(&data[at..next]);
            }
            in_signature = false;
        }
        at = next;
    }
    saw.then(|| (String::from_utf8_lossy(&signature).into_owned(), payload))
}

/// A tree object's entries (`MODE NAME\0ID`, the id `hash` bytes).
fn parse_tree(data: &[u8], hash: usize) -> Vec<Entry> {
    raw_entries(data, hash).map(|e| e.to_entry()).collect()
}

/// An entry of a tree where the tree is stored: its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEntry<'t> {
    /// Its mode's digits.
    pub mode: &'t [u8],
    /// Its name.
    pub name: &'t [u8],
    /// Its object's id (binary).
    pub id: &'t [u8],
}

impl RawEntry<'_> {
    /// A tree (a folder), not a file.
    pub fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    /// As `parse_tree` reads it.
    pub fn to_entry(&self) -> Entry {
        Entry {
            name: String::from_utf8_lossy(self.name).into_owned(),
            oid: hex(self.id),
            is_tree: self.is_tree(),
            mode: String::from_utf8_lossy(self.mode).into_owned(),
        }
    }
}

/// The entries of a stored tree (the ids `hash` bytes), as far as they
/// read: what `parse_tree` parses, without copying.
pub fn raw_entries(data: &[u8], hash: usize) -> impl Iterator<Item = RawEntry<'_>> {
    let mut rest = data;
    // (Fields of a few bytes: a plain scan beats a vectorised search.)
    std::iter::from_fn(move || {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let nul = sp + rest[sp..].iter().position(|&b| b == 0)?;
        let id = rest.get(nul + 1..nul + 1 + hash)?;
        let e = RawEntry {
            mode: &rest[..sp],
            name: &rest[sp + 1..nul],
            id,
        };
        rest = &rest[nul + 1 + hash..];
        Some(e)
    })
}

/// Bytes in lowercase hexadecimal, as git writes ids.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_commit_splits_as_git_splits_it() {
        let data = b"tree 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1796526213 +0100\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NI\n -----END SSH SIGNATURE-----\n\nmessage\ngpgsig not a header\n";
        let c = parse_commit("3333333333333333333333333333333333333333", data);
        assert_eq!(c.tree, "1111111111111111111111111111111111111111");
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.committed, Some(1796526213));
        let (sig, payload) = c.signature.unwrap();
        assert_eq!(
            sig,
            "-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n"
        );
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            "tree 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1796526213 +0100\n\nmessage\ngpgsig not a header\n"
        );
    }

    #[test]
    fn malformed_objects_read_as_what_they_hold() {
        let c = parse_commit("x", b"garbage\0\xff");
        assert!(c.tree.is_empty() && c.signature.is_none() && c.committed.is_none());
        assert!(parse_tree(b"100644 a\0short", 20).is_empty());
        let t = parse_tree(
            b"40000 d\0aaaaaaaaaaaaaaaaaaaa100644 f\0bbbbbbbbbbbbbbbbbbbb",
            20,
        );
        assert_eq!(t.len(), 2);
        assert!(t[0].is_tree && !t[1].is_tree);
        assert_eq!(t[1].oid, "62".repeat(20));
    }
}
