#!/bin/sh
# Our headers' constants (enumerators and numeric RD_KAFKA_* macros) have
# librdkafka 2.0.2's values, and the structs programs read directly
# (messages, partition lists, metadata, groups, producev's rd_kafka_vu_t)
# its size and field offsets and sizes: each side's values are printed by a
# program built against its header, and compared.
# Usage: layout_test.sh INCLUDE_DIR (the directory holding librdkafka/).
set -u
inc=${1:?usage: layout_test.sh INCLUDE_DIR}
[ -f /usr/include/librdkafka/rdkafka.h ] ||
    { echo "FAIL: /usr/include/librdkafka/rdkafka.h not found (scripts/install-deps installs librdkafka-dev)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$inc" /usr/include "$tmp" <<'PY'
import re, subprocess, sys
inc, debinc, tmp = sys.argv[1:]


def preprocess(incdir, flags):
    cmd = ['cc', '-E'] + flags + ['-I', incdir, '-include', incdir + '/librdkafka/rdkafka.h',
                                  '-include', incdir + '/librdkafka/rdkafka_mock.h',
                                  '-x', 'c', '/dev/null']
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        print('FAIL: ' + ' '.join(cmd) + ':\n' + run.stderr)
        sys.exit(1)
    return run.stdout


def top_level_fields(body):
    """Names of a struct body's own fields (not those of nested unions)."""
    fields, depth, cur = [], 0, ''
    for ch in body:
        depth += {'{': 1, '}': -1}.get(ch, 0)
        cur += ch
        if ch == ';' and depth == 0:
            decl, cur = re.sub(r'\[[^\]]*\]', '', cur).strip(), ''
            if '(*' in decl.replace(' ', ''):  # a function pointer
                m = re.search(r'\(\s*\*\s*(\w+)\s*\)', decl)
            else:
                m = re.search(r'(\w+)\s*;$', decl)
            if m:
                fields.append(m.group(1))
    return fields


def facts(incdir):
    """Numeric macros and enumerators by name; rd_kafka structs' fields."""
    src = preprocess(incdir, ['-P'])
    consts = set()
    for line in preprocess(incdir, ['-dM']).splitlines():
        m = re.match(r'#define (RD_KAFKA_\w+) ([-+()0-9xXa-fA-FuUlL ]+)$', line)
        if m:
            consts.add(m.group(1))
    for body in re.findall(r'\benum\b[^{;]*\{([^}]*)\}', src):
        for item in body.split(','):
            m = re.match(r'\s*(RD_KAFKA_\w+)', item)
            if m:
                consts.add(m.group(1))
    structs = {}
    for m in re.finditer(r'(typedef\s+)?struct\s+(\w*)\s*\{', src):
        i, depth = m.end(), 1
        while depth:
            depth += {'{': 1, '}': -1}.get(src[i], 0)
            i += 1
        if m.group(1):
            n = re.match(r'\s*(\w+)\s*;', src[i:])
            name = n.group(1) if n else None
        else:
            name = 'struct ' + m.group(2) if re.match(r'\s*;', src[i:]) else None
        if name and 'rd_kafka' in name:
            structs[name] = top_level_fields(src[m.end():i - 1])
    return consts, structs


ours_consts, ours_structs = facts(inc)
lib_consts, lib_structs = facts(debinc)
consts = sorted(ours_consts & lib_consts)
types = sorted(set(ours_structs) & set(lib_structs))
lacking = ['%s.%s' % (t, f) for t in types for f in lib_structs[t] if f not in ours_structs[t]]


def values(incdir, name):
    src, exe = '%s/%s.c' % (tmp, name), '%s/%s' % (tmp, name)
    with open(src, 'w') as f:
        f.write('#include <stdio.h>\n#include <stddef.h>\n#include <librdkafka/rdkafka.h>\n'
                '#include <librdkafka/rdkafka_mock.h>\nint main(void) {\n')
        for c in consts:
            f.write('    printf("%%s %%lld\\n", "%s", (long long)(%s));\n' % (c, c))
        for t in types:
            f.write('    printf("sizeof(%s) %%zu\\n", sizeof(%s));\n' % (t, t))
            for fld in lib_structs[t]:
                if fld in ours_structs[t]:
                    f.write('    printf("offsetof(%s, %s) %%zu size %%zu\\n", offsetof(%s, %s), '
                            'sizeof(((%s *)0)->%s));\n' % (t, fld, t, fld, t, fld))
        f.write('    return 0;\n}\n')
    run = subprocess.run(['cc', '-std=gnu11', '-w', '-I', incdir, src, '-o', exe],
                         capture_output=True, text=True)
    if run.returncode:
        print('FAIL: compiling against %s:\n%s' % (incdir, run.stderr[:3000]))
        sys.exit(1)
    return subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()


differ = [(a, b) for a, b in zip(values(inc, 'ours'), values(debinc, 'librdkafka')) if a != b]
print('%d constants and %d struct types compared' % (len(consts), len(types)))
for a, b in differ:
    print('FAIL: ours %-58s librdkafka %s' % (a, b))
if lacking:
    print('FAIL: fields librdkafka has and ours lacks: ' + ' '.join(lacking))
sys.exit(1 if differ or lacking else 0)
PY
