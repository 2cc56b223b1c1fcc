import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, diditPayload } from '@compliance/testing';
import { ONFIDO_CHECK_ACTIONS, ONFIDO_CHECK_RESULTS, ONFIDO_WORKFLOW_RUN_STATUSES } from './onfido.adapter';
import { PERSONA_STATUSES } from './persona.adapter';
import { adaptWebhook, planWebhook, providerOf } from './provider-adapter';
import { SUMSUB_IDENTITY_DOCUMENTS, SUMSUB_REVIEW_ANSWERS, SUMSUB_STATUSES } from './sumsub.adapter';
import { VERIFF_STATUSES } from './veriff.adapter';
import { MalformedPayloadError, type VerificationReport } from './verification-report';

type Payload = Record<string, any>;

const fixture = (path: string): Payload => JSON.parse(readFileSync(join(FIXTURES_DIR, 'providers', `${path}.json`), 'utf8'));

const report = (provider: string, payload: Payload, fetched?: Payload): VerificationReport => {
  const adapted = adaptWebhook(provider, payload, undefined, provider, fetched);
  if (adapted.kind !== 'report') throw new Error(`expected a report, got ${adapted.kind} (${adapted.webhookType})`);
  return adapted.report;
};
const reasonOf = (provider: string, payload: Payload, fetched?: Payload): string => {
  try {
    adaptWebhook(provider, payload, undefined, provider, fetched);
  } catch (err) {
    if (err instanceof MalformedPayloadError) return err.reason;
    throw err;
  }
  return 'no error';
};
const onfidoApi = (): Payload => ({ check: fixture('onfido/api/check'), applicant: fixture('onfido/api/applicant') });
/** What SumsubClient answers for the reviewed fixtures' applicant, changed by `change`. */
const sumsubApi = (change: (applicant: Payload) => void = () => undefined): Payload => {
  const applicant = fixture('sumsub/applicant');
  change(applicant);
  return { applicant };
};

describe('adapter choice by signature scheme and route', () => {
  it('reads a route named acme verified with the veriff scheme with the Veriff adapter', () => {
    const adapted = adaptWebhook('acme', fixture('veriff/decision-approved'), undefined, 'veriff');
    expect(adapted).toMatchObject({ kind: 'report', report: { provider: 'veriff', sessionId: '12df6045-3846-3e45-946a-14fa6136d78b' } });
  });

  it('falls back to the route for the generic Standard Webhooks scheme, and keeps Didit as it was', () => {
    expect(providerOf('acme', 'veriff')).toBe('veriff');
    expect(providerOf('persona', 'standard')).toBe('persona');
    expect(providerOf('didit')).toBe('didit');
    expect(adaptWebhook('acme', fixture('veriff/decision-approved'), undefined, 'standard')).toMatchObject({ kind: 'ignored', source: 'acme', reason: 'no_adapter' });
    expect(adaptWebhook('didit', diditPayload('v3-approved'), undefined, 'didit')).toEqual(adaptWebhook('didit', diditPayload('v3-approved')));
    expect(adaptWebhook('didit', diditPayload('v3-approved'), undefined, 'standard')).toMatchObject({ kind: 'report', report: { provider: 'didit' } });
  });

  it('keeps the route as the source of an acknowledged webhook (the metric label)', () => {
    expect(adaptWebhook('kyc-eu', fixture('persona/account-created'), undefined, 'persona')).toEqual({ kind: 'ignored', source: 'kyc-eu', webhookType: 'account.created', reason: 'non_session' });
  });
});

