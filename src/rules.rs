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

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub origin: String,
    pub regex: Regex,
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
        Ok(Rule {
            spec,
            origin: origin.into(),
            regex,
            paths,
            reject,
            requirements,
        })
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
