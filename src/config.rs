//! `.tenscan.toml`: allowlists, disabled and extra rules, thresholds and verification, parsed
//! strictly so a typo is an error pointing at its line rather than a silently ignored
//! setting. Found by walking up from the scanned path to the repository root (never through
//! a symbolic link), or read from a commit; allowlist paths are relative to the file's own
//! directory.
use crate::finding::Confidence;
use crate::rules::{Rule, RuleError, RuleSpec};
use crate::tomlfile::{Kind, TomlFileError};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    pub concurrency: Option<u64>,
    pub timeout_secs: Option<u64>,
    pub budget_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistSpec {
    /// Globs on paths relative to the config file's directory.
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

const FILE: Kind = Kind {
    what: "config file",
    help: "see `tenscan init` for a commented example",
};

/// Suppresses findings by path, secret pattern or stopword.
#[derive(Debug, Default)]
pub struct Allowlist {
    paths: GlobSet,
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
}

impl Allowlist {
    /// `path` is relative to the config file's directory.
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

/// Where a config came from, which decides how far it is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Named with `--config`: the user's own.
    Explicit(PathBuf),
    /// Found in the scanned tree or read from a commit: the repository's.
    Repository(String),
    None,
}

/// Everything a scan takes from the config file.
#[derive(Debug)]
pub struct Config {
    pub origin: Origin,
    /// The directory allowlist paths are relative to.
    pub dir: Option<PathBuf>,
    pub allowlist: Allowlist,
    pub disabled_rules: Vec<String>,
    pub extra_rules: Vec<Rule>,
    pub min_confidence: Option<Confidence>,
    pub fail_confidence: Option<Confidence>,
    pub verify: VerifySpec,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            origin: Origin::None,
            dir: None,
            allowlist: Allowlist::default(),
            disabled_rules: vec![],
            extra_rules: vec![],
            min_confidence: None,
            fail_confidence: None,
            verify: VerifySpec::default(),
        }
    }
}

/// The nearest `.tenscan.toml` at or above `start`, looking no higher than the root of the
/// git work tree `start` is in (outside one, only `start` itself).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = crate::source::absolute(start);
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
        let inside_repo = dir.ancestors().skip(1).any(|a| a.join(".git").exists());
        if !inside_repo || !dir.pop() {
            return None;
        }
    }
}

impl Config {
    /// `--config FILE` when given; otherwise the nearest `.tenscan.toml` from `start`.
    pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::parse(&FILE.read(p)?, p, Origin::Explicit(p.into())),
            None => match find(start) {
                Some(p) => Config::parse(
                    &FILE.read_found(&p)?,
                    &p,
                    Origin::Repository(p.display().to_string()),
                ),
                None => Ok(Config::default()),
            },
        }
    }

    /// A config held in a commit: `text` is `.tenscan.toml` at `shown` (`REV:.tenscan.toml`),
    /// its paths relative to the repository root `root`.
    pub fn from_commit(text: &str, shown: &str, root: &Path) -> Result<Config, ConfigError> {
        let mut c = Config::parse(text, Path::new(shown), Origin::Repository(shown.into()))?;
        c.dir = Some(root.to_path_buf());
        Ok(c)
    }

    pub fn parse(text: &str, path: &Path, origin: Origin) -> Result<Config, ConfigError> {
        let invalid = |message: String, at: Option<std::ops::Range<usize>>| {
            FILE.invalid(path, text, message, at)
        };
        let file: ConfigFile = FILE.parse(path, text)?;
        // Values that parse but do not compile are blamed on their first occurrence.
        let find = |needle: &str| text.find(needle).map(|i| i..i + needle.len());
        let mut globs = GlobSetBuilder::new();
        for g in &file.allowlist.paths {
            let glob =
                Glob::new(g).map_err(|e| invalid(format!("bad glob `{g}`: {e}"), find(g)))?;
            globs.add(glob);
        }
        let paths = globs.build().map_err(|e| invalid(e.to_string(), None))?;
        let regexes = file
            .allowlist
            .regexes
            .iter()
            .map(|r| Regex::new(r).map_err(|e| invalid(format!("bad regex `{r}`: {e}"), find(r))))
            .collect::<Result<_, _>>()?;
        let origin_name = path.display().to_string();
        let extra_rules = file
            .rules
            .extra
            .into_iter()
            .map(|spec| {
                let id = spec.id.clone();
                Rule::compile(spec, &origin_name)
                    .map_err(|e: RuleError| invalid(e.to_string(), find(&id)))
            })
            .collect::<Result<_, _>>()?;
        let dir = path.parent().map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        });
        Ok(Config {
            origin,
            dir,
            allowlist: Allowlist {
                paths,
                regexes,
                stopwords: file
                    .allowlist
                    .stopwords
                    .iter()
                    .map(|w| w.to_lowercase())
                    .collect(),
            },
            disabled_rules: file.rules.disable,
            extra_rules,
            min_confidence: file.report.min_confidence,
            fail_confidence: file.report.fail_confidence,
            verify: file.verify,
        })
    }

    /// Verification limits as the config sets them: a repository's own config may only
    /// lower the defaults; the user's `--config` may raise them up to hard maxima.
    pub fn verify_limits(
        &self,
        defaults: (usize, Duration, Duration),
    ) -> (usize, Duration, Duration) {
        let (c0, t0, b0) = defaults;
        let trusted = matches!(self.origin, Origin::Explicit(_));
        let cap = |value: Option<u64>, default: u64, max: u64| -> u64 {
            let v = value.unwrap_or(default).max(1);
            if trusted {
                v.min(max)
            } else {
                v.min(default)
            }
        };
        let v = &self.verify;
        (
            cap(v.concurrency, c0 as u64, 64) as usize,
            Duration::from_secs(cap(v.timeout_secs, t0.as_secs(), 300)),
            Duration::from_secs(cap(v.budget_secs, b0.as_secs(), 24 * 3600)),
        )
    }
}
