// @gaggle/backstage-plugin-scaffolder-backend-module-gaggle: the gaggle:dataset:migrate action.
export { scaffolderModuleGaggle as default } from './module';
export { createGaggleMigrateAction, readGaggleConfig } from './migrateAction';
export type { GaggleActionConfig } from './migrateAction';
export { buildSpec, idempotencyKey } from './spec';
