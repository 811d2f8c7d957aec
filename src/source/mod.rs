//! Sources: where blobs come from — worktree files, standard input, the objects of a git
//! history, the commits of a range or a push, the index. Each reads blobs, hands them to
//! `Run::scan`, and asks `Run::judge` for the findings at the path (and commit) each blob is
//! known by; none of them decides what a blob's bytes contain.
pub mod blobs;
pub mod changes;
pub mod history;
pub mod progress;
pub mod stdin;
pub mod worktree;

use std::path::{Path, PathBuf};

/// Turns the paths a source reports into paths as the config's allowlist sees them:
/// relative to the directory of the config file.
#[derive(Debug, Clone)]
pub struct AllowBase {
    /// The config file's directory, absolute; `None`: no config file, paths as reported.
    dir: Option<PathBuf>,
}

impl AllowBase {
    pub fn new(config_dir: Option<&Path>) -> AllowBase {
        AllowBase {
            dir: config_dir.map(absolute),
        }
    }

    /// `file` (absolute, or relative to the current directory) relative to the config's
    /// directory, with `/` separators; a file outside it keeps its absolute path.
    pub fn of(&self, file: &Path) -> String {
        let abs = absolute(file);
        let rel = match &self.dir {
            Some(d) => abs.strip_prefix(d).map(Path::to_path_buf).unwrap_or(abs),
            None => file.to_path_buf(),
        };
        slashes(&rel)
    }
}

/// `p` made absolute against the current directory, `.` and `..` resolved lexically (no
/// symbolic link is followed, so nothing outside the tree is read to name a path).
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path with `/` separators, lossily as UTF-8.
pub fn slashes(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}
