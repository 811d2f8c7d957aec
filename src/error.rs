//! Fatal errors: what ends a run with exit code 2, each with a miette diagnostic.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Fatal {
    #[error("{}: no such file or directory", path.display())]
    #[diagnostic(code(tenscan::path), help("check the path; `-` scans standard input"))]
    MissingPath { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(code(tenscan::output))]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read standard input: {0}")]
    #[diagnostic(code(tenscan::stdin))]
    Stdin(std::io::Error),
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] crate::tomlfile::TomlFileError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRule(#[from] crate::engine::UnknownRule),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rule(#[from] crate::rules::RuleError),
    #[error("{0}")]
    #[diagnostic(code(tenscan::usage))]
    Usage(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnsafeUrl(#[from] crate::verify::UnsafeUrl),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    WeakSecrets(#[from] crate::baseline::WeakSecrets),
}
