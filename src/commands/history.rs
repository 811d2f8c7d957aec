//! `tenscan history` (whole history or a range) and `tenscan staged` (the pre-commit check).
use super::session::{threads, Session};
use super::EXIT_FINDINGS;
use crate::cli::{HistoryArgs, ReportArgs, StagedArgs};
use crate::error::Fatal;
use crate::report::ScanKind;
use crate::scan::{Collector, Reported, Stats};
use crate::source::git::{self, GitError};
use crate::source::history::{self, GitScanOptions};
use git2::{Oid, Repository, Sort};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub fn run(args: HistoryArgs) -> Result<i32, Fatal> {
    let repo = git::open(&args.repo)?;
    let opts = options(&args.report, args.max_file_size, args.all_occurrences);
    let selection = match (&args.range, &args.since) {
        (Some(range), _) => Some(range_commits(&repo, range)?),
        (None, Some(since)) => Some(range_commits(&repo, &format!("{since}..HEAD"))?),
        (None, None) => None,
    };
    scan_repo(&repo, &args.report, ScanKind::History, |sink| match &selection {
        Some(commits) => history::scan_commits(&repo, commits, &opts, sink),
        None => history::scan_all(&repo, &opts, sink),
    })
}

pub fn staged(args: StagedArgs) -> Result<i32, Fatal> {
    let repo = git::open(&args.repo)?;
    let opts = options(&args.report, crate::source::DEFAULT_MAX_FILE_SIZE, false);
    let code = scan_repo(&repo, &args.report, ScanKind::Staged, |sink| history::scan_staged(&repo, &opts, sink))?;
    if code == EXIT_FINDINGS {
        blocked("commit", "git commit --no-verify");
    }
    Ok(code)
}

/// Runs a git source with the engine and reporter every git command shares.
pub fn scan_repo(
    repo: &Repository,
    report: &ReportArgs,
    kind: ScanKind,
    source: impl FnOnce(&Collector) -> Result<(), GitError>,
) -> Result<i32, Fatal> {
    let session = Session::start(report, &repo_root(repo), kind)?;
    let (found, stats) = collect_repo(&session, source)?;
    session.finish(found, stats)
}

/// The directory whose `.tenscan.toml` applies: the worktree, or the git dir of a bare repo.
pub fn repo_root(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or(repo.path()).into()
}

pub fn collect_repo(session: &Session, source: impl FnOnce(&Collector) -> Result<(), GitError>) -> Result<(Vec<Reported>, Stats), Fatal> {
    git::limit_memory();
    let sink = session.collector();
    source(&sink)?;
    Ok(sink.finish())
}

pub fn options(report: &ReportArgs, max_file_size: u64, all_occurrences: bool) -> GitScanOptions {
    GitScanOptions {
        threads: threads(report.threads),
        max_file_size,
        all_occurrences,
        progress: !report.quiet && std::io::stderr().is_terminal(),
    }
}

/// Commits of `A..B`, oldest first.
pub fn range_commits(repo: &Repository, range: &str) -> Result<Vec<Oid>, GitError> {
    let bad = |e: git2::Error| GitError::Revision { rev: range.to_string(), message: e.message().to_string() };
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    if range.contains("..") {
        walk.push_range(range).map_err(bad)?;
    } else {
        let obj = repo.revparse_single(range).map_err(bad)?;
        walk.push(obj.peel_to_commit().map_err(bad)?.id())?;
    }
    walk.collect::<Result<Vec<_>, _>>().map_err(bad)
}

/// What to do when a hook blocks: fix, rotate, or bypass knowingly.
pub fn blocked(what: &str, bypass: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "\ntenscan blocked this {what}: it adds a secret.\n\
         - remove the key from the files (keep it in an environment variable or a secret manager) and stage again;\n\
         - if the key was ever pushed or shared, rotate it: create a new key, move your apps to it, revoke the old one;\n\
         - not a secret? add `tenscan:allow` on its line, or allowlist it in .tenscan.toml;\n\
         - to {what} anyway, knowingly: {bypass}"
    );
}
