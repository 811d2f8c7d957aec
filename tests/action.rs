//! The GitHub Action's steps, run in order with a simulated runner environment on temp
//! repositories: pull request and push events, full and shallow checkouts. The upload step
//! (GitHub's own action) is the only one not run.
mod common;
use common::*;
use std::path::{Path, PathBuf};

struct Runner {
    out: PathBuf,
    summary: PathBuf,
    event: PathBuf,
}

fn action_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn path_with_tenscan() -> String {
    let bin = assert_cmd::cargo::cargo_bin("tenscan");
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn step(
    script: &str,
    workspace: &Path,
    runner: &Runner,
    inputs: &[(&str, &str)],
) -> std::process::Output {
    let mut c = std::process::Command::new("bash");
    c.arg(action_path().join("action").join(script))
        .current_dir(workspace)
        .env("PATH", path_with_tenscan())
        .env("GITHUB_ACTION_PATH", action_path())
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_EVENT_PATH", &runner.event)
        .env("GITHUB_OUTPUT", &runner.out)
        .env("GITHUB_STEP_SUMMARY", &runner.summary)
        .env("HOME", workspace.parent().unwrap());
    for (k, v) in inputs {
        c.env(format!("INPUT_{}", k.to_uppercase().replace('-', "_")), v);
    }
    c.output().unwrap()
}

fn outputs(runner: &Runner) -> std::collections::HashMap<String, String> {
    std::fs::read_to_string(&runner.out)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// origin (bare) with main holding an accepted key (in the committed baseline) and a
/// feature branch adding a new one. Returns (dir, base sha, head sha, old key, new key).
fn origin() -> (tempfile::TempDir, String, String, String, String) {
    let d = tree();
    let work = d.path().join("seed");
    std::fs::create_dir(&work).unwrap();
    git_init(&work);
    let (old, new) = (key(), key());
    write(&work, "settings.py", format!("OLD_KEY = '{old}'\n"));
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "old key"]);
    let out = tenscan()
        .current_dir(&work)
        .args([
            "history",
            "-q",
            "--write-baseline",
            ".tenscan-baseline.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "baseline"]);
    let base = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    git(&work, &["checkout", "-q", "-b", "feature"]);
    write(
        &work,
        "app/client.py",
        format!("import baseten\nKEY = '{new}'\n"),
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "new key"]);
    write(&work, "README.md", "docs\n");
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "docs"]);
    let head = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    git(
        d.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &work.display().to_string(),
            "origin.git",
        ],
    );
    (d, base, head, old, new)
}

fn runner(dir: &Path, event: serde_json::Value) -> Runner {
    let r = Runner {
        out: dir.join("gh-output"),
        summary: dir.join("gh-summary.md"),
        event: dir.join("event.json"),
    };
    std::fs::write(&r.event, event.to_string()).unwrap();
    r
}

fn check_report(ws: &Path, r: &Runner, new: &str, old: &str, stdout: &str) {
    let o = outputs(r);
    assert_eq!(o["findings"], "1", "{o:?}");
    assert_eq!(o["exit-code"], "1");
    assert_eq!(o["sarif-file"], "tenscan.sarif");
    let sarif_text = std::fs::read_to_string(ws.join("tenscan.sarif")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&sarif_text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/client.py"
    );
    assert!(sarif_validator().is_valid(&sarif));
    let summary = std::fs::read_to_string(&r.summary).unwrap();
    assert!(
        summary.contains("`app/client.py`") && summary.contains("baseten-api-key"),
        "{summary}"
    );
    for secret in [&new[9..], &old[9..]] {
        assert!(
            !summary.contains(secret) && !sarif_text.contains(secret) && !stdout.contains(secret),
            "secret leaked"
        );
    }
    assert!(
        stdout.contains("::error file=app/client.py,line=2,title=tenscan%3A baseten-api-key::"),
        "{stdout}"
    );
}

#[test]
fn pull_request_reports_only_the_prs_own_key() {
    let (d, base, head, old, new) = origin();
    let ws = d.path().join("ws");
    git(
        d.path(),
        &[
            "clone",
            "-q",
            &d.path().join("origin.git").display().to_string(),
            "ws",
        ],
    );
    git(&ws, &["checkout", "-q", &head]);
    let r = runner(
        d.path(),
        serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}, "commits": 2}}),
    );
    let install = step("install.sh", &ws, &r, &[]);
    assert!(
        String::from_utf8_lossy(&install.stdout).contains("skipping the build"),
        "{install:?}"
    );
    let out = step(
        "scan.sh",
        &ws,
        &r,
        &[("mode", "pr"), ("baseline", ".tenscan-baseline.toml")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("--range {base}..{head}")),
        "{stdout}"
    );
    check_report(&ws, &r, &new, &old, &stdout);
}

#[test]
fn pull_request_in_a_shallow_checkout_fetches_what_it_needs() {
    let (d, base, head, old, new) = origin();
    let url = format!("file://{}", d.path().join("origin.git").display());
    git(
        d.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "ws",
        ],
    );
    let ws = d.path().join("ws");
    let probe = std::process::Command::new("git")
        .current_dir(&ws)
        .args(["cat-file", "-e", &format!("{base}^{{commit}}")])
        .stderr(std::process::Stdio::null())
        .status();
    assert_ne!(
        probe.unwrap().code(),
        Some(0),
        "base is not in a depth-1 clone"
    );
    let r = runner(
        d.path(),
        serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}, "commits": 2}}),
    );
    let out = step(
        "scan.sh",
        &ws,
        &r,
        &[("mode", "pr"), ("baseline", ".tenscan-baseline.toml")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_report(&ws, &r, &new, &old, &stdout);
}

#[test]
fn push_events_scan_the_pushed_commits_and_new_branches() {
    let (d, base, head, old, new) = origin();
    let ws = d.path().join("ws");
    git(
        d.path(),
        &[
            "clone",
            "-q",
            &d.path().join("origin.git").display().to_string(),
            "ws",
        ],
    );
    git(&ws, &["checkout", "-q", &head]);
    let r = runner(
        d.path(),
        serde_json::json!({"before": base, "after": head, "repository": {"default_branch": "main"}}),
    );
    let out = step(
        "scan.sh",
        &ws,
        &r,
        &[("mode", "push"), ("baseline", ".tenscan-baseline.toml")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    check_report(&ws, &r, &new, &old, &stdout);

    // A new branch: before is all zeros; only what main lacks is scanned.
    let _ = std::fs::remove_file(&r.out);
    let r = runner(
        d.path(),
        serde_json::json!({"before": "0".repeat(40), "after": head, "repository": {"default_branch": "main"}}),
    );
    let out = step("scan.sh", &ws, &r, &[("mode", "push")]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(outputs(&r)["findings"], "1", "{stdout}");

    // Clean pushes pass.
    let r = runner(
        d.path(),
        serde_json::json!({"before": head, "after": head, "repository": {"default_branch": "main"}}),
    );
    let _ = std::fs::remove_file(&r.out);
    let out = step("scan.sh", &ws, &r, &[("mode", "push")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(outputs(&r)["exit-code"], "0");
    assert_eq!(outputs(&r)["findings"], "0");
}

#[test]
fn bad_mode_is_an_error() {
    let d = tree();
    let r = runner(d.path(), serde_json::json!({}));
    let out = step("scan.sh", d.path(), &r, &[("mode", "everything")]);
    assert_eq!(out.status.code(), Some(2));
}
