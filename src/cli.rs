//! Command-line interface: the flags of every subcommand, nothing else.
use crate::finding::Confidence;
use crate::report::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tenscan",
    version,
    about = "Keeps Baseten API keys out of your repositories",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (default `.`; `-` reads standard input)
    Scan(ScanArgs),
    /// Audit every blob reachable from every ref, or the commits of a range
    History(HistoryArgs),
    /// Scan the lines a staged change adds (what the pre-commit hook runs)
    Staged(StagedArgs),
    /// Install or remove the git hooks
    #[command(subcommand)]
    Hook(HookCommand),
    /// List or check detector rules
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Check keys against Baseten's API: live, invalid or unknown, and their permissions
    Verify(VerifyArgs),
    /// Revoke leaked Baseten API keys (a dry run unless --yes), with an admin key read from
    /// BASETEN_ADMIN_API_KEY
    Revoke(RevokeArgs),
    /// Maintain baseline files
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `tenscan man > tenscan.1`
    Man,
    /// Write a commented starter .tenscan.toml
    Init {
        /// Directory to write it in
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
}

/// Flags shared by every command that reports findings.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "pretty")]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// SARIF only: set `runAutomationDetails.id`, the code-scanning category (unset by
    /// default: the upload step names it)
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// Show full secrets in the report (masked by default)
    #[arg(long)]
    pub reveal: bool,
    /// Also report values that look like documentation placeholders
    #[arg(long)]
    pub show_placeholders: bool,
    /// Suppress findings recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Config file (default: the nearest .tenscan.toml at or above the scanned path, up to
    /// the repository root)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings of at least this confidence
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<ConfidenceArg>,
    /// Check each finding against Baseten's API (read-only calls; keys are sent only to Baseten)
    #[arg(long)]
    pub verify: bool,
    /// Keep only findings verified as live keys (implies --verify)
    #[arg(long)]
    pub only_verified: bool,
    /// With verification: which findings fail the run (default: live and unknown, not invalid)
    #[arg(long, value_enum, value_name = "WHICH")]
    pub fail_on: Option<FailOn>,
    /// Do not look inside JSON escapes, base64, percent-encoding or archives
    #[arg(long)]
    pub no_decode: bool,
    /// Worker threads (0: one per core; at most 4 per core)
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Do not read files or blobs larger than this many bytes (a file left out makes the scan
    /// incomplete)
    #[arg(long, default_value_t = crate::admission::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Accept a scan that could not read everything: exit 0 or 1 by the findings instead of 2
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Only the findings: no warnings, notes, progress or summary
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` for standard input
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Do not honour .gitignore, .ignore, .tenscanignore or git excludes
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links
    #[arg(long, short = 'L')]
    pub follow: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Repository (default: the one containing the current directory)
    #[arg(value_name = "REPO", default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Scan only the commits of this range (e.g. `main..feature`) and the lines they add
    #[arg(long, value_name = "A..B", conflicts_with = "since")]
    pub range: Option<String>,
    /// Scan only the commits after REV up to HEAD, and the lines they add
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Report every commit and path carrying a secret, not only where it entered history
    #[arg(long)]
    pub all_occurrences: bool,
    /// Read .tenscan.toml and the baseline from this commit instead of the worktree (what
    /// the Action does for pull requests: the base is trusted, the head is not)
    #[arg(long, value_name = "REV")]
    pub config_from: Option<String>,
    /// Write what `git filter-repo --replace-text` needs to remove the secrets found from
    /// every commit (the secrets in full: the file is made mode 0600), and print the steps
    #[arg(long, value_name = "FILE")]
    pub scrub_plan: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StagedArgs {
    /// Repository (default: the one containing the current directory)
    #[arg(value_name = "REPO", default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write the pre-commit hook (and the pre-push hook) into the repository
    Install {
        #[arg(value_name = "REPO", default_value = ".")]
        repo: PathBuf,
        /// Also install the pre-push hook
        #[arg(long)]
        pre_push: bool,
        /// Replace a hook tenscan did not write instead of chaining it (it is kept as <hook>.bak)
        #[arg(long)]
        force: bool,
    },
    /// Remove the hooks tenscan installed, restoring any hook they chained
    Uninstall {
        #[arg(value_name = "REPO", default_value = ".")]
        repo: PathBuf,
    },
    /// The pre-commit check: the staged change (or, given FILES outside a commit, as the
    /// pre-commit framework's `run --files` and `--all-files` pass them, those files)
    PreCommit {
        /// Files to scan (the pre-commit framework passes them)
        files: Vec<PathBuf>,
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Scan the commits a push sends (reads git's pre-push lines on standard input)
    PrePush {
        /// Remote name, as git passes it
        remote: Option<String>,
        /// Remote URL, as git passes it
        url: Option<String>,
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Drop entries that no longer match any finding (re-runs the scan of PATH, or of the
    /// repository's history with --history)
    Prune {
        /// The baseline file to prune in place
        baseline: PathBuf,
        /// Directory to scan (or repository, with --history)
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Match against the whole git history instead of the worktree
        #[arg(long)]
        history: bool,
        /// Config file (default: the nearest .tenscan.toml, up to the repository root)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in effect
    List {
        /// Config file whose extra and disabled rules apply
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run rules' examples and negative examples (built-in rules when no FILE is given)
    Check {
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Only keys verified live
    Live,
    /// Live keys and keys that could not be verified
    Unknown,
    /// Every finding, invalid keys included
    Any,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Keys to check; none: one per line on standard input
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "pretty")]
    pub format: VerifyFormat,
    /// Show full keys (masked by default)
    #[arg(long)]
    pub reveal: bool,
    /// Which results fail the run (default: live)
    #[arg(long, value_enum, value_name = "WHICH")]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The admin key comes only from the environment (BASETEN_ADMIN_API_KEY), never from a \
file or an argument. Without --yes nothing is revoked: each key is looked up and what would \
happen is shown. Exit status: 0 when every requested key is revoked (or, in a dry run, would \
be), 1 when one is not, 2 on bad input."
)]
pub struct RevokeArgs {
    /// Key prefixes to revoke (the 8 characters before the dot). None and no --from: keys
    /// or prefixes on standard input, one per line
    #[arg(value_name = "PREFIX")]
    pub prefixes: Vec<String>,
    /// Revoke the Baseten API keys of a tenscan JSON report (`-f json`; masked secrets are
    /// enough: the prefix is the public part)
    #[arg(long, value_name = "REPORT")]
    pub from: Option<PathBuf>,
    /// Revoke; without it, only show what would be revoked
    #[arg(long)]
    pub yes: bool,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "pretty")]
    pub format: VerifyFormat,
    /// Seconds to wait for each answer from Baseten
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ConfidenceArg {
    Low,
    Medium,
    High,
}

impl From<ConfidenceArg> for Confidence {
    fn from(c: ConfidenceArg) -> Confidence {
        match c {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }
    }
}
