#!/usr/bin/env python3
"""Checks gaggle's lock annotations with clang, whatever compiler builds gaggle.

    check_thread_safety.py [--clang CLANG++] [--jobs N] [--only TEXT] BUILD_DIR

GUARDED_BY, REQUIRES, EXCLUDES... (src/common/thread_annotations.h) mean something
only to clang's -Wthread-safety, and the project builds with g++. This runs
`clang++ -fsyntax-only -Wthread-safety -Werror=thread-safety` over every translation
unit in BUILD_DIR/compile_commands.json (library, tests, benchmarks; each file of a unity
batch on its own) whose project includes reach src/common/mutex.h, with that unit's own
include paths, defines and language standard, and fails on any diagnostic clang prints. CTest runs it as
ThreadSafetyAnnotations (CMakeLists.txt), so `make test` fails on a wrong access.
--only TEXT checks only the units whose path contains TEXT (while working on one file).
A clean unit is remembered in a cache (GAGGLE_CHECK_CACHE, default ~/.cache/gaggle/thread-safety)
under a hash of clang's version, the unit's flags with the checkout's path taken out, and the
bytes of every project file it includes: an unchanged unit is not checked again, in this
checkout or in CI's next fresh clone. --no-cache checks every unit.
Exit status: 0 clean, 1 findings, 2 cannot run (no clang++, no compile_commands.json).
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

MUTEX_HEADER = os.path.join("common", "mutex.h")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
# A unity batch (cmake/unity.cmake): BUILD/unity/TARGET_N.cc, one `#include "dir/file.cc"`
# (relative to src/) per source file it compiles.
UNITY_BATCH_RE = re.compile(r"/unity/\w+_\d+\.cc$")
UNITY_INCLUDE_RE = re.compile(r'^#include "([^"]+\.cc)"$', re.MULTILINE)


def unit_sources(entry, src_root):
    """The source files one compile command compiles: its own file, or every file of a unity
    batch, so that each is still checked alone (and a batch's files do not hide each other)."""
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    if not UNITY_BATCH_RE.search(path):
        return [path]
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [os.path.normpath(os.path.join(src_root, p)) for p in UNITY_INCLUDE_RE.findall(f.read())]
    except OSError:
        return []


def project_includes(path, src_root, cache):
    """The project headers `path` includes directly (resolved like the build: src/, then its own folder)."""
    if path in cache:
        return cache[path]
    found = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    for name in INCLUDE_RE.findall(text):
        for base in (src_root, os.path.dirname(path)):
            candidate = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(candidate):
                found.append(candidate)
                break
    cache[path] = found
    return found


def reaches(path, target, src_root, cache):
    """True when `path`'s project include closure contains `target`."""
    stack, seen = [path], set()
    while stack:
        p = stack.pop()
        if p == target:
            return True
        if p in seen:
            continue
        seen.add(p)
        stack.extend(project_includes(p, src_root, cache))
    return False


def include_closure(path, src_root, cache):
    """Every project file `path` reaches through its includes, itself included, sorted."""
    stack, seen = [path], set()
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(project_includes(p, src_root, cache))
    return sorted(seen)


def unit_key(clang_version, entry, source_root, src_root, cache):
    """The cache key of one unit: what decides clang's verdict, independent of the checkout's path."""
    h = hashlib.sha256(clang_version.encode())
    for flag in clang_flags(entry):
        h.update(b"\0flag:" + flag.replace(source_root, "<src>").encode())
    for f in include_closure(entry["file"], src_root, cache):
        h.update(b"\0file:" + os.path.relpath(f, source_root).encode() + b"\0")
        with open(f, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def clang_flags(entry):
    """Include paths, defines and the standard from one compile command; nothing else
    (g++'s warning flags and precompiled headers mean nothing to clang)."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    keep, i = [], 1
    while i < len(args):
        a = args[i]
        if a in ("-I", "-isystem", "-D", "-iquote") and i + 1 < len(args):
            keep += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(("-I", "-D", "-std=", "-isystem")):
            keep.append(a)
        i += 1
    return keep


def check(clang, entry):
    cmd = [clang, "-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety"] + clang_flags(entry) + [entry["file"]]
    proc = subprocess.run(cmd, cwd=entry["directory"], capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).strip()
    return entry["file"], proc.returncode, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("--clang", default=os.environ.get("CLANGXX", "clang++"))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("GAGGLE_CHECK_JOBS", "2")))
    parser.add_argument("--only", default="", help="check only units whose path contains this text")
    parser.add_argument("--no-cache", action="store_true", help="check every unit, remember nothing")
    opts = parser.parse_args()

    clang = shutil.which(opts.clang)
    if not clang:
        print(f"check_thread_safety: {opts.clang} not found; install clang (scripts/install-deps.sh)", file=sys.stderr)
        return 2
    db_path = os.path.join(opts.build_dir, "compile_commands.json")
    try:
        with open(db_path, encoding="utf-8") as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_thread_safety: cannot read {db_path}: {e} (configure with cmake first)", file=sys.stderr)
        return 2

    source_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src_root = os.path.join(source_root, "src")
    target = os.path.normpath(os.path.join(src_root, MUTEX_HEADER))
    cache, units = {}, []
    for entry in entries:
        for path in unit_sources(entry, src_root):
            if not path.startswith(source_root + os.sep) or opts.only not in path:
                continue  # generated files (precompiled header stubs, the dashboard's data), or not asked for
            if reaches(path, target, src_root, cache):
                units.append(dict(entry, file=path))
    if not units:
        print(f"check_thread_safety: no translation unit in {db_path} includes {MUTEX_HEADER}", file=sys.stderr)
        return 2

    cache_dir = None if opts.no_cache else os.environ.get(
        "GAGGLE_CHECK_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "gaggle", "thread-safety"))
    version = subprocess.run([clang, "--version"], capture_output=True, text=True).stdout
    keys = {u["file"]: unit_key(version, u, source_root, src_root, cache) for u in units}
    todo = [u for u in units if not (cache_dir and os.path.exists(os.path.join(cache_dir, keys[u["file"]])))]

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for path, code, out in pool.map(lambda e: check(clang, e), todo):
            if code != 0 or out:
                failed += 1
                print(f"--- {os.path.relpath(path, source_root)}\n{out}\n")
            elif cache_dir:
                remember(cache_dir, keys[path])
    print(f"check_thread_safety: {len(units)} translation units, {len(units) - len(todo)} unchanged since a clean "
          f"check, {len(todo)} checked with {clang}, {failed} with findings")
    return 1 if failed else 0


def remember(cache_dir, key):
    """Marks a unit clean; a cache that cannot be written only costs the next run time."""
    try:
        os.makedirs(cache_dir, exist_ok=True)
        with open(os.path.join(cache_dir, key), "w", encoding="utf-8"):
            pass
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
