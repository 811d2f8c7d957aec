//! `tenscan revoke` against a scripted Baseten API on 127.0.0.1: dry runs, deletes, every
//! per-key outcome, the admin key's own safety rules, and input from reports and stdin.
mod common;
use common::fake_api::*;
use common::*;
use std::collections::HashMap;
use std::time::Duration;

/// A key list as `GET /v1/api_keys` gives it: (prefix, name, type, owner).
fn listing(keys: &[(&str, &str, &str, &str)]) -> Reply {
    let items: Vec<String> = keys
        .iter()
        .map(|(p, n, t, o)| {
            format!("{{\"prefix\":\"{p}\",\"name\":\"{n}\",\"type\":\"{t}\",\"owner\":\"{o}\",\"team_name\":\"ml\"}}")
        })
        .collect();
    Reply::Http(
        200,
        String::new(),
        format!("{{\"keys\":[{}]}}", items.join(",")),
    )
}

fn revoke(api: &FakeApi, admin: &str, args: &[&str]) -> (i32, String, String) {
    let out = tenscan()
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .env("BASETEN_ADMIN_API_KEY", admin)
        .arg("revoke")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn deletes(api: &FakeApi) -> Vec<String> {
    api.requests
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, p)| p.starts_with("DELETE "))
        .map(|(_, p)| p["DELETE /v1/api_keys/".len()..].to_string())
        .collect()
}

fn assert_no_secret(texts: &[&str], keys: &[&String]) {
    for t in texts {
        for k in keys {
            assert!(!t.contains(&k[9..]), "a secret leaked:\n{t}");
        }
    }
}

#[test]
fn a_dry_run_shows_the_key_as_baseten_lists_it_and_deletes_nothing() {
    let (admin, leaked) = (key(), key());
    let mut script: Script = HashMap::new();
    script.insert(
        (admin.clone(), "keys".into()),
        vec![listing(&[
            (
                &leaked[..8],
                "ci-deploy",
                "WORKSPACE_MANAGE_ALL",
                "alice@example.com",
            ),
            (
                &admin[..8],
                "admin",
                "WORKSPACE_MANAGE_API_KEYS",
                "sec@example.com",
            ),
        ])],
    );
    let api = serve(script);
    let (code, out, err) = revoke(&api, &admin, &[&leaked[..8]]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("dry run"), "{out}");
    let row = out.lines().find(|l| l.starts_with(&leaked[..8])).unwrap();
    assert!(row.contains("would be revoked"), "{out}");
    for shown in [
        "name ci-deploy",
        "type WORKSPACE_MANAGE_ALL (full)",
        "owner alice@example.com",
        "team ml",
    ] {
        assert!(out.contains(shown), "{shown} missing:\n{out}");
    }
    assert!(deletes(&api).is_empty(), "a dry run deleted something");
    assert_no_secret(&[&out, &err], &[&admin, &leaked]);
}

