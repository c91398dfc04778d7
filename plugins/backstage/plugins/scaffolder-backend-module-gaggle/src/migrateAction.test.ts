// gaggle:dataset:migrate against a real `gaggle serve` (e2e/gaggleServer.ts), through
// Backstage's createMockActionContext: success, dry run, the token refused (403), a bad
// spec, a retried task (checkpoint, and gaggle's idempotency key when the checkpoint was
// lost), and an aborted task; and the template that uses it.
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { GaggleClient } from '@gaggle/backstage-plugin-gaggle-common';
import { startGaggle, type GaggleServer } from '../../../e2e/gaggleServer';
import { buildSpec, idempotencyKey } from './spec';
import { createGaggleMigrateAction } from './migrateAction';

let g: GaggleServer;
let admin: GaggleClient;
beforeAll(async () => {
  g = await startGaggle({ datasets: 3 });
  admin = new GaggleClient({ baseUrl: g.url, token: g.tokens.admin });
});
afterAll(() => g?.stop());

const migrations = async () => (await admin.listMigrations()).items.map(m => m.migration).sort();
const events = async (m: string) => {
  const r = await fetch(`${g.url}/api/v1/events?migration=${m}&limit=1000`, { headers: { Authorization: `Bearer ${g.tokens.admin}` } });
  return ((await r.json()) as { items: Array<{ actor: string; to: string }> }).items;
};

// createMockActionContext takes input, task and user; the rest (isDryRun, checkpoint,
// signal) is set on the context it returns.
function context(input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const { task, user, ...rest } = extra;
  return { ...createMockActionContext({ input, task, user } as any), ...rest } as any;
}

test('creates the migration of the named datasets, records the user as the actor and outputs its dashboard URL', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const ctx = context(
    { name: 'two-v2', datasets: ['resource:default/ds1', 'ds2'], targetVersion: 2, specTemplate: g.specTemplate, start: false },
    { user: { ref: 'user:default/alice' } },
  );
  await action.handler(ctx);
  expect(ctx.output).toHaveBeenCalledWith('migrationId', 'two-v2');
  expect(ctx.output).toHaveBeenCalledWith('dashboardUrl', `${g.url}/migrations/two-v2`);
  expect(ctx.output).toHaveBeenCalledWith('datasets', 2);
  expect(ctx.output).toHaveBeenCalledWith('existing', false);
  const status = (await admin.getMigration('two-v2')) as { state: string };
  expect(status.state).toBe('paused'); // created, held until started (start: false)
  const created = (await events('two-v2')).find(e => e.to === 'paused');
  expect(created?.actor).toBe('backstage-admin for user:default/alice');
});

test('a dry run previews the plan and saves nothing', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const before = await migrations();
  const ctx = context({ name: 'dry-v2', selector: { id: 'ds*' }, targetVersion: 2, specTemplate: g.specTemplate }, { isDryRun: true });
  await action.handler(ctx);
  expect(ctx.output).toHaveBeenCalledWith('migrationId', 'dry-v2');
  expect(ctx.output).toHaveBeenCalledWith('datasets', 3);
  expect(await migrations()).toEqual(before);
});

test('a token gaggle refuses (403) fails the step with gaggle`s reason and creates nothing', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.viewer });
  const before = await migrations();
  const ctx = context({ name: 'refused-v2', datasets: ['ds0'], targetVersion: 2, specTemplate: g.specTemplate });
  await expect(action.handler(ctx)).rejects.toThrow(/refused the service token.*403.*admin/);
  expect(await migrations()).toEqual(before);
});

