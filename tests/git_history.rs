//! `tenscan history` on real repositories built with the git CLI in temp directories.
mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

fn history(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = tenscan()
        .current_dir(dir)
        .args(["history", "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code != 2, "{}", String::from_utf8_lossy(&out.stderr));
    (code, json(&out.stdout))
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
fn secrets_that_exist_only_in_history() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "README.md", "hello\n");
    commit(p, "init");
    // added then deleted
    write(p, "app.py", format!("KEY = '{}'\n", key()));
    let added = commit(p, "add key");
    write(p, "app.py", "KEY = os.environ['BASETEN_API_KEY']\n");
    commit(p, "remove key");
    // a deleted file
    write(
        p,
        "old/creds.env",
        format!("BASETEN_API_KEY={}\n", base62(30)),
    );
    let deleted_file = commit(p, "creds");
    std::fs::remove_dir_all(p.join("old")).unwrap();
    commit(p, "rm creds");
    // an unmerged branch
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "feature.txt", key());
    let branch = commit(p, "feature");
    git(p, &["checkout", "-q", "main"]);
    // a commit reachable only from a tag
    git(p, &["checkout", "-q", "--detach"]);
    write(p, "tagged.txt", key());
    let tagged = commit(p, "tagged");
    git(p, &["tag", "v1"]);
    git(p, &["checkout", "-q", "main"]);
    // a stash
    write(p, "README.md", format!("hello {}\n", key()));
    git(p, &["stash", "-q"]);
    let (code, r) = history(p, &[]);
    assert_eq!(code, 1);
    let f = found(&r);
    assert!(f.contains(&("app.py".into(), added.clone())), "{f:?}");
    assert!(f.contains(&("old/creds.env".into(), deleted_file)), "{f:?}");
    assert!(f.contains(&("feature.txt".into(), branch)), "{f:?}");
    assert!(f.contains(&("tagged.txt".into(), tagged)), "{f:?}");
    assert!(
        f.iter().any(|(path, _)| path == "README.md"),
        "stash: {f:?}"
    );
    assert_eq!(f.len(), 5, "{f:?}");
    let first = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == "app.py")
        .unwrap();
    assert_eq!(first["author"], "Test Author <author@example.com>");
    assert!(first["date"].as_str().unwrap().contains('T'));
}

#[test]
fn one_finding_per_secret_and_path_attributed_to_its_introduction() {
    let d = tree();
    let p = d.path();
    git_init(p);
    let k = key();
    write(p, "cfg.py", format!("a = 1\nKEY = '{k}'\n"));
    let intro = commit(p, "intro");
    for i in 0..5 {
        write(
            p,
            "cfg.py",
            format!("a = {i}\n{}KEY = '{k}'\nb = {i}\n", "\n".repeat(i)),
        );
        commit(p, &format!("edit {i}"));
    }
    git(p, &["checkout", "-q", "-b", "side"]);
    write(p, "other.txt", "side\n");
    commit(p, "side");
    git(p, &["checkout", "-q", "main"]);
    write(p, "cfg.py", format!("KEY = '{k}'\nmoved = True\n"));
    commit(p, "move it");
    git(p, &["merge", "-q", "--no-edit", "side"]);
    let (_, r) = history(p, &[]);
    assert_eq!(found(&r), vec![("cfg.py".into(), intro)]);
    let (_, all) = history(p, &["--all-occurrences"]);
    assert!(found(&all).len() >= 7, "{:?}", found(&all));
}

#[test]
fn secret_introduced_by_a_merge_resolution() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "f.txt", "base\n");
    commit(p, "base");
    git(p, &["checkout", "-q", "-b", "other"]);
    write(p, "f.txt", "other\n");
    commit(p, "other");
    git(p, &["checkout", "-q", "main"]);
    write(p, "f.txt", "mine\n");
    commit(p, "mine");
    let out = std::process::Command::new("git")
        .current_dir(p)
        .args(["merge", "-q", "other"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "expected a conflict");
    write(p, "f.txt", format!("resolved with {}\n", key()));
    let merge = commit(p, "merge");
    let (_, r) = history(p, &[]);
    assert_eq!(found(&r), vec![("f.txt".into(), merge)]);
}

