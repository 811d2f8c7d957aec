//! What every scanning command shares: config and engine, limits and threads, the output
//! opened up front, the baseline, and the last step (baseline, verification, report, summary,
//! exit code). A scan that could not read everything exits 2, whatever it found, unless the
//! user passed `--allow-incomplete`.
use super::{EXIT_CLEAN, EXIT_FATAL, EXIT_FINDINGS};
use crate::admission::Limits;
use crate::baseline::Baseline;
use crate::cli::{FailOn, ReportArgs};
use crate::config::{self, Config};
use crate::engine::{Engine, EngineOptions};
use crate::error::Fatal;
use crate::finding::{Finding, Status, Verification};
use crate::git::Repo;
use crate::output::Output;
use crate::report::{self, Context, ScanKind};
use crate::run::{Run, Stats};
use crate::source::AllowBase;
use crate::verify::{self, Verifier};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the config and baseline come from.
pub enum ConfigSource<'a> {
    /// `--config`, or the nearest `.tenscan.toml` from this path.
    Tree(&'a Path),
    /// `.tenscan.toml` (and the baseline) as committed at a revision: trusted input for a
    /// pull request comes from its base, not from the change under review.
    Commit { repo: &'a Repo, rev: &'a str },
}

pub struct Session {
    pub engine: Engine,
    pub args: ReportArgs,
    pub kind: ScanKind,
    pub allow: AllowBase,
    pub limits: Limits,
    pub threads: usize,
    output: Output,
    baseline: Option<Baseline>,
    /// Set when findings are to be verified against Baseten's API.
    verify: Option<verify::Settings>,
    /// Where to write a scrub plan for the findings (`history --scrub-plan`).
    scrub_plan: Option<PathBuf>,
}

impl Session {
    /// Loads config and baseline and opens the output before any scanning, so bad input
    /// fails in milliseconds, not after an hour-long history audit.
    pub fn start(
        args: &ReportArgs,
        kind: ScanKind,
        source: ConfigSource,
    ) -> Result<Session, Fatal> {
        let (config, baseline) = match source {
            ConfigSource::Tree(start) => {
                let config = Config::discover(args.config.as_deref(), start)?;
                (
                    config,
                    args.baseline.as_deref().map(Baseline::load).transpose()?,
                )
            }
            ConfigSource::Commit { repo, rev } => {
                // An explicit --config names a file as committed at `rev` too: the worktree
                // holds the change under review.
                let name = args
                    .config
                    .as_deref()
                    .map_or_else(|| config::FILE_NAME.to_string(), crate::source::slashes);
                let shown = format!("{rev}:{name}");
                let config = match committed_file(repo, rev, &name)? {
                    Some(text) => Config::from_commit(&text, &shown, repo.root())?,
                    None if args.config.is_some() => {
                        return Err(Fatal::Usage(format!(
                            "{shown}: no such file in that commit"
                        )));
                    }
                    None => Config::default(),
                };
                let baseline = match &args.baseline {
                    Some(p) => match committed_file(repo, rev, &crate::source::slashes(p))? {
                        Some(text) => Some(Baseline::parse(
                            &text,
                            &PathBuf::from(format!("{rev}:{}", p.display())),
                        )?),
                        None => None,
                    },
                    None => None,
                };
                (config, baseline)
            }
        };
        let verify = if args.verify || args.only_verified || config.verify.enabled {
            let mut settings = verify::Settings::from_env()?;
            (settings.concurrency, settings.timeout, settings.budget) =
                config.verify_limits((settings.concurrency, settings.timeout, settings.budget));
            Some(settings)
        } else {
            None
        };
        let options = EngineOptions {
            show_placeholders: args.show_placeholders,
            min_confidence: args.min_confidence.map(Into::into),
            fail_confidence: None,
            decode: !args.no_decode,
        };
        let allow = AllowBase::new(config.dir.as_deref());
        let engine = Engine::from_config(config, options)?;
        let output = Output::open(args.output.as_deref())?;
        let threads = threads(args.threads, args.quiet);
        Ok(Session {
            engine,
            args: args.clone(),
            kind,
            allow,
            limits: Limits::new(args.max_file_size, !args.no_decode),
            threads,
            output,
            baseline,
            verify,
            scrub_plan: None,
        })
    }

