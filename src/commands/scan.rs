//! `tenscan scan`: worktree files and standard input.
use super::session::{threads, Session};
use crate::cli::ScanArgs;
use crate::error::Fatal;
use crate::report::ScanKind;
use crate::scan::{Reported, Stats};
use crate::source::{stdin, worktree};
use std::path::PathBuf;

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
    let root = args.paths.iter().find(|p| p.is_dir()).cloned().unwrap_or_else(|| PathBuf::from("."));
    Session::start(&args.report, &root, ScanKind::Worktree)
}

/// Scans standard input and the given paths.
pub fn collect(session: &Session, args: &ScanArgs) -> Result<(Vec<Reported>, Stats), Fatal> {
    let sink = session.collector();
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        stdin::scan(&sink).map_err(Fatal::Stdin)?;
    }
    let paths: Vec<PathBuf> = args.paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    if !paths.is_empty() {
        let opts = worktree::WalkOptions {
            no_ignore: args.no_ignore,
            follow_links: args.follow,
            threads: threads(args.report.threads),
            max_file_size: args.max_file_size,
        };
        worktree::scan(&paths, &opts, &sink);
    }
    Ok(sink.finish())
}
