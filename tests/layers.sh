#!/usr/bin/env bash
# The stages' layers, checked on the includes: each folder of src/ may
# include only the folders listed for it (and the public tracegrep/ headers).
# A new dependency is a decision: add it here, with ARCHITECTURE.md.
#   tests/layers.sh SRC_DIR
set -euo pipefail
src="${1:-src}"
declare -A allowed=(
  [util]=""
  [format]="util"
  [emit]="util"
  [parse]="util"
  [match]="parse util"
  [report]="print"
  [source]="parse report util"
  [timeline]=""
  [print]="parse timeline util"
  [index]="parse source report timeline util"
  [search]="source parse match print report index util"
  [cli]="search source parse match print report index timeline util"
)
bad=0
for dir in "$src"/*/; do
  stage=$(basename "$dir")
  if [ -z "${allowed[$stage]+set}" ]; then
    echo "src/$stage: a folder tests/layers.sh does not know: add its allowed dependencies"
    bad=1
    continue
  fi
  while IFS= read -r line; do
    file=${line%%:*}
    dep=$(echo "$line" | sed -E 's/.*#include "([a-z_]+)\/.*/\1/')
    [ "$dep" = "$stage" ] || [ "$dep" = tracegrep ] && continue
    case " ${allowed[$stage]} " in
      *" $dep "*) ;;
      *) echo "$file includes $dep/: not allowed for $stage/ (${allowed[$stage]:-nothing})"; bad=1 ;;
    esac
  done < <(grep -Hn '#include "[a-z_]*/' "$dir"*.cpp "$dir"*.hpp 2>/dev/null || true)
done
# source/ yields bytes and lines; it never drives the assembler.
if grep -ln 'parse/assembler.hpp' "$src"/source/* 2>/dev/null; then
  echo "source/ includes the assembler: lines go to a LineSink"
  bad=1
fi
[ "$bad" = 0 ] && echo "layers: every include of src/ is allowed"
exit "$bad"
