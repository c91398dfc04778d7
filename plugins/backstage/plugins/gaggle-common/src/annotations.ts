// The gaggle.dev/* annotations gaggle reads from and writes to Backstage entities
// (src/catalog/annotations.h, docs/catalog.md), and the rule that maps an entity to
// the gaggle dataset it describes: gaggle imports a Resource carrying gaggle.dev/uri
// as the dataset whose id is its name, or namespace/name outside the default namespace.
import type { Entity } from '@backstage/catalog-model';

export const GAGGLE_ANNOTATION_URI = 'gaggle.dev/uri';
export const GAGGLE_ANNOTATION_FORMAT = 'gaggle.dev/format';
/** The newest migration that includes the dataset (written by `gaggle catalog export`). */
export const GAGGLE_ANNOTATION_MIGRATION = 'gaggle.dev/migration';
/** Every migration that includes the dataset, comma-separated (export only). */
export const GAGGLE_ANNOTATION_MIGRATIONS = 'gaggle.dev/migrations';
export const GAGGLE_ANNOTATION_TARGET_URI = 'gaggle.dev/target-uri';
export const GAGGLE_ANNOTATION_STAGE = 'gaggle.dev/stage';

/** The gaggle dataset an entity describes, with the migration its annotations name. */
export interface GaggleDatasetRef {
  dataset: string;
  migration?: string;
}

/** True for entities gaggle treats as datasets: a Resource with gaggle.dev/uri or gaggle.dev/migration. */
export function isGaggleDatasetEntity(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return (
    entity.kind.toLowerCase() === 'resource' &&
    (Boolean(a[GAGGLE_ANNOTATION_URI]) || Boolean(a[GAGGLE_ANNOTATION_MIGRATION]))
  );
}

/** The dataset id and migration of a gaggle entity, or undefined for any other entity. */
export function datasetOfEntity(entity: Entity): GaggleDatasetRef | undefined {
  if (!isGaggleDatasetEntity(entity)) return undefined;
  const ns = entity.metadata.namespace ?? 'default';
  const dataset = ns === 'default' ? entity.metadata.name : `${ns}/${entity.metadata.name}`;
  const migration = entity.metadata.annotations?.[GAGGLE_ANNOTATION_MIGRATION];
  return migration ? { dataset, migration } : { dataset };
}

/**
 * The gaggle dataset id an entity ref names: `resource:default/orders` and `orders` are
 * `orders`; `resource:sales/orders` is `sales/orders`. Other kinds are refused by name.
 */
export function datasetIdOfRef(ref: string): string {
  const m = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!m) throw new Error(`'${ref}' is not an entity ref (expected resource:NAMESPACE/NAME or NAME)`);
  const [, kind, ns, name] = m;
  if (kind && kind.toLowerCase() !== 'resource') {
    throw new Error(`'${ref}' is a ${kind}, not a dataset: gaggle datasets are Resource entities`);
  }
  return !ns || ns === 'default' ? name : `${ns}/${name}`;
}
