#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with libFuzzer; needs a nightly
# toolchain and `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/<target>/ and
# become regression tests in tests/ once fixed.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
for t in matcher decoders parsers pre_push; do
  echo "== $t ($secs s)"
  cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 2>&1 | grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY" || true
done
