//! Where a report goes: standard output, or a file that appears only once it is complete.
//! Files are written to a temporary file beside the target and renamed over it; a SIGINT or
//! SIGTERM removes the temporary file before the process exits, so an interrupted run never
//! leaves a report (or a baseline) that looks complete, nor litter.
use crate::error::Fatal;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files to remove if the process is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the SIGINT/SIGTERM handler: remove pending temporary files, exit 130.
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(pending) = PENDING.lock() {
            for p in pending.iter() {
                let _ = std::fs::remove_file(p);
            }
        }
        std::process::exit(130);
    });
}

fn track(path: &Path) {
    if let Ok(mut p) = PENDING.lock() {
        p.push(path.to_path_buf());
    }
}

fn untrack(path: &Path) {
    if let Ok(mut p) = PENDING.lock() {
        p.retain(|x| x != path);
    }
}

fn temp_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".tenscan-tmp")
        .tempfile_in(dir)?;
    track(tmp.path());
    Ok(tmp)
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
    let tmp_path = tmp.path().to_path_buf();
    tmp.as_file().sync_all()?;
    let result = tmp.persist(path).map(|_| ()).map_err(|e| e.error);
    untrack(&tmp_path);
    result
}

/// Writes `data` to `path` whole or not at all (mode 0600 when `private`).
pub fn write_file(path: &Path, data: &[u8], private: bool) -> io::Result<()> {
    let mut tmp = temp_beside(path)?;
    let written = (|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if private { 0o600 } else { 0o644 };
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        let _ = private;
        tmp.write_all(data)
    })();
    if let Err(e) = written {
        untrack(tmp.path());
        return Err(e);
    }
    persist(tmp, path)
}

/// Writes `data` to `path` whole or not at all.
pub fn write_atomically(path: &Path, data: &[u8]) -> io::Result<()> {
    write_file(path, data, false)
}

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    /// Written to a temporary file beside the target, renamed over it at the end.
    File {
        tmp: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
    /// A device or pipe named with `-o` (e.g. /dev/stderr): written directly.
    Special {
        file: BufWriter<std::fs::File>,
        path: PathBuf,
    },
}

impl Output {
    /// Opens the destination before the scan so a bad path fails fast.
    pub fn open(path: Option<&Path>) -> Result<Output, Fatal> {
        let Some(path) = path else {
            return Ok(Output::Stdout(BufWriter::new(io::stdout())));
        };
        let err = |e| Fatal::output(path, e);
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_dir() {
                return Err(err(io::Error::other("is a directory")));
            }
            if !meta.is_file() {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(err)?;
                return Ok(Output::Special {
                    file: BufWriter::new(file),
                    path: path.into(),
                });
            }
        }
        let tmp = temp_beside(path).map_err(err)?;
        Ok(Output::File {
            tmp: BufWriter::new(tmp),
            path: path.into(),
        })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(w) => w,
            Output::File { tmp, .. } => tmp,
            Output::Special { file, .. } => file,
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self, Output::Stdout(_))
    }

    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        self.is_stdout() && io::stdout().is_terminal()
    }

    /// Flushes and, for files, moves the finished report into place. A closed standard output
    /// (`tenscan scan | head`) is not an error.
    pub fn finish(self, written: io::Result<()>) -> Result<(), Fatal> {
        match self {
            Output::Stdout(mut w) => match written.and_then(|_| w.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(Fatal::output("<stdout>", e))
                }
                _ => Ok(()),
            },
            Output::File { tmp, path } => {
                let err = |e| Fatal::output(&path, e);
                let tmp = match written.and_then(|_| tmp.into_inner().map_err(|e| e.into_error())) {
                    Ok(t) => t,
                    Err(e) => return Err(err(e)),
                };
                persist(tmp, &path).map_err(err)
            }
            Output::Special { mut file, path } => written
                .and_then(|_| file.flush())
                .map_err(|e| Fatal::output(path, e)),
        }
    }
}
