#!/usr/bin/env bash
# Many files at once: a log directory of rotated files. tracegrep -s over
# FILES files of SIZE bytes each against ripgrep -F (which searches files in
# parallel too) and GNU grep -F, in one run, interleaved, median of RUNS,
# page cache warm. The session looked for is in one file, as one user's is.
#   bench/run-many.sh [FILES] [SIZE] [RUNS]        (defaults: 1000 262144 9)
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-1000}"
size="${2:-262144}"
runs="${3:-9}"
bytes=0  # common.sh's own log is not made: the files are made here
source bench/common.sh
need rg ripgrep
dir=bench/data/many-$files-$size
if [ ! -s "$dir/done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  for ((i = 1; i <= files; i++)); do
    ./build/bench/tracegrep-loggen --bytes "$size" --seed "$i" --service api >"$dir/$(printf 'app.%05d.log' "$i")"
  done
  touch "$dir/done"
fi
cat "$dir"/*.log >/dev/null
middle=$(printf 'app.%05d.log' $((files / 2)))
s8=$(grep -o -m1 'session=[0-9a-f]*' "$dir/$middle" | cut -d= -f2)
add "tracegrep -s ID"           "$tg -s $s8 $dir/*.log"
add "rg -F session=ID"          "rg -F session=$s8 $dir/*.log"
add "grep -F session=ID"        "env LC_ALL=C grep -F session=$s8 $dir/*.log"
add "tracegrep -s ID, one core" "taskset -c 0 $tg -s $s8 $dir/*.log"
add "rg -F, one core"           "taskset -c 0 rg -j1 -F session=$s8 $dir/*.log"
add "tracegrep -c -e Payment"   "$tg -c -e Payment $dir/*.log"
add "rg -c Payment"             "rg -c Payment $dir/*.log"
time_commands "$runs"
print_table "command ($files files of $size bytes, median of $runs)"
ratio() { echo "scale=2; ${med[$1]} / ${med[$2]}" | bc -l; }
echo
echo "tracegrep -s / rg -F        : $(ratio 0 1)   (target <= 1.2)"
echo "tracegrep -s / grep -F      : $(ratio 0 2)"
echo "one core: tracegrep / rg -j1: $(ratio 3 4)"
echo "tracegrep -c -e / rg -c     : $(ratio 5 6)   (every line parsed)"
