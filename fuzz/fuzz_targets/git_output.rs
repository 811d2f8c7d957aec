//! What tenscan reads from git's output: `--raw -z` entries and logs, and `-U0` hunk
//! headers. Parsed or rejected, never a panic; what parses is self-consistent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tenscan::git::{diff, raw};

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = raw::parse_diff(data) {
        for e in entries {
            assert!(!e.old.is_empty() && !e.status.is_empty());
        }
    }
    if let Ok(commits) = raw::parse_log(data) {
        for c in commits {
            for e in c.entries {
                assert_eq!(e.old.len().max(1), e.old.len());
            }
        }
    }
    if let Some(added) = diff::parse_hunks(data) {
        // Intersection is idempotent and never grows.
        let twice = added.intersect(&added);
        assert_eq!(twice, added);
        assert_eq!(added.intersect(&diff::Added::all()), added);
    }
});
