//! The GitHub Action as GitHub reads it: `action.yml` parsed strictly and checked against
//! the metadata rules, then its steps run from the metadata (expressions, conditions, step
//! outputs) on temp repositories for pull_request, push and schedule events. Only the steps
//! that use GitHub's own actions (cache, SARIF upload) are recorded instead of run.
mod common;
use common::actions::{load_action, Job, Runner};
use common::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn action_dir() -> PathBuf {
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

fn runner(
    dir: &Path,
    ws: &Path,
    event_name: &str,
    event: serde_json::Value,
    inputs: &[(&str, &str)],
) -> Runner {
    let temp = dir.join(format!("runner-{}", rand_suffix()));
    std::fs::create_dir_all(&temp).unwrap();
    Runner {
        action_dir: action_dir(),
        workspace: ws.to_path_buf(),
        temp,
        event_name: event_name.into(),
        event,
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        github: HashMap::new(),
        env: vec![
            ("PATH".into(), path_with_tenscan()),
            ("HOME".into(), dir.display().to_string()),
        ],
    }
}

fn rand_suffix() -> String {
    base62(8)
}

#[test]
fn the_metadata_parses_strictly_and_follows_the_action_rules() {
    let a = load_action(&action_dir().join("action.yml"));
    assert_eq!(a["runs"]["using"].as_str(), Some("composite"));
    for (name, input) in a["inputs"].as_hash().unwrap() {
        let d = input["description"].as_str().unwrap_or("");
        assert!(!d.trim().is_empty(), "input {name:?} has no description");
    }
    let steps = a["runs"]["steps"].as_vec().unwrap();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for (name, output) in a["outputs"].as_hash().unwrap() {
        assert!(
            !output["description"].as_str().unwrap_or("").is_empty(),
            "output {name:?}"
        );
        let value = output["value"].as_str().unwrap();
        let step = value
            .trim_start_matches("${{")
            .trim()
            .strip_prefix("steps.")
            .unwrap()
            .split('.')
            .next()
            .unwrap();
        assert!(
            ids.contains(&step),
            "output {name:?} refers to a step that does not exist"
        );
    }
    for s in steps {
        assert!(
            s["run"].is_badvalue() != s["uses"].is_badvalue(),
            "each step runs a script or uses an action"
        );
        if !s["run"].is_badvalue() {
            assert_eq!(s["shell"].as_str(), Some("bash"));
        }
    }
    // What GitHub's own parser accepts, PyYAML accepts; check with it too where it is there.
    if let Ok(out) = std::process::Command::new("python3")
        .args(["-c", "import yaml,sys; yaml.safe_load(open(sys.argv[1]))"])
        .arg(action_dir().join("action.yml"))
        .output()
    {
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.contains("No module named") {
            assert!(out.status.success(), "PyYAML refuses action.yml: {err}");
        }
    }
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

fn clone_at(d: &Path, name: &str, rev: &str) -> PathBuf {
    let ws = d.join(name);
    git(
        d,
        &[
            "clone",
            "-q",
            &d.join("origin.git").display().to_string(),
            name,
        ],
    );
    git(&ws, &["checkout", "-q", rev]);
    ws
}

/// The action in PR mode, with the committed baseline, on a pull request from `base` to `head`.
fn pr_job(d: &Path, ws: &Path, base: &str, head: &str) -> Job {
    runner(
        d,
        ws,
        "pull_request",
        pr_event(base, head),
        &[("mode", "pr"), ("baseline", ".tenscan-baseline.toml")],
    )
    .run()
}

fn pr_event(base: &str, head: &str) -> serde_json::Value {
    serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}, "commits": 2}})
}

