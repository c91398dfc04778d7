// @gaggle/backstage-plugin-gaggle: the default export is the plugin for Backstage's new
// frontend system; the named legacy exports serve apps still on the old one.
export { gagglePlugin as default } from './plugin';
export { entityMigrationCard, entityMigrationContent, gaggleApi, gaggleMigrationsPage } from './plugin';
export { EntityGaggleMigrationCard, EntityGaggleMigrationContent, GagglePage, legacyGagglePlugin } from './legacy';
export { gaggleApiRef, GaggleBackstageClient } from './api';
export type { GaggleApi } from './api';
export { isGaggleDatasetEntity, datasetOfEntity } from '@gaggle/backstage-plugin-gaggle-common';
