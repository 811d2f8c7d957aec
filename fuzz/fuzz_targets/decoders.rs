//! Decoders on arbitrary bytes: no panic, and every decoded byte maps inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tenscan::decode::{decode_all, Triggers};

fuzz_target!(|data: &[u8]| {
    for d in decode_all(data, Triggers { base64: true }, &|_| true) {
        assert!(d.span.end <= data.len() && d.span.start <= d.span.end);
        for t in 0..d.text.len() {
            let s = d.source(t..t + 1);
            assert!(s.start < s.end && s.end <= data.len(), "{t}: {s:?}");
        }
        let s = d.source(0..d.text.len());
        assert!(s.end <= data.len());
    }
});