fn sarif_of(ws: &Path) -> (String, serde_json::Value) {
    let text = std::fs::read_to_string(ws.join("tenscan.sarif")).unwrap();
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

/// The job failed on exactly the new key, reported everywhere without the secret.
fn check_report(job: &Job, ws: &Path, new: &str, old: &str, category: &str) {
    assert!(
        job.failed,
        "the job fails on a finding: {}{}",
        job.stdout, job.stderr
    );
    assert_eq!(job.outputs["findings"], "1", "{:?}", job.outputs);
    assert_eq!(job.outputs["sarif-file"], "tenscan.sarif");
    let (text, sarif) = sarif_of(ws);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/client.py"
    );
    assert!(sarif_validator().is_valid(&sarif));
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"], category,
        "the SARIF names its category"
    );
    let upload = job
        .used
        .iter()
        .find(|u| u.uses.starts_with("github/codeql-action/upload-sarif"))
        .expect("the upload step ran");
    assert_eq!(
        upload.with["category"], category,
        "the upload and the SARIF agree on the category"
    );
    assert_eq!(upload.with["sarif_file"], "tenscan.sarif");
    assert!(
        job.summary.contains("`app/client.py`") && job.summary.contains("baseten-api-key"),
        "{}",
        job.summary
    );
    for secret in [&new[9..], &old[9..]] {
        assert!(
            !job.summary.contains(secret) && !text.contains(secret) && !job.stdout.contains(secret),
            "secret leaked"
        );
    }
    assert!(
        job.stdout
            .contains("::error file=app/client.py,line=2,title=tenscan%3A baseten-api-key::"),
        "{}",
        job.stdout
    );
}

#[test]
fn pull_request_reports_only_the_prs_own_key() {
    let (d, base, head, old, new) = origin();
    let ws = clone_at(d.path(), "ws", &head);
    let job = pr_job(d.path(), &ws, &base, &head);
    assert!(
        job.stdout.contains("already built"),
        "with no release, the build step runs (and finds it built): {}",
        job.stdout
    );
    assert!(
        job.stdout
            .contains(&format!("--range {base}..{head} --config-from {base}")),
        "{}",
        job.stdout
    );
    check_report(&job, &ws, &new, &old, "tenscan-pr");
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
    let job = pr_job(d.path(), &ws, &base, &head);
    check_report(&job, &ws, &new, &old, "tenscan-pr");
}

#[test]
fn a_pull_request_cannot_allowlist_itself() {
    let (d, base, _, _, _) = origin();
    let ws = clone_at(d.path(), "ws", "feature");
    let k = key();
    // The PR adds a key, and a config, a baseline and an inline comment to excuse it.
    write(
        &ws,
        "leak.py",
        format!("K = '{k}'\nJ = '{}'  # tenscan:allow\n", key()),
    );
    write(
        &ws,
        ".tenscan.toml",
        "[allowlist]\npaths = [\"**\"]\n[rules]\ndisable = [\"baseten-api-key\"]\n",
    );
    let out = tenscan()
        .current_dir(&ws)
        .args([
            "scan",
            "--config",
            "/dev/null",
            "leak.py",
            "--write-baseline",
            "new-baseline.toml",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(
        ws.join("new-baseline.toml"),
        ws.join(".tenscan-baseline.toml"),
    )
    .unwrap();
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "exempt myself"]);
    let head = git(&ws, &["rev-parse", "HEAD"]).trim().to_string();
    git(&ws, &["push", "-q", "origin", "HEAD:feature"]);
    let job = pr_job(d.path(), &ws, &base, &head);
    assert!(job.failed, "{}{}", job.stdout, job.stderr);
    let (_, sarif) = sarif_of(&ws);
    let uris: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        uris.contains(&"leak.py".to_string()),
        "the key is still reported: {uris:?}"
    );
    assert!(
        job.summary
            .contains("this pull request changes `.tenscan.toml`"),
        "{}",
        job.summary
    );
    assert!(
        job.summary
            .contains("this pull request changes `.tenscan-baseline.toml`"),
        "{}",
        job.summary
    );
    assert!(
        job.summary.contains("adds 1 `tenscan:allow` comment")
            && job.summary.contains("`leak.py` line 2"),
        "{}",
        job.summary
    );
    assert!(!job.summary.contains(&k[9..]));
}

