//! Precision on real code, recall for every spelling: code identifiers of the key's shape,
//! other services' `Api-Key` headers and references are not reported at medium or high; keys
//! written in any letter case are found; and every rule's keywords match in any case the
//! rule's regex accepts (so the prefilter can never hide a finding again).
mod common;
use common::*;
use proptest::prelude::*;
use std::path::PathBuf;
use tenscan::engine::{Counters, Engine, EngineOptions};
use tenscan::finding::Confidence;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/precision")
}

/// (file, rule, confidence) of every finding in the precision fixtures, placeholders shown.
fn scan_fixtures() -> Vec<(String, String, String)> {
    let out = tenscan()
        .current_dir(fixtures())
        .args([
            "scan",
            ".",
            "--config",
            "/dev/null",
            "--show-placeholders",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn identifiers_other_services_and_references_are_not_medium_or_high() {
    let found = scan_fixtures();
    let serious: Vec<_> = found.iter().filter(|f| f.2 != "low").collect();
    assert!(
        serious.is_empty(),
        "medium/high findings in code that holds no Baseten key: {serious:?}"
    );
    // The djangorestframework-api-key project's own key is still there, at low confidence.
    assert_eq!(
        found,
        vec![(
            "drf_settings.py".to_string(),
            "baseten-api-key".to_string(),
            "low".to_string()
        )]
    );
}

#[test]
fn keys_in_any_letter_case_are_found() {
    let d = tree();
    let v = base62(28);
    write(
        d.path(),
        "call.py",
        format!("# baseten model\nheaders = {{'Authorization': 'API-Key {v}'}}\n"),
    );
    write(
        d.path(),
        ".env",
        format!("BaseTen_API_KEY={}\n", base62(24)),
    );
    write(
        d.path(),
        "login.py",
        format!("Baseten.login('{}')\n", base62(24)),
    );
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json"])
        .output()
        .unwrap();
    let mut got: Vec<(String, String)> = json(&out.stdout)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![(".env".to_string(), "baseten-env-assignment".to_string()), ("call.py".to_string(), "baseten-api-key-header".to_string())],
        "`Baseten.login` is not the SDK's call (the regex is case-sensitive there), the other two are"
    );
}

fn flip(text: &str, mask: &[bool]) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask.get(i % mask.len().max(1)).copied().unwrap_or(false) {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Flip the case of any letters in a rule's examples: whenever the rule's own regex still
    /// matches the text, the engine (prefilter included) must still report a finding of it.
    #[test]
    fn keywords_match_in_every_case_the_regex_accepts(mask in proptest::collection::vec(any::<bool>(), 1..17)) {
        for rule in tenscan::rules::builtin() {
            let engine = Engine::new(vec![rule.clone()], EngineOptions { decode: true, show_placeholders: true, ..Default::default() });
            for ex in &rule.spec.examples {
                let text = flip(ex.text(), &mask);
                let regex_matches = rule.regex.captures_iter(text.as_bytes()).any(|c| rule.secret_span(&c).is_some_and(|s| {
                    let secret = &text.as_bytes()[s];
                    !matches!(rule.requirements.judge(secret), tenscan::checks::Verdict::Reject(_))
                }));
                if regex_matches {
                    let found = engine.findings(text.as_bytes(), ex.path(), &Counters::default());
                    prop_assert!(!found.is_empty(), "{}: the prefilter hid {:?}", rule.id(), text);
                }
            }
        }
    }
}

#[test]
fn a_key_shaped_value_in_a_drf_file_is_low_and_elsewhere_medium() {
    let e = Engine::new(tenscan::rules::builtin(), EngineOptions::default());
    let k = key();
    let drf = format!("from rest_framework_api_key.models import APIKey\nKEY = '{k}'\n");
    let f = e.findings(drf.as_bytes(), "app/settings.py", &Counters::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].confidence, Confidence::Low);
    let plain = format!("KEY = '{k}'\n");
    assert_eq!(
        e.findings(plain.as_bytes(), "app/settings.py", &Counters::default())[0].confidence,
        Confidence::Medium
    );
}
