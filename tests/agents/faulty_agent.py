#!/usr/bin/env python3
"""A protocol-v1 agent that copies JSON-lines records unchanged — except for the one
dataset named by FAULTY_DATASET, where it commits the fault FAULTY_KIND, the way a buggy
or careless real agent would. The gates must catch every one of these.

  drop-rows      loses every 10th record and claims it read only what it wrote
  corrupt-value  changes one value of one column in one record
  shift          adds 500 to every amount (a shifted distribution)
  schema         renames a column in its output
  dead-letters   dead-letters 5% of the records (honestly reported)
  source-change  rewrites its own source after migrating it, once (an upstream writer
                 changing the data mid-migration); marker file FAULTY_MARKER
Standard library only.
"""
import json
import os
import sys


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    task = json.loads(sys.stdin.readline())
    dataset = task["dataset"]
    kind = os.environ.get("FAULTY_KIND", "") if dataset == os.environ.get("FAULTY_DATASET") else ""
    out_dir = task["target"]["directory"]
    rows_in = rows_out = dead = 0
    dlq = open(task["dead_letter_path"], "w", encoding="utf-8")
    for f in task["source"]["files"]:
        rel = f["relative_path"] or os.path.basename(f["path"])
        out_path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(out_path), exist_ok=True)
        if not out_path.endswith(".jsonl"):
            out_path = os.path.splitext(out_path)[0] + ".jsonl"
        with open(f["path"], encoding="utf-8") as src, open(out_path, "w", encoding="utf-8") as out:
            for row, line in enumerate(src):
                if not line.strip():
                    continue
                rec = json.loads(line)
                rows_in += 1
                if kind == "drop-rows" and row % 10 == 9:
                    rows_in -= 1  # the lie: the dropped record is not reported at all
                    continue
                if kind == "dead-letters" and row % 20 == 7:
                    dlq.write(json.dumps({"file": rel, "row": row, "reason": "refused", "record": rec}) + "\n")
                    dead += 1
                    continue
                if kind == "corrupt-value" and row == 3:
                    rec["session"] = "corrupted"
                if kind == "shift" and isinstance(rec.get("amount"), str):
                    try:
                        rec["amount"] = "%.2f" % (float(rec["amount"]) + 500)
                    except ValueError:
                        pass
                if kind == "schema":
                    rec["country_code"] = rec.pop("country", None)
                out.write(json.dumps(rec) + "\n")
                rows_out += 1
    dlq.close()
    if kind == "source-change":
        marker = os.environ["FAULTY_MARKER"]
        if not os.path.exists(marker):
            open(marker, "w").close()
            src = task["source"]["files"][0]["path"]
            with open(src, "a", encoding="utf-8") as f:
                f.write(json.dumps({"user_id": 1, "ts": "2024-01-01T00:00:00Z", "amount": "1.00",
                                    "legacy_flag": False, "country": "DE", "session": "late"}) + "\n")
    emit({"type": "result", "rows_in": rows_in, "rows_out": rows_out, "dead_lettered": dead, "filtered": 0,
          "message": "copied" + (" with fault " + kind if kind else "")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
