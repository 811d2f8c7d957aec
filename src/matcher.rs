//! The matcher: keyword prefilter → rule regexes → candidate checks → context and allow
//! comments. Turns one blob's bytes into `Hit`s; knows nothing of files, git or output.
use crate::blob::{line_end, line_start, line_window, Blob};
use crate::checks::{is_standalone, Verdict};
use crate::finding::Confidence;
use crate::rules::Rule;
use aho_corasick::AhoCorasick;
use memchr::memmem;
use std::ops::Range;

/// Why a hit is not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// `tenscan:allow` on the line, or `tenscan:allow-next-line` on the line above.
    AllowComment,
}

/// One candidate secret in a blob.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the matcher's rules.
    pub rule: usize,
    /// Byte range of the secret in the blob.
    pub span: Range<usize>,
    pub confidence: Confidence,
    /// `Some(reason)` when the value looks like a documentation placeholder.
    pub placeholder: Option<&'static str>,
    pub suppressed: Option<Suppression>,
}

/// Compiled rules plus the shared keyword prefilter.
pub struct Matcher {
    rules: Vec<Rule>,
    /// Rules without keywords: run on every blob.
    ungated: Vec<usize>,
    /// One automaton over all keywords; pattern i belongs to rule `keyword_rule[i]`.
    prefilter: Option<AhoCorasick>,
    keyword_rule: Vec<usize>,
    context: Vec<Option<AhoCorasick>>,
}

impl Matcher {
    pub fn new(rules: Vec<Rule>) -> Matcher {
        let mut keywords = vec![];
        let mut keyword_rule = vec![];
        let mut ungated = vec![];
        for (i, r) in rules.iter().enumerate() {
            if r.spec.keywords.is_empty() {
                ungated.push(i);
            }
            for k in &r.spec.keywords {
                keywords.push(k.clone());
                keyword_rule.push(i);
            }
        }
        let ac = |words: &[String]| {
            AhoCorasick::builder().ascii_case_insensitive(true).build(words).expect("keyword automaton")
        };
        let prefilter = (!keywords.is_empty()).then(|| ac(&keywords));
        let context = rules
            .iter()
            .map(|r| (!r.spec.context.words.is_empty()).then(|| ac(&r.spec.context.words)))
            .collect();
        Matcher { rules, ungated, prefilter, keyword_rule, context }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// All hits in one blob, overlapping hits reduced to the most specific one, in order.
    pub fn scan(&self, blob: Blob) -> Vec<Hit> {
        let mut enabled = vec![false; self.rules.len()];
        for &i in &self.ungated {
            enabled[i] = true;
        }
        if let Some(ac) = &self.prefilter {
            let mut remaining = self.keyword_rule.len();
            for m in ac.find_overlapping_iter(blob.data) {
                let r = self.keyword_rule[m.pattern().as_usize()];
                if !enabled[r] {
                    enabled[r] = true;
                    remaining -= 1;
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        let mut hits = vec![];
        for (i, rule) in self.rules.iter().enumerate() {
            if enabled[i] && rule.applies_to(blob.path) {
                self.scan_rule(i, rule, blob, &mut hits);
            }
        }
        reduce_overlaps(hits, &self.rules)
    }

    fn scan_rule(&self, index: usize, rule: &Rule, blob: Blob, hits: &mut Vec<Hit>) {
        let data = blob.data;
        for caps in rule.regex.captures_iter(data) {
            let Some(span) = rule.secret_span(&caps) else { continue };
            if span.is_empty() {
                continue;
            }
            let secret = &data[span.clone()];
            if rule.spec.standalone && !is_standalone(data, span.start, span.end) {
                continue;
            }
            if rule.reject.iter().any(|r| r.is_match(secret)) {
                continue;
            }
            let placeholder = match rule.requirements.judge(secret) {
                Verdict::Reject(_) => continue,
                Verdict::Placeholder(why) => Some(why),
                Verdict::Secret => None,
            };
            let ctx = &rule.spec.context;
            let has_context = self.context[index].as_ref().is_some_and(|ac| {
                let window = line_window(data, span.clone(), ctx.lines);
                ac.is_match(&data[window]) || ac.is_match(blob.path)
            });
            if ctx.required && !has_context {
                continue;
            }
            let confidence = if placeholder.is_some() {
                Confidence::Low
            } else if has_context {
                ctx.with
            } else {
                ctx.without
            };
            let suppressed = allow_comment(data, span.clone()).then_some(Suppression::AllowComment);
            hits.push(Hit { rule: index, span, confidence, placeholder, suppressed });
        }
    }
}

const ALLOW: &[u8] = b"tenscan:allow";
const ALLOW_NEXT: &[u8] = b"tenscan:allow-next-line";

/// `tenscan:allow` on a line of the span, or `tenscan:allow-next-line` on the line above it.
fn allow_comment(data: &[u8], span: Range<usize>) -> bool {
    let start = line_start(data, span.start);
    let end = line_end(data, span.end.min(data.len()));
    let lines = &data[start..end];
    let same_line = memmem::find_iter(lines, ALLOW).any(|i| !lines[i..].starts_with(ALLOW_NEXT));
    if same_line {
        return true;
    }
    if start == 0 {
        return false;
    }
    let prev = &data[line_start(data, start - 1)..start - 1];
    memmem::find(prev, ALLOW_NEXT).is_some()
}

/// Keeps one hit per group of overlapping secret spans: a real secret over a placeholder, then
/// the higher confidence, the higher severity, and the earlier rule.
fn reduce_overlaps(mut hits: Vec<Hit>, rules: &[Rule]) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.span.start, h.span.end, h.rule));
    let rank = |h: &Hit| (h.placeholder.is_none(), h.confidence, rules[h.rule].spec.severity, std::cmp::Reverse(h.rule));
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    let mut group_end = 0;
    for h in hits {
        match out.last_mut() {
            Some(last) if h.span.start < group_end => {
                group_end = group_end.max(h.span.end);
                if rank(&h) > rank(last) {
                    *last = h;
                }
            }
            _ => {
                group_end = h.span.end;
                out.push(h);
            }
        }
    }
    out
}
