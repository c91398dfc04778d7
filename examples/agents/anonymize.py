#!/usr/bin/env python3
"""Example external gaggle agent (protocol v1, see docs/agent-protocol.md).

Pseudonymises one column of every record with a salted SHA-256 and passes the other
columns through. Records without the column (or with a null) go to the dead-letter file.
Reads JSON lines or CSV sources; writes JSON lines, which gaggle converts to the target
format. Standard library only.

Spec usage:
    agent: {exec: ./anonymize.py, version: "1.0.0", args: ["--column", "user_id"]}
Environment:
    ANONYMIZE_SALT      salt for the hash (default "gaggle")
    ANONYMIZE_SLEEP     seconds to sleep before starting (to demonstrate timeouts)
    ANONYMIZE_FAIL      "retryable" or "permanent": fail on purpose with that exit code
"""
import argparse
import csv
import hashlib
import json
import os
import sys
import time

EXIT_RETRYABLE = 75
EXIT_PERMANENT = 1


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def read_records(path, fmt):
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)
    elif fmt == "csv":
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                yield {k: (None if v == "" else v) for k, v in row.items()}
    else:
        raise ValueError("anonymize.py reads jsonl or csv sources, not " + fmt)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--column", default="user_id", help="column to pseudonymise")
    args = parser.parse_args()

    task = json.loads(sys.stdin.readline())
    if task.get("protocol") != 1:
        print("unsupported protocol %r" % task.get("protocol"), file=sys.stderr)
        return EXIT_PERMANENT
    delay = float(os.environ.get("ANONYMIZE_SLEEP", "0"))
    if delay:
        time.sleep(delay)
    fail = os.environ.get("ANONYMIZE_FAIL", "")
    if fail == "retryable":
        print("failing on purpose (retryable)", file=sys.stderr)
        return EXIT_RETRYABLE
    if fail == "permanent":
        print("failing on purpose (permanent)", file=sys.stderr)
        return EXIT_PERMANENT

    salt = os.environ.get("ANONYMIZE_SALT", "gaggle").encode()
    out_dir = task["target"]["directory"]
    counts = {"rows_in": 0, "rows_out": 0, "dead_lettered": 0, "filtered": 0}
    with open(task["dead_letter_path"], "a", encoding="utf-8") as dlq:
        for source in task["source"]["files"]:
            rel = source["relative_path"] or os.path.basename(source["path"])
            out_rel = os.path.splitext(rel)[0] + ".jsonl"
            out_path = os.path.join(out_dir, out_rel)
            os.makedirs(os.path.dirname(out_path), exist_ok=True)
            with open(out_path, "w", encoding="utf-8") as out:
                for row, record in enumerate(read_records(source["path"], source["format"])):
                    counts["rows_in"] += 1
                    value = record.get(args.column)
                    if value is None:
                        dlq.write(json.dumps({"file": rel, "row": row,
                                              "reason": "column '%s' missing or null" % args.column,
                                              "record": record}) + "\n")
                        counts["dead_lettered"] += 1
                        continue
                    digest = hashlib.sha256(salt + str(value).encode()).hexdigest()[:16]
                    record[args.column] = "anon-" + digest
                    out.write(json.dumps(record) + "\n")
                    counts["rows_out"] += 1
                    if counts["rows_in"] % 10000 == 0:
                        emit({"type": "progress", "rows": counts["rows_in"]})
    emit(dict(type="result", message="anonymised column " + args.column, **counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
