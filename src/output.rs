//! Where a report goes: standard output, or a file that appears only once it is complete.
use crate::error::Fatal;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    /// Written to a temporary file beside the target, renamed over it at the end.
    File { tmp: BufWriter<tempfile::NamedTempFile>, path: PathBuf },
    /// A device or pipe named with `-o` (e.g. /dev/stderr): written directly.
    Special { file: BufWriter<std::fs::File>, path: PathBuf },
}

impl Output {
    /// Opens the destination before the scan so a bad path fails fast.
    pub fn open(path: Option<&Path>) -> Result<Output, Fatal> {
        let Some(path) = path else { return Ok(Output::Stdout(BufWriter::new(io::stdout()))) };
        let err = |source| Fatal::Output { path: path.into(), source };
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() && !meta.is_dir() {
                let file = std::fs::OpenOptions::new().write(true).open(path).map_err(err)?;
                return Ok(Output::Special { file: BufWriter::new(file), path: path.into() });
            }
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new().prefix(".tenscan-report").tempfile_in(dir).map_err(err)?;
        Ok(Output::File { tmp: BufWriter::new(tmp), path: path.into() })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(w) => w,
            Output::File { tmp, .. } => tmp,
            Output::Special { file, .. } => file,
        }
    }

    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Output::Stdout(_)) && io::stdout().is_terminal()
    }

    /// Flushes and, for files, moves the finished report into place. A closed standard output
    /// (`tenscan scan | head`) is not an error.
    pub fn finish(self, written: io::Result<()>) -> Result<(), Fatal> {
        match self {
            Output::Stdout(mut w) => match written.and_then(|_| w.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Fatal::Output { path: "<stdout>".into(), source: e }),
                _ => Ok(()),
            },
            Output::File { tmp, path } => {
                let err = |source| Fatal::Output { path: path.clone(), source };
                written.map_err(err)?;
                let tmp = tmp.into_inner().map_err(|e| err(e.into_error()))?;
                tmp.as_file().sync_all().map_err(err)?;
                tmp.persist(&path).map_err(|e| err(e.error))?;
                Ok(())
            }
            Output::Special { mut file, path } => {
                written.and_then(|_| file.flush()).map_err(|source| Fatal::Output { path, source })
            }
        }
    }
}
