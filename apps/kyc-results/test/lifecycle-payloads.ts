import type { KycStatus } from '@compliance/contracts';
import { DIDIT_STATUSES } from '../src/providers/didit-status';
import { sessionReport, statusOnly } from './didit-reports';
import type { LifecycleStep } from './session-lifecycles';

const DIDIT_STRING = Object.fromEntries(Object.entries(DIDIT_STATUSES).map(([didit, status]) => [status, didit])) as Record<KycStatus, string>;

/**
 * The Didit webhook for a generated step: a status report without decision, a status report with
 * decision data (its variant changes the identity and a score), or a data.updated report.
 */
export function lifecyclePayload(step: LifecycleStep, session: { sessionId: string; subjectRef: string }): Record<string, any> {
  if (step.decisionVariant === undefined) return statusOnly(DIDIT_STRING[step.status as KycStatus], session, step.occurredAt);
  const payload = sessionReport('v3-approved', session, step.occurredAt);
  payload.decision.id_verifications[0].last_name = `Variant ${step.decisionVariant}`;
  payload.decision.liveness_checks[0].score = 80 + step.decisionVariant;
  if (step.kind === 'data') {
    payload.webhook_type = 'data.updated';
    delete payload.status;
    delete payload.decision.status;
  } else {
    payload.status = DIDIT_STRING[step.status as KycStatus];
    payload.decision.status = payload.status;
  }
  return payload;
}
