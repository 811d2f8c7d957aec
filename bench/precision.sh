#!/usr/bin/env bash
# Precision on real code nobody wrote for tenscan: the Python standard library (with
# site-packages), ~/.cargo/registry/src, the Rust toolchain docs, and a few large npm
# packages (typescript, @babel/core, webpack) installed into bench-out/. Prints the findings
# per confidence for each tree and lists every medium or high one. Target: none.
#   usage: bench/precision.sh [TREE...]      (default: the trees above)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/bench-out}
mkdir -p "$out"
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan
if [ $# -gt 0 ]; then
  trees=("$@")
else
  npm_dir=$out/precision-npm
  if [ ! -d "$npm_dir/node_modules" ]; then
    mkdir -p "$npm_dir"
    (cd "$npm_dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund typescript @babel/core webpack)
  fi
  trees=(
    "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
    "$HOME/.cargo/registry/src"
    "$(ls -d ~/.rustup/toolchains/*/share/doc | sort | head -n 1)"
    "$npm_dir/node_modules"
  )
fi
printf '| tree | files | MB | high | medium | low |\n|---|---|---|---|---|---|\n'
serious=0
for t in "${trees[@]}"; do
  report=$out/precision-$(echo "$t" | tr '/' '_').json
  # Every file, no ignore files, no config: what a scan of these trees would report.
  "$tenscan" scan "$t" --no-ignore --config /dev/null --allow-incomplete -q -f json -o "$report" || true
  python3 - "$t" "$report" <<'PY'
import json, sys
tree, report = sys.argv[1], sys.argv[2]
r = json.load(open(report))
by = {"high": 0, "medium": 0, "low": 0}
for f in r["findings"]:
    by[f["confidence"]] += 1
s = r["stats"]
print(f"| `{tree}` | {s['files_scanned']} | {s['bytes_scanned'] / 1e6:.0f} | {by['high']} | {by['medium']} | {by['low']} |")
PY
  n=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["confidence"] != "low"))' "$report")
  serious=$((serious + n))
done
echo
echo "findings at medium or high: $serious"
for t in "${trees[@]}"; do
  report=$out/precision-$(echo "$t" | tr '/' '_').json
  python3 - "$report" "$t" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["confidence"] != "low":
        print("  %-6s %-28s %s/%s:%d  %s" % (f["confidence"], f["rule_id"], sys.argv[2], f["path"], f["line"], f["secret"]))
PY
done
