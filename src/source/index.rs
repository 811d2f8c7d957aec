//! A reader of git's index file (versions 2 to 4) and its cache-tree extension, for the
//! pre-commit check: with the cache tree, every directory whose staged tree equals HEAD's is
//! skipped without listing it, as `git diff --cached` does. Anything unusual (split or sparse
//! index, unknown version) returns `None` and the caller falls back to libgit2.
use git2::Oid;

/// One stage-0 entry: path, blob id and mode.
pub struct Entry {
    pub path: Vec<u8>,
    pub id: Oid,
    pub mode: u32,
}

/// A cache-tree node: a directory, the tree id its entries form (when still valid), children.
pub struct CacheTree {
    pub name: Vec<u8>,
    pub id: Option<Oid>,
    pub children: Vec<CacheTree>,
}

pub struct Index {
    pub entries: Vec<Entry>,
    pub tree: Option<CacheTree>,
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

pub fn parse(d: &[u8]) -> Option<Index> {
    if d.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(d, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32_at(d, 8)? as usize;
    let mut at = 12;
    let mut entries = Vec::with_capacity(count);
    let mut previous: Vec<u8> = vec![];
    for _ in 0..count {
        let start = at;
        let mode = u32_at(d, at + 24)?;
        let id = Oid::from_bytes(d.get(at + 40..at + 60)?).ok()?;
        let flags = u16::from_be_bytes(d.get(at + 60..at + 62)?.try_into().ok()?);
        at += 62;
        if version >= 3 && flags & 0x4000 != 0 {
            at += 2;
        }
        let path = if version == 4 {
            let (strip, used) = varint(d.get(at..)?)?;
            at += used;
            let nul = memchr::memchr(0, d.get(at..)?)?;
            let keep = previous.len().checked_sub(strip)?;
            let mut p = previous[..keep].to_vec();
            p.extend_from_slice(&d[at..at + nul]);
            at += nul + 1;
            p
        } else {
            let nul = memchr::memchr(0, d.get(at..)?)?;
            let p = d[at..at + nul].to_vec();
            at = start + ((at + nul - start + 8) & !7);
            p
        };
        previous.clone_from(&path);
        if (flags >> 12) & 3 == 0 {
            entries.push(Entry { path, id, mode });
        }
    }
    let mut tree = None;
    while at + 8 <= d.len().saturating_sub(20) {
        let sig = d.get(at..at + 4)?;
        let size = u32_at(d, at + 4)? as usize;
        let data = d.get(at + 8..at + 8 + size)?;
        match sig {
            b"TREE" => tree = Some(cache_tree(&mut &data[..])?),
            b"link" | b"sdir" => return None, // split or sparse index: leave it to libgit2
            _ => {}
        }
        at += 8 + size;
    }
    Some(Index { entries, tree })
}

/// The index v4 path-prefix varint.
fn varint(d: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    let mut b = *d.first()?;
    let mut v = (b & 0x7f) as usize;
    while b & 0x80 != 0 {
        i += 1;
        b = *d.get(i)?;
        v = ((v + 1) << 7) | (b & 0x7f) as usize;
    }
    Some((v, i + 1))
}

fn cache_tree(d: &mut &[u8]) -> Option<CacheTree> {
    let nul = memchr::memchr(0, d)?;
    let name = d[..nul].to_vec();
    *d = &d[nul + 1..];
    let nl = memchr::memchr(b'\n', d)?;
    let header = std::str::from_utf8(&d[..nl]).ok()?;
    *d = &d[nl + 1..];
    let (entries, subtrees) = header.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let id = if entries >= 0 {
        let id = Oid::from_bytes(d.get(..20)?).ok()?;
        *d = &d[20..];
        Some(id)
    } else {
        None
    };
    let children = (0..subtrees).map(|_| cache_tree(d)).collect::<Option<Vec<_>>>()?;
    Some(CacheTree { name, id, children })
}
