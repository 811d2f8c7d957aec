//! `tenscan verify`: checks keys given as arguments or on standard input, one per line.
use super::session::fails_on;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{FailOn, VerifyArgs, VerifyFormat};
use crate::error::Fatal;
use crate::report::mask::mask;
use crate::verify::{self, Verifier};
use std::io::{BufRead, IsTerminal, Write};

pub fn run(args: VerifyArgs) -> Result<i32, Fatal> {
    let settings = verify::Settings::from_env()?;
    let keys: Vec<String> = if args.keys.is_empty() {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("reading keys to verify from standard input, one per line (end with Ctrl-D)");
        }
        let mut v = vec![];
        for line in stdin.lock().lines() {
            let line = line.map_err(Fatal::Stdin)?;
            let t = line.trim();
            if !t.is_empty() {
                v.push(t.to_string());
            }
        }
        v
    } else {
        args.keys.clone()
    };
    if keys.is_empty() {
        return Err(Fatal::Usage(
            "no keys to verify: give them as arguments or one per line on standard input".into(),
        ));
    }
    let verifier = Verifier::new(settings);
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let results = verifier.verify_all(&refs);
    let mut out = std::io::stdout().lock();
    let mut rows = vec![];
    let mut fails = false;
    for k in &keys {
        let v = results
            .get(k.as_str())
            .cloned()
            .expect("every key verified");
        fails |= fails_on(Some(args.fail_on.unwrap_or(FailOn::Live)), Some(&v));
        let shown = if args.reveal {
            k.clone()
        } else {
            mask(k, if verify::is_api_key_shape(k) { 8 } else { 4 })
        };
        rows.push((shown, v));
    }
    let written = match args.format {
        VerifyFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|(k, v)| serde_json::json!({"secret": k, "verification": v}))
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&list).expect("JSON")
            )
        }
        VerifyFormat::Pretty => rows.iter().try_for_each(|(k, v)| {
            writeln!(
                out,
                "{}  {}",
                crate::report::escape::line(k),
                verify::headline(v)
            )
        }),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(Fatal::output("<stdout>", e));
        }
    }
    Ok(if fails { EXIT_FINDINGS } else { EXIT_CLEAN })
}
