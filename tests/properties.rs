//! Property tests: generated keys in generated surroundings are always found at the right
//! place; masks never reveal more than the public prefix; fingerprints ignore line moves;
//! placeholders never pass as secrets.
use proptest::prelude::*;
use tenscan::engine::{Counters, Engine, EngineOptions};
use tenscan::report::mask::mask;

fn engine() -> Engine {
    Engine::new(
        tenscan::rules::builtin(),
        EngineOptions {
            decode: true,
            ..Default::default()
        },
    )
}

const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random-looking key: mixed classes, no long runs (as real keys are).
fn key_strategy() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(0usize..62, 8),
        proptest::collection::vec(0usize..62, 32),
    )
        .prop_map(|(p, s)| {
            let p: String = p.into_iter().map(|i| B62[i] as char).collect();
            let s: String = s.into_iter().map(|i| B62[i] as char).collect();
            format!("{p}.{s}")
        })
        .prop_filter("looks random", |k| {
            let b = k.as_bytes();
            tenscan::checks::placeholder_reason(b).is_none()
                && tenscan::checks::class_transition_ratio(b) > 0.45
                && b.iter().any(|c| c.is_ascii_uppercase())
                && b.iter().any(|c| c.is_ascii_lowercase())
        })
}

/// Text around the key: lines of words, code and punctuation, never token characters right
/// next to the key.
fn filler() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("let x = 1;".to_string()),
            Just("# comment".to_string()),
            Just("".to_string()),
            Just("  \"name\": \"value\",".to_string()),
            Just("données: élève ✓".to_string()),
            "[a-z ]{0,40}".prop_map(|s| s),
        ],
        0..6,
    )
    .prop_map(|lines| lines.join("\n"))
}

fn wrap() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        Just(("key = \"".to_string(), "\"".to_string())),
        Just(("KEY=".to_string(), "".to_string())),
        Just((
            "headers: {Authorization: 'Api-Key ".to_string(),
            "'}".to_string()
        )),
        Just(("- ".to_string(), " # prod".to_string())),
        Just(("(".to_string(), ")".to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn embedded_keys_are_found_at_their_line_and_column(
        key in key_strategy(), before in filler(), after in filler(), (pre, post) in wrap(), crlf in any::<bool>()
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let before = before.replace('\n', nl);
        let text = format!("{before}{nl}{pre}{key}{post}{nl}{}", after.replace('\n', nl));
        let line = before.matches('\n').count() + 2;
        let column = pre.chars().count() + 1;
        let found = engine().findings(text.as_bytes(), "f.txt", &Counters::default());
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        let f = &found[0];
        prop_assert_eq!((f.line, f.column, f.end_column), (line, column, column + 41));
        prop_assert_eq!(f.secret.expose(), key.as_str());
        let shown = tenscan::report::shown_secret(f, false);
        prop_assert!(!shown.contains(&key[8..]));
    }

    #[test]
    fn masks_never_reveal_more_than_the_public_prefix(secret in "[ -~]{0,80}", reveal in 0usize..20) {
        let m = mask(&secret, reveal);
        let shown = m.trim_end_matches('…');
        prop_assert!(shown.chars().count() <= 8);
        prop_assert!(shown.chars().count() <= secret.chars().count() / 4);
        prop_assert!(secret.starts_with(shown));
    }

    #[test]
    fn fingerprints_survive_line_moves(key in key_strategy(), a in filler(), b in filler()) {
        let e = engine();
        let c = Counters::default();
        let one = format!("{a}\nk = '{key}'\n");
        let two = format!("{b}\n\n\n   k = '{key}'\n{a}");
        let f1 = e.findings(one.as_bytes(), "p", &c);
        let f2 = e.findings(two.as_bytes(), "p", &c);
        prop_assert_eq!(&f1[0].fingerprint, &f2[0].fingerprint);
        prop_assert!(!f1[0].fingerprint.contains(&key[9..20]));
    }

    #[test]
    fn placeholders_never_pass(start in 0u8..20, rep in "[a-zA-Z0-9]", word in prop::sample::select(vec!["EXAMPLE", "example", "YOUR", "xxxx", "dummy", "changeme"])) {
        let ascending: String = (0..32).map(|i| B62[((start as usize) + i) % 26] as char).collect();
        let repeated = rep.repeat(32);
        let worded = format!("{word}{}", "Ab1".repeat(10))[..32].to_string();
        for secret in [ascending, repeated, worded] {
            let text = format!("BASETEN_API_KEY=Xy7Kq2Mn.{secret}\n");
            let found = engine().findings(text.as_bytes(), "p", &Counters::default());
            prop_assert!(found.is_empty(), "{}", text);
        }
    }
}

/// Inputs the fuzzers once crashed on (`fixtures/fuzz/`): the whole engine, every path and
/// every excerpt, without a panic.
#[test]
fn former_fuzz_crashes_stay_fixed() {
    let e = engine();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz");
    for f in std::fs::read_dir(dir).unwrap().flatten() {
        let data = std::fs::read(f.path()).unwrap();
        for path in ["f.txt", "n.ipynb", ".trussrc", "config.yaml"] {
            for finding in e.findings(&data, path, &Counters::default()) {
                let r = finding
                    .excerpt
                    .render(&tenscan::report::shown_secret(&finding, false), false);
                assert!(r.label.end <= r.text.len());
            }
        }
    }
}

/// Text made of runs of letters and digits of every length around 8 and 32, dots, and other
/// separators: the shapes where an anchored scan could disagree with a full one.
fn dotted_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[A-Za-z0-9]{1,12}",
            "[A-Za-z0-9]{28,36}",
            Just(".".to_string()),
            Just("..".to_string()),
            Just("_".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("é".to_string()),
            key_strategy(),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Rules with an anchor find exactly what a full pass of their regex finds.
    #[test]
    fn anchored_rules_agree_with_a_full_regex_pass(text in dotted_text()) {
        for rule in tenscan::rules::builtin().into_iter().filter(|r| r.spec.anchor.is_some()) {
            let mut anchored = vec![];
            rule.secret_spans(text.as_bytes(), &mut anchored);
            prop_assert_eq!(anchored, rule.secret_spans_unanchored(text.as_bytes()), "{}: {:?}", rule.id(), text);
        }
    }
}