test('a bad spec fails the step naming the problem', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const ctx = context({ name: 'bad-v2', datasets: ['ds0'], targetVersion: 2, specTemplate: `${g.specTemplate}gatez: {}\n` });
  await expect(action.handler(ctx)).rejects.toThrow(/refused the migration spec.*gatez/s);
  const unknown = context({ name: 'bad-v2', datasets: ['nowhere'], targetVersion: 2, specTemplate: g.specTemplate });
  await expect(action.handler(unknown)).rejects.toThrow(/refused the migration spec.*nowhere/s);
  expect(await migrations()).not.toContain('bad-v2');
  expect(() => buildSpec({ name: 'x', datasets: ['component:default/web'], targetVersion: 2 })).toThrow(/not a dataset/);
  expect(() => buildSpec({ name: 'x', targetVersion: 2 })).toThrow(/either dataset entity refs or a selector/);
});

test('a retried task creates one migration: from its checkpoint, and from gaggle`s idempotency key when the checkpoint was lost', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const input = { name: 'retry-v2', datasets: ['ds0'], targetVersion: 2, specTemplate: g.specTemplate, start: false };
  const checkpoints = new Map<string, unknown>();
  const checkpoint = async ({ key, fn }: { key: string; fn: () => Promise<unknown> }) => {
    if (!checkpoints.has(key)) checkpoints.set(key, await fn());
    return checkpoints.get(key);
  };
  const task = { id: 'task-42' };
  await action.handler(context(input, { checkpoint, task }));
  const seq = (await events('retry-v2')).length;
  // The task is recovered: the checkpoint answers, gaggle is not asked again.
  const again = context(input, { checkpoint, task });
  await action.handler(again);
  expect(again.output).toHaveBeenCalledWith('migrationId', 'retry-v2');
  // Recovered after gaggle made it but before the checkpoint was stored.
  const lost = context(input, { checkpoint: async ({ fn }: any) => fn(), task });
  await action.handler(lost);
  expect(lost.output).toHaveBeenCalledWith('existing', true);
  expect(lost.output).toHaveBeenCalledWith('datasets', 1);
  expect((await events('retry-v2')).length).toBe(seq);
  // Another task asking for the same name is refused: the name is taken.
  await expect(action.handler(context(input, { task: { id: 'task-43' } }))).rejects.toThrow(/409.*retry-v2/);
  expect(idempotencyKey('a b/c', 'n')).toBe('backstage:a_b_c:n');
});

test('an aborted task creates nothing', async () => {
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const abort = new AbortController();
  abort.abort();
  const ctx = context({ name: 'aborted-v2', datasets: ['ds0'], targetVersion: 2, specTemplate: g.specTemplate }, { signal: abort.signal });
  await expect(action.handler(ctx)).rejects.toThrow(/cancelled/);
  expect(await migrations()).not.toContain('aborted-v2');
});

test('the template`s step calls this action with inputs it declares, and its default spec plans on gaggle', async () => {
  const template = parse(readFileSync(resolve(__dirname, '../../../templates/migrate-dataset.yaml'), 'utf8'));
  const step = template.spec.steps.find((s: { action: string }) => s.action === 'gaggle:dataset:migrate');
  expect(step).toBeDefined();
  const action = createGaggleMigrateAction({ baseUrl: g.url, token: g.tokens.admin });
  const input = action.schema!.input as any; // JSON schema, converted from the zod callback
  const declared = Object.keys(input.properties ?? {});
  expect(declared.length).toBeGreaterThan(0);
  for (const key of Object.keys(step.input)) expect(declared).toContain(key);
  // Every parameter the step reads exists in the form.
  const params = Object.assign({}, ...template.spec.parameters.map((p: { properties: object }) => p.properties));
  for (const v of Object.values(step.input) as string[]) {
    const m = /^\$\{\{ parameters\.(\w+) \}\}$/.exec(v);
    expect(m && params[m[1]]).toBeTruthy();
  }
  // The form's default spec, filled in as the action does, is a spec gaggle plans.
  const spec = buildSpec({
    name: 'template-v2',
    datasets: ['resource:default/ds0'],
    targetVersion: params.targetVersion.default,
    targetFormat: params.targetFormat.default,
    specTemplate: params.specTemplate.default,
  });
  const preview = await admin.previewPlan(spec);
  expect(preview.datasets).toBe(1);
  expect(preview.stages.length).toBeGreaterThan(0);
});
