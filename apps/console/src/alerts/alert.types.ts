/** What aml-trigger answers (GET /alerts, GET /alerts/:id, GET /screenings/:id); the console reads, never stores. */

export const QUEUE_STATUSES = ['open', 'false_positive_proposed', 'closed', 'all'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
export const QUEUE_KINDS = ['aml_match', 'aml_review', 'aml_screening_failed'] as const;
export const PAGE_SIZE = 50;

export interface AlertSummary {
  id: string;
  kind: string;
  severity: string;
  status: string;
  subjectRef: string;
  sessionId?: string | null;
  screeningId?: string | null;
  summary?: string;
  raisedAt: string;
  reviewedBy?: string | null;
  reviewedAt?: string | null;
}

export interface AlertQueuePage {
  items: AlertSummary[];
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

export interface AlertView extends AlertSummary {
  hitKeys: string[];
  details: Record<string, unknown>;
  review?: { by: string; at: string; note?: string; secondReviewer?: string };
  proposal?: { decision: 'false_positive'; by: string; at: string; note: string };
}

export interface ScreeningView {
  id: string;
  subjectRef: string;
  sessionId?: string;
  provider: string;
  trigger: string;
  status: string;
  outcome?: string;
  score?: number;
  hits: unknown[];
  listVersions: unknown[];
  requestedAt: string;
  completedAt?: string;
  input: Record<string, string | undefined> | null;
  inputVisibility: 'masked' | 'full';
  erasedAt?: string;
  alertIds: string[];
}

/** A loaded list entry (aml-trigger GET /lists/:list/entries/:entityId): public list data. */
export interface ListEntryView {
  list: string;
  entityId: string;
  primaryName: string;
  aliases: string[];
  names: string[];
  schema: string;
  birthDates: string[];
  countries: string[];
  identifiers: string[];
  datasets: string[];
  listVersion?: { contentHash: string; loadedAt: string; entryCount: number };
}

/** What the live feed sends a browser about a raised alert: ids, kind, severity and times only. */
export interface LiveAlert {
  alertId: string;
  kind: string;
  severity: string;
  subjectRef?: string;
  sessionId?: string;
  raisedAt: string;
}

export interface LiveStatus {
  alertId: string;
  status: string;
}
