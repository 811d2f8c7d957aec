//! Baselines: findings a team has accepted, stored as rule + path + secret hash (never the
//! secret), sorted for clean diffs, matched so they survive line moves, reformatting, renames
//! and rebases.
use crate::scan::Reported;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use crate::tomlfile::{Kind, TomlFileError};
use std::path::Path;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    /// `finding::secret_hash` of the secret.
    pub secret_sha256: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    #[serde(default, rename = "finding")]
    pub entries: Vec<Entry>,
}

pub type BaselineError = TomlFileError;

const FILE: Kind = Kind { what: "baseline", help: "write a new one with --write-baseline" };

/// Which findings a baseline suppresses, and which of its entries matched something.
pub struct Applied {
    pub kept: Vec<Reported>,
    pub suppressed: u64,
    pub used: Vec<bool>,
}

impl Baseline {
    pub fn from_findings(found: &[Reported]) -> Baseline {
        let mut entries: Vec<Entry> = found.iter().map(entry).collect();
        entries.sort();
        entries.dedup();
        Baseline { version: VERSION, entries }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        Baseline::parse(&FILE.read(path)?, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let b: Baseline = FILE.parse(path, text)?;
        if b.version != VERSION {
            return Err(FILE.invalid(path, text, format!("unsupported version {} (this tenscan writes {VERSION})", b.version), None));
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
    pub fn apply(&self, found: Vec<Reported>) -> Applied {
        let mut by_secret: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            by_secret.entry((e.rule.as_str(), e.secret_sha256.as_str())).or_default().push(i);
        }
        let mut used = vec![false; self.entries.len()];
        let mut matched = vec![false; found.len()];
        // Pass 1: exact path. Pass 2: same rule and secret anywhere.
        for exact in [true, false] {
            for (fi, r) in found.iter().enumerate() {
                if matched[fi] {
                    continue;
                }
                let Some(candidates) = by_secret.get(&(r.finding.rule_id.as_str(), r.secret_hash.as_str())) else { continue };
                let hit = candidates.iter().copied().find(|&ei| {
                    let e = &self.entries[ei];
                    if exact {
                        e.path == r.finding.path
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
        let kept = found.into_iter().zip(matched).filter(|(_, m)| !m).map(|(r, _)| r).collect();
        Applied { kept, suppressed, used }
    }

    /// The baseline without the entries `used` marks as unmatched.
    pub fn pruned(&self, used: &[bool]) -> Baseline {
        let entries = self.entries.iter().zip(used).filter(|(_, &u)| u).map(|(e, _)| e.clone()).collect();
        Baseline { version: VERSION, entries }
    }
}

fn entry(r: &Reported) -> Entry {
    Entry { rule: r.finding.rule_id.clone(), path: r.finding.path.clone(), secret_sha256: r.secret_hash.clone() }
}
