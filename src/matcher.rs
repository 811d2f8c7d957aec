//! The matcher: keyword prefilter → rule regexes → candidate checks → context words and allow
//! comments. Turns one text's bytes into `Hit`s for every rule whose keywords occur, whatever
//! the path: which rules apply at which path is decided later, by the engine's judge, so a
//! blob's bytes are matched once however many paths it lives at.
use crate::checks::{is_standalone, Verdict};
use crate::decode::{self, Triggers};
use crate::lines::{line_end, line_start, line_window};
use crate::rules::Rule;
use aho_corasick::{AhoCorasick, Input, MatchKind};
use memchr::memmem;
use std::ops::Range;

/// One candidate secret in a blob.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the matcher's rules.
    pub rule: usize,
    /// Byte range of the secret in the blob.
    pub span: Range<usize>,
    /// `Some(reason)` when the value looks like a documentation placeholder.
    pub placeholder: Option<&'static str>,
    /// One of the rule's context words is within its window of lines.
    pub context: bool,
    /// `tenscan:allow` on the line, or `tenscan:allow-next-line` on the line above.
    pub allowed: bool,
    /// One of the rule's lowering words is in the text (another service's library).
    pub lowered: bool,
}

/// Compiled rules plus the shared keyword prefilter.
pub struct Matcher {
    rules: Vec<Rule>,
    /// Rules without keywords: run on every blob.
    ungated: Vec<usize>,
    /// One automaton over every keyword and decoder trigger, lowercase, run over the text
    /// with its ASCII case folded: keywords match in any case, as the rules do, and the
    /// search stays case-sensitive, so the automaton keeps its SIMD prefilter (leftmost-
    /// longest, restarted one byte after each match so no keyword is hidden).
    prefilter: Option<AhoCorasick>,
    /// Rules a match of pattern i enables: those of i and of every keyword inside it, so a
    /// shorter keyword hidden by a longer match at the same place still counts.
    keyword_rules: Vec<Vec<usize>>,
    /// Decoders a match of pattern i calls for (see `decode::TRIGGERS`).
    pattern_triggers: Vec<Triggers>,
    context: Vec<Option<AhoCorasick>>,
    /// Words anywhere in a text that lower a rule's hits to low confidence.
    lowering: Vec<Option<AhoCorasick>>,
}

thread_local! {
    /// The text being matched with its ASCII case folded, reused across texts.
    static FOLDED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on `data` with its ASCII letters lowercased (same length, same offsets).
fn folded<R>(data: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    FOLDED.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        b.extend(data.iter().map(u8::to_ascii_lowercase));
        let r = f(&b);
        if b.capacity() > 64 * 1024 * 1024 {
            *b = Vec::new();
        }
        r
    })
}

fn words_automaton(words: &[String]) -> Option<AhoCorasick> {
    (!words.is_empty()).then(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("word automaton")
    })
}

