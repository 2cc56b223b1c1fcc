import { DIDIT_NON_SESSION_PREFIXES, diditWebhookType, isDiditBusinessSession } from './didit-envelope';
import { DiditV2Adapter } from './didit-v2.adapter';
import { DiditV3Adapter } from './didit-v3.adapter';
import type { Json } from './payload-fields';
import type { AdaptedWebhook, VerificationReport } from './verification-report';

/** Reads one provider's payloads of one version into the canonical VerificationReport. */
export interface ProviderAdapter {
  /** The gateway's `source` (the `:source` of `POST /webhooks/:source`). */
  readonly source: string;
  readonly version: string;
  accepts(payload: Json): boolean;
  /** Throws MalformedPayloadError when the payload is not a usable verification report. */
  read(payload: Json): VerificationReport;
}

/** More specific adapters first: the first that accepts a payload reads it. */
const ADAPTERS: ProviderAdapter[] = [new DiditV3Adapter(), new DiditV2Adapter()];

function nonSessionType(source: string, payload: Json): string | undefined {
  if (source !== 'didit') return undefined;
  const type = diditWebhookType(payload) ?? '';
  if (DIDIT_NON_SESSION_PREFIXES.some((prefix) => type.startsWith(prefix))) return type;
  if (type === 'status.updated' && isDiditBusinessSession(payload)) return 'status.updated(business)';
  return undefined;
}

/**
 * Turns a received webhook into a report, or says why it is only acknowledged: a webhook type
 * outside verification sessions, or a source no adapter reads.
 */
export function adaptWebhook(source: string, payload: Json, adapters = ADAPTERS): AdaptedWebhook {
  const ignoredType = nonSessionType(source, payload);
  if (ignoredType) return { kind: 'ignored', source, webhookType: ignoredType, reason: 'non_session' };
  const adapter = adapters.find((a) => a.source === source && a.accepts(payload));
  if (!adapter) {
    const type = diditWebhookType(payload) ?? 'unknown';
    return { kind: 'ignored', source, webhookType: type, reason: 'no_adapter' };
  }
  return { kind: 'report', report: adapter.read(payload) };
}
