//! Human output: one miette diagnostic per finding showing the masked source line, what was
//! found, and how to fix it, then a one-line summary.
use super::Context;
use crate::finding::{Confidence, Severity};
use crate::scan::{Reported, Stats};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

pub const ROTATE_HELP: &str = "treat it as leaked: create a replacement, move your apps to it, then revoke this one;\n\
removing the line does not undo a commit or a push";
pub const ALLOW_HELP: &str = "not a secret? add `tenscan:allow` on that line";

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
    reported: &'a Reported,
    help: String,
    excerpt: Excerpt<'a>,
}

impl fmt::Debug for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reported.finding.rule_id)
    }
}

impl fmt::Display for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = &self.reported.finding;
        write!(f, "{} ({} confidence)", x.description, x.confidence)?;
        if let Some(v) = &x.verification {
            write!(f, " — {}", crate::verify::headline(v))?;
        }
        if let Some(c) = &x.commit {
            write!(f, " in commit {}", &c[..c.len().min(12)])?;
        }
        Ok(())
    }
}

impl std::error::Error for FindingReport<'_> {}

impl Diagnostic for FindingReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.reported.finding.rule_id))
    }
    fn severity(&self) -> Option<miette::Severity> {
        let x = &self.reported.finding;
        Some(if x.placeholder || x.confidence == Confidence::Low || x.severity <= Severity::Medium {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.excerpt)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = &self.reported.snippet.label;
        let what = if self.reported.finding.placeholder { "looks like a placeholder" } else { "secret" };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(what.into()), s.start..s.end))))
    }
}

pub fn write(found: &[Reported], stats: &Stats, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let theme = if ctx.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false).with_context_lines(1);
    for r in found {
        let rule_help = ctx.rules.iter().find(|x| x.spec.id == r.finding.rule_id).and_then(|x| x.spec.help.clone());
        let mut help = rule_help.map(|h| format!("{h}\n")).unwrap_or_default();
        if r.finding.verification.as_ref().is_some_and(|v| v.status == "live") {
            let prefix: String = r.finding.secret.chars().take_while(|c| c.is_ascii_alphanumeric()).take(8).collect();
            help.push_str(&format!(
                "revoke it: DELETE https://api.baseten.co/v1/api_keys/{prefix} (with a key allowed to manage keys), or on {}\n",
                crate::verify::API_KEYS_PAGE
            ));
        }
        help.push_str(ROTATE_HELP);
        help.push('\n');
        help.push_str(ALLOW_HELP);
        let report = FindingReport {
            reported: r,
            help,
            excerpt: Excerpt { name: &r.finding.path, text: &r.snippet.text, first_line: r.snippet.first_line },
        };
        let mut text = String::new();
        handler.render_report(&mut text, &report).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    }
    writeln!(out, "{}", summary(stats, ctx))
}

/// One line: what was scanned, what was found, what was left out.
pub fn summary(stats: &Stats, ctx: &Context) -> String {
    let mut s = format!(
        "tenscan {}: {} finding{} in {} file{} ({}) in {} ms",
        ctx.kind.name(),
        stats.findings,
        if stats.findings == 1 { "" } else { "s" },
        stats.files_scanned,
        if stats.files_scanned == 1 { "" } else { "s" },
        human_bytes(stats.bytes_scanned),
        stats.duration_ms
    );
    let extras = [
        (stats.suppressed, "suppressed"),
        (stats.placeholders_hidden, "placeholders hidden (--show-placeholders)"),
        (stats.skipped_binary, "binary skipped"),
        (stats.skipped_size, "too large skipped"),
        (stats.skipped_error, "unreadable"),
    ];
    for (n, what) in extras {
        if n > 0 {
            s.push_str(&format!(", {n} {what}"));
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
