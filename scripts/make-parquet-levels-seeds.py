#!/usr/bin/env python3
"""Writes the seed corpus of the parquet_levels_fuzz target: for each of its shapes, valid level
streams (and values) for a few rows with nulls, empty lists and nesting, in the target's input
format (see src/formats/parquet/parquet_levels_fuzz.cc).

    python3 scripts/make-parquet-levels-seeds.py fuzz/corpus/parquet_levels_fuzz
"""
import os
import struct
import sys


def leaf(entries):
    """entries: (def, rep, value or None); value: int (int64/int32/bool per kind) or str."""
    return entries


def encode(shape, flags, rows, leaves):
    out = bytes([shape, flags]) + struct.pack('<H', rows)
    for kind, entries in leaves:
        out += struct.pack('<H', len(entries))
        out += bytes(d for d, _, _ in entries)
        out += bytes(r for _, r, _ in entries)
        for _, _, v in entries:
            if v is None:
                continue
            if kind == 'i64':
                out += struct.pack('<q', v)
            elif kind == 'i32':
                out += struct.pack('<i', v)
            elif kind == 'bool':
                out += bytes([v])
            else:
                b = v.encode()
                out += bytes([len(b)]) + b
    return out


SEEDS = {
    # a: list<int64>  [[1,2],[],null,[null]]
    'list_int': (0, 4, [('i64', [(3, 0, 1), (3, 1, 2), (1, 0, None), (0, 0, None), (2, 0, None)])]),
    # a: list<struct<x:int32,y:string>>  [{x:1,y:"a"},null], [], null
    'list_struct': (1, 3, [('i32', [(4, 0, 1), (2, 1, None), (1, 0, None), (0, 0, None)]),
                           ('str', [(4, 0, 'a'), (2, 1, None), (1, 0, None), (0, 0, None)])]),
    # a: map<string,list<int64>>  {"k":[7,null]}, {"e":[]}, {}, null
    'map_list': (2, 4, [('str', [(2, 0, 'k'), (2, 0, 'e'), (1, 0, None), (0, 0, None)]),
                        ('i64', [(5, 0, 7), (4, 2, None), (3, 0, None), (1, 0, None), (0, 0, None)])]),
    # a: struct<l:list<list<int32>>,b:bool not null> not null, c: int64
    #   {l:[[1,2],null,[]], b:true}, c=5;  {l:null, b:false}, c=null
    'struct_lists': (3, 2, [('i32', [(5, 0, 1), (5, 2, 2), (2, 1, None), (3, 1, None), (0, 0, None)]),
                            ('bool', [(0, 0, 1), (0, 0, 0)]),
                            ('i64', [(1, 0, 5), (0, 0, None)])]),
    # a: list<list<list<int64 not null>>> not null  [[[1,2],[]],null,[]], []
    'deep': (4, 2, [('i64', [(5, 0, 1), (5, 3, 2), (4, 2, None), (1, 1, None), (2, 1, None), (0, 0, None)])]),
}

outdir = sys.argv[1]
os.makedirs(outdir, exist_ok=True)
for name, (shape, rows, leaves) in SEEDS.items():
    for flags, suffix in ((0, 'v1'), (1, 'v2'), (2 | 4, 'v1_split')):
        with open(os.path.join(outdir, f'{name}_{suffix}.bin'), 'wb') as f:
            f.write(encode(shape, flags, rows, leaves))
