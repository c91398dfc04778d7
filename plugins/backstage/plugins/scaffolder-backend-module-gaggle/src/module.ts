// The scaffolder backend module that registers gaggle:dataset:migrate, configured from
// the app config's gaggle.* keys.
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createGaggleMigrateAction, readGaggleConfig } from './migrateAction';

export const scaffolderModuleGaggle = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gaggle',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig },
      async init({ scaffolder, config }) {
        scaffolder.addActions(createGaggleMigrateAction(readGaggleConfig(config)));
      },
    });
  },
});
