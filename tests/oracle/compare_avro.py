#!/usr/bin/python3
"""python3-avro as the oracle for the corpus test: compares Avro files with gaggle's reading.

  compare_avro.py PAIRS

PAIRS holds one line per pair: "SOURCE<TAB>OURS", where SOURCE is an Avro file from the corpus
and OURS is gaggle's JSON lines copy of it (gaggle convert SOURCE OURS.jsonl). python3-avro
reads SOURCE; both sides are brought to one canonical form, guided by the file's own schema:

  timestamps (any unit, local or not)  microseconds since the epoch
  date                                 days since 1970-01-01
  decimal                              the exact decimal text at the declared scale
  bytes, fixed (and duration)          lowercase hex
  float                                the 4-byte IEEE value; double: the 8-byte value (NaN = NaN)
  time-millis / time-micros            the underlying integer
  records                              flattened to dotted names ("addr.city"), as gaggle reads them
  arrays, maps                         lists and objects of canonical values
  general unions (2+ non-null types)   the canonical value of the branch: python3-avro's value
                                       under the branch its Python type matches, gaggle's
                                       struct {"member0": ..., "member1": ...} by its one set member

Rows are compared in order. Prints "ok SOURCE (N rows)" or "DIFF SOURCE: ..." (the first
differing row and column, both values) per pair; exits 1 when any pair differs, 3 when
python3-avro is missing. The xz codec, which python3-avro 1.11 lacks, is added here with
Python's own lzma module (the Avro specification's xz is the .xz container).
"""
import datetime
import decimal
import io
import json
import lzma
import math
import struct
import sys
import warnings

try:
    import avro.codecs
    import avro.datafile
    import avro.io
except ImportError:
    print("python3-avro is missing: install it with apt-get install python3-avro", file=sys.stderr)
    sys.exit(3)


class XzCodec(avro.codecs.Codec):
    @staticmethod
    def compress(data):
        out = lzma.compress(data)
        return out, len(out)

    @staticmethod
    def decompress(readers_decoder):
        length = readers_decoder.read_long()
        return avro.io.BinaryDecoder(io.BytesIO(lzma.decompress(readers_decoder.read(length))))


avro.codecs.KNOWN_CODECS.setdefault("xz", XzCodec)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_DATE = datetime.date(1970, 1, 1)


def iso_to_micros(text):
    """gaggle's timestamp text (YYYY-MM-DDTHH:MM:SS[.ffffff][Z]) -> microseconds since the epoch."""
    t = text[:-1] if text.endswith("Z") else text
    date_part, _, time_part = t.partition("T")
    negative_year = date_part.startswith("-")
    y, m, d = (int(x) for x in date_part.lstrip("-").split("-"))
    if negative_year:
        y = -y
    days = days_from_civil(y, m, d)
    hms, _, frac = time_part.partition(".")
    h, mi, s = (int(x) for x in hms.split(":"))
    micros = int((frac + "000000")[:6]) if frac else 0
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000) + micros


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def float_bits(v, fmt):
    if isinstance(v, str):
        v = float(v)  # gaggle writes NaN and infinities as "nan", "inf", "-inf"; float() reads them
    if math.isnan(v):
        return "nan"
    return struct.pack(fmt, v).hex()


def decimal_text(v, scale):
    if isinstance(v, str):
        v = decimal.Decimal(v)
    return format(v.quantize(decimal.Decimal(1).scaleb(-scale)), "f") if scale > 0 else format(v, "f")


class Canon:
    """Canonical values of one schema node, for python3-avro's value and for gaggle's JSON value."""

    def __init__(self, schema, names):
        self.names = names
        self.schema = self.resolve(schema)

    def resolve(self, s):
        if isinstance(s, str) and s in self.names:
            return self.names[s]
        if isinstance(s, dict):
            if s.get("type") in ("record", "error", "enum", "fixed") and "name" in s:
                self.names.setdefault(s["name"], s)
                ns = s.get("namespace")
                if ns:
                    self.names.setdefault(ns + "." + s["name"], s)
            if s.get("type") in ("record", "error"):
                for f in s["fields"]:
                    f["type"] = self.resolve(f["type"])
            if s.get("type") == "array":
                s["items"] = self.resolve(s["items"])
            if s.get("type") == "map":
                s["values"] = self.resolve(s["values"])
            if isinstance(s.get("type"), (dict, list)):
                return self.resolve(s["type"])
        if isinstance(s, list):
            return [self.resolve(b) for b in s]
        return s

    def theirs(self, s, v):
        """python3-avro's value -> canonical."""
        if v is None:
            return None
        if isinstance(s, list):
            branches = [b for b in s if not is_null_type(b)]
            if len(branches) == 1:
                return self.theirs(branches[0], v)
            return self.theirs(branch_of(branches, v), v)
        t = s if isinstance(s, str) else s.get("type")
        lt = s.get("logicalType") if isinstance(s, dict) else None
        if isinstance(v, datetime.datetime):
            return (v - EPOCH) // datetime.timedelta(microseconds=1)
        if isinstance(v, datetime.date):
            return (v - EPOCH_DATE).days
        if isinstance(v, datetime.time):
            micros = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
            return micros // 1000 if lt == "time-millis" else micros
        if lt in ("local-timestamp-millis",) and isinstance(v, int):
            return v * 1000
        if isinstance(v, decimal.Decimal):
            return decimal_text(v, s.get("scale", 0))
        if isinstance(v, (bytes, bytearray)):
            return bytes(v).hex()
        if t == "float":
            return float_bits(v, "<f")
        if t == "double":
            return float_bits(v, "<d")
        if t in ("record", "error"):
            out = {}
            for f in s["fields"]:
                out[f["name"]] = self.theirs(f["type"], v.get(f["name"]))
            return out
        if t == "array":
            return [self.theirs(s["items"], x) for x in v]
        if t == "map":
            return {k: self.theirs(s["values"], x) for k, x in v.items()}
        return v

    def ours(self, s, v):
        """gaggle's JSON value -> canonical."""
        if v is None:
            return None
        if isinstance(s, list):
            branches = [b for b in s if not is_null_type(b)]
            if len(branches) == 1:
                return self.ours(branches[0], v)
            if not isinstance(v, dict):
                return ("not a union struct", v)
            set_members = [k for k in range(len(branches)) if v.get(f"member{k}") is not None]
            if len(set_members) != 1:
                return ("union struct with members set", set_members)
            k = set_members[0]
            return self.ours(branches[k], v[f"member{k}"])
        t = s if isinstance(s, str) else s.get("type")
        lt = s.get("logicalType") if isinstance(s, dict) else None
        if t == "long" and lt in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis",
                                  "local-timestamp-micros"):
            return iso_to_micros(v)
        if t == "int" and lt == "date":
            y, m, d = (int(x) for x in v.split("-"))
            return days_from_civil(y, m, d)
        if t in ("bytes", "fixed") and lt == "decimal" and s.get("precision", 0) > 0 and \
                0 <= s.get("scale", 0) <= s.get("precision", 0):
            return decimal_text(v, s.get("scale", 0))
        if t in ("bytes", "fixed"):
            return v  # gaggle writes binary as lowercase hex
        if t == "float":
            return float_bits(v, "<f")
        if t == "double":
            return float_bits(v, "<d")
        if t in ("record", "error"):
            return {f["name"]: self.ours(f["type"], v.get(f["name"])) for f in s["fields"]}
        if t == "array":
            return [self.ours(s["items"], x) for x in v]
        if t == "map":
            return {k: self.ours(s["values"], x) for k, x in v.items()}
        return v


