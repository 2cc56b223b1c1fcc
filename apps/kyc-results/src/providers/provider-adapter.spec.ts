import { diditPayload } from '@compliance/testing';
import { asV2 } from '../../test/didit-reports';
import { DIDIT_STATUSES } from './didit-status';
import { payloadFingerprint } from './payload-fingerprint';
import { adaptRedactedWebhook, adaptWebhook } from './provider-adapter';
import { MalformedPayloadError, type VerificationReport } from './verification-report';

const report = (payload: Record<string, unknown>, source = 'didit') => {
  const adapted = adaptWebhook(source, payload);
  if (adapted.kind !== 'report') throw new Error(`expected a report, got ${adapted.kind}`);
  return adapted.report;
};
const reasonOf = (payload: Record<string, unknown>) => {
  try {
    adaptWebhook('didit', payload);
  } catch (err) {
    if (err instanceof MalformedPayloadError) return err.reason;
    throw err;
  }
  return 'no error';
};

describe('Didit adapters', () => {
  it('reads a v3 Approved payload into the canonical report', () => {
    expect(report(diditPayload('v3-approved'))).toEqual<VerificationReport>({
      provider: 'didit',
      payloadVersion: 'didit-v3',
      kind: 'status',
      webhookType: 'status.updated',
      sessionId: '5d0c9a7e-1f2b-4c3d-8e9f-0a1b2c3d4e01',
      subjectRef: 'customer-1001',
      workflowId: 'd8d2fa2d-0000-4000-8000-bc71512b43ef',
      status: 'approved',
      providerStatus: 'Approved',
      occurredAt: new Date(1767225541 * 1000),
      decision: {
        summary: { documentType: 'Passport', issuingCountry: 'ESP', livenessScore: 96, faceMatchScore: 91.2, ipRiskFlags: [], providerAml: { status: 'Approved', totalHits: 0, score: 0 } },
        identity: {
          firstName: 'Ana',
          lastName: 'Núñez García',
          fullName: 'Ana Núñez García',
          dateOfBirth: '1990-04-02',
          nationality: 'ESP',
          documentType: 'Passport',
          documentNumber: 'X1234567',
          issuingState: 'ESP',
          address: 'Calle Mayor 1, 28013 Madrid',
        },
      },
    });
  });

  it('reads the v2 shape of the same content into the same decision', () => {
    const v3 = report(diditPayload('v3-approved'));
    const v2 = report(asV2(diditPayload('v3-approved')));
    expect(v2.payloadVersion).toBe('didit-v2');
    expect(v2.decision).toEqual(v3.decision);
  });

  it('summarises several v3 nodes conservatively: lowest scores, all IP flags, summed AML hits with the worst status', () => {
    const payload = diditPayload('v3-in-review-aml-hit') as any;
    payload.decision.liveness_checks.push({ node_id: 'liveness-2', status: 'Declined', score: 40 });
    payload.decision.ip_analyses.push({ node_id: 'ip-2', vpn: true, tor: true });
    payload.decision.aml_screenings.unshift({ node_id: 'aml-0', status: 'Approved', total_hits: 0, score: 10 });
    expect(report(payload).decision?.summary).toMatchObject({ livenessScore: 40, ipRiskFlags: ['vpn', 'tor'], providerAml: { status: 'In Review', totalHits: 1, score: 82.5 } });
  });

  it('maps every exact Didit status string to its canonical status', () => {
    for (const [didit, canonical] of Object.entries(DIDIT_STATUSES)) {
      expect(report({ ...diditPayload('v3-in-progress'), status: didit }).status).toBe(canonical);
    }
    expect(Object.values(DIDIT_STATUSES)).toHaveLength(10);
  });

  it('reads Resubmitted (resubmit_info, no decision) and falls back to the delivery timestamp without created_at', () => {
    const r = report({ ...diditPayload('v3-resubmitted'), created_at: undefined });
    expect(r).toMatchObject({ status: 'resubmitted', occurredAt: new Date(1767236400 * 1000) });
    expect(r.decision).toBeUndefined();
  });

  it('reads data.updated as decision data whose status is optional', () => {
    const payload = { ...diditPayload('v3-approved'), webhook_type: 'data.updated', status: undefined };
    expect(report(payload)).toMatchObject({ kind: 'data', status: undefined, decision: { identity: { fullName: 'Ana Núñez García' } } });
  });

  it.each(['user.status.updated', 'user.data.updated', 'business.status.updated', 'activity.created', 'transaction.created', 'transaction.status.updated'])(
    'acknowledges %s as a webhook outside verification sessions',
    (type) => {
      expect(adaptWebhook('didit', { ...diditPayload('user-status-updated'), webhook_type: type })).toEqual({ kind: 'ignored', source: 'didit', webhookType: type, reason: 'non_session' });
    },
  );

  it('acknowledges KYB session webhooks and sources without an adapter', () => {
    expect(adaptWebhook('didit', { ...diditPayload('v3-in-progress'), session_kind: 'business' })).toMatchObject({ kind: 'ignored', reason: 'non_session' });
    expect(adaptWebhook('acme', diditPayload('v3-in-progress'))).toMatchObject({ kind: 'ignored', source: 'acme', reason: 'no_adapter' });
  });

  it.each([
    ['a near-miss status', { status: 'In review' }, 'payload.status "In review" is not a Didit session status'],
    ['an unknown webhook type', { webhook_type: 'session.exploded' }, 'webhook_type "session.exploded" is not a session webhook'],
    ['decision arrays that are not arrays', { decision: { id_verifications: 'x' } }, 'payload.decision.id_verifications is not an array'],
    ['a feature item that is not an object', { decision: { liveness_checks: [3] } }, 'payload.decision.liveness_checks[0] is not an object'],
    ['a score that is not a number', { decision: { face_matches: [{ score: '91' }] } }, 'payload.decision.face_matches[0].score is not a number'],
    ['differing session ids', { decision: { session_id: 'other' } }, 'payload.session_id and payload.decision.session_id differ'],
    ['vendor_data that is not a string', { vendor_data: 42 }, 'payload.vendor_data is not a string'],
  ])('rejects %s as malformed, naming the field', (_case, change, reason) => {
    expect(reasonOf({ ...diditPayload('v3-approved'), ...change })).toBe(reason);
  });

  it('fingerprints content without delivery fields: a re-sent webhook has the same fingerprint', () => {
    const original = diditPayload('v3-approved');
    expect(payloadFingerprint({ ...original, event_id: 'other', timestamp: 1 })).toBe(payloadFingerprint(original));
    expect(payloadFingerprint({ ...original, status: 'Declined' })).not.toBe(payloadFingerprint(original));
  });
});

