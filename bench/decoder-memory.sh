#!/usr/bin/env bash
# Decoder memory: peak RSS of `tenscan scan` on an 18 MB JSON file full of escapes (a
# notebook-like list of strings where every line holds \n, \", \u00e9 and \/ escapes, and a
# few keys written with JSON escapes), with the decoders on and with --no-decode. Peak RSS
# is `/usr/bin/time -f %M`, the largest of RUNS runs (default 3); wall time is hyperfine's.
#   usage: bench/decoder-memory.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/bench-out}
runs=${RUNS:-3}
mkdir -p "$out"
cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
tenscan=$root/target/release/tenscan
file=$out/escaped.json
python3 - "$file" <<'PY'
import json, random, string, sys
random.seed(7)
alnum = string.ascii_letters + string.digits
def key():
    return "".join(random.choice(alnum) for _ in range(8)) + "." + "".join(random.choice(alnum) for _ in range(32))
cells = []
size = 0
i = 0
while size < 18_000_000:
    if i % 20_000 == 0:
        # A key behind a JSON escape: found only with the decoders on.
        k = key()
        cell = r'"baseten.login(\"' + k[:8] + r'\u002e' + k[9:] + r'\")\n"'
    else:
        cell = r'"print(\"caf\u00e9 ' + str(i) + r'\") \/ \"quoted\" \\ tab\there\n"'
    cells.append(cell)
    size += len(cell) + 2
    i += 1
with open(sys.argv[1], "w") as f:
    f.write('{"cells": [{"source": [' + ", ".join(cells) + "]}]}\n")
PY
echo "file: $(du -m "$file" | cut -f1) MB, $(grep -o '\\' "$file" | wc -l) backslashes"
hyperfine --ignore-failure --warmup 1 --runs "$runs" --export-json "$out/decoder-memory.json" \
  -n decode "'$tenscan' scan '$file' -q -f json" \
  -n no-decode "'$tenscan' scan '$file' -q -f json --no-decode" >/dev/null
for mode in decode no-decode; do
  flag=; [ "$mode" = no-decode ] && flag=--no-decode
  peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f %M -o "$out/rss.txt" "$tenscan" scan "$file" -q -f json $flag >"$out/decoder-$mode.json" || true
    kb=$(tail -n 1 "$out/rss.txt"); [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$mode $peak" >>"$out/decoder-rss.txt.new"
done
mv "$out/decoder-rss.txt.new" "$out/decoder-rss.txt"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
times = {r["command"]: r for r in json.load(open(f"{out}/decoder-memory.json"))["results"]}
rss = dict(l.split() for l in open(f"{out}/decoder-rss.txt"))
found = {m: len(json.load(open(f"{out}/decoder-{m}.json"))["findings"]) for m in ("decode", "no-decode")}
print("| mode | mean wall (s) | ± | peak RSS (MB) | findings |")
print("|---|---|---|---|---|")
for m in ("decode", "no-decode"):
    t = times[m]
    print(f"| `tenscan scan`{' --no-decode' if m == 'no-decode' else ''} | {t['mean']:.3f} | {t['stddev'] or 0:.3f} | {int(rss[m]) / 1024:.1f} | {found[m]} |")
print(f"\nRSS ratio decode / no-decode: {int(rss['decode']) / int(rss['no-decode']):.2f}x (target: at most 2x)")
PY
