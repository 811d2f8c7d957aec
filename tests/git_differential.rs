//! Git is the oracle: for every kind of index and change git can stage, `tenscan staged`
//! reports exactly the keys on the lines `git diff --cached -M` adds, and never writes the
//! index. Each file line in these repositories holds its own made-up key, so "the lines git
//! adds" and "the keys tenscan must report" are the same set.
mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;

/// A file whose every line holds a distinct key.
fn keyed(lines: usize) -> String {
    (0..lines)
        .map(|i| format!("K{i} = '{}'\n", key()))
        .collect()
}

/// `(path, line)` of every line `git diff --cached -M` adds that holds a key (a submodule's
/// `Subproject commit` line holds none).
fn git_added(dir: &Path, extra_env: &[(&str, &str)]) -> BTreeSet<(String, u64)> {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir).args([
        "diff",
        "--cached",
        "-M",
        "-U0",
        "--no-color",
        "--no-ext-diff",
    ]);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut path = String::new();
    let mut set = BTreeSet::new();
    let hunk = regex::Regex::new(r"^@@ -\S+ \+(\d+)(?:,\d+)? @@").unwrap();
    let mut next = 0;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("+++ b/") {
            path = p.to_string();
        } else if let Some(c) = hunk.captures(line) {
            next = c[1].parse().unwrap();
        } else if let Some(added) = line.strip_prefix('+') {
            if added.contains(" = '") || added.contains("BASETEN") {
                set.insert((path.clone(), next));
            }
            next += 1;
        }
    }
    set
}

/// `(path, line)` of every finding of `tenscan staged`, with its exit code.
fn tenscan_staged(dir: &Path, extra_env: &[(&str, &str)]) -> (i32, BTreeSet<(String, u64)>) {
    let mut cmd = tenscan();
    cmd.current_dir(dir).args(["staged", "-f", "json"]);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    assert!(code != 2, "{}", String::from_utf8_lossy(&out.stderr));
    let set = locations(&json(&out.stdout))
        .into_iter()
        .map(|(p, l, _, _)| (p, l))
        .collect();
    (code, set)
}

/// Every file under `.git` whose name starts with `index` or `sharedindex`, with its bytes.
fn index_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join(".git"))
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("index") || n.starts_with("sharedindex")
        })
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// tenscan agrees with git, and leaves the index bytes alone.
fn agree(dir: &Path, what: &str) -> BTreeSet<(String, u64)> {
    agree_env(dir, what, &[])
}

fn agree_env(dir: &Path, what: &str, env: &[(&str, &str)]) -> BTreeSet<(String, u64)> {
    let before = index_files(dir);
    let expected = git_added(dir, env);
    let (code, got) = tenscan_staged(dir, env);
    assert_eq!(
        got, expected,
        "{what}: tenscan staged differs from git diff --cached -M"
    );
    assert_eq!(code, if expected.is_empty() { 0 } else { 1 }, "{what}");
    assert_eq!(index_files(dir), before, "{what}: the index was written");
    expected
}

fn repo_with_history() -> tempfile::TempDir {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.py", keyed(6));
    write(p, "c.py", keyed(20));
    write(p, "s/in_cone.py", keyed(3));
    write(p, "t/out_of_cone.py", keyed(3));
    write(p, "exec.sh", keyed(2));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "base", "--no-verify"]);
    d
}

#[test]
fn index_versions_2_3_and_4() {
    for version in ["2", "3", "4"] {
        let d = repo_with_history();
        let p = d.path();
        git(p, &["update-index", "--index-version", version]);
        let mut a = std::fs::read_to_string(p.join("a.py")).unwrap();
        a.insert_str(a.find('\n').unwrap() + 1, &keyed(2));
        write(p, "a.py", a);
        write(p, "new/deep/file.py", keyed(3));
        git(p, &["add", "-A"]);
        let added = agree(p, &format!("index v{version}"));
        assert_eq!(added.len(), 5, "v{version}: {added:?}");
    }
}

