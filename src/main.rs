use clap::Parser;
use tenscan::cli::{Cli, Command};
use tenscan::commands::{self, EXIT_FATAL};

fn main() {
    let cli = Cli::parse();
    tenscan::output::install_interrupt_cleanup();
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(args),
        Command::History(args) => commands::history::run(args),
        Command::Staged(args) => commands::history::staged(args),
        Command::Hook(cmd) => commands::hook::run(cmd),
        Command::Rules(cmd) => commands::rules::run(cmd),
        Command::Baseline(cmd) => commands::baseline::run(cmd),
        Command::Verify(args) => commands::verify::run(args),
        Command::Revoke(args) => commands::revoke::run(args),
        Command::Init { dir, force } => commands::init::run(&dir, force),
        Command::Completions { shell } => commands::docs::completions(shell),
        Command::Man => commands::docs::man(),
    };
    let code = match result {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("{:?}", miette::Report::new(fatal));
            EXIT_FATAL
        }
    };
    std::process::exit(code);
}
