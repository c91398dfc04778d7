// A small client of gaggle's API v1 (docs/control-plane.md) for the Backstage backend
// packages: a bearer service token, the Backstage user it acts for (recorded by gaggle
// as the actor: "TOKEN-NAME for user:default/alice"), an abort signal per call, and
// errors that keep gaggle's status, code and message.
import type {
  AttentionPage,
  CatalogEntity,
  CreatedMigration,
  DatasetDetail,
  MigrationSummary,
  PlanPreview,
} from './types';

export interface GaggleClientOptions {
  /** The server's URL, e.g. http://127.0.0.1:8420 (no trailing /api/v1). */
  baseUrl: string;
  /** A gaggle API token (`gaggle token create`): viewer to read, admin to create migrations. */
  token: string;
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** The Backstage user the call is made for (an entity ref). */
  onBehalfOf?: string;
  signal?: AbortSignal;
}

/** An error answer of gaggle's API: {"error": {"code", "message"}}. */
export class GaggleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GaggleApiError';
  }
}

const enc = encodeURIComponent;

export class GaggleClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: GaggleClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new Error(`gaggle.baseUrl: expected an http(s) URL, got '${options.baseUrl}'`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The dashboard page of a migration (served by `gaggle serve` at its root). */
  dashboardUrl(migration: string, dataset?: string, publicUrl?: string): string {
    const base = (publicUrl ?? this.baseUrl).replace(/\/+$/, '');
    return dataset ? `${base}/migrations/${enc(migration)}/datasets/${enc(dataset)}` : `${base}/migrations/${enc(migration)}`;
  }

  whoami(o: CallOptions = {}): Promise<{ name: string; role: string }> {
    return this.call('GET', '/api/v1/whoami', undefined, o);
  }
  listMigrations(o: CallOptions = {}): Promise<{ items: MigrationSummary[] }> {
    return this.call('GET', '/api/v1/migrations', undefined, o);
  }
  getMigration(migration: string, o: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.call('GET', `/api/v1/migrations/${enc(migration)}`, undefined, o);
  }
  createMigration(
    req: { spec: string; start?: boolean; idempotencyKey?: string },
    o: CallOptions = {},
  ): Promise<CreatedMigration> {
    const body: Record<string, unknown> = { spec: req.spec, start: req.start ?? false };
    if (req.idempotencyKey) body.idempotency_key = req.idempotencyKey;
    return this.call('POST', '/api/v1/migrations', body, o);
  }
  previewPlan(spec: string, o: CallOptions = {}): Promise<PlanPreview> {
    return this.call('POST', '/api/v1/plans/preview', { spec }, o);
  }
  getDataset(migration: string, dataset: string, o: CallOptions = {}): Promise<DatasetDetail> {
    return this.call('GET', `/api/v1/migrations/${enc(migration)}/datasets/${enc(dataset)}?log_tail=20`, undefined, o);
  }
  attention(limit: number, after: string | undefined, o: CallOptions = {}): Promise<AttentionPage> {
    const q = `limit=${limit}${after ? `&after=${enc(after)}` : ''}`;
    return this.call('GET', `/api/v1/attention?${q}`, undefined, o);
  }
  catalogEntity(id: string, o: CallOptions = {}): Promise<CatalogEntity> {
    return this.call('GET', `/api/v1/catalog/entities/${enc(id)}`, undefined, o);
  }
  pause(migration: string, reason: string, o: CallOptions = {}): Promise<unknown> {
    return this.call('POST', `/api/v1/migrations/${enc(migration)}/pause`, { reason }, o);
  }
  resume(migration: string, reason: string, o: CallOptions = {}): Promise<unknown> {
    return this.call('POST', `/api/v1/migrations/${enc(migration)}/resume`, { reason }, o);
  }

  private async call<T>(method: string, path: string, body: unknown, o: CallOptions): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.options.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (o.onBehalfOf) headers['X-Gaggle-On-Behalf-Of'] = o.onBehalfOf;
    let res: Response;
    try {
      res = await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: o.signal,
      });
    } catch (e) {
      if (o.signal?.aborted) throw e;
      throw new GaggleApiError(502, 'Unreachable', `gaggle at ${this.baseUrl}: ${method} ${path}: ${String(e)}`);
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new GaggleApiError(res.status, 'BadResponse', `gaggle: ${method} ${path}: ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const err = json?.error ?? {};
      throw new GaggleApiError(res.status, String(err.code ?? res.status), `gaggle: ${method} ${path}: ${res.status} ${err.message ?? text}`);
    }
    return json as T;
  }
}
