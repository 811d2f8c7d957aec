//! One run: the engine, the counters, the findings every thread adds, and what the user is
//! told on the way (warnings, notes; every one escaped). Every source hands each blob it
//! reads to `Run::scan` (admission, then one scan of each text) and asks `Run::judge` for
//! the findings at each path the blob is known by: one path for every input.
use crate::admission::{self, Chain, IssueKind, Limits};
use crate::engine::{Candidate, Counters, Engine};
use crate::finding::{Finding, Form};
use crate::report::escape;
use serde::Serialize;
use std::io::Write;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;
use std::time::Instant;

/// Statistics of one run, as reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_size: u64,
    pub skipped_error: u64,
    pub skipped_other: u64,
    pub suppressed: u64,
    pub placeholders_hidden: u64,
    pub findings: u64,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub commits_scanned: u64,
    /// Something could not be read or was kept from the scan by a limit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One text of a blob (the blob itself, or an archive member), scanned.
#[derive(Debug, Clone)]
pub struct ScannedText {
    pub chain: Chain,
    /// Transcoded or extracted: line diffs of the blob do not apply to it.
    pub derived: bool,
    pub candidates: Vec<Candidate>,
}

/// Every text of one blob, scanned; empty when nothing in it looks like a secret.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub texts: Vec<ScannedText>,
}

/// A blob admitted and scanned but not yet counted or named (`Run::examine`).
#[derive(Debug)]
pub struct Examined {
    pub bytes: u64,
    pub issues: Vec<admission::Issue>,
    pub scanned: Scanned,
}

impl Scanned {
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

pub struct Run<'e> {
    pub engine: &'e Engine,
    pub counters: Counters,
    pub limits: Limits,
    found: Mutex<Vec<Finding>>,
    started: Instant,
    quiet: bool,
}

impl<'e> Run<'e> {
    pub fn new(engine: &'e Engine, limits: Limits, quiet: bool) -> Self {
        Run {
            engine,
            counters: Counters::default(),
            limits,
            found: Mutex::new(vec![]),
            started: Instant::now(),
            quiet,
        }
    }

    /// A problem with one input, already counted by the caller or not worth counting.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "warning: {}", escape::line(message));
        }
    }

    /// Something skipped on purpose that the user may want to know about.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "note: {}", escape::line(message));
        }
    }

    /// Something that could not be scanned: warned, counted, and the run is incomplete.
    pub fn incomplete(&self, message: &str) {
        self.warn(message);
        self.counters.skipped_error.fetch_add(1, Relaxed);
        self.counters.incomplete.store(true, Relaxed);
    }

    /// A blob kept from the scan by its size (`None`: a stream found to be larger).
    pub fn too_large(&self, shown: &str, size: Option<u64>) {
        self.counters.skipped_size.fetch_add(1, Relaxed);
        let size = size.map(|n| format!(" ({n} bytes)")).unwrap_or_default();
        self.incomplete(&format!(
            "{shown}: larger than --max-file-size {}{size}; not scanned (raise the limit, or exclude the path)",
            self.limits.max_file_size
        ));
    }

    /// Admits the blob `data` (named `shown` in messages) and scans each of its texts once.
    pub fn scan(&self, data: &[u8], shown: &str) -> Scanned {
        self.account(self.examine(data), shown)
    }

    /// Admits and scans `data` without counting it or saying anything yet: a blob read before
    /// anyone knows its name (or whether history reaches it) is accounted for later.
    pub fn examine(&self, data: &[u8]) -> Examined {
        let mut texts = vec![];
        let issues = admission::admit(data, &self.limits, &mut |t| {
            let candidates = self.engine.scan(&t.data);
            if !candidates.is_empty() {
                texts.push(ScannedText {
                    chain: t.chain,
                    derived: t.derived,
                    candidates,
                });
            }
        });
        Examined {
            bytes: data.len() as u64,
            issues,
            scanned: Scanned { texts },
        }
    }

    /// Counts an examined blob, named `shown`, and warns of what could not be scanned in it.
    pub fn account(&self, examined: Examined, shown: &str) -> Scanned {
        self.counters.files.fetch_add(1, Relaxed);
        self.counters.bytes.fetch_add(examined.bytes, Relaxed);
        for issue in examined.issues {
            match issue.kind {
                IssueKind::Binary => {
                    self.counters.skipped_binary.fetch_add(1, Relaxed);
                }
                IssueKind::Incomplete => self.incomplete(&format!(
                    "{}: {}",
                    admission::member_path(shown, &issue.chain),
                    issue.message
                )),
            }
        }
        examined.scanned
    }

    /// The findings of a scanned blob at `path`; `allow_path` is the same path as the
    /// config's allowlist sees it.
    pub fn judge(&self, scanned: &Scanned, path: &str, allow_path: &str) -> Vec<Finding> {
        scanned
            .texts
            .iter()
            .flat_map(|t| self.judge_text(t, path, allow_path))
            .collect()
    }

    /// The findings of one text of a blob known at `path` (an archive member's path extends
    /// its blob's).
    pub fn judge_text(&self, t: &ScannedText, path: &str, allow_path: &str) -> Vec<Finding> {
        let blob_path = path;
        let (path, allow_path) = if t.chain.is_empty() {
            (path.to_string(), allow_path.to_string())
        } else {
            (
                admission::member_path(path, &t.chain),
                admission::member_path(allow_path, &t.chain),
            )
        };
        let verdicts = self
            .engine
            .judge(&t.candidates, &path, &allow_path, &self.counters);
        let form = match (t.chain.is_empty(), t.derived) {
            (false, _) => Form::Packed {
                file: blob_path.to_string(),
            },
            (true, true) => Form::Utf16,
            (true, false) => Form::Plain,
        };
        verdicts
            .into_iter()
            .map(|v| {
                self.engine.finding(
                    &t.candidates[v.candidate],
                    v.confidence,
                    &path,
                    form.clone(),
                )
            })
            .collect()
    }

    /// Adds findings (from any thread).
    pub fn add(&self, found: Vec<Finding>) {
        if !found.is_empty() {
            self.found.lock().unwrap().extend(found);
        }
    }

    /// The findings in a stable order, with the run's statistics.
    pub fn finish(self) -> (Vec<Finding>, Stats) {
        let mut found = self.found.into_inner().unwrap();
        found.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule_id, &a.commit)
                .cmp(&(&b.path, b.line, b.column, &b.rule_id, &b.commit))
        });
        // A file reached twice (named and walked, tracked and ignored) is reported once.
        found.dedup_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule_id, &a.commit)
                == (&b.path, b.line, b.column, &b.rule_id, &b.commit)
        });
        let c = &self.counters;
        let stats = Stats {
            files_scanned: c.files.load(Relaxed),
            bytes_scanned: c.bytes.load(Relaxed),
            skipped_binary: c.skipped_binary.load(Relaxed),
            skipped_size: c.skipped_size.load(Relaxed),
            skipped_error: c.skipped_error.load(Relaxed),
            skipped_other: c.skipped_other.load(Relaxed),
            suppressed: c.suppressed.load(Relaxed),
            placeholders_hidden: c.placeholders.load(Relaxed),
            findings: found.len() as u64,
            duration_ms: self.started.elapsed().as_millis() as u64,
            commits_scanned: c.commits.load(Relaxed),
            incomplete: c.incomplete.load(Relaxed),
        };
        (found, stats)
    }
}