#[test]
fn split_index() {
    let d = repo_with_history();
    let p = d.path();
    git(p, &["update-index", "--split-index"]);
    write(p, "split.py", keyed(2));
    git(p, &["add", "split.py"]);
    assert!(std::fs::read_dir(p.join(".git"))
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("sharedindex")));
    assert_eq!(agree(p, "split index").len(), 2);
}

#[test]
fn sparse_index() {
    let d = repo_with_history();
    let p = d.path();
    git(p, &["config", "index.sparse", "true"]);
    git(p, &["sparse-checkout", "set", "--cone", "s"]);
    assert!(!p.join("t/out_of_cone.py").exists());
    write(p, "s/new.py", keyed(2));
    git(p, &["add", "s/new.py"]);
    assert_eq!(agree(p, "sparse index").len(), 2);
}

#[test]
fn intent_to_add_mode_changes_deletions_and_renames_with_edits() {
    let d = repo_with_history();
    let p = d.path();
    // Intent to add: recorded in the index, but not committed.
    write(p, "later.py", keyed(2));
    git(p, &["add", "-N", "later.py"]);
    agree(p, "intent to add");
    // A mode-only change and a deletion add nothing.
    git(p, &["update-index", "--chmod=+x", "exec.sh"]);
    git(p, &["rm", "-q", "a.py"]);
    assert!(agree(p, "mode change and deletion").is_empty());
    // A rename with an edit: only the edited line (git calls it R0xx).
    git(p, &["mv", "c.py", "moved.py"]);
    let mut c = std::fs::read_to_string(p.join("moved.py")).unwrap();
    c.push_str(&keyed(1));
    write(p, "moved.py", c);
    git(p, &["add", "moved.py"]);
    let raw = git(p, &["diff", "--cached", "-M", "--name-status"]);
    assert!(raw.contains("R0") || raw.contains("R1"), "{raw}");
    assert_eq!(
        agree(p, "rename with an edit"),
        BTreeSet::from([("moved.py".to_string(), 21)])
    );
}

#[test]
fn submodule_pointer_changes_add_nothing() {
    let d = tree();
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    git_init(&sub);
    write(&sub, "s.py", keyed(2));
    git(&sub, &["add", "-A"]);
    git(&sub, &["commit", "-qm", "s"]);
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
    git(&p, &["commit", "-qm", "sub", "--no-verify"]);
    write(&p.join("vendor/sub"), "s.py", keyed(3));
    git(&p.join("vendor/sub"), &["commit", "-qam", "more"]);
    git(&p, &["add", "vendor/sub"]);
    assert!(agree(&p, "submodule pointer").is_empty());
}

#[test]
fn unborn_head_alternate_index_and_merge_in_progress() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "first.py", keyed(3));
    git(p, &["add", "first.py"]);
    assert_eq!(agree(p, "unborn HEAD").len(), 3);
    git(p, &["commit", "-qm", "first", "--no-verify"]);

    // GIT_INDEX_FILE, as `git commit -a` and `git commit <paths>` set it.
    let alt = p.join(".git/index.alt");
    std::fs::copy(p.join(".git/index"), &alt).unwrap();
    write(p, "alt.py", keyed(2));
    let alt_s = alt.display().to_string();
    let env = [("GIT_INDEX_FILE", alt_s.as_str())];
    let out = std::process::Command::new("git")
        .current_dir(p)
        .env("GIT_INDEX_FILE", &alt)
        .args(["add", "alt.py"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(agree_env(p, "GIT_INDEX_FILE", &env).len(), 2);
    assert!(agree(p, "the default index is untouched").is_empty());
    std::fs::remove_file(p.join("alt.py")).unwrap();

    // A merge stopped on a conflict: unmerged paths are left for later, resolved ones count.
    git(p, &["checkout", "-qb", "side"]);
    write(p, "first.py", keyed(3));
    write(p, "side.py", keyed(2));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "side", "--no-verify"]);
    git(p, &["checkout", "-q", "main"]);
    write(p, "first.py", keyed(3));
    git(p, &["commit", "-qam", "main", "--no-verify"]);
    let merge = std::process::Command::new("git")
        .current_dir(p)
        .args(["merge", "-q", "side"])
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@x")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@x")
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge conflicts");
    assert_eq!(
        agree(p, "merge in progress"),
        BTreeSet::from([("side.py".to_string(), 1), ("side.py".to_string(), 2)])
    );
}

