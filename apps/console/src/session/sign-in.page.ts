import { html, type SafeHtml } from '../html/html';
import { layout } from '../html/layout';
import type { Flash } from './session.store';

export function signInPage(opts: { token: string; next: string; flash?: Flash }): SafeHtml {
  const body = html`<p>Sign in with your API key. The console keeps it on the server for your session only; it is never sent back to your browser.</p>
<form method="post" action="/sign-in" class="stack narrow" novalidate>
  <input type="hidden" name="_csrf" value="${opts.token}">
  <input type="hidden" name="next" value="${opts.next}">
  <div class="field">
    <label for="apiKey">API key</label>
    <input id="apiKey" name="apiKey" type="password" autocomplete="off" spellcheck="false" required aria-describedby="apiKey-hint">
    <p id="apiKey-hint" class="hint">The key your administrator issued to you (API_KEYS). Your role comes with it.</p>
  </div>
  <button type="submit">Sign in</button>
</form>`;
  return layout('Sign in', { flash: opts.flash }, body);
}
