//! Shared test helpers: run the real binary, make temp trees and git repos, generate keys.
#![allow(dead_code)]
pub mod actions;
pub mod fake_api;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub fn tenscan() -> Command {
    let mut c = Command::cargo_bin("tenscan").unwrap();
    c.env_remove("NO_COLOR").env("TENSCAN_TEST", "1");
    c
}

static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

/// A deterministic-per-process, distinct-per-call stream of pseudo-random base62 text.
pub fn base62(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let mut x = SEED.fetch_add(0x2545_F491_4F6C_DD1D, Ordering::Relaxed) | 1;
        let s: String = (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                A[(x % 62) as usize] as char
            })
            .collect();
        // Real keys mix classes and have no long runs; keep generated ones like that.
        let ok = s.bytes().any(|b| b.is_ascii_uppercase())
            && s.bytes().any(|b| b.is_ascii_lowercase())
            && s.bytes().any(|b| b.is_ascii_digit())
            && tenscan::checks::placeholder_reason(s.as_bytes()).is_none();
        if ok {
            return s;
        }
    }
}

/// A made-up key of the Baseten API key shape.
pub fn key() -> String {
    loop {
        let k = format!("{}.{}", base62(8), base62(32));
        if tenscan::checks::placeholder_reason(k.as_bytes()).is_none()
            && tenscan::checks::class_transition_ratio(k.as_bytes()) > 0.4
        {
            return k;
        }
    }
}

pub fn tree() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn write(dir: &Path, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, data).unwrap();
    p
}

/// Runs git in `dir`, panicking with its output on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Bytes that are not UTF-8 (a UTF-16 blob in `git show`) are replaced.
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Feeds a `git fast-import` stream to the repository at `dir` (objects go into a pack).
pub fn fast_import(dir: &Path, stream: &str) {
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import failed");
}

/// Creates the bare repository `remote` (branch `main`) and makes it `work`'s `origin`.
pub fn bare_origin(work: &Path, remote: &Path) {
    let parent = remote.parent().unwrap();
    git(
        parent,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            remote.to_str().unwrap(),
        ],
    );
    git(work, &["remote", "add", "origin", remote.to_str().unwrap()]);
}

/// Makes a file git wrote read-only (an object, a pack) writable, to damage it.
pub fn writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

/// The repository's (first) pack file with extension `ext` (`pack`, `idx`).
pub fn pack_file(repo: &Path, ext: &str) -> PathBuf {
    std::fs::read_dir(repo.join(".git/objects/pack"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == ext))
        .unwrap()
}

pub fn git_init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

/// Parses a JSON report from a finished command's stdout.
pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// `(path, line, column, rule_id)` of every finding in a JSON report.
pub fn locations(report: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The official SARIF 2.1.0 schema (vendored in tests/data; `TENSCAN_SARIF_SCHEMA` may point
/// at another copy), compiled.
pub fn sarif_validator() -> jsonschema::Validator {
    let path = std::env::var_os("TENSCAN_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json")
        });
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&path).unwrap_or_else(|e| panic!("SARIF schema at {}: {e}", path.display())),
    )
    .unwrap();
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

/// Stages everything and commits; returns the commit id.
pub fn commit(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// A zip archive of (name, content) members.
pub fn zip_of<N: AsRef<str>, B: AsRef<[u8]>>(members: &[(N, B)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in members {
        w.start_file(name.as_ref(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, body.as_ref()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `text` as UTF-16LE with a byte-order mark.
pub fn utf16le(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    v.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    v
}

/// The `bin` directory of a virtualenv made once per build directory with `requirement`
/// installed from PyPI; `None` (saying what is skipped) without python3.
pub fn python_tool(venv: &str, requirement: &str, skipped: &str) -> Option<PathBuf> {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: python3 is not installed, so {skipped}");
        return None;
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(venv);
    let bin = venv.join("bin");
    let ready = venv.join(".installed");
    if !ready.exists() {
        let ok = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap()
            .success();
        assert!(ok, "python3 -m venv failed");
        let out = std::process::Command::new(bin.join("pip"))
            .args(["install", "-q", "--disable-pip-version-check", requirement])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pip install {requirement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&ready, requirement).unwrap();
    }
    Some(bin)
}

/// Runs tenscan in `dir` with `args`, which ask for a JSON report on stdout: the exit code,
/// the report and stderr.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = tenscan().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        json(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