describe('a redacted webhook (no payload: its subject or session was erased before)', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const routing = { source: 'didit', scheme: 'didit', sessionId: 's-1', subjectRef: 'c-1', status: 'Declined', webhookType: 'status.updated', occurredAt: at };

  it('reads a Didit session status from the routing fields: a status report without a decision', () => {
    expect(adaptRedactedWebhook(routing)).toEqual({
      kind: 'report',
      report: { provider: 'didit', payloadVersion: 'didit-redacted', kind: 'status', webhookType: 'status.updated', sessionId: 's-1', subjectRef: 'c-1', status: 'declined', providerStatus: 'Declined', occurredAt: at },
    });
  });

  it.each([
    ['a data correction', { webhookType: 'data.updated' }, 'subject_erased'],
    ['a status that is not exactly a Didit one', { status: 'declined' }, 'subject_erased'],
    ['no status', { status: undefined }, 'subject_erased'],
    ['no session', { sessionId: undefined }, 'subject_erased'],
    ['another provider (its status needs the payload)', { source: 'sumsub', scheme: 'sumsub', status: 'GREEN' }, 'subject_erased'],
    ['an entity webhook', { webhookType: 'user.status.updated' }, 'non_session'],
  ])('only acknowledges %s', (_what, change, reason) => {
    expect(adaptRedactedWebhook({ ...routing, ...change })).toMatchObject({ kind: 'ignored', reason });
  });
});
