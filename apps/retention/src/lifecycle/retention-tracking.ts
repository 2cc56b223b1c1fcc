import { DATA_CATEGORIES, type DataCategory, type KycStatus } from '@compliance/contracts';

/** Statuses after which the session's data is no longer in use: its retention clock starts. */
export const TERMINAL_STATUSES: ReadonlySet<KycStatus> = new Set<KycStatus>(['approved', 'declined', 'expired', 'abandoned', 'kyc_expired']);

/** Categories whose clock is the session's terminal decision time (screening data has its own). */
const DECISION_CLOCKED: readonly DataCategory[] = ['verification_data', 'raw_webhooks', 'audit_detail'];

/** Data not tied to a session (an ad hoc screening) is followed per subject. */
export const subjectUnit = (subjectRef: string): string => `subject:${subjectRef}`;

export interface TrackedSession {
  sessionId: string;
  subjectRef: string | null;
  status: KycStatus;
  statusAt: Date;
  decidedAt: Date | null;
}

/** One piece of data whose clock is followed; `unit` is its session id, or subjectUnit() for data of no session. */
export interface RetentionClock {
  unit: string;
  category: DataCategory;
  subjectRef: string | null;
  /** Always the unit when set: a row's session is never anything but the unit it is kept under. */
  sessionId: string | null;
  clockStartedAt: Date | null;
}

/** A verification status change (kyc.verification.<status>) at its event time. */
export interface VerificationFact {
  kind: 'verification';
  sessionId: string;
  subjectRef?: string;
  status: KycStatus;
  at: Date;
}

/** A screening requested (`at` null: its data is still in use), completed or failed at `at`. */
export interface ScreeningFact {
  kind: 'screening';
  subjectRef: string;
  sessionId?: string;
  at: Date | null;
}

export type LifecycleFact = VerificationFact | ScreeningFact;

/** What applying facts reads: sessions, units (all their clocks), subjects (all their screening clocks). */
export interface TrackingScope {
  sessions: string[];
  units: string[];
  subjects: string[];
}

const clockKey = (unit: string, category: DataCategory) => `${category}/${unit}`;
const sameTime = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());
/** GREATEST of Postgres: the later of two times, ignoring a missing one. */
const latest = (a: Date | null, b: Date | null): Date | null => (a === null ? b : b === null ? a : b > a ? b : a);

// timestamptz starts in 4713 BC; it ends after the last time JavaScript has.
const EARLIEST = Date.UTC(-4712, 0, 1);

/**
 * A value Postgres would refuse fails its event, as the per-event statements failed on it, even
 * when a later event of the batch would have overwritten it before anything is written: the event
 * is then retried and dead-lettered alone instead of vanishing. Names no value (they may be personal).
 */
function refuseUnstorable(fact: LifecycleFact): void {
  if (fact.sessionId?.includes('\u0000') || fact.subjectRef?.includes('\u0000')) throw new Error(`${fact.kind} event with a NUL character in an id, which Postgres cannot store`);
  const t = fact.at?.getTime();
  if (t !== undefined && !(t >= EARLIEST)) throw new Error(`${fact.kind} event with a time Postgres cannot store`);
}

function supersedes(at: Date, terminal: boolean, prev: TrackedSession): boolean {
  const diff = at.getTime() - prev.statusAt.getTime();
  return diff > 0 || (diff === 0 && terminal && !TERMINAL_STATUSES.has(prev.status));
}

/**
 * The tracked sessions and retention clocks a set of events touches, and the rules that move them:
 * events apply by event time (an older event arriving late changes nothing but may name the
 * subject), a data update on the same terminal status keeps the decision time, a screening clock
 * only moves forward, and a subject's own screening clock waits for the newest of its screenings.
 * Facts apply one after the other in the order given; rows are read once and written once.
 */
export class RetentionTracking {
  private readonly sessions = new Map<string, TrackedSession>();
  private readonly clocks = new Map<string, RetentionClock>();
  private readonly changedSessions = new Set<string>();
  private readonly changedClocks = new Set<string>();
  private readonly known: { [K in keyof TrackingScope]: Set<string> } = { sessions: new Set(), units: new Set(), subjects: new Set() };

  /** What the facts read that has not been loaded yet. */
  missing(facts: readonly LifecycleFact[]): TrackingScope {
    const scope = { sessions: new Set<string>(), units: new Set<string>(), subjects: new Set<string>() };
    for (const f of facts) {
      if (f.kind === 'verification') {
        scope.sessions.add(f.sessionId);
        scope.units.add(f.sessionId);
        continue;
      }
      if (f.sessionId) scope.sessions.add(f.sessionId);
      scope.units.add(f.sessionId ?? subjectUnit(f.subjectRef));
      scope.units.add(subjectUnit(f.subjectRef));
      scope.subjects.add(f.subjectRef);
    }
    const unknown = (kind: keyof TrackingScope) => [...scope[kind]].filter((k) => !this.known[kind].has(k)).sort();
    return { sessions: unknown('sessions'), units: unknown('units'), subjects: unknown('subjects') };
  }

