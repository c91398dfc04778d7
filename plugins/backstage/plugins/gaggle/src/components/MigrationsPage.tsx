// The gaggle page (MigrationsPage): every migration (state, done/attention/failed of its datasets) and
// the needs-attention queue across migrations with what to do, polled every `pollMs`.
import React from 'react';
import { Content, Header, InfoCard, Page, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { gaggleApiRef } from '../api';
import { usePolling } from './usePolling';

export function MigrationsPage({ pollMs = 10000 }: { pollMs?: number }) {
  const api = useApi(gaggleApiRef);
  const migrations = usePolling(() => api.listMigrations(), pollMs, []);
  const attention = usePolling(() => api.attention(100), pollMs, []);
  return (
    <Page themeId="tool">
      <Header title="Dataset migrations" subtitle="gaggle" />
      <Content>
        <InfoCard title="Migrations">
          {migrations.loading && <Progress />}
          {migrations.error && <WarningPanel severity="error" title="gaggle could not be read" message={migrations.error.message} />}
          {migrations.value && (
            <table data-testid="gaggle-migrations">
              <thead>
                <tr>
                  <th>migration</th>
                  <th>state</th>
                  <th>datasets</th>
                  <th>done</th>
                  <th>attention</th>
                  <th>failed</th>
                </tr>
              </thead>
              <tbody>
                {migrations.value.items.map(m => (
                  <tr key={m.migration}>
                    <td>{m.migration}</td>
                    <td title={m.reason}>{m.state}</td>
                    <td>{m.datasets}</td>
                    <td>{m.done}</td>
                    <td>{m.attention}</td>
                    <td>{m.failed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </InfoCard>
        <InfoCard title="Needs attention">
          {attention.error && <WarningPanel severity="error" title="gaggle could not be read" message={attention.error.message} />}
          {attention.value && attention.value.items.length === 0 && <p>Nothing needs attention.</p>}
          {attention.value && attention.value.items.length > 0 && (
            <table data-testid="gaggle-attention">
              <tbody>
                {attention.value.items.map(a => (
                  <tr key={`${a.migration}/${a.dataset}`}>
                    <td>{a.migration}</td>
                    <td>{a.dataset}</td>
                    <td>{a.state}</td>
                    <td>{a.error}</td>
                    <td>{a.advice}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {attention.value?.more && <p>More in the gaggle dashboard.</p>}
        </InfoCard>
      </Content>
    </Page>
  );
}
