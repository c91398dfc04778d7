// The "Migration" entity tab and card: a gaggle dataset's migration as gaggle's API tells
// it (through the gaggle backend plugin), polled every `pollMs` (default 10 s): state,
// stage and attempts, the validation checks with their figures, verifications, the
// cut-over with the previous location and its retention, and a link to the dashboard.
import React from 'react';
import { InfoCard, Link, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { EntityMigration, ValidationCheck } from '@gaggle/backstage-plugin-gaggle-common';
import { gaggleApiRef } from '../api';
import { usePolling } from './usePolling';

function useEntityMigration(pollMs: number) {
  const { entity } = useEntity();
  const api = useApi(gaggleApiRef);
  const ref = { kind: entity.kind, namespace: entity.metadata.namespace, name: entity.metadata.name };
  return usePolling(() => api.entityMigration(ref), pollMs, [ref.kind, ref.namespace, ref.name]);
}

const fmt = (v: number | undefined) => (v === undefined || v === null ? '' : String(Number(v.toPrecision(4))));

function Checks({ checks }: { checks: ValidationCheck[] }) {
  return (
    <table data-testid="gaggle-checks">
      <thead>
        <tr>
          <th>check</th>
          <th>column</th>
          <th>observed</th>
          <th>threshold</th>
          <th>result</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c, i) => (
          <tr key={i}>
            <td>{c.name}</td>
            <td>{c.column ?? ''}</td>
            <td>{fmt(c.observed)}</td>
            <td>{fmt(c.threshold)}</td>
            <td>{c.skipped ? 'skipped' : c.passed ? 'passed' : `FAILED: ${c.message}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MigrationDetails({ m }: { m: EntityMigration }) {
  if (!m.migration || !m.detail) {
    return (
      <div data-testid="gaggle-no-migration">
        Dataset <b>{m.dataset}</b> is in no gaggle migration yet.
        {m.catalog ? ` gaggle knows it at ${m.catalog.uri ?? '?'} (${m.catalog.format ?? '?'}).` : ' gaggle does not know it.'}
      </div>
    );
  }
  const { task, validation, verifications, cutover } = m.detail;
  const report = validation && typeof validation.report === 'object' ? validation.report : undefined;
  return (
    <div>
      <p>
        Migration <b data-testid="gaggle-migration">{m.migration}</b>, dataset <b>{m.dataset}</b>: state{' '}
        <b data-testid="gaggle-state">{task.state}</b>, stage <span data-testid="gaggle-stage">{task.stage}</span>, wave{' '}
        {task.wave}, attempts {task.attempts}. <Link to={m.dashboardUrl}>Open in the gaggle dashboard</Link>
      </p>
      {task.error && <p data-testid="gaggle-error">Last error: {task.error}</p>}
      <p>
        Rows in {task.rows_in}, out {task.rows_out}, dead-lettered {task.dead_lettered}. From {task.source} to {task.target}.
      </p>
      <h3>Validation</h3>
      {validation ? (
        <>
          <p data-testid="gaggle-validation">
            {validation.passed ? 'passed' : 'FAILED'} (attempt {validation.attempt}, {validation.time}) {validation.summary}
          </p>
          {report?.checks && <Checks checks={report.checks} />}
        </>
      ) : (
        <p data-testid="gaggle-validation">not validated yet</p>
      )}
      <h3>Verification</h3>
      {verifications.length === 0 ? (
        <p>no downstream query verification yet</p>
      ) : (
        <ul data-testid="gaggle-verifications">
          {verifications.map((v, i) => (
            <li key={i}>
              {v.time}: {v.passed ? 'passed' : 'FAILED'} {v.summary}
            </li>
          ))}
        </ul>
      )}
      <h3>Cut-over</h3>
      {cutover ? (
        <p data-testid="gaggle-cutover">
          {cutover.state} at {cutover.cut_at}: now {cutover.next.uri} ({cutover.next.format}); the previous location{' '}
          {cutover.previous.uri} ({cutover.previous.format}) is kept until {cutover.retain_until}.
        </p>
      ) : (
        <p data-testid="gaggle-cutover">not cut over yet</p>
      )}
    </div>
  );
}

function Body({ pollMs }: { pollMs: number }) {
  const { value, error, loading } = useEntityMigration(pollMs);
  if (loading && !value) return <Progress />;
  return (
    <>
      {error && <WarningPanel severity="error" title="gaggle could not be read" message={error.message} />}
      {value && <MigrationDetails m={value} />}
    </>
  );
}

export function MigrationContent({ pollMs = 10000 }: { pollMs?: number }) {
  return (
    <InfoCard title="Migration">
      <Body pollMs={pollMs} />
    </InfoCard>
  );
}

export function MigrationCard({ pollMs = 10000 }: { pollMs?: number }) {
  const { value, error, loading } = useEntityMigration(pollMs);
  return (
    <InfoCard title="gaggle migration">
      {loading && !value && <Progress />}
      {error && <WarningPanel severity="error" title="gaggle could not be read" message={error.message} />}
      {value && (
        <p data-testid="gaggle-card">
          {value.migration && value.detail
            ? `${value.migration}: ${value.detail.task.state}, stage ${value.detail.task.stage}, validation ${
                value.detail.validation ? (value.detail.validation.passed ? 'passed' : 'FAILED') : 'pending'
              }`
            : 'in no migration yet'}{' '}
          {value.dashboardUrl && <Link to={value.dashboardUrl}>dashboard</Link>}
        </p>
      )}
    </InfoCard>
  );
}
