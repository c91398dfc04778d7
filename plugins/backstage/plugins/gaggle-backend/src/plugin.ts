// The gaggle backend plugin: the proxy routes of router.ts at /api/gaggle, configured
// from gaggle.baseUrl, gaggle.token (a viewer token is enough to read; operator for
// gaggle.allowControl), gaggle.dashboardUrl and gaggle.allowControl.
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { GaggleClient } from '@gaggle/backstage-plugin-gaggle-common';
import { createRouter } from './router';

export const gagglePlugin = createBackendPlugin({
  pluginId: 'gaggle',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        catalog: catalogServiceRef,
      },
      async init({ config, logger, httpRouter, httpAuth, catalog }) {
        const client = new GaggleClient({
          baseUrl: config.getString('gaggle.baseUrl'),
          token: config.getString('gaggle.token'),
        });
        httpRouter.use(
          await createRouter({
            client,
            httpAuth,
            catalog,
            logger,
            dashboardUrl: config.getOptionalString('gaggle.dashboardUrl'),
            allowControl: config.getOptionalBoolean('gaggle.allowControl') ?? false,
          }),
        );
      },
    });
  },
});
