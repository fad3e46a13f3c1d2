#!/usr/bin/env python3
"""Writes librdkafka's tests/test.c to OUT keeping only the chosen tests in
its registration (the _TEST_DECL lines and the entries of the tests[]
table), so the runner links with only those test files compiled in.

Usage: select.py TEST_C OUT NNNN [NNNN...]   (test numbers: 0001 0022 ...)
"""
import re
import sys


def entry_end(text, start):
    """Index just past the _TEST(...) entry starting at start, with its comma."""
    depth = 0
    i = start
    while True:
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                i += 1
                break
        i += 1
    m = re.compile(r"\s*,").match(text, i)
    return m.end() if m else i


def main():
    src, out, chosen = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    text = open(src, encoding="utf-8").read()
    keep = lambda name: name[:4] in chosen
    text = re.sub(r"^_TEST_DECL\((\w+)\);\n",
                  lambda m: m.group(0) if keep(m.group(1)) else "",
                  text, flags=re.M)
    table = text.index("struct test tests[] = {")
    pieces, pos, kept = [], table, set()
    pat = re.compile(r"^\s*_TEST\((\w+)", re.M)
    while True:
        m = pat.search(text, pos)
        if not m:
            break
        start = m.start()
        end = entry_end(text, text.index("(", m.start()))
        pieces.append(text[pos:start])
        if keep(m.group(1)):
            pieces.append(text[start:end])
            kept.add(m.group(1)[:4])
        pos = end
    pieces.append(text[pos:])
    missing = chosen - kept
    if missing:
        sys.exit("select.py: not in test.c: " + " ".join(sorted(missing)))
    with open(out, "w", encoding="utf-8") as f:
        f.write(text[:table] + "".join(pieces))


main()
