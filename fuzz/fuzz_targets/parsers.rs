//! The rule, config and baseline parsers on arbitrary text: errors, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = tenscan::rules::parse_rule(text, "fuzz.toml");
    let _ = tenscan::config::Config::parse(text, Path::new("fuzz.toml"), tenscan::config::Origin::None);
    if let Ok(b) = tenscan::baseline::Baseline::parse(text, Path::new("b.toml")) {
        // What parses must write back and parse again the same.
        let again = tenscan::baseline::Baseline::parse(&b.to_toml(), Path::new("b.toml")).expect("round trip");
        assert_eq!(b, again);
    }
});
