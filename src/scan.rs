//! The engine: runs the matcher on blobs handed over by a source, turns hits into `Finding`s
//! (positions, masking, fingerprints, suppression) and keeps the run's statistics.
use crate::blob::{self, Blob};
use crate::config::{Allowlist, Config};
use crate::finding::{fingerprint, mask, secret_hash, Confidence, Finding};
use crate::decode;
use crate::matcher::{self, Hit, Matcher};
use std::ops::Range;
use crate::rules::Rule;
use crate::snippet::{self, Snippet};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::io::Write;
use std::time::Instant;

/// What the user asked of the engine.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub reveal: bool,
    pub show_placeholders: bool,
    /// Findings below this confidence are dropped.
    pub min_confidence: Option<Confidence>,
    /// Findings below this confidence are reported but do not fail the run.
    pub fail_confidence: Option<Confidence>,
    /// Look inside JSON escapes, base64 and percent-encoding.
    pub decode: bool,
}

/// Counters shared by every scanning thread.
#[derive(Debug, Default)]
pub struct Counters {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub skipped_binary: AtomicU64,
    pub skipped_size: AtomicU64,
    pub skipped_error: AtomicU64,
    pub skipped_other: AtomicU64,
    pub suppressed: AtomicU64,
    pub placeholders: AtomicU64,
    pub commits: AtomicU64,
    pub incomplete: AtomicBool,
}

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
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A raw secret kept in memory for the verifier. Its `Debug` never shows it, so a panic or a
/// log line cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A finding plus the masked excerpt the pretty reporter shows.
#[derive(Debug, Clone)]
pub struct Reported {
    pub finding: Finding,
    pub snippet: Snippet,
    /// `secret_hash` of the raw secret: lets baselines and history re-derive fingerprints.
    pub secret_hash: String,
    /// The secret itself, only for `--verify`.
    pub raw: Secret,
}

impl Reported {
    /// The same finding at another path (a blob that lives at several paths).
    pub fn at_path(&self, path: &str) -> Reported {
        let mut r = self.clone();
        r.finding.path = path.to_string();
        r.finding.fingerprint = fingerprint(&r.finding.rule_id, path, &r.secret_hash);
        r
    }
}

/// Matcher, allowlist and options: everything needed to judge a blob.
pub struct Engine {
    pub matcher: Matcher,
    allowlist: Allowlist,
    pub options: EngineOptions,
}

/// A rule id in the config that no rule has.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("config disables unknown rule `{0}`")]
#[diagnostic(code(tenscan::config::unknown_rule), help("`tenscan rules list` shows the rule ids"))]
pub struct UnknownRule(pub String);

impl Engine {
    /// Built-in rules adjusted by the config.
    pub fn from_config(config: Config, mut options: EngineOptions) -> Result<Engine, UnknownRule> {
        let mut rules: Vec<Rule> = crate::rules::builtin();
        rules.extend(config.extra_rules);
        for id in &config.disabled_rules {
            if !rules.iter().any(|r| r.id() == id) {
                return Err(UnknownRule(id.clone()));
            }
        }
        rules.retain(|r| !config.disabled_rules.contains(&r.spec.id));
        options.min_confidence = options.min_confidence.or(config.min_confidence);
        options.fail_confidence = options.fail_confidence.or(config.fail_confidence);
        Ok(Engine { matcher: Matcher::new(rules), allowlist: config.allowlist, options })
    }

    pub fn new(rules: Vec<Rule>, options: EngineOptions) -> Engine {
        Engine { matcher: Matcher::new(rules), allowlist: Allowlist::default(), options }
    }

    /// Scans one blob and returns what should be reported, counting what is not.
    pub fn scan_blob(&self, blob: Blob, counters: &Counters) -> Vec<Reported> {
        let (hits, triggers) = self.matcher.scan_with_triggers(blob);
        let mut found: Vec<Candidate> = hits
            .into_iter()
            .map(|hit| Candidate { secret: blob.data[hit.span.clone()].to_vec(), hit, decoded: vec![] })
            .collect();
        if self.options.decode {
            let raw = found.len();
            self.scan_decoded(blob, blob.data, triggers, &|r| r, &[], 1, &mut found);
            found[raw..].sort_by(|a, b| (a.hit.span.start, &a.secret).cmp(&(b.hit.span.start, &b.secret)));
            // A decoded hit replaces a raw one that only matched the encoded text itself
            // (a base64 value assigned to BASETEN_API_KEY); otherwise the raw hit stands.
            let mut replaced = vec![false; raw];
            let mut seen = std::collections::HashSet::new();
            let mut keep = vec![true; found.len()];
            for i in raw..found.len() {
                let c = &found[i];
                for (j, r) in found[..raw].iter().enumerate() {
                    if overlaps(&r.hit.span, &c.hit.span) {
                        if c.hit.span.start <= r.hit.span.start && r.hit.span.end <= c.hit.span.end && r.secret != c.secret {
                            replaced[j] = true;
                        } else {
                            keep[i] = false;
                        }
                    }
                }
                if keep[i] && !seen.insert((c.hit.span.clone(), c.secret.clone())) {
                    keep[i] = false;
                }
            }
            for (j, r) in replaced.into_iter().enumerate() {
                keep[j] = !r;
            }
            let mut k = keep.into_iter();
            found.retain(|_| k.next().unwrap());
        }
        if found.is_empty() {
            return vec![];
        }
        self.report(blob, found, counters)
    }

