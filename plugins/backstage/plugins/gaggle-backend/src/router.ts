// The routes of the gaggle backend plugin, mounted at /api/gaggle. Every route needs a
// Backstage user (httpAuth.credentials); the call to gaggle carries the user's entity
// ref as the actor (X-Gaggle-On-Behalf-Of), so gaggle's event log names both the
// service token and the person. Entities map to datasets by their gaggle.dev/*
// annotations (@gaggle/backstage-plugin-gaggle-common); gaggle stays the source of the
// migration state, read page by page, never mirrored into the catalog.
//
//   GET  /migrations                              gaggle's migrations
//   GET  /attention?limit=&after=                 the needs-attention queue (a page)
//   GET  /migrations/:migration/datasets/:dataset one dataset's migration detail
//   GET  /entity/:namespace/:kind/:name           the migration of a catalog entity: the one its
//        gaggle.dev/migration names, else its newest cut-over's, else the newest that holds it
//   POST /migrations/:migration/pause|resume      only when gaggle.allowControl is true
import express from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  datasetOfEntity,
  GaggleApiError,
  GaggleClient,
  type CallOptions,
  type DatasetDetail,
  type EntityMigration,
} from '@gaggle/backstage-plugin-gaggle-common';

const SEARCH_LIMIT = 20;

export interface RouterOptions {
  client: GaggleClient;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  logger: LoggerService;
  dashboardUrl?: string;
  allowControl: boolean;
}

export async function createRouter(o: RouterOptions): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  // The caller's identity, or a 401 from httpAuth when there is none.
  async function caller(req: express.Request): Promise<CallOptions & { credentials: any }> {
    const credentials = await o.httpAuth.credentials(req, { allow: ['user'] });
    return { credentials, onBehalfOf: credentials.principal.userEntityRef };
  }

  router.get('/migrations', async (req, res) => {
    const c = await caller(req);
    res.json(await o.client.listMigrations(c));
  });

  router.get('/attention', async (req, res) => {
    const c = await caller(req);
    const limit = Number(req.query.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      res.status(400).json({ error: { name: 'InputError', message: 'limit: expected an integer from 1 to 1000' } });
      return;
    }
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    res.json(await o.client.attention(limit, after, c));
  });

  router.get('/migrations/:migration/datasets/:dataset(*)', async (req, res) => {
    const c = await caller(req);
    res.json(await o.client.getDataset(req.params.migration, req.params.dataset, c));
  });

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const c = await caller(req);
    const ref = stringifyEntityRef({ kind: req.params.kind, namespace: req.params.namespace, name: req.params.name });
    const entity = await o.catalog.getEntityByRef(ref, { credentials: c.credentials });
    if (!entity) {
      res.status(404).json({ error: { name: 'NotFoundError', message: `no entity ${ref} in the catalog` } });
      return;
    }
    const target = datasetOfEntity(entity);
    if (!target) {
      res.status(404).json({
        error: { name: 'NotFoundError', message: `${ref} is not a gaggle dataset (no gaggle.dev/uri or gaggle.dev/migration annotation)` },
      });
      return;
    }
    // The catalog facts and cut-overs; a dataset gaggle does not know yet is not an error here.
    const catalog = await o.client.catalogEntity(target.dataset, c).catch(e => {
      if (e instanceof GaggleApiError && e.status === 404) return null;
      throw e;
    });
    let migration = target.migration ?? catalog?.cutovers?.[catalog.cutovers.length - 1]?.migration ?? null;
    let detail = migration ? await o.client.getDataset(migration, target.dataset, c) : null;
    if (!migration) [migration, detail] = await newestMigrationOf(target.dataset, c);
    const body: EntityMigration = {
      entityRef: ref,
      dataset: target.dataset,
      migration,
      dashboardUrl: migration ? o.client.dashboardUrl(migration, target.dataset, o.dashboardUrl) : (o.dashboardUrl ?? ''),
      detail,
      catalog,
    };
    res.json(body);
  });

  // An entity whose annotations name no migration (imported, not yet exported back): the
  // most recently updated of gaggle's migrations that includes the dataset, looking at
  // no more than SEARCH_LIMIT of them (one indexed lookup each).
  async function newestMigrationOf(dataset: string, c: CallOptions): Promise<[string | null, DatasetDetail | null]> {
    const all = (await o.client.listMigrations(c)).items;
    all.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    for (const m of all.slice(0, SEARCH_LIMIT)) {
      try {
        return [m.migration, await o.client.getDataset(m.migration, dataset, c)];
      } catch (e) {
        if (!(e instanceof GaggleApiError && e.status === 404)) throw e;
      }
    }
    return [null, null];
  }

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/migrations/:migration/${action}`, async (req, res) => {
      const c = await caller(req);
      if (!o.allowControl) {
        res.status(403).json({ error: { name: 'NotAllowedError', message: `${action} through Backstage is off (gaggle.allowControl)` } });
        return;
      }
      const reason = typeof req.body?.reason === 'string' ? req.body.reason : `${action} from Backstage`;
      res.json(await o.client[action](req.params.migration, reason, c));
    });
  }

  // gaggle's refusals keep their status; the message names gaggle and the call.
  router.use((err: Error, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err instanceof GaggleApiError) {
      o.logger.warn(err.message);
      res.status(err.status === 401 || err.status === 403 ? 502 : err.status).json({
        error: { name: 'GaggleApiError', code: err.code, message: err.message },
      });
      return;
    }
    next(err);
  });
  return router;
}
