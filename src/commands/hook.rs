//! `tenscan hook install|uninstall|pre-push`: the git hooks that enforce "never commit keys".
use super::history::{blocked, options, range_commits, scan_repo};
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::HookCommand;
use crate::error::Fatal;
use crate::report::ScanKind;
use crate::source::git::{self, GitError};
use crate::source::history;
use git2::{Oid, Repository};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

pub const PRE_COMMIT: &str = include_str!("../../hooks/pre-commit");
pub const PRE_PUSH: &str = include_str!("../../hooks/pre-push");
/// Marks a hook file as tenscan's own.
pub const MARKER: &str = "# tenscan-hook:";
/// Suffix of a foreign hook tenscan's hook runs first.
pub const CHAINED: &str = ".pre-tenscan";

pub fn run(cmd: HookCommand) -> Result<i32, Fatal> {
    match cmd {
        HookCommand::Install { repo, pre_push, force } => install(&repo, pre_push, force),
        HookCommand::Uninstall { repo } => uninstall(&repo),
        HookCommand::PrePush { repo, report, .. } => pre_push(&repo, &report),
    }
}

/// The hooks directory, honouring `core.hooksPath`.
pub fn hooks_dir(repo: &Repository) -> Result<PathBuf, GitError> {
    let config = repo.config()?;
    if let Ok(p) = config.get_path("core.hooksPath") {
        let base = repo.workdir().unwrap_or(repo.path());
        return Ok(if p.is_absolute() { p } else { base.join(p) });
    }
    Ok(repo.commondir().join("hooks"))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Fatal + '_ {
    move |source| Fatal::Output { path: path.into(), source }
}

fn install(repo_path: &Path, pre_push: bool, force: bool) -> Result<i32, Fatal> {
    let repo = git::open(repo_path)?;
    let dir = hooks_dir(&repo)?;
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let exe = std::env::current_exe().ok().map(|p| p.display().to_string()).unwrap_or_else(|| "tenscan".into());
    let mut hooks = vec![("pre-commit", PRE_COMMIT)];
    if pre_push {
        hooks.push(("pre-push", PRE_PUSH));
    }
    for (name, script) in hooks {
        let path = dir.join(name);
        let chained = dir.join(format!("{name}{CHAINED}"));
        let foreign = match std::fs::read(&path) {
            Ok(existing) => memchr::memmem::find(&existing, MARKER.as_bytes()).is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_err(&path)(e)),
        };
        if foreign {
            if force {
                let backup = dir.join(format!("{name}.bak"));
                std::fs::rename(&path, &backup).map_err(io_err(&backup))?;
                eprintln!("replaced {} (the old hook is kept as {})", path.display(), backup.display());
            } else if chained.exists() {
                return Err(Fatal::Usage(format!(
                    "{} is not tenscan's and {} already exists; remove one of them or use --force",
                    path.display(),
                    chained.display()
                )));
            } else {
                std::fs::rename(&path, &chained).map_err(io_err(&chained))?;
                eprintln!("kept your existing {name} hook: it now runs first, from {}", chained.display());
            }
        }
        // Run this very binary unless $TENSCAN says otherwise.
        let script = script.replace("${TENSCAN:-tenscan}", &format!("${{TENSCAN:-'{exe}'}}"));
        std::fs::write(&path, script).map_err(io_err(&path))?;
        make_executable(&path).map_err(io_err(&path))?;
        eprintln!("installed {}", path.display());
    }
    Ok(EXIT_CLEAN)
}

fn uninstall(repo_path: &Path) -> Result<i32, Fatal> {
    let repo = git::open(repo_path)?;
    let dir = hooks_dir(&repo)?;
    for name in ["pre-commit", "pre-push"] {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if !text.contains(MARKER) {
            eprintln!("left {} alone: tenscan did not write it", path.display());
            continue;
        }
        std::fs::remove_file(&path).map_err(io_err(&path))?;
        let chained = dir.join(format!("{name}{CHAINED}"));
        if chained.exists() {
            std::fs::rename(&chained, &path).map_err(io_err(&path))?;
            eprintln!("removed tenscan's {name} hook and restored yours");
        } else {
            eprintln!("removed {}", path.display());
        }
    }
    Ok(EXIT_CLEAN)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// One line git gives a pre-push hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
    pub local_ref: String,
    pub local: Oid,
    pub remote_ref: String,
    pub remote: Oid,
}

/// Parses `<local ref> <local sha> <remote ref> <remote sha>` lines; blank lines are skipped.
pub fn parse_push_lines(input: &str) -> Result<Vec<PushedRef>, String> {
    let mut out = vec![];
    for (n, line) in input.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            return Err(format!("line {}: expected 4 fields, got {}", n + 1, fields.len()));
        };
        let oid = |s: &str| Oid::from_str(s).map_err(|_| format!("line {}: `{s}` is not an object id", n + 1));
        out.push(PushedRef { local_ref: local_ref.into(), local: oid(local)?, remote_ref: remote_ref.into(), remote: oid(remote)? });
    }
    Ok(out)
}

/// The commits a push sends, oldest first: for each updated ref, what the remote lacks.
pub fn pushed_commits(repo: &Repository, refs: &[PushedRef]) -> Result<Vec<Oid>, GitError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![];
    for r in refs {
        if r.local.is_zero() {
            continue; // a deletion sends nothing
        }
        let mut walk = repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(r.local)?;
        if !r.remote.is_zero() && repo.find_commit(r.remote).is_ok() {
            walk.hide(r.remote)?;
        } else {
            // New branch, or a remote tip we do not have: whatever no remote-tracking ref has.
            for reference in repo.references_glob("refs/remotes/*")?.flatten() {
                if let Ok(c) = reference.peel_to_commit() {
                    walk.hide(c.id())?;
                }
            }
        }
        for oid in walk {
            let oid = oid?;
            if seen.insert(oid) {
                out.push(oid);
            }
        }
    }
    Ok(out)
}

fn pre_push(repo_path: &Path, report: &crate::cli::ReportArgs) -> Result<i32, Fatal> {
    let repo = git::open(repo_path)?;
    let commits = match (std::env::var("PRE_COMMIT_FROM_REF"), std::env::var("PRE_COMMIT_TO_REF")) {
        // The pre-commit framework passes the range in the environment instead of stdin.
        (Ok(from), Ok(to)) if !from.is_empty() && !to.is_empty() => range_commits(&repo, &format!("{from}..{to}"))?,
        _ => {
            let mut input = String::new();
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(Fatal::Stdin)?;
                input.push_str(&line);
                input.push('\n');
            }
            let refs = parse_push_lines(&input).map_err(|e| Fatal::Usage(format!("pre-push input: {e}")))?;
            pushed_commits(&repo, &refs)?
        }
    };
    let opts = options(report, crate::source::DEFAULT_MAX_FILE_SIZE, false);
    let code = scan_repo(&repo, report, ScanKind::History, |sink| history::scan_commits(&repo, &commits, &opts, sink))?;
    if code == EXIT_FINDINGS {
        blocked("push", "git push --no-verify");
        let _ = std::io::stderr().flush();
    }
    Ok(code)
}
