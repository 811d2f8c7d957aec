//! `tenscan rules list` and `tenscan rules check`.
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::RulesCommand;
use crate::config::Config;
use crate::error::Fatal;
use crate::examples;
use crate::rules::{self, Rule};
use std::io::Write;

pub fn run(cmd: RulesCommand) -> Result<i32, Fatal> {
    match cmd {
        RulesCommand::List { config } => {
            let config = Config::discover(config.as_deref(), std::path::Path::new("."))?;
            let engine = crate::engine::Engine::from_config(config, Default::default())?;
            let mut out = std::io::stdout().lock();
            for r in engine.matcher.rules() {
                let s = &r.spec;
                let line = format!(
                    "{:<30} {:<9} {}",
                    s.id,
                    s.severity.to_string(),
                    s.description
                );
                if writeln!(out, "{line}").is_err() {
                    break;
                }
            }
            Ok(EXIT_CLEAN)
        }
        RulesCommand::Check { files } => {
            let rules: Vec<Rule> = if files.is_empty() {
                rules::builtin()
            } else {
                let mut v = vec![];
                for f in &files {
                    let text = std::fs::read_to_string(f)
                        .map_err(|_| Fatal::MissingPath { path: f.clone() })?;
                    v.push(rules::parse_rule(&text, &f.display().to_string())?);
                }
                v
            };
            let mut failed = 0;
            let mut out = std::io::stdout().lock();
            for r in &rules {
                let failures = examples::check(r);
                let (pos, neg) = (r.spec.examples.len(), r.spec.negative_examples.len());
                let status = if failures.is_empty() { "ok  " } else { "FAIL" };
                let _ = writeln!(
                    out,
                    "{status} {} ({}, {})",
                    r.spec.id,
                    plural(pos, "example"),
                    plural(neg, "negative example")
                );
                if pos == 0 {
                    let _ = writeln!(out, "     warning: {} has no examples", r.spec.id);
                }
                for f in &failures {
                    let _ = writeln!(out, "     {f}");
                }
                failed += failures.len();
            }
            Ok(if failed == 0 {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
    }
}

/// `1 example`, `2 examples`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
