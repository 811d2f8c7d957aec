//! What a range of commits, a push or a staged change adds: the changed files with their
//! blob on each side, exactly as git reports them (`git log --raw -M -c`, `git diff --cached
//! --raw -M`). Merges come as combined diffs: a path counts only where the merge differs
//! from every parent, so content a merge brings in from its other side is not "added".
use super::cli::Git;
use super::raw::{self, Entry};
use super::{CommitInfo, GitError};
use gix::ObjectId;
use std::sync::Arc;

/// One file a change writes: its new blob and, per parent, the blob it replaces (`None`
/// where the file is new on that side).
#[derive(Debug, Clone)]
pub struct Change {
    /// Index into `ChangeSet::commits`; `None` for a staged change.
    pub commit: Option<u32>,
    pub path: String,
    pub new: ObjectId,
    pub old: Vec<Option<ObjectId>>,
}

#[derive(Debug, Default)]
pub struct ChangeSet {
    pub commits: Vec<Arc<CommitInfo>>,
    pub changes: Vec<Change>,
    /// Things skipped on purpose that the user may want to know (unmerged paths).
    pub notes: Vec<String>,
}

fn is_file(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// Paths are reported with `/` separators, invalid UTF-8 replaced.
fn path_string(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

fn change(e: Entry, commit: Option<u32>) -> Option<Change> {
    if !is_file(e.new_mode) || e.new.is_null() {
        return None; // deletions, symlinks, submodules, unmerged entries
    }
    let old = e
        .old
        .iter()
        .map(|o| o.filter(|(mode, _)| is_file(*mode)).map(|(_, id)| id))
        .collect();
    Some(Change {
        commit,
        path: path_string(&e.path),
        new: e.new,
        old,
    })
}

/// Rejects what git would read as an option rather than a revision.
fn check_revision(rev: &str) -> Result<(), GitError> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains('\0') {
        return Err(GitError::Revision {
            rev: rev.into(),
            message: "not a revision".into(),
        });
    }
    Ok(())
}

/// The commits `revs` select (revision arguments as `git log` takes them: `A..B`, `A...B`,
/// `B ^A`), oldest first, each with the files it changes. `shown` names them in errors.
pub fn for_revisions(git: &Git, revs: &[String], shown: &str) -> Result<ChangeSet, GitError> {
    for r in revs {
        check_revision(r)?;
    }
    let mut args: Vec<&str> = vec![
        "log",
        "--topo-order",
        "--reverse",
        "--root",
        "-z",
        "--raw",
        "-M",
        "--diff-merges=combined",
        "--no-abbrev",
        "--date=raw",
    ];
    args.push(raw::LOG_FORMAT);
    args.push("--end-of-options");
    args.extend(revs.iter().map(String::as_str));
    args.push("--");
    let out = git.output(&args).map_err(|e| match e {
        GitError::Cli { message, .. }
            if message.contains("unknown revision")
                || message.contains("bad revision")
                || message.contains("ambiguous argument") =>
        {
            GitError::Revision {
                rev: shown.into(),
                message,
            }
        }
        other => other,
    })?;
    let parsed = raw::parse_log(&out).map_err(|e| GitError::Cli {
        command: "log".into(),
        message: e.to_string(),
    })?;
    let mut set = ChangeSet::default();
    for c in parsed {
        let index = set.commits.len() as u32;
        set.commits.push(Arc::new(CommitInfo {
            id: c.id.to_string(),
            author: c.author,
            date: super::raw_date(&c.date),
        }));
        set.changes
            .extend(c.entries.into_iter().filter_map(|e| change(e, Some(index))));
    }
    Ok(set)
}

/// What `git commit` would record now: the index (or `GIT_INDEX_FILE`, as `git commit -a`
/// sets it) against HEAD, or against nothing before the first commit.
pub fn staged(git: &Git) -> Result<ChangeSet, GitError> {
    let out = git.output(&[
        "diff",
        "--cached",
        "-M",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        "--no-relative",
        "--ignore-submodules=none",
    ])?;
    let entries = raw::parse_diff(&out).map_err(|e| GitError::Cli {
        command: "diff --cached".into(),
        message: e.to_string(),
    })?;
    let mut set = ChangeSet::default();
    for e in entries {
        if e.status.first() == Some(&b'U') {
            set.notes.push(format!(
                "{}: unmerged; it is scanned once the conflict is resolved and staged",
                path_string(&e.path)
            ));
            continue;
        }
        set.changes.extend(change(e, None));
    }
    Ok(set)
}
