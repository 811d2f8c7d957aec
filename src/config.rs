//! `.tenscan.toml`: allowlists, disabled and extra rules, and thresholds, parsed strictly so
//! a typo is an error pointing at its line rather than a silently ignored setting.
use crate::finding::Confidence;
use crate::rules::{Rule, RuleError, RuleSpec};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;
use crate::tomlfile::{Kind, TomlFileError};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".tenscan.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allowlist: AllowlistSpec,
    #[serde(default)]
    rules: RulesSpec,
    #[serde(default)]
    report: ReportSpec,
    #[serde(default)]
    verify: VerifySpec,
}

/// `[verify]`: check findings against Baseten's API (also for the hooks).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// Verify without `--verify` on the command line.
    #[serde(default)]
    pub enabled: bool,
    pub concurrency: Option<usize>,
    pub timeout_secs: Option<u64>,
    pub budget_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistSpec {
    /// Globs on paths relative to the scan root.
    #[serde(default)]
    paths: Vec<String>,
    /// Regexes on the secret.
    #[serde(default)]
    regexes: Vec<String>,
    /// Substrings of the secret (case-insensitive).
    #[serde(default)]
    stopwords: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesSpec {
    #[serde(default)]
    disable: Vec<String>,
    /// Extra rules, same format as the files in `rules/`.
    #[serde(default)]
    extra: Vec<RuleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportSpec {
    /// Findings below this confidence are not reported.
    min_confidence: Option<Confidence>,
    /// Findings below this confidence are reported but do not fail the run.
    fail_confidence: Option<Confidence>,
}

/// A config file that could not be used, with the place in it to blame.
pub type ConfigError = TomlFileError;

const FILE: Kind = Kind { what: "config file", help: "see `tenscan init` for a commented example" };

/// Suppresses findings by path, secret pattern or stopword.
#[derive(Debug, Default)]
pub struct Allowlist {
    paths: GlobSet,
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
}

impl Allowlist {
    pub fn allows(&self, path: &str, secret: &[u8]) -> bool {
        if self.paths.is_match(path) || self.regexes.iter().any(|r| r.is_match(secret)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = String::from_utf8_lossy(secret).to_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// Everything a scan takes from the config file.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub allowlist: Allowlist,
    pub disabled_rules: Vec<String>,
    pub extra_rules: Vec<Rule>,
    pub min_confidence: Option<Confidence>,
    pub fail_confidence: Option<Confidence>,
    pub verify: VerifySpec,
}

impl Config {
    /// Loads `explicit`, or else `.tenscan.toml` in `root` if there is one.
    pub fn discover(explicit: Option<&Path>, root: &Path) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::load(p),
            None => {
                let p = root.join(FILE_NAME);
                if p.is_file() {
                    Config::load(&p)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(&FILE.read(path)?, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String, at: Option<std::ops::Range<usize>>| FILE.invalid(path, text, message, at);
        let file: ConfigFile = FILE.parse(path, text)?;
        // Values that parse but do not compile are blamed on their first occurrence.
        let find = |needle: &str| text.find(needle).map(|i| i..i + needle.len());
        let mut globs = GlobSetBuilder::new();
        for g in &file.allowlist.paths {
            let glob = Glob::new(g).map_err(|e| invalid(format!("bad glob `{g}`: {e}"), find(g)))?;
            globs.add(glob);
        }
        let paths = globs.build().map_err(|e| invalid(e.to_string(), None))?;
        let regexes = file
            .allowlist
            .regexes
            .iter()
            .map(|r| Regex::new(r).map_err(|e| invalid(format!("bad regex `{r}`: {e}"), find(r))))
            .collect::<Result<_, _>>()?;
        let origin = path.display().to_string();
        let extra_rules = file
            .rules
            .extra
            .into_iter()
            .map(|spec| {
                let id = spec.id.clone();
                Rule::compile(spec, &origin).map_err(|e: RuleError| invalid(e.to_string(), find(&id)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Config {
            path: Some(path.into()),
            allowlist: Allowlist {
                paths,
                regexes,
                stopwords: file.allowlist.stopwords.iter().map(|w| w.to_lowercase()).collect(),
            },
            disabled_rules: file.rules.disable,
            extra_rules,
            min_confidence: file.report.min_confidence,
            fail_confidence: file.report.fail_confidence,
            verify: file.verify,
        })
    }
}
