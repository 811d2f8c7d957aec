//! Baselines: findings a team has accepted, stored as rule + path + a hash of the secret
//! (never the secret), sorted for clean diffs, matched so they survive line moves,
//! reformatting, renames and rebases. Hashes are plain SHA-256, or HMAC-SHA-256 with
//! `TENSCAN_HASH_KEY`; a secret too weak for a plain hash is never written without a key.
use crate::finding::Finding;
use crate::hashing;
use crate::tomlfile::{Kind, TomlFileError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    /// `hashing::sha256` of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    /// `hashing::hmac` of the secret with the key in `TENSCAN_HASH_KEY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hmac: Option<String>,
}

impl Entry {
    fn hash(&self) -> Option<(hashing::Kind, &str)> {
        match (&self.secret_sha256, &self.secret_hmac) {
            (Some(h), None) => Some((hashing::Kind::Sha256, h)),
            (None, Some(h)) => Some((hashing::Kind::Hmac, h)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    #[serde(default, rename = "finding")]
    pub entries: Vec<Entry>,
}

pub type BaselineError = TomlFileError;

const FILE: Kind = Kind {
    what: "baseline",
    help: "write a new one with --write-baseline",
};

/// Why a baseline could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{count} finding(s) hold secrets too short for a plain hash (one could brute-force them back from the baseline), e.g. {example}")]
#[diagnostic(
    code(tenscan::baseline::weak),
    help("set TENSCAN_HASH_KEY to a secret of your own (kept outside the repository, e.g. in CI secrets) so the baseline stores keyed hashes; or remove or allowlist those findings")
)]
pub struct WeakSecrets {
    pub count: usize,
    pub example: String,
}

/// Which findings a baseline suppresses, and which of its entries matched something.
pub struct Applied {
    pub kept: Vec<Finding>,
    pub suppressed: u64,
    pub used: Vec<bool>,
}

impl Baseline {
    /// A baseline of `found`; refuses secrets whose plain hash would reveal them.
    pub fn from_findings(found: &[Finding]) -> Result<Baseline, WeakSecrets> {
        let key = hashing::key();
        let weak: Vec<&Finding> = found
            .iter()
            .filter(|f| key.is_none() && hashing::is_weak(f.secret.expose().as_bytes()))
            .collect();
        if let Some(first) = weak.first() {
            return Err(WeakSecrets {
                count: weak.len(),
                example: format!("{}:{} ({})", first.path, first.line, first.rule_id),
            });
        }
        let mut entries: Vec<Entry> = found
            .iter()
            .map(|f| {
                let secret = f.secret.expose().as_bytes();
                let (sha, hmac) = match key {
                    Some(k) => (None, Some(hashing::hmac(k, secret))),
                    None => (Some(hashing::sha256(secret)), None),
                };
                Entry {
                    rule: f.rule_id.clone(),
                    path: f.path.clone(),
                    secret_sha256: sha,
                    secret_hmac: hmac,
                }
            })
            .collect();
        entries.sort();
        entries.dedup();
        Ok(Baseline {
            version: VERSION,
            entries,
        })
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        Baseline::parse(&FILE.read(path)?, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let b: Baseline = FILE.parse(path, text)?;
        if b.version != VERSION {
            return Err(FILE.invalid(
                path,
                text,
                format!(
                    "unsupported version {} (this tenscan writes {VERSION})",
                    b.version
                ),
                None,
            ));
        }
        for (i, e) in b.entries.iter().enumerate() {
            if e.hash().is_none() {
                return Err(FILE.invalid(
                    path,
                    text,
                    format!(
                        "entry {} needs exactly one of secret_sha256 and secret_hmac",
                        i + 1
                    ),
                    None,
                ));
            }
            if e.secret_hmac.is_some() && hashing::key().is_none() {
                return Err(FILE.invalid(
                    path,
                    text,
                    "it holds keyed hashes (secret_hmac) but TENSCAN_HASH_KEY is not set".into(),
                    None,
                ));
            }
        }
        Ok(b)
    }

    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# tenscan baseline: findings accepted on purpose. Entries hold hashes, never secrets.\n\
             # Regenerate with --write-baseline; drop stale entries with `tenscan baseline prune`.\n",
        );
        out.push_str(&toml::to_string(self).expect("baseline serializes"));
        out
    }

    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        FILE.write(path, &self.to_toml())
    }

    /// Suppresses findings with an entry of the same rule and secret: first those at the same
    /// path, then (renames, moved files) any left over. Each entry suppresses one finding per
    /// path at most once, so a key copied to a new file is still reported.
    pub fn apply(&self, found: Vec<Finding>) -> Applied {
        let mut by_secret: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Some((_, h)) = e.hash() {
                by_secret.entry((e.rule.as_str(), h)).or_default().push(i);
            }
        }
        let kinds = [hashing::Kind::Sha256, hashing::Kind::Hmac]
            .into_iter()
            .filter(|k| {
                self.entries
                    .iter()
                    .any(|e| e.hash().is_some_and(|(ek, _)| ek == *k))
            });
        let kinds: Vec<hashing::Kind> = kinds.collect();
        let hashes: Vec<Vec<String>> = found
            .iter()
            .map(|f| {
                let s = f.secret.expose().as_bytes();
                kinds
                    .iter()
                    .filter_map(|k| match k {
                        hashing::Kind::Sha256 => Some(hashing::sha256(s)),
                        hashing::Kind::Hmac => hashing::key().map(|key| hashing::hmac(key, s)),
                    })
                    .collect()
            })
            .collect();
        let mut used = vec![false; self.entries.len()];
        let mut matched = vec![false; found.len()];
        // Pass 1: exact path. Pass 2: same rule and secret anywhere.
        for exact in [true, false] {
            for (fi, f) in found.iter().enumerate() {
                if matched[fi] {
                    continue;
                }
                let candidates = hashes[fi]
                    .iter()
                    .filter_map(|h| by_secret.get(&(f.rule_id.as_str(), h.as_str())))
                    .flatten();
                let hit = candidates.copied().find(|&ei| {
                    if exact {
                        self.entries[ei].path == f.path
                    } else {
                        !used[ei]
                    }
                });
                if let Some(ei) = hit {
                    used[ei] = true;
                    matched[fi] = true;
                }
            }
        }
        let suppressed = matched.iter().filter(|&&m| m).count() as u64;
        let kept = found
            .into_iter()
            .zip(matched)
            .filter(|(_, m)| !m)
            .map(|(f, _)| f)
            .collect();
        Applied {
            kept,
            suppressed,
            used,
        }
    }

    /// The baseline without the entries `used` marks as unmatched.
    pub fn pruned(&self, used: &[bool]) -> Baseline {
        let entries = self
            .entries
            .iter()
            .zip(used)
            .filter(|(_, &u)| u)
            .map(|(e, _)| e.clone())
            .collect();
        Baseline {
            version: VERSION,
            entries,
        }
    }
}
