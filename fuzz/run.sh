#!/usr/bin/env bash
# Builds the fuzz targets (clang's libFuzzer, ASan, UBSan; -DTRACEGREP_FUZZ=ON
# in build-fuzz/) and runs each on its corpus, seeded from testdata/, with
# the format's dictionary. Stops at the first target that finds a crash or a
# broken property: its input is left in build-fuzz/artifacts/, exit 1.
#   fuzz/run.sh                          every target, 20,000 runs each (CI's smoke)
#   fuzz/run.sh -runs=10000000 [TARGET...]  a campaign (fuzz/README.md)
# Targets: header layouts assembler escape gzip timeline. Any libFuzzer
# option (-max_total_time=600, -jobs=2...) passes through.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(header layouts assembler escape gzip timeline)
targets=()
options=()
for a in "$@"; do
  case "$a" in
    -*) options+=("$a") ;;
    *) targets+=("$a") ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
[ ${#options[@]} -gt 0 ] || options=(-runs=20000)
command -v clang++ >/dev/null || { echo "fuzz/run.sh: needs clang (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
out=build-fuzz
CXX=clang++ cmake -S . -B "$out" -DTRACEGREP_FUZZ=ON -DTRACEGREP_BUILD_TESTS=OFF -DTRACEGREP_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j"$(nproc)" --target fuzz >/dev/null
mkdir -p "$out/artifacts"
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  if [ ! -d "$corpus" ]; then
    # Seeds: the start of every test log (the assembler's first 9 bytes
    # choose its read pieces and filter), and the gzip files.
    mkdir -p "$corpus"
    i=0
    for f in testdata/*.log testdata/edge/*.log testdata/layouts/*.log testdata/*.gz; do
      [ -f "$f" ] || continue
      if [ "$t" = assembler ]; then
        { printf '\x00\x00\x00\x00\x2a\x17\x05\x39\x36'; head -c 4096 "$f"; } >"$corpus/seed-$i"
      else
        head -c 4096 "$f" >"$corpus/seed-$i"
      fi
      i=$((i + 1))
    done
  fi
  # What earlier campaigns found (fixed since) goes into every run.
  for f in fuzz/regress/"$t"-*; do
    if [ -f "$f" ]; then cp "$f" "$corpus/regress-${f##*/}"; fi
  done
  log="$out/artifacts/$t.log"
  if ! "$out/fuzz/${t}_fuzz" -dict=fuzz/tracegrep.dict -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 "${options[@]}" "$corpus" >"$log" 2>&1; then
    grep -E "property broken|ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -n 20 "$log" >&2
    echo "fuzz/run.sh: $t failed; its input is in $out/artifacts/ (whole log: $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
  echo "fuzz: $t: $runs inputs, 0 crashes, $cov, $rate inputs/s"
done
