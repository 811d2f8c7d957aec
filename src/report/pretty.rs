//! Human output: one miette diagnostic per finding showing the masked excerpt and what was
//! found, then what to do — once, for the kinds of finding there are — and a one-line
//! summary. Everything taken from the scanned files is escaped.
use super::escape;
use super::excerpt::Rendered;
use super::Context;
use crate::finding::{Confidence, Finding, Severity, Status};
use crate::run::Stats;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

/// What to do about a key that leaked, in the order that limits the damage.
pub const LEAKED_HELP: &str = concat!(
    "treat each key as leaked, even after removing the line (a commit or a push cannot be undone):\n",
    "  1. create a replacement key and move your apps to it;\n",
    "  2. revoke the leaked key: `tenscan revoke --from <json report>` (or on the API keys page);\n",
    "  3. take it out of the history: `tenscan history --scrub-plan FILE` writes the plan and prints the steps;\n",
    "  4. keep keys in environment variables or a secret manager.",
);
pub const ALLOW_HELP: &str =
    "not a secret? add `tenscan:allow` on its line, or allowlist it in .tenscan.toml";

/// The masked excerpt as miette source, numbered from the finding's first line.
#[derive(Debug)]
struct Excerpt<'a> {
    name: &'a str,
    text: &'a str,
    first_line: usize,
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line - 1,
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct FindingReport<'a> {
    finding: &'a Finding,
    title: String,
    help: Option<String>,
    excerpt: Excerpt<'a>,
    label: std::ops::Range<usize>,
}

impl fmt::Debug for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.rule_id)
    }
}

impl fmt::Display for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for FindingReport<'_> {}

impl Diagnostic for FindingReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule_id))
    }
    fn severity(&self) -> Option<miette::Severity> {
        let x = self.finding;
        let invalid = x
            .verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Invalid);
        Some(
            if x.placeholder
                || invalid
                || x.confidence == Confidence::Low
                || x.severity <= Severity::Medium
            {
                miette::Severity::Warning
            } else {
                miette::Severity::Error
            },
        )
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.excerpt)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let what = if self.finding.placeholder {
            "looks like a placeholder"
        } else {
            "secret"
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(what.into()),
            self.label.clone(),
        ))))
    }
}

fn title(x: &Finding) -> String {
    let mut t = format!(
        "{} ({} confidence)",
        escape::line(&x.description),
        x.confidence
    );
    if let Some(v) = &x.verification {
        t.push_str(&format!(" — {}", crate::verify::headline(v)));
    }
    if let Some(c) = &x.commit {
        t.push_str(&format!(" in commit {}", &c.id[..c.id.len().min(12)]));
    }
    if !x.decoded.is_empty() {
        t.push_str(&format!(" (decoded: {})", x.decoded.join(" → ")));
    }
    t
}

fn help(f: &Finding, ctx: &Context) -> Option<String> {
    let mut lines = vec![];
    if let Some(h) = ctx
        .rules
        .iter()
        .find(|r| r.spec.id == f.rule_id)
        .and_then(|r| r.spec.help.clone())
    {
        lines.push(escape::line(&h).into_owned());
    }
    if f.verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Live)
    {
        let prefix: String = f
            .secret
            .expose()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        lines.push(format!("revoke it now: `tenscan revoke {prefix} --yes` (with BASETEN_ADMIN_API_KEY set), or on {}", crate::verify::API_KEYS_PAGE));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub fn write(
    found: &[Finding],
    stats: &Stats,
    ctx: &Context,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if ctx.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1);
    for f in found {
        let Rendered {
            text,
            first_line,
            label,
        } = f
            .excerpt
            .render(&super::shown_secret(f, ctx.reveal), ctx.reveal);
        let name = escape::line(&f.path);
        let report = FindingReport {
            finding: f,
            title: title(f),
            help: help(f, ctx),
            excerpt: Excerpt {
                name: &name,
                text: &text,
                first_line,
            },
            label,
        };
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &report)
            .map_err(io::Error::other)?;
        writeln!(out, "{rendered}")?;
    }
    if !found.is_empty() && !ctx.quiet {
        writeln!(out, "{}\n", advice(found))?;
    }
    if !ctx.quiet {
        writeln!(out, "{}", summary(stats, ctx))?;
    }
    Ok(())
}

/// What to do about these findings, said once.
pub fn advice(found: &[Finding]) -> String {
    let real = |f: &&Finding| {
        !f.placeholder
            && f.verification
                .as_ref()
                .is_none_or(|v| v.status != Status::Invalid)
    };
    let mut parts = vec![];
    if found.iter().any(|f| real(&f)) {
        parts.push(LEAKED_HELP.to_string());
    }
    if found.iter().any(|f| {
        f.verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Invalid)
    }) {
        parts.push("keys Baseten reports invalid are revoked or were never valid: remove them from the code; nothing to rotate.".into());
    }
    if found.iter().any(|f| f.placeholder) {
        parts.push("values that look like placeholders are shown because of --show-placeholders; they never fail the run.".into());
    }
    parts.push(ALLOW_HELP.into());
    format!(
        "what to do:\n{}",
        parts
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line: what was scanned, what was found, what was left out.
pub fn summary(stats: &Stats, ctx: &Context) -> String {
    let mut s = format!(
        "tenscan {}: {} in {} ({}) in {} ms",
        ctx.kind.name(),
        count(stats.findings, "finding", "findings"),
        count(stats.files_scanned, "file", "files"),
        human_bytes(stats.bytes_scanned),
        stats.duration_ms
    );
    if stats.commits_scanned > 0 {
        s.push_str(&format!(
            ", {}",
            count(stats.commits_scanned, "commit", "commits")
        ));
    }
    let extras = [
        (stats.suppressed, "suppressed", "suppressed"),
        (
            stats.placeholders_hidden,
            "placeholder hidden (--show-placeholders)",
            "placeholders hidden (--show-placeholders)",
        ),
        (stats.skipped_binary, "binary skipped", "binary skipped"),
        (
            stats.skipped_size,
            "too large, not scanned",
            "too large, not scanned",
        ),
        (stats.skipped_error, "unreadable", "unreadable"),
    ];
    for (n, one, many) in extras {
        if n > 0 {
            s.push_str(&format!(", {}", count(n, one, many)));
        }
    }
    if stats.incomplete {
        s.push_str(", INCOMPLETE (see warnings)");
    }
    s
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