    /// Decodes the encoded spans of `data` (a blob, or text decoded from one), scans what they
    /// hide, and records hits at their place in the top-level blob (`to_top`).
    fn scan_decoded(
        &self,
        blob: Blob,
        data: &[u8],
        triggers: decode::Triggers,
        to_top: &dyn Fn(Range<usize>) -> Range<usize>,
        chain: &[&'static str],
        depth: usize,
        found: &mut Vec<Candidate>,
    ) {
        let keyword = |b: &[u8]| self.matcher.has_keyword(b);
        for dec in decode::decode_all(blob.path, data, depth > 1, triggers, &keyword) {
            let mut chain = chain.to_vec();
            chain.push(dec.kind);
            let inner = Blob { path: blob.path, data: &dec.text };
            let here = |r: Range<usize>| to_top(dec.source(r));
            // Decoding that only unescaped punctuation can reveal nothing to the shape rules
            // that the raw scan missed; keyword rules still get a look if their words are there.
            let worth = dec.new_tokens || self.matcher.has_keyword(&dec.text);
            for mut hit in if worth { self.matcher.scan(inner) } else { vec![] } {
                let secret = dec.text[hit.span.clone()].to_vec();
                hit.span = here(hit.span);
                hit.suppressed = matcher::allow_comment(blob.data, hit.span.clone()).then_some(matcher::Suppression::AllowComment);
                found.push(Candidate { hit, secret, decoded: chain.clone() });
            }
            // Encodings nest inside base64 and JSON (a Docker config in a Secret); percent-
            // decoded text is not decoded again.
            if depth < decode::MAX_DEPTH && dec.kind != "percent" {
                self.scan_decoded(blob, &dec.text, decode::Triggers::of(&dec.text), &here, &chain, depth + 1, found);
            }
        }
    }

    /// Turns candidates into findings: suppression, placeholders, positions, masking.
    fn report(&self, blob: Blob, found: Vec<Candidate>, counters: &Counters) -> Vec<Reported> {
        let rules = self.matcher.rules();
        let shown = |c: &Candidate| {
            let secret = String::from_utf8_lossy(&c.secret);
            if self.options.reveal {
                secret.into_owned()
            } else {
                mask(&secret, rules[c.hit.rule].spec.reveal)
            }
        };
        let hidden: Vec<_> = found.iter().map(|c| (c.hit.span.clone(), shown(c))).collect();
        let mut out = vec![];
        for (c, (_, secret)) in found.iter().zip(&hidden) {
            let (h, raw) = (&c.hit, &c.secret[..]);
            let rule = &rules[h.rule];
            if h.suppressed.is_some() || self.allowlist.allows(blob.path, raw) {
                counters.suppressed.fetch_add(1, Relaxed);
                continue;
            }
            if h.placeholder.is_some() && !self.options.show_placeholders {
                counters.placeholders.fetch_add(1, Relaxed);
                continue;
            }
            if self.options.min_confidence.is_some_and(|min| h.confidence < min) {
                counters.suppressed.fetch_add(1, Relaxed);
                continue;
            }
            let (line, column, end_line, end_column) = blob::position(blob.data, h.span.clone());
            let hash = secret_hash(raw);
            let finding = Finding {
                rule_id: rule.spec.id.clone(),
                description: rule.spec.description.clone(),
                confidence: h.confidence,
                severity: rule.spec.severity,
                path: blob.path.to_string(),
                line,
                column,
                end_line,
                end_column,
                secret: secret.clone(),
                fingerprint: fingerprint(&rule.spec.id, blob.path, &hash),
                placeholder: h.placeholder.is_some(),
                decoded: c.decoded.iter().map(|k| k.to_string()).collect(),
                commit: None,
                author: None,
                date: None,
                verification: None,
            };
            let snippet = snippet::build(blob.data, line, h.span.clone(), &hidden);
            let raw = Secret(String::from_utf8_lossy(raw).into_owned());
            out.push(Reported { finding, snippet, secret_hash: hash, raw });
        }
        out
    }
}

/// A hit with its secret (decoded, when it came out of an encoded span) and how it was decoded.
struct Candidate {
    hit: Hit,
    secret: Vec<u8>,
    decoded: Vec<&'static str>,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Collects the findings of a run from many threads.
pub struct Collector<'e> {
    pub engine: &'e Engine,
    pub counters: Counters,
    found: Mutex<Vec<Reported>>,
    started: Instant,
    quiet: bool,
}

impl<'e> Collector<'e> {
    pub fn new(engine: &'e Engine, quiet: bool) -> Self {
        Collector { engine, counters: Counters::default(), found: Mutex::new(vec![]), started: Instant::now(), quiet }
    }

    /// A problem with one input; the caller counts it.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "warning: {message}");
        }
    }

    /// Something skipped on purpose that the user may want to know about.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "note: {message}");
        }
    }

    /// Scans one blob that a source read and counts it.
    pub fn blob(&self, blob: Blob) {
        self.count_blob(blob.data.len());
        self.extend(self.engine.scan_blob(blob, &self.counters));
    }

    /// Adds findings a source produced itself (git sources attribute them to commits).
    pub fn extend(&self, found: Vec<Reported>) {
        if !found.is_empty() {
            self.found.lock().unwrap().extend(found);
        }
    }

    /// Counts one blob read by a source that calls the engine itself.
    pub fn count_blob(&self, len: usize) {
        self.counters.files.fetch_add(1, Relaxed);
        self.counters.bytes.fetch_add(len as u64, Relaxed);
    }

    /// The findings in a stable order, with the run's statistics.
    pub fn finish(self) -> (Vec<Reported>, Stats) {
        let mut found = self.found.into_inner().unwrap();
        found.sort_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
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
