// The frontend plugin under jsdom, from a stubbed gaggle API: the Migration tab shows a
// dataset's state and validation figures and an error state, the card its summary, the
// page the migrations and the needs-attention queue; the tab's extension (through
// createExtensionTester) is titled "Migration", shown for gaggle datasets only and
// renders the tab; the legacy exports render it in an old-system app.
import React from 'react';
import { screen } from '@testing-library/react';
import { createExtensionTester, renderInTestApp, TestApiProvider } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import type { EntityMigration } from '@gaggle/backstage-plugin-gaggle-common';
import { gaggleApiRef, type GaggleApi } from './api';
import { MigrationCard, MigrationContent } from './components/MigrationContent';
import { MigrationsPage } from './components/MigrationsPage';
import { entityMigrationContent } from './plugin';
import { EntityGaggleMigrationContent, legacyGagglePlugin } from './legacy';
import { renderInTestApp as legacyRenderInTestApp, TestApiProvider as LegacyTestApiProvider } from '@backstage/test-utils';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'orders', annotations: { 'gaggle.dev/uri': 's3://lake/orders/', 'gaggle.dev/format': 'avro' } },
  spec: { type: 'dataset', owner: 'group:default/team-sales' },
};

const migration: EntityMigration = {
  entityRef: 'resource:default/orders',
  dataset: 'orders',
  migration: 'orders-v2',
  dashboardUrl: 'http://gaggle.example/migrations/orders-v2/datasets/orders',
  catalog: null,
  detail: {
    migration: 'orders-v2',
    dataset: 'orders',
    task: {
      dataset: 'orders', state: 'succeeded', stage: 1, wave: 0, owner: 'team-sales', tier: 'standard', attempts: 2,
      error: '', started_at: '', finished_at: '', rows_in: 120000, rows_out: 119988, dead_lettered: 12, bytes: 1,
      duration_ms: 1, source: 's3://lake/orders/', target: 's3://lake/v2/orders/',
    },
    validation: {
      attempt: 2, time: '2026-12-05T09:00:00Z', passed: true, summary: '',
      report: {
        checks: [
          { name: 'row_count', passed: true, skipped: false, message: '', observed: 0.0001, threshold: 0.01 },
          { name: 'ks', column: 'amount', passed: true, skipped: false, message: '', observed: 0.0213, threshold: 0.05 },
        ],
      },
    },
    verifications: [{ time: '2026-12-05T09:10:00Z', passed: true, summary: '20 queries matched' }],
    cutover: {
      state: 'current', cut_at: '2026-12-05T09:11:00Z', retain_until: '2027-01-04T09:11:00Z',
      previous: { uri: 's3://lake/orders/', format: 'avro', schema_version: 1 },
      next: { uri: 's3://lake/v2/orders/', format: 'parquet', schema_version: 2 },
    },
  },
};

function api(over: Partial<GaggleApi> = {}): GaggleApi {
  return {
    entityMigration: jest.fn(async () => migration),
    listMigrations: jest.fn(async () => ({
      items: [{ migration: 'orders-v2', state: 'running', reason: '', runner: 'h:1', datasets: 40, done: 31, attention: 2, failed: 1,
        rows_out: 1, rows_per_second: 1, eta_seconds: 1, stages: [], updated_at: '' }],
    })),
    attention: jest.fn(async () => ({
      items: [{ ...migration.detail!.task, dataset: 'payments', state: 'needs-attention', migration: 'orders-v2',
        error: 'schema mismatch: amount', advice: 'fix the source, then resume' }],
      more: false, next: null,
    })),
    ...over,
  };
}

const inEntity = (a: GaggleApi, child: React.ReactNode) => (
  <TestApiProvider apis={[[gaggleApiRef, a]]}>
    <EntityProvider entity={entity}>{child}</EntityProvider>
  </TestApiProvider>
);

test('the Migration tab shows the dataset`s state, validation figures, verification and cut-over', async () => {
  await renderInTestApp(inEntity(api(), <MigrationContent />));
  expect(await screen.findByTestId('gaggle-state')).toHaveTextContent('succeeded');
  expect(screen.getByTestId('gaggle-migration')).toHaveTextContent('orders-v2');
  expect(screen.getByTestId('gaggle-validation')).toHaveTextContent(/^passed \(attempt 2/);
  const rows = Array.from(screen.getByTestId('gaggle-checks').querySelectorAll('tbody tr')).map(r => r.textContent);
  expect(rows).toEqual(['row_count0.00010.01passed', 'ksamount0.02130.05passed']);
  expect(screen.getByText(/Rows in 120000, out 119988, dead-lettered 12/)).toBeInTheDocument();
  expect(screen.getByTestId('gaggle-verifications')).toHaveTextContent('20 queries matched');
  expect(screen.getByTestId('gaggle-cutover')).toHaveTextContent('s3://lake/orders/ (avro) is kept until 2027-01-04');
  expect(screen.getByText('Open in the gaggle dashboard').closest('a')).toHaveAttribute('href', migration.dashboardUrl);
});

test('the tab shows an error when gaggle cannot be read, and the card a summary', async () => {
  const failing = api({ entityMigration: jest.fn(async () => Promise.reject(new Error('gaggle: GET /api/v1/migrations: 502 unreachable'))) });
  await renderInTestApp(inEntity(failing, <MigrationContent />));
  expect(await screen.findByText(/gaggle could not be read/)).toBeInTheDocument();
  expect(screen.getByText(/502 unreachable/)).toBeInTheDocument();
  expect(screen.queryByTestId('gaggle-state')).toBeNull();

  await renderInTestApp(inEntity(api(), <MigrationCard />));
  expect(await screen.findByTestId('gaggle-card')).toHaveTextContent('orders-v2: succeeded, stage 1, validation passed');
});

test('the page lists migrations and the needs-attention queue', async () => {
  await renderInTestApp(
    <TestApiProvider apis={[[gaggleApiRef, api()]]}>
      <MigrationsPage />
    </TestApiProvider>,
  );
  const m = await screen.findByTestId('gaggle-migrations');
  expect(m.querySelector('tbody tr')?.textContent).toBe('orders-v2running403121');
  const a = await screen.findByTestId('gaggle-attention');
  expect(a).toHaveTextContent('payments');
  expect(a).toHaveTextContent('fix the source, then resume');
});

test('the tab extension is titled Migration, shown for gaggle datasets only, and renders the tab', async () => {
  const tester = createExtensionTester(entityMigrationContent, { apis: [[gaggleApiRef, api()]] });
  expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Migration');
  const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
  expect(filter(entity as any)).toBe(true);
  expect(filter({ ...entity, kind: 'Component' } as any)).toBe(false);
  expect(filter({ ...entity, metadata: { name: 'x' } } as any)).toBe(false);
  await renderInTestApp(<EntityProvider entity={entity}>{tester.reactElement()}</EntityProvider>, {
    apis: [[gaggleApiRef, api()]],
  });
  expect(await screen.findByTestId('gaggle-state')).toHaveTextContent('succeeded');
});

test('the legacy exports render the same tab in an app on the old frontend system', async () => {
  await legacyRenderInTestApp(
    <LegacyTestApiProvider apis={[[gaggleApiRef, api()]]}>
      <EntityProvider entity={entity}>
        <EntityGaggleMigrationContent />
      </EntityProvider>
    </LegacyTestApiProvider>,
  );
  expect(await screen.findByTestId('gaggle-state')).toHaveTextContent('succeeded');
  expect(legacyGagglePlugin.getId()).toBe('gaggle');
});
