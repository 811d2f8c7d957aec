//! The one `Finding` every reporter consumes: what was found, where it was found and how it
//! got there (path, commit), the secret itself, and the excerpt to show. The secret never
//! appears in `Debug`; reporters mask it unless the user passed `--reveal`.
use crate::git::CommitInfo;
use crate::report::excerpt::Excerpt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// GitHub's `security-severity` score for the rule.
    pub fn score(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// A raw secret. Its `Debug` never shows it, so a panic or a log line cannot leak it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(bytes: &[u8]) -> Secret {
        Secret(String::from_utf8_lossy(bytes).into_owned())
    }

    /// The secret in clear: for `--reveal`, the verifier and the scrub plan only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// What Baseten said about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Invalid,
    Unknown,
    Live,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Invalid => "invalid",
            Status::Unknown => "unknown",
        }
    }
}

/// The result of checking a finding against Baseten's API (filled by the verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One secret at one place. Positions are 1-based; columns count characters; the end column
/// is the one just past the secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub description: String,
    pub confidence: Confidence,
    pub severity: Severity,
    /// Where it is reported: relative to the scan root (worktree) or the repository (git);
    /// an archive member is `archive.zip!member/path`.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub secret: Secret,
    /// How many leading characters of the secret are public (the rule's `reveal`).
    pub reveal: usize,
    /// `secret_hash` of the secret (keyed when a hash key is set); never the secret.
    pub secret_hash: String,
    pub fingerprint: String,
    pub placeholder: bool,
    /// How the secret was decoded before it was found (`["json"]`, `["base64"]`, …).
    pub decoded: Vec<String>,
    /// The text as written where a decoded secret was found (the JSON string, the base64).
    pub written: Option<Secret>,
    pub form: Form,
    /// The commit that introduced it (history, ranges, pushes).
    pub commit: Option<Arc<CommitInfo>>,
    /// The git blob it was read from, when it came from git.
    pub blob: Option<String>,
    pub excerpt: Excerpt,
    pub verification: Option<Verification>,
}

/// How the text a secret was found in is stored in its file: what a scrub plan must replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// The file's own bytes.
    Plain,
    /// UTF-16, transcoded before the scan.
    Utf16,
    /// Inside an archive or a gzip stream, the file at `file`: no text replacement reaches it.
    Packed { file: String },
}
