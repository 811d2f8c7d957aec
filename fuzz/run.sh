#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with libFuzzer; needs a nightly
# toolchain and `cargo install cargo-fuzz`. A crash fails the script (exit 1) and leaves its
# input in fuzz/artifacts/<target>/, to become a regression test once fixed.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
failed=()
for t in matcher decoders parsers pre_push git_output admission; do
  echo "== $t ($secs s)"
  log=$(mktemp)
  if cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 >"$log" 2>&1; then
    grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "$log" | tail -n 1
  else
    grep -E "ERROR|panicked|SUMMARY|Test unit written" "$log" | head -n 20
    failed+=("$t")
  fi
  rm -f "$log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that crashed: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets ran clean"
