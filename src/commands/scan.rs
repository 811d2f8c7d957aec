//! `tenscan scan`: worktree files and standard input.
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{ReportArgs, ScanArgs};
use crate::config::Config;
use crate::error::Fatal;
use crate::output::Output;
use crate::report::{self, Context, ScanKind};
use crate::scan::{Collector, Engine, EngineOptions, Reported, Stats};
use crate::source::{stdin, worktree};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: ScanArgs) -> Result<i32, Fatal> {
    let stdin_requested = args.paths.iter().any(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = args.paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Fatal::MissingPath { path: p.clone() });
        }
    }
    let root = paths.iter().find(|p| p.is_dir()).cloned().unwrap_or_else(|| PathBuf::from("."));
    let engine = build_engine(&args.report, &root)?;
    let output = Output::open(args.report.output.as_deref())?;
    let collector = Collector::new(&engine, args.report.quiet);
    if stdin_requested {
        stdin::scan(&collector).map_err(Fatal::Stdin)?;
    }
    if !paths.is_empty() {
        let opts = worktree::WalkOptions {
            no_ignore: args.no_ignore,
            follow_links: args.follow,
            threads: threads(args.report.threads),
            max_file_size: args.max_file_size,
        };
        worktree::scan(&paths, &opts, &collector);
    }
    let (found, stats) = collector.finish();
    finish(output, &found, &args.report, &stats, ScanKind::Worktree, &engine)
}

/// Engine from the built-in rules, the config file and the report flags.
pub fn build_engine(args: &ReportArgs, root: &Path) -> Result<Engine, Fatal> {
    let config = Config::discover(args.config.as_deref(), root)?;
    let options = EngineOptions {
        reveal: args.reveal,
        show_placeholders: args.show_placeholders,
        min_confidence: args.min_confidence.map(Into::into),
    };
    Ok(Engine::from_config(config, options)?)
}

pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }
}

/// Writes the report, the summary, and returns the exit code.
pub fn finish(
    mut output: Output,
    found: &[Reported],
    args: &ReportArgs,
    stats: &Stats,
    kind: ScanKind,
    engine: &Engine,
) -> Result<i32, Fatal> {
    let color = output.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let ctx = Context { rules: engine.matcher.rules(), kind, color };
    let written = report::write(args.format, found, stats, &ctx, output.writer());
    output.finish(written)?;
    if args.format != report::Format::Pretty && !args.quiet {
        let _ = writeln!(std::io::stderr(), "{}", report::pretty::summary(stats, &ctx));
    }
    let fails = found.iter().any(|r| !r.finding.placeholder);
    Ok(if fails { EXIT_FINDINGS } else { EXIT_CLEAN })
}
