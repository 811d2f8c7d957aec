//! Reading the TOML files users write (config, baseline): one error type that names the file
//! and points at the line and column of the problem. A key pasted into such a file must not
//! come back in the error, so excerpts and messages have secret-shaped tokens masked.
use crate::report::mask::{mask_tokens, mask_tokens_keeping_offsets};
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TomlFileError {
    #[error("cannot read {what} {}: {message}", path.display())]
    #[diagnostic(code(tenscan::file::read))]
    Read {
        what: &'static str,
        path: PathBuf,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<Invalid>),
    #[error("cannot write {what} {}: {source}", path.display())]
    #[diagnostic(code(tenscan::file::write))]
    Write {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A file that parsed wrongly, with the place to blame.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid {what} {}: {message}", path.display())]
#[diagnostic(code(tenscan::file::invalid))]
pub struct Invalid {
    what: &'static str,
    path: PathBuf,
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    at: Option<miette::SourceSpan>,
    #[help]
    help: &'static str,
}

/// Files larger than this are not config or baseline files.
const MAX_SIZE: u64 = 4 * 1024 * 1024;

/// One kind of file: what to call it and what to suggest when it is wrong.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub what: &'static str,
    pub help: &'static str,
}

impl Kind {
    fn read_error(self, path: &Path, message: String, help: Option<String>) -> TomlFileError {
        TomlFileError::Read {
            what: self.what,
            path: path.into(),
            message,
            help,
        }
    }

    /// Reads a file the user named (`--config`, `--baseline`): links are followed, and a
    /// character device is read up to the size limit (`--config /dev/null` is no config).
    pub fn read(self, path: &Path) -> Result<String, TomlFileError> {
        use std::io::Read;
        let meta =
            std::fs::metadata(path).map_err(|e| self.read_error(path, e.to_string(), None))?;
        if !(meta.is_file() || is_char_device(&meta)) || meta.len() > MAX_SIZE {
            return Err(self.read_error(
                path,
                format!("not a regular file under {MAX_SIZE} bytes"),
                None,
            ));
        }
        let mut bytes = vec![];
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SIZE).read_to_end(&mut bytes))
            .map_err(|e| self.read_error(path, e.to_string(), None))?;
        String::from_utf8(bytes).map_err(|_| self.read_error(path, "not UTF-8 text".into(), None))
    }

    /// Reads a file found inside the scanned tree, which may be hostile: a symbolic link (to
    /// `/proc/self/environ`, to a key file) is refused, never followed.
    pub fn read_found(self, path: &Path) -> Result<String, TomlFileError> {
        let meta = std::fs::symlink_metadata(path)
            .map_err(|e| self.read_error(path, e.to_string(), None))?;
        if meta.file_type().is_symlink() {
            return Err(self.read_error(
                path,
                "it is a symbolic link, which tenscan does not follow for a file it finds in the scanned tree".into(),
                Some("make it a regular file, or name the file you mean with --config".into()),
            ));
        }
        if !meta.is_file() || meta.len() > MAX_SIZE {
            return Err(self.read_error(
                path,
                format!("not a regular file under {MAX_SIZE} bytes"),
                None,
            ));
        }
        let bytes = read_nofollow(path).map_err(|e| self.read_error(path, e.to_string(), None))?;
        String::from_utf8(bytes).map_err(|_| self.read_error(path, "not UTF-8 text".into(), None))
    }

    /// An error about `text` (the file at `path`), at `at` when known.
    pub fn invalid(
        self,
        path: &Path,
        text: &str,
        message: String,
        at: Option<Range<usize>>,
    ) -> TomlFileError {
        TomlFileError::Invalid(Box::new(Invalid {
            what: self.what,
            path: path.into(),
            message: crate::report::escape::line(&mask_tokens(&message)).into_owned(),
            src: miette::NamedSource::new(
                path.display().to_string(),
                mask_tokens_keeping_offsets(text),
            ),
            at: at.map(Into::into),
            help: self.help,
        }))
    }

    /// Deserializes strictly; a bad key or value is blamed on its place in the file.
    pub fn parse<T: DeserializeOwned>(self, path: &Path, text: &str) -> Result<T, TomlFileError> {
        toml::from_str(text)
            .map_err(|e| self.invalid(path, text, e.message().to_string(), e.span()))
    }

    /// Writes the file whole or not at all: a temporary file beside it, synced, then renamed
    /// over it, so a full disk or a signal never leaves a truncated file.
    pub fn write(self, path: &Path, text: &str) -> Result<(), TomlFileError> {
        crate::output::write_atomically(path, text.as_bytes()).map_err(|source| {
            TomlFileError::Write {
                what: self.what,
                path: path.into(),
                source,
            }
        })
    }
}

#[cfg(unix)]
fn is_char_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn read_nofollow(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let mut out = vec![];
    f.by_ref().take(MAX_SIZE).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(not(unix))]
fn read_nofollow(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}
