// Writes the seed corpus of the Parquet reader's fuzz target: tiny DuckDB files covering the
// types, codecs and encodings the reader decodes (data page v1; PARQUET_VERSION v2 encodings).
//
//   node tests/oracle/make_parquet_fuzz_corpus.mjs fuzz/corpus/parquet_reader_fuzz
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: node make_parquet_fuzz_corpus.mjs OUTDIR\n');
  process.exit(2);
}
const selects = {
  ints: `SELECT i::INTEGER AS a, (i * 1000)::BIGINT AS b, (i % 3)::TINYINT AS c FROM range(40) t(i)`,
  nullable: `SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::INTEGER AS a,
             CASE WHEN i % 2 = 0 THEN NULL ELSE 's' || i END AS s FROM range(30) t(i)`,
  strings: `SELECT 'k' || (i % 4) AS dict, 'unique-' || i AS uniq, '' AS empty FROM range(30) t(i)`,
  floats: `SELECT (i / 3)::DOUBLE AS d, (i / 7)::FLOAT AS f, CASE WHEN i = 1 THEN 'nan'::DOUBLE END AS n
           FROM range(24) t(i)`,
  bools: `SELECT i % 2 = 0 AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS nb FROM range(40) t(i)`,
  temporal: `SELECT DATE '2020-01-01' + i::INTEGER AS d, make_timestamp(i * 1000000007) AS ts,
             make_timestamp(i * 1000000007)::TIMESTAMP_MS AS ms, make_timestamp_ns(i * 1000000007) AS ns
             FROM range(20) t(i)`,
  decimals: `SELECT (i * 1.25)::DECIMAL(9,2) AS a, (i * 1000.125)::DECIMAL(18,3) AS b FROM range(20) t(i)`,
  unsigned: `SELECT i::UTINYINT AS a, (i * 1000)::UINTEGER AS b, (i * 100000)::UBIGINT AS c FROM range(20) t(i)`,
  blob: `SELECT encode('b' || i) AS b FROM range(16) t(i)`,
  empty: `SELECT 1::INTEGER AS a, 'x' AS b WHERE false`,
};
const variants = [
  ['v1_none', 'COMPRESSION uncompressed'],
  ['v1_snappy', 'COMPRESSION snappy'],
  ['v2_none', 'COMPRESSION uncompressed, PARQUET_VERSION v2'],
  ['v2_zstd', 'COMPRESSION zstd, PARQUET_VERSION v2'],
];
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await instance.connect();
for (const [name, sql] of Object.entries(selects)) {
  for (const [variant, options] of variants) {
    if (name === 'empty' && variant !== 'v1_none') continue;
    const file = path.join(outdir, `${name}_${variant}.parquet`);
    await con.run(`COPY (${sql}) TO '${file}' (FORMAT parquet, ${options}, ROW_GROUP_SIZE 2048)`);
  }
}
await con.run(`COPY (SELECT i::INTEGER AS a FROM range(5000) t(i)) TO '${path.join(outdir, 'row_groups_gzip.parquet')}'
               (FORMAT parquet, COMPRESSION gzip, ROW_GROUP_SIZE 2048)`);