#[test]
fn yes_revokes_and_every_key_gets_its_own_outcome() {
    let admin = key();
    let k: Vec<String> = (0..6).map(|_| key()).collect();
    let p: Vec<&str> = k.iter().map(|k| &k[..8]).collect();
    let mut script: Script = HashMap::new();
    let listed: Vec<(&str, &str, &str, &str)> = [0, 1, 3, 4, 5]
        .iter()
        .map(|&i| (p[i], "key", "WORKSPACE_INVOKE", "bob@example.com"))
        .chain([(
            &admin[..8],
            "admin",
            "WORKSPACE_MANAGE_ALL",
            "sec@example.com",
        )])
        .collect();
    script.insert((admin.clone(), "keys".into()), vec![listing(&listed)]);
    let mut del = |i: usize, replies: Vec<Reply>| {
        script.insert((admin.clone(), format!("delete:{}", p[i])), replies);
    };
    del(
        0,
        vec![Reply::Http(
            200,
            String::new(),
            format!("{{\"prefix\":\"{}\"}}", p[0]),
        )],
    );
    del(1, vec![http(404)]);
    // 2 is not in the workspace.
    del(3, vec![http(403)]);
    del(
        4,
        vec![
            Reply::Http(429, "Retry-After: 1\r\n".into(), "{}".into()),
            Reply::Http(200, String::new(), "{}".into()),
        ],
    );
    del(5, vec![Reply::Slow(Duration::from_secs(5))]);
    let api = serve(script);
    let mut args: Vec<&str> = p.clone();
    args.push(&admin[..8]);
    args.extend(["--yes", "-f", "json", "--timeout", "1"]);
    let (code, out, err) = revoke(&api, &admin, &args);
    assert_eq!(code, 1, "not every key was revoked:\n{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(doc["dry_run"], false);
    let outcome = |prefix: &str| {
        doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["prefix"] == prefix)
            .map(|r| {
                (
                    r["outcome"].as_str().unwrap().to_string(),
                    r["ok"].as_bool().unwrap(),
                )
            })
            .unwrap()
    };
    assert_eq!(outcome(p[0]), ("revoked".into(), true));
    assert_eq!(outcome(p[1]), ("already-revoked".into(), true));
    assert_eq!(outcome(p[2]), ("not-found".into(), false));
    assert_eq!(outcome(p[3]), ("forbidden".into(), false));
    assert_eq!(outcome(p[4]), ("revoked".into(), true), "a 429 is retried");
    assert_eq!(
        outcome(p[5]),
        ("failed".into(), false),
        "a timeout is not a success"
    );
    assert_eq!(outcome(&admin[..8]), ("refused-admin-key".into(), false));
    let timeout = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prefix"] == p[5])
        .unwrap();
    assert!(
        timeout["message"].as_str().unwrap().contains("timed out"),
        "{timeout}"
    );
    let mut sent = deletes(&api);
    sent.sort();
    let mut expected: Vec<String> = [0, 1, 3, 4, 4, 5]
        .iter()
        .map(|&i| p[i].to_string())
        .collect();
    expected.sort();
    // 429 is retried; a timeout is not (the delete may have happened).
    assert_eq!(
        sent, expected,
        "deletes: never the admin key, never an unlisted prefix"
    );
    assert_no_secret(&[&out, &err], &k.iter().chain([&admin]).collect::<Vec<_>>());
}

