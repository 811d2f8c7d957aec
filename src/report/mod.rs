//! Reporters: turn the run's findings and statistics into pretty text, JSON, JSON lines or
//! SARIF. All of them read the same `Finding`s; masking, excerpts and escaping live here, so
//! no reporter ever shows a whole secret unless the user passed `--reveal`.
pub mod escape;
pub mod excerpt;
pub mod json;
pub mod mask;
pub mod pretty;
pub mod sarif;
pub mod scrub;

use crate::finding::Finding;
use crate::rules::Rule;
use crate::run::Stats;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Pretty,
    Json,
    Jsonl,
    Sarif,
}

/// What was scanned: names the pretty summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Worktree,
    Stdin,
    History,
    Staged,
}

impl ScanKind {
    pub fn name(self) -> &'static str {
        match self {
            ScanKind::Worktree => "worktree",
            ScanKind::Stdin => "stdin",
            ScanKind::History => "history",
            ScanKind::Staged => "staged",
        }
    }
}

/// Everything a reporter needs besides the findings.
pub struct Context<'a> {
    pub rules: &'a [Rule],
    pub kind: ScanKind,
    pub color: bool,
    /// Show secrets in full (`--reveal`).
    pub reveal: bool,
    pub quiet: bool,
    /// SARIF `runAutomationDetails.id` (`--sarif-category`).
    pub category: Option<String>,
}

/// The secret as a report may show it.
pub fn shown_secret(f: &Finding, reveal: bool) -> String {
    if reveal {
        f.secret.expose().to_string()
    } else {
        // A Baseten API key's prefix is public (Baseten's pages show it; `revoke` needs it),
        // whichever rule found the key.
        let s = f.secret.expose();
        let reveal = if crate::verify::is_api_key_shape(s) {
            8
        } else {
            f.reveal
        };
        mask::mask(s, reveal)
    }
}

pub fn write(
    format: Format,
    found: &[Finding],
    stats: &Stats,
    ctx: &Context,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::write(found, stats, ctx, out),
        Format::Json => json::write(found, stats, ctx, out),
        Format::Jsonl => json::write_lines(found, ctx, out),
        Format::Sarif => sarif::write(found, ctx, out),
    }
}
