// DuckDB as an independent Parquet *writer*, for gaggle's reader tests.
//
//   node tests/oracle/write_parquet_duckdb.mjs OUTDIR
//
// Writes a set of Parquet files into OUTDIR with DuckDB's COPY (codecs, data page v1 and v2,
// dictionary-heavy and unique columns, many row groups, all-null and empty results, and files
// gaggle must refuse), then prints, as JSON lines, DuckDB's own reading of each file:
//   {"kind":"file","name":..,"path":..,"expect":"rows"|"error","code":..,"mention":..}
//   {"kind":"meta","row_groups":N,"encodings":[..],"codecs":[..]}    from parquet_metadata()
//   {"kind":"column","name":..,"type":..}                              DuckDB's type on reading back
//   {"kind":"row","values":[..]}                                       one per row, in file order
// Values are strings (or null) in forms that leave no room for rounding:
//   BOOLEAN "true"/"false"; integers their decimal text; DECIMAL the unscaled integer;
//   FLOAT/DOUBLE the IEEE bits as 8 or 16 lowercase hex digits ("nan" for any NaN);
//   DATE days since 1970-01-01; TIMESTAMP microseconds since the epoch; TIMESTAMP_NS
//   microseconds floored; BLOB lowercase hex; VARCHAR the string itself.
// Exits non-zero with a message on stderr when DuckDB fails.
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: node write_parquet_duckdb.mjs OUTDIR\n');
  process.exit(2);
}

// Every type gaggle maps, with NULLs, extremes and special values, over range(n) t(i).
function allTypes(n) {
  return `SELECT
    i::BIGINT AS id,
    CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
    CASE WHEN i % 11 = 0 THEN NULL ELSE ((i * 37) % 256 - 128)::TINYINT END AS i8,
    ((i * 1009) % 65536 - 32768)::SMALLINT AS i16,
    CASE WHEN i % 5 = 0 THEN NULL ELSE ((hash(i) % 4294967296)::BIGINT - 2147483648)::INTEGER END AS i32,
    CASE WHEN i = 1 THEN -9223372036854775808 WHEN i = 2 THEN 9223372036854775807
         ELSE (hash(i * 7)::HUGEINT - 9223372036854775808)::BIGINT END AS i64,
    (i % 256)::UTINYINT AS u8,
    (i * 7 % 65536)::USMALLINT AS u16,
    CASE WHEN i = 3 THEN 4294967295 ELSE hash(i) % 4294967296 END::UINTEGER AS u32,
    CASE WHEN i = 3 THEN 9223372036854775807 ELSE hash(i) % 9223372036854775807 END::UBIGINT AS u64,
    CASE i % 13 WHEN 0 THEN 'nan'::FLOAT WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT WHEN 3 THEN NULL
         WHEN 4 THEN '-0.0'::FLOAT ELSE (i * 1.37 - 500)::FLOAT END AS f32,
    CASE i % 17 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL
         WHEN 4 THEN '-0.0'::DOUBLE ELSE (hash(i) % 100000000)::DOUBLE / 7.0 - 5e6 END AS f64,
    CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'héllo wörld ✓ 🦆 ' || (i % 5)::VARCHAR
         ELSE 'v' || (i * 31 % 100)::VARCHAR END AS s_dict,
    'row-' || i::VARCHAR || repeat('x', i % 23) AS s_unique,
    CASE WHEN i % 4 = 0 THEN NULL ELSE '\\x00\\xFF'::BLOB || encode(i::VARCHAR) END AS bin,
    CASE WHEN i % 6 = 0 THEN NULL ELSE DATE '1970-01-01' + ((hash(i) % 200000)::INTEGER - 100000) END AS d,
    CASE WHEN i % 8 = 0 THEN NULL
         ELSE make_timestamp(((hash(i + 1) % 8000000000000000)::BIGINT - 4000000000000000)) END AS ts,
    make_timestamp(((hash(i + 2) % 8000000000000)::BIGINT - 4000000000000) * 1000)::TIMESTAMP_MS AS ts_ms,
    make_timestamp_ns(((hash(i + 3) % 8000000000000000000)::BIGINT - 4000000000000000000)) AS ts_ns,
    CASE WHEN i % 10 = 0 THEN NULL
         ELSE (CAST((hash(i) % 1999999999)::BIGINT - 999999999 AS DECIMAL(18,0)) * 0.01)::DECIMAL(9,2) END AS dec9,
    (CAST((hash(i + 4) % 1999999999999999999)::BIGINT - 999999999999999999 AS DECIMAL(18,0)) * 0.0001)::DECIMAL(18,4) AS dec18,
    (i % 1000)::DECIMAL(4,1) AS dec4,
    CASE WHEN i % 9 = 0 THEN NULL
         ELSE (CASE WHEN i % 2 = 0 THEN '-' ELSE '' END || (hash(i + 5) % 1000000000000000000)::VARCHAR ||
               lpad((hash(i + 6) % 10000000000)::VARCHAR, 10, '0') || '.' ||
               lpad((hash(i + 8) % 10000000000)::VARCHAR, 10, '0'))::DECIMAL(38,10) END AS dec38,
    make_timestamp(((hash(i + 7) % 8000000000000000)::BIGINT - 4000000000000000))::TIMESTAMPTZ AS tstz
  FROM range(${n}) t(i)`;
}

