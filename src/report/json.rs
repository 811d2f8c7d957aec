//! JSON (`{"version":1,"findings":[…],"stats":{…}}`) and JSON lines (one finding a line).
use crate::finding::Finding;
use crate::scan::{Reported, Stats};
use serde::Serialize;
use std::io::{self, Write};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<&'a Finding>,
    stats: &'a Stats,
}

pub fn write(found: &[Reported], stats: &Stats, out: &mut dyn Write) -> io::Result<()> {
    let report = Report { version: VERSION, findings: found.iter().map(|r| &r.finding).collect(), stats };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

pub fn write_lines(found: &[Reported], out: &mut dyn Write) -> io::Result<()> {
    for r in found {
        serde_json::to_writer(&mut *out, &r.finding)?;
        writeln!(out)?;
    }
    Ok(())
}
