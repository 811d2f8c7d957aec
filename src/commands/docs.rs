//! `tenscan completions SHELL` and `tenscan man`: generated from the command-line
//! definitions, so they never drift from `--help`.
use super::EXIT_CLEAN;
use crate::cli::Cli;
use crate::error::Fatal;
use clap::CommandFactory;

pub fn completions(shell: clap_complete::Shell) -> Result<i32, Fatal> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tenscan", &mut out);
    write_stdout(&out)
}

pub fn man() -> Result<i32, Fatal> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Fatal::output("<stdout>", e))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<i32, Fatal> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Fatal::output("<stdout>", e)),
        _ => Ok(EXIT_CLEAN),
    }
}