    /// Writes a scrub plan for the findings to `path` when the scan ends; fails now if its
    /// directory does not exist.
    pub fn with_scrub_plan(mut self, path: Option<PathBuf>) -> Result<Session, Fatal> {
        if let Some(p) = &path {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                return Err(Fatal::Output {
                    path: p.clone(),
                    message: "its directory does not exist".into(),
                });
            }
        }
        self.scrub_plan = path;
        Ok(self)
    }

    pub fn run(&self) -> Run<'_> {
        Run::new(&self.engine, self.limits, self.args.quiet)
    }

    /// Whether to draw a progress line: a terminal on standard error, and not `--quiet`.
    pub fn progress(&self) -> bool {
        use std::io::IsTerminal;
        !self.args.quiet && std::io::stderr().is_terminal()
    }

    /// Baseline, verification, report and summary; returns the exit code.
    pub fn finish(mut self, found: Vec<Finding>, mut stats: Stats) -> Result<i32, Fatal> {
        let quiet = self.args.quiet;
        let mut wrote_baseline = false;
        if let Some(path) = &self.args.write_baseline {
            let b = Baseline::from_findings(&found)?;
            b.write(path)?;
            wrote_baseline = true;
            if !quiet {
                eprintln!("wrote {} ({} entries)", path.display(), b.entries.len());
            }
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
            let keys: Vec<&str> = found.iter().map(|f| f.secret.expose()).collect();
            let results = verifier.verify_all(&keys);
            for f in &mut found {
                f.verification = results.get(f.secret.expose()).cloned();
            }
            if self.args.only_verified {
                found.retain(|f| {
                    f.verification
                        .as_ref()
                        .is_some_and(|v| v.status == Status::Live)
                });
            }
        }
        if let Some(path) = &self.scrub_plan {
            let plan = report::scrub::Plan::of(&found);
            crate::output::write_file(path, &plan.text, true)
                .map_err(|e| Fatal::output(path, e))?;
            if !quiet {
                eprintln!("{}", plan.checklist(path));
            }
        }
        stats.findings = found.len() as u64;
        let color = color(self.output.is_terminal());
        let ctx = Context {
            rules: self.engine.rules(),
            kind: self.kind,
            color,
            reveal: self.args.reveal,
            quiet,
            category: self.args.sarif_category.clone(),
        };
        let written = report::write(self.args.format, &found, &stats, &ctx, self.output.writer());
        let to_stdout_pretty =
            self.output.is_stdout() && self.args.format == report::Format::Pretty;
        self.output.finish(written)?;
        if !quiet && !to_stdout_pretty {
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                report::pretty::summary(&stats, &ctx)
            );
        }
        if stats.incomplete && !self.args.allow_incomplete {
            let _ = writeln!(
                std::io::stderr(),
                "error: the scan is incomplete: {} input(s) could not be read or were over a limit (see the warnings above), so a key may have been missed.\n\
                 Fix what the warnings name, or pass --allow-incomplete to accept an incomplete scan.",
                stats.skipped_error.max(1)
            );
            return Ok(EXIT_FATAL);
        }
        if wrote_baseline {
            return Ok(EXIT_CLEAN);
        }
        let fail_at = self
            .engine
            .options
            .fail_confidence
            .unwrap_or(crate::finding::Confidence::Low);
        let fails = found.iter().any(|f| {
            !f.placeholder
                && f.confidence >= fail_at
                && fails_on(self.args.fail_on, f.verification.as_ref())
        });
        Ok(if fails { EXIT_FINDINGS } else { EXIT_CLEAN })
    }

    /// For `baseline prune`: which baseline entries this run's findings still match.
    pub fn baseline_usage(&self, found: Vec<Finding>) -> Option<Vec<bool>> {
        self.baseline.as_ref().map(|b| b.apply(found).used)
    }

    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }
}

/// The content of `path` in commit `rev`, `None` when the commit has no such file.
fn committed_file(repo: &Repo, rev: &str, path: &str) -> Result<Option<String>, Fatal> {
    if rev.starts_with('-') {
        return Err(crate::git::GitError::Revision {
            rev: rev.into(),
            message: "not a revision".into(),
        }
        .into());
    }
    let git = repo.cli();
    let commit = git
        .output(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ])
        .map_err(|_| crate::git::GitError::Revision {
            rev: rev.into(),
            message: "no such commit".into(),
        })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let spec = format!("{commit}:{}", path.trim_start_matches("./"));
    match git.output(&["cat-file", "blob", &spec]) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Ok(None),
    }
}

/// Colour on a terminal unless `NO_COLOR` or `TERM=dumb`; always with `CLICOLOR_FORCE`.
pub fn color(terminal: bool) -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0");
    if set("NO_COLOR") {
        return false;
    }
    if set("CLICOLOR_FORCE") {
        return true;
    }
    terminal
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
        && std::env::var("CLICOLOR").map_or(true, |c| c != "0")
}

/// Whether a finding with this verification fails the run. Unverified findings count as
/// unknown; by default only invalid keys do not fail.
pub fn fails_on(fail_on: Option<FailOn>, v: Option<&Verification>) -> bool {
    let status = v.map_or(Status::Unknown, |v| v.status);
    match fail_on.unwrap_or(FailOn::Unknown) {
        FailOn::Live => status == Status::Live,
        FailOn::Unknown => status != Status::Invalid,
        FailOn::Any => true,
    }
}

/// Worker threads: one per core by default, at most four per core.
pub fn threads(requested: usize, quiet: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    if requested == 0 {
        return cores;
    }
    let max = cores * 4;
    if requested > max {
        if !quiet {
            eprintln!("note: -j {requested} is more than 4 threads per core; using {max}");
        }
        return max;
    }
    requested
}
