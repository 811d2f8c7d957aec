//! The repository under scan is hostile: its config, objects, file names and contents may be
//! crafted. Nothing in it may leak the environment, hang tenscan, forge terminal or CI
//! output, or make a limit pass a key silently.
mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

fn all_output(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
#[test]
fn a_config_symlinked_to_the_environment_is_refused_not_quoted() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "app.py", "x = 1\n");
    std::os::unix::fs::symlink("/proc/self/environ", p.join(".tenscan.toml")).unwrap();
    let secret_env = format!("ci-token-{}", base62(24));
    for args in [&["scan", "."][..], &["history"], &["staged"]] {
        let out = tenscan()
            .current_dir(p)
            .env("CI_DEPLOY_TOKEN", &secret_env)
            .args(args)
            .output()
            .unwrap();
        let all = all_output(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(all.contains("symbolic"), "{all}");
        assert!(
            !all.contains(&secret_env[10..]) && !all.contains("CI_DEPLOY_TOKEN"),
            "{args:?} leaked the environment: {all}"
        );
    }
    // A link to any other readable file is refused the same way.
    std::fs::remove_file(p.join(".tenscan.toml")).unwrap();
    write(p, "../outside.txt", format!("password = {}\n", base62(30)));
    std::os::unix::fs::symlink(p.join("../outside.txt"), p.join(".tenscan.toml")).unwrap();
    let out = tenscan()
        .current_dir(p)
        .args(["scan", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(all_output(&out).contains("symbolic"));
}

#[test]
fn errors_in_config_baseline_and_rule_files_never_echo_a_key() {
    let d = tree();
    let p = d.path();
    let k = key();
    write(
        p,
        ".tenscan.toml",
        format!("[allowlist]\nstopwords = [\"{k}\"]\nnot_a_setting = true\n"),
    );
    let out = tenscan()
        .current_dir(p)
        .args(["scan", "."])
        .output()
        .unwrap();
    let all = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("not_a_setting") && !all.contains(&k[12..]),
        "{all}"
    );
    write(
        p,
        ".tenscan.toml",
        format!("[allowlist]\nregexes = ['({k}']\n"),
    );
    let all = all_output(
        &tenscan()
            .current_dir(p)
            .args(["scan", "."])
            .output()
            .unwrap(),
    );
    assert!(
        all.contains("bad regex") && !all.contains(&k[12..]),
        "{all}"
    );
    std::fs::remove_file(p.join(".tenscan.toml")).unwrap();
    write(
        p,
        "b.toml",
        format!("version = 1\n[[finding]]\nrule = \"r\"\npath = \"p\"\nsecret_sha256 = {k}\n"),
    );
    let all = all_output(
        &tenscan()
            .current_dir(p)
            .args(["scan", ".", "--baseline", "b.toml"])
            .output()
            .unwrap(),
    );
    assert!(all.contains("b.toml") && !all.contains(&k[12..]), "{all}");
    write(
        p,
        "rule.toml",
        format!("id = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nregex = '''({k}'''\n"),
    );
    let all = all_output(
        &tenscan()
            .current_dir(p)
            .args(["rules", "check", "rule.toml"])
            .output()
            .unwrap(),
    );
    assert!(all.contains("regex") && !all.contains(&k[12..]), "{all}");
    write(
        p,
        "rule.toml",
        format!("id = \"x\"\ndescription = \"{k}\nseverity = 1\n"),
    );
    let all = all_output(
        &tenscan()
            .current_dir(p)
            .args(["rules", "check", "rule.toml"])
            .output()
            .unwrap(),
    );
    assert!(!all.contains(&k[12..]), "{all}");
    assert_eq!(
        all.matches("invalid rule file").count(),
        1,
        "said once: {all}"
    );
}

/// Makes a loose object `len` bytes long.
fn truncate_object(repo: &Path, id: &str, len: u64) {
    let obj = repo.join(".git/objects").join(&id[..2]).join(&id[2..]);
    writable(&obj);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&obj)
        .unwrap()
        .set_len(len)
        .unwrap();
}

