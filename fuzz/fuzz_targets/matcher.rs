//! The whole engine (prefilter, rules, checks, decoders, then the judge at four paths) on
//! arbitrary bytes: no panic, sane positions, excerpts whose label lies inside them, and
//! masked secrets that never show more than 8 characters.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tenscan::engine::{Counters, Engine, EngineOptions};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(tenscan::rules::builtin(), EngineOptions { decode: true, show_placeholders: true, ..Default::default() }))
}

fuzz_target!(|data: &[u8]| {
    let cands = engine().scan(data);
    for path in ["f.txt", "n.ipynb", ".trussrc", "config.yaml"] {
        for v in engine().judge(&cands, path, path, &Counters::default()) {
            let f = engine().finding(&cands[v.candidate], v.confidence, path);
            assert!(f.line >= 1 && f.column >= 1 && f.end_line >= f.line);
            let shown = tenscan::report::shown_secret(&f, false);
            assert!(shown.trim_end_matches('…').chars().count() <= 8);
            let r = f.excerpt.render(&shown, false);
            assert!(r.label.end <= r.text.len() && r.text.is_char_boundary(r.label.start));
        }
    }
});
