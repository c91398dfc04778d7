#!/usr/bin/python3
"""Independent Avro oracle for gaggle's tests, built on Debian's python3-avro.

  write_avro.py write DIR   writes DIR/py_null.avro, py_deflate.avro, py_snappy.avro (same rows,
                            schema with unions, enum, fixed, logical types, nested records, many blocks)
  write_avro.py read FILE   prints each record of FILE as one JSON line, flattened ("addr.city"),
                            with exact renderings: bytes as hex, date as days, timestamps as
                            microseconds, decimals as unscaled integers, NaN/inf as strings

The rows written are fixed (3 edge-case rows) plus formula rows (see formula_row), which the
C++ test (src/formats/avro/avro_interop_test.cc) recomputes independently.
Exit code 3 means python3-avro is missing. The first line printed by `write` says which snappy
implementation was used ("snappy: python-snappy" or "snappy: builtin-literal").
"""
import datetime
import decimal
import json
import math
import os
import sys

try:
    import avro.datafile
    import avro.io
    import avro.schema
except ImportError:
    print("python3-avro is missing: install it with apt-get install python3-avro", file=sys.stderr)
    sys.exit(3)

SNAPPY_IMPL = "python-snappy"
try:
    if os.environ.get("GAGGLE_ORACLE_NO_PYTHON_SNAPPY"):  # to test the fallback below
        raise ImportError
    import snappy  # noqa: F401  (python3-snappy; avro.codecs imports it by this name)
except ImportError:
    # Without python3-snappy, provide a minimal, spec-following snappy module so the snappy
    # container framing (avro.codecs, CRC) is still exercised: literal-only compression and a
    # full decoder of the raw snappy format.
    import types

    SNAPPY_IMPL = "builtin-literal"

    def _varint(n):
        out = bytearray()
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
        return bytes(out)

    def _compress(data):
        out = bytearray(_varint(len(data)))
        for i in range(0, len(data), 60):
            chunk = data[i:i + 60]
            out.append((len(chunk) - 1) << 2)
            out += chunk
        return bytes(out)

    def _decompress(data):
        n, shift, pos = 0, 0, 0
        while True:
            b = data[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        out = bytearray()
        while pos < len(data):
            tag = data[pos]
            pos += 1
            kind = tag & 3
            if kind == 0:
                length = tag >> 2
                if length >= 60:
                    extra = length - 59
                    length = int.from_bytes(data[pos:pos + extra], "little")
                    pos += extra
                length += 1
                out += data[pos:pos + length]
                pos += length
                continue
            if kind == 1:
                length = ((tag >> 2) & 7) + 4
                offset = ((tag >> 5) << 8) | data[pos]
                pos += 1
            elif kind == 2:
                length = (tag >> 2) + 1
                offset = int.from_bytes(data[pos:pos + 2], "little")
                pos += 2
            else:
                length = (tag >> 2) + 1
                offset = int.from_bytes(data[pos:pos + 4], "little")
                pos += 4
            for _ in range(length):
                out.append(out[-offset])
        if len(out) != n:
            raise ValueError("snappy length mismatch")
        return bytes(out)

    stub = types.ModuleType("snappy")
    stub.compress = _compress
    stub.decompress = _decompress
    sys.modules["snappy"] = stub
    import importlib

    import avro.codecs
    importlib.reload(avro.codecs)
    importlib.reload(avro.datafile)

SCHEMA = {
    "type": "record", "name": "Event", "namespace": "com.example",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "ok", "type": "boolean"},
        {"name": "small", "type": ["null", "int"]},
        {"name": "ratio", "type": ["float", "null"]},
        {"name": "score", "type": "double"},
        {"name": "name", "type": ["null", "string"]},
        {"name": "blob", "type": "bytes"},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "hash", "type": {"type": "fixed", "name": "Hash4", "size": 4}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "fprice", "type": {"type": "fixed", "name": "Money8", "size": 8, "logicalType": "decimal",
                                    "precision": 18, "scale": 3}},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
            {"name": "city", "type": "string"},
            {"name": "zip", "type": ["null", "int"]}]}},
        {"name": "billing", "type": ["null", "Address"]},
    ],
}

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
FORMULA_ROWS = 2000  # rows 3 .. 3+FORMULA_ROWS-1


