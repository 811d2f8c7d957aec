#!/usr/bin/env bash
# Builds tenscan from the action's own checkout, unless a tenscan of the same version is
# already on PATH (a cached build). No binary downloads.
set -euo pipefail
action=${GITHUB_ACTION_PATH:?}
want=$(sed -n 's/^version = "\(.*\)"/\1/p' "$action/Cargo.toml" | head -n 1)
have=$(tenscan --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" = "$want" ]; then
  echo "tenscan $have already installed; skipping the build"
  exit 0
fi
echo "building tenscan $want from $action"
cargo install --locked --path "$action" --root "${CARGO_HOME:-$HOME/.cargo}"
