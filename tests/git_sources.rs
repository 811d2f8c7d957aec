//! One answer whichever way a blob arrives: ranges report what they add relative to their
//! base (merges included), history judges a blob at every path it lives at, archives and
//! UTF-16 files are found and attributed in every git source, and the git layer copes with
//! what git itself accepts (deep trees, zero-padded modes, SHA-256) or says why not.
mod common;
use common::*;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = tenscan()
        .current_dir(dir)
        .args(args)
        .args(["-f", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let r = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        json(&out.stdout)
    };
    (out.status.code().unwrap(), r, err)
}

/// (path, commit) of every finding.
fn found(r: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_range_reports_what_it_adds_not_what_merging_its_base_brings_in() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "README.md", "hello\n");
    let base = commit(p, "base");
    git(p, &["checkout", "-qb", "feature"]);
    write(p, "feature.py", "x = 1\n");
    commit(p, "feature work");
    git(p, &["checkout", "-q", "main"]);
    write(p, "main.py", format!("K = '{}'\n", key()));
    let main_tip = commit(p, "a key on main, accepted there");
    git(p, &["checkout", "-q", "feature"]);
    git(p, &["merge", "-q", "--no-edit", "main"]);
    write(p, "more.py", "y = 2\n");
    commit(p, "clean commit after the merge");
    let (code, r, err) = run(p, &["history", "--range", &format!("{main_tip}..feature")]);
    assert_eq!((code, found(&r)), (0, vec![]), "{err}");
    let (code, r, _) = run(p, &["history", "--range", &format!("{base}..feature")]);
    assert_eq!(code, 1, "from the old base, main's commit is in the range");
    assert_eq!(found(&r).len(), 1);
    // A merge that adds a line neither side had (an "evil merge") is reported at the merge.
    git(p, &["checkout", "-q", "main"]);
    write(p, "main2.py", "z = 3\n");
    commit(p, "more main");
    git(p, &["checkout", "-q", "feature"]);
    git(p, &["merge", "-q", "--no-commit", "main"]);
    write(p, "evil.py", format!("E = '{}'\n", key()));
    git(p, &["add", "evil.py"]);
    git(p, &["commit", "-qm", "merge main", "--no-verify"]);
    let merge = git(p, &["rev-parse", "HEAD"]).trim().to_string();
    let (_, r, _) = run(p, &["history", "--range", &format!("{main_tip}..feature")]);
    assert_eq!(found(&r), vec![("evil.py".to_string(), merge)]);
    // Symmetric ranges are git's own, not libgit2's refusal.
    let (code, _, err) = run(p, &["history", "--range", "main...feature"]);
    assert_ne!(code, 2, "{err}");
}

#[test]
fn history_judges_a_blob_at_every_path_it_lives_at() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(
        p,
        ".tenscan.toml",
        "[allowlist]\npaths = [\"fixtures/**\"]\n",
    );
    let k1 = key();
    write(p, "fixtures/keys.env", format!("BASETEN_API_KEY={k1}\n"));
    write(
        p,
        "settings.ini",
        format!("[baseten]\napi_key = {}\n", base62(28)),
    );
    write(
        p,
        "moved/fixture.env",
        format!("BASETEN_API_KEY={}\n", key()),
    );
    write(
        p,
        "fixtures/moved/x.env",
        std::fs::read_to_string(p.join("moved/fixture.env")).unwrap(),
    );
    std::fs::remove_dir_all(p.join("moved")).unwrap();
    commit(p, "fixtures");
    let (code, r, _) = run(p, &["history"]);
    assert_eq!(
        (code, found(&r).len()),
        (0, 0),
        "allowlisted fixtures and an ini file are not findings"
    );
    // The same blobs at new paths: a copy into src/, the ini copied to .trussrc, and a pure
    // move out of the allowlisted directory.
    std::fs::copy(p.join("fixtures/keys.env"), p.join("prod.env")).unwrap();
    std::fs::copy(p.join("settings.ini"), p.join(".trussrc")).unwrap();
    git(p, &["add", "-A"]);
    git(p, &["mv", "fixtures/moved", "released"]);
    let c2 = commit(p, "copies and a move");
    let (code, r, err) = run(p, &["history"]);
    assert_eq!(code, 1, "{err}");
    let paths: Vec<String> = found(&r)
        .into_iter()
        .map(|(path, c)| {
            assert_eq!(c, c2, "attributed to the commit that put it at that path");
            path
        })
        .collect();
    assert_eq!(paths, [".trussrc", "prod.env", "released/x.env"]);
    // The worktree scan agrees.
    let (_, w, _) = run(p, &["scan", "."]);
    let mut wpaths: Vec<String> = w["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    wpaths.sort();
    assert_eq!(wpaths, paths);
}

#[test]
fn archives_and_utf16_files_in_history_and_ranges_carry_their_commit() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "README.md", "x\n");
    let base = commit(p, "base");
    write(
        p,
        "dist/bundle.zip",
        zip_of(&[("conf/.env", format!("BASETEN_API_KEY={}\n", key()))]),
    );
    write(
        p,
        "deploy.ps1",
        utf16le(&format!("$env:BASETEN_API_KEY = '{}'\r\n", key())),
    );
    let c1 = commit(p, "binaries");
    // The same zip again at another path in a later commit: a second finding, same secret.
    std::fs::copy(p.join("dist/bundle.zip"), p.join("copy.zip")).unwrap();
    let c2 = commit(p, "copy");
    let (code, r, err) = run(p, &["history"]);
    assert_eq!(code, 1, "{err}");
    let f = found(&r);
    assert_eq!(
        f,
        vec![
            ("copy.zip!conf/.env".to_string(), c2.clone()),
            ("deploy.ps1".to_string(), c1.clone()),
            ("dist/bundle.zip!conf/.env".to_string(), c1.clone()),
        ]
    );
    let z = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "dist/bundle.zip!conf/.env")
        .unwrap();
    assert_eq!(z["author"], "Test Author <author@example.com>");
    assert!(z["date"].as_str().unwrap().contains('T'));
    // A range sees the same, attributed the same.
    let (_, r, _) = run(p, &["history", "--range", &format!("{base}..HEAD")]);
    assert_eq!(found(&r), f);
}