#[test]
fn a_rejected_admin_key_revokes_nothing_and_says_why() {
    let (admin, leaked) = (key(), key());
    let mut script: Script = HashMap::new();
    script.insert((admin.clone(), "keys".into()), vec![http(403)]);
    let api = serve(script);
    let (code, out, _) = revoke(&api, &admin, &[&leaked[..8], "--yes"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("BASETEN_ADMIN_API_KEY may not list API keys (HTTP 403)"),
        "{out}"
    );
    assert!(out.contains("0 of 1 key(s) revoked"), "{out}");
    assert!(deletes(&api).is_empty());
}

#[test]
fn keys_from_a_masked_json_report_are_revoked_by_prefix() {
    let (admin, a, b) = (key(), key(), key());
    let d = tree();
    write(
        d.path(),
        "app/settings.py",
        format!("BASETEN_API_KEY = \"{a}\"\n"),
    );
    write(
        d.path(),
        "deploy/prom.yml",
        format!("authorization:\n  type: Api-Key\n  credentials: {b}\n"),
    );
    write(
        d.path(),
        "hooks.py",
        format!(
            "# Baseten async webhook\nWEBHOOK = 'whsec_{}'\n",
            base62(40)
        ),
    );
    let report = d.path().join("report.json");
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", "app", "deploy", "hooks.py", "-f", "json", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        !text.contains(&a[9..]) && !text.contains(&b[9..]),
        "the report is masked"
    );

    let mut script: Script = HashMap::new();
    script.insert(
        (admin.clone(), "keys".into()),
        vec![listing(&[
            (&a[..8], "web", "WORKSPACE_INVOKE", "ann@example.com"),
            (
                &b[..8],
                "metrics",
                "WORKSPACE_EXPORT_METRICS",
                "ops@example.com",
            ),
        ])],
    );
    for k in [&a, &b] {
        script.insert(
            (admin.clone(), format!("delete:{}", &k[..8])),
            vec![Reply::Http(200, String::new(), "{}".into())],
        );
    }
    let api = serve(script);
    let (code, out, err) = revoke(&api, &admin, &["--from", report.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 of 2 key(s) revoked"), "{out}");
    assert!(out.contains("found at app/settings.py:1"), "{out}");
    assert!(
        err.contains("1 finding(s)") && err.contains("not Baseten API keys"),
        "{err}"
    );
    let mut sent = deletes(&api);
    sent.sort();
    let mut want = vec![a[..8].to_string(), b[..8].to_string()];
    want.sort();
    assert_eq!(sent, want);
}

#[test]
fn whole_keys_on_stdin_that_are_not_listed_are_checked_themselves() {
    let (admin, dead, elsewhere) = (key(), key(), key());
    let mut script: Script = HashMap::new();
    script.insert((admin.clone(), "keys".into()), vec![listing(&[])]);
    // Baseten rejects `dead` itself (revoked already); `elsewhere` works in another workspace.
    script.insert((dead.clone(), "keys".into()), vec![http(401)]);
    script.insert(
        (elsewhere.clone(), "keys".into()),
        vec![list(&elsewhere[..8], "WORKSPACE_MANAGE_ALL")],
    );
    let api = serve(script);
    let out = tenscan()
        .env("TENSCAN_BASETEN_API_URL", &api.url)
        .env("BASETEN_ADMIN_API_KEY", &admin)
        .args(["revoke", "--yes", "-f", "json"])
        .write_stdin(format!("{dead}\n\n{elsewhere}\n"))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<&str> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["rejected-by-baseten", "live-elsewhere"]);
    assert!(deletes(&api).is_empty());
    assert_no_secret(
        &[&stdout, &String::from_utf8_lossy(&out.stderr)],
        &[&admin, &dead, &elsewhere],
    );
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let (admin, k) = (key(), key());
    let api = serve(HashMap::new());
    let run = |env_admin: Option<&str>, args: &[&str]| {
        let mut c = tenscan();
        c.env("TENSCAN_BASETEN_API_URL", &api.url)
            .env_remove("BASETEN_ADMIN_API_KEY");
        if let Some(a) = env_admin {
            c.env("BASETEN_ADMIN_API_KEY", a);
        }
        let out = c.arg("revoke").args(args).write_stdin("").output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, text) = run(None, &[&k[..8]]);
    assert_eq!(code, Some(2));
    assert!(text.contains("set BASETEN_ADMIN_API_KEY"), "{text}");
    let (code, text) = run(Some("not-a-key"), &[&k[..8]]);
    assert_eq!(code, Some(2));
    assert!(text.contains("is not a Baseten API key"), "{text}");
    let (code, text) = run(Some(&admin), &[&k]);
    assert_eq!(code, Some(2), "a whole key as an argument is refused");
    assert!(
        text.contains("whole API key") && !text.contains(&k[9..]),
        "{text}"
    );
    let (code, text) = run(Some(&admin), &["abc"]);
    assert_eq!(code, Some(2));
    assert!(text.contains("not a key prefix"), "{text}");
    let (code, text) = run(Some(&admin), &[]);
    assert_eq!(code, Some(2), "nothing on stdin");
    assert!(text.contains("no keys to revoke"), "{text}");
    assert!(api.requests.lock().unwrap().is_empty(), "nothing was sent");

    let out = tenscan()
        .env("TENSCAN_BASETEN_API_URL", "http://api.example.com")
        .env("BASETEN_ADMIN_API_KEY", &admin)
        .args(["revoke", &k[..8]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to send keys"));
}
