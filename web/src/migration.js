// One migration: state and controls (shown by role), stages, gate history with
// approvals, the needs-attention table, a rows-over-time chart, and a paged, filtered
// table of its datasets. Live from the migration's event stream.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, fmtCount, fmtDuration } from './api.js';
import { LineChart, StageBar } from './charts.js';
import { useLive } from './fleet.js';
import { Link } from './nav.js';

const STATES = ['', 'pending', 'running', 'retrying', 'validating', 'validated', 'succeeded', 'failed',
  'needs-attention', 'invalid', 'paused', 'cancelled', 'rolled-back'];
const canOperate = (me) => me.role === 'operator' || me.role === 'admin';

function Controls({ name, status, me, onDone }) {
  const [msg, setMsg] = useState('');
  const act = async (path, body, method = 'POST') => {
    try {
      await api(`/api/v1/migrations/${name}/${path}`, { method, body });
      setMsg('');
      onDone();
    } catch (e) {
      setMsg(e.message);
    }
  };
  if (!canOperate(me)) return html`<p class="muted">Read-only (viewer).</p>`;
  const paused = status.state === 'paused';
  return html`<div class="controls">
    ${status.state === 'running' && html`<button id="pause" onClick=${() => act('pause', { reason: `paused from the dashboard by ${me.name}` })}>Pause</button>`}
    ${paused && html`<button id="resume" onClick=${() => act('resume', {})}>Resume</button>`}
    ${(paused || status.state === 'cancelled' || status.state === 'completed') && !status.runner &&
    html`<button id="start" onClick=${() => act('start', {})}>Run on this server</button>`}
    <label>concurrency <input id="concurrency" type="number" min="1" value=${status.concurrency}
      onChange=${(e) => act('concurrency', { concurrency: Number(e.target.value) }, 'PUT')} /></label>
    ${me.role === 'admin' && html`<button id="rollback" class="danger" onClick=${() => {
      const reason = prompt('Roll back every dataset of this migration? Say why (audited):');
      if (reason) act('rollback', { reason });
    }}>Roll back…</button>`}
    ${msg && html`<span class="error">${msg}</span>`}
  </div>`;
}

function Approvals({ name, me, tick }) {
  const [items, setItems] = useState([]);
  useEffect(() => {
    api(`/api/v1/approvals?migration=${encodeURIComponent(name)}&limit=20`).then((r) => setItems(r.items)).catch(() => {});
  }, [name, tick]);
  if (!items.length) return null;
  return html`<section><h2>Gate approvals</h2>
    <table id="approvals"><thead><tr><th>gate</th><th>status</th><th>why it paused</th><th>asked</th><th>used by</th></tr></thead>
    <tbody>${items.map((a) => html`<tr>
      <td>${a.gate}</td><td class=${`state ${a.status}`}>${a.status}</td><td>${a.reason}</td><td>${a.created_at}</td>
      <td>${a.used_by ? `${a.used_by}: ${a.use_reason}` : ''}
        ${a.status === 'open' && canOperate(me) && html`<${Link} class="button approve-link" href=${`/approvals/${a.id}`}>Review and approve</${Link}>`}</td>
    </tr>`)}</tbody></table></section>`;
}

