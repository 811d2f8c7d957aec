//! The matcher: keyword prefilter → rule regexes → candidate checks → context and allow
//! comments. Turns one blob's bytes into `Hit`s; knows nothing of files, git or output.
use crate::blob::{line_end, line_start, line_window, Blob};
use crate::checks::{is_standalone, Verdict};
use crate::decode::{self, Triggers};
use crate::finding::Confidence;
use crate::rules::Rule;
use aho_corasick::{AhoCorasick, Input, MatchKind};
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
    /// One automaton over every keyword spelled lower, UPPER and Title case (leftmost-longest,
    /// so SIMD prefilters apply).
    prefilter: Option<AhoCorasick>,
    /// Rules a match of keyword i enables: those of i and of every keyword inside it, so a
    /// shorter keyword hidden by a longer match at the same place still counts.
    keyword_rules: Vec<Vec<usize>>,
    /// Decoders a match of pattern i calls for (see `decode::TRIGGERS`).
    pattern_triggers: Vec<Triggers>,
    context: Vec<Option<AhoCorasick>>,
}

impl Matcher {
    pub fn new(rules: Vec<Rule>) -> Matcher {
        let mut ungated = vec![];
        let mut keywords: Vec<String> = vec![];
        for (i, r) in rules.iter().enumerate() {
            if r.spec.keywords.is_empty() {
                ungated.push(i);
            }
            keywords.extend(r.spec.keywords.iter().map(|k| k.to_ascii_lowercase()));
        }
        keywords.sort();
        keywords.dedup();
        // Case-sensitive spellings (lower, UPPER, Title) keep the automaton's SIMD prefilter,
        // which ASCII case-insensitive search over common letters would lose (3x slower).
        let mut spellings: Vec<String> = keywords.iter().flat_map(|k| [k.clone(), k.to_ascii_uppercase(), title(k)]).collect();
        // Decoder triggers ride along in the same pass, spelled exactly.
        spellings.extend(decode::TRIGGERS.iter().map(|(w, _)| w.to_string()));
        let pattern_triggers = spellings
            .iter()
            .map(|p| {
                let mut t = Triggers::default();
                for (w, kind) in decode::TRIGGERS {
                    if p.contains(w) {
                        t.set(*kind);
                    }
                }
                t
            })
            .collect();
        let keyword_rules = spellings
            .iter()
            .map(|outer| {
                let outer = outer.to_ascii_lowercase();
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.spec.keywords.iter().any(|k| outer.contains(&k.to_ascii_lowercase())))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let prefilter = (!spellings.is_empty()).then(|| {
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&spellings).expect("keyword automaton")
        });
        let context = rules
            .iter()
            .map(|r| {
                (!r.spec.context.words.is_empty()).then(|| {
                    AhoCorasick::builder().ascii_case_insensitive(true).build(&r.spec.context.words).expect("context automaton")
                })
            })
            .collect();
        Matcher { rules, ungated, prefilter, keyword_rules, pattern_triggers, context }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether any rule keyword occurs in `data`.
    pub fn has_keyword(&self, data: &[u8]) -> bool {
        let Some(ac) = &self.prefilter else { return false };
        let mut at = 0;
        while let Some(m) = ac.find(Input::new(data).span(at..data.len())) {
            if !self.keyword_rules[m.pattern().as_usize()].is_empty() {
                return true;
            }
            at = m.start() + 1;
        }
        false
    }

    /// All hits in one blob, overlapping hits reduced to the most specific one, in order.
    pub fn scan(&self, blob: Blob) -> Vec<Hit> {
        self.scan_with_triggers(blob).0
    }

    /// The hits, and which decoders the blob calls for (found in the same keyword pass).
    pub fn scan_with_triggers(&self, blob: Blob) -> (Vec<Hit>, Triggers) {
        let mut enabled = vec![false; self.rules.len()];
        for &i in &self.ungated {
            enabled[i] = true;
        }
        let mut triggers = Triggers::default();
        if let Some(ac) = &self.prefilter {
            let mut remaining = self.rules.len() - self.ungated.len();
            let mut at = 0;
            // Restart one byte after each match start: every position where a keyword
            // starts is seen, with the longest keyword there.
            while remaining > 0 || !triggers.base64 {
                let Some(m) = ac.find(Input::new(blob.data).span(at..blob.data.len())) else { break };
                let p = m.pattern().as_usize();
                for &r in &self.keyword_rules[p] {
                    if !enabled[r] {
                        enabled[r] = true;
                        remaining -= 1;
                    }
                }
                triggers.base64 |= self.pattern_triggers[p].base64;
                at = m.start() + 1;
            }
        }
        let mut hits = vec![];
        for (i, rule) in self.rules.iter().enumerate() {
            if enabled[i] && rule.applies_to(blob.path) {
                self.scan_rule(i, rule, blob, &mut hits);
            }
        }
        (reduce_overlaps(hits, &self.rules), triggers)
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

/// `api-key` → `Api-Key`: each alphanumeric run capitalised.
fn title(k: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in k.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = !c.is_ascii_alphanumeric();
    }
    out
}

const ALLOW: &[u8] = b"tenscan:allow";
const ALLOW_NEXT: &[u8] = b"tenscan:allow-next-line";

/// `tenscan:allow` on a line of the span, or `tenscan:allow-next-line` on the line above it.
pub fn allow_comment(data: &[u8], span: Range<usize>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_capitalises_each_run() {
        assert_eq!(title("api-key"), "Api-Key");
        assert_eq!(title("baseten.login"), "Baseten.Login");
    }

    #[test]
    fn a_shorter_keyword_inside_a_longer_match_still_enables_its_rule() {
        let rules = crate::rules::builtin();
        let m = Matcher::new(rules);
        let env = m.rules().iter().position(|r| r.id() == "baseten-env-assignment").unwrap();
        let idx = m.prefilter.as_ref().unwrap().find("baseten.login").unwrap().pattern().as_usize();
        assert!(m.keyword_rules[idx].contains(&env));
    }
}