#[test]
fn a_truncated_loose_object_fails_fast_in_every_git_command() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.py", format!("{}\n{}\n", "filler ".repeat(300), key()));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "one"]);
    let first = git(p, &["rev-parse", "HEAD"]).trim().to_string();
    write(
        p,
        "b.py",
        format!("{}\nK = '{}'\n", "more filler ".repeat(300), key()),
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "two"]);
    let blob = git(p, &["rev-parse", "HEAD:b.py"]).trim().to_string();
    truncate_object(p, &blob, 20);
    write(p, "c.py", format!("{}\n", key()));
    std::fs::copy(p.join("b.py"), p.join("c2.py")).unwrap();
    git(p, &["add", "c.py"]);
    let staged_blob = git(p, &["rev-parse", ":c.py"]).trim().to_string();
    truncate_object(p, &staged_blob, 20);
    for args in [
        &["history"][..],
        &["history", "--range", &format!("{first}..HEAD")],
        &["staged"],
    ] {
        let started = std::time::Instant::now();
        let out = tenscan()
            .current_dir(p)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
    }
}

#[test]
fn a_key_right_after_an_escape_is_found_and_never_shown() {
    let d = tree();
    let (k1, k2, k3) = (key(), key(), key());
    write(
        d.path(),
        "cfg.json",
        format!("{{\"a\": \"baseten {k1}\", \"b\": \"x\\n{k2}\"}}\n"),
    );
    write(d.path(), "app.py", format!("print(\"token:\\t{k3}\")\n"));
    let out = tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", "."])
        .output()
        .unwrap();
    let all = all_output(&out);
    for k in [&k1, &k2, &k3] {
        assert!(all.contains(&k[..8]), "{} not found: {all}", &k[..8]);
        assert!(!all.contains(&k[9..]), "a key shown in full: {all}");
    }
    let json = json(
        &tenscan()
            .current_dir(d.path())
            .args(["scan", ".", "-f", "json"])
            .output()
            .unwrap()
            .stdout,
    );
    assert_eq!(locations(&json).len(), 3, "{json}");
}

