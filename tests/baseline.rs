//! Baselines: adopt tenscan on a repository that already has findings.
mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

fn scan(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = tenscan()
        .current_dir(dir)
        .args(args)
        .args(["-f", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert_ne!(code, 2, "{}", String::from_utf8_lossy(&out.stderr));
    (code, json(&out.stdout))
}

#[test]
fn baseline_suppresses_known_findings_through_moves_reformatting_and_renames() {
    let d = tree();
    let p = d.path();
    let (k1, k2) = (key(), key());
    write(p, "a.py", format!("A = '{k1}'\n"));
    write(p, "b.env", format!("BASETEN_API_KEY={k2}\n"));
    let (code, r) = scan(p, &["scan", ".", "--write-baseline", "base.toml"]);
    assert_eq!(
        code, 0,
        "writing the baseline succeeded, so `--write-baseline x && git add x` goes on"
    );
    assert_eq!(
        locations(&r).len(),
        2,
        "what went into the baseline is still reported"
    );
    let text = std::fs::read_to_string(p.join("base.toml")).unwrap();
    assert!(
        !text.contains(&k1[9..]) && !text.contains(&k2[9..]),
        "no secrets in the baseline"
    );
    let paths: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("path = "))
        .collect();
    assert_eq!(paths, ["\"a.py\"", "\"b.env\""], "sorted");

    let (code, r) = scan(p, &["scan", ".", "--baseline", "base.toml"]);
    assert_eq!(code, 0);
    assert_eq!(r["stats"]["suppressed"], 2);

    // Move lines, reformat, rename: still the same accepted secrets.
    write(
        p,
        "a.py",
        format!("import os\n\n\nSETTINGS = {{\n    'a': \"{k1}\",\n}}\n"),
    );
    std::fs::rename(p.join("b.env"), p.join("renamed.env")).unwrap();
    let (code, r) = scan(p, &["scan", ".", "--baseline", "base.toml"]);
    assert_eq!(code, 0, "{r}");

    // A new secret, and an accepted one copied to a new file, are reported.
    write(p, "new.txt", format!("{}\n", key()));
    write(p, "copy.py", format!("A = '{k1}'\n"));
    let (code, r) = scan(p, &["scan", ".", "--baseline", "base.toml"]);
    assert_eq!(code, 1);
    let mut paths: Vec<String> = locations(&r).into_iter().map(|l| l.0).collect();
    paths.sort();
    assert_eq!(paths, ["copy.py", "new.txt"]);
}

#[test]
fn prune_drops_stale_entries() {
    let d = tree();
    let p = d.path();
    write(p, "a.txt", format!("{}\n", key()));
    write(p, "b.txt", format!("{}\n", key()));
    scan(p, &["scan", ".", "--write-baseline", "base.toml"]);
    std::fs::remove_file(p.join("b.txt")).unwrap();
    tenscan()
        .current_dir(p)
        .args(["baseline", "prune", "base.toml", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("kept 1 entries, dropped 1"));
    let text = std::fs::read_to_string(p.join("base.toml")).unwrap();
    assert!(text.contains("a.txt") && !text.contains("b.txt"));
    let (code, _) = scan(p, &["scan", ".", "--baseline", "base.toml"]);
    assert_eq!(code, 0);
}

#[test]
fn history_baseline_survives_a_rebase_and_works_for_staged() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "base.txt", "base\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "base"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "old.py", format!("OLD = '{}'\n", key()));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "accepted secret"]);
    scan(p, &["history", "--write-baseline", "../base.toml"]);
    let (code, _) = scan(p, &["history", "--baseline", "../base.toml"]);
    assert_eq!(code, 0);
    // main moves on; feature is rebased: every commit id changes.
    git(p, &["checkout", "-q", "main"]);
    write(p, "main.txt", "more\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "main moves"]);
    git(p, &["checkout", "-q", "feature"]);
    git(p, &["rebase", "-q", "main"]);
    git(p, &["branch", "-q", "-D", "main"]);
    git(p, &["reflog", "expire", "--expire=now", "--all"]);
    git(p, &["gc", "-q", "--prune=now"]);
    let (code, r) = scan(p, &["history", "--baseline", "../base.toml"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["stats"]["suppressed"], 1);
    // Staged: the accepted secret staged again elsewhere in the file is still accepted.
    write(
        p,
        "old.py",
        format!(
            "# header\n{}",
            std::fs::read_to_string(p.join("old.py")).unwrap()
        ),
    );
    git(p, &["add", "-A"]);
    write(p, "fresh.py", format!("NEW = '{}'\n", key()));
    git(p, &["add", "-A"]);
    let (code, r) = scan(p, &["staged", "--baseline", "../base.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&r).into_iter().map(|l| l.0).collect::<Vec<_>>(),
        ["fresh.py"]
    );
}

#[test]
fn invalid_baseline_is_a_located_error() {
    let d = tree();
    write(
        d.path(),
        "b.toml",
        "version = 1\n[[finding]]\nrule = \"x\"\npath = 3\n",
    );
    tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", ".", "--baseline", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.toml:4:8"));
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--baseline", "missing.toml"])
        .assert()
        .code(2);
}
