//! Shared git plumbing for the history, range and staged sources: opening repositories,
//! commit metadata, and the lines a change adds to each file.
use git2::{Delta, Diff, DiffOptions, Oid, Repository};
use std::path::{Path, PathBuf};

/// A repository tenscan could not use.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("{}: not a git repository ({message})", path.display())]
    #[diagnostic(code(tenscan::git::not_a_repo), help("run it inside a repository or pass the repository's path"))]
    NotARepo { path: PathBuf, message: String },
    #[error("bad revision `{rev}`: {message}")]
    #[diagnostic(code(tenscan::git::revision))]
    Revision { rev: String, message: String },
    #[error("git: {0}")]
    #[diagnostic(code(tenscan::git))]
    Other(String),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Other(e.message().to_string())
    }
}

/// Opens the repository at or above `path` (worktrees, bare repositories and linked
/// worktrees included).
pub fn open(path: &Path) -> Result<Repository, GitError> {
    if !path.exists() {
        return Err(GitError::NotARepo { path: path.into(), message: "no such directory".into() });
    }
    Repository::discover(path).map_err(|e| GitError::NotARepo { path: path.into(), message: e.message().to_string() })
}

/// Bounds libgit2's memory: a small object cache and pack-window budget, so a history scan's
/// RSS does not grow with the repository.
pub fn limit_memory() {
    // SAFETY: these only set libgit2 globals and are called before any repository is opened
    // by the scanning threads.
    unsafe {
        let _ = git2::opts::set_mwindow_mapped_limit(64 * 1024 * 1024);
        let _ = git2::opts::set_mwindow_size(16 * 1024 * 1024);
    }
    // Every tree and commit is read once (seen trees are skipped), so the object cache only
    // costs memory.
    git2::opts::enable_caching(true);
}

/// Who made a commit and when: what findings in history report.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub date: String,
}

impl CommitInfo {
    pub fn of(c: &git2::Commit) -> CommitInfo {
        let a = c.author();
        let author = match (a.name(), a.email()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.to_string(),
            _ => String::from_utf8_lossy(a.name_bytes()).into_owned(),
        };
        CommitInfo { id: c.id().to_string(), author, date: iso8601(c.time()) }
    }
}

/// `YYYY-MM-DDTHH:MM:SS+HH:MM` from a git time, without a date library.
pub fn iso8601(t: git2::Time) -> String {
    let offset = t.offset_minutes() as i64;
    let secs = t.seconds() + offset * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// One file a change adds lines to: the new blob, its path, and the added line numbers.
#[derive(Debug, Clone)]
pub struct AddedFile {
    pub oid: Oid,
    pub path: String,
    /// Sorted 1-based line numbers of the new file that the change adds.
    pub lines: Vec<u32>,
}

impl AddedFile {
    /// True when any line in `first..=last` was added.
    pub fn touches(&self, first: usize, last: usize) -> bool {
        let i = self.lines.partition_point(|&l| (l as usize) < first);
        self.lines.get(i).is_some_and(|&l| l as usize <= last)
    }
}

/// The files of a diff with the lines it adds (renames detected, so a moved file adds
/// nothing; submodules and deletions skipped).
pub fn added_lines(diff: &mut Diff) -> Result<Vec<AddedFile>, GitError> {
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).copies(false);
    diff.find_similar(Some(&mut find))?;
    let mut out = vec![];
    for (i, delta) in diff.deltas().enumerate() {
        let interesting = matches!(delta.status(), Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange);
        let file = delta.new_file();
        if !interesting || file.mode() == git2::FileMode::Commit || file.id().is_zero() {
            continue;
        }
        let Some(patch) = git2::Patch::from_diff(diff, i)? else { continue };
        let lines = patch_added_lines(&patch)?;
        if !lines.is_empty() {
            let path = file.path().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            out.push(AddedFile { oid: file.id(), path, lines });
        }
    }
    Ok(out)
}

/// The new-side line numbers a patch adds.
pub fn patch_added_lines(patch: &git2::Patch) -> Result<Vec<u32>, GitError> {
    let mut lines = vec![];
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h)? {
            let line = patch.line_in_hunk(h, l)?;
            if line.origin() == '+' {
                lines.extend(line.new_lineno());
            }
        }
    }
    Ok(lines)
}

/// Diff options for added-line extraction: no context, binary files skipped by libgit2.
pub fn diff_options() -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0).ignore_submodules(true).include_typechange(true);
    o
}
