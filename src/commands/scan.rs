//! `tenscan scan`: worktree files and standard input.
use super::session::{ConfigSource, Session};
use crate::cli::ScanArgs;
use crate::error::Fatal;
use crate::finding::Finding;
use crate::report::ScanKind;
use crate::run::Stats;
use crate::source::{stdin, worktree};
use std::path::{Path, PathBuf};

pub fn run(args: ScanArgs) -> Result<i32, Fatal> {
    let session = start(&args)?;
    let (found, stats) = collect(&session, &args)?;
    session.finish(found, stats)
}

pub fn start(args: &ScanArgs) -> Result<Session, Fatal> {
    for p in args.paths.iter().filter(|p| p.as_os_str() != "-") {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Fatal::MissingPath { path: p.clone() });
        }
    }
    let first = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let kind = if args.paths.iter().all(|p| p.as_os_str() == "-") {
        ScanKind::Stdin
    } else {
        ScanKind::Worktree
    };
    Session::start(&args.report, kind, ConfigSource::Tree(&first))
}

/// Scans standard input and the given paths.
pub fn collect(session: &Session, args: &ScanArgs) -> Result<(Vec<Finding>, Stats), Fatal> {
    let run = session.run();
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        stdin::scan(&run, &session.allow).map_err(Fatal::Stdin)?;
    }
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if !paths.is_empty() {
        let opts = worktree::WalkOptions {
            no_ignore: args.no_ignore,
            follow_links: args.follow,
            threads: session.threads,
        };
        worktree::scan(&paths, &opts, &run, &session.allow);
    }
    Ok(run.finish())
}

/// Scans the named files (as they are in the worktree) with `session`.
pub fn files(session: &Session, files: &[PathBuf]) -> (Vec<Finding>, Stats) {
    let run = session.run();
    let existing: Vec<PathBuf> = files
        .iter()
        .filter(|p| Path::new(p).exists())
        .cloned()
        .collect();
    if !existing.is_empty() {
        let opts = worktree::WalkOptions {
            no_ignore: false,
            follow_links: false,
            threads: session.threads,
        };
        worktree::scan(&existing, &opts, &run, &session.allow);
    }
    run.finish()
}
