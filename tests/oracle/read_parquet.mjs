// DuckDB's view of Parquet files, as JSON lines, for gaggle's writer tests.
//
//   node tests/oracle/read_parquet.mjs FILE...
//
// For each FILE, prints:
//   {"kind":"file","path":FILE}
//   {"kind":"column","name":..,"type":..}               one per column, DuckDB's type name
//   {"kind":"parquet_schema",...}                       parquet_schema() rows (name, type, converted/logical type, repetition)
//   {"kind":"chunk",...}                                parquet_metadata() rows (row group, column, encodings, codec, stats)
//   {"kind":"row","values":[...]}                       one per row, in file order
// Row values are strings in a canonical form (or null) so nothing is lost to JSON numbers:
//   integers and decimals: DuckDB's text ("-12", "0.05"); floats: DuckDB's text ("nan", "inf", "-0.0");
//   DATE: days since 1970-01-01; TIMESTAMP (with or without time zone): microseconds since the epoch;
//   BLOB: uppercase hex; BOOLEAN: "true"/"false"; VARCHAR: the string itself.
// Exits non-zero (message on stderr) when DuckDB cannot read a file.
import { DuckDBInstance } from '@duckdb/node-api';

function quote(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

function render(name, type) {
  const c = quote(name);
  if (type === 'DATE') return `CAST((${c} - DATE '1970-01-01') AS VARCHAR)`;
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${c}) AS VARCHAR)`;
  if (type === 'BLOB') return `hex(${c})`;
  return `CAST(${c} AS VARCHAR)`;
}

function plain(value) {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && typeof value.toString === 'function') return value.toString();
  return value;
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node read_parquet.mjs FILE...\n');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  for (const path of files) {
    emit({ kind: 'file', path });
    const described = await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [path]);
    const columns = described.getRowObjects().map((r) => ({ name: r.column_name, type: r.column_type }));
    for (const c of columns) emit({ kind: 'column', ...c });
    const schema = await connection.runAndReadAll(
      'SELECT name, type, converted_type, CAST(logical_type AS VARCHAR) AS logical_type, repetition_type, ' +
        'num_children FROM parquet_schema($1)', [path]);
    for (const r of schema.getRowObjects()) {
      emit({ kind: 'parquet_schema', ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])) });
    }
    const meta = await connection.runAndReadAll(
      'SELECT row_group_id, row_group_num_rows, column_id, path_in_schema, type, encodings, compression, ' +
        'stats_min_value, stats_max_value, stats_null_count, num_values FROM parquet_metadata($1) ' +
        'ORDER BY row_group_id, column_id', [path]);
    for (const r of meta.getRowObjects()) {
      emit({ kind: 'chunk', ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])) });
    }
    if (columns.length > 0) {
      const list = columns.map((c) => render(c.name, c.type)).join(', ');
      const rows = await connection.runAndReadAll(
        `SELECT ${list} FROM read_parquet($1, file_row_number = true) ORDER BY file_row_number`, [path]);
      for (const r of rows.getRows()) emit({ kind: 'row', values: r.map(plain) });
    }
  }
} catch (e) {
  process.stderr.write(`duckdb: ${e.message}\n`);
  process.exit(1);
}
