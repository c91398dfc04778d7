// The parts of gaggle's API v1 responses the Backstage plugins read (docs/control-plane.md;
// the full shapes are in /api/v1/openapi.json). Fields gaggle adds later are passed through.

export interface StageBar {
  stage: number;
  datasets: number;
  done: number;
  failing: number;
}

/** One row of GET /api/v1/migrations. */
export interface MigrationSummary {
  migration: string;
  state: string;
  reason: string;
  runner: string;
  datasets: number;
  done: number;
  attention: number;
  failed: number;
  rows_out: number;
  rows_per_second: number;
  eta_seconds: number;
  stages: StageBar[];
  updated_at: string;
}

/** POST /api/v1/migrations. */
export interface CreatedMigration {
  migration: string;
  plan: string;
  spec: string;
  datasets: number;
  stages: number;
  state: string;
  started: boolean;
  existing: boolean;
}

/** POST /api/v1/plans/preview. */
export interface PlanPreview {
  migration: string;
  hash: string;
  datasets: number;
  waves: number;
  stages: Array<{ stage: number; percent: number; canary: boolean; datasets: number }>;
  warnings: string[];
}

/** A task as GET .../tasks, .../datasets/{d} and /attention show it. */
export interface TaskRow {
  dataset: string;
  state: string;
  stage: number;
  wave: number;
  owner: string;
  tier: string;
  attempts: number;
  error: string;
  started_at: string;
  finished_at: string;
  rows_in: number;
  rows_out: number;
  dead_lettered: number;
  bytes: number;
  duration_ms: number;
  source: string;
  target: string;
}

export interface ValidationCheck {
  name: string;
  passed: boolean;
  skipped: boolean;
  message: string;
  column?: string;
  observed?: number;
  threshold?: number;
}

export interface Location {
  uri: string;
  format: string;
  schema_version: number;
}

/** GET /api/v1/migrations/{m}/datasets/{d}. */
export interface DatasetDetail {
  migration: string;
  dataset: string;
  task: TaskRow;
  validation: null | {
    attempt: number;
    time: string;
    passed: boolean;
    summary: string;
    report: { checks?: ValidationCheck[]; counts?: Record<string, number | boolean> } | string;
  };
  verifications: Array<{ time: string; passed: boolean; summary: string }>;
  cutover: null | {
    state: string;
    previous: Location;
    next: Location;
    cut_at: string;
    retain_until: string;
  };
}

/** GET /api/v1/attention. */
export interface AttentionPage {
  items: Array<TaskRow & { migration: string; advice: string }>;
  more: boolean;
  next: string | null;
}

/** GET /api/v1/catalog/entities/{id} (the parts the plugins show). */
export interface CatalogEntity {
  id: string;
  kind: string;
  name: string;
  uri?: string;
  format?: string;
  owner?: string;
  tier?: string;
  cutovers: Array<{ migration: string; state: string; previous: Location; cut_at: string; retain_until: string }>;
}

/** What the backend plugin answers for an entity (GET /api/gaggle/entity/...). */
export interface EntityMigration {
  entityRef: string;
  dataset: string;
  migration: string | null;
  dashboardUrl: string;
  detail: DatasetDetail | null;
  catalog: CatalogEntity | null;
}
