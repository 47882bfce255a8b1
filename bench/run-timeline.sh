#!/usr/bin/env bash
# Timeline benchmark: a deterministic ~1 GB log in which one session lives
# for 1,000 requests, indexed; whole-process times (median of N) of that
# session's summary and of one request's timeline from the index, and of the
# request's timeline from the file against a scan for it.
#   bench/run-timeline.sh [BYTES] [RUNS]        (defaults: 1000000000 9)
set -euo pipefail
cd "$(dirname "$0")/.."
bytes="${1:-1000000000}"
runs="${2:-9}"
log_name=long gen_args="--seed 9 --long-session 1000"
source bench/common.sh
db=bench/data/long-$bytes.db
[ -s "$db" ] || "$tg" index -q --db "$db" "$log"
echo "session ${session:0:8}: $("$tg" requests --db "$db" -s "$session" | tail -n +2 | wc -l) requests," \
     "$("$tg" --db "$db" -c --no-filename -s "$session") entries"
names=("timeline -s SESSION (index)" "timeline -r REQ (index)" "timeline -r REQ (file)" "tracegrep -n -r REQ (file)")
cmds=("$tg timeline --db $db -s $session --width 100" "$tg timeline --db $db -r $request"
      "$tg timeline -r $request $log" "$tg -n -r $request $log")
time_commands "$runs"
for i in "${!cmds[@]}"; do
  printf '%-30s %9.1f ms\n' "${names[$i]}" "$(echo "${med[$i]} / 1000" | bc -l)"
done
echo "targets: the session summary and the request timeline from the index <= 50 ms;"
echo "         a timeline from the file as fast as the scan for the same request"
