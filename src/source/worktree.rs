//! The worktree source: a parallel, ignore-aware walk that reads each regular file once and
//! hands it to the engine. Per-file problems are warnings; the walk always goes on.
use crate::blob::Blob;
use crate::scan::Collector;
use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub follow_links: bool,
    pub threads: usize,
    pub max_file_size: u64,
}

/// Walks `roots` (directories or files; all must exist) and scans every file found.
pub fn scan(roots: &[PathBuf], opts: &WalkOptions, sink: &Collector) {
    let single_dir = roots.len() == 1 && roots[0].is_dir();
    let display = |p: &Path| -> String {
        let rel = if single_dir { p.strip_prefix(&roots[0]).unwrap_or(p) } else { p };
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        rel.to_string_lossy().replace('\\', "/")
    };
    let (files, dirs): (Vec<_>, Vec<_>) = roots.iter().partition(|p| !p.is_dir());
    for f in files {
        // Named explicitly: scanned even if an ignore file would skip it.
        scan_file(f, &display(f), opts.max_file_size, sink, &mut vec![]);
    }
    let Some((first, rest)) = dirs.split_first() else { return };
    let mut builder = WalkBuilder::new(first);
    for d in rest {
        builder.add(d);
    }
    builder
        .hidden(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads)
        .require_git(false)
        .add_custom_ignore_filename(".tenscanignore")
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        builder.standard_filters(false).hidden(false);
    }
    builder.build_parallel().run(|| {
        let mut buf = Vec::with_capacity(64 * 1024);
        let display = &display;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    sink.warn(&e.to_string());
                    sink.counters.skipped_error.fetch_add(1, Relaxed);
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else { return WalkState::Continue };
            if ft.is_dir() {
                return WalkState::Continue;
            }
            let path = entry.path();
            if ft.is_symlink() {
                // Not following links: report dangling ones, leave the rest alone.
                if std::fs::metadata(path).is_err() {
                    sink.warn(&format!("{}: broken symbolic link", display(path)));
                    sink.counters.skipped_error.fetch_add(1, Relaxed);
                } else {
                    sink.counters.skipped_other.fetch_add(1, Relaxed);
                }
                return WalkState::Continue;
            }
            scan_file(path, &display(path), opts.max_file_size, sink, &mut buf);
            WalkState::Continue
        })
    });
}

/// Reads one file and scans it, unless it is not a regular file, too big or binary.
fn scan_file(path: &Path, shown: &str, max_size: u64, sink: &Collector, buf: &mut Vec<u8>) {
    let warn = |what: &str| {
        sink.warn(&format!("{shown}: {what}"));
        sink.counters.skipped_error.fetch_add(1, Relaxed);
    };
    // O_NONBLOCK: opening a FIFO must never block the scan; fstat then tells what it is.
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) => return warn(&e.to_string()),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return warn(&e.to_string()),
    };
    if !meta.is_file() {
        return warn("not a regular file, skipped");
    }
    if meta.len() > max_size {
        sink.note(&format!("{shown}: skipped, {} bytes is over --max-file-size {max_size}", meta.len()));
        sink.counters.skipped_size.fetch_add(1, Relaxed);
        return;
    }
    buf.clear();
    // Never read past the limit, even if the file grew after fstat.
    if let Err(e) = file.take(max_size + 1).read_to_end(buf) {
        return warn(&e.to_string());
    }
    if buf.len() as u64 > max_size {
        sink.counters.skipped_size.fetch_add(1, Relaxed);
        return;
    }
    if let Some(text) = super::utf16_to_utf8(buf) {
        *buf = text;
    }
    if sink.engine.options.decode && super::archive::is_archive(buf) {
        super::archive::scan(shown, buf, &super::archive::Limits::new(max_size), sink);
        return;
    }
    if super::is_binary(buf) {
        sink.counters.skipped_binary.fetch_add(1, Relaxed);
        return;
    }
    sink.blob(Blob { path: shown, data: buf });
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}