#[test]
fn push_and_schedule_events_land_in_their_own_categories() {
    let (d, base, head, old, new) = origin();
    let ws = clone_at(d.path(), "ws", &head);
    let push = |before: &str, after: &str| serde_json::json!({"before": before, "after": after, "repository": {"default_branch": "main"}});
    let job = runner(
        d.path(),
        &ws,
        "push",
        push(&base, &head),
        &[("mode", "push"), ("baseline", ".tenscan-baseline.toml")],
    )
    .run();
    check_report(&job, &ws, &new, &old, "tenscan-push");

    // A new branch: before is all zeros; only what main lacks is scanned.
    let job = runner(
        d.path(),
        &ws,
        "push",
        push(&"0".repeat(40), &head),
        &[("mode", "push")],
    )
    .run();
    assert_eq!(job.outputs["findings"], "1", "{}", job.stdout);

    // Clean pushes pass.
    let job = runner(
        d.path(),
        &ws,
        "push",
        push(&head, &head),
        &[("mode", "push")],
    )
    .run();
    assert!(!job.failed, "{}{}", job.stdout, job.stderr);
    assert_eq!(job.outputs["findings"], "0");

    // The weekly history scan: every key in history, in the history category.
    let job = runner(
        d.path(),
        &ws,
        "schedule",
        serde_json::json!({"schedule": "17 3 * * 1"}),
        &[("mode", "history")],
    )
    .run();
    assert_eq!(job.outputs["findings"], "2", "{}", job.stdout);
    let (_, sarif) = sarif_of(&ws);
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "tenscan-history"
    );
    let upload = job
        .used
        .iter()
        .find(|u| u.uses.starts_with("github/codeql-action/upload-sarif"))
        .unwrap();
    assert_eq!(upload.with["category"], "tenscan-history");
}

#[test]
fn annotations_are_escaped_like_the_actions_toolkit() {
    let d = tree();
    let ws = d.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    git_init(&ws);
    let name = "a,b:c%d\ne.txt";
    write(&ws, name, format!("{}\n", key()));
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "x"]);
    let job = runner(
        d.path(),
        &ws,
        "workflow_dispatch",
        serde_json::json!({}),
        &[("mode", "worktree")],
    )
    .run();
    let line = job
        .stdout
        .lines()
        .find(|l| l.starts_with("::error file="))
        .expect("an annotation");
    // Properties escape % CR LF : and ,; the message escapes % CR LF only.
    assert!(
        line.starts_with(
            "::error file=a%2Cb%3Ac%25d%0Ae.txt,line=1,title=tenscan%3A baseten-api-key::"
        ),
        "{line}"
    );
    let message = line.split("::").nth(2).unwrap();
    assert!(
        message.contains("in a,b:c%25d%0Ae.txt at line 1"),
        "{message}"
    );
    assert!(
        job.stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .all(|l| l.starts_with("::error file=") || l.starts_with("::error title=tenscan::")),
        "{}",
        job.stdout
    );
}

#[test]
fn a_bad_mode_is_an_error() {
    let d = tree();
    let job = runner(
        d.path(),
        d.path(),
        "push",
        serde_json::json!({}),
        &[("mode", "everything")],
    )
    .run();
    assert!(job.failed);
    assert!(
        job.stdout.contains("::error title=tenscan::unknown mode"),
        "{}",
        job.stdout
    );
}

/// Serves `files` over HTTP on 127.0.0.1 (404 for anything else); returns the base URL.
fn serve_files(files: HashMap<String, Vec<u8>>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
            match files.get(&path) {
                Some(body) => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(body);
                }
                None => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            }
        }
    });
    url
}

