//! Every blob of the repository's own packs, read in pack order on every core with each delta
//! resolved once from its cached base (gitoxide's delta-tree traversal, the way `git
//! index-pack` resolves a pack). It is a fast path only: whatever a pack could not give (a
//! damaged or thin pack, an object over the allocation limit, loose objects, alternates) the
//! caller reads again by id, where every error is reported.
use super::Repo;
use gix::odb::pack;
use gix::ObjectId;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// The repository's packs, opened (mapped) up front: they must outlive any
/// `residency::Releaser` started after them, so no mapping is released after it is unmapped.
pub struct Packs {
    bundles: Vec<pack::Bundle>,
}

impl Packs {
    /// Opens every `objects/pack/*.idx` with its pack; one that cannot be opened is left to
    /// the reads by id. Alternates are not swept.
    pub fn open(repo: &Repo) -> Packs {
        let dir = repo.local().common_dir().join("objects").join("pack");
        let mut idx: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        idx.sort();
        Packs {
            bundles: idx
                .iter()
                .filter_map(|path| pack::Bundle::at(path, repo.hash).ok())
                .collect(),
        }
    }

    /// Hands every blob of every pack to `on_blob`, on `threads` threads, never allocating
    /// more than `alloc_limit` bytes for one object. A pack the traversal gives up on (damage,
    /// an object over the limit, a panic in a crafted pack) keeps the blobs it already handed
    /// out; the rest are left to the reads by id, which report whatever stopped it.
    pub fn sweep(
        &self,
        threads: usize,
        alloc_limit: u64,
        on_blob: &(dyn Fn(&ObjectId, &[u8]) + Sync),
    ) {
        for bundle in &self.bundles {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sweep_one(bundle, threads, alloc_limit, on_blob)
            }));
        }
    }
}

/// One pack's delta tree, built from its index with each node holding only the entry's
/// position in the index (gitoxide's own `traverse_with_index` keeps ~130 bytes a node, which
/// on a 200k-object pack is 45 MB of the peak).
fn sweep_one(
    bundle: &pack::Bundle,
    threads: usize,
    alloc_limit: u64,
    on_blob: &(dyn Fn(&ObjectId, &[u8]) + Sync),
) -> gix::error::Result<()> {
    let (index, data) = (&bundle.index, &bundle.pack);
    let interrupt = AtomicBool::new(false);
    let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
        .map(|i| (index.pack_offset_at_index(i), i))
        .collect();
    by_offset.sort_unstable();
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        data.path(),
        by_offset.iter().map(|&(_, i)| i),
        &|&i| index.pack_offset_at_index(i),
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        index.object_hash(),
    )?;
    drop(by_offset);
    tree.traverse(
        |range, pack: &pack::data::File| pack.entry_slice(range),
        data,
        data.pack_end() as u64,
        |&mut i: &mut u32,
         _: &dyn gix::progress::Progress,
         cx: pack::cache::delta::traverse::Context<'_>| {
            // gitoxide inflates into a buffer of the declared size and stops when it is full,
            // so a damaged entry can inflate "fine" to other bytes. Each entry's bytes are
            // checked against the CRC-32 that `git index-pack` wrote into the index (git checks
            // the end of the zlib stream instead); a mismatch stops the sweep before any delta
            // based on the entry is resolved, and the reads by id report it.
            let start = cx.entry.pack_offset();
            match (
                data.entry_slice(start..cx.entry_end),
                index.crc32_at_index(i),
            ) {
                (Some(b), Some(crc)) if crc32fast::hash(b) == crc => {}
                _ => gix::error::bail!(gix::error::corruption(format!(
                    "pack entry at offset {start}: its CRC-32 does not match the index"
                ))),
            }
            if cx.entry.header.as_kind() == Some(gix::object::Kind::Blob) {
                on_blob(&index.oid_at_index(i).to_owned(), cx.decompressed);
            }
            Ok(())
        },
        pack::cache::delta::traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: &interrupt,
            object_hash: index.object_hash(),
            alloc_limit_bytes: Some(usize::try_from(alloc_limit).unwrap_or(usize::MAX)),
        },
    )?;
    Ok(())
}
