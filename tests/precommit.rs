//! The pre-commit framework (https://pre-commit.com), for real: pre-commit is installed from
//! PyPI into a virtualenv, a temp repository's `.pre-commit-config.yaml` points at this
//! repository at HEAD, and for every hook id a commit with a key is blocked and a clean one
//! passes, `pre-commit run --all-files` fails on a committed key, and the first push of a new
//! repository (a root commit) with a key is blocked. Skipped, saying so, without Python.
mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `pre-commit` in a virtualenv made once per build directory; `None` without python3.
fn pre_commit() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        python_tool(
            "pre-commit-venv",
            "pre-commit>=3.2",
            "the pre-commit framework cannot be",
        )
        .map(|bin| bin.join("pre-commit"))
    })
    .clone()
}

/// This repository's HEAD: what `rev:` names (pre-commit clones the repository at it).
fn head() -> String {
    git(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["rev-parse", "HEAD"],
    )
    .trim()
    .to_string()
}

struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    remote: PathBuf,
    home: PathBuf,
}

fn repo(hooks: &[&str]) -> Repo {
    let dir = tree();
    let path = dir.path().join("work");
    std::fs::create_dir(&path).unwrap();
    git_init(&path);
    let ids: String = hooks.iter().map(|h| format!("      - id: {h}\n")).collect();
    write(
        &path,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n{ids}",
            env!("CARGO_MANIFEST_DIR"),
            head()
        ),
    );
    let remote = dir.path().join("remote.git");
    bare_origin(&path, &remote);
    let home = dir.path().to_path_buf();
    Repo {
        _dir: dir,
        path,
        remote,
        home,
    }
}

impl Repo {
    /// A command with the test's PATH (tenscan on it for the -system ids), a private
    /// pre-commit cache, and cargo told to build quickly and reuse its build directory.
    fn cmd(&self, program: &Path, args: &[&str]) -> Command {
        let bin = assert_cmd::cargo::cargo_bin("tenscan");
        let path = format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap()
        );
        let mut c = Command::new(program);
        c.current_dir(&self.path)
            .args(args)
            .env("PATH", path)
            .env(
                "PRE_COMMIT_HOME",
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-home"),
            )
            .env(
                "CARGO_TARGET_DIR",
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-build"),
            )
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("HOME", &self.home)
            .env_remove("TENSCAN")
            .env_remove("GIT_INDEX_FILE");
        c
    }
    fn git(&self, args: &[&str]) -> Output {
        self.cmd(Path::new("git"), args).output().unwrap()
    }
    fn pre_commit(&self, bin: &Path, args: &[&str]) -> Output {
        self.cmd(bin, args).output().unwrap()
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every check the issue asks of a commit hook id and a push hook id.
fn check_hooks(commit_id: &str, push_id: &str) {
    let Some(pc) = pre_commit() else { return };
    let r = repo(&[commit_id, push_id]);
    let out = r.pre_commit(
        &pc,
        &[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "pre-push",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // A clean commit passes (the first run also installs the hook environment).
    write(&r.path, "ok.py", "x = 1\n");
    r.git(&["add", "-A"]);
    let out = r.git(&["commit", "-qm", "clean"]);
    assert!(
        out.status.success(),
        "{commit_id}: a clean commit is blocked: {}",
        text(&out)
    );
    // A commit that adds a key is blocked, and says how to fix it without showing the key.
    let k = key();
    write(&r.path, "app.py", format!("BASETEN_API_KEY = '{k}'\n"));
    r.git(&["add", "app.py"]);
    let out = r.git(&["commit", "-qm", "leak"]);
    let all = text(&out);
    assert!(
        !out.status.success(),
        "{commit_id}: the key was committed: {all}"
    );
    assert!(
        all.contains("app.py") && all.contains("--no-verify") && !all.contains(&k[9..]),
        "{all}"
    );
    // Committed anyway: `run --all-files` and `run --files` (what pre-commit.ci runs) fail on it.
    assert!(r
        .git(&["commit", "-qm", "leak", "--no-verify"])
        .status
        .success());
    for args in [&["run", "--all-files"][..], &["run", "--files", "app.py"]] {
        let out = r.pre_commit(&pc, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{commit_id} {args:?}: {}",
            text(&out)
        );
        assert!(text(&out).contains("app.py"));
    }
    // The first push of the new repository (its root commit holds the key) is blocked.
    let out = r.git(&["push", "-q", "origin", "main"]);
    assert!(
        !out.status.success(),
        "{push_id}: the first push went through: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("tenscan blocked this push"),
        "{}",
        text(&out)
    );
    assert!(
        git(&r.path, &["ls-remote", &r.remote.display().to_string()])
            .trim()
            .is_empty()
    );
    // Once the key is gone from the history, the push goes through.
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let out = r.git(&["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{push_id}: {}", text(&out));
}

#[test]
fn system_hooks_block_commits_all_files_runs_and_first_pushes() {
    check_hooks("tenscan-system", "tenscan-push-system");
}

#[test]
fn rust_hooks_built_by_the_framework_do_the_same() {
    check_hooks("tenscan", "tenscan-push");
}

#[test]
fn hook_install_and_the_framework_live_together() {
    let Some(pc) = pre_commit() else { return };
    // The framework first: tenscan's own hook is not installed over it.
    let r = repo(&["tenscan-system"]);
    assert!(r.pre_commit(&pc, &["install"]).status.success());
    let out = tenscan()
        .current_dir(&r.path)
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains(".pre-commit-config.yaml") && text(&out).contains("id: tenscan"),
        "{}",
        text(&out)
    );
    // tenscan's hook first, then the framework (which keeps it as a legacy hook): commits
    // still work, keys are still blocked, and `hook uninstall` takes tenscan's part out.
    let r = repo(&["tenscan-system"]);
    let tenscan_bin = assert_cmd::cargo::cargo_bin("tenscan");
    assert!(r
        .cmd(&tenscan_bin, &["hook", "install"])
        .output()
        .unwrap()
        .status
        .success());
    assert!(r.pre_commit(&pc, &["install"]).status.success());
    write(&r.path, "ok.py", "x = 1\n");
    r.git(&["add", "-A"]);
    let out = r.git(&["commit", "-qm", "clean"]);
    assert!(out.status.success(), "{}", text(&out));
    write(&r.path, "app.py", format!("K = '{}'\n", key()));
    r.git(&["add", "-A"]);
    assert!(!r.git(&["commit", "-qm", "leak"]).status.success());
    let out = r
        .cmd(&tenscan_bin, &["hook", "uninstall"])
        .output()
        .unwrap();
    assert!(
        out.status.success() && text(&out).contains("legacy"),
        "{}",
        text(&out)
    );
    assert!(!r.path.join(".git/hooks/pre-commit.legacy").exists());
    assert!(
        !r.git(&["commit", "-qm", "leak"]).status.success(),
        "the framework's hook still blocks"
    );
    r.git(&["reset", "-q", "app.py"]);
    let out = r.git(&["commit", "-qm", "clean", "--allow-empty"]);
    assert!(out.status.success(), "{}", text(&out));
}
