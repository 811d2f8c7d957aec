//! Verification against a scripted Baseten API served on 127.0.0.1 by the test itself.
mod common;
use common::fake_api::*;
use common::*;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

#[test]
fn every_outcome_is_classified_and_each_key_is_sent_once() {
    let k: Vec<String> = (0..11).map(|_| key()).collect();
    let mut script: Script = HashMap::new();
    let mut add = |i: usize, ep: &'static str, replies: Vec<Reply>| {
        script.insert((k[i].clone(), ep.to_string()), replies);
    };
    add(0, "keys", vec![list(&k[0][..8], "WORKSPACE_MANAGE_ALL")]);
    add(1, "keys", vec![list(&k[1][..8], "WORKSPACE_INVOKE")]);
    add(2, "keys", vec![http(401)]);
    add(3, "keys", vec![http(403)]);
    add(
        3,
        "me",
        vec![Reply::Http(
            200,
            "".into(),
            "{\"user_id\":\"u\",\"email\":\"e@x\",\"workspace_name\":\"w\"}".into(),
        )],
    );
    add(4, "keys", vec![http(403)]);
    add(4, "me", vec![http(403)]);
    add(
        4,
        "metrics",
        vec![Reply::Http(200, "".into(), "# HELP x\nx 1\n".into())],
    );
    add(5, "keys", vec![http(403)]);
    add(5, "me", vec![http(403)]);
    add(5, "metrics", vec![http(403)]);
    add(
        6,
        "keys",
        vec![
            Reply::Http(429, "Retry-After: 1\r\n".into(), "{}".into()),
            list(&k[6][..8], "WORKSPACE_MANAGE_API_KEYS"),
        ],
    );
    add(7, "keys", vec![http(500)]);
    add(8, "keys", vec![Reply::Slow(Duration::from_secs(4))]);
    add(
        9,
        "keys",
        vec![Reply::Http(200, "".into(), "{not json".into())],
    );
    add(10, "keys", vec![Reply::Reset]);
    let api = serve(script);

    let d = tree();
    for (i, key) in k.iter().enumerate() {
        write(d.path(), &format!("a/{i}.txt"), format!("{key}\n"));
        write(d.path(), &format!("b/{i}.txt"), format!("again {key}\n"));
    }
    write(
        d.path(),
        ".tenscan.toml",
        "[verify]\ntimeout_secs = 2\nbudget_secs = 60\n",
    );
    let out = tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .env("TENSCAN_BASETEN_METRICS_URL", &api.url)
        .args(["scan", ".", "--verify", "-f", "json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for key in &k {
        assert!(
            !stdout.contains(&key[9..]) && !stderr.contains(&key[9..]),
            "a key leaked"
        );
    }
    let r = json(&out.stdout);
    let status = |i: usize| -> (String, Option<String>, String) {
        let f = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == format!("a/{i}.txt"))
            .unwrap();
        let v = &f["verification"];
        (
            v["status"].as_str().unwrap().into(),
            v["scope"].as_str().map(Into::into),
            v["reason"].as_str().unwrap_or("").into(),
        )
    };
    assert_eq!(status(0), ("live".into(), Some("full".into()), "".into()));
    assert_eq!(status(1).1.as_deref(), Some("invoke"));
    assert_eq!(status(2).0, "invalid");
    assert_eq!(
        status(3),
        ("live".into(), Some("personal".into()), "".into())
    );
    assert_eq!(
        status(4),
        ("live".into(), Some("metrics".into()), "".into())
    );
    assert_eq!(status(5).0, "unknown");
    assert!(status(5).2.contains("403"));
    assert_eq!(
        status(6),
        ("live".into(), Some("manage-keys".into()), "".into())
    );
    assert_eq!(status(7).0, "unknown");
    assert!(status(7).2.contains("500"), "{:?}", status(7));
    assert_eq!(status(8).0, "unknown");
    assert!(status(8).2.contains("timed out"), "{:?}", status(8));
    assert_eq!(status(9).0, "unknown");
    assert!(status(9).2.contains("not JSON"), "{:?}", status(9));
    assert_eq!(status(10).0, "unknown");
    assert_eq!(out.status.code(), Some(1));

    // Each distinct key went to /v1/api_keys once (plus retries), never once per file.
    let reqs = api.requests.lock().unwrap().clone();
    let count = |i: usize| {
        reqs.iter()
            .filter(|(key, p)| key == &k[i] && p == "/v1/api_keys")
            .count()
    };
    for i in [0, 1, 2, 3, 4, 5, 8, 9, 10] {
        assert_eq!(count(i), 1, "key {i}");
    }
    assert_eq!(count(6), 2, "one 429 then the retry");
    assert_eq!(count(7), 4, "500, then three retries");
    assert!(
        reqs.iter()
            .all(|(_, p)| ["/v1/api_keys", "/v1/users/me", "/metrics"].contains(&p.as_str())),
        "read-only endpoints only: {reqs:?}"
    );

    // SARIF levels follow the verification.
    let out = tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .env("TENSCAN_BASETEN_METRICS_URL", &api.url)
        .args(["scan", "a/2.txt", "a/0.txt", "--verify", "-f", "sarif"])
        .output()
        .unwrap();
    let s = json(&out.stdout);
    let results = s["runs"][0]["results"].as_array().unwrap();
    let level = |p: &str| {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == p)
            .unwrap()["level"]
            .clone()
    };
    assert_eq!(level("a/0.txt"), "error");
    assert_eq!(level("a/2.txt"), "note");
}

