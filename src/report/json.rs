//! JSON (`{"version":1,"findings":[…],"stats":{…}}`) and JSON lines (one finding a line).
use super::Context;
use crate::finding::{Confidence, Finding, Severity, Verification};
use crate::run::Stats;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

pub const VERSION: u32 = 1;

/// A finding as JSON shows it: the secret masked unless `--reveal`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingJson {
    pub rule_id: String,
    pub description: String,
    pub confidence: Confidence,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub secret: String,
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

impl FindingJson {
    pub fn of(f: &Finding, reveal: bool) -> FindingJson {
        FindingJson {
            rule_id: f.rule_id.clone(),
            description: f.description.clone(),
            confidence: f.confidence,
            severity: f.severity,
            path: f.path.clone(),
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            secret: super::shown_secret(f, reveal),
            fingerprint: f.fingerprint.clone(),
            placeholder: f.placeholder,
            decoded: f.decoded.clone(),
            commit: f.commit.as_ref().map(|c| c.id.clone()),
            author: f.commit.as_ref().map(|c| c.author.clone()),
            date: f.commit.as_ref().map(|c| c.date.clone()),
            blob: f.blob.clone(),
            verification: f.verification.clone(),
        }
    }
}

/// The whole JSON report, as written and as `tenscan revoke --from` reads it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub findings: Vec<FindingJson>,
    pub stats: Stats,
}

pub fn write(
    found: &[Finding],
    stats: &Stats,
    ctx: &Context,
    out: &mut dyn Write,
) -> io::Result<()> {
    let report = Report {
        version: VERSION,
        findings: found
            .iter()
            .map(|f| FindingJson::of(f, ctx.reveal))
            .collect(),
        stats: stats.clone(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

pub fn write_lines(found: &[Finding], ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    for f in found {
        serde_json::to_writer(&mut *out, &FindingJson::of(f, ctx.reveal))?;
        writeln!(out)?;
    }
    Ok(())
}
