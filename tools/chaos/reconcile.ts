import { CATALOGUE_TOPICS, CONSUMER_GROUPS, dlqTopicOf, EventTypes, Topics } from '../../libs/contracts/src';
import type { TopicReader } from '../../libs/messaging/src/testing';
import type { Stack } from '../stack/stack';
import type { PlannedSession } from './plan';

export interface Row {
  check: string;
  expected: number | string;
  actual: number | string;
  ok: boolean;
  /**
   * What a mismatch means: `count` — short of the model is loss, above it a double effect;
   * `duplicates` — the actual number is double effects; `wrong` — effects the model has no place for;
   * `dead` — dead letters; `chain` — the audit chain.
   */
  kind: 'count' | 'duplicates' | 'wrong' | 'dead' | 'chain';
}

const canonical = (status: string) => status.toLowerCase().replace(/ /g, '_');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string, apiKey: string): Promise<any> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!res.ok) return undefined;
  return res.json();
}

async function sessionStates(stack: Stack, plan: PlannedSession[], apiKey: string) {
  const states = new Map<string, { status?: string; transitions?: number }>();
  for (let i = 0; i < plan.length; i += 25) {
    await Promise.all(
      plan.slice(i, i + 25).map(async (s) => {
        const v = await getJson(`${stack.url('kyc-results')}/verifications/${s.sessionId}?identity=masked`, apiKey);
        states.set(s.sessionId, { status: v?.status, transitions: v?.transitions });
      }),
    );
  }
  return states;
}

function distinct(values: Array<string | undefined>): number {
  return new Set(values.filter(Boolean)).size;
}

/** Waits until `probe` reaches `expected` (or stops changing for a while), returning the last value. */
async function settle(probe: () => Promise<number>, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    last = await probe();
    if (last === expected) return last;
    await sleep(2000);
  }
  return last;
}