#[test]
fn pretty_output_says_live_and_how_to_revoke_and_fail_on_controls_exit() {
    let (live, dead) = (key(), key());
    let mut script: Script = HashMap::new();
    script.insert(
        (live.clone(), "keys".into()),
        vec![list(&live[..8], "WORKSPACE_MANAGE_ALL")],
    );
    script.insert((dead.clone(), "keys".into()), vec![http(401)]);
    let api = serve(script);
    let d = tree();
    write(d.path(), "live.txt", format!("{live}\n"));
    write(d.path(), "dead.txt", format!("{dead}\n"));
    let run = |args: &[&str]| {
        tenscan()
            .current_dir(d.path())
            .env("NO_COLOR", "1")
            .env("TENSCAN_BASETEN_API_URL", &api.url)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["scan", "live.txt", "--verify"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("LIVE key with full access"), "{s}");
    assert!(
        s.contains(&format!("tenscan revoke {} --yes", &live[..8])),
        "{s}"
    );
    assert!(s.contains("https://app.baseten.co/settings/api_keys"));
    // Invalid keys are reported but do not fail by default; --fail-on any makes them fail.
    assert_eq!(
        run(&["scan", "dead.txt", "--verify"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["scan", "dead.txt", "--verify", "--fail-on", "any"])
            .status
            .code(),
        Some(1)
    );
    let out = run(&["scan", ".", "--only-verified", "-f", "json"]);
    assert_eq!(
        locations(&json(&out.stdout))
            .into_iter()
            .map(|l| l.0)
            .collect::<Vec<_>>(),
        ["live.txt"]
    );
    // `tenscan verify` with keys on stdin.
    let out = tenscan()
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .args(["verify", "-f", "json"])
        .write_stdin(format!("{live}\n{dead}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    assert_eq!(v[0]["verification"]["status"], "live");
    assert_eq!(v[1]["verification"]["status"], "invalid");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&live[9..]));
}

#[test]
fn refused_connections_and_unsafe_urls() {
    let d = tree();
    let k = key();
    write(d.path(), "k.txt", format!("{k}\n"));
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tenscan()
        .current_dir(d.path())
        .env(
            "TENSCAN_BASETEN_API_URL",
            format!("http://127.0.0.1:{port}"),
        )
        .args(["scan", ".", "--verify", "-f", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(r["findings"][0]["verification"]["status"], "unknown");
    assert_eq!(out.status.code(), Some(1), "unknown still fails by default");
    for url in [
        "http://api.example.com",
        "http://192.168.1.10:8080",
        "ftp://127.0.0.1",
    ] {
        let out = tenscan()
            .current_dir(d.path())
            .env("TENSCAN_BASETEN_API_URL", url)
            .args(["scan", ".", "--verify"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("refusing"),
            "{url}"
        );
    }
    // Without --verify nothing is sent anywhere, whatever the environment says.
    tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", "http://api.example.com")
        .args(["scan", "."])
        .assert()
        .code(1);
}

#[test]
fn server_going_away_mid_run_gives_unknown_not_a_hang() {
    let (a, b) = (key(), key());
    // Answers one request, then stops listening.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let req = String::from_utf8_lossy(&buf[..n]).into_owned();
        let key = req
            .lines()
            .find_map(|l| l.split_once("Api-Key ").map(|(_, k)| k.trim().to_string()))
            .unwrap_or_default();
        let body = format!(
            "{{\"keys\":[{{\"prefix\":\"{}\",\"type\":\"WORKSPACE_INVOKE\"}}]}}",
            &key[..8.min(key.len())]
        );
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        drop(listener);
    });
    let d = tree();
    write(d.path(), "a.txt", format!("{a}\n"));
    write(d.path(), "b.txt", format!("{b}\n"));
    write(
        d.path(),
        ".tenscan.toml",
        "[verify]\nconcurrency = 1\ntimeout_secs = 2\nbudget_secs = 30\n",
    );
    let out = tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", &url)
        .args(["scan", ".", "--verify", "-f", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    server.join().unwrap();
    let r = json(&out.stdout);
    let mut statuses: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verification"]["status"].as_str().unwrap().to_string())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["live", "unknown"], "{r}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn redirects_are_never_followed_and_a_repository_cannot_raise_the_limits() {
    let (k1, k2, k3) = (key(), key(), key());
    // Where a redirect would lead: a server that would call the key live, or invalid.
    let mut elsewhere: Script = HashMap::new();
    elsewhere.insert(
        (k1.clone(), "keys".into()),
        vec![list(&k1[..8], "WORKSPACE_MANAGE_ALL")],
    );
    elsewhere.insert((k2.clone(), "keys".into()), vec![http(401)]);
    let elsewhere = serve(elsewhere);
    let mut script: Script = HashMap::new();
    for k in [&k1, &k2] {
        script.insert(
            (k.clone(), "keys".into()),
            vec![Reply::Http(
                302,
                format!("Location: {}/v1/api_keys\r\n", elsewhere.url),
                String::new(),
            )],
        );
    }
    // Only the API URL is overridden: the metrics probe must go there, not to Baseten.
    script.insert((k3.clone(), "keys".into()), vec![http(403)]);
    script.insert((k3.clone(), "me".into()), vec![http(403)]);
    script.insert(
        (k3.clone(), "metrics".into()),
        vec![Reply::Http(200, String::new(), "# metrics\n".into())],
    );
    let api = serve(script);
    let d = tree();
    write(d.path(), "keys.txt", format!("{k1}\n{k2}\n{k3}\n"));
    // A repository's own config may lower the limits, never raise them (nor overflow them).
    write(d.path(), ".tenscan.toml", "[verify]\nconcurrency = 100000000000\ntimeout_secs = 9223372036854775807\nbudget_secs = 9223372036854775807\n");
    let out = tenscan()
        .current_dir(d.path())
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .env_remove("TENSCAN_BASETEN_METRICS_URL")
        .args(["scan", ".", "--verify", "-f", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    let r = json(&out.stdout);
    let v = |line: u64| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["line"] == line)
            .unwrap()["verification"]
            .clone()
    };
    assert_eq!(
        v(1)["status"],
        "unknown",
        "a redirect proves nothing: {}",
        v(1)
    );
    assert!(v(1)["reason"].as_str().unwrap().contains("redirect"));
    assert_eq!(
        v(2)["status"],
        "unknown",
        "not invalid because some other host said 401"
    );
    assert_eq!(v(3)["status"], "live");
    assert_eq!(v(3)["scope"], "metrics");
    assert!(
        elsewhere.requests.lock().unwrap().is_empty(),
        "the redirect target was contacted"
    );
    assert!(api
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|(_, p)| p == "/metrics"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "unknown keys fail the run by default"
    );
}