#[test]
fn utf16_files_and_archives_are_judged_by_their_admitted_text() {
    let d = repo_with_history();
    let p = d.path();
    // Git calls these binary and shows no lines; tenscan transcodes and opens them, and
    // reports what the change adds inside them.
    let ps1 = format!("$env:BASETEN_API_KEY = '{}'\r\n", key());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(ps1.encode_utf16().flat_map(|u| u.to_le_bytes()));
    write(p, "deploy.ps1", &utf16);
    let env = format!("BASETEN_API_KEY={}\n", key());
    write(p, "bundle.zip", zip_of(&[("conf/.env", env.clone())]));
    git(p, &["add", "-A"]);
    let (code, got) = tenscan_staged(p, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        got,
        BTreeSet::from([
            ("bundle.zip!conf/.env".to_string(), 1),
            ("deploy.ps1".to_string(), 1)
        ])
    );
    git(p, &["commit", "-qm", "binaries", "--no-verify"]);
    // An edit inside the archive that keeps the old key reports only the new line.
    write(
        p,
        "bundle.zip",
        zip_of(&[("conf/.env", format!("{env}OTHER_BASETEN_TOKEN={}\n", key()))]),
    );
    git(p, &["add", "-A"]);
    let (_, got) = tenscan_staged(p, &[]);
    assert_eq!(
        got,
        BTreeSet::from([("bundle.zip!conf/.env".to_string(), 2)])
    );
}

#[test]
fn random_edits_agree_with_git() {
    // Seeded edit scripts over keyed files: inserts, deletions, copies of existing key lines,
    // moves of whole blocks, and renames with and without edits.
    let mut x: u64 = 0x0005_EED0_F7E5_CA11;
    let mut rnd = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n.max(1) as u64) as usize
    };
    for round in 0..40 {
        let d = tree();
        let p = d.path();
        git_init(p);
        for f in 0..4 {
            write(p, &format!("f{f}.py"), keyed(8 + rnd(10)));
        }
        git(p, &["add", "-A"]);
        git(p, &["commit", "-qm", "base", "--no-verify"]);
        for f in 0..4 {
            let name = format!("f{f}.py");
            let mut lines: Vec<String> = std::fs::read_to_string(p.join(&name))
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
            for _ in 0..rnd(6) {
                let at = rnd(lines.len() + 1);
                match rnd(4) {
                    0 if !lines.is_empty() => {
                        lines.remove(at.min(lines.len() - 1));
                    }
                    1 if !lines.is_empty() => {
                        let copy = lines[rnd(lines.len())].clone();
                        lines.insert(at, copy);
                    }
                    2 if lines.len() > 3 => {
                        let block: Vec<String> = lines.drain(0..2).collect();
                        let to = rnd(lines.len() + 1);
                        for (i, l) in block.into_iter().enumerate() {
                            lines.insert(to + i, l);
                        }
                    }
                    _ => lines.insert(at, format!("N{round} = '{}'", key())),
                }
            }
            let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
            match rnd(3) {
                0 => {
                    git(p, &["mv", &name, &format!("renamed_{name}")]);
                    write(p, &format!("renamed_{name}"), body);
                }
                _ => {
                    write(p, &name, body);
                }
            }
        }
        git(p, &["add", "-A"]);
        agree(p, &format!("random round {round}"));
    }
}
