// The gaggle backend plugin in Backstage's test backend (startTestBackend, a mock catalog
// holding the entities gaggle imported) against a real `gaggle serve`: requests with and
// without a user's credentials, entity-to-dataset mapping by annotation, the user named
// as the actor, and control routes off unless configured.
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { GaggleClient, datasetIdOfRef, datasetOfEntity } from '@gaggle/backstage-plugin-gaggle-common';
import { startGaggle, type GaggleServer } from '../../../e2e/gaggleServer';
import { gagglePlugin } from './plugin';

let g: GaggleServer;
beforeAll(async () => {
  g = await startGaggle({ datasets: 2 });
  const admin = new GaggleClient({ baseUrl: g.url, token: g.tokens.admin });
  await admin.createMigration({ spec: `name: web-v2\nversion: 2\nselect: {ids: [ds0, ds1]}\n${g.specTemplate}` });
});
afterAll(() => g?.stop());

// `anonymous`: requests without an Authorization header carry no credentials (the test
// backend otherwise treats them as a default user).
async function backend(config: Record<string, unknown> = {}, anonymous = false) {
  const entities = [
    ...g.entities,
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'web' }, spec: { type: 'service', owner: 'team-data', lifecycle: 'production' } },
  ];
  const { server } = await startTestBackend({
    features: [
      gagglePlugin,
      catalogServiceMock.factory({ entities: entities as any }),
      mockServices.rootConfig.factory({ data: { gaggle: { baseUrl: g.url, token: g.tokens.operator, ...config } } }),
      ...(anonymous ? [mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })] : []),
    ],
  });
  return server;
}

const alice = () => mockCredentials.user.header('user:default/alice');

test('without credentials every route is refused', async () => {
  const server = await backend({}, true);
  for (const path of ['/api/gaggle/migrations', '/api/gaggle/attention', '/api/gaggle/entity/default/resource/ds0']) {
    const res = await request(server).get(path);
    expect(res.status).toBe(401);
  }
  const bad = await request(server).get('/api/gaggle/migrations').set('Authorization', mockCredentials.user.invalidHeader());
  expect(bad.status).toBe(401);
});

test('a user reads an entity`s migration, mapped to its dataset by annotation', async () => {
  const server = await backend();
  const res = await request(server).get('/api/gaggle/entity/default/resource/ds1').set('Authorization', alice());
  expect(res.status).toBe(200);
  expect(res.body.dataset).toBe('ds1');
  expect(res.body.migration).toBe('web-v2');
  expect(res.body.detail.task.state).toBe('pending');
  expect(res.body.dashboardUrl).toBe(`${g.url}/migrations/web-v2/datasets/ds1`);
  expect(res.body.catalog.uri).toMatch(/ds1\.jsonl$/);

  const list = await request(server).get('/api/gaggle/migrations').set('Authorization', alice());
  expect(list.status).toBe(200);
  expect(list.body.items.map((m: { migration: string }) => m.migration)).toEqual(['web-v2']);

  // An entity that is no gaggle dataset, and one the catalog does not hold.
  const component = await request(server).get('/api/gaggle/entity/default/component/web').set('Authorization', alice());
  expect(component.status).toBe(404);
  expect(component.body.error.message).toMatch(/not a gaggle dataset/);
  const missing = await request(server).get('/api/gaggle/entity/default/resource/nowhere').set('Authorization', alice());
  expect(missing.status).toBe(404);
  const attention = await request(server).get('/api/gaggle/attention?limit=5000').set('Authorization', alice());
  expect(attention.status).toBe(400);
});

test('control routes are off by default; when on, gaggle records the user beside the service token', async () => {
  const off = await backend();
  const refused = await request(off).post('/api/gaggle/migrations/web-v2/pause').set('Authorization', alice()).send({ reason: 'x' });
  expect(refused.status).toBe(403);

  const on = await backend({ allowControl: true });
  const res = await request(on).post('/api/gaggle/migrations/web-v2/pause').set('Authorization', alice()).send({ reason: 'owner asked' });
  expect(res.status).toBe(200);
  const ev = await fetch(`${g.url}/api/v1/events?migration=web-v2&limit=1000`, { headers: { Authorization: `Bearer ${g.tokens.admin}` } });
  const items = ((await ev.json()) as { items: Array<{ actor: string; to: string }> }).items;
  expect(items[items.length - 1].actor).toBe('backstage-operator for user:default/alice');

  // gaggle's own refusals keep their meaning: an unknown migration is a 404 naming it.
  const unknown = await request(on).get('/api/gaggle/migrations/nope/datasets/ds0').set('Authorization', alice());
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toMatch(/nope/);
});

test('entities and refs map to gaggle dataset ids as gaggle catalog import names them', () => {
  const resource = (namespace: string | undefined, annotations: Record<string, string>) =>
    ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: 'orders', namespace, annotations }, spec: {} }) as any;
  expect(datasetOfEntity(resource(undefined, { 'gaggle.dev/uri': 's3://l/o/' }))).toEqual({ dataset: 'orders' });
  expect(datasetOfEntity(resource('sales', { 'gaggle.dev/uri': 's3://l/o/', 'gaggle.dev/migration': 'm2' }))).toEqual({
    dataset: 'sales/orders',
    migration: 'm2',
  });
  expect(datasetOfEntity(resource(undefined, {}))).toBeUndefined();
  expect(datasetOfEntity({ ...resource(undefined, { 'gaggle.dev/uri': 'x' }), kind: 'Component' })).toBeUndefined();
  expect(datasetIdOfRef('resource:default/orders')).toBe('orders');
  expect(datasetIdOfRef('resource:sales/orders')).toBe('sales/orders');
  expect(datasetIdOfRef('orders')).toBe('orders');
  expect(() => datasetIdOfRef('group:default/team')).toThrow(/is a group, not a dataset/);
  expect(() => datasetIdOfRef('a:b:c')).toThrow(/not an entity ref/);
});
