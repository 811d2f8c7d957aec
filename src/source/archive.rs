//! Archives as sources: members of `.zip` (wheels, jars, notebooks' checkpoints) and `.tar`,
//! `.tar.gz` and `.gz` files become blobs named `archive!member`, within depth, size and count
//! limits so a zip bomb is refused with a note instead of filling memory.
use crate::blob::Blob;
use crate::scan::Collector;
use std::io::Read;
use std::sync::atomic::Ordering::Relaxed;

/// Bounds on what one archive may make tenscan read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archives inside archives, counting the outer one.
    pub max_depth: usize,
    /// Uncompressed bytes read from one top-level archive, all members together.
    pub max_total: u64,
    pub max_entries: usize,
    /// Largest member scanned.
    pub max_member: u64,
}

impl Limits {
    pub fn new(max_member: u64) -> Limits {
        Limits { max_depth: 3, max_total: 512 * 1024 * 1024, max_entries: 20_000, max_member }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Tar,
    Gzip,
}

fn kind(data: &[u8]) -> Option<Kind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if data.len() > 262 && &data[257..262] == b"ustar" {
        Some(Kind::Tar)
    } else {
        None
    }
}

pub fn is_archive(data: &[u8]) -> bool {
    kind(data).is_some()
}

/// Scans the members of the archive `data` found at `path`.
pub fn scan(path: &str, data: &[u8], limits: &Limits, sink: &Collector) {
    let mut budget = limits.max_total;
    walk(path, data, limits, 1, &mut budget, sink);
}

fn walk(path: &str, data: &[u8], limits: &Limits, depth: usize, budget: &mut u64, sink: &Collector) {
    let result = match kind(data) {
        Some(Kind::Zip) => zip_members(path, data, limits, depth, budget, sink),
        Some(Kind::Tar) => tar_members(path, data, limits, depth, budget, sink),
        Some(Kind::Gzip) => gzip_member(path, data, limits, depth, budget, sink),
        None => Ok(()),
    };
    if let Err(message) = result {
        sink.warn(&format!("{path}: {message}"));
        sink.counters.skipped_error.fetch_add(1, Relaxed);
    }
}

/// Reads a member within the member limit and the archive's remaining budget.
fn read_member(r: &mut dyn Read, name: &str, limits: &Limits, budget: &mut u64, sink: &Collector) -> Option<Vec<u8>> {
    let cap = limits.max_member.min(*budget);
    let mut data = vec![];
    if let Err(e) = r.take(cap + 1).read_to_end(&mut data) {
        sink.warn(&format!("{name}: {e}"));
        sink.counters.skipped_error.fetch_add(1, Relaxed);
        return None;
    }
    if data.len() as u64 > cap {
        if cap < limits.max_member {
            sink.note(&format!("{name}: refused, the archive expands past {} bytes (zip bomb?)", limits.max_total));
        } else {
            sink.note(&format!("{name}: skipped, larger than --max-file-size"));
        }
        sink.counters.skipped_size.fetch_add(1, Relaxed);
        *budget = budget.saturating_sub(data.len() as u64);
        return None;
    }
    *budget -= data.len() as u64;
    Some(data)
}

fn member(path: &str, name: &str, data: &[u8], limits: &Limits, depth: usize, budget: &mut u64, sink: &Collector) {
    let shown = format!("{path}!{name}");
    if is_archive(data) {
        if depth < limits.max_depth {
            walk(&shown, data, limits, depth + 1, budget, sink);
        } else {
            sink.note(&format!("{shown}: archive nested too deep, skipped"));
            sink.counters.skipped_other.fetch_add(1, Relaxed);
        }
    } else if super::is_binary(data) {
        sink.counters.skipped_binary.fetch_add(1, Relaxed);
    } else {
        sink.blob(Blob { path: &shown, data });
    }
}

fn zip_members(path: &str, data: &[u8], limits: &Limits, depth: usize, budget: &mut u64, sink: &Collector) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).map_err(|e| format!("unreadable zip: {e}"))?;
    if zip.len() > limits.max_entries {
        return Err(format!("{} entries is over the limit of {}", zip.len(), limits.max_entries));
    }
    for i in 0..zip.len() {
        if *budget == 0 {
            return Err("archive budget exhausted, remaining members skipped".into());
        }
        let mut f = zip.by_index(i).map_err(|e| format!("member {i}: {e}"))?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("member-{i}"));
        let shown = format!("{path}!{name}");
        if let Some(bytes) = read_member(&mut f, &shown, limits, budget, sink) {
            drop(f);
            member(path, &name, &bytes, limits, depth, budget, sink);
        }
    }
    Ok(())
}

fn tar_members(path: &str, data: &[u8], limits: &Limits, depth: usize, budget: &mut u64, sink: &Collector) -> Result<(), String> {
    let mut tar = tar::Archive::new(data);
    let entries = tar.entries().map_err(|e| format!("unreadable tar: {e}"))?;
    for (n, entry) in entries.enumerate() {
        if n >= limits.max_entries {
            return Err(format!("more than {} entries, the rest skipped", limits.max_entries));
        }
        let mut entry = entry.map_err(|e| format!("unreadable tar entry: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = format!("{path}!{name}");
        if let Some(bytes) = read_member(&mut entry, &shown, limits, budget, sink) {
            member(path, &name, &bytes, limits, depth, budget, sink);
        }
    }
    Ok(())
}

fn gzip_member(path: &str, data: &[u8], limits: &Limits, depth: usize, budget: &mut u64, sink: &Collector) -> Result<(), String> {
    let mut gz = flate2::read::GzDecoder::new(data);
    let inner = path.rsplit('/').next().unwrap_or(path);
    let name = inner.strip_suffix(".gz").or_else(|| inner.strip_suffix(".tgz").map(|_| "tar")).unwrap_or(inner).to_string();
    let Some(bytes) = read_member(&mut gz, &format!("{path}!{name}"), limits, budget, sink) else { return Ok(()) };
    if kind(&bytes) == Some(Kind::Tar) {
        // A .tar.gz: its members, named directly under the outer file.
        return tar_members(path, &bytes, limits, depth, budget, sink);
    }
    member(path, &name, &bytes, limits, depth, budget, sink);
    Ok(())
}
