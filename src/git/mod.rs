//! The git layer. Objects, refs and trees are read in-process with gitoxide (`gix`); revision
//! ranges, staged changes and line diffs come from the git CLI, which is the oracle for what
//! they mean. Both are hardened against hostile repository config (see `cli`).
pub mod changes;
pub mod cli;
pub mod diff;
pub mod objects;
pub mod packs;
pub mod raw;
pub mod residency;
pub mod walk;

use std::path::{Path, PathBuf};

/// A repository tenscan could not use.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("{}: not a git repository ({message})", path.display())]
    #[diagnostic(
        code(tenscan::git::not_a_repo),
        help("run it inside a repository or pass the repository's path")
    )]
    NotARepo { path: PathBuf, message: String },
    #[error("{}: cannot open the repository: {message}", path.display())]
    #[diagnostic(code(tenscan::git::open))]
    Open { path: PathBuf, message: String },
    #[error("{}: not supported yet: {what}", path.display())]
    #[diagnostic(code(tenscan::git::unsupported))]
    Unsupported {
        path: PathBuf,
        what: String,
        #[help]
        help: Option<String>,
    },
    #[error("bad revision `{rev}`: {message}")]
    #[diagnostic(code(tenscan::git::revision), help("any revision or range git accepts: `main..feature`, `main...feature`, `v1.2.0`, a commit id"))]
    Revision { rev: String, message: String },
    #[error("git {command} failed: {message}")]
    #[diagnostic(code(tenscan::git::cli), help("tenscan runs the git command-line tool for ranges and staged changes; is `git` installed and on PATH?"))]
    Cli { command: String, message: String },
    #[error("git: {0}")]
    #[diagnostic(code(tenscan::git))]
    Other(String),
}

/// An open repository: gitoxide's handle (shared across threads) and its locations.
pub struct Repo {
    pub sync: gix::ThreadSafeRepository,
    pub git_dir: PathBuf,
    pub workdir: Option<PathBuf>,
    pub hash: gix::hash::Kind,
    /// The promisor remote of a partial clone: objects may be missing locally by design.
    pub partial_clone: Option<String>,
}

impl Repo {
    /// Opens the repository at or above `path` (worktrees, bare repositories and linked
    /// worktrees included). Nothing in the repository's config is executed or trusted:
    /// replacement refs are ignored, so what is scanned is what the objects hold.
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        if !path.exists() {
            return Err(GitError::NotARepo {
                path: path.into(),
                message: "no such directory".into(),
            });
        }
        // Replacement refs are ignored; each thread's delta-base cache is kept small (history
        // scans run one handle per core).
        // (16 MiB: larger caches bought no speed on the benchmark histories, only memory).
        let options = || {
            gix::open::Options::isolated().config_overrides([
                "core.useReplaceRefs=false",
                "gitoxide.core.deltaBaseCacheLimit=16m",
            ])
        };
        let trust = gix::sec::trust::Mapping {
            full: options(),
            reduced: options(),
        };
        let repo = gix::ThreadSafeRepository::discover_opts(path, Default::default(), trust)
            .map_err(|e| {
                let message = first_line(&e.to_string());
                // A repository that exists but that gitoxide refuses gets its reason, never
                // "not a git repository".
                match probe_unsupported(path) {
                    Some((what, help)) => GitError::Unsupported {
                        path: path.into(),
                        what,
                        help,
                    },
                    None if looks_like_repo(path) => GitError::Open {
                        path: path.into(),
                        message,
                    },
                    None => GitError::NotARepo {
                        path: path.into(),
                        message,
                    },
                }
            })?;
        let local = repo.to_thread_local();
        let config = local.config_snapshot();
        // A partial clone names its promisor remote in `extensions.partialClone` (older git)
        // or marks it `remote.<name>.promisor = true`.
        let promisor = config
            .plumbing()
            .sections_by_name("remote")
            .and_then(|mut sections| {
                sections.find_map(|s| {
                    let on = s.value("promisor").is_some_and(|v| {
                        matches!(
                            v.to_ascii_lowercase().as_slice(),
                            b"true" | b"yes" | b"on" | b"1"
                        )
                    });
                    on.then(|| {
                        s.header()
                            .subsection_name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    })
                })
            });
        let partial_clone = config
            .string("extensions.partialClone")
            .map(|s| s.to_string())
            .or(promisor);
        let hash = local.object_hash();
        let git_dir = local.git_dir().to_path_buf();
        let workdir = local.workdir().map(Path::to_path_buf);
        drop(local);
        Ok(Repo {
            sync: repo,
            git_dir,
            workdir,
            hash,
            partial_clone,
        })
    }

    /// The directory whose `.tenscan.toml` applies: the worktree, or the git dir of a bare repo.
    pub fn root(&self) -> &Path {
        self.workdir.as_deref().unwrap_or(&self.git_dir)
    }

    pub fn local(&self) -> gix::Repository {
        let mut r = self.sync.to_thread_local();
        // Every object is read once; caching them would only cost memory.
        r.object_cache_size(None);
        // The object database is read as it was when it was opened: never re-read from disk,
        // so a pack mapped once stays mapped (see `residency`) and a repack during the scan
        // changes nothing.
        r.objects.refresh_never();
        r
    }

    pub fn cli(&self) -> cli::Git {
        cli::Git::new(&self.git_dir, self.workdir.as_deref())
    }

    /// The advice for a scan that met missing objects in a partial clone.
    pub fn missing_objects_help(&self) -> Option<String> {
        self.partial_clone.as_ref().map(|remote| {
            format!("this is a partial clone (promisor remote `{remote}`): objects it never fetched cannot be scanned offline; audit a full clone (`git clone` without --filter)")
        })
    }
}

