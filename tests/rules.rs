//! Every rule's examples and negative examples through the real engine, and the `rules`
//! subcommands users run on their own rule files.
mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn builtin_rule_examples_behave() {
    let rules = tenscan::rules::builtin();
    assert!(rules.len() >= 10);
    let failures: Vec<String> = rules
        .iter()
        .flat_map(tenscan::examples::check)
        .map(|f| f.to_string())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    for r in &rules {
        assert!(
            !r.spec.examples.is_empty() && !r.spec.negative_examples.is_empty(),
            "{} needs examples of both kinds",
            r.spec.id
        );
    }
}

#[test]
fn every_positive_example_is_found_by_the_full_rule_set() {
    // With all rules together, overlapping hits collapse to one: still found, by some rule.
    let engine = tenscan::engine::Engine::new(tenscan::rules::builtin(), Default::default());
    let counters = Default::default();
    for r in engine.rules() {
        for ex in &r.spec.examples {
            assert!(
                !engine
                    .findings(ex.text().as_bytes(), ex.path(), &counters)
                    .is_empty(),
                "{}: {:?}",
                r.spec.id,
                ex.path()
            );
        }
    }
}

#[test]
fn rules_check_cli_passes_on_builtins_and_fails_on_a_broken_rule() {
    tenscan()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok   baseten-api-key"));
    let d = tree();
    let k = key();
    write(
        d.path(),
        "mine.toml",
        format!(
            "id = \"my-rule\"\ndescription = \"d\"\nseverity = \"high\"\nregex = '''token=([0-9]+)'''\nexamples = [\"token={k}\"]\nnegative_examples = [\"token=90817263549\"]\n"
        ),
    );
    tenscan()
        .current_dir(d.path())
        .args(["rules", "check", "mine.toml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "my-rule: example #1 was not found",
        ))
        .stdout(predicate::str::contains("negative example #1 was reported"));
    write(
        d.path(),
        "bad.toml",
        "id = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nregex = '''(unclosed'''\n",
    );
    tenscan()
        .current_dir(d.path())
        .args(["rules", "check", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid regex regex"));
    write(
        d.path(),
        "typo.toml",
        "id = \"x\"\ndescription = \"d\"\nseverity = \"high\"\nregex = '''(a)'''\nkeywrods = []\n",
    );
    tenscan()
        .current_dir(d.path())
        .args(["rules", "check", "typo.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("keywrods"));
}

#[test]
fn rules_list_shows_ids() {
    tenscan()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("baseten-api-key"))
        .stdout(predicate::str::contains("truss-config-secret"));
}

#[test]
fn where_keys_hide() {
    // One file per place the credentials doc lists, each with a generated key.
    let d = tree();
    let (k, v) = (key(), base62(28));
    let cases = [
        (".trussrc", format!("[baseten]\nremote_provider = baseten\napi_key = {v}\nremote_url = https://app.baseten.co\n"), "baseten-trussrc"),
        ("home/.config/baseten/auth.json", format!("{{\"profiles\":{{\"default\":{{\"api_key\":\"{v}\"}}}}}}"), "baseten-cli-auth-json"),
        ("docker-compose.yml", format!("services:\n  app:\n    environment:\n      - BASETEN_API_KEY={v}\n"), "baseten-env-assignment"),
        ("main.tf", format!("variable \"x\" {{}}\nbaseten_api_key = \"{v}\"\n"), "baseten-env-assignment"),
        ("prometheus.yml", format!("scrape_configs:\n  - job_name: baseten\n    authorization:\n      type: \"Api-Key\"\n      credentials: \"{v}\"\n"), "baseten-api-key-header"),
        ("deploy.sh", format!("truss login --api-key {v}\n"), "baseten-login-call"),
        ("nb.py", format!("import baseten\nbaseten.login(\"{v}\")\n"), "baseten-login-call"),
        ("curl.sh", format!("curl -H 'Authorization: Bearer {v}' https://model-x.api.baseten.co/production/predict\n"), "baseten-bearer-token"),
        ("ci.yaml", format!("env:\n  KEY: {k}\n"), "baseten-api-key"),
    ];
    for (path, text, _) in &cases {
        write(d.path(), path, text);
    }
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json", "--no-ignore"])
        .output()
        .unwrap();
    let found = locations(&json(&out.stdout));
    for (path, _, rule) in &cases {
        assert!(
            found
                .iter()
                .any(|f| f.0.ends_with(path.trim_start_matches("home/")) && &f.3 == rule),
            "{path}: {found:?}"
        );
    }
    assert_eq!(found.len(), cases.len(), "{found:#?}");
}
