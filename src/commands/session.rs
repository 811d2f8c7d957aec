//! What every scanning command shares: config and engine, the output opened up front, the
//! baseline, and the final step (baseline, report, summary, exit code).
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::baseline::Baseline;
use crate::cli::ReportArgs;
use crate::config::Config;
use crate::error::Fatal;
use crate::output::Output;
use crate::report::{self, Context, ScanKind};
use crate::scan::{Collector, Engine, EngineOptions, Reported, Stats};
use std::io::Write;
use std::path::Path;

pub struct Session {
    pub engine: Engine,
    pub args: ReportArgs,
    pub kind: ScanKind,
    output: Output,
    baseline: Option<Baseline>,
}

impl Session {
    /// Loads config and baseline and opens the output before any scanning, so bad input
    /// fails in milliseconds, not after an hour-long history audit.
    pub fn start(args: &ReportArgs, root: &Path, kind: ScanKind) -> Result<Session, Fatal> {
        let config = Config::discover(args.config.as_deref(), root)?;
        let options = EngineOptions {
            reveal: args.reveal,
            show_placeholders: args.show_placeholders,
            min_confidence: args.min_confidence.map(Into::into),
            fail_confidence: None,
        };
        let engine = Engine::from_config(config, options)?;
        let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
        let output = Output::open(args.output.as_deref())?;
        Ok(Session { engine, args: args.clone(), kind, output, baseline })
    }

    pub fn collector(&self) -> Collector<'_> {
        Collector::new(&self.engine, self.args.quiet)
    }

    /// Applies the baseline, writes the report (and a new baseline if asked), returns the
    /// exit code.
    pub fn finish(mut self, found: Vec<Reported>, mut stats: Stats) -> Result<i32, Fatal> {
        if let Some(path) = &self.args.write_baseline {
            Baseline::from_findings(&found).write(path)?;
        }
        let found = match &self.baseline {
            Some(b) => {
                let applied = b.apply(found);
                stats.suppressed += applied.suppressed;
                applied.kept
            }
            None => found,
        };
        stats.findings = found.len() as u64;
        let color = self.output.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let ctx = Context { rules: self.engine.matcher.rules(), kind: self.kind, color };
        let written = report::write(self.args.format, &found, &stats, &ctx, self.output.writer());
        self.output.finish(written)?;
        if self.args.format != report::Format::Pretty && !self.args.quiet {
            let _ = writeln!(std::io::stderr(), "{}", report::pretty::summary(&stats, &ctx));
        }
        let fail_at = self.engine.options.fail_confidence.unwrap_or(crate::finding::Confidence::Low);
        let fails = found.iter().any(|r| !r.finding.placeholder && r.finding.confidence >= fail_at);
        Ok(if fails { EXIT_FINDINGS } else { EXIT_CLEAN })
    }

    /// For `baseline prune`: which baseline entries this run's findings still match.
    pub fn baseline_usage(&self, found: Vec<Reported>) -> Option<Vec<bool>> {
        self.baseline.as_ref().map(|b| b.apply(found).used)
    }

    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }
}

pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }
}
