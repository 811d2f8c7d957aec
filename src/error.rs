//! Fatal errors: what ends a run with exit code 2, each with a miette diagnostic.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Fatal {
    #[error("{}: no such file or directory", path.display())]
    #[diagnostic(code(tenscan::path), help("check the path; `-` scans standard input"))]
    MissingPath { path: PathBuf },
    #[error("cannot write {}: {message}", path.display())]
    #[diagnostic(code(tenscan::output))]
    Output { path: PathBuf, message: String },
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
    UnsafeUrl(#[from] crate::api::UnsafeUrl),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] crate::git::GitError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    WeakSecrets(#[from] crate::baseline::WeakSecrets),
}

impl Fatal {
    /// Writing `path` failed: the OS's reason, without the temporary file's name.
    pub fn output(path: impl Into<PathBuf>, e: std::io::Error) -> Fatal {
        use std::io::ErrorKind::*;
        let message = match (e.raw_os_error(), e.kind()) {
            (Some(code), _) => std::io::Error::from_raw_os_error(code).to_string(),
            (None, NotFound) => "no such file or directory".into(),
            (None, PermissionDenied) => "permission denied".into(),
            (None, StorageFull) => "no space left on the device".into(),
            (None, ReadOnlyFilesystem) => "read-only file system".into(),
            (None, kind) => kind.to_string(),
        };
        Fatal::Output {
            path: path.into(),
            message,
        }
    }
}