  /** Rows read for a scope; a row already held stays as it is (it is the newer one). */
  load(scope: TrackingScope, sessions: readonly TrackedSession[], clocks: readonly RetentionClock[]): void {
    for (const kind of ['sessions', 'units', 'subjects'] as const) for (const k of scope[kind]) this.known[kind].add(k);
    for (const s of sessions) if (!this.sessions.has(s.sessionId)) this.sessions.set(s.sessionId, s);
    for (const c of clocks) if (!this.clocks.has(clockKey(c.unit, c.category))) this.clocks.set(clockKey(c.unit, c.category), c);
  }

  apply(fact: LifecycleFact): void {
    refuseUnstorable(fact);
    if (fact.kind === 'verification') this.applyVerification(fact);
    else this.applyScreening(fact);
  }

  /** The rows changed since the last call, to be written. */
  takeChanges(): { sessions: TrackedSession[]; clocks: RetentionClock[] } {
    const sessions = [...this.changedSessions].sort().map((k) => this.sessions.get(k) as TrackedSession);
    const clocks = [...this.changedClocks]
      .map((k) => this.clocks.get(k) as RetentionClock)
      .sort((a, b) => (a.unit === b.unit ? a.category.localeCompare(b.category) : a.unit < b.unit ? -1 : 1));
    this.changedSessions.clear();
    this.changedClocks.clear();
    return { sessions, clocks };
  }

  private applyVerification(f: VerificationFact): void {
    const prev = this.sessions.get(f.sessionId);
    const terminal = TERMINAL_STATUSES.has(f.status);
    if (!prev || supersedes(f.at, terminal, prev)) {
      // A data update on the same terminal status keeps the original decision time.
      const decidedAt = !terminal ? null : prev?.status === f.status && prev.decidedAt ? prev.decidedAt : f.at;
      this.putSession({ sessionId: f.sessionId, subjectRef: f.subjectRef ?? prev?.subjectRef ?? null, status: f.status, statusAt: f.at, decidedAt });
      for (const category of DECISION_CLOCKED) {
        const clock = this.clocks.get(clockKey(f.sessionId, category));
        this.putClock(
          clock
            ? { ...clock, subjectRef: f.subjectRef ?? clock.subjectRef, clockStartedAt: decidedAt }
            : { unit: f.sessionId, category, subjectRef: f.subjectRef ?? null, sessionId: f.sessionId, clockStartedAt: decidedAt },
        );
      }
    }
    this.learnSubject(f.sessionId, f.subjectRef);
  }

  /** A screening's clock starts when it completes (or fails); a re-screen restarts it. */
  private applyScreening(f: ScreeningFact): void {
    const unit = f.sessionId ?? subjectUnit(f.subjectRef);
    const clock = this.clocks.get(clockKey(unit, 'screening_data'));
    this.putClock(
      clock
        ? { ...clock, subjectRef: f.subjectRef, clockStartedAt: latest(clock.clockStartedAt, f.at) }
        : { unit, category: 'screening_data', subjectRef: f.subjectRef, sessionId: f.sessionId ?? null, clockStartedAt: f.at },
    );
    // A purge by subject removes all of the subject's screenings, so it waits for the newest one.
    const own = this.clocks.get(clockKey(subjectUnit(f.subjectRef), 'screening_data'));
    if (own?.clockStartedAt) {
      let newest: Date | null = null;
      for (const c of this.clocks.values()) if (c.category === 'screening_data' && c.subjectRef === f.subjectRef) newest = latest(newest, c.clockStartedAt);
      this.putClock({ ...own, clockStartedAt: newest });
    }
    if (f.sessionId) this.learnSubject(f.sessionId, f.subjectRef);
  }

  /** An event that names the subject of a session learned earlier without one. */
  private learnSubject(sessionId: string, subjectRef?: string): void {
    if (!subjectRef) return;
    const session = this.sessions.get(sessionId);
    if (session && session.subjectRef === null) this.putSession({ ...session, subjectRef });
    for (const category of DATA_CATEGORIES) {
      const clock = this.clocks.get(clockKey(sessionId, category));
      if (clock && clock.sessionId === sessionId && clock.subjectRef === null) this.putClock({ ...clock, subjectRef });
    }
  }

  private putSession(s: TrackedSession): void {
    const prev = this.sessions.get(s.sessionId);
    if (prev && prev.subjectRef === s.subjectRef && prev.status === s.status && sameTime(prev.statusAt, s.statusAt) && sameTime(prev.decidedAt, s.decidedAt)) return;
    this.sessions.set(s.sessionId, s);
    this.changedSessions.add(s.sessionId);
  }

  private putClock(c: RetentionClock): void {
    const key = clockKey(c.unit, c.category);
    const prev = this.clocks.get(key);
    if (prev && prev.subjectRef === c.subjectRef && prev.sessionId === c.sessionId && sameTime(prev.clockStartedAt, c.clockStartedAt)) return;
    this.clocks.set(key, c);
    this.changedClocks.add(key);
  }
}
