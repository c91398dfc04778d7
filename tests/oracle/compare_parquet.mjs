// DuckDB as the oracle for the corpus test: compares the values of Parquet file pairs.
//
//   node tests/oracle/compare_parquet.mjs PAIRS
//
// PAIRS holds one line per pair: "SOURCE<TAB>OURS[<TAB>ORACLE]", where SOURCE is a file from the
// corpus and OURS is gaggle's copy of it (gaggle convert SOURCE OURS: gaggle's reader, then its
// writer). Both are read by DuckDB in one process, every column rendered as canonical text so that
// types that differ only in name compare by value: integers, decimals and floats as DuckDB's
// text, timestamps (any unit, with or without time zone) as microseconds since the epoch (floor),
// dates as days, blobs as hex, geometries as the hex of their WKB, everything else as text. Rows
// are compared in file order (file_row_number).
//
// ORACLE says where the expected values come from when DuckDB cannot read SOURCE itself:
//   (empty)              DuckDB reads SOURCE
//   same-as:FILE         DuckDB reads FILE (a corpus file with the same rows in another codec)
//   twin-columns:A=B     every column named xA is expected to equal column xB of SOURCE (the
//                        parquet-testing README's check for byte_stream_split_extended: DuckDB
//                        reads the PLAIN twins), every other column itself
//   old-v2-pages         DuckDB reads a copy of SOURCE whose data page v2 headers say
//                        is_compressed = true (parquet-cpp before Arrow 3.0 compressed them but
//                        wrote false, ARROW-17100; the patch flips one Thrift type nibble per page)
// Prints "ok SOURCE (N rows)" or "DIFF SOURCE: ..." (the first differing row and column, both
// values) per pair, and exits 1 when any pair differs.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function quote(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

// A nested value is compared as DuckDB's text of it, after casting gaggle's copy to the
// source's type (gaggle reads some annotations differently from DuckDB: UINT_64 as BIGINT,
// legacy TIMESTAMP_* as UTC instants; flat columns compare epoch values, so nested ones must
// not compare the spelling of the type instead of the value).
function isNested(type) {
  return type.endsWith('[]') || type.startsWith('STRUCT(') || type.startsWith('MAP(');
}

