//! One module per subcommand: each wires a source to the engine and a reporter.
pub mod baseline;
pub mod docs;
pub mod history;
pub mod hook;
pub mod init;
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod session;
pub mod verify;

/// Exit codes: 0 clean, 1 findings that fail the run, 2 usage or fatal error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_FATAL: i32 = 2;
