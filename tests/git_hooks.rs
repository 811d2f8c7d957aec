//! `tenscan staged`, the installed hooks and pre-push, driven through real `git commit` and
//! `git push` in temp repositories.
mod common;
use common::*;
use std::path::Path;
use std::process::Output;

fn git_raw(dir: &Path, args: &[&str]) -> Output {
    let bin_dir = assert_cmd::cargo::cargo_bin("tenscan")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("PATH", path)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn staged(dir: &Path) -> (i32, serde_json::Value) {
    let out = tenscan()
        .current_dir(dir)
        .args(["staged", "-f", "json"])
        .output()
        .unwrap();
    (out.status.code().unwrap(), json(&out.stdout))
}

fn snapshot(dir: &Path) -> (Vec<u8>, std::time::SystemTime, String, String) {
    let index = dir.join(".git/index");
    (
        std::fs::read(&index).unwrap_or_default(),
        std::fs::metadata(&index)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH),
        git(dir, &["--no-optional-locks", "status", "--porcelain"]),
        git(dir, &["for-each-ref"]),
    )
}

#[test]
fn staged_scans_the_index_not_the_worktree_and_only_added_lines() {
    let d = tree();
    let p = d.path();
    git_init(p);
    // First commit: everything staged is new.
    write(p, "a.txt", format!("{}\n", key()));
    git(p, &["add", "a.txt"]);
    let (code, r) = staged(p);
    assert_eq!((code, locations(&r).len()), (1, 1));
    write(p, "a.txt", "clean\n");
    git(p, &["add", "a.txt"]);
    git(p, &["commit", "-qm", "one"]);

    // A file with a pre-existing secret: editing another line does not report it.
    write(p, "old.txt", format!("{}\nline\n", key()));
    git(p, &["add", "old.txt"]);
    git(p, &["commit", "-qm", "old", "--no-verify"]);
    write(
        p,
        "old.txt",
        format!(
            "{}line changed\n",
            std::fs::read_to_string(p.join("old.txt"))
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_owned()
                + "\n"
        ),
    );
    git(p, &["add", "old.txt"]);
    let (code, _) = staged(p);
    assert_eq!(code, 0, "pre-existing secret is not an added line");

    // Unstaged secrets in the worktree are not what gets committed.
    write(p, "b.txt", format!("{}\n", key()));
    let (code, _) = staged(p);
    assert_eq!(code, 0);

    // Partial staging: only the staged hunk counts.
    write(p, "c.txt", "one\ntwo\nthree\n");
    git(p, &["add", "c.txt"]);
    git(p, &["commit", "-qm", "c"]);
    let k = key();
    write(p, "c.txt", format!("one\ntwo\nthree\n{}\n", k));
    let (code, _) = staged(p);
    assert_eq!(code, 0);
    git(p, &["add", "c.txt"]);
    let (code, r) = staged(p);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&r),
        vec![("c.txt".into(), 4, 1, "baseten-api-key".into())]
    );
    git(p, &["reset", "-q", "c.txt"]);

    // Renames and deletions add nothing.
    git(p, &["mv", "old.txt", "renamed.txt"]);
    git(p, &["rm", "-q", "a.txt"]);
    let before = snapshot(p);
    let (code, r) = staged(p);
    assert_eq!((code, locations(&r).len()), (0, 0), "{r}");
    assert_eq!(
        snapshot(p),
        before,
        "staged never touches the index, worktree or refs"
    );
}

#[test]
fn allow_comments_are_honoured_in_staged_mode() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(
        p,
        "t.py",
        format!(
            "K = '{}'  # tenscan:allow\n# tenscan:allow-next-line\nJ = '{}'\n",
            key(),
            key()
        ),
    );
    git(p, &["add", "t.py"]);
    let (code, r) = staged(p);
    assert_eq!(code, 0);
    assert_eq!(r["stats"]["suppressed"], 2);
}

