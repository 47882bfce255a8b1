#!/usr/bin/env bash
# Builds the line readers' fuzzer with clang's libFuzzer (Debian's clang),
# ASan and UBSan, and runs it for SECONDS (default 60) on a corpus seeded
# from testdata/. A crash leaves its input in build-fuzz/ and exits 1.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=build-fuzz
mkdir -p "$out/corpus"
command -v clang++ >/dev/null || { echo "tests/fuzz/run.sh: needs clang (apt-get install clang)" >&2; exit 2; }
src=(src/parse/header.cpp src/parse/entry.cpp src/parse/boundary.cpp src/parse/fields.cpp
     src/parse/structured.cpp src/parse/log_format.cpp src/format/format.cpp
     src/print/entry_json.cpp src/print/escape.cpp)
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -DFMT_HEADER_ONLY -Iinclude -Isrc tests/fuzz/parse_fuzz.cpp "${src[@]}" -lsimdjson -o "$out/parse_fuzz"
# Seeds: real lines of every layout.
i=0
for f in testdata/*.log testdata/edge/*.log testdata/layouts/*.log; do
  [ -f "$f" ] || continue
  head -c 4096 "$f" >"$out/corpus/seed-$i"
  i=$((i + 1))
done
"$out/parse_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" "$out/corpus" 2>&1 | tail -n 5