// castTo: (gaggle's copy) the source's type; readAs: (the source) the type gaggle read it as.
function render(name, type, castTo, readAs) {
  let c = quote(name);
  if (castTo && isNested(type) && castTo !== type) return `CAST(CAST(${c} AS ${castTo}) AS VARCHAR)`;
  castTo = readAs;
  // TIME reads as its physical integer in gaggle (milliseconds in INT32, microseconds in INT64).
  if (castTo === 'INTEGER' && type.startsWith('TIME') && !type.startsWith('TIMESTAMP')) {
    c = `CAST(${c} AS TIME)`;
    return `CAST(hour(${c}) * 3600000 + minute(${c}) * 60000 + microsecond(${c}) // 1000 AS VARCHAR)`;
  }
  if (castTo === 'BIGINT' && type.startsWith('TIME') && !type.startsWith('TIMESTAMP')) {
    c = `CAST(${c} AS TIME)`;
    return `CAST(hour(${c}) * 3600000000 + minute(${c}) * 60000000 + microsecond(${c}) AS VARCHAR)`;
  }
  if (type === 'DATE') return `CAST((${c} - DATE '1970-01-01') AS VARCHAR)`;
  if (type === 'TIMESTAMP_NS') return `CAST((epoch_ns(${c}) - ((epoch_ns(${c}) % 1000) + 1000) % 1000) // 1000 AS VARCHAR)`;
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${c}) AS VARCHAR)`;
  if (type === 'BLOB') return `hex(${c})`;
  if (type.startsWith('GEOMETRY')) return `hex(st_aswkb(${c}))`;
  return `CAST(${c} AS VARCHAR)`;
}

function plain(value) {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') return String(value);
  return value;
}

async function describe(connection, path) {
  const d = await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [path]);
  return d.getRowObjects().map((r) => ({ name: r.column_name, type: r.column_type }));
}

async function rows(connection, path, columns) {
  if (columns.length === 0) return [];
  const list = columns.map((c) => render(c.name, c.type, c.castTo, c.readAs)).join(', ');
  const r = await connection.runAndReadAll(
    `SELECT ${list} FROM read_parquet($1, file_row_number = true) ORDER BY file_row_number`, [path]);
  return r.getRows().map((row) => row.map(plain));
}

// --- Thrift compact protocol, just enough to walk page headers (old-v2-pages) ---
function varint(buf, pos) {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos.at++];
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
    shift += 7n;
  }
}

// Skips one value of compact type `t` at pos.at.
function skip(buf, pos, t) {
  if (t === 1 || t === 2) return;  // bool: in the field header
  if (t === 3) { pos.at += 1; return; }
  if (t >= 4 && t <= 6) { varint(buf, pos); return; }
  if (t === 7) { pos.at += 8; return; }
  if (t === 8) { pos.at += Number(varint(buf, pos)); return; }
  if (t === 9 || t === 10) {
    const head = buf[pos.at++];
    let n = head >> 4;
    if (n === 15) n = Number(varint(buf, pos));
    for (let i = 0; i < n; ++i) skip(buf, pos, head & 0x0f);
    return;
  }
  if (t === 12) { struct(buf, pos, () => false); return; }
  throw new Error(`thrift type ${t}`);
}

// Walks a struct; visit(id, type, fieldHeaderOffset) returns true when it consumed the value.
function struct(buf, pos, visit) {
  let id = 0;
  for (;;) {
    const at = pos.at;
    const head = buf[pos.at++];
    if (head === 0) return;
    const t = head & 0x0f;
    const delta = head >> 4;
    id = delta !== 0 ? id + delta : Number(BigInt.asIntN(16, ((v) => (v >> 1n) ^ -(v & 1n))(varint(buf, pos))));
    if (!visit(id, t, at)) skip(buf, pos, t);
  }
}

// A copy of `file` whose data page v2 headers say is_compressed = true.
async function patchOldV2Pages(connection, file) {
  const buf = Buffer.from(readFileSync(file));
  const chunks = await connection.runAndReadAll(
    'SELECT data_page_offset, dictionary_page_offset, total_compressed_size FROM parquet_metadata($1)', [file]);
  for (const [data, dict, size] of chunks.getRows()) {
    let at = Number(dict !== null && dict > 0n && dict < data ? dict : data);
    const end = at + Number(size);
    while (at < end) {
      const pos = { at };
      let compressed = 0;
      struct(buf, pos, (id, t, headerAt) => {
        if (id === 3 && t === 5) { compressed = Number(((v) => (v >> 1n) ^ -(v & 1n))(varint(buf, pos))); return true; }
        if (id === 8 && t === 12) {
          struct(buf, pos, (vid, vt, vat) => {
            if (vid === 7 && vt === 2) buf[vat] = (buf[vat] & 0xf0) | 1;  // is_compressed: false -> true
            return false;
          });
          return true;
        }
        return false;
      });
      at = pos.at + compressed;
    }
  }
  const copy = path.join(tmpdir(), `gaggle-oracle-${process.pid}-${path.basename(file)}`);
  writeFileSync(copy, buf);
  return copy;
}

function shown(v) {
  if (v === null) return 'null';
  const s = String(v);
  return s.length > 80 ? JSON.stringify(s.slice(0, 80)) + '...' : JSON.stringify(s);
}

async function compare(connection, source, ours, oracle) {
  if (oracle === 'none') {
    // DuckDB cannot read the file at all (the table's note says why): only gaggle's own
    // copy is checked to be readable, and the row count is reported.
    const n = await connection.runAndReadAll('SELECT count(*) AS n FROM read_parquet($1)', [ours]);
    return { rows: Number(n.getRows()[0][0]), note: 'no oracle' };
  }
  let expected = source;
  if (oracle.startsWith('same-as:')) expected = oracle.slice('same-as:'.length);
  if (oracle === 'old-v2-pages') expected = await patchOldV2Pages(connection, source);
  const got = await describe(connection, ours);
  let want;
  if (oracle.startsWith('twin-columns:')) {
    // DuckDB reads only the twins it can decode; each column is expected to equal its twin.
    const [from, to] = oracle.slice('twin-columns:'.length).split('=');
    const twin = (name) => (name.endsWith(from) ? name.slice(0, -from.length) + to : name);
    const d = await connection.runAndReadAll(
      `DESCRIBE SELECT ${got.map((c) => quote(twin(c.name))).join(', ')} FROM read_parquet($1)`, [source]);
    want = d.getRowObjects().map((r, i) => ({ name: r.column_name, type: r.column_type, as: got[i].name }));
  } else {
    want = await describe(connection, expected);
  }
  const wantNames = want.map((c) => c.as ?? c.name).join(', ');
  const gotNames = got.map((c) => c.name).join(', ');
  if (wantNames !== gotNames) return `columns differ: DuckDB reads {${wantNames}}, gaggle wrote {${gotNames}}`;
  const a = await rows(connection, expected, want.map((c, i) => ({ ...c, readAs: got[i].type })));
  const b = await rows(connection, ours, got.map((c, i) => ({ ...c, castTo: want[i].type })));
  if (a.length !== b.length) return `DuckDB reads ${a.length} rows, gaggle wrote ${b.length}`;
  for (let i = 0; i < a.length; ++i) {
    for (let j = 0; j < want.length; ++j) {
      if (a[i][j] !== b[i][j]) {
        return `row ${i}, column '${want[j].name}' (${want[j].type} -> ${got[j].type}): ` +
          `DuckDB reads ${shown(a[i][j])}, gaggle wrote ${shown(b[i][j])}`;
      }
    }
  }
  return { rows: a.length };
}

const pairs = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run("SET TimeZone = 'UTC'");
let failed = 0;
for (const [source, ours, oracle] of pairs) {
  let result;
  try {
    result = await compare(connection, source, ours, oracle ?? '');
  } catch (e) {
    result = `DuckDB failed: ${e.message.split('\n')[0]}`;
  }
  if (typeof result === 'string') {
    ++failed;
    console.log(`DIFF ${source}: ${result}`);
  } else {
    console.log(`ok ${source} (${result.rows} rows${result.note ? ', ' + result.note : ''})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
