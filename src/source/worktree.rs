//! The worktree source: a parallel, ignore-aware walk that reads each regular file once and
//! hands it to the run. Files git tracks are scanned even when `.gitignore` matches them (a
//! force-added `.env` is still committed). Per-file problems are warnings; the walk goes on.
use crate::git::cli;
use crate::run::Run;
use crate::source::{slashes, AllowBase};
use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;

/// The name of tenscan's own ignore file, honoured like `.gitignore`.
pub const IGNORE_FILE: &str = ".tenscanignore";

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub follow_links: bool,
    pub threads: usize,
}

/// Walks `roots` (directories or files; all must exist) and scans every file found.
pub fn scan(roots: &[PathBuf], opts: &WalkOptions, run: &Run, allow: &AllowBase) {
    let single_dir = roots.len() == 1 && roots[0].is_dir();
    let display = |p: &Path| -> String {
        let rel = if single_dir {
            p.strip_prefix(&roots[0]).unwrap_or(p)
        } else {
            p
        };
        slashes(rel)
    };
    let (files, dirs): (Vec<&PathBuf>, Vec<&PathBuf>) = roots.iter().partition(|p| !p.is_dir());
    let mut buf = vec![];
    let mut named = std::collections::HashSet::new();
    for f in files {
        // Named explicitly: scanned even if an ignore file would skip it, and only once.
        if named.insert(crate::source::absolute(f)) {
            scan_file(f, &display(f), run, allow, &mut buf);
        }
    }
    let Some((first, rest)) = dirs.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for d in rest {
        builder.add(d);
    }
    builder
        .hidden(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        builder.standard_filters(false).hidden(false);
    } else {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    let named = &named;
    builder.build_parallel().run(|| {
        let mut buf = Vec::with_capacity(64 * 1024);
        let display = &display;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) if is_loop(&e) => {
                    // A link back to a directory being walked: what it leads to is scanned.
                    run.note(&e.to_string());
                    return WalkState::Continue;
                }
                Err(e) => {
                    run.incomplete(&e.to_string());
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if ft.is_dir() {
                return WalkState::Continue;
            }
            let path = entry.path();
            if ft.is_symlink() {
                // Not following links: dangling ones are pointed out, the rest left alone.
                if std::fs::metadata(path).is_err() {
                    run.note(&format!("{}: broken symbolic link, skipped", display(path)));
                }
                run.counters.skipped_other.fetch_add(1, Relaxed);
                return WalkState::Continue;
            }
            if !named.is_empty() && named.contains(&crate::source::absolute(path)) {
                return WalkState::Continue;
            }
            scan_file(path, &display(path), run, allow, &mut buf);
            WalkState::Continue
        })
    });
    if !opts.no_ignore {
        for dir in &dirs {
            for file in tracked_but_ignored(dir) {
                scan_file(&file, &display(&file), run, allow, &mut buf);
            }
        }
    }
}

/// Files under `dir` that git tracks although an ignore rule matches them (force-added),
/// unless `.tenscanignore` at `dir` excludes them. Outside a repository, none.
fn tracked_but_ignored(dir: &Path) -> Vec<PathBuf> {
    let mut cmd = cli::in_dir(dir);
    cmd.args([
        "ls-files",
        "-z",
        "--cached",
        "--ignored",
        "--exclude-standard",
    ]);
    let Ok(out) = cmd.stderr(std::process::Stdio::null()).output() else {
        return vec![];
    };
    if !out.status.success() {
        return vec![];
    }
    let (own, _) = ignore::gitignore::Gitignore::new(dir.join(IGNORE_FILE));
    out.stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| dir.join(String::from_utf8_lossy(p).as_ref()))
        .filter(|p| !own.matched_path_or_any_parents(p, false).is_ignore())
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .collect()
}

/// A symbolic-link loop met while following links (`-L`).
fn is_loop(e: &ignore::Error) -> bool {
    match e {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errs) => errs.iter().all(is_loop),
        _ => false,
    }
}

/// Bytes read from a file over the size limit to tell a binary from text.
const SNIFF: u64 = 8000;

/// Reads one file and scans it, unless it is not a regular file or over the size limit.
fn scan_file(path: &Path, shown: &str, run: &Run, allow: &AllowBase, buf: &mut Vec<u8>) {
    let max_size = run.limits.max_file_size;
    let fail = |what: &str| run.incomplete(&format!("{shown}: {what}"));
    // O_NONBLOCK: opening a FIFO must never block the scan; fstat then tells what it is.
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Listed, then deleted before it could be read: nothing is left to scan.
            run.warn(&format!("{shown}: vanished during the scan"));
            run.counters.skipped_error.fetch_add(1, Relaxed);
            return;
        }
        Err(e) => return fail(&e.to_string()),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return fail(&e.to_string()),
    };
    if !meta.is_file() {
        run.warn(&format!(
            "{shown}: not a regular file (FIFO, socket or device), skipped"
        ));
        run.counters.skipped_other.fetch_add(1, Relaxed);
        return;
    }
    if meta.len() > max_size {
        // Too large to scan: fine for a binary (git's test: a NUL in the first 8000 bytes),
        // but text or an archive left unscanned makes the scan incomplete.
        buf.clear();
        let head = (&file).take(SNIFF).read_to_end(buf);
        if head.is_ok()
            && crate::admission::is_binary(buf)
            && !crate::admission::archive::is_archive(buf)
        {
            run.counters.skipped_binary.fetch_add(1, Relaxed);
            return;
        }
        return run.too_large(shown, Some(meta.len()));
    }
    buf.clear();
    // Never read past the limit, even if the file grew after fstat.
    if let Err(e) = (&file).take(max_size + 1).read_to_end(buf) {
        return fail(&e.to_string());
    }
    if buf.len() as u64 > max_size {
        return run.too_large(shown, None);
    }
    let scanned = run.scan(buf, shown);
    if !scanned.is_empty() {
        run.add(run.judge(&scanned, shown, &allow.of(path)));
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}
