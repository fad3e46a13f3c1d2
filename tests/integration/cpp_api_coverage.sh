#!/bin/sh
# Every function kfk.h declares has its C++ form: kfk.hpp calls it.
# Usage: cpp_api_coverage.sh <source dir>. Prints the uncovered ones; fails if any.
set -eu
src=${1:-.}
fns=$(grep -E '^(KFK_API )?[a-z][a-z0-9_ *]*[ *]kfk_[a-z0-9_]+\(' "$src/include/kfk.h" |
      grep -v '^typedef' | sed -E 's/^.*[ *](kfk_[a-z0-9_]+)\(.*/\1/' | sort -u)
total=0 missing=""
for f in $fns; do
    total=$((total + 1))
    grep -qw "$f" "$src/include/kfk.hpp" || missing="$missing $f"
done
[ "$total" -gt 100 ] || { echo "only $total functions found in kfk.h: the pattern broke" >&2; exit 1; }
if [ -n "$missing" ]; then
    echo "kfk.hpp lacks:$missing" >&2
    exit 1
fi
echo "kfk.hpp covers all $total functions of kfk.h"
