# Sourced by the bench scripts: builds tracegrep, makes (once) the
# deterministic log of $bytes bytes (loggen's extra arguments in $gen_args,
# its name from $log_name), and defines what they share.
#   sets: tg log session request s8 out; defines: median, time_commands
#   TRACEGREP=PATH times another tracegrep binary (an older build, to compare).
# need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing
# (the competitors: ripgrep, jq, lnav), as root or through sudo.
need() {
  command -v "$1" >/dev/null && return
  echo "installing $2" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}
bash .ci/build build >/dev/null
tg=${TRACEGREP:-./build/src/tracegrep}
mkdir -p bench/data
if [ "${bytes:-0}" != 0 ]; then  # bytes=0: the script makes inputs of its own
  log=bench/data/${log_name:-scan}-$bytes.log
  if [ ! -s "$log" ]; then
    # shellcheck disable=SC2086
    ./build/bench/tracegrep-loggen --bytes "$bytes" ${gen_args:---seed 7} --print-ids >"$log" 2>"$log.ids"
  fi
  read -r session request <"$log.ids"
  s8=${session:0:8}
  cat "$log" >/dev/null  # warm the page cache: every tool reads from memory
fi
out=bench/data/out.tmp  # not /dev/null: GNU grep stops at the first match when it sees that
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# add NAME COMMAND: one row of the table (names[] and cmds[]).
names=()
cmds=()
add() { names+=("$1"); cmds+=("$2"); }

# print_table TITLE: the medians of time_commands, in ms, one row per command.
print_table() {
  local i
  printf '%-28s %10s\n' "$1" "ms"
  for i in "${!cmds[@]}"; do
    printf '%-28s %10.1f\n' "${names[$i]}" "$(echo "${med[$i]} / 1000" | bc -l)"
  done
}

# time_commands RUNS: runs each of cmds[] RUNS times, interleaved, and sets
# med[i] to the median wall time of cmds[i] in microseconds. EPOCHREALTIME
# is read without forking a `date`.
time_commands() {
  local runs=$1 r i t0 t1
  declare -gA med
  declare -A samples
  for ((r = 0; r < runs; r++)); do
    for i in "${!cmds[@]}"; do
      t0=${EPOCHREALTIME/./}
      eval "${cmds[$i]}" >"$out"
      t1=${EPOCHREALTIME/./}
      samples[$i]+="$((t1 - t0)) "
    done
  done
  for i in "${!cmds[@]}"; do med[$i]=$(echo "${samples[$i]}" | median); done
}
