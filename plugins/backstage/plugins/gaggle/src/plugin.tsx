// The gaggle frontend plugin for Backstage's new frontend system: the gaggle API (calls
// to the gaggle backend plugin), a "Migration" entity tab and an entity card for
// entities gaggle treats as datasets (a Resource with gaggle.dev/uri or
// gaggle.dev/migration), and a page at /gaggle listing migrations and the
// needs-attention queue.
import React from 'react';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isGaggleDatasetEntity } from '@gaggle/backstage-plugin-gaggle-common';
import { GaggleBackstageClient, gaggleApiRef } from './api';

export const rootRouteRef = createRouteRef();

export const gaggleApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gaggleApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new GaggleBackstageClient({ discoveryApi, fetchApi }),
    }),
});

export const gaggleMigrationsPage = PageBlueprint.make({
  params: {
    path: '/gaggle',
    routeRef: rootRouteRef,
    loader: () => import('./components/MigrationsPage').then(m => <m.MigrationsPage />),
  },
});

export const entityMigrationContent = EntityContentBlueprint.make({
  name: 'migration',
  params: {
    path: 'migration',
    title: 'Migration',
    filter: isGaggleDatasetEntity,
    loader: () => import('./components/MigrationContent').then(m => <m.MigrationContent />),
  },
});

export const entityMigrationCard = EntityCardBlueprint.make({
  name: 'migration',
  params: {
    filter: isGaggleDatasetEntity,
    loader: () => import('./components/MigrationContent').then(m => <m.MigrationCard />),
  },
});

export const gagglePlugin = createFrontendPlugin({
  pluginId: 'gaggle',
  extensions: [gaggleApi, gaggleMigrationsPage, entityMigrationContent, entityMigrationCard],
  routes: { root: rootRouteRef },
});
