//! `tenscan revoke`: gathers the keys to revoke (prefixes, a JSON report, or standard input),
//! takes the admin key from the environment, and reports one outcome per key.
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::api::{self, Client};
use crate::cli::{RevokeArgs, VerifyFormat};
use crate::error::Fatal;
use crate::finding::Secret;
use crate::report::escape;
use crate::report::json::Report;
use crate::report::mask::mask_tokens;
use crate::revoke::{self, Row, Target};
use crate::verify;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

/// The environment variable the admin key is read from (and only from).
pub const ADMIN_KEY_VAR: &str = "BASETEN_ADMIN_API_KEY";

pub fn run(args: RevokeArgs) -> Result<i32, Fatal> {
    let mut settings = api::Settings::from_env()?;
    settings.timeout = Duration::from_secs(args.timeout);
    let targets = targets(&args)?;
    let admin = admin_key()?;
    let client = Client::new(settings);
    let rows = revoke::revoke(&client, &admin, targets, args.yes);
    let written = match args.format {
        VerifyFormat::Json => write_json(&rows, args.yes),
        VerifyFormat::Pretty => write_pretty(&rows, args.yes),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(Fatal::output("<stdout>", e));
        }
    }
    Ok(if rows.iter().all(|r| r.outcome.ok()) {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// `BASETEN_ADMIN_API_KEY`, which must hold a whole Baseten API key.
fn admin_key() -> Result<Secret, Fatal> {
    let value = std::env::var(ADMIN_KEY_VAR).unwrap_or_default();
    let value = value.trim();
    if value.is_empty() {
        return Err(Fatal::Usage(format!(
            "set {ADMIN_KEY_VAR} to a Baseten API key that may manage API keys (full access or key management); \
             tenscan reads it from the environment only, never from a file or an argument"
        )));
    }
    if !verify::is_api_key_shape(value) {
        return Err(Fatal::Usage(format!(
            "{ADMIN_KEY_VAR} is not a Baseten API key (8 letters or digits, a dot, 32 letters or digits)"
        )));
    }
    Ok(Secret::new(value.as_bytes()))
}

/// The keys to revoke, merged by prefix, in the order first given.
fn targets(args: &RevokeArgs) -> Result<Vec<Target>, Fatal> {
    fn add(out: &mut Vec<Target>, prefix: String, key: Option<Secret>, source: Option<String>) {
        match out.iter_mut().find(|t| t.prefix == prefix) {
            Some(t) => {
                t.key = t.key.take().or(key);
                t.sources.extend(source);
            }
            None => out.push(Target {
                prefix,
                key,
                sources: source.into_iter().collect(),
            }),
        }
    }
    let mut out: Vec<Target> = vec![];
    for p in &args.prefixes {
        if verify::is_api_key_shape(p) {
            return Err(Fatal::Usage(
                "an argument is a whole API key: give its prefix (the 8 characters before the dot), \
                 or the key on standard input, so it does not land in your shell history"
                    .into(),
            ));
        }
        if !revoke::is_prefix(p) {
            return Err(Fatal::Usage(format!(
                "`{}` is not a key prefix (8 letters or digits, the part of a key before the dot)",
                escape::line(&mask_tokens(p))
            )));
        }
        add(&mut out, p.clone(), None, None);
    }
    let mut skipped = 0;
    if let Some(path) = &args.from {
        let report = read_report(path)?;
        for f in &report.findings {
            match revoke::prefix_of_shown(&f.secret) {
                Some(prefix) => {
                    let key = verify::is_api_key_shape(&f.secret)
                        .then(|| Secret::new(f.secret.as_bytes()));
                    let at = match &f.commit {
                        Some(c) => format!("{}:{} ({})", f.path, f.line, &c[..c.len().min(12)]),
                        None => format!("{}:{}", f.path, f.line),
                    };
                    add(&mut out, prefix, key, Some(escape::line(&at).into_owned()));
                }
                None => skipped += 1,
            }
        }
        if skipped > 0 {
            eprintln!(
                "note: {skipped} finding(s) in {} are not Baseten API keys (webhook secrets, tokens, gateway keys): rotate those in Baseten's settings",
                escape::path(path)
            );
        }
        if out.is_empty() && skipped == 0 {
            return Err(Fatal::Usage(format!(
                "{} has no findings: nothing to revoke",
                escape::path(path)
            )));
        }
    }
    if args.prefixes.is_empty() && args.from.is_none() {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("reading keys or prefixes to revoke from standard input, one per line (end with Ctrl-D)");
        }
        for (n, line) in stdin.lock().lines().enumerate() {
            let line = line.map_err(Fatal::Stdin)?;
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if verify::is_api_key_shape(t) {
                add(
                    &mut out,
                    t[..8].to_string(),
                    Some(Secret::new(t.as_bytes())),
                    None,
                );
            } else if revoke::is_prefix(t) {
                add(&mut out, t.to_string(), None, None);
            } else {
                return Err(Fatal::Usage(format!(
                    "standard input line {}: not a Baseten API key or key prefix",
                    n + 1
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(Fatal::Usage(if skipped > 0 {
            "no Baseten API keys to revoke".into()
        } else {
            "no keys to revoke: give prefixes, --from REPORT, or keys on standard input".into()
        }));
    }
    Ok(out)
}

/// A tenscan JSON report (`-` reads standard input). Errors never quote the file: a revealed
/// report holds whole keys.
fn read_report(path: &Path) -> Result<Report, Fatal> {
    let shown = escape::path(path);
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().lock().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| {
        Fatal::Usage(format!(
            "cannot read {shown}: {}",
            std::io::Error::from(e.kind())
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Fatal::Usage(format!(
            "{shown} is not a tenscan JSON report (write one with `-f json -o {shown}`): line {}, column {}",
            e.line(),
            e.column()
        ))
    })
}

fn write_pretty(rows: &[Row], act: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if !act {
        writeln!(out, "dry run: nothing is revoked without --yes\n")?;
    }
    for r in rows {
        writeln!(out, "{}  {}", r.target.prefix, r.outcome.message())?;
        if let Some(l) = &r.listed {
            let mut parts = vec![];
            if let Some(n) = &l.name {
                parts.push(format!("name {n}"));
            }
            if let Some(k) = &l.kind {
                parts.push(format!("type {}", revoke::describe_type(k)));
            }
            if let Some(o) = &l.owner {
                parts.push(format!("owner {o}"));
            }
            if let Some(t) = &l.team {
                parts.push(format!("team {t}"));
            }
            if !parts.is_empty() {
                writeln!(out, "          {}", parts.join(", "))?;
            }
        }
        for s in &r.target.sources {
            writeln!(out, "          found at {s}")?;
        }
    }
    let ok = rows.iter().filter(|r| r.outcome.ok()).count();
    let n = rows.len();
    writeln!(out)?;
    if act {
        writeln!(
            out,
            "{ok} of {n} key(s) revoked{}",
            if ok == n {
                ""
            } else {
                "; the others are NOT revoked (see above)"
            }
        )?;
    } else {
        writeln!(
            out,
            "{ok} of {n} key(s) would be revoked{}; run again with --yes to revoke",
            if ok == n {
                ""
            } else {
                " (see above for the others)"
            }
        )?;
    }
    if ok > 0 {
        writeln!(
            out,
            "Keys are gone for good once revoked: make sure their replacements are in place first."
        )?;
    }
    Ok(())
}

fn write_json(rows: &[Row], act: bool) -> std::io::Result<()> {
    let keys: Vec<_> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "prefix": r.target.prefix,
                "outcome": r.outcome.code(),
                "ok": r.outcome.ok(),
                "message": r.outcome.message(),
                "listed": r.listed,
                "found_at": r.target.sources,
            })
        })
        .collect();
    let doc = serde_json::json!({ "dry_run": !act, "keys": keys });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("JSON"))
}
