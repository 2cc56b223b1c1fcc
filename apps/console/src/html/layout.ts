import { ASSET_URLS } from '../assets/asset-urls';
import type { ConsoleSession, Flash } from '../session/session.store';
import { csrfField, flashBox } from './components';
import { html, type SafeHtml } from './html';

export type NavItem = 'alerts' | 'find' | 'operations';

export interface PageContext {
  session?: ConsoleSession;
  flash?: Flash;
  nav?: NavItem;
}

const NAV: Array<{ id: NavItem; href: string; label: string }> = [
  { id: 'alerts', href: '/alerts', label: 'Alert queue' },
  { id: 'find', href: '/find', label: 'Find a session or subject' },
  { id: 'operations', href: '/operations', label: 'Operations' },
];

function header(ctx: PageContext): SafeHtml {
  const s = ctx.session;
  if (!s) return html`<header class="site-header"><p class="brand">Compliance console</p></header>`;
  return html`<header class="site-header">
  <p class="brand"><a href="/alerts">Compliance console</a></p>
  <nav aria-label="Main">
    <ul>${NAV.map((n) => html`<li><a href="${n.href}"${ctx.nav === n.id ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul>
  </nav>
  <div class="who">
    <span>Signed in as <strong data-user>${s.principal.name}</strong></span>
    <span class="badge role-${s.principal.role}" data-role>${s.principal.role}</span>
    <form method="post" action="/sign-out" class="inline">${csrfField(s)}<button type="submit" class="link-button">Sign out</button></form>
  </div>
</header>`;
}

/** Every page: landmarks, a skip link, one stylesheet and one script of the console's own. */
export function layout(title: string, ctx: PageContext, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Compliance console</title>
<link rel="stylesheet" href="${ASSET_URLS.css}">
<script src="${ASSET_URLS.js}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
${header(ctx)}
<main id="main" tabindex="-1">
<h1>${title}</h1>
${flashBox(ctx.flash)}
${body}
</main>
<footer class="site-footer"><p>Personal data is masked unless you ask to see it; every unmasked view is recorded in the audit trail.</p></footer>
</body>
</html>`;
}
