//! Golden reports: every format on the fixture tree, pinned by snapshots; SARIF validated
//! against the official 2.1.0 schema.
mod common;
use common::*;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/report")
}

fn run(format: &str) -> (i32, String) {
    let out = tenscan()
        .current_dir(fixture())
        .env("NO_COLOR", "1")
        .args(["scan", ".", "-j", "2", "-f", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn stable(s: &str) -> String {
    regex::Regex::new(r#"(\d+ ms|"duration_ms": \d+)"#)
        .unwrap()
        .replace_all(s, "[duration]")
        .into_owned()
}

#[test]
fn json_report() {
    let (code, out) = run("json");
    assert_eq!(code, 1);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn jsonl_report() {
    let (_, out) = run("jsonl");
    assert_eq!(out.lines().count(), 4);
    insta::assert_snapshot!(out);
}

#[test]
fn pretty_report() {
    let (_, out) = run("pretty");
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn sarif_report() {
    let (_, out) = run("sarif");
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    let (_, out) = run("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // GitHub's own requirements on top of the schema.
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in rules {
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=10.0).contains(&sev));
        assert!(r["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&"security".into()));
        assert!(r["help"]["text"].as_str().is_some());
    }
    for res in run["results"].as_array().unwrap() {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"].get("snippet").is_none());
        assert!(res["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    // Every made-up key of the fixture stays masked.
    for secret in [
        "BcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn",
        "2wMqZcUDIh7yfJs1ON43xKmTecQoXsf2",
        "AblV7vY7AZQ3VZprkYSgy3c2Eom06",
    ] {
        assert!(!out.contains(secret));
    }
}
