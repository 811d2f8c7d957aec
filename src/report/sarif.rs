//! SARIF 2.1.0 for GitHub code scanning: one run, every rule described, results with
//! relative URIs, regions and stable fingerprints, and never a secret.
use super::{Context, ScanKind};
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;
use crate::scan::Reported;
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/tenscan/tenscan";

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s.into()).build()
}

fn bag(tags: Option<Vec<String>>, props: BTreeMap<String, serde_json::Value>) -> sarif::PropertyBag {
    sarif::PropertyBag { tags, additional_properties: props }
}

fn level(f: &Finding) -> sarif::ResultLevel {
    use crate::finding::Severity::*;
    if f.placeholder || f.confidence == Confidence::Low || f.verification.as_ref().is_some_and(|v| v.status == "invalid") {
        return sarif::ResultLevel::Note;
    }
    match f.severity {
        Critical | High => sarif::ResultLevel::Error,
        Medium => sarif::ResultLevel::Warning,
        Low => sarif::ResultLevel::Note,
    }
}

fn descriptor(rule: &Rule) -> sarif::ReportingDescriptor {
    let s = &rule.spec;
    let help = format!(
        "{}\n\n{}\n\nIf the value is not a secret, add `tenscan:allow` on its line or allowlist it in .tenscan.toml.",
        s.help.as_deref().unwrap_or(&s.description),
        super::pretty::ROTATE_HELP
    );
    let precision = if s.context.required || s.context.without == Confidence::High { "high" } else { "medium" };
    let props = BTreeMap::from([
        ("precision".into(), json!(precision)),
        ("security-severity".into(), json!(s.severity.score())),
        ("problem.severity".into(), json!("error")),
    ]);
    sarif::ReportingDescriptor::builder()
        .id(s.id.clone())
        .name(s.id.clone())
        .short_description(text(s.description.clone()))
        .full_description(text(format!("{} ({} severity). Detector defined in {}.", s.description, s.severity, rule.origin)))
        .help(sarif::MultiformatMessageString::builder().text(help.clone()).markdown(help).build())
        .properties(bag(Some(vec!["security".into(), "secret".into(), "baseten".into()]), props))
        .build()
}

fn result(f: &Finding, rule_index: usize) -> sarif::Result {
    let region = sarif::Region {
        start_line: Some(f.line as i64),
        start_column: Some(f.column as i64),
        end_line: Some(f.end_line as i64),
        end_column: Some(f.end_column as i64),
        ..Default::default()
    };
    let location = sarif::Location {
        physical_location: Some(sarif::PhysicalLocation {
            artifact_location: Some(sarif::ArtifactLocation {
                uri: Some(uri(&f.path)),
                uri_base_id: Some("%SRCROOT%".into()),
                ..Default::default()
            }),
            region: Some(region),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut message = format!("{} ({} confidence) in {} at line {}", f.description, f.confidence, f.path, f.line);
    if let Some(c) = &f.commit {
        message.push_str(&format!(", introduced in commit {c}"));
    }
    let mut props = BTreeMap::from([
        ("confidence".into(), json!(f.confidence)),
        ("fingerprint".into(), json!(f.fingerprint)),
    ]);
    for (k, v) in [("commit", &f.commit), ("author", &f.author), ("date", &f.date)] {
        if let Some(v) = v {
            props.insert(k.into(), json!(v));
        }
    }
    if let Some(v) = &f.verification {
        props.insert("verification".into(), json!(v));
        props.insert("security-severity".into(), json!(verified_severity(v)));
    }
    sarif::Result::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index as i64)
        .level(level(f))
        .message(sarif::Message::builder().text(message).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([
            ("primaryLocationLineHash".to_string(), format!("{}:1", f.fingerprint)),
            ("tenscan/v1".to_string(), f.fingerprint.clone()),
        ]))
        .properties(bag(None, props))
        .build()
}

/// Severity of a verified finding: live full-access or key-management keys are critical,
/// inference keys and unverifiable ones high, metrics-only medium, invalid ones low.
fn verified_severity(v: &crate::finding::Verification) -> &'static str {
    match (v.status.as_str(), v.scope.as_deref()) {
        ("live", Some("full" | "manage-keys" | "personal")) => "9.8",
        ("live", Some("metrics")) => "5.0",
        ("live", _) => "8.5",
        ("invalid", _) => "2.0",
        _ => "8.0",
    }
}

/// Percent-encodes what a URI reference may not contain; keeps `/`.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn write(found: &[Reported], ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let index: BTreeMap<&str, usize> = ctx.rules.iter().enumerate().map(|(i, r)| (r.spec.id.as_str(), i)).collect();
    let results = found
        .iter()
        .filter_map(|r| index.get(r.finding.rule_id.as_str()).map(|&i| result(&r.finding, i)))
        .collect::<Vec<_>>();
    let driver = sarif::ToolComponent::builder()
        .name("tenscan")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(ctx.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let category = match ctx.kind {
        ScanKind::Worktree => "tenscan/worktree/",
        ScanKind::History => "tenscan/history/",
        ScanKind::Staged => "tenscan/staged/",
    };
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .automation_details(sarif::RunAutomationDetails { id: Some(category.into()), ..Default::default() })
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let log = sarif::Sarif::builder().schema(SCHEMA).version(json!("2.1.0")).runs(vec![run]).build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
