//! SARIF 2.1.0 for GitHub code scanning: one run, every rule described, results with
//! relative URIs, regions and stable fingerprints, and never a secret.
use super::Context;
use crate::finding::{Confidence, Finding, Status};
use crate::rules::Rule;
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/tenscan/tenscan";

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.into())
        .build()
}

fn bag(
    tags: Option<Vec<String>>,
    props: BTreeMap<String, serde_json::Value>,
) -> sarif::PropertyBag {
    sarif::PropertyBag {
        tags,
        additional_properties: props,
    }
}

fn level(f: &Finding) -> sarif::ResultLevel {
    use crate::finding::Severity::*;
    if f.placeholder
        || f.confidence == Confidence::Low
        || f.verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Invalid)
    {
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
        super::pretty::LEAKED_HELP
    );
    let precision = if s.context.required || s.context.without == Confidence::High {
        "high"
    } else {
        "medium"
    };
    let props = BTreeMap::from([
        ("precision".into(), json!(precision)),
        ("security-severity".into(), json!(s.severity.score())),
        ("problem.severity".into(), json!("error")),
    ]);
    sarif::ReportingDescriptor::builder()
        .id(s.id.clone())
        .name(s.id.clone())
        .short_description(text(s.description.clone()))
        .full_description(text(format!(
            "{} ({} severity). Detector defined in {}.",
            s.description, s.severity, rule.origin
        )))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(help)
                .build(),
        )
        .properties(bag(
            Some(vec!["security".into(), "secret".into(), "baseten".into()]),
            props,
        ))
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
    let mut message = format!(
        "{} ({} confidence) in {} at line {}",
        f.description, f.confidence, f.path, f.line
    );
    if let Some(c) = &f.commit {
        message.push_str(&format!(", introduced in commit {}", c.id));
    }
    let mut props = BTreeMap::from([
        ("confidence".into(), json!(f.confidence)),
        ("fingerprint".into(), json!(f.fingerprint)),
    ]);
    if let Some(c) = &f.commit {
        props.insert("commit".into(), json!(c.id));
        props.insert("author".into(), json!(c.author));
        props.insert("date".into(), json!(c.date));
    }
    if let Some(b) = &f.blob {
        props.insert("blob".into(), json!(b));
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
            (
                "primaryLocationLineHash".to_string(),
                format!("{}:1", f.fingerprint),
            ),
            ("tenscan/v1".to_string(), f.fingerprint.clone()),
        ]))
        .properties(bag(None, props))
        .build()
}

/// Severity of a verified finding: live full-access or key-management keys are critical,
/// inference keys and unverifiable ones high, metrics-only medium, invalid ones low.
fn verified_severity(v: &crate::finding::Verification) -> &'static str {
    match (v.status, v.scope.as_deref()) {
        (Status::Live, Some("full" | "manage-keys" | "personal")) => "9.8",
        (Status::Live, Some("metrics")) => "5.0",
        (Status::Live, _) => "8.5",
        (Status::Invalid, _) => "2.0",
        _ => "8.0",
    }
}

/// Percent-encodes what a URI reference may not contain; keeps `/`.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn write(found: &[Finding], ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let index: BTreeMap<&str, usize> = ctx
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.spec.id.as_str(), i))
        .collect();
    let results = found
        .iter()
        .filter_map(|f| index.get(f.rule_id.as_str()).map(|&i| result(f, i)))
        .collect::<Vec<_>>();
    let driver = sarif::ToolComponent::builder()
        .name("tenscan")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(ctx.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    // The category (`runAutomationDetails.id`) is set only when asked for: GitHub's upload
    // step sets its own, and the two must not disagree (one analysis per mode).
    let run = match &ctx.category {
        Some(c) => sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(results)
            .automation_details(sarif::RunAutomationDetails {
                id: Some(c.clone()),
                ..Default::default()
            })
            .column_kind(json!("unicodeCodePoints"))
            .build(),
        None => sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(results)
            .column_kind(json!("unicodeCodePoints"))
            .build(),
    };
    let log = sarif::Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