function Tasks({ name, tick }) {
  const [state, setState] = useState('');
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState(['']);
  const [page, setPage] = useState(null);
  const [error, setError] = useState('');
  const after = cursors[cursors.length - 1];
  useEffect(() => {
    const p = new URLSearchParams({ limit: '50' });
    if (state) p.set('state', state);
    if (q) p.set('q', q);
    if (after) p.set('after', after);
    api(`/api/v1/migrations/${name}/tasks?${p}`).then((r) => (setPage(r), setError(''))).catch((e) => setError(e.message));
  }, [name, state, q, after, tick]);
  return html`<section><h2>Datasets</h2>
    <div class="filters">
      <select id="state-filter" value=${state} onChange=${(e) => (setState(e.target.value), setCursors(['']))}>
        ${STATES.map((s) => html`<option value=${s}>${s || 'every state'}</option>`)}
      </select>
      <input id="text-filter" placeholder="dataset contains…" value=${q} onInput=${(e) => (setQ(e.target.value), setCursors(['']))} />
      <button disabled=${cursors.length < 2} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
      <button id="next-page" disabled=${!page || !page.more} onClick=${() => setCursors([...cursors, page.next])}>Next</button>
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${page && html`<table id="tasks"><thead><tr><th>dataset</th><th>state</th><th>stage</th><th>wave</th><th>owner</th><th>tier</th><th>attempts</th><th>rows out</th><th>error</th></tr></thead>
      <tbody>${page.items.map((t) => html`<tr>
        <td><${Link} href=${`/migrations/${name}/datasets/${encodeURIComponent(t.dataset)}`}>${t.dataset}</${Link}></td>
        <td class=${`state ${t.state}`}>${t.state}</td><td>${t.stage}</td><td>${t.wave}</td><td>${t.owner}</td><td>${t.tier}</td>
        <td class="num">${t.attempts}</td><td class="num">${fmtCount(t.rows_out)}</td><td class="err">${t.error}</td></tr>`)}</tbody></table>`}
  </section>`;
}

export function Migration({ name, me }) {
  const samples = useRef([]);
  const [tick, setTick] = useState(0);
  const [status, error] = useLive(async () => {
    const s = await api(`/api/v1/migrations/${name}`);
    samples.current = [...samples.current.slice(-299), [Date.now() / 1000, s.rows_out]];
    setTick((t) => t + 1);
    return s;
  }, name, [name, tick === -1]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!status) return html`<p class="muted">loading…</p>`;
  return html`<div>
    <h1>${name} <span id="run-state" class=${`state ${status.state}`}>${status.state}</span></h1>
    <p class="reason" id="run-reason">${status.reason}</p>
    <p class="muted">runner: ${status.runner || 'none'} · concurrency ${status.concurrency} · ${fmtCount(status.succeeded)} of ${fmtCount(status.datasets)} done
      (<span id="done-count">${status.succeeded}</span>) · ${fmtCount(status.rows_per_second)} rows/s · ETA ${fmtDuration(status.eta_seconds)}</p>
    <${Controls} name=${name} status=${status} me=${me} onDone=${() => setTick((t) => t + 1)} />
    <section><h2>Stages</h2><table id="stages"><thead><tr><th>stage</th><th>progress</th><th>datasets</th><th>done</th><th>failing</th><th>rows out</th></tr></thead>
      <tbody>${status.stages.map((s) => {
        const c = s.counts || {};
        const done = (c.succeeded || 0) + (c.validated || 0);
        const failing = (c.failed || 0) + (c['needs-attention'] || 0) + (c.invalid || 0);
        return html`<tr><td>${s.stage}</td><td><${StageBar} done=${done} failing=${failing} total=${s.datasets} /></td>
          <td class="num">${s.datasets}</td><td class="num">${done}</td><td class="num">${failing}</td><td class="num">${fmtCount(s.rows_out)}</td></tr>`;
      })}</tbody></table></section>
    <section><h2>Rows over time</h2><${LineChart} points=${samples.current} label="rows written" /></section>
    <${Approvals} name=${name} me=${me} tick=${tick} />
    ${status.needs_attention.length > 0 && html`<section><h2>Needs attention</h2>
      <table id="needs-attention"><thead><tr><th>dataset</th><th>state</th><th>attempts</th><th>last error</th></tr></thead>
      <tbody>${status.needs_attention.map((t) => html`<tr>
        <td><${Link} href=${`/migrations/${name}/datasets/${encodeURIComponent(t.dataset)}`}>${t.dataset}</${Link}></td>
        <td class=${`state ${t.state}`}>${t.state}</td><td class="num">${t.attempts}</td><td class="err">${t.error}</td></tr>`)}</tbody></table></section>`}
    <${Tasks} name=${name} tick=${tick} />
  </div>`;
}
