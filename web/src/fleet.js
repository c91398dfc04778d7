// Fleet overview: every migration with its stage bars, done/attention/failed counts,
// rows/s, ETA and state; the needs-attention queue across migrations below.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, fmtCount, fmtDuration, subscribe } from './api.js';
import { StageBar } from './charts.js';
import { Link } from './nav.js';

export function useLive(load, migration, deps) {
  const [data, setData] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let timer = null;
    let alive = true;
    const refresh = () => {
      load()
        .then((d) => alive && (setData(d), setError('')))
        .catch((e) => alive && setError(e.message));
    };
    refresh();
    // Coalesce bursts of events into one reload every 300 ms.
    const stop = subscribe(migration, () => {
      if (!timer) timer = setTimeout(() => ((timer = null), refresh()), 300);
    });
    return () => {
      alive = false;
      stop();
      if (timer) clearTimeout(timer);
    };
  }, deps);
  return [data, error];
}

function AttentionQueue() {
  const [page, error] = useLive(() => api('/api/v1/attention?limit=50'), '', []);
  if (error) return html`<p class="error">${error}</p>`;
  if (!page) return null;
  return html`<section>
    <h2>Needs attention (all migrations)</h2>
    ${page.items.length === 0
      ? html`<p class="muted">Nothing needs attention.</p>`
      : html`<table id="attention"><thead><tr><th>migration</th><th>dataset</th><th>state</th><th>last error</th><th>what to do</th></tr></thead>
        <tbody>${page.items.map(
          (t) => html`<tr>
            <td>${t.migration}</td>
            <td><${Link} href=${`/migrations/${t.migration}/datasets/${encodeURIComponent(t.dataset)}`}>${t.dataset}</${Link}></td>
            <td class=${`state ${t.state}`}>${t.state}</td><td class="err">${t.error}</td><td>${t.advice}</td></tr>`,
        )}</tbody></table>`}
    ${page.more && html`<p class="muted">more in the API: /api/v1/attention?after=${page.next}</p>`}
  </section>`;
}

export function Fleet() {
  const [list, error] = useLive(() => api('/api/v1/migrations'), '', []);
  if (error) return html`<p class="error">${error}</p>`;
  if (!list) return html`<p class="muted">loading…</p>`;
  return html`<div>
    <h1>Migrations</h1>
    <table id="migrations">
      <thead><tr><th>migration</th><th>state</th><th>stages</th><th>done</th><th>attention</th><th>failed</th><th>rows/s</th><th>ETA</th></tr></thead>
      <tbody>${list.items.map(
        (m) => html`<tr data-migration=${m.migration}>
          <td><${Link} href=${`/migrations/${m.migration}`}>${m.migration}</${Link}></td>
          <td class=${`state ${m.state}`} title=${m.reason}>${m.state}</td>
          <td>${m.stages.map((s) => html`<div class="stage"><span>${s.stage}</span><${StageBar} done=${s.done} failing=${s.failing} total=${s.datasets} width=${90} /></div>`)}</td>
          <td class="num done">${fmtCount(m.done)} / ${fmtCount(m.datasets)}</td>
          <td class="num">${fmtCount(m.attention)}</td>
          <td class="num">${fmtCount(m.failed)}</td>
          <td class="num">${fmtCount(m.rows_per_second)}</td>
          <td class="num">${fmtDuration(m.eta_seconds)}</td>
        </tr>`,
      )}</tbody>
    </table>
    <${AttentionQueue} />
  </div>`;
}
