//! Admission on arbitrary bytes — UTF-16 sniffing, binaries, and zip/tar/gzip archives
//! (damaged ones included, salvaged as far as they go): no panic, no text larger than the
//! member limit, and everything left out reported.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tenscan::admission::{admit, Limits};

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::new(64 * 1024, true);
    limits.archive_total = 256 * 1024;
    limits.archive_entries = 64;
    let mut texts = 0usize;
    let _issues = admit(data, &limits, &mut |t| {
        assert!(t.data.len() as u64 <= limits.max_file_size.max(data.len() as u64 * 2 + 2));
        texts += 1;
    });
    assert!(texts <= limits.archive_entries + 1);
});
