// The dashboard's view of the API: fetch with the bearer token, and the event stream
// read with fetch (EventSource cannot send an Authorization header), resumed with
// Last-Event-ID after a drop.
const TOKEN_KEY = 'gaggle.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!res.ok) {
    const err = (json && json.error) || { code: `HTTP ${res.status}`, message: text };
    throw new ApiError(res.status, err.code, err.message);
  }
  return json;
}

// Calls onEvent(event) for every event of `migration` ('' for all) from now on, until
// the returned function is called. Reconnects after a drop, resuming after the last id.
export function subscribe(migration, onEvent) {
  let stopped = false;
  let lastId = null;
  let controller = null;
  async function loop() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' };
        if (lastId !== null) headers['Last-Event-ID'] = lastId;
        const q = migration ? `?migration=${encodeURIComponent(migration)}` : '';
        const res = await fetch(`/api/v1/events/stream${q}`, { headers, signal: controller.signal });
        if (!res.ok) throw new Error(`stream: HTTP ${res.status}`);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let id = null;
            let data = '';
            for (const line of frame.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (id !== null) lastId = id;
            if (data) {
              try {
                onEvent(JSON.parse(data));
              } catch (e) {
                /* a frame we cannot read is skipped */
              }
            }
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }
  loop();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}

export function fmtCount(n) {
  if (n === null || n === undefined) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function fmtDuration(s) {
  if (s === null || s === undefined || s < 0) return '-';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