/// Why a directory that holds a repository cannot be opened, in words a user can act on.
fn probe_unsupported(path: &Path) -> Option<(String, Option<String>)> {
    let dir = git_dir_of(path)?;
    let config = std::fs::read_to_string(dir.join("config"))
        .ok()?
        .to_ascii_lowercase();
    let value = |key: &str| {
        config.lines().map(str::trim).find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    if let Some(format) = value("objectformat").filter(|f| f != "sha1" && f != "sha256") {
        return Some((format!("object format `{format}`"), None));
    }
    if let Some(storage) = value("refstorage").filter(|s| s != "files") {
        return Some((
            format!("ref storage `{storage}` (extensions.refStorage)"),
            Some(
                "convert it with `git refs migrate --ref-format=files`, or scan a fresh clone"
                    .into(),
            ),
        ));
    }
    None
}

fn looks_like_repo(path: &Path) -> bool {
    git_dir_of(path).is_some()
}

/// `path/.git`, or `path` itself when it looks like a git directory.
fn git_dir_of(path: &Path) -> Option<PathBuf> {
    let dot = path.join(".git");
    if dot.is_dir() {
        return Some(dot);
    }
    (path.join("HEAD").is_file() && path.join("objects").is_dir()).then(|| path.to_path_buf())
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// Who made a commit and when: what findings in history report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub date: String,
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the commit's own time zone.
pub fn format_date(seconds: i64, offset_seconds: i32) -> String {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(seconds) {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::fixed(offset))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        Err(_) => seconds.to_string(),
    }
}

/// A `--date=raw` date (`1764336938 +0100`) formatted like `format_date`.
pub fn raw_date(raw: &str) -> String {
    let mut words = raw.split_whitespace();
    let seconds = words.next().and_then(|s| s.parse::<i64>().ok());
    let offset = words.next().and_then(|z| {
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let digits = z.trim_start_matches(['+', '-']);
        let n: i32 = digits.parse().ok()?;
        Some(sign * ((n / 100) * 3600 + (n % 100) * 60))
    });
    match (seconds, offset) {
        (Some(s), Some(o)) => format_date(s, o),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_keep_the_commit_time_zone() {
        assert_eq!(super::format_date(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(
            super::raw_date("1764336938 +0130"),
            "2025-11-28T15:05:38+01:30"
        );
        assert_eq!(
            super::raw_date("1764336938 -0800"),
            "2025-11-28T05:35:38-08:00"
        );
    }
}
