import { approvedEvent, UNLISTED_PERSON } from '../../test/aml-test-harness';
import { approvalDedupeKey, planApproval, UNSCREENABLE_REASON } from './approval-plan';

describe('planApproval: what one approved verification asks to be screened', () => {
  it('screens an approval for the approval trigger, with trimmed attributes and empty ones left out', () => {
    const event = approvedEvent({ subjectRef: 'cust-1', identity: { fullName: '  Maria Oliveira ', dateOfBirth: ' ', nationality: 'BR ', documentNumber: '' } });
    const plan = planApproval(event);
    expect(plan.screen).toEqual({
      request: { subjectRef: 'cust-1', sessionId: event.data.sessionId, trigger: 'approval', traceparent: event.traceparent, identity: { fullName: 'Maria Oliveira', nationality: 'BR' } },
      verifiedAt: event.data.occurredAt,
    });
    expect(plan.providerSummary).toBeUndefined();
    expect(plan.unscreenable).toBeUndefined();
  });

  it('screens an identity change for the identity_update trigger and keys a subject-less verification by its session', () => {
    const event = approvedEvent({ change: 'data_updated', identity: UNLISTED_PERSON });
    const plan = planApproval({ ...event, data: { ...event.data, subjectRef: undefined } });
    expect(plan.screen?.request).toMatchObject({ trigger: 'identity_update', subjectRef: event.data.sessionId });
  });

  it('records the provider’s summary first, beside our screening', () => {
    const summary = { status: 'In Review', totalHits: 2, score: 70 };
    const plan = planApproval(approvedEvent({ identity: UNLISTED_PERSON, providerAml: summary }));
    expect(plan.providerSummary).toMatchObject({ kind: 'provider_summary', request: { summary } });
    expect(plan.screen).toBeDefined();
  });

  it('reports an approval without a name as unscreenable, once per session and trigger', () => {
    const event = approvedEvent({ identity: { fullName: '   ' } });
    expect(planApproval(event).unscreenable).toEqual({
      kind: 'unscreenable',
      request: { subjectRef: event.data.subjectRef, sessionId: event.data.sessionId, trigger: 'approval', traceparent: event.traceparent, dedupeKey: `unscreenable:${event.data.sessionId}:approval` },
      reason: UNSCREENABLE_REASON,
    });
  });

  it('asks nothing for a data update without identity (nothing screenable changed, or it follows an erasure)', () => {
    expect(planApproval(approvedEvent({ change: 'data_updated', identity: undefined }))).toEqual({});
  });

  it('keys a screening by session, list version set and identity digest', () => {
    expect(approvalDedupeKey('s-1', 'lists-abc', 'd1')).toBe('session:s-1:lists-abc:d1');
    expect(approvalDedupeKey('s-1', 'lists-abc', 'd2')).not.toBe(approvalDedupeKey('s-1', 'lists-abc', 'd1'));
  });
});
