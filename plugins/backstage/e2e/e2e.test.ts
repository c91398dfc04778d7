// End to end: a real `gaggle serve` (gaggleServer.ts) and Backstage's test backend with
// gaggle's scaffolder module and backend plugin. The template's action creates and starts
// a migration of three datasets; gaggle runs it to completion (real files written and
// validated); the backend plugin's route then gives a dataset's state through gaggle's API.
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { GaggleClient } from '@gaggle/backstage-plugin-gaggle-common';
import scaffolderModuleGaggle from '@gaggle/backstage-plugin-scaffolder-backend-module-gaggle';
import gagglePlugin from '@gaggle/backstage-plugin-gaggle-backend';
import { startGaggle, type GaggleServer } from './gaggleServer';

let g: GaggleServer;
beforeAll(async () => {
  g = await startGaggle({ datasets: 3, rows: 2000 });
});
afterAll(() => g?.stop());

test('a template run migrates three datasets to completion and the entity page reads the result', async () => {
  const actions: any[] = [];
  const { server } = await startTestBackend({
    extensionPoints: [[scaffolderActionsExtensionPoint, { addActions: (...a: any[]) => actions.push(...a) }]],
    features: [
      scaffolderModuleGaggle,
      gagglePlugin,
      catalogServiceMock.factory({ entities: g.entities as any }),
      mockServices.rootConfig.factory({ data: { gaggle: { baseUrl: g.url, token: g.tokens.admin } } }),
    ],
  });
  const action = actions.find(a => a.id === 'gaggle:dataset:migrate');
  expect(action).toBeDefined();

  const ctx = createMockActionContext({
    input: { name: 'e2e-v2', datasets: ['resource:default/ds0', 'resource:default/ds1', 'ds2'], targetVersion: 2, specTemplate: g.specTemplate },
    user: { ref: 'user:default/alice' },
  } as any) as any;
  await action.handler(ctx);
  expect(ctx.output).toHaveBeenCalledWith('migrationId', 'e2e-v2');
  expect(ctx.output).toHaveBeenCalledWith('dashboardUrl', `${g.url}/migrations/e2e-v2`);

  // gaggle serve drives it; wait (bounded) for completion.
  const gaggle = new GaggleClient({ baseUrl: g.url, token: g.tokens.viewer });
  const deadline = Date.now() + 90_000;
  let state = '';
  while (Date.now() < deadline) {
    state = ((await gaggle.getMigration('e2e-v2')) as { state: string }).state;
    if (state === 'completed' || state === 'failed' || state === 'cancelled') break;
    await new Promise(r => setTimeout(r, 200));
  }
  expect(state).toBe('completed');
  for (const d of ['ds0', 'ds1', 'ds2']) {
    const out = join(g.work, 'out', d);
    expect(existsSync(out) && readdirSync(out).some(f => f.endsWith('.parquet'))).toBe(true);
  }

  // The entity page's route: the dataset's state and validation figures, through gaggle's API.
  const res = await request(server)
    .get('/api/gaggle/entity/default/resource/ds1')
    .set('Authorization', mockCredentials.user.header('user:default/alice'));
  expect(res.status).toBe(200);
  expect(res.body.migration).toBe('e2e-v2');
  expect(res.body.detail.task.state).toBe('validated');  // succeeded, and its validation passed
  expect(res.body.detail.task.rows_out).toBe(2000);
  expect(res.body.detail.validation.passed).toBe(true);
  const rowCount = res.body.detail.validation.report.checks.find((c: { name: string }) => /row/.test(c.name));
  expect(rowCount).toBeDefined();
}, 150_000);
