import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { firstKeyWithRole } from '@compliance/platform';
import { diditHeaders, diditSession, waitFor } from '@compliance/testing';
// The process stack (tools/stack) is a tool that starts the built services, not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CONSOLE, PROCESSES, Stack } from '../tools/stack/stack';
import { sql, testDatabaseUrl } from '@compliance/persistence/testing';
import { testNamespace } from '@compliance/messaging/testing';

/**
 * The analysts' console in a real browser (Debian's chromium driven by playwright-core) over the five
 * real service processes and the console process: sign-in, the live alert queue, a four-eyes review,
 * unmasking with a reason, case notes, the timeline, legal holds, operations; an accessibility check
 * on every page. CONSOLE_SCREENSHOTS=1 saves each page to docs/console/<page>.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'docs', 'console');
const hex = () => randomBytes(8).toString('hex');
const KEYS = { analyst: `e2e-analyst-${hex()}`, auditor: `e2e-auditor-${hex()}`, admin: `e2e-admin-${hex()}` } as const;
type Role = keyof typeof KEYS;
const NAMES: Record<Role, string> = { analyst: 'ana', auditor: 'aud', admin: 'adm' };
const PERSON = { first_name: 'Viktor', last_name: 'Kovalenko-Drask', date_of_birth: '1968-04-12', nationality: 'UKR', document_number: 'ZX4471902' };
const UNMASK_REASON = 'Comparing the passport with the list entry for the AML review';

describe('console: the analysts’ web console in a browser, over the five services', () => {
  const namespace = testNamespace('console');
  let stack: Stack;
  let browser: Browser;
  let base: string;
  let databaseUrl: string;
  const pages: Page[] = [];
  /** Script errors and CSP violations on any page: there must be none. */
  const pageErrors: string[] = [];
  /** The person posted once and followed through every page. */
  const subject = { subjectRef: `console-${hex()}`, sessionId: '', alertId: '' };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    databaseUrl = await testDatabaseUrl('console');
    const port = 3500 + Math.floor(Math.random() * 400) * 6;
    stack = new Stack({
      quiet: true,
      partitions: 3,
      env: {
        KAFKA_TOPIC_PREFIX: namespace,
        DATABASE_URL: databaseUrl,
        API_KEYS: (Object.keys(KEYS) as Role[]).map((r) => `${KEYS[r]}:${r}:${NAMES[r]}`).join(','),
        LOG_LEVEL: 'info',
        AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
        ...Object.fromEntries(PROCESSES.map((s, i) => [s.portVar, String(port + i)])),
      },
    });
    stack.ensureBuilt();
    await stack.startInfrastructure();
    await stack.startAll();
    await stack.startService(CONSOLE.name);
    base = stack.url(CONSOLE.name);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A browser of its own (cookies included), its script errors collected. */
  async function newPage(who: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`${who} ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`${who} ${page.url()}: ${err.message}`));
    return page;
  }

  /** Signs in with a key in a new browser; the users of the main story are kept in `pages` (analyst, auditor, admin). */
  async function signIn(role: Role, key: string = KEYS[role], keep = true): Promise<Page> {
    const page = await newPage(role);
    if (keep) pages.push(page);
    await page.goto(`${base}/alerts`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/alerts`);
    expect(await page.locator('[data-role]').textContent()).toBe(role);
    return page;
  }

  /** Posts a signed Didit webhook for the listed person (a new session of `subjectRef`); returns its session id. */
  async function postListedPerson(subjectRef: string): Promise<string> {
    const payload = diditSession('v3-approved', { vendor_data: subjectRef });
    Object.assign((payload.decision as { id_verifications: Array<Record<string, unknown>> }).id_verifications[0], PERSON);
    const body = JSON.stringify(payload);
    const res = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, stack.env.DIDIT_WEBHOOK_SECRET.split(',')[0]), body });
    expect(res.status).toBe(202);
    return payload.session_id as string;
  }

  /** Presses Tab until the focused element matches `selector`, as a keyboard user would; how many presses it took. */
  async function tabTo(page: Page, selector: string, max = 300): Promise<number> {
    for (let presses = 1; presses <= max; presses++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(`document.activeElement !== null && document.activeElement.matches(${JSON.stringify(selector)})`)) return presses;
    }
    throw new Error(`${max} presses of Tab never reached ${selector}`);
  }

  /** Navigation Timing of the page shown: from the navigation's start to DOMContentLoaded and to the end of the load event. */
  async function navigationTiming(page: Page): Promise<{ domContentLoadedMs: number; loadMs: number }> {
    await page.waitForFunction(`performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0`);
    return (await page.evaluate(
      `(() => { const n = performance.getEntriesByType('navigation')[0]; return { domContentLoadedMs: Math.round(n.domContentLoadedEventEnd), loadMs: Math.round(n.loadEventEnd) }; })()`,
    )) as { domContentLoadedMs: number; loadMs: number };
  }

  /** No serious or critical accessibility violation; a screenshot for the docs when asked. */
  async function check(page: Page, name: string): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    for (const role of Object.keys(KEYS) as Role[]) expect(await page.content()).not.toContain(KEYS[role]);
    if (process.env.CONSOLE_SCREENSHOTS === '1') {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    }
  }

  const flash = (page: Page, kind: 'success' | 'error') => page.locator(`[data-flash="${kind}"]`).textContent();

  /** Reloads until the condition holds (what the services do next happens asynchronously, through Kafka). */
  const reloadUntil = (page: Page, condition: () => Promise<boolean>, what: string) =>
    waitFor(
      async () => {
        if (await condition()) return true;
        await page.reload();
        return false;
      },
      { what, timeoutMs: 30_000, intervalMs: 250 },
    );

  it('sends a visitor to sign in, and signs in with an API key for a session cookie the page cannot read', async () => {
    const anonymous = await fetch(`${base}/alerts`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/sign-in?next=%2Falerts');
    expect((await fetch(`${base}/events/alerts`)).status).toBe(401);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const answer = await page.goto(`${base}/sign-in`);
    const headers = answer?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    await check(page, 'sign-in');
    await page.getByLabel('API key').fill('not-a-key-anyone-issued');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await flash(page, 'error')).toContain('That API key is not valid');
    await context.close();

    const analyst = await signIn('analyst');
    const cookies = await analyst.context().cookies();
    expect(cookies.find((c) => c.name === 'console_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // The page's script cannot read the session (httpOnly). Page code is given as text: the specs have no DOM types.
    expect(await analyst.evaluate('document.cookie')).toBe('');
    // A POST without the session's CSRF token is refused, even with the session cookie.
    expect((await analyst.request.post(`${base}/sign-out`, { form: { _csrf: 'forged' }, headers: { origin: base } })).status()).toBe(403);
    expect((await analyst.request.get(`${base}/alerts`)).status()).toBe(200);
  });

  it('shows a new alert at the top of the open queue as it is raised, without a reload', async () => {
    const page = pages[0];
    await page.goto(`${base}/alerts`);
    await page.waitForSelector('[data-live-alerts][data-live="connected"]');
    await page.evaluate('window.notReloaded = true');
    const before = Number(await page.locator('[data-count-kind="aml_match"]').textContent());

    subject.sessionId = await postListedPerson(subject.subjectRef);

    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: subject.subjectRef }) });
    await row.waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.locator('tbody tr').first().getAttribute('data-alert-id')).toBe(await row.getAttribute('data-alert-id'));
    subject.alertId = (await row.getAttribute('data-alert-id')) as string;
    expect(await row.textContent()).toContain('aml match');
    expect(Number(await page.locator('[data-count-kind="aml_match"]').textContent())).toBe(before + 1);
    expect(await page.locator('[data-live-status]').textContent()).toContain('New alert');
    await check(page, 'alert-queue');
  });

  it('signs in with the admin key npm start prints (the first admin key of API_KEYS, not the first key) and shows it the alert', async () => {
    // tools/stack/start.ts and tools/demo/demo.ts pick the key with this call; here the first key is an analyst's.
    const printed = firstKeyWithRole(stack.env.API_KEYS, 'admin');
    expect(stack.env.API_KEYS.split(',')[0]).toContain(':analyst:');
    expect(printed).toBe(KEYS.admin);
    const admin = await signIn('admin', printed, false);
    expect(await admin.locator('[data-user]').textContent()).toBe(NAMES.admin);
    const row = admin.locator(`tr[data-alert-id="${subject.alertId}"]`);
    expect(await row.getByRole('link', { name: subject.subjectRef }).count()).toBe(1);
    expect(await row.textContent()).toContain('aml match');
    await admin.context().close();
  });

  it('lets an analyst compare the subject with the list entries and propose a false positive, which a second reviewer confirms', async () => {
    const analyst = pages[0];
    await analyst.locator(`tr[data-alert-id="${subject.alertId}"]`).getByRole('link', { name: /Review/ }).click();
    await analyst.waitForURL(`${base}/alerts/${subject.alertId}`);
    expect(await analyst.locator('[data-alert-status]').getAttribute('data-alert-status')).toBe('open');
    const hits = await analyst.locator('section[aria-labelledby="hits-heading"]').textContent();
    expect(hits).toMatch(/Kovalenko-Drask/i);
    expect(hits).toContain('Score');
    // Beside each hit, the list entry as aml-trigger loaded it: aliases, birth dates, countries, list and version.
    const entry = analyst.locator('[data-hit="opensanctions/fict-0001"]');
    expect(await entry.locator('[data-entry-aliases]').textContent()).toBe('Виктор Коваленко-Драск; Viktor Kovalenko; V. Kovalenko-Drask');
    expect(await entry.locator('[data-entry-birth-dates]').textContent()).toBe('1968-04-12');
    expect(await entry.locator('[data-entry-countries]').textContent()).toBe('ua');
    expect(await entry.textContent()).toMatch(/List version[0-9a-f]{12}… loaded/);
    const ofac = analyst.locator('[data-hit="ofac-sdn/10001"]');
    expect(await ofac.locator('[data-entry-aliases]').textContent()).toContain('KOVALENKO, Viktor');
    expect(await ofac.locator('[data-entry-birth-dates]').textContent()).toBe('1968-04-12');
    expect(await analyst.locator('section[aria-labelledby="hits-heading"] [data-section-error]').count()).toBe(0);
    // The subject's side is masked: initials, birth year, the document's last characters.
    const screened = await analyst.locator('section[aria-labelledby="subject-heading"]').textContent();
    expect(screened).toContain('V••• K•••');
    expect(screened).not.toContain('Viktor');
    await check(analyst, 'alert-review');
    // Unmasked on request, with a reason, for this view only.
    await analyst.getByLabel('Reason for seeing the unmasked identity').fill(UNMASK_REASON);
    await analyst.getByRole('button', { name: 'Unmask identity' }).click();
    expect(await analyst.locator('section[aria-labelledby="subject-heading"]').textContent()).toContain('Viktor Kovalenko-Drask');

    // Clearing a likely sanctions match is first a proposal, with a note.
    await analyst.getByLabel('False positive').check();
    await analyst.getByLabel('Note').fill('Different date of birth and document: not the listed person.');
    await analyst.getByRole('button', { name: 'Record decision' }).click();
    expect(await flash(analyst, 'success')).toContain('Clearance proposed');
    expect(await analyst.locator('[data-alert-status]').getAttribute('data-alert-status')).toBe('false_positive_proposed');
    expect(await analyst.locator('[data-proposal]').textContent()).toContain(NAMES.analyst);
    // The proposer cannot confirm it: the page offers only confirming the match.
    expect(await analyst.getByRole('button', { name: 'Confirm false positive' }).count()).toBe(0);

    const auditor = await signIn('auditor');
    await auditor.goto(`${base}/alerts/${subject.alertId}`);
    await auditor.getByRole('button', { name: 'Confirm false positive' }).click();
    expect(await flash(auditor, 'success')).toContain('closed as a false positive');
    expect(await auditor.locator('[data-alert-status]').getAttribute('data-alert-status')).toBe('false_positive');
    const decided = await auditor.locator('section[aria-labelledby="review-heading"]').textContent();
    expect(decided).toContain(NAMES.analyst);
    expect(decided).toContain(NAMES.auditor);
  });

  it('unmasks an identity only on request and with a reason, and adds a case note with an @mention', async () => {
    const analyst = pages[0];
    await analyst.goto(`${base}/sessions/${subject.sessionId}`);
    const identity = analyst.locator('section[aria-labelledby="identity-heading"]');
    expect(await identity.textContent()).toContain('V••• K•••');
    // The status history and the subject's screenings, with the alert this review is about.
    const history = analyst.locator('section[aria-labelledby="history-heading"] tbody tr');
    expect(await history.count()).toBeGreaterThanOrEqual(1);
    expect(await history.last().textContent()).toContain('approved');
    const screenings = analyst.locator('section[aria-labelledby="screenings-heading"] tbody tr');
    expect(await screenings.count()).toBeGreaterThanOrEqual(1);
    // The screening of this session that raised the alert (a monitored subject may have newer re-screenings).
    const raised = screenings.filter({ has: analyst.getByRole('link', { name: `alert ${subject.alertId.slice(0, 8)}` }) });
    expect(await raised.count()).toBe(1);
    expect(await raised.textContent()).toMatch(/yes.*builtin.*match/);
    // An analyst reads no timeline; the page says which role does.
    expect(await analyst.locator('[data-role-note="auditor"]').count()).toBe(1);
    await check(analyst, 'session');

    await identity.getByRole('button', { name: 'Unmask identity' }).click();
    expect(await flash(analyst, 'error')).toContain('REASON_REQUIRED');
    expect(await identity.textContent()).not.toContain('Viktor');

    await identity.getByLabel('Reason for seeing the unmasked identity').fill(UNMASK_REASON);
    await identity.getByRole('button', { name: 'Unmask identity' }).click();
    expect(await flash(analyst, 'success')).toContain('unmasked for this view only');
    expect(await identity.textContent()).toContain('Viktor');
    expect(await identity.textContent()).toContain('ZX4471902');
    // Shown once: the next view is masked again.
    await analyst.reload();
    expect(await identity.textContent()).not.toContain('Viktor');

    await analyst.getByLabel('Add a case note').fill('Date of birth differs from the list entry; @aud please confirm the clearance.');
    await analyst.getByRole('button', { name: 'Add note' }).click();
    expect(await flash(analyst, 'success')).toContain('mentioning @aud');
  });

  it('shows an auditor the session timeline with both review steps, the unmasking and the case note', async () => {
    const auditor = pages[1];
    await auditor.goto(`${base}/sessions/${subject.sessionId}`);
    const step = (type: string) => auditor.locator(`[data-timeline] tr[data-step-type="${type}"]`);
    await reloadUntil(
      auditor,
      async () => (await step('compliance.alert.resolved').count()) > 0 && (await step('kyc.identity.accessed').count()) > 0 && (await step('audit.case_note').count()) > 0,
      'the review, the unmasking and the note in the timeline',
    );
    expect(await step('compliance.alert.review.proposed').textContent()).toContain(NAMES.analyst);
    expect(await step('compliance.alert.resolved').textContent()).toContain(NAMES.auditor);
    const accessed = await step('kyc.identity.accessed').textContent();
    expect(accessed).toContain(NAMES.analyst);
    expect(accessed).toContain(UNMASK_REASON);
    expect(await step('aml.identity.accessed').textContent()).toContain(UNMASK_REASON);
    expect(await step('audit.case_note').locator('.mention').textContent()).toBe('@aud');
    // The auditor's own reading of the page recorded no unmasking: the console asks for masked data.
    expect(await step('kyc.identity.accessed').count()).toBe(1);
    await check(auditor, 'session-timeline');
  });

  it('lets an admin place and release a legal hold on the subject page, and shows others that it needs the admin role', async () => {
    const analyst = pages[0];
    await analyst.goto(`${base}/subjects/${subject.subjectRef}`);
    expect(await analyst.locator('[data-role-note="admin"]').count()).toBeGreaterThan(0);
    expect(await analyst.getByRole('button', { name: 'Place legal hold' }).count()).toBe(0);

    const admin = await signIn('admin');
    await admin.getByRole('link', { name: 'Find a session or subject' }).click();
    await check(admin, 'find');
    await admin.getByLabel('Subject reference').fill(subject.subjectRef);
    await admin.getByRole('button', { name: 'Open subject' }).click();
    await admin.waitForURL(`${base}/subjects/${subject.subjectRef}`);
    expect(await admin.locator('section[aria-labelledby="verifications-heading"]').textContent()).toContain(subject.sessionId);
    expect(await admin.locator('[data-no-legal-holds]').count()).toBe(1);
    // Retention clocks: one row per category retention keeps of the session, each with its period and due date.
    const clocks = admin.locator('section[aria-labelledby="retention-heading"] tbody tr');
    await reloadUntil(admin, async () => (await clocks.count()) > 0, 'the retention clocks of the subject');
    for (const clock of await clocks.all()) {
      const text = (await clock.textContent()) ?? '';
      expect(text).toContain(subject.sessionId.slice(0, 8));
      expect(text).toMatch(/\d+ days|indefinitely/);
    }

    await admin.getByLabel('Reason (case number, authority)').fill('Case 2026-117: the financial authority asked to keep the file');
    await admin.getByRole('button', { name: 'Place legal hold' }).click();
    expect(await flash(admin, 'success')).toContain('Legal hold placed');
    expect(await admin.locator('[data-legal-holds]').textContent()).toContain('Case 2026-117');
    await check(admin, 'subject');

    await admin.getByRole('button', { name: /^Release/ }).click();
    expect(await flash(admin, 'success')).toContain('Legal hold released');
    expect(await admin.locator('[data-no-legal-holds]').count()).toBe(1);
  });

  it('shows operations: the audit chain verified on request, the lists and their reload, webhook intake and consumer lag', async () => {
    // A webhook signed with the wrong secret: rejected, and counted by reason.
    const forged = JSON.stringify(diditSession('v3-approved', { vendor_data: `forged-${hex()}` }));
    const refused = await fetch(`${stack.url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(forged, 'not-the-secret-of-this-gateway'), body: forged });
    expect(refused.status).toBe(401);
    const admin = pages[2];
    await admin.getByRole('link', { name: 'Operations' }).click();
    await admin.getByRole('button', { name: 'Verify the audit chain now' }).click();
    expect(await flash(admin, 'success')).toContain('The audit chain verifies');
    expect(await admin.locator('[data-verify-ok]').getAttribute('data-verify-ok')).toBe('true');
    expect(await admin.locator('[data-lists]').textContent()).toContain('opensanctions');
    expect(await admin.locator('[data-intake-accepted]').textContent()).toContain('didit');
    expect(await admin.locator('[data-intake-rejected] tbody tr', { hasText: 'SIGNATURE_MISMATCH' }).textContent()).toMatch(/SIGNATURE_MISMATCH\s*401\s*1/);
    expect(await admin.locator('[data-spool-depth]').textContent()).toMatch(/^\d+$/);
    await admin.getByRole('button', { name: 'Reload the lists now' }).click();
    expect(await flash(admin, 'success')).toContain('The lists are reloaded; their content did not change.');
    expect(await admin.locator('[data-lists] tbody tr').count()).toBe(2);
    expect(await admin.locator('[data-consumer-lag] tbody tr').count()).toBe(10);
    await reloadUntil(admin, async () => (await admin.locator('[data-checkpoint]').count()) > 0, 'the last signed checkpoint');
    await check(admin, 'operations');

    const analyst = pages[0];
    await analyst.goto(`${base}/operations`);
    expect(await analyst.locator('[data-role-note="auditor"]').count()).toBe(1);
    expect(await analyst.getByRole('button', { name: 'Reload the lists now' }).count()).toBe(0);
  });

  it('requests an erasure from the subject page and shows each service confirming it as it happens', async () => {
    const admin = pages[2];
    await admin.goto(`${base}/subjects/${subject.subjectRef}`);
    await admin.getByLabel('Reason', { exact: true }).fill('GDPR art. 17 request #4711');
    await admin.getByRole('button', { name: 'Request erasure' }).click();
    await admin.waitForURL(/\/erasure-requests\/[0-9a-f-]{36}$/);
    await admin.evaluate('window.notReloaded = true');
    // console.js refreshes the progress while the request is open; the page is not reloaded.
    await admin.waitForSelector('[data-erasure-status="finished"]', { timeout: 60_000 });
    expect(await admin.evaluate('window.notReloaded')).toBe(true);
    for (const service of ['webhook-gateway', 'kyc-results', 'aml-trigger', 'audit-log']) {
      expect(await admin.locator(`[data-erasure-services] tr[data-service="${service}"]`).textContent()).toContain('yes');
    }
    await check(admin, 'erasure');
    await admin.goto(`${base}/subjects/${subject.subjectRef}`);
    expect(await admin.locator('section[aria-labelledby="erasure-heading"]').textContent()).toContain('Erasure request');
  });

  it('is usable with the keyboard alone: skip link, sign-in, opening an alert and recording a decision', async () => {
    const subjectRef = `keyboard-${hex()}`;
    await postListedPerson(subjectRef);
    const page = await newPage('keyboard');
    await page.goto(`${base}/alerts`);
    // The first Tab reaches the skip link; Enter moves the focus to the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    expect(await tabTo(page, '#apiKey')).toBe(1);
    await page.keyboard.type(KEYS.analyst);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/alerts`);
    expect(await page.locator('[data-role]').textContent()).toBe('analyst');

    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: subjectRef }) });
    await reloadUntil(page, async () => (await row.count()) > 0, 'the alert of the keyboard user’s subject');
    const alertId = (await row.getAttribute('data-alert-id')) as string;
    await tabTo(page, `tr[data-alert-id="${alertId}"] td.action a`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/alerts/${alertId}`);
    // The decision: a radio chosen with Space, a note typed, the form sent with Enter on its button.
    await tabTo(page, '#decision-confirmed');
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Confirmed match').isChecked()).toBe(true);
    await tabTo(page, '#note');
    await page.keyboard.type('Same name, date of birth and passport as the list entry.');
    await tabTo(page, 'button[type="submit"]:not(.link-button)');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Record decision');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-flash]');
    expect(await flash(page, 'success')).toContain('closed as a confirmed match');
    expect(await page.locator('[data-alert-status]').getAttribute('data-alert-status')).toBe('confirmed');
    // Focus is visible wherever it goes: the focused control is outlined.
    await tabTo(page, 'a');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.context().close();
  });

  it('pages through 10,000 alerts 50 at a time, each page loaded in under a second', async () => {
    await sql(
      databaseUrl,
      `INSERT INTO aml_trigger.alerts (id, kind, severity, subject_ref, summary, details, raised_at)
       SELECT gen_random_uuid(), CASE WHEN g % 10 = 0 THEN 'aml_match' ELSE 'aml_review' END, 'medium', 'bulk-' || g,
              'Possible watchlist hit for subject bulk-' || g, '{}'::jsonb, now() - make_interval(secs => 60 + g)
         FROM generate_series(1, 10000) AS g`,
    );
    const analyst = pages[0];
    // From the start of the navigation to the end of the load event, as the browser measured it. One
    // more try when over the budget: another helper's build on a shared machine is not the console.
    const measure = async (navigate: () => Promise<unknown>) => {
      const tries: Array<{ domContentLoadedMs: number; loadMs: number }> = [];
      do {
        await navigate();
        tries.push(await navigationTiming(analyst));
      } while (tries.length < 2 && tries[tries.length - 1].loadMs >= 1000);
      return tries;
    };
    const first = await measure(() => analyst.goto(`${base}/alerts`));
    expect(await analyst.locator('tbody tr').count()).toBe(50);
    expect(Number(await analyst.locator('[data-count-total]').textContent())).toBeGreaterThanOrEqual(10_000);
    const next = await measure(async () => {
      await analyst.goto(`${base}/alerts`);
      await analyst.getByRole('link', { name: 'Next 50 alerts' }).click();
      await analyst.waitForURL(/cursor=/);
    });
    expect(await analyst.locator('tbody tr').count()).toBe(50);
    process.stdout.write(`console with 10,000 alerts: first page ${JSON.stringify(first)}, next page ${JSON.stringify(next)}\n`);
    expect(first[first.length - 1].loadMs).toBeLessThan(1000);
    expect(next[next.length - 1].loadMs).toBeLessThan(1000);
  });

  it('raised no script error and no content-security-policy violation on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
