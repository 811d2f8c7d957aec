//! Detector rules: the TOML format in `rules/`, its validation and compilation, and the
//! built-in rule set embedded at build time.
use crate::checks::Requirements;
use crate::finding::{Confidence, Severity};
use regex::bytes::Regex;
use serde::Deserialize;
use std::ops::Range;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A rule exactly as written in a TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub description: String,
    pub severity: Severity,
    /// Regex over raw bytes; the first capture group that takes part in a match is the secret.
    pub regex: String,
    /// The prefilter: the rule runs only on blobs containing one of these, spelled in lower,
    /// UPPER or Title case (list other spellings explicitly). Empty: runs on every blob.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regexes on the blob's path; when non-empty the rule only applies to matching paths.
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub min_length: usize,
    #[serde(default)]
    pub min_entropy: f64,
    /// Character classes the secret must contain: any of "upper", "lower", "digit".
    #[serde(default)]
    pub require_classes: Vec<String>,
    /// Minimum fraction of adjacent characters that change class (rejects camelCase words).
    #[serde(default)]
    pub min_transition_ratio: f64,
    /// The secret must not be glued to other token characters or be part of a dotted chain.
    #[serde(default)]
    pub standalone: bool,
    /// Reject a secret whose dot-separated parts all read as code identifiers
    /// (`Security.SecIdentityCreateWithCertificate`).
    #[serde(default)]
    pub reject_identifiers: bool,
    /// A byte every match contains (`.` in `PREFIX.SECRET`): the regex then runs only around
    /// its occurrences instead of over the whole text. A rule without keywords runs on every
    /// blob, and this keeps it from costing a full regex pass. Needs a regex of bounded length.
    #[serde(default)]
    pub anchor: Option<String>,
    /// With `anchor`: how many letters or digits must stand right before and right after it
    /// for a match to be possible (a cheap check before the regex runs).
    #[serde(default)]
    pub anchor_alnum: Option<(usize, usize)>,
    /// Regexes that mark the captured value as a reference or non-secret (e.g. `^\$`).
    #[serde(default)]
    pub reject: Vec<String>,
    /// How many leading characters of the secret are public and may be shown (at most 8).
    #[serde(default = "default_reveal")]
    pub reveal: usize,
    #[serde(default)]
    pub context: ContextSpec,
    /// Shown to the user: how to fix a finding of this rule.
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

fn default_reveal() -> usize {
    4
}

/// Words near a hit that make it more likely to be a Baseten secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    #[serde(default)]
    pub words: Vec<String>,
    /// Lines above and below the hit searched for words (0 = the hit's own lines).
    #[serde(default = "default_context_lines")]
    pub lines: usize,
    /// Without context the hit is dropped.
    #[serde(default)]
    pub required: bool,
    /// Words anywhere in the text that lower the hit to low confidence: another service
    /// that uses the same shape (`rest_framework_api_key`).
    #[serde(default)]
    pub lowering: Vec<String>,
    /// Confidence of a hit with context words nearby.
    #[serde(default = "high")]
    pub with: Confidence,
    /// Confidence of a hit without them.
    #[serde(default = "medium")]
    pub without: Confidence,
}

impl Default for ContextSpec {
    fn default() -> Self {
        ContextSpec {
            words: vec![],
            lines: default_context_lines(),
            required: false,
            lowering: vec![],
            with: high(),
            without: medium(),
        }
    }
}

fn default_context_lines() -> usize {
    3
}
fn high() -> Confidence {
    Confidence::High
}
fn medium() -> Confidence {
    Confidence::Medium
}

/// A rule example: the text alone, or text with the path it would live at.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    WithPath { path: String, text: String },
}

impl Example {
    pub fn path(&self) -> &str {
        match self {
            Example::Text(_) => "example.txt",
            Example::WithPath { path, .. } => path,
        }
    }
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) | Example::WithPath { text: t, .. } => t,
        }
    }
}

/// Why a rule file could not be used. Messages and excerpts have secret-shaped tokens masked:
/// a rule's examples hold made-up keys, and a user's may hold real ones.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RuleError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Toml(Box<RuleFileError>),
    #[error("{origin}: rule `{id}`: invalid {field} regex: {message}")]
    #[diagnostic(code(tenscan::rules::regex))]
    Regex {
        origin: String,
        id: String,
        field: &'static str,
        message: String,
    },
    #[error("{origin}: rule `{id}`: {message}")]
    #[diagnostic(code(tenscan::rules::invalid))]
    Invalid {
        origin: String,
        id: String,
        message: String,
    },
}

/// A rule file that is not valid TOML for a rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid rule file {origin}: {message}")]
#[diagnostic(code(tenscan::rules::invalid))]
pub struct RuleFileError {
    origin: String,
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    at: Option<miette::SourceSpan>,
}

