//! tenscan: finds Baseten API keys in worktrees, git history and staged changes.
//!
//! Data flow: a `source` (worktree, stdin, git history, ranges, the index) reads blobs with
//! their provenance → `admission` (size, encoding, binaries, archives) → the `engine` scans
//! each text once (`matcher`: keyword prefilter → rule regex → `checks`; then `decode`) and
//! judges its candidates at every path → one `Finding` → `verify` → a `report`er (pretty,
//! JSON, SARIF; masking and excerpts live there). `run` ties a source to the engine;
//! `commands` wire each subcommand.
pub mod admission;
pub mod api;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod decode;
pub mod engine;
pub mod error;
pub mod examples;
pub mod finding;
pub mod git;
pub mod hashing;
pub mod lines;
pub mod matcher;
pub mod output;
pub mod report;
pub mod revoke;
pub mod rules;
pub mod run;
pub mod source;
pub mod tomlfile;
pub mod verify;
