// Client-side navigation: links change the URL without a reload.
import { html } from 'htm/preact';

export function navigate(path) {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event('gaggle:navigate'));
}

export function Link({ href, children, ...rest }) {
  return html`<a href=${href} ...${rest} onClick=${(e) => {
    if (e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    navigate(href);
  }}>${children}</a>`;
}
