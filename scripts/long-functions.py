#!/usr/bin/env python3
"""Lists the functions of src/ longer than a limit, longest first (house style: under ~100
lines, hard limit 120).

Usage: long-functions.py [LIMIT] [--skip DIR,DIR]    (LIMIT defaults to 100)

A heuristic, not a parser: comments and string literals are blanked, then braces are
counted. A brace block whose header ends like a function signature ("...) const {") and
that is not inside another function is a function; its length runs from the line of its
opening brace to the line of its closing brace (lambdas count toward their function).
Tests (*_test.cc), fuzz targets (*_fuzz.cc) and test helpers (*test_util.h) are skipped.
"""

import os
import re
import sys

CONTROL = re.compile(r"^(if|for|while|switch|catch|else|do)\b")
CONTROL_CALL = re.compile(r"\b(if|for|while|switch|catch)\s*\(")
SIGNATURE_END = re.compile(r"\)\s*(const|override|final|noexcept|mutable|->[^{]*|\s)*$")


def blank(text):
    """Comments and string/char literals replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i) and re.match(r'R"([^(]*)\(', text[i:]):
            delim = re.match(r'R"([^(]*)\(', text[i:]).group(1)
            j = text.find(")" + delim + '"', i)
            j = n if j < 0 else j + len(delim) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(quote + re.sub(r"[^\n]", " ", text[i + 1:j]) + quote)
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def functions(path):
    """Yields (first line, length in lines, signature) of each outermost function."""
    s = blank(open(path, encoding="utf-8", errors="replace").read())
    stack = []  # (offset of '{', header, is a function)
    for m in re.finditer(r"[{};]", s):
        if m.group() == "{":
            k = max(s.rfind(";", 0, m.start()), s.rfind("{", 0, m.start()), s.rfind("}", 0, m.start()))
            head = s[k + 1:m.start()].strip()
            last = head.split("\n")[-1]
            is_function = bool(SIGNATURE_END.search(head)) and not CONTROL.match(head) and not CONTROL_CALL.search(last)
            stack.append((m.start(), head, is_function))
        elif m.group() == "}" and stack:
            start, head, is_function = stack.pop()
            if is_function and not any(f for _, _, f in stack):
                first = s.count("\n", 0, start) + 1
                length = s.count("\n", 0, m.start()) + 1 - first + 1
                yield first, length, re.sub(r"\s+", " ", head)


def main(argv):
    args = argv[1:]
    skip = set()
    if "--skip" in args:
        i = args.index("--skip")
        skip = set(args[i + 1].split(","))
        del args[i:i + 2]
    limit = int(args[0]) if args else 100
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    found = []
    for dirpath, _, names in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        if rel_dir.split(os.sep)[0] in skip:
            continue
        for name in names:
            if not name.endswith((".h", ".cc")) or name.endswith(("_test.cc", "_fuzz.cc", "test_util.h")):
                continue
            path = os.path.join(dirpath, name)
            for first, length, head in functions(path):
                if length > limit:
                    found.append((length, f"src/{os.path.relpath(path, src)}:{first}", head[-100:]))
    for length, where, head in sorted(found, reverse=True):
        print(f"{length:5d}  {where}  {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
