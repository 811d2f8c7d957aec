#!/usr/bin/env bash
# Builds tenscan from the action's own checkout with the exact dependencies it was tested with
# (`--locked`), unless a build of the same version was restored from the cache.
set -euo pipefail
action=${GITHUB_ACTION_PATH:?}
want=$(sed -n 's/^version = "\(.*\)"/\1/p' "$action/Cargo.toml" | head -n 1)
have=$(tenscan --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" = "$want" ]; then
  echo "tenscan $have is already built (restored from the cache)"
  exit 0
fi
echo "building tenscan $want from $action"
cargo install --locked --path "$action" --root "${CARGO_HOME:-$HOME/.cargo}"
