//! The engine. `scan` runs the matcher and the decoders over an admitted text once and keeps
//! every candidate with what does not depend on a path (secret, positions, excerpt, context
//! on its lines, allow comments). `judge` decides, for one path the text is known by, which
//! candidates are findings: the rules that apply there, context from the path, allowlists,
//! placeholders and confidence. A blob that lives at ten paths is matched once, judged ten
//! times.
use crate::config::{Allowlist, Config};
use crate::decode;
use crate::finding::{Confidence, Finding, Form, Secret};
use crate::hashing;
use crate::lines::{end_of, Cursor, Position};
use crate::matcher::{self, Hit, Matcher};
use crate::report::excerpt::{Excerpt, SpanIndex};
use crate::rules::Rule;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// What the user asked of the engine.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub show_placeholders: bool,
    /// Findings below this confidence are dropped.
    pub min_confidence: Option<Confidence>,
    /// Findings below this confidence are reported but do not fail the run.
    pub fail_confidence: Option<Confidence>,
    /// Look inside JSON escapes, base64, percent-encoding and archives.
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

/// A possible secret in a text, before any path is known.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub rule: usize,
    /// Where it sits in the text (for a decoded secret: the encoded span).
    pub span: Range<usize>,
    pub secret: Secret,
    pub hash: String,
    pub decoded: Vec<&'static str>,
    /// The text at `span`, when the secret was decoded from it.
    pub written: Option<Secret>,
    pub placeholder: Option<&'static str>,
    /// A context word of the rule is on the lines around it.
    pub context: bool,
    pub allowed: bool,
    /// A lowering word of the rule is in the text.
    pub lowered: bool,
    pub start: Position,
    pub end: Position,
    pub excerpt: Excerpt,
}

/// A candidate the judge reports at a path, with the confidence it has there.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub candidate: usize,
    pub confidence: Confidence,
}

/// Matcher, allowlist and options: everything needed to judge a text.
pub struct Engine {
    pub matcher: Matcher,
    allowlist: Allowlist,
    pub options: EngineOptions,
}

/// A rule id in the config that no rule has.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("config disables unknown rule `{0}`")]
#[diagnostic(
    code(tenscan::config::unknown_rule),
    help("`tenscan rules list` shows the rule ids")
)]
pub struct UnknownRule(pub String);

