// The same features for Backstage apps not yet on the new frontend system: a plugin with
// the gaggle API, <GagglePage /> for a route, and <EntityGaggleMigrationContent /> and
// <EntityGaggleMigrationCard /> for the entity page (show them when
// isGaggleDatasetEntity(entity), e.g. with EntitySwitch).
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GaggleBackstageClient, gaggleApiRef } from './api';

export const legacyRootRouteRef = createRouteRef({ id: 'gaggle' });

export const legacyGagglePlugin = createPlugin({
  id: 'gaggle',
  apis: [
    createApiFactory({
      api: gaggleApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new GaggleBackstageClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: legacyRootRouteRef },
});

export const GagglePage = legacyGagglePlugin.provide(
  createRoutableExtension({
    name: 'GagglePage',
    component: () => import('./components/MigrationsPage').then(m => m.MigrationsPage),
    mountPoint: legacyRootRouteRef,
  }),
);

export const EntityGaggleMigrationContent = legacyGagglePlugin.provide(
  createComponentExtension({
    name: 'EntityGaggleMigrationContent',
    component: { lazy: () => import('./components/MigrationContent').then(m => m.MigrationContent) },
  }),
);

export const EntityGaggleMigrationCard = legacyGagglePlugin.provide(
  createComponentExtension({
    name: 'EntityGaggleMigrationCard',
    component: { lazy: () => import('./components/MigrationContent').then(m => m.MigrationCard) },
  }),
);
