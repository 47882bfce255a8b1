#!/usr/bin/env bash
# Index benchmark: ingest speed, peak memory and size of the index of a
# deterministic ~1 GB log; whole-process lookups by session and request
# against grep -F over the log, in one run (median of N, page cache warm);
# then one lookup with the page cache dropped (needs root).
# Then the tables from the summaries kept at ingest (requests --slowest,
# sessions) against computing them from the entries (the same command over
# the log), with their peak memory (page cache warm), and whether both print
# the same bytes.
#   bench/run-index.sh [BYTES] [RUNS] [MODE]  (defaults: 1000000000 9 seed)
# MODE high: loggen --high-cardinality (20,000 sessions and requests at once,
# each line a random one, 12-character request ids).
set -euo pipefail
cd "$(dirname "$0")/.."
bytes="${1:-1000000000}"
runs="${2:-9}"
mode="${3:-seed}"
if [ "$mode" = high ]; then
  gen_args="--seed 7 --high-cardinality"
  log_name=high
fi
source bench/common.sh
db=bench/data/index-$mode-$bytes.db
rm -f "$db" "$db-wal" "$db-shm" "$db.lock"
/usr/bin/time -f "%e %M" -o bench/data/time.txt "$tg" index -q --db "$db" "$log"
read -r secs rss_kb <bench/data/time.txt
log_bytes=$(stat -c %s "$log")
db_bytes=$(( $(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0) ))
echo "ingest: $(echo "scale=1; $log_bytes / 1000000 / $secs" | bc) MB/s (target >= 100, stretch 200)," \
     "peak RSS $((rss_kb / 1024)) MiB (target <= 256)"
echo "index size: $(echo "scale=3; $db_bytes / $log_bytes" | bc)x the log (target <= 0.5, stretch 0.25)"
t0=${EPOCHREALTIME/./}; "$tg" index -q --db "$db" "$log"; t1=${EPOCHREALTIME/./}
echo "index again, nothing new: $(( (t1 - t0) / 1000 )) ms"

names=("tracegrep --db -s FULLID" "tracegrep --db -r REQ" "grep -F session=ID8 log")
cmds=("$tg --db $db -s $session" "$tg --db $db -r $request" "env LC_ALL=C grep -F session=$s8 $log")
time_commands "$runs"
for i in "${!cmds[@]}"; do
  printf '%-28s %9.1f ms\n' "${names[$i]}" "$(echo "${med[$i]} / 1000" | bc -l)"
done
echo "grep / tracegrep -s: $(echo "scale=1; ${med[2]} / ${med[0]}" | bc)x faster (target >= 30x, <= 10 ms)"
echo "grep / tracegrep -r: $(echo "scale=1; ${med[2]} / ${med[1]}" | bc)x faster"
if [ "$(id -u)" -eq 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
  t0=${EPOCHREALTIME/./}; "$tg" --db "$db" -s "$session" >"$out"; t1=${EPOCHREALTIME/./}
  echo "tracegrep --db -s, page cache dropped: $(( (t1 - t0) / 1000 )) ms (target <= 50)"
else
  echo "page cache not dropped (needs root and a writable /proc/sys/vm/drop_caches)"
fi
cmp -s <("$tg" --db "$db" -s "$session") <("$tg" -s "$session" "$log") && echo "index and scan print the same bytes"

# Tables: from the summaries, and computed from the entries (the log scanned).
peak() { "$@" >"$out"; /usr/bin/time -f "%e %M" -o bench/data/time.txt "$@" >"$out"; read -r t kb <bench/data/time.txt; echo "$t s, $((kb / 1024)) MiB"; }
echo "requests --slowest 10 --db: $(peak "$tg" requests --slowest 10 --db "$db") (target <= 100 ms, 64 MiB)"
echo "requests --slowest 10 LOG:  $(peak "$tg" requests --slowest 10 "$log") (computed from the entries)"
echo "sessions --db:              $(peak "$tg" sessions --db "$db") (target <= 500 ms)"
echo "sessions LOG:               $(peak "$tg" sessions "$log") (computed from the entries)"
for q in "requests --slowest 10" "requests --slowest 10 -l error" "sessions"; do
  # shellcheck disable=SC2086
  cmp -s <("$tg" $q --db "$db") <("$tg" $q "$log") && echo "$q: summaries and entries print the same bytes" ||
    echo "$q: DIFFERENT from the entries"
done