impl Matcher {
    pub fn new(rules: Vec<Rule>) -> Matcher {
        let mut ungated = vec![];
        let mut patterns: Vec<String> = vec![];
        for (i, r) in rules.iter().enumerate() {
            if r.spec.keywords.is_empty() {
                ungated.push(i);
            }
            patterns.extend(r.spec.keywords.iter().map(|k| k.to_ascii_lowercase()));
        }
        // Decoder triggers ride along in the same pass.
        patterns.extend(decode::TRIGGERS.iter().map(|(w, _)| w.to_ascii_lowercase()));
        patterns.sort();
        patterns.dedup();
        let pattern_triggers = patterns
            .iter()
            .map(|p| {
                let mut t = Triggers::default();
                for (w, kind) in decode::TRIGGERS {
                    if p.contains(&w.to_ascii_lowercase()) {
                        t.set(*kind);
                    }
                }
                t
            })
            .collect();
        let keyword_rules = patterns
            .iter()
            .map(|outer| {
                let enables = |r: &Rule| {
                    r.spec
                        .keywords
                        .iter()
                        .any(|k| outer.contains(&k.to_ascii_lowercase()))
                };
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| enables(r))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let prefilter = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .expect("keyword automaton")
        });
        let context = rules
            .iter()
            .map(|r| words_automaton(&r.spec.context.words))
            .collect();
        let lowering = rules
            .iter()
            .map(|r| words_automaton(&r.spec.context.lowering))
            .collect();
        Matcher {
            rules,
            ungated,
            prefilter,
            keyword_rules,
            pattern_triggers,
            context,
            lowering,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether any rule keyword occurs in `data`, in any case.
    pub fn has_keyword(&self, data: &[u8]) -> bool {
        let Some(ac) = &self.prefilter else {
            return false;
        };
        folded(data, |f| {
            let mut at = 0;
            while let Some(m) = ac.find(Input::new(f).span(at..f.len())) {
                if !self.keyword_rules[m.pattern().as_usize()].is_empty() {
                    return true;
                }
                at = m.start() + 1;
            }
            false
        })
    }

    /// Every hit in one text, and which decoders it calls for (found in the same keyword
    /// pass). Hits of different rules may overlap; the judge picks among them.
    pub fn scan(&self, data: &[u8]) -> (Vec<Hit>, Triggers) {
        let mut enabled = vec![false; self.rules.len()];
        for &i in &self.ungated {
            enabled[i] = true;
        }
        let mut triggers = Triggers::default();
        if let Some(ac) = &self.prefilter {
            folded(data, |f| {
                let mut remaining = self.rules.len() - self.ungated.len();
                let mut at = 0;
                // Restart one byte after each match start: every position where a keyword
                // starts is seen, with the longest keyword there.
                while remaining > 0 || !triggers.base64 {
                    let Some(m) = ac.find(Input::new(f).span(at..f.len())) else {
                        break;
                    };
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
            });
        }
        let mut hits = vec![];
        let bounded = escape_boundaries(data);
        let view = bounded.as_deref().unwrap_or(data);
        for (i, rule) in self.rules.iter().enumerate() {
            if enabled[i] {
                self.scan_rule(i, rule, data, view, &mut hits);
            }
        }
        (hits, triggers)
    }

    /// Hits of one rule. `view` is `data` with escape sequences glued to tokens turned into
    /// spaces (same length), so the regex sees the token boundaries a reader sees.
    fn scan_rule(&self, index: usize, rule: &Rule, data: &[u8], view: &[u8], hits: &mut Vec<Hit>) {
        // Context words and allow comments are looked up once per line, not once per hit: a
        // line holding thousands of keys costs linear time.
        let mut context_memo: Option<(Range<usize>, bool)> = None;
        let mut allow_memo: Option<(Range<usize>, bool)> = None;
        let mut lowered: Option<bool> = None;
        let mut spans = vec![];
        rule.secret_spans(view, &mut spans);
        for span in spans {
            if span.is_empty() {
                continue;
            }
            let secret = &data[span.clone()];
            if rule.spec.standalone && !is_standalone(view, span.start, span.end) {
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
            // The lines the hit covers; a memo for them serves every later hit on them.
            let on_memo_line = |m: &Option<(Range<usize>, bool)>| {
                m.as_ref()
                    .filter(|(r, _)| r.start <= span.start && span.end <= r.end)
                    .map(|(_, v)| *v)
            };
            let lines = || line_start(data, span.start)..line_end(data, span.end.min(data.len()));
            let context = match (on_memo_line(&context_memo), &self.context[index]) {
                (_, None) => false,
                (Some(v), _) => v,
                (None, Some(ac)) => {
                    let v = ac
                        .is_match(&data[line_window(data, span.clone(), rule.spec.context.lines)]);
                    context_memo = Some((lines(), v));
                    v
                }
            };
            let allowed = match on_memo_line(&allow_memo) {
                Some(v) => v,
                None => {
                    let v = allow_comment(data, span.clone());
                    allow_memo = Some((lines(), v));
                    v
                }
            };
            let lowered = *lowered.get_or_insert_with(|| {
                self.lowering[index]
                    .as_ref()
                    .is_some_and(|ac| ac.is_match(data))
            });
            hits.push(Hit {
                rule: index,
                span,
                placeholder,
                context,
                allowed,
                lowered,
            });
        }
    }

    /// Whether a path names one of the rule's context words (`.trussrc`, `baseten/…`).
    pub fn path_context(&self, rule: usize, path: &str) -> bool {
        self.context[rule]
            .as_ref()
            .is_some_and(|ac| ac.is_match(path))
    }
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

/// Escape sequences (`\n`, `\t`, `\r`) glued to a token, as in `"line\nKEY"`: a copy of
/// `data` with each such escape replaced by two spaces, so the token stands alone for the
/// regexes at the same offsets; `None` when there is none (the common case costs one memchr
/// pass).
fn escape_boundaries(data: &[u8]) -> Option<Vec<u8>> {
    let glued = |i: usize| {
        matches!(data.get(i + 1), Some(b'n' | b't' | b'r'))
            && data.get(i + 2).is_some_and(u8::is_ascii_alphanumeric)
    };
    let first = memchr::memchr_iter(b'\\', data).find(|&i| glued(i))?;
    let mut out = data.to_vec();
    for i in memchr::memchr_iter(b'\\', &data[first..]).map(|i| i + first) {
        if glued(i) {
            out[i] = b' ';
            out[i + 1] = b' ';
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shorter_keyword_inside_a_longer_match_still_enables_its_rule() {
        let rules = crate::rules::builtin();
        let m = Matcher::new(rules);
        let env = m
            .rules()
            .iter()
            .position(|r| r.id() == "baseten-env-assignment")
            .unwrap();
        let idx = m
            .prefilter
            .as_ref()
            .unwrap()
            .find("baseten.login")
            .unwrap()
            .pattern()
            .as_usize();
        assert!(m.keyword_rules[idx].contains(&env));
    }
}