/// The anchored way to run a rule's regex (see `RuleSpec::anchor`).
#[derive(Debug, Clone)]
struct Anchored {
    byte: u8,
    before: usize,
    after: usize,
    max_len: usize,
    re: regex_automata::meta::Regex,
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub origin: String,
    pub regex: Regex,
    anchored: Option<Anchored>,
    pub paths: Vec<Regex>,
    pub reject: Vec<Regex>,
    pub requirements: Requirements,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    pub fn applies_to(&self, path: &str) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|r| r.is_match(path.as_bytes()))
    }

    /// The secret's span in one regex match: the first participating capture group.
    pub fn secret_span(&self, caps: &regex::bytes::Captures) -> Option<Range<usize>> {
        (1..caps.len()).find_map(|i| caps.get(i)).map(|m| m.range())
    }

    /// The secret spans of every match of the regex in `hay`, in order: what
    /// `regex.captures_iter` gives, found around the anchor's occurrences when the rule has
    /// one (`tests/properties.rs` checks that both ways agree).
    pub fn secret_spans(&self, hay: &[u8], out: &mut Vec<Range<usize>>) {
        match &self.anchored {
            None => out.extend(
                self.regex
                    .captures_iter(hay)
                    .filter_map(|c| self.secret_span(&c)),
            ),
            Some(a) => a.spans(hay, out),
        }
    }

    /// Like `secret_spans`, always with a full pass of the regex (for tests).
    pub fn secret_spans_unanchored(&self, hay: &[u8]) -> Vec<Range<usize>> {
        self.regex
            .captures_iter(hay)
            .filter_map(|c| self.secret_span(&c))
            .collect()
    }

    pub fn compile(spec: RuleSpec, origin: &str) -> Result<Rule, RuleError> {
        let bad = |message: String| RuleError::Invalid {
            origin: origin.into(),
            id: spec.id.clone(),
            message,
        };
        if spec.id.is_empty()
            || !spec
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad(
                "id must be non-empty lowercase letters, digits and hyphens".into(),
            ));
        }
        if spec.reveal > 8 {
            return Err(bad("reveal may show at most 8 characters".into()));
        }
        let re = |field: &'static str, pattern: &str| {
            Regex::new(pattern).map_err(|e| RuleError::Regex {
                origin: origin.into(),
                id: spec.id.clone(),
                field,
                message: crate::report::mask::mask_tokens(&e.to_string()),
            })
        };
        let regex = re("regex", &spec.regex)?;
        if regex.captures_len() < 2 {
            return Err(bad("regex needs a capture group around the secret".into()));
        }
        let paths = spec
            .paths
            .iter()
            .map(|p| re("paths", p))
            .collect::<Result<_, _>>()?;
        let reject = spec
            .reject
            .iter()
            .map(|p| re("reject", p))
            .collect::<Result<_, _>>()?;
        let mut requirements = Requirements {
            min_length: spec.min_length,
            min_entropy: spec.min_entropy,
            min_transition_ratio: spec.min_transition_ratio,
            reject_identifiers: spec.reject_identifiers,
            ..Default::default()
        };
        for class in &spec.require_classes {
            match class.as_str() {
                "upper" => requirements.require_upper = true,
                "lower" => requirements.require_lower = true,
                "digit" => requirements.require_digit = true,
                other => {
                    return Err(bad(format!(
                        "unknown character class `{other}` (upper, lower, digit)"
                    )))
                }
            }
        }
        let anchored = match &spec.anchor {
            None => None,
            Some(a) => {
                let [byte] = a.as_bytes() else {
                    return Err(bad("anchor must be a single byte".into()));
                };
                let max_len = regex_syntax::ParserBuilder::new()
                    .utf8(false)
                    .build()
                    .parse(&spec.regex)
                    .ok()
                    .and_then(|h| h.properties().maximum_len())
                    .ok_or_else(
                        || bad("an anchored rule needs a regex of bounded length".into()),
                    )?;
                let re = regex_automata::meta::Builder::new()
                    .configure(regex_automata::meta::Config::new().utf8_empty(false))
                    .syntax(regex_automata::util::syntax::Config::new().utf8(false))
                    .build(&spec.regex)
                    .map_err(|e| bad(format!("invalid regex: {e}")))?;
                let (before, after) = spec.anchor_alnum.unwrap_or((0, 0));
                Some(Anchored {
                    byte: *byte,
                    before,
                    after,
                    max_len,
                    re,
                })
            }
        };
        Ok(Rule {
            spec,
            origin: origin.into(),
            regex,
            anchored,
            paths,
            reject,
            requirements,
        })
    }
}

impl Anchored {
    fn spans(&self, hay: &[u8], out: &mut Vec<Range<usize>>) {
        let mut caps = self.re.create_captures();
        let mut next = 0;
        let alnum = |r: Range<usize>| {
            hay.get(r)
                .is_some_and(|s| s.iter().all(u8::is_ascii_alphanumeric))
        };
        for p in memchr::memchr_iter(self.byte, hay) {
            if p < next
                || p < self.before
                || !alnum(p - self.before..p)
                || !alnum(p + 1..p + 1 + self.after)
            {
                continue;
            }
            // Every match holds an anchor; the one holding this anchor lies within max_len
            // of it. The search sees the bytes around its span, so boundaries (`\b`) hold.
            let start = p.saturating_sub(self.max_len).max(next);
            let end = (p + 1 + self.max_len).min(hay.len());
            self.re
                .search_captures(&regex_automata::Input::new(hay).span(start..end), &mut caps);
            let Some(m) = caps.get_match() else { continue };
            if m.start() <= p && p < m.end() {
                if let Some(s) = (1..caps.group_len()).find_map(|i| caps.get_group(i)) {
                    out.push(s.range());
                }
                next = m.end().max(m.start() + 1);
            }
        }
    }
}

/// Parses one TOML rule file.
pub fn parse_rule(text: &str, origin: &str) -> Result<Rule, RuleError> {
    let spec: RuleSpec = toml::from_str(text).map_err(|e| {
        RuleError::Toml(Box::new(RuleFileError {
            origin: origin.into(),
            message: crate::report::mask::mask_tokens(e.message()),
            src: miette::NamedSource::new(
                origin,
                crate::report::mask::mask_tokens_keeping_offsets(text),
            ),
            at: e.span().map(Into::into),
        }))
    })?;
    Rule::compile(spec, origin)
}

/// The rules compiled into the binary.
pub fn builtin() -> Vec<Rule> {
    BUILTIN_RULES
        .iter()
        .map(|(name, text)| {
            parse_rule(text, name).unwrap_or_else(|e| panic!("built-in rule is invalid: {e}"))
        })
        .collect()
}
