// One dataset: the attempt timeline, the validation checks with their figures, drift
// per column, verification differences, the consumer patch, cut-over and retention, and
// the logs. Live from the migration's event stream.
import { html } from 'htm/preact';
import { api, fmtCount } from './api.js';
import { DriftBars } from './charts.js';
import { useLive } from './fleet.js';
import { Link } from './nav.js';

function fig(v) {
  if (v === undefined || v === null) return '';
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v);
}

function Validation({ v }) {
  if (!v) return html`<p class="muted">No validation yet.</p>`;
  const r = v.report || {};
  const checks = r.checks || [];
  const drift = checks.filter((c) => c.column && c.observed !== undefined && /drift|ks|distance|category_tv/i.test(c.name));
  return html`<div>
    <p id="validation-verdict" class=${v.passed ? 'ok' : 'error'}>${v.passed ? 'passed' : 'FAILED'}: ${v.summary}</p>
    ${r.counts && html`<p class="muted">old rows ${fmtCount(r.counts.old_rows)} · new rows ${fmtCount(r.counts.new_rows)} ·
      dead-lettered ${fmtCount(r.counts.dead_lettered)} · filtered ${fmtCount(r.counts.filtered)}</p>`}
    <table id="checks"><thead><tr><th>check</th><th>column</th><th>observed</th><th>threshold</th><th>result</th><th>message</th></tr></thead>
      <tbody>${checks.map((c) => html`<tr class=${c.passed ? '' : 'failed'}>
        <td>${c.name}</td><td>${c.column || ''}</td><td class="num">${fig(c.observed)}</td><td class="num">${fig(c.threshold)}</td>
        <td class=${c.skipped ? 'muted' : c.passed ? 'ok' : 'error'}>${c.skipped ? 'skipped' : c.passed ? 'pass' : 'fail'}</td>
        <td>${c.message}</td></tr>`)}</tbody></table>
    <h3>Drift per column</h3>
    <${DriftBars} items=${drift} />
  </div>`;
}

export function Dataset({ migration, dataset }) {
  const [d, error] = useLive(
    () => api(`/api/v1/migrations/${migration}/datasets/${encodeURIComponent(dataset)}?log_tail=60`),
    migration,
    [migration, dataset],
  );
  if (error) return html`<p class="error">${error}</p>`;
  if (!d) return html`<p class="muted">loading…</p>`;
  const t = d.task;
  return html`<div>
    <p><${Link} href=${`/migrations/${migration}`}>← ${migration}</${Link}></p>
    <h1>${dataset} <span id="dataset-state" class=${`state ${t.state}`}>${t.state}</span></h1>
    <p class="muted">stage ${t.stage} · wave ${t.wave} · owner ${t.owner || '-'} · tier ${t.tier || '-'} ·
      <${Link} href=${`/lineage/${encodeURIComponent(dataset)}?migration=${encodeURIComponent(migration)}`}>lineage</${Link}></p>
    <p class="muted">${t.source} → ${t.target}</p>
    <section><h2>Attempts</h2>
      <table id="attempts"><thead><tr><th>#</th><th>started</th><th>finished</th><th>outcome</th><th>error</th></tr></thead>
      <tbody>${d.attempts.map((a) => html`<tr><td>${a.attempt}</td><td>${a.started_at}</td><td>${a.finished_at}</td>
        <td class=${`state ${a.outcome}`}>${a.outcome}</td><td class="err">${a.error}</td></tr>`)}</tbody></table></section>
    <section><h2>Validation</h2><${Validation} v=${d.validation} /></section>
    <section><h2>Verification</h2>
      ${d.verifications.length === 0 ? html`<p class="muted">No verification touched this dataset.</p>`
        : d.verifications.map((v) => html`<div><p class=${v.passed ? 'ok' : 'error'}>${v.time}: ${v.summary}</p>
          <pre class="diff">${JSON.stringify(v.report, null, 1).slice(0, 4000)}</pre></div>`)}
    </section>
    <section><h2>Consumer patches</h2>
      ${d.patches.length === 0 ? html`<p class="muted">No consumer query needed a change for this dataset.</p>`
        : d.patches.map((p) => html`<div><h3>${p.file}</h3><pre class="diff">${p.diff.split('\n').map((l) =>
          html`<span class=${l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : ''}>${l}\n</span>`)}</pre></div>`)}
    </section>
    <section><h2>Cut-over and retention</h2>
      ${d.cutover ? html`<table id="cutover"><tbody>
        <tr><th>state</th><td>${d.cutover.state}</td></tr>
        <tr><th>now at</th><td>${d.cutover.next.uri} (${d.cutover.next.format} v${d.cutover.next.schema_version})</td></tr>
        <tr><th>previously at</th><td>${d.cutover.previous.uri} (${d.cutover.previous.format} v${d.cutover.previous.schema_version})</td></tr>
        <tr><th>cut over</th><td>${d.cutover.cut_at}</td></tr>
        <tr><th>old data kept until</th><td>${d.cutover.retain_until}</td></tr></tbody></table>`
        : html`<p class="muted">Not cut over.</p>`}
    </section>
    <section><h2>Logs</h2><pre class="log" id="task-log">${d.logs.task.join('\n')}</pre>
      ${d.logs.agent.length > 0 && html`<pre class="log">${d.logs.agent.join('\n')}</pre>`}</section>
  </div>`;
}
