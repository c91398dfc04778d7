// Runs SQL statements in an in-memory DuckDB with a given thread count: the peer
// in gaggle's benchmarks. Usage: node duckdb_run.mjs THREADS "SQL" ["SQL" ...]
// Prints the wall seconds of the statements (excluding start-up) on stdout.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/oracle/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [threads, ...statements] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const start = process.hrtime.bigint();
for (const sql of statements) await connection.run(sql);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(seconds.toFixed(3));
