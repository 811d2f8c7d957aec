//! Reading objects by id through gitoxide, with the size checked from the object's header
//! before anything is inflated and the content checked against the id after. A missing or
//! corrupt object is an error value, never a hang or a panic (gitoxide fails fast on
//! truncated zlib streams, where libgit2 1.9 spins).
use super::Repo;
use gix::prelude::{Find, Header};
use gix::ObjectId;

/// What reading a blob gave.
pub enum Blob<'a> {
    Data(&'a [u8]),
    /// The header says it is larger than the limit; it was not inflated.
    TooLarge(u64),
    /// Not a blob (a tree or commit where a blob was expected).
    NotABlob,
    Missing,
    Error(String),
}

/// One thread's reader: a thread-local repository handle and a reused buffer.
pub struct Objects {
    repo: gix::Repository,
    buf: Vec<u8>,
}

impl Objects {
    pub fn new(repo: &Repo) -> Objects {
        Objects {
            repo: repo.local(),
            buf: Vec::new(),
        }
    }

    pub fn hash_kind(&self) -> gix::hash::Kind {
        self.repo.object_hash()
    }

    /// The blob `id`, unless its header says it is over `max` bytes.
    pub fn blob(&mut self, id: &ObjectId, max: u64) -> Blob<'_> {
        match self.repo.objects.try_header(id) {
            Ok(None) => return Blob::Missing,
            Err(e) => return Blob::Error(message(&e)),
            Ok(Some(h)) if h.kind() != gix::object::Kind::Blob => return Blob::NotABlob,
            Ok(Some(h)) if h.size() > max => return Blob::TooLarge(h.size()),
            Ok(Some(_)) => {}
        }
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(d)) if d.kind == gix::object::Kind::Blob => match intact(id, d.kind, d.data) {
                Ok(()) => Blob::Data(d.data),
                Err(e) => Blob::Error(e),
            },
            Ok(Some(_)) => Blob::NotABlob,
            Ok(None) => Blob::Missing,
            Err(e) => Blob::Error(message(&e)),
        }
    }

    /// The raw bytes of a tree or commit, with its kind checked.
    pub fn object(&mut self, id: &ObjectId, kind: gix::object::Kind) -> Result<&[u8], String> {
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(d)) if d.kind == kind => intact(id, kind, d.data).map(|()| d.data),
            Ok(Some(d)) => Err(format!("is a {}, not a {kind}", d.kind)),
            Ok(None) => Err("missing".into()),
            Err(e) => Err(message(&e)),
        }
    }

    /// The kind of an object, if it can be found.
    pub fn kind(&self, id: &ObjectId) -> Result<Option<gix::object::Kind>, String> {
        self.repo
            .objects
            .try_header(id)
            .map(|h| h.map(|h| h.kind()))
            .map_err(|e| message(&e))
    }
}

/// Checks that `data` hashes to `id`. gitoxide inflates a packed object into a buffer of its
/// declared size without checking that the zlib stream ended there, so a damaged pack can
/// give other bytes where git reports corruption; hashing what was read is what `git fsck`
/// does, and makes such damage an error here too.
fn intact(id: &ObjectId, kind: gix::object::Kind, data: &[u8]) -> Result<(), String> {
    match gix::objs::compute_hash(id.kind(), kind, data) {
        Ok(actual) if actual == *id => Ok(()),
        Ok(_) => Err("corrupt: its content does not hash to its id".into()),
        Err(e) => Err(message(&e)),
    }
}

/// An odb error in one line (gitoxide's errors chain their causes over several).
pub fn message(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    crate::report::escape::line(s.lines().next().unwrap_or(&s)).into_owned()
}