#[test]
fn file_names_and_contents_cannot_drive_a_terminal_or_a_ci_log() {
    let d = tree();
    let evil_name = "a\n::error title=forged::owned\x1b]0;title\x07.txt";
    let k = key();
    write(d.path(), evil_name, format!("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J\x1b[H K = '{k}' \u{202E}gnp.exe\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = d.path().join("b\n::warning::forged\x1b[31m");
        std::fs::write(&locked, "x").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    for format in ["pretty", "json", "sarif"] {
        let out = tenscan()
            .current_dir(d.path())
            .env("CLICOLOR_FORCE", "0")
            .env("NO_COLOR", "1")
            .args(["scan", ".", "-f", format])
            .output()
            .unwrap();
        let all = all_output(&out);
        assert!(
            !all.contains('\x1b') && !all.contains('\x07') && !all.contains('\u{202E}'),
            "{format}: raw control characters: {all:?}"
        );
        assert!(
            all.lines().all(|l| !l.trim_start().starts_with("::")),
            "{format}: a line starts a workflow command: {all}"
        );
        assert!(!all.contains(&k[9..]));
    }
}

#[test]
fn thousands_of_keys_on_one_line_take_linear_time() {
    let d = tree();
    let k = key();
    write(
        d.path(),
        "same.txt",
        format!("{}\n", vec![k.as_str(); 20_000].join(" ")),
    );
    let distinct: Vec<String> = (0..20_000).map(|_| key()).collect();
    write(
        d.path(),
        "distinct.txt",
        format!("{}\n", distinct.join(" ")),
    );
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(
        locations(&r).iter().filter(|l| l.0 == "same.txt").count(),
        20_000
    );
    assert!(
        locations(&r)
            .iter()
            .filter(|l| l.0 == "distinct.txt")
            .count()
            > 19_000
    );
    // The pretty report of all of them, too: each excerpt is cut from its own line window.
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", "same.txt"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&k[9..]));
}

#[test]
fn json_cut_off_after_a_backslash_cannot_hang_a_scan() {
    // Found by the matcher fuzz target: a JSON string whose last byte is a backslash sent
    // the decoder into an endless loop. Every source meets it: worktree, history, a range,
    // staged changes, an archive member and standard input.
    let d = tree();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    write(p, "README.md", "docs\n");
    commit(p, "init");
    let notebook =
        |k: &str| format!("{{\"source\": \"baseten.login(\\\"{k}\\\")\", \"tail\": \"\\");
    write(p, "cut.json", "{\"a\": \"x\\");
    write(p, "notebook.json", notebook(&key()));
    write(
        p,
        "bundle.zip",
        zip_of(&[("nb/notebook.json", notebook(&key()))]),
    );
    commit(p, "cut json");
    let run = |args: &[&str]| {
        let out = tenscan()
            .current_dir(p)
            .args(args)
            .args(["-f", "json"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} finished with the keys found"
        );
        let mut paths: Vec<String> = locations(&json(&out.stdout))
            .into_iter()
            .map(|l| l.0)
            .collect();
        paths.sort();
        paths
    };
    let both = ["bundle.zip!nb/notebook.json", "notebook.json"];
    assert_eq!(run(&["scan", "."]), both);
    assert_eq!(run(&["history", "."]), both);
    assert_eq!(run(&["history", ".", "--range", "HEAD~1..HEAD"]), both);
    write(p, "staged.json", notebook(&key()));
    git(p, &["add", "staged.json"]);
    assert_eq!(run(&["staged"]), ["staged.json"]);
    let out = tenscan()
        .args(["scan", "-", "-f", "json"])
        .write_stdin("[\"\\")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn tracked_files_are_scanned_even_when_gitignore_matches_them() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, ".gitignore", ".env\nbuild/\n");
    write(p, ".env", format!("BASETEN_API_KEY={}\n", key()));
    write(p, "build/out.env", format!("BASETEN_API_KEY={}\n", key()));
    write(
        p,
        "build/untracked.env",
        format!("BASETEN_API_KEY={}\n", key()),
    );
    git(p, &["add", "-f", ".env", "build/out.env"]);
    git(p, &["add", ".gitignore"]);
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let mut paths: Vec<String> = locations(&json(&out.stdout))
        .into_iter()
        .map(|l| l.0)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [".env", "build/out.env"],
        "tracked files are committed whatever .gitignore says"
    );
    assert_eq!(out.status.code(), Some(1));
    // --no-ignore scans the untracked one too; .tenscanignore still excludes on purpose.
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "-f", "json", "--no-ignore"])
        .output()
        .unwrap();
    assert_eq!(locations(&json(&out.stdout)).len(), 3);
}

