/**
 * `npm run demo` (with `npm start` running): posts signed sample webhooks and shows the flow live:
 * the gateway's answers, events on each topic, the verification state, the screening and alert,
 * the audit timeline and the chain verification, then a short summary.
 */
import { randomBytes } from 'node:crypto';
import { CATALOGUE_TOPICS, Topics, type DomainEvent } from '../../libs/contracts/src';
import { TopicReader } from '../../libs/messaging/src/testing';
import { onfidoPayload, onfidoRequest, personaEvent, personaRequest, sumsubPayload, sumsubRequest, veriffDecision, veriffRequest, type ProviderRequest } from '../../libs/testing/src/provider-webhooks';
import { diditHeaders, diditSession } from '../../libs/testing/src/webhooks';
import { firstKeyWithRole } from '../../libs/platform/src/api-keys';
import { loadDevSecrets } from '../stack/dev-secrets';
import { CONSOLE, SERVICES } from '../stack/stack';

const secrets = loadDevSecrets();
const env = { ...secrets, ...process.env } as Record<string, string>;
const url = (name: string) => {
  const s = SERVICES.find((x) => x.name === name)!;
  return `http://127.0.0.1:${env[s.portVar] ?? s.port}`;
};
// The admin key npm start prints: the demo reads timelines and verifies the audit chain.
const apiKey = firstKeyWithRole(env.API_KEYS, 'admin');
if (!apiKey) {
  process.stderr.write('npm run demo needs an admin key in API_KEYS (key:admin[:name]), as npm start prints\n');
  process.exit(1);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
const say = (s = '') => process.stdout.write(`${s}\n`);

async function get(u: string): Promise<any> {
  const res = await fetch(u, { headers: { authorization: `Bearer ${apiKey}` } });
  return res.ok ? res.json() : { status: res.status };
}

function person(first: string, last: string, dob: string, nat: string, doc: string) {
  return { first_name: first, last_name: last, date_of_birth: dob, nationality: nat, document_number: doc };
}

function scenario(label: string, fixture: 'v3-approved' | 'v2-declined', who?: ReturnType<typeof person>) {
  const payload = diditSession(fixture, { vendor_data: `demo-${randomBytes(3).toString('hex')}` });
  const d = payload.decision as Record<string, any>;
  if (who && d?.id_verifications) Object.assign(d.id_verifications[0], who);
  if (who && d?.id_verification) Object.assign(d.id_verification, who);
  return { label, payload, sessionId: payload.session_id as string, subjectRef: payload.vendor_data as string };
}

function describe(e: DomainEvent): string {
  const d = e.data as Record<string, any>;
  const bits = [d.status && `status=${d.status}`, d.outcome && `outcome=${d.outcome}`, d.score !== undefined && `score=${d.score}`, d.kind && `kind=${d.kind}`, d.reason && `reason=${d.reason}`];
  return bits.filter(Boolean).join(' ');
}

async function main(): Promise<void> {
  say(bold('Compliance flow demo'));
  const reader = await new TopicReader(env.KAFKA_TOPIC_PREFIX ?? '', [...CATALOGUE_TOPICS], env.KAFKA_BROKERS ?? '127.0.0.1:9092').start();
  const scenarios = [
    scenario('approved, on the sample watchlist', 'v3-approved', person('Viktor', 'Kovalenko-Drask', '1968-04-12', 'UKR', 'ZX4471902')),
    scenario('approved, clean', 'v3-approved', person('Maren', 'Olsvik-Tamberg', '1991-07-19', 'NOR', 'N8820014')),
    scenario('declined (Didit v2 payload)', 'v2-declined'),
  ];
  const ours = new Set(scenarios.map((s) => s.sessionId));
  const secret = env.DIDIT_WEBHOOK_SECRET.split(',')[0];

  say(`\n${bold('1. Webhooks posted to the gateway')} ${dim(url('webhook-gateway'))}`);
  for (const s of scenarios) {
    const body = JSON.stringify(s.payload);
    const res = await fetch(`${url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(body, secret), body });
    say(`  ${s.label.padEnd(36)} session ${s.sessionId.slice(0, 8)}…  → ${res.status} ${await res.text()}`);
  }
  // One webhook from each other provider whose secret the stack has (npm start enables all four).
  const first = (name: string) => (env[name] ?? '').split(',')[0];
  const tag = () => `demo-${randomBytes(3).toString('hex')}`;
  const others: Array<{ provider: string; label: string; sessionId: string; subjectRef?: string; request?: ProviderRequest }> = [];
  if (first('SUMSUB_WEBHOOK_SECRET')) {
    const p = sumsubPayload({ externalUserId: tag() });
    others.push({ provider: 'sumsub', label: 'Sumsub applicantReviewed GREEN', sessionId: p.applicantId as string, request: sumsubRequest(p, first('SUMSUB_WEBHOOK_SECRET')) });
  }
  if (first('ONFIDO_WEBHOOK_TOKEN')) {
    const p = onfidoPayload();
    others.push({ provider: 'onfido', label: 'Onfido check.completed', sessionId: (p.payload as any).object.id, request: onfidoRequest(p, first('ONFIDO_WEBHOOK_TOKEN')) });
  }
  if (first('VERIFF_SHARED_SECRET') && first('VERIFF_API_KEY')) {
    const subjectRef = tag();
    const p = veriffDecision({ vendorData: subjectRef, person: { firstName: 'Lena', lastName: 'Vaskova-Ring', dateOfBirth: '1987-03-02', nationality: 'CZ', idNumber: 'CZ7712093' } });
    others.push({ provider: 'veriff', label: 'Veriff decision approved', sessionId: (p.verification as any).id, subjectRef, request: veriffRequest(p, first('VERIFF_SHARED_SECRET'), first('VERIFF_API_KEY')) });
  }
  if (first('PERSONA_WEBHOOK_SECRET')) {
    const subjectRef = tag();
    const p = personaEvent({ 'reference-id': subjectRef, 'name-first': 'Tomas', 'name-last': 'Ekdahl-Varga', birthdate: '1979-11-23' });
    const inquiry = (p.data as any).attributes.payload.data.id as string;
    others.push({ provider: 'persona', label: 'Persona inquiry.approved', sessionId: inquiry, subjectRef, request: personaRequest(p, first('PERSONA_WEBHOOK_SECRET')) });
  }
  for (const o of others) {
    ours.add(o.sessionId);
    const res = await fetch(`${url('webhook-gateway')}/webhooks/${o.provider}`, { method: 'POST', headers: o.request?.headers, body: o.request?.body });
    say(`  ${o.label.padEnd(36)} session ${o.sessionId.slice(0, 8)}…  → ${res.status} ${await res.text()}`);
  }
  const forgedBody = JSON.stringify(scenarios[1].payload);
  const forged = await fetch(`${url('webhook-gateway')}/webhooks/didit`, { method: 'POST', headers: diditHeaders(forgedBody, 'a-forger-guessing'), body: forgedBody });
  say(`  ${'forged signature'.padEnd(36)} ${' '.repeat(19)} → ${forged.status} ${await forged.text()}`);

  say(`\n${bold('2. Events on the topics, as they arrive')}`);
  const shown = new Set<string>();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const r of reader.records) {
      const e = r.event;
      const sid = (e?.data as { sessionId?: string })?.sessionId ?? (r.key as string);
      if (!e || shown.has(e.id) || !(ours.has(sid) || (r.topic === Topics.WebhooksRejected && Date.now() - Date.parse(e.time) < 60_000))) continue;
      shown.add(e.id);
      say(`  ${dim(new Date().toISOString().slice(11, 23))} ${r.topic.padEnd(22)} ${e.type.padEnd(28)} ${sid?.slice(0, 8) ?? ''}… ${describe(e)}`);
    }
    await sleep(200);
  }

  say(`\n${bold('3. Verification state (kyc-results)')}`);
  for (const s of scenarios) {
    const v = await get(`${url('kyc-results')}/verifications/${s.sessionId}`);
    say(`  ${s.label.padEnd(36)} status=${v.status} transitions=${v.transitions} document=${v.decision?.documentType ?? '—'}`);
  }

  for (const o of others) {
    const v = await get(`${url('kyc-results')}/verifications/${encodeURIComponent(o.sessionId)}`);
    say(`  ${o.label.padEnd(36)} status=${v.status} provider=${v.provider ?? o.provider} name=${v.identity?.fullName ?? '—'}`);
  }

  say(`\n${bold('4. Screening and alerts (aml-trigger)')}`);
  for (const s of [...scenarios.slice(0, 2), ...others.filter((o) => o.subjectRef).map((o) => ({ label: o.label, subjectRef: o.subjectRef as string }))]) {
    const r = await get(`${url('aml-trigger')}/subjects/${s.subjectRef}/screenings`);
    const items = (r.screenings ?? []) as any[];
    for (const x of Array.isArray(items) ? items : []) {
      say(`  ${s.label.padEnd(36)} ${x.provider ?? ''} outcome=${x.outcome} score=${x.score} hits=${(x.hits ?? []).map((h: any) => `${h.entityId}:${h.matchedName}`).join(', ') || 'none'}`);
    }
  }

  say(`\n${bold('5. Audit timeline of the listed person (audit-log)')}`);
  const timeline = await get(`${url('audit-log')}/sessions/${scenarios[0].sessionId}/timeline`);
  for (const entry of (timeline.steps ?? []) as any[]) say(`  #${entry.sequence} ${entry.type} ${dim(entry.hash?.slice(0, 16) ?? '')}`);
  const verify = await get(`${url('audit-log')}/audit/verify`);
  say(`  chain verification: ${verify.ok ? 'OK' : 'BROKEN'} (${verify.entries} entries, ${verify.checkpoints?.verified ?? 0} signed checkpoints verified)`);

  const alerts = [...shown].length && reader.events(Topics.ComplianceAlerts).filter((e) => ours.has((e.data as { sessionId?: string }).sessionId as string));
  say(`\n${bold('Summary')}`);
  say(`  ${4 + others.length} webhooks posted (1 forged → refused), ${shown.size} events observed, ${(alerts || []).length} alert(s) raised, audit chain ${verify.ok ? 'verifies' : 'BROKEN'}.`);
  const consoleUrl = `http://127.0.0.1:${env[CONSOLE.portVar] ?? CONSOLE.port}`;
  say(`  The alert is in the console: ${consoleUrl}/alerts (sign in with the admin API key ${apiKey}).`);
  await reader.stop();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.message}\n(is the stack running? npm start)\n`);
  process.exit(1);
});
