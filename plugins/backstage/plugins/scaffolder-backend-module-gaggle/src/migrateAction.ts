// The scaffolder action gaggle:dataset:migrate: creates (and by default starts) a gaggle
// migration of the datasets a template names, with the service token from config.
//  - Idempotent under task recovery: the create runs inside ctx.checkpoint, and carries
//    an idempotency key derived from the task id, so a task restarted after gaggle made
//    the migration (but before the checkpoint was stored) gets the same migration back.
//  - Dry run (the template editor's dry run, or input dryRun): gaggle previews the plan
//    (waves, stages) and nothing is saved.
//  - The abort signal cancels the call in flight; an aborted task creates nothing new.
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Config } from '@backstage/config';
import { GaggleClient, GaggleApiError } from '@gaggle/backstage-plugin-gaggle-common';
import { buildSpec, idempotencyKey } from './spec';

export interface GaggleActionConfig {
  baseUrl: string;
  token: string;
  dashboardUrl?: string;
}

/** Reads gaggle.baseUrl, gaggle.token and gaggle.dashboardUrl (docs/backstage.md). */
export function readGaggleConfig(config: Config): GaggleActionConfig {
  return {
    baseUrl: config.getString('gaggle.baseUrl'),
    token: config.getString('gaggle.token'),
    dashboardUrl: config.getOptionalString('gaggle.dashboardUrl'),
  };
}

export function createGaggleMigrateAction(options: GaggleActionConfig & { fetch?: typeof fetch }) {
  const client = new GaggleClient({ baseUrl: options.baseUrl, token: options.token, fetch: options.fetch });
  return createTemplateAction({
    id: 'gaggle:dataset:migrate',
    description: 'Creates and starts a gaggle migration of the given datasets to a target schema version and format',
    supportsDryRun: true,
    schema: {
      input: z =>
        z.object({
          name: z.string().describe('The migration name (letters, digits, ., _, -)'),
          datasets: z.array(z.string()).optional().describe('Dataset entity refs (resource:default/orders) or ids'),
          selector: z
            .object({
              id: z.string().optional().describe('A glob over dataset ids'),
              owner: z.string().optional(),
              tier: z.array(z.enum(['critical', 'standard', 'low'])).optional(),
              format: z.string().optional(),
            })
            .optional()
            .describe('Select datasets by facts instead of naming them'),
          targetVersion: z.number().int().min(1).describe('The target schema version'),
          targetFormat: z.enum(['parquet', 'avro', 'csv', 'jsonl']).optional().describe('The target format'),
          specTemplate: z.string().optional().describe('A gaggle migration spec (YAML) to fill in'),
          dryRun: z.boolean().optional().describe('Preview the plan only; nothing is saved'),
          start: z.boolean().optional().describe('Start the migration at once (default true)'),
        }),
      output: z =>
        z.object({
          migrationId: z.string().describe('The migration gaggle created'),
          dashboardUrl: z.string().describe('Its page on the gaggle dashboard'),
          datasets: z.number().describe('How many datasets it migrates'),
          existing: z.boolean().describe('True when a retried task found the migration it made before'),
        }),
    },
    async handler(ctx) {
      const input = ctx.input;
      const spec = buildSpec(input);
      const user = ctx.user?.ref;
      const dashboardUrl = client.dashboardUrl(input.name, undefined, options.dashboardUrl);
      const call = { signal: ctx.signal, onBehalfOf: user };
      if (ctx.signal?.aborted) throw new Error('gaggle:dataset:migrate: the task was cancelled before it started');

      if (ctx.isDryRun || input.dryRun) {
        const preview = await explain(client.previewPlan(spec, call));
        ctx.logger.info(
          `gaggle: dry run of ${preview.migration}: ${preview.datasets} datasets in ${preview.waves} waves, ` +
            `${preview.stages.length} stages; nothing was saved`,
        );
        ctx.output('migrationId', preview.migration);
        ctx.output('dashboardUrl', dashboardUrl);
        ctx.output('datasets', preview.datasets);
        ctx.output('existing', false);
        return;
      }

      const key = idempotencyKey(ctx.task.id, input.name);
      const created = await ctx.checkpoint({
        key: `gaggle-create-${input.name}`,
        fn: async () => {
          const c = await explain(
            client.createMigration({ spec, start: input.start ?? true, idempotencyKey: key }, call),
          );
          return { migration: c.migration, datasets: c.datasets, existing: c.existing, state: c.state };
        },
      });
      ctx.logger.info(
        `gaggle: migration ${created.migration} ${created.existing ? 'was already created by this task' : 'created'} ` +
          `(${created.datasets} datasets, ${created.state}): ${dashboardUrl}`,
      );
      ctx.output('migrationId', created.migration);
      ctx.output('dashboardUrl', dashboardUrl);
      ctx.output('datasets', created.datasets);
      ctx.output('existing', created.existing);
    },
  });
}

// gaggle's refusals, worded for the person who ran the template.
async function explain<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof GaggleApiError && e.status === 403) {
      throw new Error(`gaggle refused the service token (gaggle.token): ${e.message}`);
    }
    // 400: the spec does not parse or plan; 404 (other than an unknown route): it names
    // a dataset the catalog does not hold.
    if (e instanceof GaggleApiError && (e.status === 400 || (e.status === 404 && e.code !== 'RouteNotFound'))) {
      throw new Error(`gaggle refused the migration spec: ${e.message}`);
    }
    throw e;
  }
}
