//! `tenscan history --scrub-plan`: the plan `git filter-repo --replace-text` reads, checked
//! by running the checklist's rewrite command with git-filter-repo (from PyPI) on a mirror
//! clone and scanning the rewritten history. Skipped, saying so, without Python.
mod common;
use base64::Engine as _;
use common::*;
use std::path::Path;
use std::process::Command;

fn path_with(dir: &Path) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&rest)))
        .unwrap()
}

fn history(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let args: Vec<&str> = ["history", ".", "-f", "json"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    run_json(dir, &args)
}

#[test]
fn the_plan_removes_every_secret_from_history_with_git_filter_repo() {
    let d = tree();
    let repo = d.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let (plain, escaped, b64, wide, packed, webhook) =
        (key(), key(), key(), key(), key(), base62(40));
    write(
        &repo,
        "app/settings.py",
        format!("BASETEN_API_KEY = \"{plain}\"\nDEBUG = True\n"),
    );
    commit(&repo, "settings");
    // A key written with a JSON escape, one inside a Kubernetes Secret's base64, one in a
    // UTF-16 PowerShell script, one in a zip, and a webhook secret.
    let json_escaped = format!("{}\\u002e{}", &escaped[..8], &escaped[9..]);
    write(
        &repo,
        "nb/cell.json",
        format!("{{\"source\": \"baseten.login(\\\"{json_escaped}\\\")\"}}\n"),
    );
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("BASETEN_API_KEY={b64}\n"));
    write(
        &repo,
        "k8s/secret.yaml",
        format!("kind: Secret\ndata:\n  env: {encoded}\n"),
    );
    write(
        &repo,
        "ops/deploy.ps1",
        utf16le(&format!("$env:BASETEN_API_KEY = '{wide}'\r\n")),
    );
    write(
        &repo,
        "dist/bundle.zip",
        zip_of(&[("conf/.env", format!("BASETEN_API_KEY={packed}\n"))]),
    );
    write(
        &repo,
        "hooks.py",
        format!("# Baseten async webhook\nWEBHOOK_SECRET = 'whsec_{webhook}'\n"),
    );
    commit(&repo, "more");
    // Deleting the files leaves the secrets in history.
    for f in [
        "app/settings.py",
        "nb/cell.json",
        "k8s/secret.yaml",
        "ops/deploy.ps1",
        "dist/bundle.zip",
        "hooks.py",
    ] {
        std::fs::remove_file(repo.join(f)).unwrap();
    }
    commit(&repo, "remove them");
    // A key on a branch that was never merged.
    let branched = key();
    git(&repo, &["checkout", "-q", "-b", "feature", "HEAD~1"]);
    write(
        &repo,
        "feature/client.py",
        format!("client = Baseten(api_key=\"{branched}\")\n"),
    );
    commit(&repo, "feature");
    git(&repo, &["checkout", "-q", "main"]);

    let plan = d.path().join("plan.txt");
    let (code, report, err) = history(&repo, &["--scrub-plan", plan.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let all = [&plain, &escaped, &b64, &wide, &packed, &webhook, &branched];
    let stdout = report.to_string();
    for k in all {
        assert!(
            !stdout.contains(&k[k.len() - 20..]) && !err.contains(&k[k.len() - 20..]),
            "only the plan holds secrets:\n{err}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&plan).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read(&plan).unwrap();
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        lines.contains(&format!("literal:{plain}==>***REMOVED***").as_bytes()),
        "{}",
        String::from_utf8_lossy(&text)
    );
    assert!(lines.contains(&format!("literal:{json_escaped}==>***REMOVED***").as_bytes()));
    assert!(lines.contains(&format!("literal:{encoded}==>***REMOVED***").as_bytes()));
    // The checklist: revoke first (every API key prefix), then the rewrite, then the zip.
    let revoke_line = err
        .lines()
        .find(|l| l.contains("tenscan revoke"))
        .expect(&err);
    for k in [&plain, &escaped, &b64, &wide, &packed, &branched] {
        assert!(revoke_line.contains(&k[..8]), "{revoke_line}");
    }
    assert!(err.contains("rotate the 1 other secret(s)"), "{err}");
    assert!(
        err.contains("git push --force --mirror") && err.contains("re-clone"),
        "{err}"
    );
    // The rewrite, exactly as the checklist prints it: from `git filter-repo` to step 3.
    let lines: Vec<&str> = err.lines().collect();
    let from = lines
        .iter()
        .position(|l| l.trim_start().starts_with("git filter-repo --replace-text"))
        .expect(&err);
    let to = from
        + lines[from..]
            .iter()
            .position(|l| l.starts_with("  3."))
            .unwrap();
    let rewrite = lines[from..to].join("\n");
    assert!(
        rewrite.contains(&format!("--replace-text {}", plan.display())),
        "{rewrite}"
    );
    assert!(rewrite.contains("--blob-callback"), "{rewrite}");
    assert!(
        rewrite.contains("--invert-paths --path dist/bundle.zip"),
        "{rewrite}"
    );

    let Some(bin) = python_tool(
        "filter-repo-venv",
        "git-filter-repo>=2.38",
        "git-filter-repo cannot be",
    ) else {
        return;
    };
    let mirror = d.path().join("scrub.git");
    git(
        d.path(),
        &[
            "clone",
            "-q",
            "--mirror",
            "--no-local",
            repo.to_str().unwrap(),
            mirror.to_str().unwrap(),
        ],
    );
    let run = Command::new("sh")
        .current_dir(&mirror)
        .args(["-c", &rewrite])
        .env("PATH", path_with(&bin))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &mirror)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{rewrite}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (code, after, err) = history(&mirror, &[]);
    assert_eq!(code, 0, "{after}\n{err}");
    assert_eq!(after["findings"].as_array().unwrap().len(), 0);
    // The rewritten blobs hold the replacement where the secrets were (UTF-16 included).
    let blobs = git(&mirror, &["log", "--all", "-p", "--text", "--format="]);
    assert!(
        blobs.contains("BASETEN_API_KEY = \"***REMOVED***\""),
        "{blobs}"
    );
    assert!(
        blobs.contains("data:\n+  env: ***REMOVED***") || blobs.contains("env: ***REMOVED***"),
        "{blobs}"
    );
    for k in all {
        assert!(!blobs.contains(&k[k.len() - 20..]));
    }
    let ps1 = git(&mirror, &["show", "HEAD~1:ops/deploy.ps1"]);
    assert!(
        ps1.contains("*\0*\0*\0R\0E\0M\0O\0V\0E\0D\0"),
        "UTF-16 replaced as UTF-16: {ps1:?}"
    );
}

#[test]
fn a_clean_history_writes_an_empty_plan_and_a_missing_directory_fails_first() {
    let d = tree();
    git(d.path(), &["init", "-q", "-b", "main"]);
    write(d.path(), "README.md", "nothing here\n");
    commit(d.path(), "init");
    let plan = d.path().join("plan.txt");
    let (code, _, err) = history(d.path(), &["--scrub-plan", plan.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no secrets found"), "{err}");
    assert_eq!(std::fs::read(&plan).unwrap(), b"");
    let out = tenscan()
        .current_dir(d.path())
        .args(["history", ".", "--scrub-plan", "no/such/dir/plan.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("its directory does not exist"));
}
