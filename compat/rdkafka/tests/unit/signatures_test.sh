#!/bin/sh
# Every function our rdkafka.h and rdkafka_mock.h declare has librdkafka
# 2.0.2's prototype: Debian's declarations of those functions, compiled after
# ours, must not conflict (an ABI fact the symbol check cannot see).
# Usage: signatures_test.sh INCLUDE_DIR (the directory holding librdkafka/).
set -u
inc=${1:?usage: signatures_test.sh INCLUDE_DIR}
debian=/usr/include/librdkafka
for f in "$debian/rdkafka.h" "$debian/rdkafka_mock.h"; do
    [ -f "$f" ] || { echo "FAIL: $f not found (scripts/install-deps installs librdkafka-dev)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$inc" "$debian" "$tmp/check.c" <<'PY' || exit 1
import re, subprocess, sys
inc, debian, out = sys.argv[1:]

def decls(incdir):
    """Function declarations rd_kafka_* by name, from the preprocessed headers."""
    cmd = ['cc', '-E', '-P', '-I', incdir, '-include', incdir + '/librdkafka/rdkafka.h',
           '-include', incdir + '/librdkafka/rdkafka_mock.h', '-x', 'c', '/dev/null']
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        print('FAIL: ' + ' '.join(cmd) + ':\n' + run.stderr)
        sys.exit(1)
    src = run.stdout
    found, depth, cur = {}, 0, ''
    for ch in src:
        cur += ch
        if ch in '{(':
            depth += 1
        elif ch in '})':
            depth -= 1
        elif ch == ';' and depth == 0:
            d, cur = ' '.join(cur.split()), ''
            m = re.search(r'\b(rd_kafka_\w+)\s*\(', d)
            if m and not d.startswith('typedef') and '{' not in d:
                found[m.group(1)] = d
    return found

ours = decls(inc)
theirs = decls(debian.rsplit('/librdkafka', 1)[0])
extra = sorted(set(ours) - set(theirs))
if extra:
    print('FAIL: declared by ours, not by librdkafka 2.0.2: ' + ' '.join(extra))
    sys.exit(1)
with open(out, 'w') as f:
    f.write('#include <librdkafka/rdkafka.h>\n#include <librdkafka/rdkafka_mock.h>\n')
    for name in sorted(ours):
        f.write('#line 1 "%s"\n%s\n' % (name, theirs[name]))
print('%d declarations to compare' % len(ours))
PY
if cc -std=gnu11 -fsyntax-only -I"$inc" "$tmp/check.c" 2>"$tmp/err"; then
    echo "ok: every declared function has librdkafka 2.0.2's prototype"
    exit 0
fi
echo "FAIL: prototypes that differ from librdkafka 2.0.2's:"
grep -E '^rd_kafka_\w+:[0-9]+:[0-9]+: error' "$tmp/err" | cut -d: -f1 | sort -u | sed 's/^/    /'
sed 's/^/    /' "$tmp/err" | head -40
exit 1
