//! The whole engine (prefilter, rules, checks, decoders) on arbitrary bytes: no panic, sane
//! positions, and masked secrets that never show more than 8 characters.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tenscan::blob::Blob;
use tenscan::scan::{Counters, Engine, EngineOptions};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(tenscan::rules::builtin(), EngineOptions { decode: true, show_placeholders: true, ..Default::default() }))
}

fuzz_target!(|data: &[u8]| {
    for path in ["f.txt", "n.ipynb", ".trussrc", "config.yaml"] {
        for r in engine().scan_blob(Blob { path, data }, &Counters::default()) {
            let f = &r.finding;
            assert!(f.line >= 1 && f.column >= 1 && f.end_line >= f.line);
            assert!(f.secret.trim_end_matches('…').chars().count() <= 8);
            assert!(r.snippet.label.end <= r.snippet.text.len());
        }
    }
});