def fixed_rows():
    return [
        {"id": 1, "ok": True, "small": None, "ratio": 0.5, "score": -1.25, "name": "alice",
         "blob": b"\x00\x01", "color": "RED", "hash": b"abcd", "day": datetime.date(2024, 2, 29),
         "ts_ms": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
         "ts_us": datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
         "price": decimal.Decimal("1234.56"), "fprice": decimal.Decimal("-0.001"),
         "uid": "123e4567-e89b-12d3-a456-426614174000",
         "address": {"city": "Zürich", "zip": 8001}, "billing": None},
        {"id": -9223372036854775808, "ok": False, "small": -2147483648, "ratio": None,
         "score": float("nan"), "name": "", "blob": b"", "color": "BLUE", "hash": b"\xff\xff\xff\xff",
         "day": datetime.date(1969, 12, 31),
         "ts_ms": datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC), "ts_us": None,
         "price": decimal.Decimal("-9999999999.99"), "fprice": decimal.Decimal("999999999999999.999"),
         "uid": "00000000-0000-0000-0000-000000000000",
         "address": {"city": "", "zip": None}, "billing": {"city": "Genève", "zip": 1201}},
        {"id": 9223372036854775807, "ok": True, "small": 2147483647, "ratio": float("inf"),
         "score": float("-inf"), "name": "日本語 🚀", "blob": bytes(range(256)), "color": "GREEN",
         "hash": b"\x00\x00\x00\x00", "day": datetime.date(1, 1, 1),
         "ts_ms": EPOCH, "ts_us": datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         "price": decimal.Decimal("0.00"), "fprice": decimal.Decimal("0.000"),
         "uid": "ffffffff-ffff-ffff-ffff-ffffffffffff",
         "address": {"city": "x", "zip": 0}, "billing": {"city": "y", "zip": None}},
    ]


def formula_row(i):
    return {
        "id": i * 1000003, "ok": i % 2 == 0, "small": (i % 7) if i % 3 else None,
        "ratio": i / 4.0, "score": i * 0.5 - 100, "name": None if i % 5 == 0 else "n%d" % i,
        "blob": bytes([i % 256]) * (i % 9), "color": ["RED", "GREEN", "BLUE"][i % 3],
        "hash": i.to_bytes(4, "big"), "day": datetime.date(1970, 1, 1) + datetime.timedelta(days=i),
        "ts_ms": EPOCH + datetime.timedelta(milliseconds=i * 1001),
        "ts_us": None if i % 4 == 0 else EPOCH + datetime.timedelta(microseconds=i * 7),
        "price": decimal.Decimal(i * 3).scaleb(-2), "fprice": decimal.Decimal(-i).scaleb(-3),
        "uid": "%08x-0000-4000-8000-%012x" % (i, i * 3), "address": {"city": "c%d" % i, "zip": i},
        "billing": None if i % 2 else {"city": "b%d" % i, "zip": None if i % 3 else i},
    }


def write(directory):
    print("snappy: " + SNAPPY_IMPL)
    schema = avro.schema.parse(json.dumps(SCHEMA))
    avro.datafile.SYNC_INTERVAL = 8000  # many small blocks
    for codec in ("null", "deflate", "snappy"):
        path = "%s/py_%s.avro" % (directory, codec)
        with open(path, "wb") as out:
            writer = avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema, codec=codec)
            for row in fixed_rows():
                writer.append(row)
            for i in range(3, 3 + FORMULA_ROWS):
                writer.append(formula_row(i))
            writer.close()
        print(path)


def render(value):
    if isinstance(value, bool) or value is None or isinstance(value, int) or isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return (value - EPOCH) // datetime.timedelta(microseconds=1)
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, decimal.Decimal):
        return {"unscaled": int(value.scaleb(-value.as_tuple().exponent)), "scale": -value.as_tuple().exponent}
    raise TypeError("cannot render %r" % (value,))


def flatten(record, prefix, out):
    for key, value in record.items():
        name = prefix + key
        if isinstance(value, dict):
            flatten(value, name + ".", out)
        else:
            out[name] = render(value)


def read(path):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        print(json.dumps({"codec": reader.get_meta("avro.codec").decode(),
                          "schema": json.loads(reader.get_meta("avro.schema").decode())}))
        for record in reader:
            out = {}
            flatten(record, "", out)
            print(json.dumps(out, ensure_ascii=False))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        read(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
