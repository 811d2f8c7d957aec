#!/usr/bin/env bash
# The action's first step: puts the release binary for the action's own ref on PATH, after
# checking it against the release's SHA256SUMS. Without a release (a fork, a branch, a commit,
# `uses: ./`) it asks the next steps to build tenscan from the action's checkout instead. A
# checksum mismatch stops the job: a binary that is not the one released is never run.
# TENSCAN_RELEASE_BASE_URL replaces https://github.com/<repo>/releases/download (tests).
set -euo pipefail
action=${GITHUB_ACTION_PATH:?}
out=${GITHUB_OUTPUT:?}
ref=${ACTION_REF:-}
repo=${ACTION_REPOSITORY:-}
base=${TENSCAN_RELEASE_BASE_URL:-https://github.com/$repo/releases/download}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}
echo "lock-hash=$(sha256 "$action/Cargo.lock" | cut -c1-16)" >> "$out"
build() {
  echo "tenscan: $1; building it from the action's source instead"
  echo "build=true" >> "$out"
  exit 0
}

case "${RUNNER_OS_NAME:-}/${RUNNER_ARCH_NAME:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) build "no prebuilt binary for this runner" ;;
esac
# Only release tags have binaries.
[[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || build "the action's ref is not a release tag"
[ -n "$repo" ] || build "the action's repository is unknown"

archive=tenscan-$target.tar.gz
dir=${RUNNER_TEMP:-$(mktemp -d)}/tenscan-$ref-$target
mkdir -p "$dir"
fetch() { curl -fsSL --retry 3 --retry-delay 2 --connect-timeout 10 -o "$dir/$1" "$base/$ref/$1"; }
if ! fetch "$archive" || ! fetch SHA256SUMS; then
  build "no release binary could be downloaded"
fi
want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$dir/SHA256SUMS")
have=$(sha256 "$dir/$archive")
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  echo "::error title=tenscan::the downloaded $archive does not match the release's SHA256SUMS; it was not run"
  exit 1
fi
tar -xzf "$dir/$archive" -C "$dir"
echo "$dir" >> "${GITHUB_PATH:?}"
echo "tenscan: using the release binary $("$dir/tenscan" --version)"
echo "build=false" >> "$out"