#[cfg(unix)]
#[test]
fn a_hostile_install_path_cannot_inject_into_the_hook() {
    use std::os::unix::fs::PermissionsExt;
    let d = tree();
    let evil_dir = d.path().join("q'$(touch PWNED)'`touch PWNED2` \"x");
    std::fs::create_dir_all(&evil_dir).unwrap();
    let bin = evil_dir.join("tenscan");
    std::fs::copy(assert_cmd::cargo::cargo_bin("tenscan"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = d.path().join("repo");
    std::fs::create_dir(&p).unwrap();
    git_init(&p);
    let out = std::process::Command::new(&bin)
        .current_dir(&p)
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    write(&p, "app.py", format!("K = '{}'\n", key()));
    git(&p, &["add", "app.py"]);
    let commit = |p: &Path| {
        std::process::Command::new("git")
            .current_dir(p)
            .args(["commit", "-qm", "x"])
            .env("HOME", p)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@x")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@x")
            .env_remove("TENSCAN")
            .output()
            .unwrap()
    };
    let out = commit(&p);
    assert!(
        !out.status.success(),
        "the key is blocked by the binary at the odd path: {}",
        all_output(&out)
    );
    for dir in [d.path(), &p, &evil_dir] {
        assert!(
            !dir.join("PWNED").exists() && !dir.join("PWNED2").exists(),
            "the hook ran shell code from the path"
        );
    }
    // The binary is gone: the commit is blocked with a message that says how to fix it.
    std::fs::remove_file(&bin).unwrap();
    let out = commit(&p);
    let all = all_output(&out);
    assert!(!out.status.success());
    assert!(
        all.contains("cannot run")
            && all.contains("tenscan hook install")
            && all.contains("--no-verify"),
        "{all}"
    );
}

#[test]
fn archive_limits_and_damage_fail_closed_and_say_where() {
    let d = tree();
    let p = d.path();
    // Over the entry limit: what is scanned is reported, and the rest makes it incomplete.
    let mut many: Vec<(String, Vec<u8>)> = (0..20_001)
        .map(|i| (format!("f{i}.txt"), b"x".to_vec()))
        .collect();
    many[3].1 = format!("BASETEN_API_KEY={}\n", key()).into_bytes();
    write(p, "many.zip", zip_of(&many));
    // Nested four deep.
    let mut nested = zip_of(&[(
        "key.env",
        format!("BASETEN_API_KEY={}\n", key()).into_bytes(),
    )]);
    for i in 0..3 {
        nested = zip_of(&[(format!("level{i}.zip"), nested)]);
    }
    write(p, "nested.zip", nested);
    // A truncated gzip: what decompresses is scanned; the rest is reported.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let text = format!("BASETEN_API_KEY={}\n{}", key(), "log line\n".repeat(20_000));
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    write(p, "app.log.gz", &gz[..gz.len() / 2]);
    // A zip cut in half: its first members are salvaged.
    let big = zip_of(&[
        (
            "first.env",
            format!("BASETEN_API_KEY={}\n", key()).into_bytes(),
        ),
        (
            "second.bin",
            (0..200_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect::<Vec<u8>>(),
        ),
    ]);
    write(p, "cut.zip", &big[..big.len() / 2]);
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let r = json(&out.stdout);
    let mut paths: Vec<String> = locations(&r).into_iter().map(|l| l.0).collect();
    paths.sort();
    assert_eq!(
        paths,
        ["app.log.gz!app.log", "cut.zip!first.env", "many.zip!f3.txt"],
        "{err}"
    );
    assert!(err.contains("many.zip: 20001 entries"), "{err}");
    assert!(
        err.contains(
            "nested.zip!level2.zip!level1.zip!level0.zip: archive nested more than 3 deep"
        ),
        "{err}"
    );
    assert!(err.contains("app.log.gz: damaged"), "{err}");
    assert!(err.contains("cut.zip: damaged zip"), "{err}");
    assert_eq!(r["stats"]["incomplete"], true);
}

#[test]
fn oversized_input_fails_closed_everywhere_and_stdin_is_bounded() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(
        p,
        "big.env",
        format!("{}\nBASETEN_API_KEY={}\n", "# padding\n".repeat(300), key()),
    );
    git(p, &["add", "big.env"]);
    let out = tenscan()
        .current_dir(p)
        .args(["staged", "--max-file-size", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(all_output(&out).contains("big.env"));
    // Standard input is read up to the limit, never to the end of an endless stream.
    let text = "a".repeat(3_000_000);
    let out = tenscan()
        .args(["scan", "-", "--max-file-size", "1000000"])
        .write_stdin(text)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(all_output(&out).contains("<stdin>: larger than --max-file-size"));
    let zeros = vec![0u8; 3_000_000];
    let out = tenscan()
        .args(["scan", "-", "--max-file-size", "1000000"])
        .write_stdin(zeros)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "a binary stream is skipped as binary: {}",
        all_output(&out)
    );
}

#[test]
fn a_corrupt_tip_commit_makes_history_incomplete() {
    let d = tree();
    let p = d.path();
    git_init(p);
    write(p, "a.py", format!("{}\n", key()));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "one"]);
    write(p, "b.py", "x\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "two"]);
    let tip = git(p, &["rev-parse", "HEAD"]).trim().to_string();
    truncate_object(p, &tip, 10);
    let out = tenscan()
        .current_dir(p)
        .args(["history", "-f", "json"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&tip));
}

#[cfg(unix)]
#[test]
fn a_signal_leaves_no_temporary_files_and_no_report() {
    let d = tree();
    for i in 0..40 {
        write(
            d.path(),
            &format!("big{i}.txt"),
            "see v1.2 of ab.cd and x.y ".repeat(200_000),
        );
    }
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tenscan"))
            .current_dir(d.path())
            .args(["scan", ".", "-j", "1", "-f", "sarif", "-o", "out.sarif"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        unsafe { libc::kill(child.id() as i32, signal) };
        assert!(!child.wait().unwrap().success());
        let left: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".tenscan") || n == "out.sarif")
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}

#[test]
fn baselines_are_written_whole_or_not_at_all() {
    let d = tree();
    let p = d.path();
    write(p, "a.py", format!("K = '{}'\n", key()));
    let baseline = p.join("base.toml");
    std::fs::write(&baseline, "# the old baseline\nversion = 1\n").unwrap();
    // The target is a directory's path that cannot take a temporary file: the old one stays.
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "--write-baseline", "no/such/dir/base.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&baseline).unwrap(),
        "# the old baseline\nversion = 1\n"
    );
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "--write-baseline", "base.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&baseline)
        .unwrap()
        .contains("[[finding]]"));
    assert!(std::fs::read_dir(p)
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().starts_with(".tenscan-tmp")));
}

