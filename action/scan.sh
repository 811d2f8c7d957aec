#!/usr/bin/env bash
# The action's scan step: works out what to scan from the event, runs tenscan once (SARIF),
# then writes the outputs, the job summary and annotations from that SARIF. Never prints a
# secret. Exits 0 when the scan ran (the action's last step fails on findings), 2 on errors.
set -uo pipefail
mode=${INPUT_MODE:-pr}
sarif=${INPUT_SARIF:-tenscan.sarif}
event=${GITHUB_EVENT_PATH:-}
out=${GITHUB_OUTPUT:-/dev/stdout}
summary=${GITHUB_STEP_SUMMARY:-/dev/stdout}
cd "${GITHUB_WORKSPACE:-.}" || exit 2

flags=(-f sarif -o "$sarif")
[ -n "${INPUT_CONFIG:-}" ] && flags+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_BASELINE:-}" ] && flags+=(--baseline "$INPUT_BASELINE")
[ "${INPUT_VERIFY:-false}" = "true" ] && flags+=(--verify)
[ -n "${INPUT_FAIL_ON:-}" ] && flags+=(--fail-on "$INPUT_FAIL_ON")
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})

field() { python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v=v.get(k) if isinstance(v,dict) else None
print("" if v is None else v)' "$event" "$1"; }
have() { git cat-file -e "$1^{commit}" 2>/dev/null; }
zero=0000000000000000000000000000000000000000

cmd=()
case "$mode" in
  pr)
    base=$(field pull_request.base.sha); head=$(field pull_request.head.sha)
    n=$(field pull_request.commits)
    if [ -z "$base" ] || [ -z "$head" ]; then echo "::error title=tenscan::mode pr needs a pull_request event"; exit 2; fi
    if ! { have "$base" && have "$head" && git merge-base "$base" "$head" >/dev/null 2>&1; }; then
      echo "fetching the pull request's commits (shallow checkout)"
      git fetch -q --no-tags --depth=$(( ${n:-50} + 1 )) origin "$head" 2>/dev/null || true
      git fetch -q --no-tags --depth=1 origin "$base" 2>/dev/null || true
      git fetch -q --no-tags --deepen=$(( ${n:-50} + 1 )) origin "$base" 2>/dev/null || true
    fi
    if have "$base" && have "$head" && git merge-base "$base" "$head" >/dev/null 2>&1; then
      cmd=(tenscan history . --range "$base..$head")
    elif have "$base" && have "$head"; then
      echo "::notice title=tenscan::could not find where the pull request branched off; scanning the files it changes instead"
      mapfile -t files < <(git diff --name-only --diff-filter=d "$base" "$head" | while read -r f; do [ -f "$f" ] && echo "$f"; done)
      [ ${#files[@]} -eq 0 ] && files=(/dev/null)
      cmd=(tenscan scan "${files[@]}")
    else
      echo "::error title=tenscan::cannot fetch the pull request's base and head commits"; exit 2
    fi ;;
  push)
    before=$(field before); after=$(field after); default=$(field repository.default_branch)
    [ -z "$after" ] && { echo "::error title=tenscan::mode push needs a push event"; exit 2; }
    have "$after" || git fetch -q --no-tags origin "$after" 2>/dev/null || true
    if [ "$after" = "$zero" ]; then
      echo "branch deleted: nothing to scan"; cmd=()
    elif [ "$before" != "$zero" ] && { have "$before" || git fetch -q --no-tags origin "$before" 2>/dev/null; } && have "$before"; then
      cmd=(tenscan history . --range "$before..$after")   # force pushes included: what after has and before lacks
    else
      # New branch (or the old tip is gone): what the default branch does not have.
      if [ -n "$default" ] && git fetch -q --no-tags origin "$default" 2>/dev/null && [ "$(git rev-parse FETCH_HEAD)" != "$after" ]; then
        cmd=(tenscan history . --range "FETCH_HEAD..$after")
      else
        cmd=(tenscan history . --range "$after")
      fi
    fi ;;
  history) cmd=(tenscan history .) ;;
  worktree) cmd=(tenscan scan .) ;;
  *) echo "::error title=tenscan::unknown mode '$mode' (pr, push, history, worktree)"; exit 2 ;;
esac

code=0
if [ ${#cmd[@]} -gt 0 ]; then
  echo "+ ${cmd[*]} ${flags[*]} ${extra[*]}"
  "${cmd[@]}" "${flags[@]}" "${extra[@]}"; code=$?
else
  printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tenscan","rules":[]}},"results":[]}]}\n' > "$sarif"
fi
if [ "$code" -ge 2 ]; then
  echo "::error title=tenscan::tenscan failed (exit $code)"; exit 2
fi

python3 - "$sarif" "$summary" "$mode" <<'PY'
import json, sys
sarif, summary, mode = sys.argv[1:]
run = json.load(open(sarif))["runs"][0]
results = run.get("results", [])
def esc(s):  # workflow-command escaping
    return str(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(",", "%2C").replace(":", "%3A")
rows = []
for r in results:
    loc = r["locations"][0]["physicalLocation"]
    path, line = loc["artifactLocation"]["uri"], loc["region"]["startLine"]
    props = r.get("properties", {})
    ver = props.get("verification", {}).get("status", "not verified")
    commit = props.get("commit", "")
    rows.append((path, line, r["ruleId"], props.get("confidence", ""), ver, commit[:12]))
    print(f"::error file={esc(path)},line={line},title={esc('tenscan: ' + r['ruleId'])}::{esc(r['message']['text'])}")
with open(summary, "a") as f:
    f.write(f"## tenscan ({mode}): {len(results)} finding{'s' if len(results) != 1 else ''}\n\n")
    if rows:
        f.write("| file | line | rule | confidence | verification | commit |\n|---|---|---|---|---|---|\n")
        for row in rows:
            f.write("| " + " | ".join(f"`{c}`" if i in (0, 2) else str(c) for i, c in enumerate(row)) + " |\n")
        f.write("\nTreat each key as leaked: create a new key, move your apps to it, revoke the old one.\n")
    else:
        f.write("No Baseten keys found.\n")
print(len(results), file=open(sarif + ".count", "w"))
PY
findings=$(cat "$sarif.count"); rm -f "$sarif.count"
{
  echo "findings=$findings"
  echo "sarif-file=$sarif"
  echo "exit-code=$code"
} >> "$out"
exit 0
