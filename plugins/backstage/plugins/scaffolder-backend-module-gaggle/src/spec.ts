// Builds a gaggle migration spec (YAML, docs/spec.md) from the action's input: the
// template's spec with the migration's name, target version, format and the datasets
// (by entity ref) or a selector filled in. Everything else (transform, rollout, gates,
// agent) is the template's; gaggle validates the result and names what is wrong.
import { parse, stringify } from 'yaml';
import { datasetIdOfRef } from '@gaggle/backstage-plugin-gaggle-common';

export interface SpecInput {
  name: string;
  datasets?: string[];
  selector?: { id?: string; owner?: string; tier?: string[]; format?: string };
  targetVersion: number;
  targetFormat?: string;
  specTemplate?: string;
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function buildSpec(input: SpecInput): string {
  if (!NAME.test(input.name)) {
    throw new Error(`name: '${input.name}' must be 1 to 128 of letters, digits, '.', '_' and '-', not starting with '.'`);
  }
  const hasDatasets = (input.datasets?.length ?? 0) > 0;
  const selector = Object.fromEntries(Object.entries(input.selector ?? {}).filter(([, v]) => v !== undefined && v !== ''));
  if (hasDatasets === (Object.keys(selector).length > 0)) {
    throw new Error('datasets / selector: give either dataset entity refs or a selector, not both and not neither');
  }
  let spec: Record<string, any> = {};
  if (input.specTemplate && input.specTemplate.trim()) {
    let parsed: unknown;
    try {
      parsed = parse(input.specTemplate);
    } catch (e) {
      throw new Error(`specTemplate: not YAML: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('specTemplate: expected a YAML mapping (a gaggle migration spec)');
    }
    spec = parsed as Record<string, any>;
  }
  spec.name = input.name;
  spec.version = input.targetVersion;
  spec.select = hasDatasets ? { ids: input.datasets!.map(datasetIdOfRef) } : { match: selector };
  if (input.targetFormat) {
    const target = spec.target && typeof spec.target === 'object' ? spec.target : {};
    spec.target = { ...target, format: input.targetFormat };
  }
  return stringify(spec);
}

/** A key gaggle accepts (1 to 128 of [A-Za-z0-9._:-]) naming this task's create. */
export function idempotencyKey(taskId: string, name: string): string {
  return `backstage:${taskId}:${name}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128);
}
