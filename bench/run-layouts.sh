#!/usr/bin/env bash
# Layouts benchmark: the same ~1 GB of entries written four ways by
# tracegrep-loggen --layout (the seed's text, text with %(name)s, JSON lines
# as python-json-logger writes them, logfmt), each searched by tracegrep and
# by its competitor in one run, interleaved, median of N runs, page cache
# warm. Prints times and the ratios the layouts issue sets as targets.
#   bench/run-layouts.sh [BYTES] [RUNS]       (defaults: 1000000000 5)
# jq reads at tens of MB/s: its rows take most of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bytes="${1:-1000000000}"
runs="${2:-5}"
real_bytes=$bytes
bytes=0 # common.sh: the logs are made here
source bench/common.sh
need rg ripgrep
need jq jq
declare -A logs
for layout in seed name json logfmt; do
  logs[$layout]=bench/data/layout-$layout-$real_bytes.log
  if [ ! -s "${logs[$layout]}" ]; then
    ./build/bench/tracegrep-loggen --bytes "$real_bytes" --seed 7 --layout $layout --print-ids \
      >"${logs[$layout]}" 2>"${logs[$layout]}.ids"
  fi
  cat "${logs[$layout]}" >/dev/null
done
read -r session request <"${logs[seed]}.ids"  # the same ids in every layout
s8=${session:0:8}
db=bench/data/layout-json.db

add "seed: tracegrep -s"          "$tg -s $session ${logs[seed]}"
add "seed: rg -F session=ID8"     "rg -F session=$s8 ${logs[seed]}"
add "name: tracegrep -s"          "$tg -s $session ${logs[name]}"
add "name: rg -F session=ID8"     "rg -F session=$s8 ${logs[name]}"
add "json: tracegrep -s"          "$tg -s $session ${logs[json]}"
add "json: rg -F '\"session_id\": \"ID8'" "rg -F '\"session_id\": \"$s8' ${logs[json]}"
add "logfmt: tracegrep -s"        "$tg -s $session ${logs[logfmt]}"
add "logfmt: rg -F session_id=ID8" "rg -F session_id=$s8 ${logs[logfmt]}"
add "seed: tracegrep -l error"    "$tg -l error ${logs[seed]}"
add "json: tracegrep -l error"    "$tg -l error ${logs[json]}"
add "json: jq select ERROR"       "jq -c 'select(.levelname==\"ERROR\")' ${logs[json]}"
add "logfmt: tracegrep -l error"  "$tg -l error ${logs[logfmt]}"
add "json: tracegrep index"       "rm -f $db $db-wal $db-shm $db.lock; $tg index -q --db $db ${logs[json]}"
# The seed's layout stated as its format string: the --log-format reader.
fmt='%(asctime)s - %(levelname)s - [req=%(request_id)s|session=%(session_id)s] - %(message)s'
add "seed: --log-format -l error" "$tg -l error --log-format '$fmt' ${logs[seed]}"

time_commands "$runs"
print_table "command ($(du -h "${logs[json]}" | cut -f1) logs, median of $runs)"
ratio() { echo "scale=2; ${med[$1]} / ${med[$2]}" | bc -l; }
echo
echo "seed -s / rg -F           : $(ratio 0 1)   (for scale: the seed's own target is 1.5)"
echo "name -s / rg -F           : $(ratio 2 3)   (target <= 1.2)"
echo "json -s / rg -F           : $(ratio 4 5)   (target <= 1.5)"
echo "logfmt -s / rg -F         : $(ratio 6 7)"
echo "jq / json -l error        : $(ratio 10 9)   (target >= 3: tracegrep that many times faster)"
echo "json -l error / seed      : $(ratio 9 8)   (the cost of JSON over text)"
echo "logfmt -l error / seed    : $(ratio 11 8)"
echo "--log-format / built-in   : $(ratio 13 8)   (target <= 1.3; the same file, the same entries)"
mbps=$(echo "scale=1; $(stat -c %s "${logs[json]}") / ${med[12]}" | bc -l)
echo "json index                : $mbps MB/s   (target >= 100)"
echo
# What each finds. Every file holds the same entries up to BYTES, so the
# longer layouts hold fewer; jq and tracegrep must agree on the JSON file.
for layout in seed name json logfmt; do
  echo "$layout: tracegrep -s finds $($tg -c -s "$session" "${logs[$layout]}") entries, -l error $($tg -c -l error "${logs[$layout]}")"
done
echo "jq finds $(jq -c 'select(.levelname=="ERROR" or .levelname=="CRITICAL")' "${logs[json]}" | wc -l) ERROR or CRITICAL lines in the JSON file"
