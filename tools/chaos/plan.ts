import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../libs/testing/src/seeded-random';
import { diditPayload } from '../../libs/testing/src/webhooks';

/** One webhook of the chaos run, in the order it will be sent for its session. */
export interface PlannedWebhook {
  sessionId: string;
  status: string;
  createdAt: number;
  payload: Record<string, unknown>;
  duplicateOf?: 'same-event-id' | 'new-event-id';
}

export interface PlannedSession {
  sessionId: string;
  subjectRef: string;
  person: { firstName: string; lastName: string; dateOfBirth: string; nationality: string; documentNumber: string };
  sends: PlannedWebhook[];
  finalStatus: string;
  expectedTransitions: number;
}

const SYLLABLES = ['ka', 'lo', 'mir', 'den', 'sa', 'vu', 'rel', 'to', 'pha', 'gin', 'bo', 'tre', 'lun', 'qe', 'zor'];

function inventedName(r: () => number, parts: number): string {
  const word = () => {
    const n = 2 + Math.floor(r() * 2);
    const w = Array.from({ length: n }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('');
    return w[0].toUpperCase() + w.slice(1);
  };
  return Array.from({ length: parts }, word).join(' ');
}

function payloadFor(sessionId: string, subjectRef: string, status: string, createdAt: number, person: PlannedSession['person']): Record<string, unknown> {
  const decided = ['Approved', 'Declined', 'In Review'].includes(status);
  const base = diditPayload(decided ? 'v3-approved' : 'v3-in-progress');
  const decision = decided
    ? (() => {
        const d = JSON.parse(JSON.stringify(base.decision)) as Record<string, unknown>;
        d.session_id = sessionId;
        d.status = status;
        const idv = (d.id_verifications as Array<Record<string, unknown>>)[0];
        Object.assign(idv, {
          first_name: person.firstName,
          last_name: person.lastName,
          date_of_birth: person.dateOfBirth,
          nationality: person.nationality,
          document_number: person.documentNumber,
        });
        return d;
      })()
    : undefined;
  return {
    ...base,
    event_id: randomUUID(),
    session_id: sessionId,
    vendor_data: subjectRef,
    status,
    created_at: createdAt,
    timestamp: createdAt,
    ...(decision ? { decision } : {}),
  };
}

/** Counts transitions as kyc-results applies them: an event newer than everything applied moves the state. */
function transitionsInSendOrder(sends: PlannedWebhook[]): { count: number; final: string } {
  let newest = -Infinity;
  let final = '';
  let count = 0;
  for (const s of sends.filter((x) => !x.duplicateOf)) {
    if (s.createdAt > newest) {
      newest = s.createdAt;
      final = s.status;
      count++;
    }
  }
  return { count, final };
}

/**
 * `webhooks` deliveries in all: a sixth of them are second deliveries (20 % of the distinct
 * webhooks sent twice), the rest distinct status reports spread over the sessions (3 or 4 each).
 */
export function buildPlan(opts: { sessions: number; webhooks: number; seed: number; listed: PlannedSession['person'][]; namespace: string }): PlannedSession[] {
  const distinct = Math.round(opts.webhooks / 1.2);
  const fourStepSessions = Math.max(0, Math.min(opts.sessions, distinct - 3 * opts.sessions));
  const r = seededRandom(opts.seed);
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  const sessions: PlannedSession[] = [];
  for (let i = 0; i < opts.sessions; i++) {
    const sessionId = randomUUID();
    const subjectRef = `${opts.namespace}subject-${i}`;
    const listed = i % 10 === 0 && opts.listed.length > 0;
    const person = listed
      ? opts.listed[(i / 10) % opts.listed.length]
      : { firstName: inventedName(r, 1), lastName: inventedName(r, 1), dateOfBirth: `19${60 + Math.floor(r() * 40)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`, nationality: 'FRA', documentNumber: `CH${100000 + i}` };
    const approved = listed || r() < 0.6;
    const path = i < fourStepSessions ? ['Not Started', 'In Progress', 'In Review', approved ? 'Approved' : 'Declined'] : ['Not Started', 'In Progress', approved ? 'Approved' : 'Declined'];
    const ordered: PlannedWebhook[] = path.map((status, k) => {
      const createdAt = t0 + i + k * 60;
      return { sessionId, status, createdAt, payload: payloadFor(sessionId, subjectRef, status, createdAt, person) };
    });
    const sends = [...ordered];
    // Partly out of order: for 30 % of sessions two neighbouring webhooks swap places.
    if (r() < 0.3) {
      const k = Math.floor(r() * (sends.length - 1));
      [sends[k], sends[k + 1]] = [sends[k + 1], sends[k]];
    }
    sessions.push({ sessionId, subjectRef, person, sends, finalStatus: '', expectedTransitions: 0 });
  }
  addDuplicates(sessions, r, opts.webhooks - distinct);
  for (const s of sessions) {
    const { count, final } = transitionsInSendOrder(s.sends);
    s.expectedTransitions = count;
    s.finalStatus = final;
  }
  return sessions;
}

/** `count` webhooks are sent twice: half as a replay (same event_id), half re-sent under a new event_id. */
function addDuplicates(sessions: PlannedSession[], r: () => number, count: number): void {
  const all = sessions.flatMap((s) => s.sends.map((w) => ({ s, w })));
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const picks = all.slice(0, count);
  picks.forEach(({ s, w }, n) => {
    const kind = n % 2 === 0 ? 'same-event-id' : 'new-event-id';
    const payload = kind === 'same-event-id' ? w.payload : { ...w.payload, event_id: randomUUID(), timestamp: (w.payload.timestamp as number) + 5 };
    const at = s.sends.indexOf(w) + 1 + Math.floor(r() * (s.sends.length - s.sends.indexOf(w)));
    s.sends.splice(at, 0, { ...w, payload, duplicateOf: kind });
  });
}
