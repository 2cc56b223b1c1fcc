/** The console's one stylesheet (served at /assets/console.css; no external fonts or CDN). */
export const CONSOLE_CSS = `
:root {
  --text: #1b1f24; --muted: #4f5661; --bg: #ffffff; --subtle: #f3f5f8; --line: #c9ced6;
  --brand: #12263f; --link: #0b57d0; --focus: #ffbf47; --ok: #0f6b35; --bad: #a4161a; --warn: #7a4d00;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.5; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--text); }
main:focus { outline: none; box-shadow: none; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--focus); color: var(--text); padding: 0.5rem 1rem; z-index: 10; font-weight: 600; }
.skip-link:focus { top: 0.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }

.site-header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 2rem; background: var(--brand); color: #fff; padding: 0.6rem 1.5rem; }
.site-header a { color: #fff; }
.brand { margin: 0; font-weight: 700; font-size: 1.1rem; }
.brand a { text-decoration: none; }
.site-header nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; margin: 0; padding: 0; }
.site-header nav a { display: inline-block; padding: 0.3rem 0; }
.site-header nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; text-underline-offset: 6px; }
.who { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; }
.link-button { background: none; border: 1px solid #fff; color: #fff; padding: 0.2rem 0.7rem; border-radius: 4px; font: inherit; cursor: pointer; }

main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.75rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.75rem; border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 0.5rem; }
section > h2:first-child { margin-top: 1.25rem; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); padding: 0.5rem 1.5rem; font-size: 0.9rem; }

.notice { border-left: 6px solid var(--line); background: var(--subtle); padding: 0.5rem 1rem; margin: 0.75rem 0; }
.notice p { margin: 0.25rem 0; }
.notice-error { border-color: var(--bad); background: #fdecec; }
.notice-success { border-color: var(--ok); background: #e8f5ec; }
.notice-warning { border-color: #b35c00; background: #fff4e0; }
.notice-info { border-color: var(--link); background: #e9f0fd; }
blockquote { margin: 0.5rem 0; padding-left: 1rem; border-left: 3px solid var(--line); }
.muted { color: var(--muted); }
.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
code.hash, code.json { overflow-wrap: anywhere; word-break: break-all; }
.mention { background: #fff4c2; padding: 0 0.15rem; border-radius: 3px; }

table.data { width: 100%; border-collapse: collapse; margin: 0.5rem 0 1rem; }
table.data caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
table.data th, table.data td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
table.data thead th { background: var(--subtle); border-bottom: 2px solid var(--text); white-space: nowrap; }
table.data tbody tr:hover { background: #f8fafc; }
tr.is-new { background: #fff8d6; }
td.summary { max-width: 28rem; }
td.action, table.data a.mono { white-space: nowrap; }
.timeline td:first-child, .timeline td:nth-child(2) code { white-space: nowrap; overflow-wrap: normal; }
ul.plain { list-style: none; padding: 0; margin: 0; }
.kv .k { font-weight: 600; }
.kv .k::after { content: ":"; }

.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; background: #e7eaef; color: #1b1f24; white-space: nowrap; }
.severity-high, .kind-aml_match, .status-open, .outcome-match, .status-declined, .visibility-full { background: #fde2e1; color: #7c1410; }
.severity-medium, .kind-aml_review, .status-false_positive_proposed, .outcome-review, .status-in_review, .status-blocked_by_legal_hold { background: #fff0cc; color: #5c3b00; }
.status-confirmed, .status-in_progress { background: #e3ecfb; color: #123f7a; }
.status-false_positive, .status-approved, .outcome-clear, .status-finished, .visibility-masked, .state-Stable { background: #dcf1e3; color: #0b4d26; }
.role-admin { background: #fde2e1; color: #7c1410; }
.role-auditor { background: #e3ecfb; color: #123f7a; }
.role-analyst { background: #dcf1e3; color: #0b4d26; }

.details { display: grid; grid-template-columns: minmax(10rem, max-content) 1fr; gap: 0.3rem 1rem; margin: 0.5rem 0 1rem; }
.details > div { display: contents; }
.details dt { font-weight: 600; color: var(--muted); }
.details dd { margin: 0; overflow-wrap: anywhere; }
.compare { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1.5rem; align-items: start; }
.panel { border: 1px solid var(--line); border-radius: 6px; padding: 0 1rem 1rem; }
.hit { border-top: 1px solid var(--line); padding-top: 0.25rem; }
.hit:first-of-type { border-top: none; }
.summary-text { font-size: 1.05rem; }

form.stack { display: flex; flex-direction: column; gap: 0.75rem; align-items: flex-start; margin: 0.75rem 0 1.25rem; max-width: 44rem; }
form.narrow { max-width: 28rem; }
form.inline { display: inline; margin: 0; }
.field { display: flex; flex-direction: column; gap: 0.25rem; width: 100%; }
label, legend { font-weight: 600; }
.hint { margin: 0; color: var(--muted); font-size: 0.9rem; }
input[type="text"], input[type="password"], input[type="date"], select, textarea { font: inherit; padding: 0.4rem 0.5rem; border: 2px solid #4f5661; border-radius: 4px; background: #fff; color: var(--text); width: 100%; max-width: 44rem; }
select { width: auto; }
fieldset { border: none; padding: 0; margin: 0; }
.choice { display: flex; align-items: center; gap: 0.5rem; margin: 0.25rem 0; }
.choice label { font-weight: 400; }
.choice input { width: 1.2rem; height: 1.2rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
button { font: inherit; font-weight: 600; padding: 0.45rem 1.1rem; border-radius: 4px; border: 2px solid #0a4ab5; background: #0b57d0; color: #fff; cursor: pointer; }
button:hover { background: #0a4ab5; }
button.secondary { background: #fff; color: #0a4ab5; }
button.secondary:hover { background: #e9f0fd; }
button.danger { background: var(--bad); border-color: #7c1410; }
.site-header button.link-button { border: 1px solid #fff; background: none; color: #fff; font-weight: 400; }

.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; margin: 0.5rem 0 1rem; }
.filters .field { width: auto; }
.counts h2 { margin-top: 0.5rem; }
.count-list { display: flex; flex-wrap: wrap; gap: 0.75rem 1.5rem; list-style: none; padding: 0; margin: 0; }
.count-list a { text-decoration: none; color: var(--text); border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.8rem; display: inline-block; }
.count-list a:hover { border-color: var(--link); }
.count { font-size: 1.4rem; font-weight: 700; margin-right: 0.25rem; }
.live-status { min-height: 1.5em; color: var(--muted); margin: 0; }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
.ages { color: var(--muted); }

@media (max-width: 900px) {
  main { padding: 0.75rem; }
  .who { margin-left: 0; }
  .compare { grid-template-columns: 1fr; }
  table.data { display: block; overflow-x: auto; }
}
`;