#[test]
fn deep_trees_zero_padded_modes_and_thread_counts() {
    let d = tree();
    let p = d.path();
    git_init(p);
    // A tree entry written as `040000` (zero-padded) is still a tree.
    let blob = {
        let mut c = std::process::Command::new("git");
        c.current_dir(p)
            .args(["hash-object", "-w", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        std::io::Write::write_all(
            child.stdin.as_mut().unwrap(),
            format!("K = '{}'\n", key()).as_bytes(),
        )
        .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let inner = mktree(p, &format!("100644 blob {blob}\tkey.py\n"));
    let raw_root = raw_tree(&[("040000", "padded", &inner)]);
    let root = hash_raw(p, "tree", &raw_root, true);
    let c = git(p, &["commit-tree", &root, "-m", "padded"])
        .trim()
        .to_string();
    git(p, &["update-ref", "refs/heads/main", &c]);
    let (code, r, err) = run(p, &["history"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(found(&r), vec![("padded/key.py".to_string(), c.clone())]);

    // 10,000 nested trees: no stack overflow; past git's depth limit the rest is refused
    // and the scan says it is incomplete.
    deep_commit(p, "deep", 10_000, &format!("K = '{}'\n", key()));
    let (code, _, err) = run(p, &["history"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nested deeper than 4096 levels"), "{err}");
    assert!(!err.contains("overflow"), "{err}");

    // Under the limit, however deep, the walk finds it (no recursion to overflow).
    git(p, &["update-ref", "-d", "refs/heads/deep"]);
    let c3k = deep_commit(p, "deep3k", 3000, &format!("K = '{}'\n", key()));
    let (code, r, err) = run(p, &["history"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        found(&r).iter().any(|(path, c)| path.ends_with("/key.py")
            && path.matches('/').count() == 3000
            && *c == c3k),
        "{err}"
    );
    git(p, &["update-ref", "-d", "refs/heads/deep3k"]);

    // -j far past the cores is clamped, with a note.
    let started = std::time::Instant::now();
    let (code, _, err) = run(p, &["history", "-j", "10000"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("-j 10000 is more than 4 threads per core"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let (code, _, err) = run(p, &["scan", ".", "-j", "10000"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(err.contains("-j 10000"), "{err}");
}

/// A commit on `branch` whose one file is `depth` directories deep (`d0/d1/…/key.py`), the
/// trees built by git itself (`git fast-import`, into a pack).
fn deep_commit(p: &Path, branch: &str, depth: usize, body: &str) -> String {
    let path: Vec<String> = (0..depth).map(|i| format!("d{}", i % 10)).collect();
    let stream = format!(
        "commit refs/heads/{branch}\ncommitter T <t@example.com> 0 +0000\ndata 4\ndeep\nM 100644 inline {}/key.py\ndata {}\n{body}\n",
        path.join("/"),
        body.len()
    );
    fast_import(p, &stream);
    git(p, &["rev-parse", &format!("refs/heads/{branch}")])
        .trim()
        .to_string()
}

fn mktree(p: &Path, spec: &str) -> String {
    let mut child = std::process::Command::new("git")
        .current_dir(p)
        .args(["mktree", "--missing"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), spec.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A raw tree object from (mode, name, hex id) entries, written exactly as given.
fn raw_tree(entries: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut out = vec![];
    for (mode, name, id) in entries {
        out.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        out.extend((0..20).map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap()));
    }
    out
}

fn hash_raw(p: &Path, kind: &str, data: &[u8], literally: bool) -> String {
    let mut args = vec!["hash-object", "-t", kind, "-w", "--stdin"];
    if literally {
        args.push("--literally");
    }
    let mut child = std::process::Command::new("git")
        .current_dir(p)
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn sha256_repositories_and_partial_clones() {
    let d = tree();
    let p = d.path().join("sha256");
    std::fs::create_dir(&p).unwrap();
    git(&p, &["init", "-q", "-b", "main", "--object-format=sha256"]);
    write(&p, "a.py", format!("K = '{}'\n", key()));
    let c = commit(&p, "sha256");
    let (code, r, err) = run(&p, &["history"]);
    assert_eq!(code, 1, "SHA-256 repositories are supported: {err}");
    assert_eq!(found(&r), vec![("a.py".to_string(), c)]);
    write(&p, "b.py", format!("K = '{}'\n", key()));
    git(&p, &["add", "b.py"]);
    let (code, _, err) = run(&p, &["staged"]);
    assert_eq!(code, 1, "{err}");

    // A blobless clone: what it never fetched cannot be scanned, and it says so.
    let src = d.path().join("src");
    std::fs::create_dir(&src).unwrap();
    git_init(&src);
    write(&src, "old.py", format!("K = '{}'\n", key()));
    commit(&src, "old");
    std::fs::remove_file(src.join("old.py")).unwrap();
    write(&src, "new.py", "x = 1\n");
    commit(&src, "new");
    git(&src, &["config", "uploadpack.allowFilter", "true"]);
    git(
        d.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            &format!("file://{}", src.display()),
            "partial",
        ],
    );
    let (code, _, err) = run(&d.path().join("partial"), &["history"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("partial clone"), "{err}");
    assert!(!err.contains("not a git repository"), "{err}");
}