def is_null_type(b):
    return b == "null" or (isinstance(b, dict) and b.get("type") == "null")


def branch_of(branches, v):
    """The branch of a general union whose Avro type python3-avro's value `v` has."""
    kinds = {bool: ("boolean",), int: ("int", "long"), float: ("float", "double"),
             str: ("string", "enum"), bytes: ("bytes", "fixed"), dict: ("record", "error", "map"),
             list: ("array",)}
    wanted = kinds.get(type(v), ())
    for b in branches:
        t = b if isinstance(b, str) else b.get("type")
        if t in wanted:
            return b
    return branches[0]


def nest(record, schema):
    """gaggle's flat row ("a.b": 1) -> nested objects following the schema (records only)."""
    s = schema
    if isinstance(s, list):
        s = next((b for b in s if b != "null"), s)
    if not (isinstance(s, dict) and s.get("type") in ("record", "error")):
        return record.get("value", record)
    return nest_fields(record, s, "")


def nest_fields(record, s, prefix):
    out = {}
    for f in s["fields"]:
        name = prefix + f["name"]
        ft = f["type"]
        inner = ft
        if isinstance(inner, list):
            inner = next((b for b in inner if b != "null"), None)
        if isinstance(inner, dict) and inner.get("type") in ("record", "error"):
            if name in record and not isinstance(record[name], dict):
                out[f["name"]] = record[name]
            elif name in record:
                out[f["name"]] = record[name]
            else:
                sub = nest_fields(record, inner, name + ".")
                out[f["name"]] = None if all(v is None for v in leaves(sub)) and isinstance(ft, list) else sub
        else:
            out[f["name"]] = record.get(name)
    return out


def leaves(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from leaves(x)
    else:
        yield v


def shown(v):
    s = json.dumps(v, default=str)
    return s if len(s) <= 80 else s[:80] + "..."


def first_difference(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            d = first_difference(a[k], b.get(k), path + [k])
            if d:
                return d
        for k in b:
            if k not in a:
                return (".".join(path + [k]), None, b[k])
        return None
    if isinstance(a, dict) and b is None and all(v is None for v in leaves(a)):
        return None  # a null record is null in each of its columns
    return None if a == b else (".".join(path), a, b)


def compare(source, ours):
    with open(source, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        schema_json = json.loads(reader.get_meta("avro.schema").decode())
        canon = Canon(schema_json, {})
        theirs = [canon.theirs(canon.schema, r) for r in reader]
    with open(ours, encoding="utf-8") as f:
        mine = [canon.ours(canon.schema, nest(json.loads(line), canon.schema)) for line in f if line.strip()]
    if len(theirs) != len(mine):
        return f"python3-avro reads {len(theirs)} records, gaggle {len(mine)}"
    for i, (a, b) in enumerate(zip(theirs, mine)):
        d = first_difference(a, b, [])
        if d:
            return f"record {i}, field '{d[0] or 'value'}': python3-avro reads {shown(d[1])}, gaggle {shown(d[2])}"
    return len(theirs)


def main():
    warnings.simplefilter("ignore")  # python3-avro warns about logical types it does not know
    failed = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        pairs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for source, ours in pairs:
        try:
            result = compare(source, ours)
        except Exception as e:  # the oracle itself failing is a difference too
            result = f"comparison failed: {type(e).__name__}: {e}"
        if isinstance(result, str):
            failed += 1
            print(f"DIFF {source}: {result}")
        else:
            print(f"ok {source} ({result} rows)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
