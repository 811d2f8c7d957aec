//! tenscan: finds Baseten API keys in worktrees, git history and staged changes.
//!
//! Data flow: a `source` reads files into `Blob`s → the `matcher` (keyword prefilter → rule
//! regex → `checks`) yields `Hit`s → the `scan` engine turns them into `Finding`s → a
//! `report`er writes pretty text, JSON or SARIF.
pub mod baseline;
pub mod blob;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod decode;
pub mod error;
pub mod examples;
pub mod finding;
pub mod matcher;
pub mod output;
pub mod report;
pub mod rules;
pub mod scan;
pub mod snippet;
pub mod tomlfile;
pub mod source;
pub mod verify;
