//! Secret hygiene: plant keys, run every command in every format (and error paths), and check
//! that no full key shows up anywhere without --reveal.
mod common;
use common::*;

fn all_output(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_command_or_format_leaks_a_key() {
    let d = tree();
    let p = d.path();
    git_init(p);
    let (k1, k2, v) = (key(), key(), base62(30));
    write(p, "committed.py", format!("import baseten\nKEY = '{k1}'\n"));
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "c"]);
    write(p, "staged.env", format!("BASETEN_API_KEY={v}\n"));
    git(p, &["add", "staged.env"]);
    write(p, "worktree.txt", format!("Authorization: Api-Key {k2}\n"));
    let secrets = [&k1[9..], &k2[9..], &v[4..]];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = format!("http://127.0.0.1:{port}");
    let head = git(p, &["rev-parse", "HEAD"]).trim().to_string();
    let zero = "0".repeat(40);
    let mut runs: Vec<(Vec<String>, Option<String>)> = vec![];
    for format in ["pretty", "json", "jsonl", "sarif"] {
        runs.push((
            vec!["scan".into(), ".".into(), "-f".into(), format.into()],
            None,
        ));
        runs.push((vec!["history".into(), "-f".into(), format.into()], None));
        runs.push((vec!["staged".into(), "-f".into(), format.into()], None));
        runs.push((
            vec![
                "scan".into(),
                ".".into(),
                "--verify".into(),
                "-f".into(),
                format.into(),
            ],
            None,
        ));
        runs.push((
            vec![
                "history".into(),
                "--show-placeholders".into(),
                "--all-occurrences".into(),
                "-f".into(),
                format.into(),
            ],
            None,
        ));
    }
    runs.push((
        vec!["hook".into(), "pre-push".into()],
        Some(format!("refs/heads/main {head} refs/heads/main {zero}\n")),
    ));
    runs.push((vec!["verify".into()], Some(format!("{k1}\n{v}\n"))));
    runs.push((
        vec!["verify".into(), k2.clone(), "-f".into(), "json".into()],
        None,
    ));
    runs.push((
        vec![
            "scan".into(),
            ".".into(),
            "--write-baseline".into(),
            "base.toml".into(),
        ],
        None,
    ));
    runs.push((
        vec![
            "scan".into(),
            ".".into(),
            "-o".into(),
            "out.sarif".into(),
            "-f".into(),
            "sarif".into(),
        ],
        None,
    ));
    runs.push((
        vec![
            "scan".into(),
            ".".into(),
            "-o".into(),
            "/no/such/dir/x".into(),
        ],
        None,
    ));
    runs.push((
        vec![
            "scan".into(),
            ".".into(),
            "--config".into(),
            "bad.toml".into(),
        ],
        None,
    ));
    runs.push((
        vec!["baseline".into(), "prune".into(), "base.toml".into()],
        None,
    ));
    write(
        p,
        "bad.toml",
        format!("[allowlist]\nregexes = [\"({k1}\"]\n"),
    );
    for (args, stdin) in &runs {
        let mut cmd = tenscan();
        cmd.current_dir(p)
            .env("TENSCAN_BASETEN_API_URL", &api)
            .args(args);
        if let Some(input) = stdin {
            cmd.write_stdin(input.clone());
        }
        let out = cmd.output().unwrap();
        let text = all_output(&out);
        assert!(!text.contains("panicked"), "{args:?}: {text}");
        for s in secrets {
            // The bad config quotes the user's own regex back; that is the config, not a finding.
            if args.contains(&"bad.toml".to_string()) && s == &k1[9..] {
                continue;
            }
            assert!(!text.contains(s), "{args:?} printed a secret");
        }
    }
    for file in ["base.toml", "out.sarif"] {
        let text = std::fs::read_to_string(p.join(file)).unwrap();
        for s in secrets {
            assert!(!text.contains(s), "{file} holds a secret");
        }
    }
    // And --reveal does show them (the check above would catch a renamed field).
    let out = tenscan()
        .current_dir(p)
        .args(["scan", ".", "--reveal", "-f", "json"])
        .output()
        .unwrap();
    assert!(all_output(&out).contains(&k2));
}
