//! `tenscan init`: writes a commented starter `.tenscan.toml`.
use super::EXIT_CLEAN;
use crate::config::{Config, FILE_NAME};
use crate::error::Fatal;
use std::path::Path;

pub const STARTER: &str = r#"# tenscan configuration. Every key is optional; unknown keys are errors.

[allowlist]
# Globs, relative to this file's directory, whose findings are suppressed.
paths = []
# Regexes matched against the secret itself.
regexes = []
# Case-insensitive substrings of the secret that mark it as not a secret.
stopwords = []

[rules]
# Rule ids to turn off (`tenscan rules list`).
disable = []

# Extra detectors, same format as the files in tenscan's rules/ directory:
# [[rules.extra]]
# id = "internal-token"
# description = "Internal service token"
# severity = "high"
# regex = '''\b(tkn_[A-Za-z0-9]{30})\b'''
# keywords = ["tkn_"]

[report]
# Findings below this confidence are not reported: "low", "medium" or "high".
# min_confidence = "medium"
# Findings below this confidence are reported but do not fail the run.
# fail_confidence = "high"

[verify]
# Ask Baseten whether found keys are live, also in the git hooks (read-only calls; keys are
# sent only to Baseten's API). A repository's config can only lower the limits below.
enabled = false
# concurrency = 4
# timeout_secs = 10
# budget_secs = 120
"#;

pub fn run(dir: &Path, force: bool) -> Result<i32, Fatal> {
    let path = dir.join(FILE_NAME);
    if path.exists() && !force {
        return Err(Fatal::Usage(format!(
            "{} already exists (use --force to overwrite)",
            path.display()
        )));
    }
    // The starter must always parse: it is what users copy from.
    Config::parse(STARTER, &path, crate::config::Origin::None)?;
    crate::output::write_atomically(&path, STARTER.as_bytes())
        .map_err(|e| Fatal::output(&path, e))?;
    eprintln!("wrote {}", path.display());
    Ok(EXIT_CLEAN)
}
