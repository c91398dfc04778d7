// DuckDB as the oracle for nested Parquet (gaggle's nested reader and writer tests).
//
//   node tests/oracle/nested_parquet.mjs read FILE...
//     For each FILE prints JSON lines:
//       {"kind":"file","path":FILE}
//       {"kind":"column","name":..,"type":..}        one per column, DuckDB's type name
//       {"kind":"parquet_schema",...}                parquet_schema() rows
//       {"kind":"chunk",...}                         parquet_metadata() rows (per leaf: path, stats, encodings)
//       {"kind":"row","json":TEXT}                   one per row, in file order: to_json of the row
//   node tests/oracle/nested_parquet.mjs write FILE SQL [COPY OPTIONS]
//     COPY (SQL) TO FILE (FORMAT parquet[, OPTIONS]).
// Exits non-zero (message on stderr) when DuckDB fails.
import { DuckDBInstance } from '@duckdb/node-api';

function plain(value) {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && typeof value.toString === 'function') return value.toString();
  return value;
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

const [command, ...args] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
try {
  if (command === 'write') {
    const [file, sql, options] = args;
    await connection.run(`COPY (${sql}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet${options ? ', ' + options : ''})`);
  } else if (command === 'read') {
    for (const path of args) {
      emit({ kind: 'file', path });
      const described = await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [path]);
      for (const r of described.getRowObjects()) emit({ kind: 'column', name: r.column_name, type: r.column_type });
      const schema = await connection.runAndReadAll(
        'SELECT name, type, converted_type, CAST(logical_type AS VARCHAR) AS logical_type, repetition_type, ' +
          'num_children FROM parquet_schema($1)', [path]);
      for (const r of schema.getRowObjects()) {
        emit({ kind: 'parquet_schema', ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])) });
      }
      const meta = await connection.runAndReadAll(
        'SELECT row_group_id, column_id, path_in_schema, type, encodings, compression, stats_min_value, ' +
          'stats_max_value, stats_null_count, num_values FROM parquet_metadata($1) ORDER BY row_group_id, column_id',
        [path]);
      for (const r of meta.getRowObjects()) {
        emit({ kind: 'chunk', ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])) });
      }
      const rows = await connection.runAndReadAll(
        'SELECT to_json(t)::VARCHAR AS j FROM (SELECT * EXCLUDE (file_row_number) FROM ' +
          'read_parquet($1, file_row_number = true) ORDER BY file_row_number) t', [path]);
      for (const r of rows.getRowObjects()) emit({ kind: 'row', json: r.j });
    }
  } else {
    process.stderr.write('usage: node nested_parquet.mjs read FILE... | write FILE SQL [OPTIONS]\n');
    process.exit(2);
  }
} catch (e) {
  process.stderr.write(`duckdb: ${e.message}\n`);
  process.exit(1);
}