/// A hit with its secret (decoded, when it came out of an encoded span) and how it was decoded.
struct Raw {
    hit: Hit,
    secret: Vec<u8>,
    decoded: Vec<&'static str>,
}

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
        Ok(Engine {
            matcher: Matcher::new(rules),
            allowlist: config.allowlist,
            options,
        })
    }

    pub fn new(rules: Vec<Rule>, options: EngineOptions) -> Engine {
        Engine {
            matcher: Matcher::new(rules),
            allowlist: Allowlist::default(),
            options,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        self.matcher.rules()
    }

    /// Every candidate in `text`, sorted by position.
    pub fn scan(&self, text: &[u8]) -> Vec<Candidate> {
        let (hits, triggers) = self.matcher.scan(text);
        let mut raw: Vec<Raw> = hits
            .into_iter()
            .map(|hit| Raw {
                secret: text[hit.span.clone()].to_vec(),
                hit,
                decoded: vec![],
            })
            .collect();
        if self.options.decode {
            self.scan_decoded(text, text, triggers, &|r| r, &[], 1, &mut raw);
        }
        if raw.is_empty() {
            return vec![];
        }
        raw.sort_by(|a, b| {
            (a.hit.span.start, a.hit.span.end, a.hit.rule, &a.secret).cmp(&(
                b.hit.span.start,
                b.hit.span.end,
                b.hit.rule,
                &b.secret,
            ))
        });
        raw.dedup_by(|a, b| {
            a.hit.span == b.hit.span && a.hit.rule == b.hit.rule && a.secret == b.secret
        });
        let spans = SpanIndex::new(raw.iter().map(|r| r.hit.span.clone()).collect());
        let mut cursor = Cursor::new(text);
        let rules = self.matcher.rules();
        raw.into_iter()
            .map(|r| {
                let start = cursor.at(r.hit.span.start);
                let end = end_of(text, r.hit.span.clone(), start);
                let excerpt = Excerpt::extract(text, r.hit.span.clone(), start.line, &spans);
                let hash = hashing::secret_hash(&r.secret, rules[r.hit.rule].spec.reveal);
                let written =
                    (!r.decoded.is_empty()).then(|| Secret::new(&text[r.hit.span.clone()]));
                Candidate {
                    rule: r.hit.rule,
                    span: r.hit.span,
                    secret: Secret::new(&r.secret),
                    hash,
                    written,
                    decoded: r.decoded,
                    placeholder: r.hit.placeholder,
                    context: r.hit.context,
                    allowed: r.hit.allowed,
                    lowered: r.hit.lowered,
                    start,
                    end,
                    excerpt,
                }
            })
            .collect()
    }

    /// Decodes the encoded spans of `data` (the text, or text decoded from it), scans what
    /// they hide, and records hits at their place in the top-level text (`to_top`).
    #[allow(clippy::too_many_arguments)]
    fn scan_decoded(
        &self,
        top: &[u8],
        data: &[u8],
        triggers: decode::Triggers,
        to_top: &dyn Fn(Range<usize>) -> Range<usize>,
        chain: &[&'static str],
        depth: usize,
        found: &mut Vec<Raw>,
    ) {
        let keyword = |b: &[u8]| self.matcher.has_keyword(b);
        decode::decode_each(data, triggers, &keyword, &mut |dec| {
            let mut chain = chain.to_vec();
            chain.push(dec.kind);
            let here = |r: Range<usize>| to_top(dec.source(r));
            // Decoding that only unescaped punctuation can reveal nothing to the shape rules
            // that the raw scan missed; keyword rules still get a look if their words are there.
            if dec.new_tokens || self.matcher.has_keyword(&dec.text) {
                for mut hit in self.matcher.scan(&dec.text).0 {
                    let secret = dec.text[hit.span.clone()].to_vec();
                    hit.span = here(hit.span);
                    hit.allowed = matcher::allow_comment(top, hit.span.clone());
                    found.push(Raw {
                        hit,
                        secret,
                        decoded: chain.clone(),
                    });
                }
            }
            // Encodings nest inside base64 and JSON (a Docker config in a Secret); percent-
            // decoded text is not decoded again.
            if depth < decode::MAX_DEPTH && dec.kind != "percent" {
                self.scan_decoded(
                    top,
                    &dec.text,
                    decode::Triggers::of(&dec.text),
                    &here,
                    &chain,
                    depth + 1,
                    found,
                );
            }
        });
    }

    /// The candidates reported at `path` (rule paths and path context use it) with their
    /// confidence there, counting those suppressed or hidden. `allow_path` is the path as the
    /// config's allowlist sees it (relative to the config file).
    pub fn judge(
        &self,
        cands: &[Candidate],
        path: &str,
        allow_path: &str,
        counters: &Counters,
    ) -> Vec<Verdict> {
        let rules = self.matcher.rules();
        let mut path_context: Vec<Option<bool>> = vec![None; rules.len()];
        let mut live: Vec<Verdict> = Vec::with_capacity(cands.len());
        for (i, c) in cands.iter().enumerate() {
            let rule = &rules[c.rule];
            if !rule.applies_to(path) {
                continue;
            }
            let ctx = c.context
                || *path_context[c.rule]
                    .get_or_insert_with(|| self.matcher.path_context(c.rule, path));
            let spec = &rule.spec.context;
            if spec.required && !ctx {
                continue;
            }
            let confidence = if c.placeholder.is_some() || c.lowered {
                Confidence::Low
            } else if ctx {
                spec.with
            } else {
                spec.without
            };
            live.push(Verdict {
                candidate: i,
                confidence,
            });
        }
        let live = prefer_decoded(cands, live);
        let live = reduce_overlaps(cands, rules, live);
        let mut out = Vec::with_capacity(live.len());
        for v in live {
            let c = &cands[v.candidate];
            if c.allowed
                || self
                    .allowlist
                    .allows(allow_path, c.secret.expose().as_bytes())
            {
                counters.suppressed.fetch_add(1, Relaxed);
            } else if c.placeholder.is_some() && !self.options.show_placeholders {
                counters.placeholders.fetch_add(1, Relaxed);
            } else if self
                .options
                .min_confidence
                .is_some_and(|min| v.confidence < min)
            {
                counters.suppressed.fetch_add(1, Relaxed);
            } else {
                out.push(v);
            }
        }
        out
    }

    /// Scans `text` and judges it at `path` (also as the allowlist's path): what a source
    /// reports for a text with no admission step before it (rule examples, tests, fuzzing).
    pub fn findings(&self, text: &[u8], path: &str, counters: &Counters) -> Vec<Finding> {
        let cands = self.scan(text);
        self.judge(&cands, path, path, counters)
            .into_iter()
            .map(|v| self.finding(&cands[v.candidate], v.confidence, path, Form::Plain))
            .collect()
    }

    /// The finding for a judged candidate at `path`, in a text stored as `form`.
    pub fn finding(
        &self,
        c: &Candidate,
        confidence: Confidence,
        path: &str,
        form: Form,
    ) -> Finding {
        let rule = &self.matcher.rules()[c.rule];
        Finding {
            rule_id: rule.spec.id.clone(),
            description: rule.spec.description.clone(),
            confidence,
            severity: rule.spec.severity,
            path: path.to_string(),
            line: c.start.line,
            column: c.start.column,
            end_line: c.end.line,
            end_column: c.end.column,
            secret: c.secret.clone(),
            reveal: rule.spec.reveal,
            secret_hash: c.hash.clone(),
            fingerprint: hashing::fingerprint(&rule.spec.id, path, &c.hash),
            placeholder: c.placeholder.is_some(),
            decoded: c.decoded.iter().map(|k| k.to_string()).collect(),
            written: c.written.clone(),
            form,
            commit: None,
            blob: None,
            excerpt: c.excerpt.clone(),
            verification: None,
        }
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// A decoded hit replaces the raw hits it covers that only matched the encoded text itself
/// (a base64 value assigned to BASETEN_API_KEY); a decoded hit overlapping a raw one in any
/// other way is the raw hit seen again, and is dropped.
fn prefer_decoded(cands: &[Candidate], live: Vec<Verdict>) -> Vec<Verdict> {
    let (decoded, raw): (Vec<Verdict>, Vec<Verdict>) = live
        .into_iter()
        .partition(|v| !cands[v.candidate].decoded.is_empty());
    if decoded.is_empty() || raw.is_empty() {
        return raw.into_iter().chain(decoded).collect();
    }
    // Raw candidates are sorted by start; their ends are not, so look back as far as the
    // longest raw span.
    let longest = raw
        .iter()
        .map(|v| cands[v.candidate].span.len())
        .max()
        .unwrap_or(0);
    let mut replaced = vec![false; raw.len()];
    let mut kept = vec![];
    for d in decoded {
        let ds = &cands[d.candidate].span;
        let from = raw.partition_point(|v| cands[v.candidate].span.start + longest <= ds.start);
        let mut keep = true;
        for (j, r) in raw.iter().enumerate().skip(from) {
            let rs = &cands[r.candidate].span;
            if rs.start >= ds.end {
                break;
            }
            if !overlaps(rs, ds) {
                continue;
            }
            if ds.start <= rs.start
                && rs.end <= ds.end
                && cands[r.candidate].secret != cands[d.candidate].secret
            {
                replaced[j] = true;
            } else {
                keep = false;
            }
        }
        if keep {
            kept.push(d);
        }
    }
    let mut out: Vec<Verdict> = raw
        .into_iter()
        .zip(replaced)
        .filter(|(_, r)| !r)
        .map(|(v, _)| v)
        .collect();
    out.extend(kept);
    out.sort_by_key(|v| (cands[v.candidate].span.start, v.candidate));
    out
}

/// Keeps one candidate per group of overlapping spans: a real secret over a placeholder, then
/// the higher confidence, the higher severity, and the earlier rule.
fn reduce_overlaps(cands: &[Candidate], rules: &[Rule], mut live: Vec<Verdict>) -> Vec<Verdict> {
    live.sort_by_key(|v| {
        let c = &cands[v.candidate];
        (c.span.start, c.span.end, c.rule)
    });
    let rank = |v: &Verdict| {
        let c = &cands[v.candidate];
        (
            c.placeholder.is_none(),
            v.confidence,
            rules[c.rule].spec.severity,
            std::cmp::Reverse(c.rule),
        )
    };
    let mut out: Vec<Verdict> = Vec::with_capacity(live.len());
    let mut group_end = 0;
    for v in live {
        let span = &cands[v.candidate].span;
        match out.last_mut() {
            Some(last) if span.start < group_end => {
                group_end = group_end.max(span.end);
                if rank(&v) > rank(last) {
                    *last = v;
                }
            }
            _ => {
                group_end = span.end;
                out.push(v);
            }
        }
    }
    out
}
