//! Decoders on arbitrary bytes: no panic, and every decoded byte maps inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tenscan::decode::{decode_all, Triggers};

fuzz_target!(|data: &[u8]| {
    for d in decode_all(data, Triggers { base64: true }, &|_| true) {
        assert!(d.span.end <= data.len() && d.span.start <= d.span.end);
        if let Some(map) = &d.map {
            assert_eq!(map.len(), d.text.len());
            assert!(map.iter().all(|&i| i < data.len()));
        }
        let s = d.source(0..d.text.len());
        assert!(s.end <= data.len());
    }
});
