// The frontend's view of gaggle: calls to the gaggle backend plugin (/api/gaggle), made
// with the signed-in user's Backstage token (fetchApi), never with a gaggle token.
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { createApiRef } from '@backstage/core-plugin-api';
import type { AttentionPage, EntityMigration, MigrationSummary } from '@gaggle/backstage-plugin-gaggle-common';

export interface GaggleApi {
  entityMigration(ref: { kind: string; namespace?: string; name: string }): Promise<EntityMigration>;
  listMigrations(): Promise<{ items: MigrationSummary[] }>;
  attention(limit: number): Promise<AttentionPage>;
}

export const gaggleApiRef = createApiRef<GaggleApi>({ id: 'plugin.gaggle.api' });

export class GaggleBackstageClient implements GaggleApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  entityMigration(ref: { kind: string; namespace?: string; name: string }): Promise<EntityMigration> {
    const e = encodeURIComponent;
    return this.get(`/entity/${e(ref.namespace ?? 'default')}/${e(ref.kind.toLowerCase())}/${e(ref.name)}`);
  }
  listMigrations(): Promise<{ items: MigrationSummary[] }> {
    return this.get('/migrations');
  }
  attention(limit: number): Promise<AttentionPage> {
    return this.get(`/attention?limit=${limit}`);
  }

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('gaggle');
    const res = await this.deps.fetchApi.fetch(base + path);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body?.error?.message ?? `gaggle backend: ${res.status} ${res.statusText} for ${path}`);
    return body as T;
  }
}
