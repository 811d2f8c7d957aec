//! The hundred-times-a-day experience: config found where users keep it, quiet when asked,
//! a summary where CI logs show it, messages that say what to do, completions and a man
//! page, and terminal behaviour (colour, waiting on a terminal, progress) checked under a
//! pseudo-terminal (`script` from util-linux).
mod common;
use common::*;
use std::path::Path;

fn out(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = tenscan()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs `cmd` (a shell command line) under a pseudo-terminal; standard input is empty.
fn under_pty(dir: &Path, cmd: &str, env: &[(&str, &str)]) -> String {
    let mut c = std::process::Command::new("script");
    c.current_dir(dir)
        .args(["-qec", cmd, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c
        .output()
        .expect("script (util-linux) runs commands under a pseudo-terminal");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("tenscan")
        .display()
        .to_string()
}

#[test]
fn config_is_found_at_the_repository_root_and_its_paths_are_relative_to_it() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, ".tenscan.toml", "[allowlist]\npaths = [\"ign/**\"]\n");
    write(p, "ign/a.py", format!("K = '{}'\n", key()));
    write(p, "src/b.py", format!("K = '{}'\n", key()));
    // From the root, scanning a subdirectory: the root's config applies.
    let (code, _, err) = out(p, &["scan", "ign"]);
    assert_eq!(code, 0, "{err}");
    // From inside the subdirectory: found by walking up, paths still relative to it.
    let (code, _, err) = out(&p.join("ign"), &["scan", "."]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = out(
        &p.join("ign"),
        &["scan", ".", "--config", "../.tenscan.toml"],
    );
    assert_eq!(code, 0);
    // The README's own example: paths, not the first path's directory, pick nothing up.
    let (code, o, _) = out(p, &["scan", "src/", "ign/a.py", "-f", "json"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json(o.as_bytes()))
            .into_iter()
            .map(|l| l.0)
            .collect::<Vec<_>>(),
        ["src/b.py"]
    );
    // Never above the repository: a config outside it does not apply.
    let outer = tree();
    write(
        outer.path(),
        ".tenscan.toml",
        "[allowlist]\npaths = [\"**\"]\n",
    );
    write(outer.path(), "repo/x.py", format!("K = '{}'\n", key()));
    git_init(&outer.path().join("repo"));
    let (code, _, _) = out(&outer.path().join("repo"), &["scan", "."]);
    assert_eq!(code, 1);
}

#[test]
fn quiet_means_only_the_findings_and_the_hook_message_belongs_to_the_hook() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.py", format!("K = '{}'\n", key()));
    let (code, o, e) = out(p, &["scan", ".", "-q"]);
    assert_eq!(code, 1);
    assert!(
        o.contains("baseten-api-key")
            && !o.contains("tenscan worktree:")
            && !o.contains("what to do"),
        "{o}"
    );
    assert!(e.is_empty(), "{e}");
    git(p, &["add", "a.py"]);
    for args in [&["staged"][..], &["staged", "-q"]] {
        let (code, _, e) = out(p, args);
        assert_eq!(code, 1);
        assert!(!e.contains("tenscan blocked this commit"), "{args:?}: {e}");
    }
    let (code, _, e) = out(p, &["hook", "pre-commit"]);
    assert_eq!(code, 1);
    assert!(e.contains("tenscan blocked this commit"), "{e}");
}

#[test]
fn no_ignore_means_every_ignore_file_and_help_says_so() {
    let d = tree();
    write(d.path(), ".tenscanignore", "skip/\n");
    write(d.path(), "skip/a.py", format!("K = '{}'\n", key()));
    assert_eq!(out(d.path(), &["scan", "."]).0, 0);
    assert_eq!(out(d.path(), &["scan", ".", "--no-ignore"]).0, 1);
    let (_, help, _) = out(d.path(), &["scan", "--help"]);
    assert!(help.contains(".tenscanignore"), "{help}");
}

#[test]
fn a_report_to_a_file_still_says_what_happened_on_stderr() {
    let d = tree();
    write(d.path(), "a.py", format!("K = '{}'\n", key()));
    let (code, o, e) = out(d.path(), &["scan", ".", "-o", "report.txt"]);
    assert_eq!(code, 1);
    assert!(o.is_empty());
    assert!(e.contains("tenscan worktree: 1 finding in"), "{e}");
    // A bad destination: one error, naming it, not a temporary file.
    let (code, _, e) = out(d.path(), &["scan", ".", "-o", "no/such/dir/report.txt"]);
    assert_eq!(code, 2);
    assert_eq!(e.matches("no/such/dir/report.txt").count(), 1, "{e}");
    assert!(!e.contains(".tenscan-tmp"), "{e}");
}

#[test]
fn messages_fit_what_was_found() {
    let d = tree();
    write(
        d.path(),
        "a.py",
        format!("K = '{}'\nL = '{}'\n", key(), key()),
    );
    let (_, o, _) = out(d.path(), &["scan", "."]);
    assert_eq!(
        o.matches("treat each key as leaked").count(),
        1,
        "the advice is given once: {o}"
    );
    assert!(
        o.contains("tenscan revoke") && o.contains("--scrub-plan"),
        "{o}"
    );
    // Only placeholders: nothing is leaked, and the report does not say so.
    let d = tree();
    write(
        d.path(),
        "doc.md",
        "BASETEN_API_KEY=xxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    );
    let (code, o, _) = out(d.path(), &["scan", ".", "--show-placeholders"]);
    assert_eq!(code, 0);
    assert!(!o.contains("leaked") && o.contains("placeholder"), "{o}");
    let (_, o, _) = out(d.path(), &["scan", "."]);
    assert!(o.contains("1 placeholder hidden"), "{o}");
    // Standard input is called standard input.
    let o = tenscan()
        .args(["scan", "-"])
        .write_stdin("nothing here\n")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("tenscan stdin: 0 findings in 1 file"));
    // A path named twice is reported once.
    write(d.path(), "demo/config.py", format!("K = '{}'\n", key()));
    let (_, o, _) = out(d.path(), &["scan", "demo/", "demo/config.py", "-f", "json"]);
    assert_eq!(locations(&json(o.as_bytes())).len(), 1);
    // Rule checks count in English.
    write(d.path(), "r.toml", "id = \"one\"\ndescription = \"d\"\nseverity = \"high\"\nregex = '''(one-[0-9]{6})'''\nexamples = ['one-123456']\n");
    let (_, o, _) = out(d.path(), &["rules", "check", "r.toml"]);
    assert!(o.contains("(1 example, 0 negative examples)"), "{o}");
}

#[test]
fn a_push_is_told_to_fix_the_commits() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.py", format!("K = '{}'\n", key()));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "k"]);
    let head = git(p, &["rev-parse", "HEAD"]).trim().to_string();
    let o = tenscan()
        .current_dir(p)
        .args(["hook", "pre-push", "origin", "url"])
        .write_stdin(format!(
            "refs/heads/main {head} refs/heads/main {}\n",
            "0".repeat(40)
        ))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        e.contains("git commit --amend")
            && e.contains("git rebase -i")
            && !e.contains("stage again"),
        "{e}"
    );
}