export async function reconcile(ctx: {
  stack: Stack;
  plan: PlannedSession[];
  expectedAlertSessions: Set<string>;
  reader: TopicReader;
  apiKey: string;
  log: (m: string) => void;
}): Promise<Row[]> {
  const { stack, plan, reader, apiKey } = ctx;
  const approved = plan.filter((s) => s.finalStatus === 'Approved');
  const expectedTransitions = plan.reduce((n, s) => n + s.expectedTransitions, 0);
  const uniqueWebhooks = plan.reduce((n, s) => n + s.sends.filter((w) => !w.duplicateOf).length, 0);

  ctx.log('waiting for every session to reach its final state…');
  let states = await sessionStates(stack, plan, apiKey);
  const wrong = () => plan.filter((s) => states.get(s.sessionId)?.status !== canonical(s.finalStatus)).length;
  const deadline = Date.now() + 240_000;
  while (wrong() > 0 && Date.now() < deadline) {
    await sleep(3000);
    states = await sessionStates(stack, plan, apiKey);
  }
  // A webhook spooled while Kafka was away may still be on its way: let the topic catch up first.
  const received = () => distinct(reader.events(Topics.WebhooksInbound).map((e) => e.id));
  await settle(async () => received(), uniqueWebhooks, 60_000);
  const kycEvents = () => reader.on(Topics.KycVerifications).filter((r) => r.event && (r.event.data as { change?: string }).change === 'transition');
  const completed = () =>
    reader.events(Topics.AmlScreenings).filter((e) => e.type === EventTypes.AmlScreeningCompleted && (e.data as { provider?: string }).provider !== 'didit');
  const raised = () => reader.events(Topics.ComplianceAlerts).filter((e) => e.type === EventTypes.ComplianceAlertRaised);
  await settle(async () => distinct(completed().map((e) => (e.data as { sessionId?: string }).sessionId)), approved.length, 120_000);
  await settle(async () => distinct(raised().map((e) => (e.data as { alertId: string }).alertId)), ctx.expectedAlertSessions.size, 60_000);

  const audited = CATALOGUE_TOPICS.filter((t) => t !== Topics.AuditCheckpoints);
  const auditReader = reader;
  const topicEvents = () => distinct(auditReader.records.filter((r) => audited.includes(r.topic as never)).map((r) => r.event?.id));
  const verify = async () => (await getJson(`${stack.url('audit-log')}/audit/verify`, apiKey)) as { ok: boolean; entries: number } | undefined;
  const auditEntries = await settle(async () => (await verify())?.entries ?? -1, topicEvents(), 120_000);
  const report = await verify();

  const screenedSessions = completed().map((e) => (e.data as { sessionId?: string }).sessionId as string);
  const perSession = new Map<string, Set<string>>();
  for (const e of completed()) {
    const d = e.data as { sessionId: string; screeningId: string };
    perSession.set(d.sessionId, (perSession.get(d.sessionId) ?? new Set()).add(d.screeningId));
  }
  const alertSessions = raised().map((e) => (e.data as { sessionId?: string }).sessionId);
  const dead = CONSUMER_GROUPS.reduce((n, g) => n + reader.on(dlqTopicOf(g)).length, 0);
  const transitionsInDb = plan.reduce((n, s) => n + (states.get(s.sessionId)?.transitions ?? 0), 0);
  return [
    row('sessions in their expected final state', plan.length, plan.length - wrong()),
    row('status transitions recorded (kyc-results)', expectedTransitions, transitionsInDb),
    row('kyc.verification.* transition events (distinct)', expectedTransitions, distinct(kycEvents().map((r) => r.event?.id))),
    row('webhook.received events (distinct)', uniqueWebhooks, received()),
    row('screenings completed (distinct sessions)', approved.length, distinct(screenedSessions)),
    row('sessions screened more than once', 0, [...perSession.values()].filter((s) => s.size > 1).length, 'duplicates'),
    row('alerts raised (distinct)', ctx.expectedAlertSessions.size, distinct(raised().map((e) => (e.data as { alertId: string }).alertId))),
    row('alerts for unexpected sessions', 0, alertSessions.filter((s) => !ctx.expectedAlertSessions.has(s as string)).length, 'wrong'),
    row('audit entries = distinct events on audited topics', topicEvents(), auditEntries),
    row('dead letters across all DLQs', 0, dead, 'dead'),
    row('audit chain verifies', 'ok', report?.ok ? 'ok' : 'BROKEN', 'chain'),
  ];
}

function row(check: string, expected: number | string, actual: number | string, kind: Row['kind'] = 'count'): Row {
  return { check, expected, actual, ok: expected === actual, kind };
}

/** The reconciliation in a few numbers: what is missing against the model, what happened twice, what else went wrong. */
export function summarize(rows: Row[]): { lost: number; duplicateEffects: number; wrongEffects: number; deadLetters: number; auditChainOk: boolean; passed: boolean } {
  const num = (v: number | string) => (typeof v === 'number' ? v : 0);
  const sum = (kind: Row['kind'], f: (r: Row) => number) => rows.filter((r) => r.kind === kind).reduce((n, r) => n + f(r), 0);
  return {
    lost: sum('count', (r) => Math.max(0, num(r.expected) - num(r.actual))),
    duplicateEffects: sum('count', (r) => Math.max(0, num(r.actual) - num(r.expected))) + sum('duplicates', (r) => num(r.actual)),
    wrongEffects: sum('wrong', (r) => num(r.actual)),
    deadLetters: sum('dead', (r) => num(r.actual)),
    auditChainOk: rows.filter((r) => r.kind === 'chain').every((r) => r.ok),
    passed: rows.every((r) => r.ok),
  };
}

export function printTable(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.check.length));
  const line = `+-${'-'.repeat(w)}-+----------+----------+------+`;
  const out = [line, `| ${'check'.padEnd(w)} | expected |   actual |  ok  |`, line];
  for (const r of rows) out.push(`| ${r.check.padEnd(w)} | ${String(r.expected).padStart(8)} | ${String(r.actual).padStart(8)} | ${r.ok ? ' ok ' : 'FAIL'} |`);
  out.push(line);
  process.stdout.write(`\nReconciliation\n${out.join('\n')}\n`);
}
