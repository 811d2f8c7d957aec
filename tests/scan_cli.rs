//! `tenscan scan` end to end: the real binary on real files in temp directories.
mod common;
use common::*;
use predicates::prelude::*;

fn scan_json(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let args: Vec<&str> = ["scan", ".", "-f", "json"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    run_json(dir, &args)
}

#[test]
fn finds_a_key_with_exact_position_and_exit_1() {
    let d = tree();
    let k = key();
    write(
        d.path(),
        "src/app.py",
        format!("import baseten\n\nclient = Client(api_key=\"{k}\")\n"),
    );
    let (code, r, _) = scan_json(d.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&r),
        vec![("src/app.py".into(), 3, 26, "baseten-api-key".into())]
    );
    let f = &r["findings"][0];
    assert_eq!(f["confidence"], "high");
    assert_eq!(f["end_column"], 26 + 41);
    assert_eq!(f["secret"], format!("{}…", &k[..8]));
    assert_eq!(r["stats"]["files_scanned"], 1);
}

#[test]
fn clean_tree_exits_0() {
    let d = tree();
    write(d.path(), "a.txt", "nothing to see\n");
    tenscan()
        .current_dir(d.path())
        .args(["scan", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings"));
}

#[test]
fn bare_key_is_medium_and_context_raises_it() {
    let d = tree();
    let (a, b) = (key(), key());
    write(d.path(), "bare.txt", format!("value: {a}\n"));
    write(
        d.path(),
        "ctx.txt",
        format!("# deployed on baseten\n\n\nvalue: {b}\n"),
    );
    let (_, r, _) = scan_json(d.path(), &[]);
    let conf: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["confidence"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(conf, ["medium", "high"]);
}

#[test]
fn honours_gitignore_and_hidden_files_but_scans_named_files() {
    let d = tree();
    write(d.path(), ".gitignore", "ignored.txt\nbuild/\n");
    write(d.path(), "ignored.txt", key());
    write(d.path(), "build/out.txt", key());
    write(d.path(), ".hidden/conf.env", format!("K={}\n", key()));
    write(d.path(), ".git/config", key());
    let (_, r, _) = scan_json(d.path(), &[]);
    let paths: Vec<_> = locations(&r).into_iter().map(|l| l.0).collect();
    assert_eq!(paths, [".hidden/conf.env"]);

    let (_, r, _) = scan_json(d.path(), &["--no-ignore"]);
    let paths: Vec<_> = locations(&r).into_iter().map(|l| l.0).collect();
    assert_eq!(
        paths,
        [".hidden/conf.env", "build/out.txt", "ignored.txt"],
        ".git is never scanned"
    );

    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", "ignored.txt", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(locations(&json(&out.stdout))[0].0, "ignored.txt");
}

#[test]
fn odd_encodings_and_line_endings() {
    let d = tree();
    let k: Vec<String> = (0..5).map(|_| key()).collect();
    // Latin-1: é is one byte 0xE9, invalid UTF-8; the column still counts characters.
    let mut latin1 = b"caf\xe9 = '".to_vec();
    latin1.extend_from_slice(k[0].as_bytes());
    latin1.extend_from_slice(b"'\n");
    write(d.path(), "latin1.txt", latin1);
    write(
        d.path(),
        "crlf.txt",
        format!("first\r\nsecond {}\r\n", k[1]),
    );
    write(d.path(), "nofinal.txt", format!("x = {}", k[2]));
    let mut minified = "var a=1;".repeat(130_000);
    minified.push_str(&format!("var k=\"{}\";", k[3]));
    minified.push_str(&"var b=2;".repeat(1000));
    write(d.path(), "app.min.js", &minified);
    write(d.path(), "utf8.txt", format!("ключ = «{}»\n", k[4]));
    let (_, r, _) = scan_json(d.path(), &[]);
    assert_eq!(
        locations(&r),
        vec![
            (
                "app.min.js".into(),
                1,
                130_000 * 8 + 8,
                "baseten-api-key".into()
            ),
            ("crlf.txt".into(), 2, 8, "baseten-api-key".into()),
            ("latin1.txt".into(), 1, 9, "baseten-api-key".into()),
            ("nofinal.txt".into(), 1, 5, "baseten-api-key".into()),
            ("utf8.txt".into(), 1, 9, "baseten-api-key".into()),
        ]
    );
}

#[test]
fn binary_and_oversized_files_are_skipped_and_counted() {
    let d = tree();
    let mut bin = vec![0u8, 1, 2];
    bin.extend_from_slice(key().as_bytes());
    write(d.path(), "blob.bin", bin);
    write(
        d.path(),
        "big.txt",
        format!("{}\n{}", "a".repeat(2000), key()),
    );
    let mut big_bin = vec![0u8; 1500];
    big_bin.extend_from_slice(key().as_bytes());
    write(d.path(), "big.bin", big_bin);
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json", "--max-file-size", "1000"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "text left out by the size limit fails closed: {err}"
    );
    assert!(
        err.contains("big.txt") && err.contains("max-file-size") && !err.contains("big.bin"),
        "{err}"
    );
    let (code, r, _) = scan_json(d.path(), &["--max-file-size", "1000", "--allow-incomplete"]);
    assert_eq!(code, 0);
    assert_eq!(
        r["stats"]["skipped_binary"], 2,
        "a binary over the limit is just a binary"
    );
    assert_eq!(r["stats"]["skipped_size"], 1);
    assert_eq!(r["stats"]["incomplete"], true);
}

#[cfg(unix)]
#[test]
fn fifos_and_broken_symlinks_warn_and_never_hang() {
    let d = tree();
    let k = key();
    write(d.path(), "real.txt", &k);
    let fifo = d.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(d.path().join("missing"), d.path().join("dangling")).unwrap();
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let r = json(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a FIFO or a dangling link holds nothing to miss: {err}"
    );
    assert_eq!(locations(&r).len(), 1);
    assert_eq!(r["stats"]["skipped_other"], 2, "{err}");
    assert!(err.contains("pipe: not a regular file"), "{err}");
    assert!(err.contains("dangling: broken symbolic link"), "{err}");
    // A FIFO named on the command line does not hang either.
    tenscan()
        .current_dir(d.path())
        .args(["scan", "pipe"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(0);
}

#[test]
fn stdin_is_scanned_with_dash() {
    let k = key();
    let out = tenscan()
        .args(["scan", "-", "-f", "json"])
        .write_stdin(format!("hello\nBASETEN key {k}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        locations(&json(&out.stdout)),
        vec![("<stdin>".into(), 2, 13, "baseten-api-key".into())]
    );
}

#[test]
fn usage_and_fatal_errors_exit_2() {
    let d = tree();
    tenscan()
        .current_dir(d.path())
        .args(["scan", "--bogus"])
        .assert()
        .code(2);
    tenscan()
        .current_dir(d.path())
        .args(["scan", "no/such/path"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/path"));
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-o", "no/such/dir/out.json"])
        .assert()
        .code(2);
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--format", "xml"])
        .assert()
        .code(2);
}

#[test]
fn output_file_is_written_whole() {
    let d = tree();
    write(d.path(), "a.txt", key());
    tenscan()
        .current_dir(d.path())
        .args(["scan", "a.txt", "-f", "json", "-o", "report.json"])
        .assert()
        .code(1)
        .stdout("");
    let r = json(&std::fs::read(d.path().join("report.json")).unwrap());
    assert_eq!(locations(&r).len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".tenscan-report")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn full_disk_for_output_is_a_fatal_error() {
    let d = tree();
    write(d.path(), "a.txt", key());
    tenscan()
        .current_dir(d.path())
        .args(["scan", "a.txt", "-f", "json", "-o", "/dev/full"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/full"));
}

#[cfg(unix)]
#[test]
fn piping_into_head_does_not_panic() {
    let d = tree();
    for i in 0..1000 {
        write(d.path(), &format!("f{i}.txt"), format!("{}\n", key()));
    }
    let bin = assert_cmd::cargo::cargo_bin("tenscan");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' scan . -f jsonl | head -n 1 >/dev/null; echo status=${{PIPESTATUS[0]:-x}}",
            bin.display()
        ))
        .current_dir(d.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn allow_comments_suppress_and_are_counted() {
    let d = tree();
    let text = format!(
        "a = '{}'  # tenscan:allow\n# tenscan:allow-next-line\nb = '{}'\nc = '{}'\n",
        key(),
        key(),
        key()
    );
    write(d.path(), "x.py", text);
    let (_, r, _) = scan_json(d.path(), &[]);
    assert_eq!(locations(&r).iter().map(|l| l.1).collect::<Vec<_>>(), [4]);
    assert_eq!(r["stats"]["suppressed"], 2);
}

#[test]
fn placeholders_need_show_placeholders_and_never_fail() {
    let d = tree();
    write(
        d.path(),
        "docs.md",
        "export BASETEN_API_KEY=abcdefgh.1234567890ABCDEFGHIJKL1234567890\n",
    );
    let (code, r, _) = scan_json(d.path(), &[]);
    assert_eq!((code, locations(&r).len()), (0, 0));
    assert_eq!(r["stats"]["placeholders_hidden"], 1);
    let (code, r, _) = scan_json(d.path(), &["--show-placeholders"]);
    assert_eq!(code, 0);
    assert_eq!(r["findings"][0]["confidence"], "low");
    assert_eq!(r["findings"][0]["placeholder"], true);
}

#[test]
fn reveal_shows_the_secret_and_nothing_else_does() {
    let d = tree();
    let k = key();
    let v = base62(24);
    write(
        d.path(),
        "cfg.env",
        format!("BASETEN_API_KEY={k}\nBASETEN_TRUSS_AUTH_API_KEY={v}\n"),
    );
    for format in ["pretty", "json", "jsonl", "sarif"] {
        let out = tenscan()
            .current_dir(d.path())
            .args(["scan", ".", "-f", format])
            .output()
            .unwrap();
        for s in [&k, &v] {
            let secret_part = if s.len() == 41 { &s[9..] } else { &s[6..] };
            assert!(
                !String::from_utf8_lossy(&out.stdout).contains(secret_part),
                "{format} leaked"
            );
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains(secret_part),
                "{format} leaked on stderr"
            );
        }
        let out = tenscan()
            .current_dir(d.path())
            .args(["scan", ".", "--reveal", "-f", format])
            .output()
            .unwrap();
        if format != "sarif" {
            assert!(
                String::from_utf8_lossy(&out.stdout).contains(&k),
                "{format} --reveal"
            );
        }
    }
}

#[test]
fn pretty_output_shows_masked_line_and_fix() {
    let d = tree();
    let k = key();
    write(d.path(), "settings.py", format!("\nBASETEN = \"{k}\"\n"));
    let out = tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", "."])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains(&format!("BASETEN = \"{}…\"", &k[..8])), "{s}");
    assert!(s.contains("settings.py:2:12"), "{s}");
    assert!(s.contains("revoke"), "{s}");
    assert!(!s.contains('\u{1b}'), "no colours off a terminal");
}

#[test]
fn threads_flag_gives_the_same_result() {
    let d = tree();
    for i in 0..50 {
        write(
            d.path(),
            &format!("d{}/f{i}.txt", i % 7),
            format!("x\n{}\n", key()),
        );
    }
    let (_, one, _) = scan_json(d.path(), &["-j", "1"]);
    let (_, many, _) = scan_json(d.path(), &["-j", "8"]);
    assert_eq!(locations(&one), locations(&many));
    assert_eq!(locations(&one).len(), 50);
}

#[test]
fn utf16_empty_and_odd_paths() {
    let d = tree();
    let k = key();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        format!("première ligne\r\nclé = {k}\r\n")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    write(d.path(), "windows.txt", utf16);
    write(d.path(), "empty.txt", "");
    write(
        d.path(),
        "with space/and\nnewline.txt",
        format!("{}\n", key()),
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(d.path().join(name), format!("{}\n", key())).unwrap();
    }
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    let mut found = locations(&r);
    found.sort();
    let expect_utf16 = (
        "windows.txt".to_string(),
        2,
        7,
        "baseten-api-key".to_string(),
    );
    assert!(found.contains(&expect_utf16), "{found:?}");
    assert!(
        found.iter().any(|f| f.0 == "with space/and\nnewline.txt"),
        "{found:?}"
    );
    #[cfg(unix)]
    assert!(found.iter().any(|f| f.0 == "caf\u{fffd}.txt"), "{found:?}");
    assert_eq!(r["stats"]["skipped_binary"], 0);
}

#[test]
fn symlink_loops_with_follow_do_not_hang() {
    let d = tree();
    write(d.path(), "a/file.txt", format!("{}\n", key()));
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.path(), d.path().join("a/loop")).unwrap();
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-L", "-f", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(locations(&json(&out.stdout)).len(), 1);
}

#[test]
fn big_and_long_files() {
    let d = tree();
    let k = key();
    // 10 MB on one line with the key near the end; a 30 MB file over the default limit.
    let mut line = "x=1;".repeat(2_500_000);
    line.push_str(&format!(" {k} "));
    write(d.path(), "one-line.js", &line);
    write(d.path(), "huge.log", vec![b'a'; 30 * 1024 * 1024]);
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(
        locations(&r),
        vec![(
            "one-line.js".into(),
            1,
            10_000_002,
            "baseten-api-key".into()
        )]
    );
    assert_eq!(r["stats"]["skipped_size"], 1);
    // The pretty excerpt of a 10 MB line stays short.
    let out = tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", "one-line.js"])
        .output()
        .unwrap();
    assert!(out.stdout.len() < 4000, "{}", out.stdout.len());
}

#[test]
fn a_hundred_thousand_tiny_files() {
    let d = tree();
    for i in 0..100_000 {
        let dir = d.path().join(format!("d{}", i % 100));
        if i < 100 {
            std::fs::create_dir(&dir).unwrap();
        }
        std::fs::write(dir.join(format!("f{i}")), "x\n").unwrap();
    }
    write(d.path(), "d7/key.txt", format!("{}\n", key()));
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(r["stats"]["files_scanned"], 100_001);
    assert_eq!(locations(&r).len(), 1);
}

#[cfg(unix)]
#[test]
fn sigint_mid_scan_leaves_no_report_claiming_success() {
    let d = tree();
    // Enough work to still be scanning when the signal arrives.
    for i in 0..40 {
        write(
            d.path(),
            &format!("big{i}.txt"),
            format!("{}\n", "see v1.2 of ab.cd and x.y ".repeat(200_000)),
        );
    }
    let bin = assert_cmd::cargo::cargo_bin("tenscan");
    let mut child = std::process::Command::new(bin)
        .current_dir(d.path())
        .args(["scan", ".", "-j", "1", "-f", "sarif", "-o", "out.sarif"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "exits promptly"
    );
    assert!(!status.success());
    assert!(
        !d.path().join("out.sarif").exists(),
        "no report that looks complete"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn permission_denied_files_and_directories_warn_and_are_counted() {
    use std::os::unix::fs::PermissionsExt;
    let d = tree();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(d.path(), "open.txt", format!("{}\n", key()));
    write(d.path(), "locked.txt", format!("{}\n", key()));
    write(d.path(), "lockeddir/inner.txt", format!("{}\n", key()));
    std::fs::set_permissions(
        d.path().join("locked.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(
        d.path().join("lockeddir"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // Root reads everything: run tenscan as `nobody` (a copy of the binary it can execute).
    let bin = d.path().join("tenscan-copy");
    std::fs::copy(assert_cmd::cargo::cargo_bin("tenscan"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    let out = cmd
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let r = json(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unreadable files make the scan incomplete: {err}"
    );
    assert_eq!(r["stats"]["incomplete"], true);
    assert_eq!(
        locations(&r).into_iter().map(|l| l.0).collect::<Vec<_>>(),
        ["open.txt"]
    );
    assert_eq!(r["stats"]["skipped_error"], 2, "{err}");
    assert!(err.contains("locked.txt: Permission denied"), "{err}");
    assert!(err.contains("lockeddir: Permission denied"), "{err}");
    std::fs::set_permissions(
        d.path().join("lockeddir"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

#[test]
fn files_truncated_or_deleted_during_the_scan_are_accounted_for() {
    // A writer truncates, rewrites and deletes files while tenscan scans them. Whatever the
    // timing, every file is either scanned or counted as unreadable, nothing panics, and the
    // exit code reflects only what was read.
    let d = tree();
    let names: Vec<String> = (0..50).map(|i| format!("churn{i}.txt")).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for n in &names {
        write(d.path(), n, "plain text\n".repeat(20_000));
    }
    let (dir, names2, stop2) = (d.path().to_path_buf(), names.clone(), stop.clone());
    let churn = std::thread::spawn(move || {
        let mut round = 0usize;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            let n = &names2[round % names2.len()];
            let p = dir.join(n);
            match round % 3 {
                0 => drop(
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(&p)
                        .and_then(|f| f.set_len(10)),
                ),
                1 => drop(std::fs::remove_file(&p)),
                _ => drop(std::fs::write(&p, "plain text\n".repeat(20_000))),
            }
            round += 1;
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    });
    for _ in 0..15 {
        let out = tenscan()
            .current_dir(d.path())
            .args(["scan", ".", "-f", "json", "-j", "2"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        let s = &json(&out.stdout)["stats"];
        let seen = s["files_scanned"].as_u64().unwrap() + s["skipped_error"].as_u64().unwrap();
        // Files deleted before the walk listed them are simply not there; each one listed
        // and then gone is one warning and one count.
        assert!(seen <= names.len() as u64, "{s}");
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
        assert_eq!(
            warnings.len() as u64,
            s["skipped_error"].as_u64().unwrap(),
            "{err}"
        );
        assert!(
            warnings
                .iter()
                .all(|w| w.contains("vanished during the scan")),
            "{err}"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}
