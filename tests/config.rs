//! `.tenscan.toml`: allowlists, disabled rules, strict parsing with located errors.
mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn allowlisted_paths_regexes_and_stopwords_are_suppressed_and_counted() {
    let d = tree();
    let k = key();
    write(d.path(), "tests/fixtures/a.txt", key());
    write(d.path(), "b.txt", format!("{}\n", k));
    write(
        d.path(),
        "c.txt",
        format!("BASETEN_API_KEY=sk{}dummy\n", base62(20)),
    );
    write(d.path(), "d.txt", format!("{}\n", key()));
    write(
        d.path(),
        ".tenscan.toml",
        format!("[allowlist]\npaths = [\"tests/fixtures/**\"]\nregexes = ['^{}']\nstopwords = [\"DUMMY\"]\n", &k[..12]),
    );
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    assert_eq!(
        locations(&r).into_iter().map(|l| l.0).collect::<Vec<_>>(),
        ["d.txt"]
    );
    assert_eq!(r["stats"]["suppressed"], 3);
}

#[test]
fn disabled_rules_and_explicit_config() {
    let d = tree();
    write(
        d.path(),
        "x.env",
        format!("BASETEN_API_KEY={}\n", base62(24)),
    );
    write(
        d.path(),
        "my.toml",
        "[rules]\ndisable = [\"baseten-env-assignment\"]\n",
    );
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--config", "my.toml"])
        .assert()
        .code(0);
    tenscan()
        .current_dir(d.path())
        .args(["scan", "."])
        .assert()
        .code(1);
    write(
        d.path(),
        "bad.toml",
        "[rules]\ndisable = [\"no-such-rule\"]\n",
    );
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--config", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
}

#[test]
fn invalid_config_points_at_line_and_column() {
    let d = tree();
    write(
        d.path(),
        ".tenscan.toml",
        "[allowlist]\npaths = [\"a\"]\nregexs = [\"x\"]\n",
    );
    tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `regexs`"))
        .stderr(predicate::str::contains(".tenscan.toml:3:1"));
    write(
        d.path(),
        ".tenscan.toml",
        "[allowlist]\nregexes = [\"(unclosed\"]\n",
    );
    tenscan()
        .current_dir(d.path())
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad regex"));
    write(d.path(), ".tenscan.toml", "[report]\nmin_confidence = 3\n");
    tenscan()
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["scan", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".tenscan.toml:2:18"));
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--config", "missing.toml"])
        .assert()
        .code(2);
}

#[test]
fn extra_rules_in_config_run_like_builtins() {
    let d = tree();
    let v = base62(30);
    write(d.path(), "app.txt", format!("internal_token: tkn_{v}\n"));
    write(
        d.path(),
        ".tenscan.toml",
        "[[rules.extra]]\nid = \"internal-token\"\ndescription = \"Internal token\"\nseverity = \"high\"\nregex = '''\\b(tkn_[A-Za-z0-9]{30})\\b'''\nkeywords = [\"tkn_\"]\n",
    );
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        locations(&json(&out.stdout)),
        vec![("app.txt".into(), 1, 17, "internal-token".into())]
    );
}

#[test]
fn min_confidence_drops_bare_keys() {
    let d = tree();
    write(d.path(), "bare.txt", format!("{}\n", key()));
    tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "--min-confidence", "high"])
        .assert()
        .code(0);
    tenscan()
        .current_dir(d.path())
        .args(["scan", "."])
        .assert()
        .code(1);
}

#[test]
fn init_writes_a_config_that_loads() {
    let d = tree();
    tenscan()
        .current_dir(d.path())
        .args(["init"])
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(d.path().join(".tenscan.toml"))
        .unwrap()
        .contains("[allowlist]"));
    tenscan()
        .current_dir(d.path())
        .args(["scan", "."])
        .assert()
        .code(0);
    tenscan()
        .current_dir(d.path())
        .args(["init"])
        .assert()
        .code(2);
    tenscan()
        .current_dir(d.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
}
