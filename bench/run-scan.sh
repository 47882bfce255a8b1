#!/usr/bin/env bash
# Scan-mode benchmark: tracegrep -s/-r against GNU grep -F and ripgrep -F on
# a deterministic ~1 GB log, in one run, interleaved, median of N runs each,
# page cache warm. Prints times and ratios, then heap peak under massif.
#   bench/run-scan.sh [BYTES] [RUNS]        (defaults: 1000000000 7)
set -euo pipefail
cd "$(dirname "$0")/.."
bytes="${1:-1000000000}"
runs="${2:-7}"
source bench/common.sh
need rg ripgrep
add "tracegrep -s FULLID"      "$tg -s $session $log"
add "grep -F session=ID8"      "env LC_ALL=C grep -F session=$s8 $log"
add "rg -F session=ID8"        "rg -F session=$s8 $log"
add "tracegrep -r REQ"         "$tg -r $request $log"
add "grep -F req=REQ"          "env LC_ALL=C grep -F req=$request $log"
add "rg -F req=REQ"            "rg -F req=$request $log"
# A second session, for several ids at once: the first tagged line past
# line 500,000 (the generator is deterministic).
s2=$(awk 'NR > 500000 && match($0, /session=[0-9a-f]+/) { print substr($0, RSTART + 8, RLENGTH - 8); exit }' "$log")
add "tracegrep -s A -s B"      "$tg -s $session -s $s2 $log"
add "rg -F -e A -e B"          "rg -F -e session=$s8 -e session=$s2 $log"
add "tracegrep -s, one core"   "taskset -c 0 $tg -s $session $log"
add "tracegrep -s, stdin pipe" "cat $log | $tg -s $session"
add "rg -F, stdin pipe"        "cat $log | rg -F session=$s8"

time_commands "$runs"
print_table "command ($(du -h "$log" | cut -f1) log, median of $runs)"
ratio() { echo "scale=2; ${med[$1]} / ${med[$2]}" | bc -l; }
echo
echo "tracegrep -s / grep -F : $(ratio 0 1)   (target <= 0.33)"
echo "tracegrep -s / rg -F   : $(ratio 0 2)   (target <= 1.5)"
echo "rg -F / grep -F        : $(ratio 2 1)   (the competitors, for scale)"
echo "tracegrep -r / grep -F : $(ratio 3 4)"
echo "tracegrep -r / rg -F   : $(ratio 3 5)"
echo "two ids / rg two -e    : $(ratio 6 7)   (tracegrep -s A -s B / rg -F -e A -e B)"
echo "one core / rg -F       : $(ratio 8 2)   (no second thread)"
echo "stdin pipe / rg pipe    : $(ratio 9 10)   (both read a pipe: no mapping, no second thread)"
echo
# What each prints: tracegrep includes tracebacks and excludes ids in text.
tg_lines=$($tg -s "$session" "$log" | wc -l)
tag_lines=$(LC_ALL=C grep -cF "|session=$s8]" "$log" || true)
grep_lines=$(LC_ALL=C grep -cF "session=$s8" "$log" || true)
echo "lines printed: tracegrep $tg_lines (of which tagged $tag_lines), grep -F $grep_lines"
if command -v valgrind >/dev/null; then
  valgrind --tool=massif --massif-out-file=bench/data/massif.out "$tg" -s "$session" "$log" >/dev/null 2>&1
  peak=$(grep mem_heap_B bench/data/massif.out | cut -d= -f2 | sort -n | tail -1)
  echo "heap peak (massif), tracegrep -s on the file: $((peak / 1024)) KiB (target <= 16384 KiB)"
  valgrind --tool=massif --massif-out-file=bench/data/massif-pipe.out "$tg" -s "$session" <"$log" >/dev/null 2>&1
  peak=$(grep mem_heap_B bench/data/massif-pipe.out | cut -d= -f2 | sort -n | tail -1)
  echo "heap peak (massif), tracegrep -s on stdin:    $((peak / 1024)) KiB"
fi
