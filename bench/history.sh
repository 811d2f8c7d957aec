#!/usr/bin/env bash
# History benchmark: tenscan history vs Kingfisher (git history by default) and gitleaks git,
# each given only the Baseten API key rule, and vs `git cat-file --batch-all-objects` (the
# cost of inflating every object), on the repository ../shared/bench/make-history-repo
# builds (defaults: ~20k commits, ~1.5 GB of blobs). Then checks that every planted key is
# found and attributed to the commit that added it.
#   usage: bench/history.sh [REPO_DIR]      (RUNS=3 for more runs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/bench-out}
repo=${1:-$out/history-repo}
runs=${RUNS:-2}
mkdir -p "$out"
if [ ! -d "$repo/.git" ]; then
  "$root/../shared/bench/make-history-repo" "$repo"
fi
manifest="$(dirname "$repo")/$(basename "$repo").planted.json"
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan

declare -A cmd=(
  [tenscan]="$tenscan history '$repo' -f json -o '$out/tenscan.json' -q"
  [git-cat-file]="git -C '$repo' cat-file --batch-all-objects --batch --unordered >/dev/null"
  [kingfisher]="kingfisher scan '$repo' --rules-path '$here/kingfisher-baseten.yaml' --load-builtins=false --no-validate --no-update-check --format json -o '$out/kingfisher.json'"
  [gitleaks]="gitleaks git '$repo' -c '$here/gitleaks-baseten.toml' --no-banner --exit-code 0 -r '$out/gitleaks.json' --report-format json"
)
order=(tenscan git-cat-file kingfisher gitleaks)
echo "repo: $repo ($(git -C "$repo" rev-list --all --count) commits, $(du -sh "$repo/.git" | cut -f1) .git); $(nproc) cores"
args=()
for t in "${order[@]}"; do args+=(-n "$t" "${cmd[$t]}"); done
hyperfine --ignore-failure --warmup 1 --runs "$runs" --export-json "$out/history.json" "${args[@]}" >/dev/null
for t in "${order[@]}"; do
  /usr/bin/time -f "%M" -o "$out/rss-history-$t.txt" bash -c "${cmd[$t]} >/dev/null 2>&1" || true
done
"$tenscan" history "$repo" -f json --reveal -q -o "$out/history-findings.json" || true
python3 - "$out" "$manifest" "${order[@]}" <<'PY'
import json, sys
out, manifest, tools = sys.argv[1], sys.argv[2], sys.argv[3:]
res = {r["command"]: r for r in json.load(open(f"{out}/history.json"))["results"]}
base = res["tenscan"]["mean"]
print("| tool | mean wall (s) | ± | vs tenscan | peak RSS (MB) |")
print("|---|---|---|---|---|")
for t in tools:
    r = res[t]
    rss = int(open(f"{out}/rss-history-{t}.txt").read().split()[-1]) / 1024
    print(f"| {t} | {r['mean']:.2f} | {r['stddev'] or 0:.2f} | {r['mean']/base:.2f}x | {rss:.0f} |")
found = json.load(open(f"{out}/history-findings.json"))["findings"]
by_key = {}
for f in found:
    by_key.setdefault(f["secret"], []).append(f)
planted = json.load(open(manifest))
ok = sum(1 for p in planted if any(f["path"] == p["path"] and f["commit"] == p["added_in"] for f in by_key.get(p["key"], [])))
print(f"\nplanted keys found with the right path and commit: {ok}/{len(planted)}; findings in all: {len(found)}")
PY