#[test]
fn no_network_is_said_plainly_and_verify_wants_input() {
    let d = tree();
    write(d.path(), "a.txt", format!("{}\n", key()));
    let o = tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", "https://tenscan-test.invalid")
        .args(["scan", ".", "--verify", "-f", "json"])
        .output()
        .unwrap();
    let r = json(&o.stdout);
    let reason = r["findings"][0]["verification"]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.contains("could not be resolved") || reason.contains("could not be reached"),
        "{reason}"
    );
    let o = tenscan().args(["verify"]).write_stdin("").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no keys to verify"));
    assert_eq!(
        tenscan()
            .args(["verify", "-f", "sarif", "x"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn init_writes_every_documented_setting_and_completions_and_man_exist() {
    let d = tree();
    assert_eq!(out(d.path(), &["init"]).0, 0);
    let text = std::fs::read_to_string(d.path().join(".tenscan.toml")).unwrap();
    assert!(
        text.contains("[verify]")
            && text.contains("fail_confidence")
            && text.contains("budget_secs"),
        "{text}"
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, o, _) = out(d.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(o.contains("history") && o.contains("staged"), "{shell}");
    }
    let (code, o, _) = out(d.path(), &["man"]);
    assert_eq!(code, 0);
    assert!(o.contains(".TH tenscan 1") && o.contains("history"), "{o}");
}

#[cfg(unix)]
#[test]
fn colour_follows_the_terminal_term_and_the_conventions() {
    let d = tree();
    write(d.path(), "a.py", format!("K = '{}'\n", key()));
    let cmd = format!("{} scan .", bin());
    assert!(
        under_pty(d.path(), &cmd, &[]).contains("\x1b["),
        "colour on a terminal"
    );
    assert!(
        !under_pty(d.path(), &cmd, &[("TERM", "dumb")]).contains("\x1b["),
        "no colour with TERM=dumb"
    );
    assert!(
        !under_pty(d.path(), &cmd, &[("NO_COLOR", "1")]).contains("\x1b["),
        "no colour with NO_COLOR"
    );
    let piped = tenscan()
        .current_dir(d.path())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["scan", "."])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&piped.stdout).contains("\x1b["),
        "CLICOLOR_FORCE colours a pipe"
    );
}

#[cfg(unix)]
#[test]
fn waiting_on_a_terminal_says_for_what() {
    let d = tree();
    let o = under_pty(d.path(), &format!("{} scan -", bin()), &[]);
    assert!(
        o.contains("reading the text to scan from standard input"),
        "{o}"
    );
    let o = under_pty(d.path(), &format!("{} verify", bin()), &[]);
    assert!(
        o.contains("reading keys to verify from standard input"),
        "{o}"
    );
}

#[cfg(unix)]
#[test]
fn the_progress_line_counts_commits_with_a_total_and_is_cleared() {
    let d = tree();
    let p = d.path();
    git_init(p);
    // 3,000 commits, made quickly by git fast-import.
    let mut stream = String::new();
    for i in 0..3000 {
        let body = format!("line {i}\n{}", "filler text\n".repeat(40));
        stream.push_str(&format!("commit refs/heads/main\ncommitter T <t@x> {} +0000\ndata 2\nc\nM 100644 inline f{}.txt\ndata {}\n{body}\n", 1_700_000_000 + i, i % 50, body.len()));
    }
    fast_import(p, &stream);
    let o = under_pty(p, &format!("{} history", bin()), &[]);
    let last_progress = o
        .rfind("/3000 commits")
        .unwrap_or_else(|| panic!("a progress line with the total: {o:?}"));
    let last_clear = o.rfind("\x1b[2K").expect("the line is cleared");
    assert!(
        last_clear > last_progress,
        "the progress line is left on screen: {o:?}"
    );
    assert!(o.contains("tenscan history: 0 findings"), "{o:?}");
    assert!(!o[last_clear..].contains("blobs scanned"), "{o:?}");
}
