// Browser test of the dashboard, in Debian's chromium driven by playwright-core (nothing
// downloaded). It starts `gaggle serve` on 127.0.0.1, creates a small migration whose
// canary stage holds a planted fault, and, as an operator in the browser: starts it,
// pauses it and sees the state change, resumes it and sees progress arrive live (no
// reload), approves the gate failure from its approval page, and opens a dataset's page
// to see its validation figures. Screenshots go to OUT_DIR.
// Usage: node dashboard.mjs GAGGLE_BIN WORK_DIR OUT_DIR
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [bin, work, out] = process.argv.slice(2).map((p) => resolve(p));
const root = resolve(new URL('../..', import.meta.url).pathname);
mkdirSync(out, { recursive: true });
const deadline = Date.now() + 240_000;  // the whole test is bounded
const state = join(work, 'gaggle.db');

function fail(msg) {
  console.error(`dashboard test: FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}
const run = (...args) => execFileSync(bin, args, { cwd: work, encoding: 'utf8' });

// --- the estate: 12 small JSON-lines datasets; ds0..ds3 form the canary stage.
mkdirSync(join(work, 'lake'), { recursive: true });
let catalog = 'gaggle_catalog: 1\ndatasets:\n';
for (let i = 0; i < 12; i++) {
  run('generate', join(work, 'lake', `ds${i}.jsonl`), '--profile', 'events', '--rows', '2000', '--seed', String(i), '-q');
  catalog += `  - id: ds${i}\n    uri: file://${work}/lake/ds${i}.jsonl\n    format: jsonl\n    owner: team-${i % 3}\n    tier: ${i < 4 ? 'low' : 'standard'}\n`;
}
writeFileSync(join(work, 'catalog.yaml'), catalog);
run('catalog', 'import', join(work, 'catalog.yaml'), '--state', state);
// The agent: the faulty test agent behind a short delay, so a person (and this test)
// can watch datasets finish one by one. It drops rows of ds1: the canary gate fails.
copyFileSync(join(root, 'tests/agents/faulty_agent.py'), join(work, 'faulty_agent.py'));
writeFileSync(join(work, 'agent.sh'), `#!/bin/sh\nsleep 0.4\nexec /usr/bin/python3 ${work}/faulty_agent.py\n`);
chmodSync(join(work, 'agent.sh'), 0o755);
const spec = `name: web
version: 2
agent: {exec: ${work}/agent.sh, version: "1.0.0"}
select: {match: {id: "*"}}
transform:
  source_schema: {user_id: int64, ts: string, amount: string, legacy_flag: bool, country: string, session: string}
target: {format: parquet, compression: zstd, uri: "file://${work}/out/{id}/"}
dead_letter: {max_fraction: 10%}
rollout: {stages: [34%, 100%], canary: {tier: [low]}, seed: 1}
fleet: {concurrency: 1, timeout: 60s, retries: {max: 1, initial: 10ms}}
gates: {row_count_tolerance: 0%, checksum: true, max_dlq_fraction: 1%, max_failed_datasets: 1%}
`;
const admin = run('token', 'create', '--role', 'admin', '--name', 'admin-ada', '--state', state).trim();
const operator = run('token', 'create', '--role', 'operator', '--name', 'operator-olga', '--state', state).trim();

// --- gaggle serve on 127.0.0.1, any free port.
const serve = spawn(bin, ['serve', '--state', state, '--listen', '127.0.0.1:0', '--threads', '64'], {
  cwd: work,
  env: { ...process.env, FAULTY_DATASET: 'ds1', FAULTY_KIND: 'drop-rows' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
process.on('exit', () => serve.kill('SIGTERM'));  // also when a step throws before the browser starts
let serveOut = '';
serve.stdout.on('data', (d) => (serveOut += d));
serve.stderr.on('data', (d) => (serveOut += d));
const url = await new Promise((res, rej) => {
  const t = setInterval(() => {
    const m = serveOut.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) clearInterval(t), res(m[1]);
    else if (Date.now() > deadline || serve.exitCode !== null) clearInterval(t), rej(new Error(`serve did not start: ${serveOut}`));
  }, 50);
});

async function apiCall(path, token, method = 'GET', body) {
  const r = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) fail(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}
await apiCall('/api/v1/migrations', admin, 'POST', { spec });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let step = 0;
const shot = async (page, name) => page.screenshot({ path: join(out, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  await page.goto(url + '/');
  await page.fill('#token', operator);
  await page.click('#login');
  await page.waitForSelector('#who');
  if (!(await page.textContent('#who')).includes('operator-olga (operator)')) fail('signed in as the wrong token');
  await page.waitForSelector('#migrations tr[data-migration="web"]');
  await shot(page, 'fleet');

  // One migration: start it, pause it, and see the state change.
  await page.click('#migrations a:text("web")');
  await page.waitForSelector('#run-state');
  await page.click('#start');
  await page.waitForFunction(() => document.querySelector('#run-state')?.textContent === 'running');
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#run-state')?.textContent === 'paused');
  if (!(await page.textContent('#run-reason')).includes('operator-olga')) fail('the pause reason does not name the operator');
  await shot(page, 'paused');

  // Resume and see progress arrive live: the done count grows with no reload.
  await page.evaluate(() => (window.__noReload = true));
  await page.click('#resume');
  await page.waitForFunction(() => document.querySelector('#run-state')?.textContent === 'running');
  await page.waitForFunction(() => Number(document.querySelector('#done-count')?.textContent) >= 2, null, { timeout: 60_000 });
  if (!(await page.evaluate(() => window.__noReload === true))) fail('the page reloaded');
  await shot(page, 'progress');

  // The planted fault fails the canary gate: the migration pauses and asks for an approval.
  await page.waitForSelector('#approvals a.approve-link', { timeout: 60_000 });
  if (!(await page.textContent('#run-reason')).includes('stage 0')) fail('the pause is not the stage 0 gate');
  await shot(page, 'gate-failed');
  await page.click('#approvals a.approve-link');
  await page.waitForSelector('#approve-reason');
  await page.fill('#approve-reason', 'ds1 is a known short source; accepted by the data owner');
  await shot(page, 'approval');
  await page.click('#approve');
  await page.waitForFunction(() => document.querySelector('#approval-status')?.textContent === 'used');
  await shot(page, 'approved');

  // The approval was recorded as the operator's, and the run goes on.
  const approvals = await apiCall('/api/v1/approvals?migration=web', admin);
  if (approvals.items[0].used_by !== 'operator-olga') fail(`approval used by ${approvals.items[0].used_by}`);

  // A dataset's page shows its validation figures.
  await page.goto(url + '/migrations/web/datasets/ds0');
  await page.waitForSelector('#checks tbody tr');
  const checks = await page.$$eval('#checks tbody tr', (rows) => rows.map((r) => r.textContent));
  if (!checks.some((t) => /row/i.test(t) && /\d/.test(t))) fail(`no row-count figures in the validation checks: ${checks}`);
  if ((await page.textContent('#validation-verdict')).indexOf('passed') !== 0) fail('ds0 should have passed validation');
  await shot(page, 'dataset');
  await page.goto(url + '/migrations/web/datasets/ds1');
  await page.waitForSelector('#validation-verdict');
  if (!(await page.textContent('#validation-verdict')).startsWith('FAILED')) fail('ds1 should have failed validation');
  await shot(page, 'dataset-failed');

  // The migration ends; the page shows it live.
  await page.goto(url + '/migrations/web');
  await page.waitForFunction(() => document.querySelector('#run-state')?.textContent === 'completed', null, { timeout: 90_000 });
  await shot(page, 'completed');
  console.log(`dashboard test: ok (${step} screenshots in ${out})`);
} catch (e) {
  process.exitCode = 1;
  console.error(e);
  console.error(`serve output:\n${serveOut}`);
} finally {
  await browser.close();
  serve.kill('SIGTERM');
}
