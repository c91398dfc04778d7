// @gaggle/backstage-plugin-gaggle-common: gaggle's API client and types, and the
// entity annotations the gaggle Backstage plugins share.
export * from './annotations';
export * from './client';
export type * from './types';
