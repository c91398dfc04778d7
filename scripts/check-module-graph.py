#!/usr/bin/env python3
"""Checks the include graph of src/ against the module order in src/MODULES.

Usage: check-module-graph.py [SRC_DIR] [--graph]

Every `#include "m/..."` in a non-test source file (*.h, *.cc, excluding *_test.cc,
*_fuzz.cc and *test_util.h) must name the file's own module or one ranked above it in
src/MODULES. A file in (or an include of) a folder that src/MODULES does not list fails
too, so a new module is placed in the order deliberately. Each violation is printed as
  src/FILE:LINE: MODULE includes HIGHER ("HEADER"): HIGHER is above MODULE in src/MODULES
and the exit status is 1. `allow FILE MODULE` lines in src/MODULES excuse one file's
includes of one module; an entry that excuses nothing fails as stale.
--graph prints the module graph (module -> the modules it includes) and exits 0.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
TEST_SUFFIXES = ("_test.cc", "_fuzz.cc", "test_util.h")


class Order:
    def __init__(self):
        self.rank = {}  # module -> rank (0 = lowest)
        self.allow = {}  # (file relative to src, module) -> line in MODULES
        self.errors = []

    @staticmethod
    def read(path):
        order = Order()
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.split("#", 1)[0].split()
                if not line:
                    continue
                if line[0] == "allow":
                    if len(line) != 3:
                        order.errors.append(f"{path}:{n}: expected 'allow FILE MODULE'")
                    else:
                        order.allow[(line[1], line[2])] = n
                    continue
                rank = len(set(order.rank.values()))
                for module in line:
                    if module in order.rank:
                        order.errors.append(f"{path}:{n}: module '{module}' is listed twice")
                    order.rank[module] = rank
        if not order.rank:
            order.errors.append(f"{path}: lists no modules")
        return order


def is_checked(name):
    return name.endswith((".h", ".cc")) and not name.endswith(TEST_SUFFIXES)


def included_module(src, file_dir, header):
    """The module a quoted include names, or None when it stays in the including folder."""
    if "/" not in header:
        return None  # same directory as the includer
    if header.startswith("."):
        resolved = os.path.normpath(os.path.join(file_dir, header))
        rel = os.path.relpath(resolved, src)
        return rel.split(os.sep)[0] if not rel.startswith("..") else ".."
    return header.split("/")[0]


def scan(src):
    """Yields (file relative to src, line number, its module, included module, header)."""
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            if not is_checked(name):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            module = rel.split(os.sep)[0] if os.sep in rel else ""
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = included_module(src, dirpath, m.group(1))
                    if target is not None and target != module:
                        yield rel, n, module, target, m.group(1)
            if module == "":
                yield rel, 0, module, None, None


def check(src, modules_path):
    order = Order.read(modules_path)
    problems = list(order.errors)
    used_allows = set()
    unknown_reported = set()
    for rel, n, module, target, header in scan(src):
        where = f"src/{rel}:{n}"
        if module == "":
            if target is None:
                problems.append(f"src/{rel}: a source file directly in src/ belongs to no module")
            continue
        if module not in order.rank:
            if module not in unknown_reported:
                unknown_reported.add(module)
                problems.append(f"src/{rel}: module '{module}' is not in src/MODULES (place it in the order)")
            continue
        if target is None:
            continue
        if target not in order.rank:
            problems.append(f"{where}: {module} includes '{header}' from '{target}', which is not in src/MODULES")
            continue
        if order.rank[target] < order.rank[module]:
            continue
        if (rel, target) in order.allow:
            used_allows.add((rel, target))
            continue
        how = "a peer of" if order.rank[target] == order.rank[module] else "above"
        problems.append(f'{where}: {module} includes {target} ("{header}"): {target} is {how} {module} in src/MODULES')
    for (rel, target), n in sorted(order.allow.items()):
        if (rel, target) not in used_allows:
            problems.append(f"{modules_path}:{n}: stale 'allow {rel} {target}': no such upward include remains")
    return problems


def graph(src):
    edges = {}
    for rel, n, module, target, header in scan(src):
        if target is not None:
            edges.setdefault(module, set()).add(target)
    return edges


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    src = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src"))
    modules_path = os.path.join(src, "MODULES")
    if "--graph" in argv:
        order = Order.read(modules_path)
        key = lambda m: (order.rank.get(m, 1 << 20), m)
        for module, targets in sorted(graph(src).items(), key=lambda kv: key(kv[0])):
            print(f"{module} -> {' '.join(sorted(targets, key=key))}")
        return 0
    problems = check(src, modules_path)
    for p in problems:
        print(p)
    if problems:
        print(f"module graph: {len(problems)} problem(s); the order is in src/MODULES")
        return 1
    print("module graph: every include follows src/MODULES")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
