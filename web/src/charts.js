// Small SVG charts: stage bars, a rows-over-time line, and per-column drift bars.
import { html } from 'htm/preact';

export function StageBar({ done, failing, total, width = 160 }) {
  const w = (n) => (total > 0 ? (width * n) / total : 0);
  return html`<svg class="bar" width=${width} height="10" role="img" aria-label=${`${done} of ${total} done`}>
    <rect width=${width} height="10" class="bar-bg" />
    <rect width=${w(done)} height="10" class="bar-done" />
    <rect x=${w(done)} width=${w(failing)} height="10" class="bar-fail" />
  </svg>`;
}

export function LineChart({ points, width = 480, height = 120, label }) {
  if (!points || points.length < 2) return html`<div class="muted">${label}: waiting for samples…</div>`;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs) || x0 + 1;
  const y1 = Math.max(...ys) || 1;
  const px = (x) => ((x - x0) / (x1 - x0 || 1)) * (width - 40) + 36;
  const py = (y) => height - 18 - (y / y1) * (height - 28);
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
  return html`<svg class="chart" width=${width} height=${height} role="img" aria-label=${label}>
    <text x="2" y="12" class="axis">${label}</text>
    <text x="2" y=${height - 4} class="axis">0</text>
    <text x="2" y="26" class="axis">${Math.round(y1)}</text>
    <path d=${d} class="line" />
  </svg>`;
}

export function DriftBars({ items, width = 360 }) {
  if (!items.length) return html`<div class="muted">no drift statistics</div>`;
  const max = Math.max(...items.map((i) => Math.max(i.observed || 0, i.threshold || 0))) || 1;
  const row = 18;
  return html`<svg class="chart" width=${width} height=${items.length * row + 4} role="img" aria-label="drift per column">
    ${items.map(
      (it, k) => html`<g transform=${`translate(0,${k * row})`}>
        <text x="0" y="13" class="axis">${it.column}</text>
        <rect x="120" y="3" height="11" width=${((width - 130) * (it.observed || 0)) / max}
          class=${it.passed ? 'bar-done' : 'bar-fail'} />
        ${it.threshold !== undefined &&
        html`<line x1=${120 + ((width - 130) * it.threshold) / max} x2=${120 + ((width - 130) * it.threshold) / max}
          y1="1" y2="16" class="threshold" />`}
      </g>`,
    )}
  </svg>`;
}
