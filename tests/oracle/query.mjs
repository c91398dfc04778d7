// Runs one SQL query in DuckDB (an independent engine) and prints the result rows
// as JSON lines. Used by integration tests to check gaggle's files from outside.
// Usage: node query.mjs "SQL"
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  const reader = await connection.runAndReadAll(sql);
  for (const row of reader.getRowObjectsJson()) console.log(JSON.stringify(row));
} catch (e) {
  console.error(String(e.message || e));
  process.exit(1);
}
