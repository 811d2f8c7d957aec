//! The one `Finding` type every reporter consumes, with its masking and fingerprint.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// The result of checking a finding against Baseten's API (filled by the verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One secret at one place. Positions are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub description: String,
    pub confidence: Confidence,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Masked unless the user passed `--reveal`.
    pub secret: String,
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
    /// How the secret was decoded before it was found (`["json"]`, `["base64"]`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// Shows at most `reveal` leading characters (never more than a quarter of the secret, never
/// more than 8), then an ellipsis.
pub fn mask(secret: &str, reveal: usize) -> String {
    let n = secret.chars().count();
    let shown = reveal.min(8).min(n / 4);
    let mut out: String = secret.chars().take(shown).collect();
    out.push('…');
    out
}

/// A stable identifier for "this secret, found by this rule, at this path". It does not
/// depend on the line, so it survives edits that move the secret, and it contains no secret:
/// the secret enters only through SHA-256.
pub fn fingerprint(rule_id: &str, path: &str, secret_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tenscan-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret_hash.as_bytes());
    hex(&h.finalize()[..16])
}

/// SHA-256 of the secret under a tenscan-specific prefix, hex-encoded. Used by baselines and
/// the verifier's cache; never the secret itself.
pub fn secret_hash(secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"tenscan-secret-v1\0");
    h.update(secret);
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_never_shows_more_than_eight_or_a_quarter() {
        assert_eq!(mask("Ab3dE9gH.q7Lm2Nv8Rc1sW4eY6uI0oP5aS2dF9gTx", 8), "Ab3dE9gH…"); // tenscan:allow (made-up key)
        assert_eq!(mask("short", 8), "s…");
        assert_eq!(mask("abcdefghijklmnop", 8), "abcd…");
    }

    #[test]
    fn fingerprint_depends_on_rule_path_and_secret_only() {
        let (s1, s2) = (secret_hash(b"s1"), secret_hash(b"s2"));
        let a = fingerprint("r", "p", &s1);
        assert_eq!(a, fingerprint("r", "p", &s1));
        assert_ne!(a, fingerprint("r", "p", &s2));
        assert_ne!(a, fingerprint("r", "q", &s1));
        assert_eq!(a.len(), 32);
    }
}
