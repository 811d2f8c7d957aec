//! `tenscan history` (the whole history, a range, or the commits since a revision) and
//! `tenscan staged` (what the next commit adds).
use super::session::{ConfigSource, Session};
use crate::cli::{HistoryArgs, ReportArgs, StagedArgs};
use crate::error::Fatal;
use crate::git::changes::{self, ChangeSet};
use crate::git::Repo;
use crate::report::ScanKind;
use crate::source::{changes as change_source, history};

pub fn run(args: HistoryArgs) -> Result<i32, Fatal> {
    let repo = Repo::open(&args.repo)?;
    let source = match &args.config_from {
        Some(rev) => ConfigSource::Commit { repo: &repo, rev },
        None => ConfigSource::Tree(repo.root()),
    };
    let session = Session::start(&args.report, ScanKind::History, source)?
        .with_scrub_plan(args.scrub_plan.clone())?;
    let opts = options(&session, args.all_occurrences);
    let selection = match (&args.range, &args.since) {
        (Some(range), _) => Some(changes::for_revisions(
            &repo.cli(),
            std::slice::from_ref(range),
            range,
        )?),
        (None, Some(since)) => {
            let spec = format!("{since}..HEAD");
            Some(changes::for_revisions(
                &repo.cli(),
                std::slice::from_ref(&spec),
                &spec,
            )?)
        }
        (None, None) => None,
    };
    let run = session.run();
    match selection {
        Some(set) => change_source::scan(&repo, set, &opts, &run, &session.allow)?,
        None => history::scan_all(&repo, &opts, &run, &session.allow),
    }
    let (found, stats) = run.finish();
    note_partial_clone(&repo, stats.incomplete, args.report.quiet);
    session.finish(found, stats)
}

pub fn staged(args: StagedArgs) -> Result<i32, Fatal> {
    let repo = Repo::open(&args.repo)?;
    staged_in(&repo, &args.report)
}

/// The staged change of `repo`, reported with `report`.
pub fn staged_in(repo: &Repo, report: &ReportArgs) -> Result<i32, Fatal> {
    let session = Session::start(report, ScanKind::Staged, ConfigSource::Tree(repo.root()))?;
    let set = changes::staged(&repo.cli())?;
    scan_changes(repo, session, set)
}

/// Scans a change set (range, push, staged change) and reports it.
pub fn scan_changes(repo: &Repo, session: Session, set: ChangeSet) -> Result<i32, Fatal> {
    let opts = options(&session, false);
    let run = session.run();
    change_source::scan(repo, set, &opts, &run, &session.allow)?;
    let (found, stats) = run.finish();
    note_partial_clone(repo, stats.incomplete, session.args.quiet);
    session.finish(found, stats)
}

pub fn options(session: &Session, all_occurrences: bool) -> history::Options {
    history::Options {
        threads: session.threads,
        all_occurrences,
        progress: session.progress(),
    }
}

fn note_partial_clone(repo: &Repo, incomplete: bool, quiet: bool) {
    if incomplete && !quiet {
        if let Some(help) = repo.missing_objects_help() {
            eprintln!("note: {help}");
        }
    }
}