// Few distinct values per column: dictionary encoding everywhere.
function dictHeavy(n) {
  return `SELECT
    (i % 10)::INTEGER AS small_int,
    (i % 37)::BIGINT * 1000000007 AS big_int,
    CASE WHEN i % 50 = 0 THEN NULL ELSE ['alpha', 'beta', 'gamma', 'δέλτα', ''][(i % 5) + 1] END AS word,
    ((i % 8) / 4.0)::DOUBLE AS dbl,
    ((i % 8) / 4.0)::FLOAT AS flt,
    DATE '2024-01-01' + (i % 30)::INTEGER AS day,
    make_timestamp((i % 12)::BIGINT * 3600000000) AS hour_ts,
    (i % 3 = 0) AS flag
  FROM range(${n}) t(i)`;
}

const cases = [];
function rows(name, sql, options) {
  cases.push({ name, sql, options, expect: 'rows' });
}
function refuse(name, sql, options, code, mention) {
  cases.push({ name, sql, options, expect: 'error', code, mention });
}

for (const version of ['V1', 'V2']) {
  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd']) {
    rows(`all_types_${version}_${codec}`, allTypes(3000),
         `COMPRESSION ${codec}, ROW_GROUP_SIZE 1000, PARQUET_VERSION ${version}`);
  }
  rows(`dict_heavy_${version}`, dictHeavy(20000), `COMPRESSION zstd, PARQUET_VERSION ${version}`);
  rows(`many_row_groups_${version}`, `SELECT i::INTEGER AS n, 'k' || (i % 3)::VARCHAR AS k,
        CASE WHEN i % 2 = 0 THEN NULL ELSE i::DOUBLE END AS maybe FROM range(30000) t(i)`,
       `COMPRESSION snappy, ROW_GROUP_SIZE 2048, PARQUET_VERSION ${version}`);
  rows(`all_null_${version}`, `SELECT NULL::INTEGER AS a, NULL::BIGINT AS b, NULL::VARCHAR AS c, NULL::DOUBLE AS d,
        NULL::BOOLEAN AS e, NULL::DATE AS f, NULL::TIMESTAMP AS g, NULL::DECIMAL(9,2) AS h, NULL::BLOB AS j
        FROM range(700)`, `PARQUET_VERSION ${version}`);
  rows(`long_strings_${version}`, `SELECT i AS id, repeat(chr(65 + (i % 26)::INTEGER), 3000 + i * 13) AS s,
        'prefix/shared/' || lpad(i::VARCHAR, 8, '0') AS sorted_key FROM range(400) t(i)`,
       `COMPRESSION zstd, PARQUET_VERSION ${version}`);
}
rows('empty', `${allTypes(10)} WHERE false`, 'COMPRESSION snappy');
rows('one_row', allTypes(1), 'COMPRESSION gzip');
// LZ4_RAW and BROTLI, read since the legacy-data work (DuckDB's `lz4` writes LZ4_RAW).
rows('lz4_raw', allTypes(1500), 'COMPRESSION lz4, ROW_GROUP_SIZE 1000');
rows('brotli', allTypes(1500), 'COMPRESSION brotli');
rows('required_columns', `SELECT i::INTEGER AS a, 'x' || i::VARCHAR AS b FROM range(5000) t(i)`, 'COMPRESSION zstd');
refuse('ubigint_over_int64', `SELECT CASE WHEN i = 5 THEN 18446744073709551615 ELSE i END::UBIGINT AS big
        FROM range(10) t(i)`, '', 'Unsupported', 'big');

