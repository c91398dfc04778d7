// The gaggle dashboard: fleet overview, one migration, one dataset, an approval and the
// lineage around a dataset. Every table is paged by the API (no full-list payloads) and
// every page updates live from the event stream, without reloads.
import { render } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setToken, token } from './api.js';
import { Fleet } from './fleet.js';
import { Migration } from './migration.js';
import { Dataset } from './dataset.js';
import { Approval, Lineage } from './approval.js';
import { Link } from './nav.js';

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('gaggle:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('gaggle:navigate', update);
    };
  }, []);
  return path;
}

function Login({ onLogin, error }) {
  const [value, setValue] = useState('');
  return html`<form class="login" onSubmit=${(e) => {
    e.preventDefault();
    onLogin(value.trim());
  }}>
    <h1>gaggle</h1>
    <p>Paste an API token (<code>gaggle token create --role viewer --name you</code>, or the demo token).</p>
    <input id="token" type="password" placeholder="ggl_…" value=${value} onInput=${(e) => setValue(e.target.value)} />
    <button id="login" type="submit">Sign in</button>
    ${error && html`<p class="error">${error}</p>`}
  </form>`;
}

function route(path, me) {
  let m;
  if ((m = path.match(/^\/migrations\/([^/]+)\/datasets\/(.+)$/))) {
    return html`<${Dataset} migration=${decodeURIComponent(m[1])} dataset=${decodeURIComponent(m[2])} me=${me} />`;
  }
  if ((m = path.match(/^\/migrations\/([^/]+)$/))) return html`<${Migration} name=${decodeURIComponent(m[1])} me=${me} />`;
  if ((m = path.match(/^\/approvals\/([^/]+)$/))) return html`<${Approval} id=${decodeURIComponent(m[1])} me=${me} />`;
  if ((m = path.match(/^\/lineage\/(.+)$/))) {
    const migration = new URLSearchParams(location.search).get('migration') || '';
    return html`<${Lineage} id=${decodeURIComponent(m[1])} migration=${migration} />`;
  }
  return html`<${Fleet} me=${me} />`;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState(null);
  const [error, setError] = useState('');
  const login = async (t) => {
    setToken(t);
    try {
      setMe(await api('/api/v1/whoami'));
      setError('');
    } catch (e) {
      setToken('');
      setMe(null);
      setError(e.message);
    }
  };
  useEffect(() => {
    if (token()) login(token());
  }, []);
  if (!me) return html`<${Login} onLogin=${login} error=${error} />`;
  return html`<div>
    <header>
      <${Link} href="/" class="brand">gaggle</${Link}>
      <span class="who" id="who">${me.name} (${me.role})</span>
      <button class="link" onClick=${() => {
        setToken('');
        setMe(null);
      }}>sign out</button>
    </header>
    <main>${route(path, me)}</main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
