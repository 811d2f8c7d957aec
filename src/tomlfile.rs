//! Reading the TOML files users write (config, baseline): one error type that names the file
//! and points at the line and column of the problem.
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TomlFileError {
    #[error("cannot read {what} {}: {source}", path.display())]
    #[diagnostic(code(tenscan::file::read))]
    Read { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("invalid {what} {}: {message}", path.display())]
    #[diagnostic(code(tenscan::file::invalid))]
    Invalid {
        what: &'static str,
        path: PathBuf,
        message: String,
        #[source_code]
        src: miette::NamedSource<String>,
        #[label("here")]
        at: Option<miette::SourceSpan>,
        #[help]
        help: &'static str,
    },
    #[error("cannot write {what} {}: {source}", path.display())]
    #[diagnostic(code(tenscan::file::write))]
    Write { what: &'static str, path: PathBuf, source: std::io::Error },
}

/// One kind of file: what to call it and what to suggest when it is wrong.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub what: &'static str,
    pub help: &'static str,
}

impl Kind {
    pub fn read(self, path: &Path) -> Result<String, TomlFileError> {
        std::fs::read_to_string(path).map_err(|source| TomlFileError::Read { what: self.what, path: path.into(), source })
    }

    /// An error about `text` (the file at `path`), at `at` when known.
    pub fn invalid(self, path: &Path, text: &str, message: String, at: Option<Range<usize>>) -> TomlFileError {
        TomlFileError::Invalid {
            what: self.what,
            path: path.into(),
            message,
            src: miette::NamedSource::new(path.display().to_string(), text.to_string()),
            at: at.map(Into::into),
            help: self.help,
        }
    }

    /// Deserializes strictly; a bad key or value is blamed on its place in the file.
    pub fn parse<T: DeserializeOwned>(self, path: &Path, text: &str) -> Result<T, TomlFileError> {
        toml::from_str(text).map_err(|e| self.invalid(path, text, e.message().to_string(), e.span()))
    }

    pub fn write(self, path: &Path, text: &str) -> Result<(), TomlFileError> {
        std::fs::write(path, text).map_err(|source| TomlFileError::Write { what: self.what, path: path.into(), source })
    }
}