#[test]
fn ranges_report_only_lines_the_range_adds() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.txt", format!("old {}\n", key()));
    let base = commit(p, "old secret");
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(
        p,
        "a.txt",
        format!(
            "old line kept\n{}",
            std::fs::read_to_string(p.join("a.txt")).unwrap()
        ),
    );
    commit(p, "touch file with old secret");
    write(p, "b.txt", format!("new {}\n", key()));
    let new = commit(p, "new secret");
    let (code, r) = history(p, &["--range", &format!("{base}..feature")]);
    assert_eq!(code, 1);
    assert_eq!(found(&r), vec![("b.txt".into(), new.clone())]);
    let (_, r) = history(p, &["--since", &base]);
    assert_eq!(found(&r), vec![("b.txt".into(), new)]);
    assert_eq!(r["stats"]["commits_scanned"], 2);
    tenscan()
        .current_dir(p)
        .args(["history", "--range", "nope..feature"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn bare_repos_worktrees_shallow_and_empty() {
    let d = tree();
    let p = d.path().join("src");
    std::fs::create_dir(&p).unwrap();
    git_init(&p);
    for i in 0..3 {
        write(&p, &format!("f{i}.txt"), format!("{}\n", key()));
        commit(&p, &format!("c{i}"));
    }
    let url = format!("file://{}", p.display());
    git(d.path(), &["clone", "-q", "--bare", &url, "bare.git"]);
    let (_, r) = history(&d.path().join("bare.git"), &[]);
    assert_eq!(found(&r).len(), 3);
    git(
        &p,
        &[
            "worktree",
            "add",
            "-q",
            &d.path().join("wt").display().to_string(),
        ],
    );
    let (_, r) = history(&d.path().join("wt"), &[]);
    assert_eq!(found(&r).len(), 3);
    git(d.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let (code, r) = history(&d.path().join("shallow"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&r).len(),
        3,
        "all files are in the one commit a depth-1 clone has"
    );
    assert_eq!(r["stats"]["commits_scanned"], 1);
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    git_init(&empty);
    let (code, r) = history(&empty, &[]);
    assert_eq!((code, found(&r).len()), (0, 0));
    let not_repo = tree();
    tenscan()
        .current_dir(not_repo.path())
        .args(["history"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a git repository"));
    tenscan()
        .args(["history", "/no/such/repo"])
        .assert()
        .code(2);
}

#[test]
fn missing_objects_are_warned_and_marked_incomplete() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "good.txt", format!("{}\n", key()));
    write(p, "lost.txt", "this blob will go missing\n");
    commit(p, "c");
    let lost = git(p, &["rev-parse", "HEAD:lost.txt"]).trim().to_string();
    std::fs::remove_file(p.join(".git/objects").join(&lost[..2]).join(&lost[2..])).unwrap();
    let out = tenscan()
        .current_dir(p)
        .args(["history", "-f", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an audit that could not read everything never says clean: {err}"
    );
    assert!(
        err.contains(&lost) && err.contains("--allow-incomplete"),
        "{err}"
    );
    let r = json(&out.stdout);
    assert_eq!(r["stats"]["incomplete"], true);
    assert_eq!(found(&r).len(), 1, "the rest is still scanned and reported");
    let (code, _) = history(p, &["--allow-incomplete"]);
    assert_eq!(
        code, 1,
        "accepting an incomplete scan: the exit code follows the findings"
    );
}

#[test]
fn submodules_are_skipped_and_big_blobs_skipped_by_size() {
    let d = tree();
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    git_init(&sub);
    write(&sub, "s.txt", "sub\n");
    commit(&sub, "sub");
    let p = d.path().join("main");
    std::fs::create_dir(&p).unwrap();
    git_init(&p);
    git(
        &p,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "-q",
            "add",
            &format!("file://{}", sub.display()),
            "vendor/sub",
        ],
    );
    write(&p, "big.txt", format!("{}\n{}", "x".repeat(5000), key()));
    commit(&p, "with submodule");
    let out = tenscan()
        .current_dir(&p)
        .args(["history", "-f", "json", "--max-file-size", "1000"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a blob left out by the size limit fails closed"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("big.txt"));
    let (code, r) = history(&p, &["--max-file-size", "1000", "--allow-incomplete"]);
    assert_eq!(code, 0);
    assert_eq!(r["stats"]["skipped_other"], 1);
    assert_eq!(r["stats"]["skipped_size"], 1);
}

#[test]
fn history_sarif_has_its_own_category_and_the_commit() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.txt", key());
    let c = commit(p, "c");
    let out = tenscan()
        .current_dir(p)
        .args([
            "history",
            "-f",
            "sarif",
            "--sarif-category",
            "tenscan-history",
        ])
        .output()
        .unwrap();
    let s = json(&out.stdout);
    assert_eq!(s["runs"][0]["automationDetails"]["id"], "tenscan-history");
    let plain = json(
        &tenscan()
            .current_dir(p)
            .args(["history", "-f", "sarif"])
            .output()
            .unwrap()
            .stdout,
    );
    assert!(
        plain["runs"][0].get("automationDetails").is_none(),
        "the upload step names the category"
    );
    assert_eq!(
        s["runs"][0]["results"][0]["properties"]["commit"],
        c.as_str()
    );
}

#[test]
fn hostile_repositories() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.txt", format!("{}\n", key()));
    write(p, "b.txt", "will be corrupted\n");
    let first = commit(p, "c1");
    // 10k refs pointing at the same commit: one blob is still scanned once.
    let refs: String = (0..10_000)
        .map(|i| format!("create refs/tags/t{i} {first}\n"))
        .collect();
    let mut child = std::process::Command::new("git")
        .current_dir(p)
        .args(["update-ref", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), refs.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    // Detached HEAD with a commit no branch has.
    git(p, &["checkout", "-q", "--detach"]);
    write(p, "c.txt", format!("{}\n", key()));
    let detached = commit(p, "detached");
    let (code, r) = history(p, &[]);
    assert_eq!(code, 1);
    assert!(found(&r).contains(&("c.txt".into(), detached)));
    assert_eq!(r["stats"]["files_scanned"], 3);
    // A locked index does not stop `staged`, and tenscan leaves the lock alone.
    std::fs::write(p.join(".git/index.lock"), b"").unwrap();
    tenscan().current_dir(p).args(["staged"]).assert().code(0);
    assert!(p.join(".git/index.lock").exists());
    std::fs::remove_file(p.join(".git/index.lock")).unwrap();
    // A corrupt loose object: warned, marked incomplete, the rest scanned.
    let b = git(p, &["rev-parse", &format!("{first}:b.txt")])
        .trim()
        .to_string();
    let obj = p.join(".git/objects").join(&b[..2]).join(&b[2..]);
    writable(&obj);
    std::fs::write(&obj, b"this is not zlib data").unwrap();
    let out = tenscan()
        .current_dir(p)
        .args(["history", "-f", "json"])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(r["stats"]["incomplete"], true);
    assert_eq!(found(&r).len(), 2);
}

#[test]
fn truncated_pack_is_incomplete_not_fatal() {
    let d = tree();
    let p = d.path();
    git_init(p);
    for i in 0..20 {
        write(
            p,
            &format!("f{i}.txt"),
            format!("{}\n{}\n", key(), "filler line\n".repeat(200)),
        );
        commit(p, &format!("c{i}"));
    }
    git(p, &["gc", "-q", "--aggressive"]);
    let pack = pack_file(p, "pack");
    let len = std::fs::metadata(&pack).unwrap().len();
    writable(&pack);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let out = tenscan()
        .current_dir(p)
        .args(["history", "-f", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let r = json(&out.stdout);
    assert_eq!(r["stats"]["incomplete"], true, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