function quote(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

function render(name, type) {
  const c = quote(name);
  if (type === 'BOOLEAN') return `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END`;
  if (type === 'FLOAT' || type === 'DOUBLE') return c;  // bits taken in JS
  if (type === 'DATE') return `CAST((${c} - DATE '1970-01-01') AS VARCHAR)`;
  if (type === 'TIMESTAMP_NS') {
    return `CAST((epoch_ns(${c}) - (((epoch_ns(${c}) % 1000) + 1000) % 1000)) // 1000 AS VARCHAR)`;
  }
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${c}) AS VARCHAR)`;
  if (type === 'BLOB') return `lower(hex(${c}))`;
  if (type.startsWith('DECIMAL')) return `CAST(CAST(replace(CAST(${c} AS VARCHAR), '.', '') AS HUGEINT) AS VARCHAR)`;
  return `CAST(${c} AS VARCHAR)`;
}

function floatBits(value, type) {
  if (value === null) return null;
  if (Number.isNaN(value)) return 'nan';
  const view = new DataView(new ArrayBuffer(8));
  let hex = '';
  if (type === 'FLOAT') {
    view.setFloat32(0, value, true);
    for (let i = 3; i >= 0; --i) hex += view.getUint8(i).toString(16).padStart(2, '0');
  } else {
    view.setFloat64(0, value, true);
    for (let i = 7; i >= 0; --i) hex += view.getUint8(i).toString(16).padStart(2, '0');
  }
  return hex;
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

try {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await instance.connect();
  for (const c of cases) {
    const file = path.join(outdir, c.name + '.parquet');
    const opts = c.options ? `FORMAT parquet, ${c.options}` : 'FORMAT parquet';
    await con.run(`COPY (${c.sql}) TO '${file}' (${opts})`);
    emit({ kind: 'file', name: c.name, path: file, expect: c.expect, code: c.code ?? null, mention: c.mention ?? null });
    const meta = (await con.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) AS groups, list(DISTINCT encodings) AS encodings,
              list(DISTINCT compression) AS codecs FROM parquet_metadata('${file}')`)).getRowObjectsJson()[0];
    emit({ kind: 'meta', row_groups: Number(meta.groups), encodings: meta.encodings ?? [], codecs: meta.codecs ?? [] });
    if (c.expect !== 'rows') continue;
    const columns = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
    for (const col of columns) emit({ kind: 'column', name: col.column_name, type: col.column_type });
    const select = columns.map((col) => render(col.column_name, col.column_type)).join(', ');
    const result = await con.runAndReadAll(`SELECT ${select} FROM read_parquet('${file}')`);
    for (const row of result.getRows()) {
      emit({
        kind: 'row',
        values: row.map((v, i) => {
          const type = columns[i].column_type;
          if (type === 'FLOAT' || type === 'DOUBLE') return floatBits(v, type);
          return v === null ? null : String(v);
        }),
      });
    }
  }
} catch (e) {
  process.stderr.write(`write_parquet_duckdb: ${e.message}\n`);
  process.exit(1);
}
