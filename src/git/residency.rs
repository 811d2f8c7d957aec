//! Keeping mapped pack files out of the resident set. gitoxide maps whole pack files; each
//! page a history scan reads stays resident (file-backed and reclaimable, but counted), so a
//! 400 MB pack would show as 400 MB of RSS. While a `Releaser` lives, a thread releases the
//! pages of read-only pack and index mappings every few milliseconds with
//! `madvise(MADV_DONTNEED)`; a later read faults them back in from the page cache,
//! unchanged. Linux only; elsewhere it does nothing.
//!
//! This is sound only because no mapping it releases can be unmapped while it runs: every
//! object handle is opened with `refresh_never` (see `Repo::local`), so gitoxide maps each pack
//! once and keeps it until the repository is dropped, which happens after the `Releaser`'s
//! scope ends, and the packs a history sweep maps (`git::packs::Packs`) are opened before a
//! `Releaser` starts and dropped after it stops; a pack deleted under the scan shows as
//! `(deleted)` and is skipped.
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

/// How often pack pages are released (every 40 ms let the sweep's pages pile up to 140 MB on
/// the 20k-commit benchmark; every 10 ms cost a fifth of its speed in page faults).
const EVERY: Duration = Duration::from_millis(20);

/// Releases pack pages in the background until dropped.
pub struct Releaser {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Releaser {
    pub fn start() -> Releaser {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = cfg!(target_os = "linux").then(|| {
            std::thread::spawn(move || {
                while !flag.load(Relaxed) {
                    std::thread::sleep(EVERY);
                    release();
                }
            })
        });
        Releaser { stop, thread }
    }
}

impl Drop for Releaser {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(target_os = "linux")]
fn release() {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    for line in maps.lines() {
        // `start-end perms offset dev inode path`
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some(path) = fields.nth(3) else { continue };
        if !(path.ends_with(".pack") || path.ends_with(".idx")) || perms.contains('w') {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        // SAFETY: the range is a whole read-only file mapping of this process; dropping its
        // pages only makes the next access read them again from the file.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn release() {}
