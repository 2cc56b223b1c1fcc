/** What kyc-results and retention answer about a subject, and about an erasure request. */

export interface VerificationSummary {
  sessionId: string;
  provider: string;
  status: string;
  providerStatus: string | null;
  decidedAt: string | null;
  erasedAt: string | null;
  createdAt: string;
}

export interface SubjectVerifications {
  subjectRef: string;
  items: VerificationSummary[];
  nextCursor: string | null;
}

export interface SubjectRetention {
  subjectRef: string;
  legalHolds: Array<{ id: string; reason: string; until: string | null; placedAt: string | null }>;
  data: Array<{
    sessionId: string;
    category: string;
    clockStartedAt: string | null;
    retentionDays: number | null;
    dueAt: string | null;
    purge: { purgeId: string; emittedAt: string | null; completedAt: string | null; confirmedBy: string[] } | null;
  }>;
}

export interface ErasureReport {
  id: string;
  subjectRef: string;
  reason: string;
  status: string;
  legalHoldId: string | null;
  requestedBy: string;
  requestedAt: string | null;
  dispatchedAt: string | null;
  finishedAt: string | null;
  deadlineAt: string | null;
  overdueAlertId: string | null;
  sessionIds: string[];
  keysDestroyed: number | null;
  services: Array<{ service: string; expected: boolean; confirmed: boolean; completedAt: string | null; counts: Record<string, number> | null }>;
  waitingFor: string[];
  provider: { enabled: boolean; sessions: Array<{ sessionId: string; outcome: string; httpStatus?: number; attempts?: number; error?: string }> };
}

export interface ErasureReceipt {
  id: string;
  status: string;
  repeated: boolean;
  legalHoldId?: string;
}