describe('Sumsub adapter', () => {
  it('reads applicantReviewed GREEN into an approved report without identity when the API is not asked (the payload has none)', () => {
    expect(report('sumsub', fixture('sumsub/applicant-reviewed-green'))).toEqual<VerificationReport>({
      provider: 'sumsub',
      payloadVersion: 'sumsub-v1',
      kind: 'status',
      webhookType: 'applicantReviewed',
      sessionId: '65a1f0c2e4b0a12b3c4d5e6f',
      subjectRef: 'customer-2001',
      workflowId: 'basic-kyc-level',
      status: 'approved',
      providerStatus: 'GREEN',
      occurredAt: new Date('2026-01-01T09:15:30.412Z'),
      decision: { summary: {} },
    });
  });

  it('reads the person from the fetched applicant: info (what the documents say), the passport for the document', () => {
    expect(report('sumsub', fixture('sumsub/applicant-reviewed-green'), sumsubApi())).toMatchObject({
      status: 'approved',
      subjectRef: 'customer-2001',
      decision: {
        summary: { documentType: 'PASSPORT', issuingCountry: 'SWE' },
        identity: {
          firstName: 'Mattias',
          lastName: 'Lindqvist',
          fullName: 'Mattias Erik Lindqvist',
          dateOfBirth: '1991-07-14',
          nationality: 'SWE',
          documentType: 'PASSPORT',
          documentNumber: 'AB1234567',
          issuingState: 'SWE',
        },
      },
    });
    // Contacts, addresses and the declared (fixedInfo) first name are not taken.
    const identity = report('sumsub', fixture('sumsub/applicant-reviewed-green'), sumsubApi()).decision?.identity;
    expect(Object.keys(identity ?? {}).sort()).toEqual(['dateOfBirth', 'documentNumber', 'documentType', 'firstName', 'fullName', 'issuingState', 'lastName', 'nationality']);
    expect(JSON.stringify(identity)).not.toMatch(/Matt"|example\.com|Svartbäcksgatan/);
  });

  it('reads the applicant for RED reviews too (declined with the person), and never for the other webhooks', () => {
    expect(report('sumsub', fixture('sumsub/applicant-reviewed-red-final'), sumsubApi())).toMatchObject({ status: 'declined', decision: { identity: { fullName: 'Mattias Erik Lindqvist' } } });
    const reviewed = planWebhook('sumsub', fixture('sumsub/applicant-reviewed-red-retry'), undefined, 'sumsub');
    expect(reviewed).toMatchObject({ kind: 'read', lookup: { provider: 'sumsub', resource: 'applicant', id: '65a1f0c2e4b0a12b3c4d5e6f' } });
    for (const name of ['applicant-pending', 'applicant-created']) {
      expect(planWebhook('sumsub', fixture(`sumsub/${name}`), undefined, 'sumsub')).toMatchObject({ kind: 'read', lookup: undefined });
      expect(report('sumsub', fixture(`sumsub/${name}`), sumsubApi()).decision).toBeUndefined();
    }
    // Company applicants (KYB) and applicant actions are acknowledged before anything is fetched.
    expect(planWebhook('sumsub', { ...fixture('sumsub/applicant-reviewed-green'), applicantType: 'company' }, undefined, 'sumsub')).toMatchObject({ kind: 'ignored' });
  });

  it('fills what info lacks: the name (whole) from the identity document, then from fixedInfo; the birth date and nationality likewise', () => {
    const identityWith = (change: (a: Payload) => void) => report('sumsub', fixture('sumsub/applicant-reviewed-green'), sumsubApi(change)).decision?.identity;
    // No name in info: the passport's (first, middle, last), never a mix with fixedInfo.
    expect(
      identityWith((a) => {
        delete a.info.firstName;
        delete a.info.middleName;
        delete a.info.lastName;
      }),
    ).toMatchObject({ firstName: 'Mattias', lastName: 'Lindqvist', fullName: 'Mattias Erik Lindqvist' });
    // Nothing recognised from documents: what was declared.
    expect(
      identityWith((a) => {
        a.info = { country: 'SWE' };
      }),
    ).toEqual({ firstName: 'Matt', lastName: 'Lindqvist', fullName: 'Matt Lindqvist', dateOfBirth: '1991-07-14', nationality: 'SWE' });
    expect(
      identityWith((a) => {
        delete a.info.dob;
        delete a.info.nationality;
        a.fixedInfo.nationality = 'NOR';
      }),
    ).toMatchObject({ dateOfBirth: '1991-07-14', nationality: 'NOR', fullName: 'Mattias Erik Lindqvist' });
  });

  it('chooses the identity document by type (passport, ID card, driving licence, residence permit), never a selfie or proof of address', () => {
    expect(SUMSUB_IDENTITY_DOCUMENTS[0]).toBe('PASSPORT');
    const documentOf = (change: (a: Payload) => void) => report('sumsub', fixture('sumsub/applicant-reviewed-green'), sumsubApi(change)).decision;
    expect(documentOf((a) => a.info.idDocs.pop())).toMatchObject({ summary: { documentType: 'DRIVERS' }, identity: { documentType: 'DRIVERS', documentNumber: '910714-1234' } });
    const none = documentOf((a) => {
      a.info.idDocs = [{ idDocType: 'SELFIE', country: 'SWE' }, { idDocType: 'UTILITY_BILL', country: 'SWE', number: 'INV-1' }];
    });
    expect(none?.summary).toEqual({});
    expect(none?.identity).toMatchObject({ fullName: 'Mattias Erik Lindqvist' });
    expect(none?.identity?.documentNumber).toBeUndefined();
  });

  it('takes the subject reference from the applicant when the webhook has none, and has no identity when the applicant has no data', () => {
    expect(report('sumsub', { ...fixture('sumsub/applicant-reviewed-green'), externalUserId: undefined }, sumsubApi())).toMatchObject({ subjectRef: 'customer-2001' });
    const bare = report('sumsub', fixture('sumsub/applicant-reviewed-green'), { applicant: { id: '65a1f0c2e4b0a12b3c4d5e6f' } });
    expect(bare.decision).toEqual({ summary: {} });
  });

  it.each([
    ['an applicant of another id', (a: Payload) => (a.id = '65a1f0c2e4b0a12b3c4d0000'), 'api.applicant.id differs from payload.applicantId'],
    ['an applicant without id', (a: Payload) => delete a.id, 'api.applicant.id is missing'],
    ['a birth date that is not a date', (a: Payload) => (a.info.dob = '14.07.1991'), 'api.applicant.info.dob is not a date'],
    ['idDocs that are not a list', (a: Payload) => (a.info.idDocs = { idDocType: 'PASSPORT' }), 'api.applicant.info.idDocs is not an array'],
    ['a document number that is not a string', (a: Payload) => (a.info.idDocs[2].number = 1234567), 'api.applicant.info.idDocs[2].number is not a string'],
    ['fixedInfo that is not an object', (a: Payload) => (a.fixedInfo = 'Matt'), 'api.applicant.fixedInfo is not an object'],
  ])('rejects %s as malformed, naming the field', (_case, change, reason) => {
    expect(reasonOf('sumsub', fixture('sumsub/applicant-reviewed-green'), sumsubApi(change))).toBe(reason);
  });

  it.each([
    ['applicant-reviewed-red-final', 'declined', 'RED/FINAL'],
    ['applicant-reviewed-red-retry', 'resubmitted', 'RED/RETRY'],
    ['applicant-pending', 'in_review', 'pending'],
    ['applicant-created', 'not_started', 'init'],
  ])('reads %s as %s', (name, status, providerStatus) => {
    expect(report('sumsub', fixture(`sumsub/${name}`))).toMatchObject({ status, providerStatus });
  });

  it('maps every row of the status tables', () => {
    const base = fixture('sumsub/applicant-pending');
    for (const [type, status] of Object.entries(SUMSUB_STATUSES)) expect(report('sumsub', { ...base, type }).status).toBe(status);
    const reviewed = fixture('sumsub/applicant-reviewed-red-final');
    for (const [answer, status] of Object.entries(SUMSUB_REVIEW_ANSWERS)) {
      const [reviewAnswer, reviewRejectType] = answer.split('/');
      expect(report('sumsub', { ...reviewed, reviewResult: { reviewAnswer, reviewRejectType } }).status).toBe(status);
    }
    expect(report('sumsub', { ...base, type: 'applicantOnHold', reviewStatus: 'onHold' })).toMatchObject({ status: 'in_review', providerStatus: 'onHold' });
  });

  it('reads createdAt (to the second, +0000) when createdAtMs is absent, and createdAtMs as epoch milliseconds', () => {
    const base = fixture('sumsub/applicant-pending');
    expect(report('sumsub', { ...base, createdAtMs: undefined, createdAt: '2026-01-01 09:10:02+0000' }).occurredAt).toEqual(new Date('2026-01-01T09:10:02Z'));
    expect(report('sumsub', { ...base, createdAtMs: 1767258602118 }).occurredAt).toEqual(new Date(1767258602118));
  });

  it('acknowledges applicant actions and other applicant webhooks, and company applicants (KYB)', () => {
    expect(adaptWebhook('sumsub', fixture('sumsub/applicant-action-pending'), undefined, 'sumsub')).toEqual({ kind: 'ignored', source: 'sumsub', webhookType: 'applicantActionPending', reason: 'non_session' });
    for (const type of ['applicantPersonalInfoChanged', 'applicantTagsChanged', 'applicantDeleted', 'applicantLevelChanged']) {
      expect(adaptWebhook('sumsub', { ...fixture('sumsub/applicant-pending'), type }, undefined, 'sumsub')).toMatchObject({ kind: 'ignored', webhookType: type });
    }
    expect(adaptWebhook('sumsub', { ...fixture('sumsub/applicant-reviewed-green'), applicantType: 'company' }, undefined, 'sumsub')).toMatchObject({
      kind: 'ignored',
      webhookType: 'applicantReviewed(company)',
      reason: 'non_session',
    });
  });

  it.each([
    ['no applicant id', { applicantId: undefined }, 'payload.applicantId is missing'],
    ['no type', { type: undefined }, 'payload.type is missing'],
    ['an unknown review answer', { reviewResult: { reviewAnswer: 'YELLOW' } }, 'payload.reviewResult "YELLOW" is not a known status'],
    ['RED without reject type', { reviewResult: { reviewAnswer: 'RED' } }, 'payload.reviewResult.reviewRejectType is missing'],
    ['no review result', { reviewResult: undefined }, 'payload.reviewResult is missing'],
    ['an unreadable time', { createdAtMs: 'yesterday' }, 'payload.createdAtMs is not a Sumsub time'],
    ['no time', { createdAtMs: undefined }, 'payload has no event time (createdAtMs or createdAt)'],
    ['externalUserId not a string', { externalUserId: 42 }, 'payload.externalUserId is not a string'],
  ])('rejects %s as malformed, naming the field', (_case, change, reason) => {
    expect(reasonOf('sumsub', { ...fixture('sumsub/applicant-reviewed-green'), ...change })).toBe(reason);
  });
});

describe('Veriff adapter', () => {
  it('reads an approved decision with the person and document', () => {
    expect(report('veriff', fixture('veriff/decision-approved'))).toEqual<VerificationReport>({
      provider: 'veriff',
      payloadVersion: 'veriff-v1',
      kind: 'status',
      webhookType: 'decision',
      sessionId: '12df6045-3846-3e45-946a-14fa6136d78b',
      subjectRef: 'customer-4001',
      status: 'approved',
      providerStatus: 'approved',
      occurredAt: new Date('2026-01-01T12:18:36.916Z'),
      decision: {
        summary: { documentType: 'PASSPORT', issuingCountry: 'GB' },
        identity: {
          firstName: 'Sarah',
          lastName: 'Morgan',
          fullName: 'Sarah Morgan',
          dateOfBirth: '1967-03-30',
          nationality: 'GB',
          documentType: 'PASSPORT',
          documentNumber: 'MORGA753116SM9IJ',
          issuingState: 'GB',
          address: '1234 Snowy Ridge Road, Indiana, 56789 USA',
        },
      },
    });
  });

  it('reads a declined decision, and a resubmission whose person and document are empty as no decision data', () => {
    expect(report('veriff', fixture('veriff/decision-declined'))).toMatchObject({ status: 'declined', subjectRef: 'customer-4002', decision: { identity: { fullName: 'Daniel Okafor' } } });
    const resubmission = report('veriff', fixture('veriff/decision-resubmission-requested'));
    expect(resubmission).toMatchObject({ status: 'resubmitted', providerStatus: 'resubmission_requested' });
    expect(resubmission.decision).toBeUndefined();
  });

  it('maps every row of the status table, and falls back to acceptanceTime without decisionTime', () => {
    const base = fixture('veriff/decision-declined');
    for (const [status, canonical] of Object.entries(VERIFF_STATUSES)) {
      expect(report('veriff', { ...base, verification: { ...base.verification, status } }).status).toBe(canonical);
    }
    expect(report('veriff', { ...base, verification: { ...base.verification, decisionTime: null } }).occurredAt).toEqual(new Date('2026-01-01T12:31:00.000Z'));
  });

  it('acknowledges event and watchlist webhooks', () => {
    expect(adaptWebhook('veriff', fixture('veriff/event-submitted'), undefined, 'veriff')).toEqual({ kind: 'ignored', source: 'veriff', webhookType: 'event.submitted', reason: 'non_session' });
    expect(adaptWebhook('veriff', { checkType: 'updated_result', attemptId: 'x', vendorData: 'c' }, undefined, 'veriff')).toMatchObject({ webhookType: 'watchlist.updated_result' });
  });

  it.each([
    ['no verification', (p: Payload) => ({ status: p.status }), 'payload.verification is missing'],
    ['an unknown status', (p: Payload) => ({ ...p, verification: { ...p.verification, status: 'approve' } }), 'payload.verification.status "approve" is not a known status'],
    ['no session id', (p: Payload) => ({ ...p, verification: { ...p.verification, id: undefined } }), 'payload.verification.id is missing'],
    ['a time without zone', (p: Payload) => ({ ...p, verification: { ...p.verification, decisionTime: '2026-01-01 12:18' } }), 'payload.verification.decisionTime is not an ISO 8601 time with zone'],
    ['no time at all', (p: Payload) => ({ ...p, verification: { ...p.verification, decisionTime: null, acceptanceTime: null } }), 'payload.verification has no event time (decisionTime or acceptanceTime)'],
    ['a first name that is not a string', (p: Payload) => ({ ...p, verification: { ...p.verification, person: { firstName: 7 } } }), 'payload.verification.person.firstName is not a string'],
    ['a birth date that is not a date', (p: Payload) => ({ ...p, verification: { ...p.verification, person: { dateOfBirth: '30/03/1967' } } }), 'payload.verification.person.dateOfBirth is not a date'],
  ])('rejects %s as malformed, naming the field', (_case, change, reason) => {
    expect(reasonOf('veriff', change(fixture('veriff/decision-approved')))).toBe(reason);
  });
});

describe('Persona adapter', () => {
  it('reads inquiry.approved with the name, birth date, identification number and address', () => {
    expect(report('persona', fixture('persona/inquiry-approved'))).toEqual<VerificationReport>({
      provider: 'persona',
      payloadVersion: 'persona-v1',
      kind: 'status',
      webhookType: 'inquiry.approved',
      sessionId: 'inq_ND6EzfKqUA6uqeVjPV2HbwEW',
      subjectRef: 'customer-5001',
      workflowId: 'itmpl_Tq4nk4SZkyKqbGrrqUNMM3A6',
      status: 'approved',
      providerStatus: 'approved',
      occurredAt: new Date('2026-01-01T13:30:05.000Z'),
      decision: {
        summary: { documentType: 'dl', issuingCountry: 'US' },
        identity: {
          firstName: 'Jane',
          lastName: 'Doe',
          fullName: 'Jane Marie Doe',
          dateOfBirth: '1994-04-12',
          documentType: 'dl',
          documentNumber: 'I1234562',
          issuingState: 'US',
          address: '123 Main St, Apt 4, San Francisco, California, 94111, US',
        },
      },
    });
  });

  it('reads the values from `fields` when the inquiry has no top-level attributes (newer API versions)', () => {
    expect(report('persona', fixture('persona/inquiry-declined'))).toMatchObject({
      status: 'declined',
      subjectRef: 'customer-5002',
      decision: { identity: { fullName: 'Alex Rivera', dateOfBirth: '1985-09-03', documentNumber: 'X9876543', issuingState: 'MX' } },
    });
  });

  it('maps every inquiry event of the status table; completed awaits a decision, failed is declined', () => {
    const base = fixture('persona/inquiry-declined');
    for (const [name, status] of Object.entries(PERSONA_STATUSES)) {
      expect(report('persona', { data: { ...base.data, attributes: { ...base.data.attributes, name } } }).status).toBe(status);
    }
    expect(PERSONA_STATUSES['inquiry.completed']).toBe('in_review');
    expect(PERSONA_STATUSES['inquiry.failed']).toBe('declined');
  });

  it('acknowledges account, verification and status-less inquiry events', () => {
    expect(adaptWebhook('persona', fixture('persona/account-created'), undefined, 'persona')).toMatchObject({ kind: 'ignored', webhookType: 'account.created', reason: 'non_session' });
    for (const name of ['inquiry.transitioned', 'inquiry.redacted', 'verification.passed', 'report/watchlist.matched']) {
      const payload = fixture('persona/inquiry-approved');
      payload.data.attributes.name = name;
      expect(adaptWebhook('persona', payload, undefined, 'persona')).toMatchObject({ kind: 'ignored', webhookType: name });
    }
  });

  const inquiry = (p: Payload) => p.data.attributes.payload.data;
  it.each([
    ['no event time', (p: Payload) => delete p.data.attributes['created-at'], 'payload.data.attributes.created-at is missing'],
    ['an inquiry event about another object', (p: Payload) => (inquiry(p).type = 'account'), 'payload.data.attributes.payload.data.type is not inquiry'],
    ['no inquiry id', (p: Payload) => delete inquiry(p).id, 'payload.data.attributes.payload.data.id is missing'],
    ['a field that is not an object', (p: Payload) => (inquiry(p).attributes.fields['identification-class'] = 'dl'), 'payload.data.attributes.payload.data.attributes.fields.identification-class is not an object'],
    ['a birth date that is not a date', (p: Payload) => (inquiry(p).attributes.birthdate = 'April 12'), 'payload.data.attributes.payload.data.attributes.birthdate is not a date'],
    ['a reference id that is not a string', (p: Payload) => (inquiry(p).attributes['reference-id'] = 1), 'payload.data.attributes.payload.data.attributes.reference-id is not a string'],
  ])('rejects %s as malformed, naming the field', (_case, change, reason) => {
    const payload = fixture('persona/inquiry-approved');
    change(payload);
    expect(reasonOf('persona', payload)).toBe(reason);
  });
});

describe('Onfido adapter', () => {
  it('asks for the check (then its applicant) before reading, and nothing for other webhooks', () => {
    expect(planWebhook('onfido', fixture('onfido/check-completed'), undefined, 'onfido')).toMatchObject({
      kind: 'read',
      lookup: { provider: 'onfido', resource: 'check', id: 'b9a8c7d6-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
    });
    expect(planWebhook('onfido', fixture('onfido/workflow-run-completed'), undefined, 'onfido')).toMatchObject({ lookup: { resource: 'workflow_run' } });
    expect(planWebhook('onfido', fixture('onfido/report-completed'), undefined, 'onfido')).toEqual({ kind: 'ignored', source: 'onfido', webhookType: 'report.completed', reason: 'non_session' });
  });

  it('reads check.completed with a clear check and the applicant from the API into an approved report with identity', () => {
    expect(report('onfido', fixture('onfido/check-completed'), onfidoApi())).toEqual<VerificationReport>({
      provider: 'onfido',
      payloadVersion: 'onfido-v3.6',
      kind: 'status',
      webhookType: 'check.completed',
      sessionId: 'b9a8c7d6-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      subjectRef: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
      workflowId: undefined,
      status: 'approved',
      providerStatus: 'clear',
      occurredAt: new Date('2026-01-01T10:20:30Z'),
      decision: {
        summary: { documentType: 'passport' },
        identity: {
          firstName: 'Camille',
          lastName: 'Durand',
          fullName: 'Camille Durand',
          dateOfBirth: '1988-11-23',
          documentType: 'passport',
          documentNumber: '18FR12345',
          address: '12 Rue de Rivoli, Paris, 75001, FRA',
        },
      },
    });
  });

  it('reads check.completed without the API (no token) as in_review with status only', () => {
    const r = report('onfido', fixture('onfido/check-completed'));
    expect(r).toMatchObject({ status: 'in_review', providerStatus: 'complete', subjectRef: undefined });
    expect(r.decision).toBeUndefined();
  });

  it('reads a workflow run: its status, its customer_user_id as subject, its workflow', () => {
    const fetched = { workflow_run: fixture('onfido/api/workflow-run'), applicant: fixture('onfido/api/applicant') };
    expect(report('onfido', fixture('onfido/workflow-run-completed'), fetched)).toMatchObject({
      sessionId: '2f152409-d6c4-4711-8750-48517f99a8d6',
      subjectRef: 'customer-3001',
      workflowId: '5b7c1a2e-9d3f-4e8a-b6c0-1f2e3d4c5b6a',
      status: 'approved',
      occurredAt: new Date('2026-01-01T11:05:00Z'),
      decision: { identity: { fullName: 'Camille Durand' } },
    });
    // Without the API, the webhook's resource block still names the applicant and workflow.
    expect(report('onfido', fixture('onfido/workflow-run-completed'))).toMatchObject({ subjectRef: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', workflowId: '5b7c1a2e-9d3f-4e8a-b6c0-1f2e3d4c5b6a' });
  });

  it('maps every row of the check and workflow-run tables', () => {
    const check = fixture('onfido/check-started');
    for (const [action, status] of Object.entries(ONFIDO_CHECK_ACTIONS)) {
      expect(report('onfido', { payload: { ...check.payload, action } }).status).toBe(status);
    }
    for (const [result, status] of Object.entries(ONFIDO_CHECK_RESULTS)) {
      expect(report('onfido', fixture('onfido/check-completed'), { ...onfidoApi(), check: { ...fixture('onfido/api/check'), result } }).status).toBe(status);
    }
    const run = fixture('onfido/workflow-run-completed');
    for (const [value, status] of Object.entries(ONFIDO_WORKFLOW_RUN_STATUSES)) {
      expect(report('onfido', { payload: { ...run.payload, object: { ...run.payload.object, status: value } } }).status).toBe(status);
    }
    expect(ONFIDO_CHECK_RESULTS.consider).toBe('in_review');
  });

  it('reads check.started at its start time', () => {
    expect(report('onfido', fixture('onfido/check-started'))).toMatchObject({ status: 'in_progress', occurredAt: new Date('2026-01-01T10:18:02Z') });
  });

  it.each([
    ['no object', (p: Payload) => ({ payload: { ...p.payload, object: undefined } }), undefined, 'payload.payload.object is missing'],
    ['no object id', (p: Payload) => ({ payload: { ...p.payload, object: { ...p.payload.object, id: undefined } } }), undefined, 'payload.payload.object.id is missing'],
    ['no event time', (p: Payload) => ({ payload: { ...p.payload, object: { id: p.payload.object.id } } }), undefined, 'payload.payload.object has no event time (completed_at_iso8601 or started_at_iso8601)'],
    ['a check result Onfido does not have', (p: Payload) => p, { check: { ...fixture('onfido/api/check'), result: 'unidentified' } }, 'api.check.result "unidentified" is not a known status'],
    ['a fetched check of another id', (p: Payload) => p, { check: { ...fixture('onfido/api/check'), id: 'other' } }, 'api.check.id differs from payload.payload.object.id'],
    ['an applicant birth date that is not a date', (p: Payload) => p, { ...onfidoApi(), applicant: { ...fixture('onfido/api/applicant'), dob: '23/11/1988' } }, 'api.applicant.dob is not a date'],
  ])('rejects %s as malformed, naming the field', (_case, change, fetched, reason) => {
    expect(reasonOf('onfido', change(fixture('onfido/check-completed')), fetched)).toBe(reason);
  });
});
