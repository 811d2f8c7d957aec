//! Reading git blobs on every core: the ids a producer sends (with a path to name them by)
//! are read, admitted and scanned by reader threads, each with its own object handle; the
//! blobs that hold candidates are kept for judging.
use crate::admission;
use crate::git::objects::{Blob, Objects};
use crate::git::Repo;
use crate::run::{Examined, Run, Scanned};
use crossbeam_channel::Sender;
use gix::hashtable::HashMap;
use gix::ObjectId;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

/// Blobs over the size limit but under this size are inflated to tell binaries (skipped)
/// from text and archives (a limit: the scan is incomplete).
pub const SNIFF_CAP: u64 = 256 * 1024 * 1024;

/// A blob to read and the path it is named by in messages.
pub type Job = (ObjectId, String);

/// Runs `produce` while `threads` readers scan what it sends; returns what `produce`
/// returned and the scanned blobs that hold candidates.
pub fn read_while<T>(
    repo: &Repo,
    threads: usize,
    run: &Run,
    on_read: &(dyn Fn() + Sync),
    produce: impl FnOnce(&Sender<Job>) -> T,
) -> (T, HashMap<ObjectId, Scanned>) {
    let (send, receive) = crossbeam_channel::bounded::<Job>(4096);
    let found: Mutex<HashMap<ObjectId, Scanned>> = Mutex::new(HashMap::default());
    let produced = std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            let (receive, found) = (receive.clone(), &found);
            s.spawn(move || {
                let mut objects = Objects::new(repo);
                for (id, path) in receive.iter() {
                    let scanned = read_one(repo, &mut objects, &id, &path, run);
                    on_read();
                    if !scanned.is_empty() {
                        found.lock().unwrap().insert(id, scanned);
                    }
                }
            });
        }
        drop(receive);
        let produced = produce(&send);
        drop(send);
        produced
    });
    (produced, found.into_inner().unwrap())
}

/// What a blob's bytes came to, before the blob is named and counted.
pub enum Read {
    Examined(Examined),
    /// Over the size limit and binary: skipped by design.
    LargeBinary,
    /// Over the size limit and text or an archive: the scan is incomplete.
    TooLarge(u64),
}

/// Examines a blob from its whole bytes; one over the size limit is only sniffed.
pub fn examine(run: &Run, data: &[u8]) -> Read {
    if data.len() as u64 > run.limits.max_file_size {
        sniff(data)
    } else {
        Read::Examined(run.examine(data))
    }
}

/// Too large to scan: fine for a binary, but text or an archive left unscanned makes the
/// scan incomplete.
fn sniff(data: &[u8]) -> Read {
    if admission::is_binary(&data[..data.len().min(8000)]) && !admission::archive::is_archive(data)
    {
        Read::LargeBinary
    } else {
        Read::TooLarge(data.len() as u64)
    }
}

/// Counts what reading the blob `id` at `path` came to, and warns of what it kept unscanned
/// (what admission finds inside it is named by path, as `scan` names it).
pub fn account(run: &Run, read: Read, id: &ObjectId, path: &str) -> Scanned {
    match read {
        Read::Examined(e) => run.account(e, path),
        Read::LargeBinary => {
            run.counters.skipped_binary.fetch_add(1, Relaxed);
            Scanned::default()
        }
        Read::TooLarge(size) => {
            run.too_large(&format!("{path} (blob {id})"), Some(size));
            Scanned::default()
        }
    }
}

/// Reads and scans one blob; what cannot be read makes the run incomplete.
pub fn read_one(
    repo: &Repo,
    objects: &mut Objects,
    id: &ObjectId,
    path: &str,
    run: &Run,
) -> Scanned {
    let shown = format!("{path} (blob {id})");
    let read = match objects.blob(id, run.limits.max_file_size) {
        Blob::Data(data) => Read::Examined(run.examine(data)),
        // Telling a binary from text means inflating it, up to a cap.
        Blob::TooLarge(size) if size <= SNIFF_CAP => match objects.blob(id, SNIFF_CAP) {
            Blob::Data(d) => sniff(d),
            _ => Read::TooLarge(size),
        },
        Blob::TooLarge(size) => Read::TooLarge(size),
        Blob::Missing => {
            run.incomplete(&format!(
                "{shown}: missing from the object database{}",
                if repo.partial_clone.is_some() {
                    " (partial clone)"
                } else {
                    ""
                }
            ));
            return Scanned::default();
        }
        Blob::NotABlob => {
            run.incomplete(&format!(
                "{shown}: the tree says blob but the object is not one"
            ));
            return Scanned::default();
        }
        Blob::Error(e) => {
            run.incomplete(&format!("{shown}: {e}"));
            return Scanned::default();
        }
    };
    account(run, read, id, path)
}