fn tar_gz(name: &str, body: &[u8]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(body.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    tar.append_data(&mut h, name, body).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[test]
fn release_binaries_are_downloaded_checked_and_never_run_when_they_do_not_match() {
    let d = tree();
    let ws = d.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    git_init(&ws);
    write(&ws, "ok.txt", "clean\n");
    let archive = "tenscan-x86_64-unknown-linux-musl.tar.gz";
    // The PATH the steps get has no tenscan: whatever runs was installed by the action.
    let bare_path = std::env::var("PATH")
        .unwrap()
        .split(':')
        .filter(|p| !Path::new(p).join("tenscan").exists())
        .collect::<Vec<_>>()
        .join(":");
    let with_release = |files: HashMap<String, Vec<u8>>, inputs: &[(&str, &str)]| {
        let url = serve_files(files);
        let mut r = runner(d.path(), &ws, "push", serde_json::json!({}), inputs);
        r.github.insert("action_ref".into(), "v0.1.0".into());
        r.github
            .insert("action_repository".into(), "example/tenscan".into());
        r.env = vec![
            ("PATH".into(), bare_path.clone()),
            ("HOME".into(), d.path().display().to_string()),
            ("TENSCAN_RELEASE_BASE_URL".into(), url),
        ];
        r.run()
    };
    // A good release: the real binary, with its checksum.
    let real = std::fs::read(assert_cmd::cargo::cargo_bin("tenscan")).unwrap();
    let good = tar_gz("tenscan", &real);
    let sums = format!("{}  {archive}\n", sha256_hex(&good));
    let files = HashMap::from([
        (format!("/v0.1.0/{archive}"), good.clone()),
        ("/v0.1.0/SHA256SUMS".to_string(), sums.into_bytes()),
    ]);
    let job = with_release(files, &[("mode", "worktree"), ("upload-sarif", "false")]);
    assert!(!job.failed, "{}{}", job.stdout, job.stderr);
    assert!(
        job.stdout.contains("using the release binary tenscan"),
        "{}",
        job.stdout
    );
    assert_eq!(job.ctx.values["steps.install.outputs.build"], "false");
    assert!(
        job.steps
            .iter()
            .any(|(id, ran, _)| id.starts_with("step") && !ran),
        "the build steps are skipped"
    );
    assert_eq!(job.outputs["findings"], "0");

    // A binary that does not match the checksum: refused, never run.
    let marker = d.path().join("RAN");
    let evil = tar_gz(
        "tenscan",
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()).as_bytes(),
    );
    let sums = format!("{}  {archive}\n", sha256_hex(&good));
    let files = HashMap::from([
        (format!("/v0.1.0/{archive}"), evil),
        ("/v0.1.0/SHA256SUMS".to_string(), sums.into_bytes()),
    ]);
    let job = with_release(files, &[("mode", "worktree")]);
    assert!(job.failed);
    assert!(
        job.stdout
            .contains("does not match the release's SHA256SUMS"),
        "{}",
        job.stdout
    );
    assert!(!marker.exists(), "the mismatched binary was run");
    assert_eq!(
        job.steps.iter().find(|s| s.0 == "scan").map(|s| s.1),
        Some(false),
        "nothing scans after a refused download"
    );

    // No release at all: the action falls back to building from its source, with the locked
    // dependencies (a stand-in `cargo` records the call instead of compiling for minutes).
    let fake = d.path().join("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let calls = d.path().join("cargo-calls");
    write(
        &fake,
        "cargo",
        format!(
            "#!/bin/sh
echo \"$@\" >> '{}'\n",
            calls.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(fake.join("cargo"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let url = serve_files(HashMap::new());
    let mut r = runner(
        d.path(),
        &ws,
        "push",
        serde_json::json!({}),
        &[("mode", "worktree")],
    );
    r.github.insert("action_ref".into(), "v0.1.0".into());
    r.github
        .insert("action_repository".into(), "example/tenscan".into());
    r.env = vec![
        ("PATH".into(), format!("{}:{bare_path}", fake.display())),
        ("HOME".into(), d.path().display().to_string()),
        ("TENSCAN_RELEASE_BASE_URL".into(), url),
    ];
    let job = r.run();
    assert_eq!(
        job.ctx.values["steps.install.outputs.build"], "true",
        "{}",
        job.stdout
    );
    assert!(
        job.used.iter().any(|u| u.uses.starts_with("actions/cache")),
        "the build is cached"
    );
    let calls = std::fs::read_to_string(&calls).unwrap();
    assert!(calls.starts_with("install --locked --path "), "{calls}");
}
