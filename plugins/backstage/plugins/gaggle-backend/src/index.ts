// @gaggle/backstage-plugin-gaggle-backend: the authenticated gaggle proxy at /api/gaggle.
export { gagglePlugin as default } from './plugin';
export { createRouter } from './router';
export type { RouterOptions } from './router';
