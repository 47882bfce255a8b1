# Sourced by the bench scripts: builds tracegrep, makes (once) the
# deterministic log of $bytes bytes, and defines what they share.
#   sets: tg log session request s8 out; defines: median
bash .ci/build build >/dev/null
tg=./build/src/tracegrep
mkdir -p bench/data
log=bench/data/scan-$bytes.log
if [ ! -s "$log" ]; then
  ./build/bench/tracegrep-loggen --bytes "$bytes" --seed 7 --print-ids >"$log" 2>"$log.ids"
fi
read -r session request <"$log.ids"
s8=${session:0:8}
cat "$log" >/dev/null  # warm the page cache: every tool reads from memory
out=bench/data/out.tmp  # not /dev/null: GNU grep stops at the first match when it sees that
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
