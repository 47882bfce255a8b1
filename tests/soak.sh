#!/usr/bin/env bash
# Runs the whole ctest suite of a build N times in a row under load (a busy
# loop on one core, beside ctest -j2), to show that no test depends on
# timing (issue 15, item 6). Prints each run's failures and the tally;
# exit 1 if any run failed.
#   bash tests/soak.sh [BUILD_DIR] [RUNS]      (default: build 20)
set -euo pipefail
build=${1:-build}
runs=${2:-20}
bash -c 'while :; do :; done' &
busy=$!
trap 'kill $busy 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if out=$(cd "$build" && ctest -j2 2>&1); then
    echo "soak: run $i: $(grep -oE '[0-9]+% tests passed.*' <<<"$out") ($(($(date +%s) - start)) s)"
  else
    failed=$((failed + 1))
    echo "soak: run $i FAILED:"
    grep -E '^\s+[0-9]+ - ' <<<"$out" || tail -n 20 <<<"$out"
  fi
done
echo "soak: $runs runs of the suite under load, $failed with a failure"
[ "$failed" -eq 0 ]
