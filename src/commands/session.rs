//! What every scanning command shares: config and engine, the output opened up front, the
//! baseline, and the final step (baseline, report, summary, exit code).
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::baseline::Baseline;
use crate::cli::{FailOn, ReportArgs};
use crate::config::Config;
use crate::verify::{self, Verifier};
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
    /// Set when findings are to be verified against Baseten's API.
    verify: Option<verify::Settings>,
}

impl Session {
    /// Loads config and baseline and opens the output before any scanning, so bad input
    /// fails in milliseconds, not after an hour-long history audit.
    pub fn start(args: &ReportArgs, root: &Path, kind: ScanKind) -> Result<Session, Fatal> {
        let config = Config::discover(args.config.as_deref(), root)?;
        let verify = if args.verify || args.only_verified || config.verify.enabled {
            let mut settings = verify::Settings::from_env()?;
            let v = &config.verify;
            settings.concurrency = v.concurrency.unwrap_or(settings.concurrency);
            settings.timeout = v.timeout_secs.map_or(settings.timeout, std::time::Duration::from_secs);
            settings.budget = v.budget_secs.map_or(settings.budget, std::time::Duration::from_secs);
            Some(settings)
        } else {
            None
        };
        let options = EngineOptions {
            reveal: args.reveal,
            show_placeholders: args.show_placeholders,
            min_confidence: args.min_confidence.map(Into::into),
            fail_confidence: None,
            decode: !args.no_decode,
        };
        let engine = Engine::from_config(config, options)?;
        let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
        let output = Output::open(args.output.as_deref())?;
        Ok(Session { engine, args: args.clone(), kind, output, baseline, verify })
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
        let mut found = match &self.baseline {
            Some(b) => {
                let applied = b.apply(found);
                stats.suppressed += applied.suppressed;
                applied.kept
            }
            None => found,
        };
        if let Some(settings) = self.verify.take() {
            let verifier = Verifier::new(settings);
            let keys: Vec<String> = found.iter().map(|r| r.raw.0.clone()).collect();
            let results = verifier.verify_all(&keys);
            for r in &mut found {
                r.finding.verification = results.get(&r.secret_hash).cloned();
            }
            if self.args.only_verified {
                found.retain(|r| r.finding.verification.as_ref().is_some_and(|v| v.status == "live"));
            }
        }
        stats.findings = found.len() as u64;
        let color = self.output.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let ctx = Context { rules: self.engine.matcher.rules(), kind: self.kind, color };
        let written = report::write(self.args.format, &found, &stats, &ctx, self.output.writer());
        self.output.finish(written)?;
        if self.args.format != report::Format::Pretty && !self.args.quiet {
            let _ = writeln!(std::io::stderr(), "{}", report::pretty::summary(&stats, &ctx));
        }
        let fail_at = self.engine.options.fail_confidence.unwrap_or(crate::finding::Confidence::Low);
        let fails = found.iter().any(|r| {
            !r.finding.placeholder && r.finding.confidence >= fail_at && fails_on(self.args.fail_on, &r.finding.verification)
        });
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

/// Whether a finding with this verification fails the run. Unverified findings count as
/// unknown; by default only invalid keys do not fail.
pub fn fails_on(fail_on: Option<FailOn>, v: &Option<crate::finding::Verification>) -> bool {
    let status = v.as_ref().map_or("unknown", |v| v.status.as_str());
    match fail_on.unwrap_or(FailOn::Unknown) {
        FailOn::Live => status == "live",
        FailOn::Unknown => status != "invalid",
        FailOn::Any => true,
    }
}

pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }
}
