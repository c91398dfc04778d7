// A real `gaggle serve` for the tests of gaggle's Backstage packages: a fresh state in a
// temporary directory with a Backstage catalog of `datasets` small JSON-lines datasets
// (ds0..), tokens for every role, and the server on 127.0.0.1 on a free port. The binary
// is $GAGGLE_BIN, or build/gaggle of this checkout. Startup and shutdown are bounded in
// time, and a watchdog stops the server when the test process is gone, however it ended.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Entity } from '@backstage/catalog-model';

export interface GaggleServer {
  url: string;
  work: string;
  tokens: { viewer: string; operator: string; admin: string };
  /** The Backstage entities gaggle imported (Groups and dataset Resources). */
  entities: Entity[];
  /** The spec fields a migration of these datasets needs (source schema, target). */
  specTemplate: string;
  gaggle(...args: string[]): string;
  stop(): Promise<void>;
}

export const gaggleBin = process.env.GAGGLE_BIN ?? resolve(__dirname, '../../../build/gaggle');

// sh -c WATCHDOG watchdog PARENT_PID WORK_DIR COMMAND...: runs COMMAND, and stops it
// (SIGTERM) when the watchdog is told to stop or PARENT_PID is gone; in the second case
// it also removes WORK_DIR, which the parent can no longer do.
const WATCHDOG = `parent=$1; dir=$2; shift 2
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
kill -TERM $child 2>/dev/null
wait $child
kill -0 "$parent" 2>/dev/null || rm -rf "$dir"`;

const SCHEMA = '{user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}';

export async function startGaggle(opts: { datasets?: number; rows?: number } = {}): Promise<GaggleServer> {
  if (!existsSync(gaggleBin)) throw new Error(`no gaggle binary at ${gaggleBin} (build it with make build, or set GAGGLE_BIN)`);
  const n = opts.datasets ?? 3;
  const work = mkdtempSync(join(tmpdir(), 'gaggle-backstage-'));
  const state = join(work, 'gaggle.db');
  const gaggle = (...args: string[]) => execFileSync(gaggleBin, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
  mkdirSync(join(work, 'lake'));
  let catalog = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-data}
spec: {type: team, children: []}
`;
  for (let i = 0; i < n; i++) {
    const file = join(work, 'lake', `ds${i}.jsonl`);
    gaggle('generate', file, '--profile', 'events', '--rows', String(opts.rows ?? 500), '--seed', String(i), '-q');
    catalog += `---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ds${i}
  annotations:
    gaggle.dev/uri: file://${file}
    gaggle.dev/format: jsonl
    gaggle.dev/tier: ${i === 0 ? 'low' : 'standard'}
spec: {type: dataset, owner: group:default/team-data}
`;
  }
  writeFileSync(join(work, 'catalog-info.yaml'), catalog);
  gaggle('catalog', 'import', join(work, 'catalog-info.yaml'), '--state', state);
  const token = (role: string) => gaggle('token', 'create', '--role', role, '--name', `backstage-${role}`, '--state', state).trim();
  const tokens = { viewer: token('viewer'), operator: token('operator'), admin: token('admin') };

  // gaggle serve runs under a watchdog shell in its own process group: the shell stops it
  // when this process is gone, however it ended (jest's sandbox does not deliver 'exit' or
  // signal events of the real process), and stop() ends the whole group.
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', WATCHDOG, 'watchdog', String(process.pid), work, gaggleBin, 'serve', '--state', state, '--listen', '127.0.0.1:0', '--threads', '32'],
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  let out = '';
  child.stdout!.on('data', d => (out += d));
  child.stderr!.on('data', d => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const deadline = Date.now() + 20_000;
    const t = setInterval(() => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearInterval(t);
        res(m[1]);
      } else if (Date.now() > deadline || child.exitCode !== null) {
        clearInterval(t);
        group('SIGKILL');
        rej(new Error(`gaggle serve did not start within 20 s: ${out}`));
      }
    }, 25);
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>(r => child.once('exit', () => r()));
      group('SIGTERM');
      const killer = setTimeout(() => group('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(work, { recursive: true, force: true });
  };
  const entities = parseAllDocuments(catalog).map(d => d.toJSON() as Entity);
  const specTemplate = `agent: {builtin: transform}
transform:
  rename: {user_id: account_id}
  source_schema: ${SCHEMA}
target: {format: parquet, compression: zstd, uri: "file://${work}/out/{id}/"}
rollout: {stages: [100%]}
fleet: {concurrency: 2, timeout: 60s}
`;
  return { url, work, tokens, entities, specTemplate, gaggle, stop };
}
