//! Sources: where blobs come from (worktree files, stdin; git sources plug in here too).
pub mod archive;
pub mod git;
pub mod history;
pub mod stdin;
pub mod worktree;

/// Files of this size or more are skipped unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

/// A NUL byte marks a blob as binary (the heuristic git and ripgrep use).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, data).is_some()
}
