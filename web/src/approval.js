// An approval asked for by a gate pause (its link), and the lineage around a dataset
// coloured by a migration's task states.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { Link, navigate } from './nav.js';

export function Approval({ id, me }) {
  const [a, setA] = useState(null);
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState('');
  const load = () => api(`/api/v1/approvals/${id}`).then(setA).catch((e) => setMsg(e.message));
  useEffect(() => {
    load();
  }, [id]);
  if (!a) return html`<p class=${msg ? 'error' : 'muted'}>${msg || 'loading…'}</p>`;
  const approve = async () => {
    try {
      await api(`/api/v1/approvals/${id}/approve`, { method: 'POST', body: { reason } });
      setMsg('approved');
      load();
    } catch (e) {
      setMsg(e.message);
    }
  };
  const mayApprove = a.status === 'open' && (me.role === 'admin' || (me.role === 'operator' && a.role !== 'admin'));
  return html`<div>
    <p><${Link} href=${`/migrations/${a.migration}`}>← ${a.migration}</${Link}></p>
    <h1>Approval of gate ${String(a.gate)} <span id="approval-status" class=${`state ${a.status}`}>${a.status}</span></h1>
    <p>${a.reason}</p>
    <p class="muted">needs the ${a.role} role · asked ${a.created_at} · expires ${new Date(a.expires_ms).toISOString()}</p>
    ${a.used_by && html`<p>approved by ${a.used_by}: ${a.use_reason}</p>`}
    ${mayApprove && html`<div class="controls">
      <input id="approve-reason" placeholder="why is this acceptable? (audited)" value=${reason} onInput=${(e) => setReason(e.target.value)} />
      <button id="approve" disabled=${!reason} onClick=${approve}>Approve</button></div>`}
    ${msg && html`<p id="approval-message" class=${msg === 'approved' ? 'ok' : 'error'}>${msg}</p>`}
  </div>`;
}

const COLORS = {
  validated: '#2e7d32', succeeded: '#2e7d32', running: '#1565c0', validating: '#1565c0', pending: '#9e9e9e',
  retrying: '#ef6c00', failed: '#c62828', 'needs-attention': '#c62828', invalid: '#c62828', paused: '#6a1b9a',
  'rolled-back': '#795548', cancelled: '#795548',
};

export function Lineage({ id, migration }) {
  const [g, setG] = useState(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    const q = new URLSearchParams({ depth: '2' });
    if (migration) q.set('migration', migration);
    api(`/api/v1/catalog/lineage/${encodeURIComponent(id)}?${q}`).then(setG).catch((e) => setErr(e.message));
  }, [id, migration]);
  if (err) return html`<p class="error">${err}</p>`;
  if (!g) return html`<p class="muted">loading…</p>`;
  // Layers by signed distance from the root: upstream left, downstream right.
  const dist = { [g.root]: 0 };
  const edges = g.edges || [];
  for (let changed = true, n = 0; changed && n < 50; n++) {
    changed = false;
    for (const [up, down] of edges.map((e) => (Array.isArray(e) ? e : [e.upstream, e.downstream]))) {
      if (dist[up] !== undefined && dist[down] === undefined && dist[up] >= 0) (dist[down] = dist[up] + 1), (changed = true);
      if (dist[down] !== undefined && dist[up] === undefined && dist[down] <= 0) (dist[up] = dist[down] - 1), (changed = true);
    }
  }
  const ids = Object.keys(g.nodes || {});
  const layers = {};
  for (const n of ids) (layers[dist[n] ?? 0] ||= []).push(n);
  const keys = Object.keys(layers).map(Number).sort((a, b) => a - b);
  const pos = {};
  keys.forEach((k, col) => layers[k].forEach((n, row) => (pos[n] = [40 + col * 220, 30 + row * 44])));
  const width = 80 + keys.length * 220;
  const height = 60 + Math.max(...keys.map((k) => layers[k].length)) * 44;
  const states = g.task_states || {};
  return html`<div>
    <h1>Lineage of ${id}</h1>
    ${migration && html`<p class="muted">coloured by the task states of ${migration}</p>`}
    <svg id="lineage" width=${width} height=${height}>
      ${edges.map((e) => {
        const [up, down] = Array.isArray(e) ? e : [e.upstream, e.downstream];
        if (!pos[up] || !pos[down]) return null;
        return html`<line x1=${pos[up][0] + 160} y1=${pos[up][1]} x2=${pos[down][0]} y2=${pos[down][1]} class="edge" />`;
      })}
      ${ids.map((n) => html`<g transform=${`translate(${pos[n][0]},${pos[n][1] - 14})`} class="node"
          onClick=${() => migration && states[n] && navigate(`/migrations/${migration}/datasets/${encodeURIComponent(n)}`)}>
        <rect width="160" height="28" rx="4" fill=${COLORS[states[n]] || '#eceff1'} stroke=${n === g.root ? '#000' : '#90a4ae'} />
        <text x="6" y="18" fill=${states[n] ? '#fff' : '#000'}>${n.length > 24 ? n.slice(0, 23) + '…' : n}</text>
        <title>${n}${states[n] ? ` (${states[n]})` : ''}</title></g>`)}
    </svg>
  </div>`;
}
