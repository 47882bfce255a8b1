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
bash .ci/build build >/dev/null
tg=./build/src/tracegrep
mkdir -p bench/data
log=bench/data/long-$bytes.log
db=bench/data/long-$bytes.db
if [ ! -s "$log" ]; then
  ./build/bench/tracegrep-loggen --bytes "$bytes" --seed 9 --long-session 1000 --print-ids >"$log" 2>"$log.ids"
  rm -f "$db" "$db-wal" "$db-shm"
fi
[ -s "$db" ] || "$tg" index -q --db "$db" "$log"
read -r session request <"$log.ids"
cat "$log" >/dev/null
out=bench/data/out.tmp
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "session ${session:0:8}: $("$tg" requests --db "$db" -s "$session" | tail -n +2 | wc -l) requests," \
     "$("$tg" --db "$db" -c --no-filename -s "$session") entries"
names=("timeline -s SESSION (index)" "timeline -r REQ (index)" "timeline -r REQ (file)" "tracegrep -n -r REQ (file)")
cmds=("$tg timeline --db $db -s $session --width 100" "$tg timeline --db $db -r $request"
      "$tg timeline -r $request $log" "$tg -n -r $request $log")
declare -A samples
for ((r = 0; r < runs; r++)); do
  for i in "${!cmds[@]}"; do
    t0=${EPOCHREALTIME/./}; eval "${cmds[$i]}" >"$out"; t1=${EPOCHREALTIME/./}
    samples[$i]+="$((t1 - t0)) "
  done
done
for i in "${!cmds[@]}"; do
  printf '%-30s %9.1f ms\n' "${names[$i]}" "$(echo "$(echo "${samples[$i]}" | median) / 1000" | bc -l)"
done
echo "targets: the session summary and the request timeline from the index <= 50 ms;"
echo "         a timeline from the file as fast as the scan for the same request"
