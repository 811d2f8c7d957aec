#!/usr/bin/env bash
# The action's scan step: works out what to scan from the event, runs tenscan once (SARIF),
# then writes the step outputs, the job summary and the annotations (action/report.py). Never
# prints a secret, and never prints text from the repository at the start of a line.
# In `pr` mode the config and baseline come from the pull request's base commit: a pull request
# cannot exempt itself; the summary says when it changes them, and lists the `tenscan:allow`
# comments it adds. Exits 0 when the scan ran (the action's last step fails on findings),
# 2 when it could not (or could not read everything).
set -uo pipefail
mode=${INPUT_MODE:-pr}
sarif=${INPUT_SARIF:-tenscan.sarif}
event=${GITHUB_EVENT_PATH:-}
out=${GITHUB_OUTPUT:?}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
here=$(cd "$(dirname "$0")" && pwd)
cd "${GITHUB_WORKSPACE:-.}" || exit 2

category="tenscan-$mode"
flags=(-f sarif -o "$sarif" --sarif-category "$category")
[ -n "${INPUT_CONFIG:-}" ] && flags+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_BASELINE:-}" ] && flags+=(--baseline "$INPUT_BASELINE")
[ "${INPUT_VERIFY:-false}" = "true" ] && flags+=(--verify)
[ -n "${INPUT_FAIL_ON:-}" ] && flags+=(--fail-on "$INPUT_FAIL_ON")
# shellcheck disable=SC2206 # the workflow's own extra flags, split like a command line
extra=(${INPUT_ARGS:-})

field() {
  python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$event" "$1"
}
have() { git cat-file -e "$1^{commit}" 2>/dev/null; }
shallow() { [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; }
error() { echo "::error title=tenscan::$1"; exit 2; }
zero=0000000000000000000000000000000000000000

cmd=()
base="" head=""
case "$mode" in
  pr)
    base=$(field pull_request.base.sha); head=$(field pull_request.head.sha)
    n=$(field pull_request.commits)
    [[ $base =~ ^[0-9a-f]{40,64}$ && $head =~ ^[0-9a-f]{40,64}$ ]] || error "mode pr needs a pull_request event"
    if ! { have "$base" && have "$head" && git merge-base "$base" "$head" >/dev/null 2>&1; }; then
      echo "fetching the pull request's commits (shallow checkout)"
      git fetch -q --no-tags --depth=$(( ${n:-50} + 1 )) origin "$head" 2>/dev/null || true
      git fetch -q --no-tags --depth=1 origin "$base" 2>/dev/null || true
      git fetch -q --no-tags --deepen=$(( ${n:-50} + 1 )) origin "$base" 2>/dev/null || true
    fi
    if { have "$base" && have "$head"; } && ! git merge-base "$base" "$head" >/dev/null 2>&1 && shallow; then
      echo "fetching the rest of the history to find where the pull request branched off"
      git fetch -q --no-tags --unshallow origin 2>/dev/null || true
    fi
    { have "$base" && have "$head"; } || error "cannot fetch the pull request's base and head commits"
    cmd=(tenscan history . --range "$base..$head" --config-from "$base")
    ;;
  push)
    before=$(field before); after=$(field after); default=$(field repository.default_branch)
    [[ $after =~ ^[0-9a-f]{40,64}$ ]] || error "mode push needs a push event"
    have "$after" || git fetch -q --no-tags origin "$after" 2>/dev/null || true
    if [ "$after" = "$zero" ]; then
      echo "branch deleted: nothing to scan"
    elif [ "$before" != "$zero" ] && { have "$before" || git fetch -q --no-tags origin "$before" 2>/dev/null; } && have "$before"; then
      cmd=(tenscan history . --range "$before..$after")   # force pushes included: what after has and before lacks
    elif [ -n "$default" ] && git fetch -q --no-tags origin "$default" 2>/dev/null && [ "$(git rev-parse FETCH_HEAD)" != "$after" ]; then
      cmd=(tenscan history . --range "FETCH_HEAD..$after")   # a new branch: what the default branch lacks
    else
      cmd=(tenscan history . --range "$after")
    fi
    ;;
  history)
    if shallow; then
      echo "fetching the whole history (shallow checkout)"
      git fetch -q --no-tags --unshallow origin 2>/dev/null || error "the checkout is shallow and the rest of the history cannot be fetched; use actions/checkout with fetch-depth: 0"
    fi
    cmd=(tenscan history .)
    ;;
  worktree) cmd=(tenscan scan .) ;;
  *) error "unknown mode (expected pr, push, history or worktree)" ;;
esac

code=0
if [ ${#cmd[@]} -gt 0 ]; then
  printf '+'; printf ' %q' "${cmd[@]}" "${flags[@]}" "${extra[@]}"; echo
  "${cmd[@]}" "${flags[@]}" "${extra[@]}"; code=$?
else
  printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tenscan","rules":[]}},"automationDetails":{"id":"%s"},"results":[]}]}\n' "$category" > "$sarif"
fi
if [ ! -f "$sarif" ]; then
  error "tenscan failed (exit $code) before writing a report; see its messages above"
fi

changed=() allows=""
if [ "$mode" = pr ]; then
  for f in .tenscan.toml "${INPUT_CONFIG:-}" "${INPUT_BASELINE:-}"; do
    [ -n "$f" ] && [ -n "$(git diff --name-only "$base...$head" -- "$f" 2>/dev/null)" ] && changed+=("$f")
  done
  allows=$(mktemp)
  git diff -U0 --no-color --no-ext-diff --no-textconv "$base...$head" > "$allows" 2>/dev/null || true
fi
python3 "$here/report.py" "$sarif" "$summary" "$out" "$mode" "$code" "$category" "$allows" "${changed[@]}"
[ -n "$allows" ] && rm -f "$allows"
[ "$code" -ge 2 ] && error "tenscan could not scan everything (exit $code); see its warnings above"
exit 0
