#!/usr/bin/env bash
# --merge: the entries of several services' logs interleaved by time, against
# lnav (which merges the files it opens by time too; headless, -n) and
# `sort -m` (a merge of lines, not of entries: the floor of what merging
# sorted text costs). FILES logs of SIZE bytes each, one session taken from
# each of two of them; the whole logs and the two sessions, from the files
# and from the index. Median of RUNS, page cache warm, peak RSS of one run.
#   bench/run-merge.sh [FILES] [SIZE] [RUNS]        (defaults: 4 50000000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-4}"
size="${2:-50000000}"
runs="${3:-5}"
bytes=0  # common.sh's own log is not made: the files are made here
source bench/common.sh
need lnav lnav
dir=bench/data/merge-$files-$size
if [ ! -s "$dir/done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  for ((i = 1; i <= files; i++)); do
    ./build/bench/tracegrep-loggen --bytes "$size" --seed "$i" --service "svc$i" >"$dir/svc$i.log"
  done
  "$tg" index -q --db "$dir/i.db" "$dir"/*.log
  touch "$dir/done"
fi
cat "$dir"/*.log >/dev/null
s1=$(grep -o -m1 'session=[0-9a-f]\{8\}' "$dir/svc1.log" | cut -d= -f2)
s2=$(grep -o -m1 'session=[0-9a-f]\{8\}' "$dir/svc2.log" | cut -d= -f2)
logs=$(ls "$dir"/*.log | tr '\n' ' ')
add "tracegrep --merge (all)"      "$tg --merge --no-filename $logs"
add "lnav -n (all)"                "lnav -n $logs"
add "sort -m -s -k1,2 (lines)"     "LC_ALL=C sort -m -s -k1,2 $logs"
add "tracegrep --merge -s A -s B"  "$tg --merge --no-filename -s $s1 -s $s2 $logs"
add "lnav -n filter-in A|B"        "lnav -n -c ':filter-in session=($s1|$s2)' $logs"
add "tracegrep --merge --db -s -s" "$tg --merge --no-filename -s $s1 -s $s2 --db $dir/i.db"
time_commands "$runs"
print_table "command ($files logs of $size bytes, median of $runs)"
ratio() { echo "scale=2; ${med[$1]} / ${med[$2]}" | bc -l; }
rss() { /usr/bin/time -f %M bash -c "$1 >/dev/null" 2>&1 | tail -n1; }
echo
echo "lnav / tracegrep --merge, all      : $(ratio 1 0)x"
echo "tracegrep --merge / sort -m, all   : $(ratio 0 2)x"
echo "lnav / tracegrep --merge, sessions : $(ratio 4 3)x"
echo "files / index, sessions            : $(ratio 3 5)x"
echo "peak RSS, all: tracegrep $(($(rss "$tg --merge $logs") / 1024)) MiB, lnav $(($(rss "lnav -n $logs") / 1024)) MiB"
# The same entries: tracegrep's merge of the files and of the index agree,
# and hold the lines lnav prints for the two sessions.
"$tg" --merge --no-filename -s "$s1" -s "$s2" $logs >"$out"
"$tg" --merge --no-filename -s "$s1" -s "$s2" --db "$dir/i.db" | cmp -s - "$out" &&
  echo "files and index: the same bytes" || echo "files and index DIFFER"
lnav -n -c ":filter-in session=($s1|$s2)" $logs | grep -c . | xargs echo "lines: lnav" |
  tr '\n' ' '
grep -c . "$out" | xargs echo ", tracegrep"
