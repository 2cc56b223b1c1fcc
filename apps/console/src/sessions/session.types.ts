/** What kyc-results, aml-trigger and audit-log answer about a verification session. */

export interface HistoryEntry {
  status: string | null;
  providerStatus: string | null;
  previousStatus: string | null;
  outcome: string;
  stale: boolean;
  webhookType: string;
  occurredAt: string;
  receivedAt: string;
}

export interface Verification {
  sessionId: string;
  provider: string;
  subjectRef: string | null;
  status: string;
  providerStatus: string | null;
  terminal: boolean;
  statusAt: string;
  decidedAt: string | null;
  decision: Record<string, unknown> | null;
  erasedAt: string | null;
  identity?: (Record<string, unknown> & { visibility?: 'full' | 'masked' }) | null;
  history?: HistoryEntry[];
  createdAt: string;
}

export interface TimelineStep {
  sequence: number;
  type: string;
  source: string;
  occurredAt: string;
  redacted: boolean;
  data: Record<string, unknown> | null;
}

export interface Timeline {
  sessionId: string;
  subjectRef: string | null;
  steps: TimelineStep[];
}

export interface SubjectScreenings {
  subjectRef: string;
  monitored: boolean;
  screenings: Array<{ id: string; provider: string; trigger: string; status: string; outcome?: string; score?: number; requestedAt: string; completedAt?: string; alertIds: string[]; sessionId?: string }>;
}
