//! `tenscan baseline prune`: drops baseline entries that no longer match any finding.
use super::history::options;
use super::session::{ConfigSource, Session};
use super::EXIT_CLEAN;
use crate::admission::DEFAULT_MAX_FILE_SIZE;
use crate::cli::{BaselineCommand, ReportArgs};
use crate::error::Fatal;
use crate::git::Repo;
use crate::report::{Format, ScanKind};
use crate::source::history;

pub fn run(cmd: BaselineCommand) -> Result<i32, Fatal> {
    let BaselineCommand::Prune {
        baseline,
        path,
        history: in_history,
        config,
    } = cmd;
    let report = ReportArgs {
        format: Format::Json,
        output: None,
        sarif_category: None,
        reveal: false,
        show_placeholders: false,
        baseline: Some(baseline.clone()),
        write_baseline: None,
        config,
        min_confidence: None,
        verify: false,
        only_verified: false,
        fail_on: None,
        no_decode: false,
        threads: 0,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        allow_incomplete: false,
        quiet: true,
    };
    let (session, found, stats) = if in_history {
        let repo = Repo::open(&path)?;
        let session = Session::start(&report, ScanKind::History, ConfigSource::Tree(repo.root()))?;
        let run = session.run();
        history::scan_all(&repo, &options(&session, false), &run, &session.allow);
        let (found, stats) = run.finish();
        (session, found, stats)
    } else {
        let args = crate::cli::ScanArgs {
            paths: vec![path],
            report,
            no_ignore: false,
            follow: false,
        };
        let session = super::scan::start(&args)?;
        let (found, stats) = super::scan::collect(&session, &args)?;
        (session, found, stats)
    };
    if stats.incomplete {
        return Err(Fatal::Usage(format!(
            "{}: not pruned: the scan could not read everything, so entries that still match something could look stale",
            baseline.display()
        )));
    }
    let old = session.baseline().expect("baseline loaded").clone();
    let used = session.baseline_usage(found).expect("baseline loaded");
    let pruned = old.pruned(&used);
    pruned.write(&baseline)?;
    eprintln!(
        "{}: kept {} entries, dropped {}",
        baseline.display(),
        pruned.entries.len(),
        old.entries.len() - pruned.entries.len()
    );
    Ok(EXIT_CLEAN)
}
