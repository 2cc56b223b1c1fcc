/** What audit-log and aml-trigger answer on the operations page. */

export interface VerifyReport {
  ok: boolean;
  entries: number;
  redacted: number;
  checkpoints: { total: number; verified: number; keys: string };
  anchors: { checked: boolean; total: number };
  head: { sequence: number; hash: string };
  broken?: { sequence: number; reason: string };
  durationMs: number;
}

export interface VerifyRun {
  report: VerifyReport;
  by: string;
  at: string;
}

export interface ListVersion {
  list: string;
  contentHash: string;
  loadedAt: string;
  entryCount: number;
}

export interface ListsView {
  provider: string;
  listSet?: string;
  loadedAt?: string;
  lists: ListVersion[];
  problems?: unknown[];
}

export interface IntakeView {
  received: Array<{ key: Record<string, string>; value: number }>;
  accepted: Array<{ key: Record<string, string>; value: number }>;
  duplicates: number;
  rejected: Array<{ key: Record<string, string>; value: number }>;
  spoolDepth: number | undefined;
}
