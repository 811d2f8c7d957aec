//! Reporters: turn the run's findings and statistics into pretty text, JSON, JSON lines or
//! SARIF. All of them read the same `Finding`s and never see an unmasked secret unless the
//! user asked for `--reveal`.
pub mod json;
pub mod pretty;
pub mod sarif;

use crate::rules::Rule;
use crate::scan::{Reported, Stats};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Pretty,
    Json,
    Jsonl,
    Sarif,
}

/// What was scanned: names the SARIF category and the pretty summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Worktree,
    History,
    Staged,
}

impl ScanKind {
    pub fn name(self) -> &'static str {
        match self {
            ScanKind::Worktree => "worktree",
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
}

pub fn write(format: Format, found: &[Reported], stats: &Stats, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::write(found, stats, ctx, out),
        Format::Json => json::write(found, stats, out),
        Format::Jsonl => json::write_lines(found, out),
        Format::Sarif => sarif::write(found, ctx, out),
    }
}
