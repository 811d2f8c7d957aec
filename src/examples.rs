//! Runs a rule's examples and negative examples through the real engine (prefilter, regex,
//! checks, decoders, then the judge at the example's path): the test behind `tenscan rules check` and the test suite.
use crate::engine::{Counters, Engine, EngineOptions};
use crate::rules::Rule;

/// One example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub rule: String,
    /// `example #N` or `negative example #N`, 1-based.
    pub which: String,
    pub expected_found: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.expected_found {
            "was not found"
        } else {
            "was reported"
        };
        write!(f, "{}: {} {}", self.rule, self.which, verb)
    }
}

/// Checks every example of `rule` with an engine holding only that rule.
pub fn check(rule: &Rule) -> Vec<Failure> {
    let engine = Engine::new(
        vec![rule.clone()],
        EngineOptions {
            decode: true,
            ..Default::default()
        },
    );
    let counters = Counters::default();
    let found =
        |path: &str, text: &str| !engine.findings(text.as_bytes(), path, &counters).is_empty();
    let mut failures = vec![];
    let sets = [
        (&rule.spec.examples, true, "example"),
        (&rule.spec.negative_examples, false, "negative example"),
    ];
    for (examples, expected, kind) in sets {
        for (i, ex) in examples.iter().enumerate() {
            if found(ex.path(), ex.text()) != expected {
                failures.push(Failure {
                    rule: rule.spec.id.clone(),
                    which: format!("{kind} #{}", i + 1),
                    expected_found: expected,
                });
            }
        }
    }
    failures
}
