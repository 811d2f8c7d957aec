#!/usr/bin/env bash
# Pre-commit benchmark: `tenscan staged` on a repository with 50,000 tracked files and one
# staged change, against `git diff --cached --quiet` on the same repository.
#   usage: bench/staged.sh [FILES]      (default 50000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/bench-out}
files=${1:-50000}
repo=$out/staged-repo-$files
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan
if [ ! -d "$repo/.git" ]; then
  mkdir -p "$repo"
  git -C "$repo" init -q -b main
  python3 - "$repo" "$files" <<'PY'
import os, sys
repo, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(repo, "src", f"m{i % 200:03d}", f"d{i % 7}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.py"), "w") as f:
        f.write(f"def f{i}():\n    return {i} * 7919 % 104729\n")
PY
  git -C "$repo" add -A
  git -C "$repo" -c user.name=b -c user.email=b@example.com commit -qm files
fi
echo "x = compute()  # one staged line" >> "$repo/src/m000/d0/f00000.py"
git -C "$repo" add src/m000/d0/f00000.py
echo "repo: $repo ($(git -C "$repo" ls-files | wc -l) tracked files, 1 staged change)"
cd "$repo"
hyperfine -N --warmup 3 --runs 20 --ignore-failure --export-json "$out/staged.json" \
  -n "tenscan staged" "$tenscan staged -q" \
  -n "git diff --cached --quiet" "git diff --cached --quiet" >/dev/null
git checkout -q -- . 2>/dev/null || true
git reset -q
git checkout -q -- .
python3 - "$out/staged.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
t, g = res["tenscan staged"]["mean"] * 1000, res["git diff --cached --quiet"]["mean"] * 1000
print(f"| command | mean (ms) |\n|---|---|\n| tenscan staged | {t:.1f} |\n| git diff --cached --quiet | {g:.1f} |\n\nratio: {t/g:.2f}x")
PY
