//! Running the git CLI on a repository that may be hostile. Only plumbing that reads is
//! used, with every config knob that could run a program, fetch from a server, rewrite
//! history (replace refs, grafts) or change the output format pinned on the command line.
use super::GitError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Settings that override the repository's and the user's config for every git command.
const PINNED: &[&str] = &[
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.quotePath=false",
    "core.bigFileThreshold=2g",
    "core.pager=cat",
    "color.ui=false",
    "diff.external=",
    "diff.relative=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.renames=true",
    "log.showSignature=false",
    "log.follow=false",
    "log.showRoot=true",
    "i18n.logOutputEncoding=UTF-8",
    "gpg.program=false",
    "protocol.allow=never",
];

/// A git command-line runner bound to one repository.
#[derive(Debug, Clone)]
pub struct Git {
    git_dir: PathBuf,
    work_tree: Option<PathBuf>,
}

impl Git {
    pub fn new(git_dir: &Path, work_tree: Option<&Path>) -> Git {
        Git {
            git_dir: git_dir.to_path_buf(),
            work_tree: work_tree.map(Path::to_path_buf),
        }
    }

    /// `git` with the repository, the pinned config and an environment that never prompts,
    /// pages, fetches lazily or honours replacement objects and grafts.
    pub fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.arg("--no-pager").arg("--git-dir").arg(&self.git_dir);
        if let Some(w) = &self.work_tree {
            c.arg("--work-tree").arg(w).current_dir(w);
        }
        for setting in PINNED {
            c.arg("-c").arg(setting);
        }
        c.env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_GRAFT_FILE", null_device())
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_PAGER", "cat")
            .env("LC_ALL", "C")
            .env_remove("GIT_EXTERNAL_DIFF")
            .env_remove("GIT_DIFF_OPTS")
            .env_remove("GIT_TRACE")
            .env_remove("GIT_NAMESPACE")
            .stdin(Stdio::null());
        c
    }

    /// Runs `git args…` and returns its standard output; a failure carries the first lines
    /// of git's standard error (control characters escaped).
    pub fn output(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let what = args.first().copied().unwrap_or("").to_string();
        let out = self
            .command()
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .output()
            .map_err(|e| GitError::Cli {
                command: what.clone(),
                message: format!("cannot run git: {e}"),
            })?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(GitError::Cli {
                command: what,
                message: stderr_message(&out.stderr),
            })
        }
    }
}

/// Git's complaint, short and safe to print.
pub fn stderr_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    if lines.is_empty() {
        return "exited with an error and no message".into();
    }
    crate::report::escape::line(&lines.join("; ")).into_owned()
}

fn null_device() -> &'static str {
    if cfg!(windows) {
        "NUL"
    } else {
        "/dev/null"
    }
}

/// `git -C dir …`, hardened like `Git::command`, for a directory that may or may not be in
/// a repository (the worktree source asks which files are tracked).
pub fn in_dir(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("--no-pager").arg("-C").arg(dir);
    for setting in PINNED {
        c.arg("-c").arg(setting);
    }
    c.env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    c
}