#[test]
fn short_secrets_get_keyed_hashes_or_none() {
    let d = tree();
    let p = d.path();
    // An 8-character truss secret: a plain SHA-256 of it could be brute-forced.
    write(p, "config.yaml", "secrets:\n  hf_token: Xq7pLm2z\n");
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "--write-baseline", "base.toml"])
        .output()
        .unwrap();
    let all = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("TENSCAN_HASH_KEY"), "{all}");
    assert!(!p.join("base.toml").exists());
    // Its fingerprint does not depend on the hidden part either.
    let fp = |secret: &str| {
        write(
            p,
            "config.yaml",
            format!("secrets:\n  hf_token: {secret}\n"),
        );
        let r = json(
            &tenscan()
                .current_dir(p)
                .args(["scan", ".", "-f", "json"])
                .output()
                .unwrap()
                .stdout,
        );
        r["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        fp("Xq7pLm2z"),
        fp("Xq9bQ3tw"),
        "a weak secret's fingerprint comes from its public part only"
    );
    // With a hash key: keyed hashes, and the baseline works.
    write(p, "config.yaml", "secrets:\n  hf_token: Xq7pLm2z\n");
    let out = tenscan()
        .current_dir(p)
        .env("TENSCAN_HASH_KEY", "k3y-from-ci-secrets")
        .args(["scan", ".", "--write-baseline", "base.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = std::fs::read_to_string(p.join("base.toml")).unwrap();
    assert!(
        text.contains("secret_hmac") && !text.contains("secret_sha256"),
        "{text}"
    );
    let out = tenscan()
        .current_dir(p)
        .env("TENSCAN_HASH_KEY", "k3y-from-ci-secrets")
        .args(["scan", ".", "--baseline", "base.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = tenscan()
        .current_dir(p)
        .env("TENSCAN_HASH_KEY", "another-key")
        .args(["scan", ".", "--baseline", "base.toml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a different key matches nothing"
    );
    let out = tenscan()
        .current_dir(p)
        .env_remove("TENSCAN_HASH_KEY")
        .args(["scan", ".", "--baseline", "base.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(all_output(&out).contains("TENSCAN_HASH_KEY"));
}