#[test]
fn installed_hook_blocks_commit_and_allows_no_verify() {
    let d = tree();
    let p = d.path();
    git_init(p);
    tenscan()
        .current_dir(p)
        .args(["hook", "install"])
        .assert()
        .code(0);
    write(p, "ok.txt", "fine\n");
    git_raw(p, &["add", "ok.txt"]);
    let out = git_raw(p, &["commit", "-qm", "ok"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let k = key();
    write(p, "app.py", format!("BASETEN_API_KEY = '{k}'\n"));
    git_raw(p, &["add", "app.py"]);
    let out = git_raw(p, &["commit", "-qm", "leak"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success());
    assert!(
        all.contains("app.py") && all.contains("--no-verify") && all.contains("rotate"),
        "{all}"
    );
    assert!(!all.contains(&k[9..]), "the hook never prints the secret");
    assert_eq!(git(p, &["rev-list", "--count", "HEAD"]).trim(), "1");

    // `git commit -a` stages through a temporary index (GIT_INDEX_FILE): still caught.
    git_raw(p, &["reset", "-q"]);
    write(p, "ok.txt", format!("fine\n{}\n", key()));
    let out = git_raw(p, &["commit", "-qam", "all"]);
    assert!(!out.status.success(), "commit -a must be blocked");

    let out = git_raw(p, &["commit", "-qam", "knowingly", "--no-verify"]);
    assert!(out.status.success());
}

#[test]
fn install_honours_hooks_path_chains_foreign_hooks_and_uninstall_restores() {
    let d = tree();
    let p = d.path();
    git_init(p);
    git(p, &["config", "core.hooksPath", "myhooks"]);
    write(
        p,
        "myhooks/pre-commit",
        "#!/bin/sh\necho foreign-hook-ran >&2\nexit 0\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            p.join("myhooks/pre-commit"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    tenscan()
        .current_dir(p)
        .args(["hook", "install", "--pre-push"])
        .assert()
        .code(0);
    let hook = std::fs::read_to_string(p.join("myhooks/pre-commit")).unwrap();
    assert!(hook.contains("tenscan-hook:"));
    assert!(p.join("myhooks/pre-commit.pre-tenscan").exists());
    assert!(p.join("myhooks/pre-push").exists());
    write(p, "x.txt", "x\n");
    git_raw(p, &["add", "x.txt"]);
    let out = git_raw(p, &["commit", "-qm", "x"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("foreign-hook-ran"));
    // Reinstalling is idempotent and does not chain tenscan to itself.
    tenscan()
        .current_dir(p)
        .args(["hook", "install"])
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(p.join("myhooks/pre-commit.pre-tenscan"))
            .unwrap()
            .contains("foreign-hook-ran")
    );
    tenscan()
        .current_dir(p)
        .args(["hook", "uninstall"])
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(p.join("myhooks/pre-commit"))
        .unwrap()
        .contains("foreign-hook-ran"));
    assert!(!p.join("myhooks/pre-push").exists());
}

#[test]
fn pre_push_scans_exactly_the_pushed_commits() {
    let d = tree();
    let remote = d.path().join("remote.git");
    let p = d.path().join("work");
    std::fs::create_dir(&p).unwrap();
    git_init(&p);
    bare_origin(&p, &remote);
    // Already on the remote: an old secret that the pre-push hook must not re-report.
    write(&p, "old.txt", format!("{}\n", key()));
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "old"]);
    git(&p, &["push", "-q", "origin", "main"]);
    tenscan()
        .current_dir(&p)
        .args(["hook", "install", "--pre-push"])
        .assert()
        .code(0);

    write(&p, "clean.txt", "clean\n");
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "clean", "--no-verify"]);
    let out = git_raw(&p, &["push", "-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A new branch: only commits no remote-tracking ref has are scanned.
    git(&p, &["checkout", "-q", "-b", "feature"]);
    write(&p, "new.txt", format!("{}\n", key()));
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "leak", "--no-verify"]);
    let out = git_raw(&p, &["push", "-q", "origin", "feature"]);
    assert!(!out.status.success(), "the push of a new secret is blocked");
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(err.contains("new.txt") && !err.contains("old.txt"), "{err}");
    assert!(err.contains("git push --no-verify"), "{err}");

    // Direct: a deletion sends nothing; a range line scans remote..local.
    let head = git(&p, &["rev-parse", "HEAD"]).trim().to_string();
    let main = git(&p, &["rev-parse", "main"]).trim().to_string();
    let zero = "0".repeat(40);
    tenscan()
        .current_dir(&p)
        .args(["hook", "pre-push", "origin", "url"])
        .write_stdin(format!("(delete) {zero} refs/heads/gone {main}\n"))
        .assert()
        .code(0);
    tenscan()
        .current_dir(&p)
        .args(["hook", "pre-push", "origin", "url"])
        .write_stdin(format!(
            "refs/heads/feature {head} refs/heads/feature {main}\n"
        ))
        .assert()
        .code(1);
    tenscan()
        .current_dir(&p)
        .args(["hook", "pre-push"])
        .write_stdin("garbage line\n")
        .assert()
        .code(2);
}

#[test]
fn staged_in_nested_directories_uses_the_cache_tree_correctly() {
    let d = tree();
    let p = d.path();
    git_init(p);
    for i in 0..30 {
        write(
            p,
            &format!("pkg{}/mod{}/f{i}.py", i % 3, i % 5),
            format!("x = {i}\n"),
        );
    }
    write(p, "pkg0/mod0/old.txt", format!("{}\n", key()));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "tree", "--no-verify"]);
    // Nothing staged: clean.
    assert_eq!(staged(p).0, 0);
    // An edit deep inside one directory, a new directory, a move, a deletion.
    write(p, "pkg1/mod1/f1.py", format!("x = 1\nKEY = '{}'\n", key()));
    write(p, "newpkg/deep/new.py", format!("K = '{}'\n", key()));
    git(p, &["mv", "pkg0/mod0/old.txt", "pkg2/moved.txt"]);
    git(p, &["rm", "-q", "pkg0/mod0/f0.py"]);
    git(p, &["add", "-A"]);
    let (code, r) = staged(p);
    assert_eq!(code, 1);
    let mut found = locations(&r);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "newpkg/deep/new.py".to_string(),
                1,
                6,
                "baseten-api-key".to_string()
            ),
            (
                "pkg1/mod1/f1.py".to_string(),
                2,
                8,
                "baseten-api-key".to_string()
            ),
        ]
    );
}
