//! `tenscan baseline prune`: drops baseline entries that no longer match any finding.
use super::history::{collect_repo, options, repo_root};
use super::session::Session;
use super::EXIT_CLEAN;
use crate::cli::{BaselineCommand, ReportArgs};
use crate::error::Fatal;
use crate::report::{Format, ScanKind};
use crate::source::{git, history};

pub fn run(cmd: BaselineCommand) -> Result<i32, Fatal> {
    let BaselineCommand::Prune { baseline, path, history: in_history, config } = cmd;
    let report = ReportArgs {
        format: Format::Json,
        output: None,
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
        quiet: true,
    };
    let (session, found) = if in_history {
        let repo = git::open(&path)?;
        let session = Session::start(&report, &repo_root(&repo), ScanKind::History)?;
        let opts = options(&report, crate::source::DEFAULT_MAX_FILE_SIZE, false);
        let (found, _) = collect_repo(&session, |sink| history::scan_all(&repo, &opts, sink))?;
        (session, found)
    } else {
        let args = crate::cli::ScanArgs {
            paths: vec![path],
            report,
            no_ignore: false,
            follow: false,
            max_file_size: crate::source::DEFAULT_MAX_FILE_SIZE,
        };
        let session = super::scan::start(&args)?;
        let (found, _) = super::scan::collect(&session, &args)?;
        (session, found)
    };
    let old = session.baseline().expect("baseline loaded").clone();
    let used = session.baseline_usage(found).expect("baseline loaded");
    let pruned = old.pruned(&used);
    pruned.write(&baseline)?;
    eprintln!("{}: kept {} entries, dropped {}", baseline.display(), pruned.entries.len(), old.entries.len() - pruned.entries.len());
    Ok(EXIT_CLEAN)
}
