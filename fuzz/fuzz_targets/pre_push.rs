//! git's pre-push stdin lines: parsed or rejected, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(refs) = tenscan::commands::hook::parse_push_lines(&text) {
        assert!(refs.len() <= text.lines().count());
    }
});
